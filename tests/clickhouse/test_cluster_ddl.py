"""The DDL for a sharded cluster (``cxdash clickhouse-ddl``): customer tables sharded by
customer, summaries built per shard, everything else copied to every node; and its
tables are valid ClickHouse (created on chDB without the cluster parts, which need a
cluster this machine does not have)."""

from __future__ import annotations

import re

import sqlalchemy as sa

from dashboard import cli
from dashboard.chdb_dialect import sharded_ddl
from queries import clickhouse, rollups, schema


def test_customer_tables_are_sharded_by_customer_and_the_rest_copied(capsys):
    assert cli.main(["clickhouse-ddl", "--cluster", "vn", "--database", "cx"]) == 0
    ddl = capsys.readouterr().out
    distributed = dict(re.findall(r"ENGINE = Distributed\('vn', 'cx', '(\w+)_local', (.+)\);", ddl))
    assert distributed["customers"] == "cityHash64(customer_id)"
    assert distributed["events"] == "cityHash64(customer_id)"
    assert distributed["feedback"] == "cityHash64(ifNull(customer_id, response_id))"
    for name in clickhouse.BUILT_PER_SHARD:
        assert distributed[name] == "rand()"
    every = {t.name for t in (*schema.metadata.tables.values(), *rollups.metadata.tables.values())}
    copied = every - set(distributed)
    assert {"stages", "touchpoints", "followups", "cxdash_users"} <= copied
    for name in copied:
        assert f"/clickhouse/tables/all/cx.{name}'" in ddl
    assert "PARTITION BY toYYYYMM(occurred_at)\nORDER BY (stage, occurred_at, customer_id)" in ddl


def test_its_tables_are_valid_clickhouse(chdb_dir):
    local = sharded_ddl(cluster="c", database="cxdash_ddl_check")
    local = local.replace(" ON CLUSTER c", "")
    local = re.sub(r"ReplicatedMergeTree\('[^']*', '\{replica\}'\)", "MergeTree", local)
    local = "\n".join(line for line in local.splitlines() if not line.startswith("--"))
    statements = [
        s.strip() for s in local.split(";") if s.strip() and "ENGINE = Distributed" not in s
    ]
    engine = sa.create_engine(f"chdb:///{chdb_dir}")
    try:
        with engine.connect() as conn:
            for statement in statements:
                conn.exec_driver_sql(statement)
            names = conn.exec_driver_sql(
                "SELECT name FROM system.tables WHERE database = 'cxdash_ddl_check'"
            ).fetchall()
            conn.exec_driver_sql("DROP DATABASE cxdash_ddl_check SYNC")
    finally:
        engine.dispose()
    assert len(names) == len(schema.metadata.tables) + len(rollups.metadata.tables)
