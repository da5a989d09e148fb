"""The statements behind each view: KPIs, segments, heatmap, NPS trend, comments, lookups.

Each function takes a :class:`Filters` (+ options) and returns a ``Select``; it
never executes. Statistics on the (small) results are in ``dashboard.metrics``.
"""

from __future__ import annotations

import functools

import sqlalchemy as sa

from queries.aggregates import event_stats, feedback_stats
from queries.common import check_dimension, customer_conditions, feedback_conditions
from queries.definitions import NPS_BANDS
from queries.filters import Filters
from queries.schema import DIMENSIONS, customers, events, feedback, stages, touchpoints

# The views are pure functions of hashable arguments (Filters is frozen), and the
# dashboard redraws the same ones over and over: keeping the built statement saves
# 1-3 ms per query and keeps its SQLAlchemy cache key, which the compiled-SQL cache
# looks up. Statements are immutable, so sharing them between threads is safe.
_memoized = functools.lru_cache(maxsize=256)


@_memoized
def kpis(f: Filters, *, rollups: bool = False) -> sa.Select:
    """One row: the commerce statistics beside the feedback statistics.

    Columns: customers, revenue, orders, purchasers, repeaters, responses, n_nps,
    promoters, detractors, n_csat, csat_top2, csat_sum, n_ces, ces_sum, ces_sumsq.
    ``rollups``: read the summary tables (``queries.rollups``); same numbers.
    """
    ev = event_stats(f, rollups=rollups).subquery("ev")
    fb = feedback_stats(f, rollups=rollups).subquery("fb")
    return sa.select(*ev.c, *fb.c).select_from(ev.join(fb, sa.true()))


@_memoized
def segments(f: Filters, by: str, *, rollups: bool = False) -> sa.Select:
    """One row per value of dimension ``by`` ('(unknown)' included) with kpis' columns.

    A group with events but no feedback (or the reverse) has NULL on the other side.
    """
    check_dimension(by)
    ev = event_stats(f, by, rollups=rollups).subquery("ev")
    fb = feedback_stats(f, (by,), rollups=rollups).subquery("fb")
    group = sa.func.coalesce(ev.c[by], fb.c[by]).label(by)
    others = [c for c in (*ev.c, *fb.c) if c.name != by]
    return (
        sa.select(group, *others)
        .select_from(ev.join(fb, ev.c[by] == fb.c[by], full=True))
        .order_by(group)
    )


@_memoized
def heatmap(f: Filters, by: str, *, rollups: bool = False) -> sa.Select:
    """Touchpoint x ``by`` feedback statistics (see ``feedback_stats`` for columns),
    with the touchpoint's ``target_nps`` and ``target_csat`` (NULL where none is set):
    one round trip instead of two."""
    check_dimension(by)
    cells = feedback_stats(f, ("touchpoint", by), rollups=rollups).subquery("cells")
    targets = touchpoints.c
    return (
        sa.select(*cells.c, targets.target_nps, targets.target_csat)
        .select_from(cells.outerjoin(touchpoints, targets.touchpoint == cells.c.touchpoint))
        .order_by(cells.c.touchpoint, cells.c[by])
    )


@_memoized
def nps_trend(f: Filters, grain: str, by: str | None = None, *, rollups: bool = False) -> sa.Select:
    """Feedback statistics per period of ``grain`` (and per group of ``by``)."""
    check_dimension(by)
    return feedback_stats(f, (by,) if by else (), grain=grain, rollups=rollups)


def _comment_conditions(
    f: Filters, band: str | None, search: str | None
) -> list[sa.ColumnElement[bool]]:
    fb = feedback.c
    conditions = [*feedback_conditions(f), *customer_conditions(f)]
    conditions.append(sa.func.length(sa.func.trim(sa.func.coalesce(fb.comment, ""))) > 0)
    if band is not None:
        if band not in NPS_BANDS:
            raise ValueError(f"score band must be one of {', '.join(NPS_BANDS)}, not {band!r}")
        low, high = NPS_BANDS[band]
        conditions.append(fb.nps.between(low, high))
    if search:
        escaped = search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = sa.bindparam("search", f"%{escaped.lower()}%")
        conditions.append(sa.func.lower(fb.comment).like(pattern, escape="\\"))
    return conditions


def _comment_source() -> sa.FromClause:
    return feedback.outerjoin(customers, customers.c.customer_id == feedback.c.customer_id)


def comments(
    f: Filters,
    band: str | None = None,
    search: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> sa.Select:
    """Comments behind the numbers, newest first.

    Columns: response_id, responded_at, touchpoint, nps, csat, ces, comment,
    language, segment, customer_id (NULL unless the customer is known: the comment
    card links to the customer view).
    """
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
            customers.c.customer_id,
        )
        .select_from(_comment_source())
        .where(*_comment_conditions(f, band, search))
        .order_by(fb.responded_at.desc(), fb.response_id)
        .limit(sa.bindparam("limit", limit))
        .offset(sa.bindparam("offset", offset))
    )


def comment_count(f: Filters, band: str | None = None, search: str | None = None) -> sa.Select:
    """One row, column ``n``: how many comments :func:`comments` pages through."""
    return (
        sa.select(sa.func.count().label("n"))
        .select_from(_comment_source())
        .where(*_comment_conditions(f, band, search))
    )


# -- lookups for widgets and validation ---------------------------------------


def dimension_values(name: str) -> sa.Select:
    """Distinct non-empty values of a customer dimension, or of touchpoint /
    survey_channel / the stages events use (column ``value``)."""
    if name in DIMENSIONS:
        column = customers.c[name]
    elif name == "touchpoint":
        column = feedback.c.touchpoint
    elif name == "survey_channel":
        column = feedback.c.channel
    elif name == "stage":
        column = events.c.stage
    else:
        raise ValueError(f"no values for {name!r}")
    value = sa.func.trim(column)
    return sa.select(value.label("value")).where(value != "").distinct().order_by(value)


def stage_order() -> sa.Select:
    """Stages in funnel order (columns stage, position, label)."""
    return sa.select(stages.c.stage, stages.c.position, stages.c.label).order_by(stages.c.position)


def touchpoint_targets() -> sa.Select:
    """Columns touchpoint, journey_phase, target_nps, target_csat."""
    t = touchpoints.c
    return sa.select(t.touchpoint, t.journey_phase, t.target_nps, t.target_csat).order_by(
        t.touchpoint
    )


def data_range() -> sa.Select:
    """One row: first and last timestamps of events and of feedback.

    Columns: events_first, events_last, feedback_first, feedback_last. Four scalar
    subqueries rather than a union, so PostgreSQL can answer each from an index.
    """
    bounds = []
    for column, name in ((events.c.occurred_at, "events"), (feedback.c.responded_at, "feedback")):
        bounds.append(sa.select(sa.func.min(column)).scalar_subquery().label(f"{name}_first"))
        bounds.append(sa.select(sa.func.max(column)).scalar_subquery().label(f"{name}_last"))
    return sa.select(*bounds)


def table_counts() -> sa.Select:
    """One row with the number of rows of every table (column per table)."""
    return sa.select(
        *(
            sa.select(sa.func.count()).select_from(t).scalar_subquery().label(t.name)
            for t in (customers, events, feedback, stages, touchpoints)
        )
    )
