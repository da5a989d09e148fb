"""The funnel of ``queries.funnel`` -- same definition, same result columns -- read from
``rollup_funnel_events`` instead of ``events``.

Shape (no group-by per customer, no join with ``customers``)::

    cohort   S1 events in the period whose previous S1 event lies before it: exactly
             one row per entrant (t1), carrying next_<S2> = the earliest S2 at or
             after t1, and the entrant's dimensions
    step_2   cohort rows with t2 = next_<S2> within t1 + window
    step_i   step_(i-1) joined to its own S(i-1) event at t(i-1) (integer key and
             time), reading next_<Si> there: the earliest Si at or after t(i-1)
    result   ``queries.funnel.count_reached`` over the steps, as before

Every reached time is the earliest qualifying one, so the chain is the greedy one
DESIGN.md defines; equal timestamps count (``next_i`` includes ties).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

import sqlalchemy as sa

from queries.common import check_dimension, customer_conditions, group_value, in_period
from queries.definitions import DEFAULT_WINDOW_DAYS
from queries.dialect import seconds_between
from queries.filters import Filters
from queries.funnel import check_steps, count_reached, reached_row
from queries.rollups import MAX_FUNNEL_STAGES, funnel_events, next_column


def covers(steps: Sequence[str], stage_index: Mapping[str, int]) -> bool:
    """Whether the rollup can answer a funnel over ``steps``: every step has an index
    with a ``next_i`` column. (A stage no event uses has no index: the source tables
    then answer, with zeros from that step on.)"""
    return all(0 < stage_index.get(step, 0) <= MAX_FUNNEL_STAGES for step in steps)


def funnel_from_rollup(
    f: Filters,
    steps: Sequence[str],
    stage_index: Mapping[str, int],
    window_days: float = DEFAULT_WINDOW_DAYS,
    by: str | None = None,
) -> sa.Select:
    """:func:`queries.funnel.funnel` from the rollup; ``stage_index`` maps each step to
    its ``rollup_funnel_stages.idx`` (see :func:`covers`)."""
    steps = check_steps(steps, window_days)
    cohort, *later_steps = step_ctes_from_rollup(f, steps, stage_index, window_days, by)
    reached = [reached_row(cohort, 1, sa.cast(sa.null(), sa.Double), by)]
    for position, step in enumerate(later_steps, start=2):
        gap = seconds_between(step.c.previous_t, step.c.t)
        reached.append(reached_row(step, position, gap, by))
    return count_reached(reached, len(steps), by)


def step_ctes_from_rollup(
    f: Filters,
    steps: Sequence[str],
    stage_index: Mapping[str, int],
    window_days: float = DEFAULT_WINDOW_DAYS,
    by: str | None = None,
) -> list[sa.CTE]:
    """:func:`queries.funnel.step_ctes` from the rollup: one CTE per step, in funnel
    order, keyed by ``ckey`` (the rollup's integer customer key) instead of
    customer_id. The first has ckey, t1 [, t] [, grp]; step i >= 2 has ckey, t1,
    previous_t, t [, grp]."""
    steps = check_steps(steps, window_days)
    check_dimension(by)
    if not covers(steps, stage_index):
        raise ValueError("the funnel rollup does not cover these steps; use queries.funnel")
    window = dt.timedelta(days=window_days)
    window_seconds = sa.bindparam("window_seconds", window.total_seconds(), type_=sa.Double)
    indexes = [stage_index[s] for s in steps]

    cohort = _cohort(f, indexes, by)
    reached = [cohort]
    previous = None
    for position in range(2, len(steps) + 1):
        if previous is None:
            previous = _step_2(cohort, window_seconds, by)
        else:
            previous = _step_after(f, previous, position, indexes, window, window_seconds, by)
        reached.append(previous)
    return reached


def _cohort(f: Filters, indexes: list[int], by: str | None) -> sa.CTE:
    """ckey, t1 [, t (next S2)] [, grp]: one row per customer entering the funnel."""
    fe = funnel_events.c
    first_in_period = fe.prev_same_at.is_(None)
    if f.start is not None:
        start = sa.bindparam("entered_before", f.start, type_=sa.DateTime)
        first_in_period = sa.or_(first_in_period, fe.prev_same_at < start)
    columns = [fe.ckey, fe.occurred_at.label("t1")]
    if len(indexes) > 1:
        columns.append(next_column(indexes[1]).label("t"))
    if by is not None:
        columns.append(group_value(fe[by]).label("grp"))
    return (
        sa.select(*columns)
        .where(
            fe.idx == sa.bindparam("first_idx", indexes[0], type_=sa.SmallInteger),
            *in_period(fe.occurred_at, f),
            first_in_period,
            *customer_conditions(f, funnel_events),
        )
        .cte("cohort")
    )


def _step_2(cohort: sa.CTE, window_seconds, by: str | None) -> sa.CTE:
    columns = [cohort.c.ckey, cohort.c.t1, cohort.c.t1.label("previous_t"), cohort.c.t]
    if by is not None:
        columns.append(cohort.c.grp)
    return (
        sa.select(*columns)
        .where(cohort.c.t.is_not(None), seconds_between(cohort.c.t1, cohort.c.t) <= window_seconds)
        .cte("step_2")
    )


def _step_after(
    f: Filters,
    previous: sa.CTE,
    position: int,
    indexes: list[int],
    window: dt.timedelta,
    window_seconds,
    by: str | None,
) -> sa.CTE:
    """ckey, t1, previous_t, t [, grp] of those reaching step ``position`` (3 or more)."""
    fe = funnel_events.c
    reached_at = next_column(indexes[position - 1])
    conditions = [
        fe.idx == sa.bindparam(f"idx_{position - 1}", indexes[position - 2], type_=sa.SmallInteger),
        seconds_between(previous.c.t1, reached_at) <= window_seconds,
    ]
    # The previous step's event lies in [t1, t1 + window], t1 in the period: bounds
    # that only prune (row groups on DuckDB, the index elsewhere).
    if f.start is not None:
        conditions.append(fe.occurred_at >= sa.bindparam("later_from", f.start, sa.DateTime))
    if f.end is not None and dt.datetime.max - f.end > window:
        conditions.append(fe.occurred_at <= sa.bindparam("later_to", f.end + window, sa.DateTime))
    keys = [previous.c.ckey, previous.c.t1, previous.c.t]
    if by is not None:
        keys.append(previous.c.grp)
    # Events at the same time as the previous step share next_i: min() keeps one row.
    return (
        sa.select(
            previous.c.ckey,
            previous.c.t1,
            previous.c.t.label("previous_t"),
            sa.func.min(reached_at).label("t"),
            *([previous.c.grp] if by is not None else []),
        )
        .select_from(
            previous.join(
                funnel_events,
                sa.and_(fe.ckey == previous.c.ckey, fe.occurred_at == previous.c.t),
            )
        )
        .where(*conditions)
        .group_by(*keys)
        .cte(f"step_{position}")
    )


def reached_in_period_from_rollup(
    f: Filters, steps: Sequence[str], stage_index: Mapping[str, int], by: str | None = None
) -> sa.Select:
    """:func:`queries.funnel.reached_in_period` from the rollup: per step's ``idx`` (and
    group), the distinct customers with an event of that stage in the period.

    Columns: [``<by>``,] ``idx``, ``reached_in_period`` (the caller names the steps).
    """
    check_dimension(by)
    if not covers(steps, stage_index):
        raise ValueError("the funnel rollup does not cover these steps; use queries.funnel")
    fe = funnel_events.c
    columns = [fe.idx]
    if by is not None:
        columns.insert(0, group_value(fe[by]).label(by))
    count = sa.func.count(sa.distinct(fe.ckey)).label("reached_in_period")
    return (
        sa.select(*columns, count)
        .where(
            fe.idx.in_([stage_index[step] for step in steps]),
            *in_period(fe.occurred_at, f),
            *customer_conditions(f, funnel_events),
        )
        .group_by(*columns)
    )
