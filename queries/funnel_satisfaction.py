"""The funnel joined with satisfaction: per step, the feedback of customers who
converted and of those who dropped, as sufficient statistics.

DESIGN.md ("Why"): with the funnel's steps, window and period, for each step i >= 2
the customers who reached S(i-1) split into **converted** (reached Si) and
**dropped** (did not). Who entered and who reached which step is exactly the funnel
of ``queries.funnel`` (its step CTEs are reused, not copied); the feedback side is
the period's responses of those customers, with the touchpoint and survey-channel
filters. Anonymous feedback has no customer and never joins; the dimension filters
already chose the cohort.

Shape::

    steps        queries.funnel.step_ctes (or the rollup's): who reached each step
    progress     customer, furthest: the last step reached (max position over the steps)
    by_furthest  the period's feedback joined on the customer: statistics per
                 (furthest, touchpoint) -- a handful of rows
    expanded     each by_furthest row once per step it belongs to (a UNION ALL of one
                 select per step): converted at 2 <= i <= furthest, dropped at
                 i = furthest + 1 (so a customer who converts at step 2 and drops at 3
                 counts on both rows)
    result       statistics per (position, side, touchpoint), plus touchpoint '(all)'
                 per (position, side)

Every statistic is a count or a sum, so grouping by ``furthest`` before expanding
keeps the join the only step that touches many rows.

The comments behind a row (:func:`dropped_comments`, :func:`dropped_comment_count`):
the period's comments of the customers who dropped at one step, at one touchpoint or
all of them -- what a manager reads after seeing the gap.

Two sources, one result: :func:`funnel_satisfaction` reads ``events`` and
``feedback``; :func:`funnel_satisfaction_from_rollup` reads the funnel from
``rollup_funnel_events`` (integer customer keys) and maps the keys back to
customer_id through ``rollup_customer_keys``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import sqlalchemy as sa

from queries.aggregates import feedback_columns
from queries.common import feedback_conditions
from queries.definitions import DEFAULT_WINDOW_DAYS
from queries.filters import Filters
from queries.funnel import NO_NESTED_LOOPS, check_steps, step_ctes
from queries.funnel_rollup import step_ctes_from_rollup
from queries.rollups import customer_keys
from queries.schema import customers, feedback

ALL_TOUCHPOINTS = "(all)"  # the touchpoint of the rows over every touchpoint together
SIDES = ("converted", "dropped")
# The statistics of queries.aggregates.feedback_columns, in its order; the sums of
# scores are floats, the rest counts.
STATISTICS = tuple(column.name for column in feedback_columns())
SUM_COLUMNS = frozenset({"csat_sum", "ces_sum", "ces_sumsq"})


def funnel_satisfaction(
    f: Filters, steps: Sequence[str], window_days: float = DEFAULT_WINDOW_DAYS
) -> sa.Select:
    """Feedback statistics of converted and dropped customers at each funnel step.

    Parameters
    ----------
    f
        The period (selects who enters the funnel, and which responses count), the
        customer dimension filters (select the cohort) and the touchpoint and
        survey-channel filters (select responses).
    steps
        Stage names S1..Sk in funnel order, at least two.
    window_days
        The funnel's conversion window, counted from entry, inclusive.

    Returns
    -------
    sqlalchemy.Select
        One row per (step, side, touchpoint) with at least one response, ordered by
        position, side, touchpoint; columns:

        - ``position``: the step's position i, 2..k;
        - ``side``: ``converted`` (reached Si) or ``dropped`` (reached S(i-1), not Si);
        - ``touchpoint``: a touchpoint, or ``(all)`` for all of them together;
        - responses, n_nps, promoters, detractors, n_csat, csat_top2, csat_sum, n_ces,
          ces_sum, ces_sumsq: as ``queries.aggregates.feedback_columns``.
    """
    steps = _checked(steps, window_days)
    progress = _progress(step_ctes(f, steps, window_days), "customer_id")
    source = progress.join(feedback, feedback.c.customer_id == progress.c.customer_key)
    return _cells(source, progress, f, len(steps)).execution_options(**NO_NESTED_LOOPS)


def funnel_satisfaction_from_rollup(
    f: Filters,
    steps: Sequence[str],
    stage_index: Mapping[str, int],
    window_days: float = DEFAULT_WINDOW_DAYS,
) -> sa.Select:
    """:func:`funnel_satisfaction` with the funnel read from the summary tables (same
    rows); ``stage_index`` as for ``queries.funnel_rollup.funnel_from_rollup``, which
    must cover the steps (``queries.funnel_rollup.covers``)."""
    steps = _checked(steps, window_days)
    progress = _progress(step_ctes_from_rollup(f, steps, stage_index, window_days), "ckey")
    source = progress.join(customer_keys, customer_keys.c.ckey == progress.c.customer_key).join(
        feedback, feedback.c.customer_id == customer_keys.c.customer_id
    )
    return _cells(source, progress, f, len(steps)).execution_options(**NO_NESTED_LOOPS)


def _checked(steps: Sequence[str], window_days: float) -> tuple[str, ...]:
    steps = check_steps(steps, window_days)
    if len(steps) < 2:
        raise ValueError("the funnel joined with satisfaction needs at least two steps")
    return steps


def _progress(steps: list[sa.CTE], key: str) -> sa.CTE:
    """customer_key, furthest: each entrant once, with the last step they reached."""
    reached = sa.union_all(
        *(
            sa.select(
                step.c[key].label("customer_key"),
                sa.literal_column(str(position), sa.Integer).label("position"),
            )
            for position, step in enumerate(steps, start=1)
        )
    ).subquery("reached")
    return (
        sa.select(reached.c.customer_key, sa.func.max(reached.c.position).label("furthest"))
        .group_by(reached.c.customer_key)
        .cte("progress")
    )


def _summed(source: sa.FromClause) -> list[sa.ColumnElement]:
    """The statistics of ``source`` summed (counts stay integers on every backend:
    PostgreSQL's sum of a bigint is numeric)."""
    return [
        sa.cast(
            sa.func.sum(source.c[name]), sa.Double if name in SUM_COLUMNS else sa.BigInteger
        ).label(name)
        for name in STATISTICS
    ]


def _cells(source: sa.FromClause, progress: sa.CTE, f: Filters, k: int) -> sa.Select:
    by_furthest = (
        sa.select(progress.c.furthest, feedback.c.touchpoint, *feedback_columns(feedback))
        .select_from(source)
        .where(*feedback_conditions(f))
        .group_by(progress.c.furthest, feedback.c.touchpoint)
        .cte("by_furthest")
    )
    bf = by_furthest.c
    # Constants, not user input: literal SQL keeps them out of GROUP BY parameter
    # matching (PostgreSQL would see two different $n in SELECT and GROUP BY).
    converted = sa.literal_column("'converted'", sa.String)
    dropped = sa.literal_column("'dropped'", sa.String)
    # One scan of the (tiny) by_furthest per step rather than a join on
    # furthest >= position - 1: an inequality join is a nested loop, which the
    # funnel's planner settings forbid on PostgreSQL (and then JIT-compiles for 1.5 s).
    expanded = sa.union_all(
        *(
            sa.select(
                sa.literal_column(str(position), sa.Integer).label("position"),
                sa.case((bf.furthest >= position, converted), else_=dropped).label("side"),
                bf.touchpoint,
                *(bf[name] for name in STATISTICS),
            ).where(bf.furthest >= position - 1)
            for position in range(2, k + 1)
        )
    ).subquery("expanded")
    keys = [expanded.c.position, expanded.c.side]
    cells = (
        sa.select(*keys, expanded.c.touchpoint, *_summed(expanded))
        .group_by(*keys, expanded.c.touchpoint)
        .cte("cells")
    )
    every_touchpoint = sa.literal_column(f"'{ALL_TOUCHPOINTS}'", sa.String).label("touchpoint")
    totals = sa.select(cells.c.position, cells.c.side, every_touchpoint, *_summed(cells)).group_by(
        cells.c.position, cells.c.side
    )
    rows = sa.union_all(sa.select(*cells.c), totals).subquery("rows")
    return sa.select(*rows.c).order_by(rows.c.position, rows.c.side, rows.c.touchpoint)


# -- the comments of the customers who dropped at a step ------------------------------------


def _dropped_at(
    f: Filters,
    steps: Sequence[str],
    position: int,
    window_days: float,
    stage_index: Mapping[str, int] | None,
) -> tuple[sa.CTE, sa.FromClause, sa.ColumnElement]:
    """(customers who reached S(i-1) but not Si, the join to their feedback, the
    condition selecting them): from the summary tables when ``stage_index`` is given."""
    steps = _checked(steps, window_days)
    if not 2 <= position <= len(steps):
        raise ValueError(f"the step position must be 2..{len(steps)}, not {position}")
    through = steps[:position]  # who got past S(i) does not matter here
    if stage_index is None:
        progress = _progress(step_ctes(f, through, window_days), "customer_id")
        source = progress.join(feedback, feedback.c.customer_id == progress.c.customer_key)
    else:
        ctes = step_ctes_from_rollup(f, through, stage_index, window_days)
        progress = _progress(ctes, "ckey")
        source = progress.join(customer_keys, customer_keys.c.ckey == progress.c.customer_key).join(
            feedback, feedback.c.customer_id == customer_keys.c.customer_id
        )
    return progress, source, progress.c.furthest == position - 1


def _comment_conditions(f: Filters, touchpoint: str | None) -> list[sa.ColumnElement[bool]]:
    fb = feedback.c
    conditions = [
        *feedback_conditions(f),
        sa.func.length(sa.func.trim(sa.func.coalesce(fb.comment, ""))) > 0,
    ]
    if touchpoint is not None and touchpoint != ALL_TOUCHPOINTS:
        conditions.append(fb.touchpoint == sa.bindparam("comment_touchpoint", touchpoint))
    return conditions


def dropped_comments(
    f: Filters,
    steps: Sequence[str],
    position: int,
    window_days: float = DEFAULT_WINDOW_DAYS,
    touchpoint: str | None = None,
    limit: int = 20,
    offset: int = 0,
    *,
    stage_index: Mapping[str, int] | None = None,
) -> sa.Select:
    """Comments of the customers who **dropped** at step ``position`` (reached S(i-1),
    not Si within the window), newest first.

    The funnel, period and filters are those of :func:`funnel_satisfaction`; the
    responses are the period's, at ``touchpoint`` (``None`` or ``(all)``: every
    touchpoint), with a non-empty comment. ``stage_index`` reads the funnel from the
    summary tables (as :func:`funnel_satisfaction_from_rollup`).

    Returns
    -------
    sqlalchemy.Select
        Columns as ``queries.views.comments``: response_id, responded_at, touchpoint,
        nps, csat, ces, comment, language, segment.
    """
    _, source, dropped = _dropped_at(f, steps, position, window_days, stage_index)
    fb = feedback.c
    return (
        sa.select(
            fb.response_id,
            fb.responded_at,
            fb.touchpoint,
            fb.nps,
            fb.csat,
            fb.ces,
            fb.comment,
            fb.language,
            customers.c.segment,
        )  # fmt: skip
        .select_from(source.outerjoin(customers, customers.c.customer_id == feedback.c.customer_id))
        .where(dropped, *_comment_conditions(f, touchpoint))
        .order_by(fb.responded_at.desc(), fb.response_id)
        .limit(sa.bindparam("limit", limit))
        .offset(sa.bindparam("offset", offset))
        .execution_options(**NO_NESTED_LOOPS)
    )


def dropped_comment_count(
    f: Filters,
    steps: Sequence[str],
    position: int,
    window_days: float = DEFAULT_WINDOW_DAYS,
    touchpoint: str | None = None,
    *,
    stage_index: Mapping[str, int] | None = None,
) -> sa.Select:
    """One row: ``comments`` (what :func:`dropped_comments` pages through) and
    ``customers`` (distinct customers who wrote them)."""
    _, source, dropped = _dropped_at(f, steps, position, window_days, stage_index)
    return (
        sa.select(
            sa.func.count().label("comments"),
            sa.func.count(sa.distinct(feedback.c.customer_id)).label("customers"),
        )
        .select_from(source)
        .where(dropped, *_comment_conditions(f, touchpoint))
        .execution_options(**NO_NESTED_LOOPS)
    )
