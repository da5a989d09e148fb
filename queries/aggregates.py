"""Aggregated sufficient statistics that every score and KPI is computed from.

Two building blocks, each one pass over its table:

- :func:`feedback_stats` -- per group: responses, NPS counts, CSAT top-2 counts
  and sums, CES sums and sums of squares. NPS, CSAT, CES, margins of error and
  significance tests all follow from these in ``dashboard.metrics.scores``.
- :func:`event_stats` -- per group: customers, revenue, orders, purchasers and
  repeat purchasers, from a per-customer pre-aggregation.

Groups are any of: ``touchpoint``, a customer dimension, or a trend period.

With ``rollups=True`` both read the summary tables of ``queries.rollups`` instead of
the source tables: same columns, same numbers, no join and no per-customer group-by.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from queries.common import (
    check_dimension,
    customer_conditions,
    feedback_conditions,
    group_value,
    in_period,
)
from queries.definitions import CSAT_SATISFIED_MIN, DETRACTOR_MAX, PROMOTER_MIN
from queries.dialect import period_start
from queries.filters import Filters
from queries.rollups import customer_days, feedback_facts
from queries.schema import DIMENSIONS, customers, events, feedback

FEEDBACK_GROUPS = ("touchpoint", *DIMENSIONS)


def _count_if(condition: sa.ColumnElement[bool]) -> sa.ColumnElement[int]:
    """COUNT(CASE WHEN condition THEN 1 END): 0, not NULL, on no rows, in every dialect."""
    return sa.func.count(sa.case((condition, 1)))


def _float_sum(expr: sa.ColumnElement) -> sa.ColumnElement[float]:
    return sa.cast(sa.func.coalesce(sa.func.sum(expr), 0), sa.Double)


def feedback_columns(table: sa.Table = feedback) -> list[sa.ColumnElement]:
    """The per-group statistics of feedback (labels are the result's column names)."""
    fb = table.c
    return [
        sa.func.count().label("responses"),
        sa.func.count(fb.nps).label("n_nps"),
        _count_if(fb.nps >= PROMOTER_MIN).label("promoters"),
        _count_if(fb.nps <= DETRACTOR_MAX).label("detractors"),
        sa.func.count(fb.csat).label("n_csat"),
        _count_if(fb.csat >= CSAT_SATISFIED_MIN).label("csat_top2"),
        _float_sum(fb.csat).label("csat_sum"),
        sa.func.count(fb.ces).label("n_ces"),
        _float_sum(fb.ces).label("ces_sum"),
        _float_sum(fb.ces * fb.ces).label("ces_sumsq"),
    ]


def _feedback_source(
    f: Filters, by: Sequence[str], rollups: bool
) -> tuple[sa.FromClause, sa.Table, sa.Table, str]:
    """(FROM clause, table with the scores, table with the dimensions, name of the
    survey channel column) for a feedback summary."""
    if rollups:
        return feedback_facts, feedback_facts, feedback_facts, "survey_channel"
    source = feedback
    if f.has_dimension_filter or any(name in DIMENSIONS for name in by):
        source = feedback.outerjoin(customers, customers.c.customer_id == feedback.c.customer_id)
    return source, feedback, customers, "channel"


def feedback_stats(
    f: Filters, by: Sequence[str] = (), grain: str | None = None, *, rollups: bool = False
) -> sa.Select:
    """Feedback statistics for the filter, grouped by ``by`` (and a trend period).

    Columns: [``period``], [each name in ``by``], responses, n_nps, promoters,
    detractors, n_csat, csat_top2, csat_sum, n_ces, ces_sum, ces_sumsq.
    """
    for name in by:
        if name not in FEEDBACK_GROUPS:
            raise ValueError(f"cannot group feedback by {name!r}")
    source, scored, dimensions, survey_channel = _feedback_source(f, by, rollups)
    groups: list[sa.ColumnElement] = []
    if grain is not None:
        groups.append(period_start(grain, scored.c.responded_at).label("period"))
    groups += [
        (scored.c.touchpoint if name == "touchpoint" else group_value(dimensions.c[name])).label(
            name
        )
        for name in by
    ]
    stmt = (
        sa.select(*groups, *feedback_columns(scored))
        .select_from(source)
        .where(
            *feedback_conditions(f, scored, survey_channel),
            *customer_conditions(f, dimensions),
        )
    )
    if groups:
        stmt = stmt.group_by(*groups).order_by(*groups)
    return stmt


def event_stats(f: Filters, by: str | None = None, *, rollups: bool = False) -> sa.Select:
    """Commerce statistics for the filter's period, optionally per customer dimension.

    Columns: [``by``], customers (distinct customers with any event), revenue
    (sum of amount; 0 when there were no transactions), orders, purchasers,
    repeaters (purchasers with two or more transactions).
    """
    check_dimension(by)
    if rollups:
        return _event_stats_from_days(f, by)
    ev = events.c
    join_customers = f.has_dimension_filter or by is not None
    source = (
        events.outerjoin(customers, customers.c.customer_id == ev.customer_id)
        if join_customers
        else events
    )
    group = [group_value(customers.c[by]).label(by)] if by else []
    per_customer = (
        sa.select(
            ev.customer_id,
            *group,
            sa.func.count(ev.amount).label("n_tx"),
            sa.func.sum(ev.amount).label("revenue"),
        )
        .select_from(source)
        .where(*in_period(ev.occurred_at, f), *customer_conditions(f))
        .group_by(ev.customer_id, *group)
        .subquery("per_customer")
    )
    pc = per_customer.c
    outer_group = [pc[by]] if by else []
    stmt = sa.select(
        *outer_group,
        sa.func.count().label("customers"),
        _float_sum(pc.revenue).label("revenue"),
        sa.func.coalesce(sa.func.sum(pc.n_tx), 0).label("orders"),
        _count_if(pc.n_tx > 0).label("purchasers"),
        _count_if(pc.n_tx >= 2).label("repeaters"),
    )
    if outer_group:
        stmt = stmt.group_by(*outer_group).order_by(*outer_group)
    return stmt


def _event_stats_from_days(f: Filters, by: str | None) -> sa.Select:
    """:func:`event_stats` from ``rollup_customer_days``: one filtered scan.

    A customer counts once, on their first active day in the period (the previous
    active day lies before it); a purchaser on their first transaction day in the
    period, and is a repeater when that day has two transactions or the next
    transaction day is still in the period.
    """
    cd = customer_days.c
    from_day = sa.bindparam("from_day", f.date_from, type_=sa.Date)
    to_day = sa.bindparam("to_day", f.date_to, type_=sa.Date)
    conditions = []
    if f.date_from is not None:
        conditions.append(cd.day >= from_day)
    if f.date_to is not None:
        conditions.append(cd.day <= to_day)

    def before_period(day: sa.ColumnElement) -> sa.ColumnElement[bool]:
        if f.date_from is None:
            return day.is_(None)
        return sa.or_(day.is_(None), day < from_day)

    first_purchase = sa.and_(cd.n_tx > 0, before_period(cd.prev_tx_day))
    another_in_period = (
        cd.next_tx_day.is_not(None) if f.date_to is None else cd.next_tx_day <= to_day
    )
    group = [group_value(cd[by]).label(by)] if by else []
    stmt = sa.select(
        *group,
        _count_if(before_period(cd.prev_day)).label("customers"),
        _float_sum(cd.revenue).label("revenue"),
        sa.func.coalesce(sa.func.sum(cd.n_tx), 0).label("orders"),
        _count_if(first_purchase).label("purchasers"),
        _count_if(sa.and_(first_purchase, sa.or_(cd.n_tx >= 2, another_in_period))).label(
            "repeaters"
        ),
    ).where(*conditions, *customer_conditions(f, customer_days))
    if group:
        stmt = stmt.group_by(*group).order_by(*group)
    return stmt
