"""``cxdash clickhouse-ddl``: the store's DDL for a sharded ClickHouse cluster."""

from __future__ import annotations

import argparse


def _handle(args: argparse.Namespace) -> int:
    from dashboard.chdb_dialect import sharded_ddl

    print(sharded_ddl(cluster=args.cluster, database=args.database), end="")
    return 0


def register_cli(subparsers) -> None:
    p = subparsers.add_parser(
        "clickhouse-ddl",
        help="print the DDL of the store for a sharded ClickHouse cluster",
        description="Replicated local tables, Distributed tables sharded by "
        "cityHash64(customer_id), one copy of the small tables on every node "
        "(docs/clickhouse.md). Needs the clickhouse extra.",
    )
    p.add_argument("--cluster", default="cxdash", help="the cluster's name in remote_servers")
    p.add_argument("--database", default="cxdash", help="the database to create the tables in")
    p.set_defaults(handler=_handle)
