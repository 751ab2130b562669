"""Templates compiled through a shared shape render exactly as when compiled on their own."""

from __future__ import annotations

import pytest
from conftest import run_fusion, write_project
from fusion.jinja.environment import FusionEnvironment
from fusion.jinja.shapes import outline, shape_of

TEMPLATES = [
    "select 1\n",
    "select * from {{ ref('a') }} join {{ ref(\"b\") }} using (id)\n",
    "{{ config(materialized='table', tags=['x', 'y'], limit=10, ratio=1.5) }}\nselect {{ 2 * 3 }} as six\n",
    "a  {%- if true -%}  \n  b  {%- endif %}\n  c {{- ' d ' -}}  e\n",
    "{% for i in range(3) %}{{ i }},{% endfor %}\n{# a comment\nover lines #}tail",
    "{% set xs = ['p', 'q'] %}{% for x in xs %}\n  {{ loop.index0 }}:{{ x ~ '_' ~ 10 }}\n{%- endfor %}",
    "{% set block %}\n  inner {{ 'v' | upper }}\n{% endset %}{{ block | trim }}!",
    "{{ 'a' if 1 > 2 else 'b' }} {{ [1, 2, 3] | sum }} {{ 1e3 }} {{ x.y0 if x is defined else 'none' }}",
    "{% if 'two\nlines' == \"two\nlines\" %}same{% endif %}\n",
]
#: texts the shape rewrite must leave to Jinja (it cannot reproduce them exactly)
UNSHAPED = [
    "{% raw %}{{ not jinja }}{% endraw %}",
    "{% macro m() %}x{% endmacro %}{{ m() }}",
    "{{ {'a': {'b': 1}}['a']['b'] }}",
    "{{ 'escaped \\' quote' }}",
    "{{ unclosed",
]


@pytest.mark.parametrize("source", TEMPLATES)
def test_shaped_template_renders_like_the_plain_one(source):
    assert shape_of(source) is not None
    shaped = FusionEnvironment().compile_source(source, "models/m.sql")
    plain = FusionEnvironment().from_string(source)
    names = {"ref": lambda *parts: ".".join(parts), "config": lambda **kwargs: ""}
    assert shaped.render(**names) == plain.render(**names)


@pytest.mark.parametrize("source", UNSHAPED)
def test_texts_the_rewrite_cannot_reproduce_are_not_shaped(source):
    assert shape_of(source) is None


def test_files_of_one_shape_share_compiled_code_but_keep_their_text():
    env = FusionEnvironment()
    one = env.compile_source("select a\nfrom {{ ref('x') }}\n", "models/one.sql")
    two = env.compile_source("select b, c\n\n\nfrom {{ ref('y') }} -- comment\n", "models/two.sql")
    assert len(env._shapes) == 1
    assert one.render(ref=str) == "select a\nfrom x\n"
    assert two.render(ref=str) == "select b, c\n\n\nfrom y -- comment\n"


def test_an_error_in_a_shaped_file_names_that_file_and_line(tmp_path):
    project = write_project(tmp_path, {
        "models/first.sql": "select 1 as id\nfrom {{ ref('second') }}\n",
        "models/second.sql": "select 1 as id\n\n\nfrom {{ ref('missing_model') }}\n",
    })
    result = run_fusion(project, "parse")
    assert result.code != 0
    assert "models/second.sql" in result.output and "missing_model" in result.output
    undefined = write_project(tmp_path / "u", {
        "models/a.sql": "select 1\n{{ ref('a2') }}\n",
        "models/a2.sql": "select 1\n\n\n\n{{ nothing_here.attribute }}\n",
    })
    result = run_fusion(undefined, "compile")  # parsing tolerates undefined names, as dbt's does
    assert result.code != 0
    assert "models/a2.sql" in result.output and "models/a2.sql:5:" in result.output, result.output


def test_templates_of_one_shape_share_an_outline():
    one = "select * from {{ ref('a') }} where x > {{ var('n', 3) }}"
    same = "select id\nfrom {{ ref(\"other_model\") }}\n\nwhere y = {{ var('m', 42) }}"
    assert outline(one) == outline(same)
    assert outline(one) != outline("select * from {{ ref('a') }}")
    assert outline(one) != outline("{{ config(materialized='table') }}" + one)
