"""A model that fails to build leaves the relation it would have replaced as it was."""

from __future__ import annotations

MODEL = "{{{{ config(materialized='{m}') }}}}\n{sql}\n"
KINDS = ("table", "view")


def _write(kit, sql: str) -> None:
    kit.write({f"models/kept_{m}.sql": MODEL.format(m=m, sql=sql) for m in KINDS})


def test_failed_build_keeps_old_relation(kit):
    _write(kit, "select 1 as id")
    kit.fusion("run")
    _write(kit, "select 2 as id union all select id from no_such_relation_kit")
    kit.fusion("run", expect=1)
    assert {m: kit.rows(f"kept_{m}", "id") for m in KINDS} == {m: [(1,)] for m in KINDS}
    # no scratch or backup relation is left behind
    assert kit.relation_types() == {f"kept_{m}": m for m in KINDS}
    _write(kit, "select 3 as id")
    kit.fusion("run")
    assert {m: kit.rows(f"kept_{m}", "id") for m in KINDS} == {m: [(3,)] for m in KINDS}
