"""Seeds are identified as dbt identifies them: by the hash of their text up to 1 MiB, by their
path above it (not read at parse time, and unchanged for ``state:modified`` while the path stays)."""

from __future__ import annotations

import hashlib
import json
import shutil

from conftest import query, run_fusion, write_project

SMALL = "id,name\n1,a\n2,b\n"
BIG = "id,name\n" + "".join(f"{i},name_{i:08d}\n" for i in range(70_000))  # ~1.3 MiB


def _checksums(project) -> dict[str, dict[str, str]]:
    nodes = json.loads((project / "target" / "manifest.json").read_text())["nodes"]
    return {n["name"]: n["checksum"] for n in nodes.values() if n["resource_type"] == "seed"}


def _modified(project) -> set[str]:
    result = run_fusion(project, "ls", "-o", "name", "--state", "prod", "-s", "state:modified")
    assert result.code == 0, result.output
    return {line for line in result.stdout.splitlines() if line and " " not in line}  # not the warnings


def test_big_seed_is_identified_by_path_and_small_by_hash(tmp_path):
    assert len(BIG.encode()) > 1024 * 1024
    project = write_project(tmp_path, {"seeds/small.csv": "\n" + SMALL + "\n\n", "seeds/big.csv": BIG})
    assert run_fusion(project, "parse").code == 0
    assert _checksums(project) == {
        "small": {"name": "sha256", "checksum": hashlib.sha256(SMALL.strip().encode()).hexdigest()},
        "big": {"name": "path", "checksum": "seeds/big.csv"},
    }
    shutil.copytree(project / "target", project / "prod")

    (project / "seeds" / "big.csv").write_text(BIG.replace("name_00000001", "changed_0001"))
    assert _modified(project) == set()  # dbt cannot tell a big seed changed either
    (project / "seeds" / "small.csv").write_text(SMALL + "3,c\n")
    assert _modified(project) == {"small"}

    result = run_fusion(project, "seed")
    assert result.code == 0, result.output
    assert query(project / "db.duckdb", "select count(*), max(name) from main.big") == [(70_000, "name_00069999")]
