"""How the store's tables are laid out on ClickHouse (chDB in-process, or a cluster).

ClickHouse keeps a table as sorted parts (``MergeTree``): the ``ORDER BY`` key is its
sparse primary index and ``PARTITION BY`` splits it into parts a filter can skip whole.
Every view filters the large tables by a time range (the period, its previous period,
a trend's window) and many by stage or touchpoint, so the large tables are partitioned
by month of their time column and sorted by the column the views filter on first, then
time. Small tables are sorted by their key.

On a cluster (``sharded_ddl``) every table that has a customer is spread over the
shards by ``cityHash64(customer_id)``: all rows of one customer live on one shard, so
every per-customer computation (the funnel, repeat purchases, risk, drivers, the
summary tables) runs on each shard alone, and the initiator merges the shards' partial
aggregates. docs/clickhouse.md explains what each view sends to which shard.

Nothing here executes: ``dashboard.chdb_dialect`` reads ``LAYOUT`` when it creates a
table, ``cxdash clickhouse-ddl`` prints ``sharded_ddl``.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa


@dataclass(frozen=True)
class Layout:
    """One table's ``MergeTree`` clauses (SQL fragments, column names unquoted)."""

    order_by: str
    partition_by: str | None = None
    # The column the shards are chosen by on a cluster (None: the table is small and
    # every shard holds a full copy, or it is not per customer).
    shard_column: str | None = None


LAYOUT: dict[str, Layout] = {
    # The five source tables.
    "customers": Layout("customer_id", shard_column="customer_id"),
    "events": Layout(
        "stage, occurred_at, customer_id",
        partition_by="toYYYYMM(occurred_at)",
        shard_column="customer_id",
    ),
    "feedback": Layout(
        "touchpoint, responded_at, response_id",
        partition_by="toYYYYMM(responded_at)",
        # Anonymous responses (no customer) hash '' and all go to one shard: they are
        # never joined to a customer, only counted.
        shard_column="customer_id",
    ),
    "stages": Layout("stage"),
    "touchpoints": Layout("touchpoint"),
    # The summary tables (queries.rollups).
    "rollup_customer_days": Layout("day", partition_by="toYYYYMM(day)"),
    "rollup_feedback": Layout("touchpoint, responded_at", partition_by="toYYYYMM(responded_at)"),
    "rollup_funnel_events": Layout("idx, occurred_at, ckey", partition_by="toYYYYMM(occurred_at)"),
    "rollup_customer_keys": Layout("ckey"),
    "rollup_funnel_stages": Layout("stage"),
}

# How a cluster places each table's rows (sharded_ddl):
# - by customer: every row of one customer on one shard. Anonymous responses have no
#   customer and are never joined to one: they are spread by their response_id.
SHARD_KEYS = {
    "customers": "cityHash64(customer_id)",
    "events": "cityHash64(customer_id)",
    "feedback": "cityHash64(ifNull(customer_id, response_id))",
}
# - built on each shard from that shard's own source rows (INSERT ... SELECT on the
#   local tables, run on every shard): their rows are the shard's customers', and the
#   integer customer key of the funnel is per shard, which is all it needs (a key is
#   only compared with keys of the same shard). Read through a Distributed table.
BUILT_PER_SHARD = (
    "rollup_customer_days",
    "rollup_feedback",
    "rollup_funnel_events",
    "rollup_customer_keys",
)
# - everything else has one full copy on every node, replicated through Keeper, so a
#   shard joins it locally: the small tables (stages, touchpoints, users, the audit
#   trail, the import log, models, taxonomies, the summaries' state), the follow-up
#   items and their log (small and transactional: written one change at a time) and the
#   comment analysis (joined with feedback by response_id, which is not the shard key;
#   a copy per node costs disk, docs/clickhouse.md says how to shard it instead).


def layout(table: sa.Table) -> Layout:
    """The table's layout: its declared one, else sorted by its primary key."""
    if table.name in LAYOUT:
        return LAYOUT[table.name]
    keys = [c.name for c in table.primary_key.columns]
    return Layout(", ".join(keys) if keys else "tuple()")


def engine_clause(table: sa.Table, engine: str = "MergeTree") -> str:
    """``ENGINE = ... [PARTITION BY ...] ORDER BY (...)`` for ``table``."""
    spec = layout(table)
    parts = [f"ENGINE = {engine}"]
    if spec.partition_by:
        parts.append(f"PARTITION BY {spec.partition_by}")
    order = spec.order_by if spec.order_by == "tuple()" else f"({spec.order_by})"
    parts.append(f"ORDER BY {order}")
    return "\n".join(parts)
