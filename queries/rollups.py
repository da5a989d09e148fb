"""Summary tables derived from ``events``, ``feedback`` and ``customers`` -- exact, not
approximate -- and the statements that fill them.

Why they exist: on 10M events the KPI, segment and funnel statements spend most of
their time joining ``customers`` and grouping millions of rows by a text customer
id ("distinct customers", "repeat purchasers", "first S1 event in the period").
Each table below stores, per row, what those group-bys would find, so that the
views become filtered scans with conditional counts:

``rollup_customer_days``
    One row per customer and day with events: transactions, revenue, and the
    customer's previous active day, previous and next transaction day. "Customers
    in the period" = rows in the period whose previous active day lies before it;
    a purchaser is a repeater when that day has two transactions or the next
    transaction day still lies in the period. Exact because periods are whole days.
``rollup_feedback``
    ``feedback`` with the respondent's dimensions copied in (no join per query).
``rollup_funnel_events``
    Every event with an integer customer key, its stage's index, the time of the
    customer's previous event of the same stage (an entrant's first S1 event in the
    period is the one whose previous S1 event lies before the period) and, per stage
    index i, ``next_i``: the customer's earliest stage-i event at or after this one
    (ties included). Reaching S(i+1) from the S(i) event at time t is then a lookup.
``rollup_customer_keys``
    The funnel events' integer customer key -> customer_id, one row per customer with
    events: joins funnel progress read from the rollup with feedback
    (``queries.funnel_satisfaction``).

Dimensions are copied as stored (empty and NULL kept), so ``queries.common`` applies
DESIGN.md's rules to them unchanged. ``rollup_state`` records when the tables were
built and a fingerprint of their sources; ``dashboard.rollup_store`` refreshes them
on every write and decides whether a query may use them.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from queries.dialect import period_start
from queries.schema import DIMENSIONS, customers, events, feedback, stages

metadata = sa.MetaData()

# Stage indexes beyond this have no next_i column: funnels through such a stage are
# answered from `events` instead (slower, same numbers).
MAX_FUNNEL_STAGES = 12
SOURCE_TABLES = frozenset({"customers", "events", "feedback", "stages"})


def _dimension_columns() -> list[sa.Column]:
    return [sa.Column(name, sa.String) for name in DIMENSIONS]


customer_days = sa.Table(
    "rollup_customer_days",
    metadata,
    sa.Column("day", sa.Date, nullable=False),
    sa.Column("n_tx", sa.Integer, nullable=False, comment="transactions that day"),
    sa.Column("revenue", sa.Double, comment="NULL when there was no transaction"),
    sa.Column("prev_day", sa.Date, comment="the customer's previous day with any event"),
    sa.Column("prev_tx_day", sa.Date, comment="previous day with a transaction"),
    sa.Column("next_tx_day", sa.Date, comment="next day with a transaction"),
    *_dimension_columns(),
    sa.Index("ix_rollup_customer_days_day", "day"),
)

feedback_facts = sa.Table(
    "rollup_feedback",
    metadata,
    sa.Column("responded_at", sa.DateTime, nullable=False),
    sa.Column("touchpoint", sa.String, nullable=False),
    sa.Column("survey_channel", sa.String),
    sa.Column("nps", sa.SmallInteger),
    sa.Column("csat", sa.SmallInteger),
    sa.Column("ces", sa.SmallInteger),
    *_dimension_columns(),
    sa.Index("ix_rollup_feedback_responded_at", "responded_at"),
)

funnel_stages = sa.Table(
    "rollup_funnel_stages",
    metadata,
    sa.Column("stage", sa.String, primary_key=True),
    sa.Column("idx", sa.Integer, nullable=False),
)

funnel_events = sa.Table(
    "rollup_funnel_events",
    metadata,
    sa.Column("ckey", sa.Integer, nullable=False, comment="integer stand-in for customer_id"),
    sa.Column("idx", sa.SmallInteger, nullable=False, comment="rollup_funnel_stages.idx"),
    sa.Column("occurred_at", sa.DateTime, nullable=False),
    sa.Column("prev_same_at", sa.DateTime, comment="previous event of the same stage"),
    *(sa.Column(f"next_{i}", sa.DateTime) for i in range(1, MAX_FUNNEL_STAGES + 1)),
    *_dimension_columns(),
    sa.Index("ix_rollup_funnel_events_idx_time", "idx", "occurred_at"),
    sa.Index("ix_rollup_funnel_events_lookup", "ckey", "idx", "occurred_at"),
)

customer_keys = sa.Table(
    "rollup_customer_keys",
    metadata,
    sa.Column("ckey", sa.Integer, nullable=False, comment="rollup_funnel_events.ckey"),
    sa.Column("customer_id", sa.String, nullable=False),
    sa.Index("ix_rollup_customer_keys_ckey", "ckey"),
)

state = sa.Table(
    "rollup_state",
    metadata,
    sa.Column("refreshed_at", sa.DateTime, nullable=False),
    # The sources' fingerprint when the rollups were built: a write by another tool
    # changes it, and the views then read the source tables until the next refresh.
    sa.Column("events_rows", sa.BigInteger, nullable=False),
    sa.Column("events_last", sa.DateTime),
    sa.Column("feedback_rows", sa.BigInteger, nullable=False),
    sa.Column("feedback_last", sa.DateTime),
    sa.Column("customers_rows", sa.BigInteger, nullable=False),
    sa.Column("stages_rows", sa.BigInteger, nullable=False),
)

ROLLUP_TABLES = (customer_days, feedback_facts, funnel_stages, funnel_events, customer_keys)
FINGERPRINT = (
    "events_rows", "events_last", "feedback_rows", "feedback_last", "customers_rows",
    "stages_rows",
)  # fmt: skip


def _not_duckdb(ddl, target, bind, **kw) -> bool:
    # ClickHouse has no secondary indexes either: its tables are sorted for the views
    # (queries.clickhouse).
    name = kw.get("dialect", bind.dialect if bind is not None else None).name
    return name not in {"duckdb", "chdb", "clickhouse", "clickhousedb"}


# As for the source tables: indexes serve PostgreSQL and SQLite; DuckDB prunes by
# zone maps, which the insertion order below (by day / stage and time) makes sharp.
for _table in metadata.tables.values():
    for _index in _table.indexes:
        _index.ddl_if(callable_=_not_duckdb)


def next_column(index: int) -> sa.Column:
    """``next_<index>`` of ``rollup_funnel_events``."""
    return funnel_events.c[f"next_{index}"]


# -- what the refresh writes ------------------------------------------------------------


def _fingerprint() -> list[sa.ColumnElement]:
    """The sources' row counts and latest timestamps, labelled as ``FINGERPRINT``."""

    def scalar(expr, table):
        return sa.select(expr).select_from(table).scalar_subquery()

    count = sa.func.count()
    return [
        scalar(count, events).label("events_rows"),
        scalar(sa.func.max(events.c.occurred_at), events).label("events_last"),
        scalar(count, feedback).label("feedback_rows"),
        scalar(sa.func.max(feedback.c.responded_at), feedback).label("feedback_last"),
        scalar(count, customers).label("customers_rows"),
        scalar(count, stages).label("stages_rows"),
    ]


