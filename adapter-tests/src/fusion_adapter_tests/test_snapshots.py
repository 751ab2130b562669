"""Snapshots: type-2 history with the check and timestamp strategies."""

from __future__ import annotations

SNAPSHOT = """{{% snapshot {name} %}}
{{{{ config(unique_key='id', target_schema=target.schema, {strategy}) }}}}
select 1 as id, '{{{{ var("v", "a") }}}}' as v, cast('{{{{ var("at", "2024-01-01") }}}}' as timestamp) as updated_at
union all select 2 as id, 'b' as v, cast('2024-01-01' as timestamp) as updated_at
{{% endsnapshot %}}
"""


def test_snapshot_check_and_timestamp(kit):
    strategies = {"by_check": "strategy='check', check_cols=['v']",
                  "by_time": "strategy='timestamp', updated_at='updated_at'"}
    kit.write({f"snapshots/{name}.sql": SNAPSHOT.format(name=name, strategy=strategy)
               for name, strategy in strategies.items()})
    kit.fusion("snapshot")
    kit.fusion("snapshot")  # nothing changed: no new versions
    kit.fusion("snapshot", "--vars", "{v: A, at: '2024-02-01'}")
    for name in ("by_check", "by_time"):
        assert kit.rows(name, "id, v, case when dbt_valid_to is null then 1 else 0 end") == [
            (1, "A", 1), (1, "a", 0), (2, "b", 1)], name
