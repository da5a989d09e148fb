"""The ordered funnel with a conversion window, as one portable statement.

DESIGN.md ("Funnel"): the period selects the entering cohort -- a customer enters
at their first S1 event inside the period (``t1``). They reach Si at their
earliest Si event at or after the time they reached S(i-1) and no later than
``t1 + window`` (inclusive), which may fall after the period's end.

Shape (a fixed number of passes over ``events``, whatever the data)::

    entrants  customer, min(S1 time) in the period          -- pass 1
    cohort    entrants [left join customers: filters, group]
    later     S2..Sk events of the cohort within [t1, t1 + window]  -- pass 2
    step_2    customer, previous_t = t1, t = min(S2 time) >= t1        -- over `later`
    step_i    customer, previous_t, t = min(Si time) >= step_(i-1).t   -- over `later`
    reached   cohort UNION ALL step_2 ... step_k as ([grp,] position, seconds)
    result    conditional aggregation over `reached`: count and median per position

Counting from a union rather than joining every step back to the cohort saves
k-1 joins on the (string) customer id: about 40% of the time on 10M events.

The window is compared as ``seconds_between(t1, t) <= window_seconds``: exact on
DuckDB, PostgreSQL and SQLite (where timestamps are text) alike, with no
interval arithmetic in SQL.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa

from queries.common import (
    check_dimension,
    customer_conditions,
    group_value,
    in_period,
    needs_customers,
)
from queries.definitions import DEFAULT_WINDOW_DAYS
from queries.dialect import median, seconds_between
from queries.filters import Filters
from queries.schema import customers, events


def check_steps(steps: Sequence[str], window_days: float) -> tuple[str, ...]:
    """Validated steps as a tuple; ValueError with a message a person can act on."""
    if isinstance(steps, str):
        raise ValueError("steps must be a sequence of stage names, not one string")
    steps = tuple(steps)
    if not steps:
        raise ValueError("a funnel needs at least one step")
    for step in steps:
        if not isinstance(step, str) or not step.strip():
            raise ValueError(f"each funnel step must be a stage name, got {step!r}")
    duplicates = sorted({s for s in steps if steps.count(s) > 1})
    if duplicates:
        raise ValueError(f"funnel steps must not repeat; repeated: {', '.join(duplicates)}")
    if not window_days > 0:  # also rejects NaN
        raise ValueError(f"the conversion window must be positive, got {window_days!r} days")
    try:
        dt.timedelta(days=window_days)
    except OverflowError:
        raise ValueError(f"the conversion window of {window_days!r} days is too long") from None
    return steps


def funnel(
    f: Filters,
    steps: Sequence[str],
    window_days: float = DEFAULT_WINDOW_DAYS,
    by: str | None = None,
) -> sa.Select:
    """Customers reaching each step, and the median time from the previous step.

    Parameters
    ----------
    f
        Period (selects who enters) and customer dimension filters.
    steps
        Stage names S1..Sk in funnel order, no repeats (that they exist in
        ``stages`` is the caller's check).
    window_days
        Conversion window counted from entry, inclusive; may be fractional.
    by
        Optional customer dimension to break the funnel down by.

    Returns
    -------
    sqlalchemy.Select
        One row per group (a single row without ``by``, counts 0 when nobody
        entered) with columns:

        - ``<by>`` (only with ``by``): the dimension value, ``(unknown)`` for
          empty values and customers missing from ``customers``;
        - ``reached_1`` .. ``reached_k``: customers reaching step i;
        - ``median_seconds_2`` .. ``median_seconds_k``: median over those who
          reached step i of the seconds from their step i-1 to their step i
          time; NULL when nobody reached it.
    """
    steps = check_steps(steps, window_days)
    check_dimension(by)
    cohort, *later_steps = step_ctes(f, steps, window_days, by)
    # One row per (customer, step reached): [group,] the step's position and the
    # seconds from the previous step (NULL for step 1).
    reached = [reached_row(cohort, 1, sa.cast(sa.null(), sa.Double), by)]
    for position, step in enumerate(later_steps, start=2):
        gap = seconds_between(step.c.previous_t, step.c.t)
        reached.append(reached_row(step, position, gap, by))
    return count_reached(reached, len(steps), by).execution_options(**NO_NESTED_LOOPS)


# PostgreSQL cannot estimate the rows of `later` filtered by stage (it guesses 23 for
# thousands) and joins the steps by nested loops: 6.9 s instead of 0.16 s on the medium
# demo. dashboard.db.fetch applies these settings to the statement that carries them only.
NO_NESTED_LOOPS = {"postgresql_settings": (("enable_nestloop", "off"),)}


def step_ctes(
    f: Filters,
    steps: Sequence[str],
    window_days: float = DEFAULT_WINDOW_DAYS,
    by: str | None = None,
) -> list[sa.CTE]:
    """The customers reaching each step: one CTE per step, in funnel order.

    The first (``cohort``) has columns customer_id, t1 [, grp]; step i >= 2 has
    customer_id, [grp,] previous_t (the time step i-1 was reached) and t (step i's
    time). Each holds one row per customer who reached that step, so step i's rows
    are a subset of step i-1's. Shared by :func:`funnel` and
    ``queries.funnel_satisfaction``.
    """
    steps = check_steps(steps, window_days)
    check_dimension(by)
    window = dt.timedelta(days=window_days)
    cohort = _cohort(f, steps[0], by)
    reached = [cohort]
    if len(steps) > 1:
        later = _later_events(f, steps[1:], cohort, window, by)
        previous = None
        for position, step in enumerate(steps[1:], start=2):
            previous = _next_step(later, step, position, previous, by)
            reached.append(previous)
    return reached


def count_reached(reached: Sequence[sa.Select], k: int, by: str | None) -> sa.Select:
    """The funnel's result row(s) from one ``[grp,] position, seconds`` select per step."""
    rows = (
        sa.union_all(*reached).subquery("reached")
        if len(reached) > 1
        else reached[0].subquery("reached")
    )

    def at(position: int) -> sa.ColumnElement[bool]:
        return rows.c.position == sa.literal_column(str(position))

    counts = [sa.func.count(sa.case((at(i), 1))).label(f"reached_{i}") for i in range(1, k + 1)]
    medians = [
        median(sa.case((at(i), rows.c.seconds))).label(f"median_seconds_{i}")
        for i in range(2, k + 1)
    ]
    if by is None:
        return sa.select(*counts, *medians).select_from(rows)
    group = rows.c.grp
    return sa.select(group.label(by), *counts, *medians).group_by(group).order_by(group)


def reached_row(source, position: int, seconds, by: str | None) -> sa.Select:
    """[grp], position, seconds: one row per customer of ``source`` (a step reached)."""
    columns = [source.c.grp] if by is not None else []
    columns += [
        sa.literal_column(str(position), sa.Integer).label("position"),
        seconds.label("seconds"),
    ]
    return sa.select(*columns).select_from(source)


def _cohort(f: Filters, first_step: str, by: str | None) -> sa.CTE:
    """customer_id, t1 (first S1 time in the period) [, grp] of customers who enter."""
    entrants = (
        sa.select(events.c.customer_id, sa.func.min(events.c.occurred_at).label("t1"))
        .where(
            events.c.stage == sa.bindparam("first_step", first_step),
            *in_period(events.c.occurred_at, f),
        )
        .group_by(events.c.customer_id)
    )
    if not needs_customers(f, by):
        return entrants.cte("cohort")
    # Aggregate first, join customers after: the join then sees one row per entrant.
    # A left join keeps orphan customers (NULL dimensions): they form '(unknown)' in
    # a breakdown and fail every dimension filter, as DESIGN.md says.
    entrants = entrants.cte("entrants")
    columns = [entrants.c.customer_id, entrants.c.t1]
    if by is not None:
        columns.append(group_value(customers.c[by]).label("grp"))
    return (
        sa.select(*columns)
        .select_from(
            entrants.outerjoin(customers, customers.c.customer_id == entrants.c.customer_id)
        )
        .where(*customer_conditions(f))
        .cte("cohort")
    )


def _later_events(
    f: Filters,
    later_steps: tuple[str, ...],
    cohort: sa.CTE,
    window: dt.timedelta,
    by: str | None,
) -> sa.CTE:
    """Events of steps 2..k by cohort members within [t1, t1 + window], in one pass.

    Columns: customer_id, stage, occurred_at, t1 [, grp] (the member's entry and group
    ride along so that step 2 needs no join back to the cohort).
    """
    window_seconds = sa.bindparam("window_seconds", window.total_seconds(), type_=sa.Float)
    conditions = [
        events.c.stage.in_(sa.bindparam("later_steps", list(later_steps), expanding=True)),
        events.c.occurred_at >= cohort.c.t1,
        seconds_between(cohort.c.t1, events.c.occurred_at) <= window_seconds,
    ]
    # Coarse, index- and zone-map-friendly bounds implied by the exact ones above
    # (t1 lies in the period, so t lies in [start, end + window]); they only prune.
    if f.start is not None:
        conditions.append(
            events.c.occurred_at >= sa.bindparam("later_from", f.start, type_=sa.DateTime)
        )
    if f.end is not None and dt.datetime.max - f.end > window:  # a huge window: no bound
        conditions.append(
            events.c.occurred_at <= sa.bindparam("later_to", f.end + window, type_=sa.DateTime)
        )
    columns = [events.c.customer_id, events.c.stage, events.c.occurred_at, cohort.c.t1]
    if by is not None:
        columns.append(cohort.c.grp)
    return (
        sa.select(*columns)
        .select_from(events.join(cohort, cohort.c.customer_id == events.c.customer_id))
        .where(*conditions)
        .cte("later")
    )


def _next_step(
    later: sa.CTE, step: str, position: int, previous: sa.CTE | None, by: str | None
) -> sa.CTE:
    """customer_id, [grp,] previous_t, t: the earliest ``step`` event at or after the
    previous step's time (``previous_t``), per customer who reached the previous step.
    """
    if previous is None:
        # Step 2: `later` holds only the cohort's events at or after t1 already.
        previous_time = later.c.t1
        source = later
        conditions = []
    else:
        previous_time = previous.c.t
        source = later.join(previous, previous.c.customer_id == later.c.customer_id)
        conditions = [later.c.occurred_at >= previous_time]
    # The previous time (and group) is one value per customer: grouping by it too
    # only carries it along.
    keys = [later.c.customer_id, previous_time]
    if by is not None:
        keys.append(later.c.grp)
    return (
        sa.select(
            later.c.customer_id,
            *([later.c.grp] if by is not None else []),
            previous_time.label("previous_t"),
            sa.func.min(later.c.occurred_at).label("t"),
        )
        .select_from(source)
        .where(later.c.stage == sa.bindparam(f"step_{position}", step), *conditions)
        .group_by(*keys)
        .cte(f"step_{position}")
    )


def reached_in_period(f: Filters, steps: Sequence[str], by: str | None = None) -> sa.Select:
    """The KPI-style count beside the funnel: per step, the distinct customers with an
    event of that stage inside the period -- whenever (and whether) they entered the
    funnel. The Purchasers tile counts this way (over transactions); the funnel itself
    counts only the period's entrants who reached the step within the window.

    Columns: [``<by>``,] ``step``, ``reached_in_period``. Dimension filters as everywhere:
    an event of a customer without a row in customers counts only when none is set.
    """
    check_dimension(by)
    steps = tuple(steps)
    if not steps:
        raise ValueError("a funnel needs at least one step")
    conditions = [events.c.stage.in_(steps), *in_period(events.c.occurred_at, f)]
    source = events
    columns = [events.c.stage.label("step")]
    if needs_customers(f, by):
        source = events.outerjoin(customers, customers.c.customer_id == events.c.customer_id)
        conditions += customer_conditions(f)
        if by is not None:
            columns.insert(0, group_value(customers.c[by]).label(by))
    count = sa.func.count(sa.distinct(events.c.customer_id)).label("reached_in_period")
    return sa.select(*columns, count).select_from(source).where(*conditions).group_by(*columns)