def count_funnel_stages() -> sa.Select:
    """How many stages the funnel-stage index holds (sizes the next-stage columns)."""
    return sa.select(sa.func.count()).select_from(funnel_stages)


def record_state(refreshed_at: dt.datetime) -> sa.Insert:
    """The state row: when, and the sources' fingerprint, taken in SQL (no round trip
    through Python, so that :func:`freshness` compares like with like)."""
    now = sa.bindparam("refreshed_at", refreshed_at, type_=sa.DateTime)
    return state.insert().from_select(
        ["refreshed_at", *FINGERPRINT], sa.select(now, *_fingerprint())
    )


def freshness() -> sa.Select:
    """``refreshed_at`` and ``up_to_date`` (1 when the sources still have the recorded
    fingerprint, else 0); no row when the summaries were never built or a write
    through ``dashboard.db`` outdated them."""
    live = {column.name: column for column in _fingerprint()}
    same = sa.and_(*(state.c[name].is_not_distinct_from(live[name]) for name in FINGERPRINT))
    return sa.select(state.c.refreshed_at, sa.case((same, 1), else_=0).label("up_to_date"))


def _dimensions() -> tuple[sa.FromClause, list]:
    """``customers`` aliased for a left join, and its dimension columns."""
    c = customers.alias("c")
    return c, [c.c[name].label(name) for name in DIMENSIONS]


