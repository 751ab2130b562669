"""Splitting SQL texts into statements (fusion.sqltext), for drivers that run one per call:
here Snowflake's dialect ('' and \\' in strings, $$ strings, // comments)."""

from __future__ import annotations

from fusion.sqltext import split_statements


def test_splits_at_top_level_semicolons_only():
    sql = ("begin;\ndelete from t where a = 'x;y' and \"odd;name\" = 1 -- not here;\n;"
           "insert into t select $$a;b$$, 'it''s;', 'back\\';slash' /* nor; here */;\ncommit;")
    assert split_statements(sql, "snowflake") == [
        "begin",
        "delete from t where a = 'x;y' and \"odd;name\" = 1 -- not here;",
        "insert into t select $$a;b$$, 'it''s;', 'back\\';slash' /* nor; here */",
        "commit",
    ]


def test_drops_empty_and_comment_only_statements():
    assert split_statements("select 1", "snowflake") == ["select 1"]
    assert split_statements(" ; -- just a comment\n ; /* and */ ; // another\n", "snowflake") == []
    assert split_statements("select 1;;\n  select 2;\n", "snowflake") == ["select 1", "select 2"]


def test_an_unreadable_text_is_one_statement():
    assert split_statements("select 'unterminated; select 2", "snowflake") == ["select 'unterminated; select 2"]
