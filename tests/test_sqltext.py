"""Splitting SQL texts into statements (fusion.sqltext), for drivers that run one per call."""

from __future__ import annotations

from fusion.sqltext import split_statements


def test_splits_at_top_level_semicolons_only():
    sql = ("begin;\ndelete from t where a = 'x;y' and \"odd;name\" = 1 -- not here;\n;"
           "insert into t select $$a;b$$, 'it''s;', 'back\\';slash' /* nor; here */;\ncommit;")
    assert split_statements(sql) == [
        "begin",
        "delete from t where a = 'x;y' and \"odd;name\" = 1 -- not here;",
        "insert into t select $$a;b$$, 'it''s;', 'back\\';slash' /* nor; here */",
        "commit",
    ]


def test_drops_empty_and_comment_only_statements():
    assert split_statements("select 1") == ["select 1"]
    assert split_statements(" ; -- just a comment\n ; /* and */ ; // another\n") == []
    assert split_statements("select 1;;\n  select 2;\n") == ["select 1", "select 2"]