def fill_customer_days() -> sa.Insert:
    ev = events.c
    day = period_start("day", ev.occurred_at)
    per_day = (
        sa.select(
            ev.customer_id,
            day.label("day"),
            sa.func.count(ev.amount).label("n_tx"),
            sa.func.sum(ev.amount).label("revenue"),
        )
        .group_by(ev.customer_id, day)
        .subquery("per_day")
    )
    pd = per_day.c
    window = {"partition_by": pd.customer_id, "order_by": pd.day}
    tx_day = sa.case((pd.n_tx > 0, pd.day))
    c, dims = _dimensions()
    select = (
        sa.select(
            pd.day,
            pd.n_tx,
            pd.revenue,
            sa.func.lag(pd.day).over(**window).label("prev_day"),
            sa.func.max(tx_day).over(**window, rows=(None, -1)).label("prev_tx_day"),
            sa.func.min(tx_day).over(**window, rows=(1, None)).label("next_tx_day"),
            *dims,
        )
        .select_from(per_day.outerjoin(c, c.c.customer_id == pd.customer_id))
        .order_by(pd.day)
    )
    return customer_days.insert().from_select(
        ["day", "n_tx", "revenue", "prev_day", "prev_tx_day", "next_tx_day", *DIMENSIONS],
        select,
    )


def fill_feedback_facts() -> sa.Insert:
    fb = feedback.c
    c, dims = _dimensions()
    select = (
        sa.select(
            fb.responded_at,
            fb.touchpoint,
            fb.channel.label("survey_channel"),
            fb.nps,
            fb.csat,
            fb.ces,
            *dims,
        )
        .select_from(feedback.outerjoin(c, c.c.customer_id == fb.customer_id))
        .order_by(fb.responded_at)
    )
    columns = ["responded_at", "touchpoint", "survey_channel", "nps", "csat", "ces"]
    return feedback_facts.insert().from_select([*columns, *DIMENSIONS], select)


def fill_funnel_stages() -> sa.Insert:
    """Every stage the events use, numbered in funnel order (unlisted stages last)."""
    used = sa.select(events.c.stage).distinct().subquery("used")
    order = (stages.c.position.asc().nulls_last(), used.c.stage)
    select = sa.select(
        used.c.stage, sa.func.row_number().over(order_by=order).label("idx")
    ).select_from(used.outerjoin(stages, stages.c.stage == used.c.stage))
    return funnel_stages.insert().from_select(["stage", "idx"], select)


def _customer_key_select() -> sa.Select:
    """ckey, customer_id: every customer with events, numbered in customer_id order.

    Both ``rollup_funnel_events`` and ``rollup_customer_keys`` are filled from this one
    expression, in the same refresh whenever ``events`` changed (ids are distinct, so
    the numbering is deterministic): their keys agree.
    """
    ev = events.c
    return sa.select(
        sa.func.row_number().over(order_by=ev.customer_id).label("ckey"), ev.customer_id
    ).group_by(ev.customer_id)


def fill_customer_keys() -> sa.Insert:
    """``rollup_customer_keys``: the funnel rollup's ckey -> customer_id, so that funnel
    progress read from the rollup can be joined with feedback."""
    return customer_keys.insert().from_select(["ckey", "customer_id"], _customer_key_select())


def fill_funnel_events(stage_count: int) -> sa.Insert:
    """Events with next_1 .. next_<stage_count> (at most ``MAX_FUNNEL_STAGES``)."""
    ev = events.c
    keys = _customer_key_select().subquery("keys")
    idx = funnel_stages.c.idx
    by_customer = {"partition_by": ev.customer_id, "order_by": ev.occurred_at}
    nexts = [
        sa.func.min(sa.case((idx == i, ev.occurred_at)))
        .over(**by_customer, range_=(0, None))  # this event's time and later, ties included
        .label(f"next_{i}")
        for i in range(1, min(stage_count, MAX_FUNNEL_STAGES) + 1)
    ]
    prev_same = sa.func.lag(ev.occurred_at).over(
        partition_by=(ev.customer_id, ev.stage), order_by=ev.occurred_at
    )
    c, dims = _dimensions()
    select = (
        sa.select(
            keys.c.ckey,
            idx,
            ev.occurred_at,
            prev_same.label("prev_same_at"),
            *nexts,
            *dims,
        )
        .select_from(
            events.join(keys, keys.c.customer_id == ev.customer_id)
            .join(funnel_stages, funnel_stages.c.stage == ev.stage)
            .outerjoin(c, c.c.customer_id == ev.customer_id)
        )
        .order_by(idx, ev.occurred_at)
    )
    columns = ["ckey", "idx", "occurred_at", "prev_same_at", *(n.name for n in nexts)]
    return funnel_events.insert().from_select([*columns, *DIMENSIONS], select)
