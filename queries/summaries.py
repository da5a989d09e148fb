"""Aggregated sufficient statistics that every score and KPI is computed from.

Two building blocks, each one pass over its table:

- :func:`feedback_summary` -- per group: responses, NPS counts, CSAT top-2 counts
  and sums, CES sums and sums of squares. NPS, CSAT, CES, margins of error and
  significance tests all follow from these in ``dashboard.metrics.scores``.
- :func:`event_summary` -- per group: customers, revenue, orders, purchasers and
  repeat purchasers, from a per-customer pre-aggregation.

Groups are any of: ``touchpoint``, a customer dimension, or a trend period.
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
from queries.dialect import period_start
from queries.filters import Filters
from queries.schema import DIMENSIONS, customers, events, feedback

FEEDBACK_GROUPS = ("touchpoint", *DIMENSIONS)


def _count_if(condition: sa.ColumnElement[bool]) -> sa.ColumnElement[int]:
    """COUNT(CASE WHEN condition THEN 1 END): 0, not NULL, on no rows, in every dialect."""
    return sa.func.count(sa.case((condition, 1)))


def _float_sum(expr: sa.ColumnElement) -> sa.ColumnElement[float]:
    return sa.cast(sa.func.coalesce(sa.func.sum(expr), 0), sa.Double)


def feedback_columns() -> list[sa.ColumnElement]:
    """The per-group statistics of feedback (labels are the result's column names)."""
    fb = feedback.c
    return [
        sa.func.count().label("responses"),
        sa.func.count(fb.nps).label("n_nps"),
        _count_if(fb.nps >= 9).label("promoters"),
        _count_if(fb.nps <= 6).label("detractors"),
        sa.func.count(fb.csat).label("n_csat"),
        _count_if(fb.csat >= 4).label("csat_top2"),
        _float_sum(fb.csat).label("csat_sum"),
        sa.func.count(fb.ces).label("n_ces"),
        _float_sum(fb.ces).label("ces_sum"),
        _float_sum(fb.ces * fb.ces).label("ces_sumsq"),
    ]


def _group_expr(name: str) -> sa.ColumnElement:
    if name == "touchpoint":
        return feedback.c.touchpoint
    check_dimension(name)
    return group_value(customers.c[name])


def feedback_summary(f: Filters, by: Sequence[str] = (), grain: str | None = None) -> sa.Select:
    """Feedback statistics for the filter, grouped by ``by`` (and a trend period).

    Columns: [``period``], [each name in ``by``], responses, n_nps, promoters,
    detractors, n_csat, csat_top2, csat_sum, n_ces, ces_sum, ces_sumsq.
    """
    for name in by:
        if name not in FEEDBACK_GROUPS:
            raise ValueError(f"cannot group feedback by {name!r}")
    groups: list[sa.ColumnElement] = []
    if grain is not None:
        groups.append(period_start(grain, feedback.c.responded_at).label("period"))
    groups += [_group_expr(name).label(name) for name in by]
    source = feedback
    if f.has_dimension_filter or any(name in DIMENSIONS for name in by):
        source = feedback.outerjoin(customers, customers.c.customer_id == feedback.c.customer_id)
    stmt = (
        sa.select(*groups, *feedback_columns())
        .select_from(source)
        .where(*feedback_conditions(f), *customer_conditions(f))
    )
    if groups:
        stmt = stmt.group_by(*groups).order_by(*groups)
    return stmt


def event_summary(f: Filters, by: str | None = None) -> sa.Select:
    """Commerce statistics for the filter's period, optionally per customer dimension.

    Columns: [``by``], customers (distinct customers with any event), revenue
    (sum of amount; 0 when there were no transactions), orders, purchasers,
    repeaters (purchasers with two or more transactions).
    """
    check_dimension(by)
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
