"""Descriptions that are only ``{{ doc('name') }}`` take the doc block's text without a render;
the others render as templates, and a missing doc names the YAML file either way."""

from __future__ import annotations

import json

from conftest import run_fusion, write_project

FILES = {
    "models/a.sql": "select 1 as id",
    "models/docs.md": "{% docs orders %}Orders, one row each.{% enddocs %}\n{% docs id %}The key{% enddocs %}",
}


def test_a_doc_only_description_is_the_block_text(tmp_path):
    project = write_project(tmp_path, {**FILES, "models/props.yml": (
        "models:\n  - name: a\n    description: '{{ doc(\"orders\") }}'\n    columns:\n"
        "      - name: id\n        description: \"{{doc( 'id' )}}\"\n"
        "      - name: two\n        description: \"  {{ doc('id') }} \"\n")})
    result = run_fusion(project, "parse", "--no-partial-parse")
    assert result.code == 0, result.output
    node = json.loads((project / "target" / "manifest.json").read_text())["nodes"]["model.proj.a"]
    assert node["description"] == "Orders, one row each."
    assert [c["description"] for c in node["columns"].values()] == ["The key", "  The key "]


def test_a_missing_doc_names_the_yaml_file(tmp_path):
    project = write_project(tmp_path, {**FILES, "models/props.yml": (
        "models:\n  - name: a\n    description: '{{ doc(\"nothing\") }}'\n")})
    result = run_fusion(project, "parse", "--no-partial-parse")
    assert result.code != 0
    assert "models/props.yml" in result.output and "doc('nothing'), which was not found" in result.output
    assert "Traceback" not in result.output
