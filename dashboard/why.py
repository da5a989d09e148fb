"""The "why" views: the funnel joined with satisfaction, and the key drivers of NPS.

Like ``dashboard.service``: statement (queries/) -> fetch (db) -> statistics
(metrics); each function takes the engine first and a :class:`Filters`, imports no
streamlit, and is what the pages, ``cxdash query`` and the exports call.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl
import sqlalchemy as sa

from dashboard import db, rollup_store, service
from dashboard.config import get_settings
from dashboard.metrics import scores
from dashboard.metrics.funnel_satisfaction import step_table
from queries import funnel_satisfaction as fs_queries
from queries import views
from queries.filters import Filters
from queries.funnel_rollup import covers

# -- funnel x satisfaction --------------------------------------------------------------


def funnel_satisfaction(
    engine: sa.Engine,
    f: Filters,
    steps: Sequence[str] | None = None,
    window_days: float | None = None,
    metric: str = "nps",
) -> pl.DataFrame:
    """Converted vs dropped customers' ``metric`` at each funnel step, per touchpoint.

    ``steps`` and ``window_days`` default as for ``service.get_funnel`` (the stages
    table's order, the configured window); unknown stages raise ValueError.

    Returns
    -------
    polars.DataFrame
        One row per (step 2..k, touchpoint), ``(all)`` first within a step; columns
        step, touchpoint, n_converted, value_converted, moe_converted, n_dropped,
        value_dropped, moe_dropped, delta, p, q, significant ("up"/"down"/None),
        position, low_n_converted, hidden_converted, low_n_dropped, hidden_dropped
        (see ``dashboard.metrics.funnel_satisfaction.step_table``).
    """
    if metric not in scores.METRICS:
        raise ValueError(f"metric must be one of {', '.join(scores.METRICS)}, not {metric!r}")
    steps, window_days = _funnel_arguments(engine, steps, window_days)
    statement = funnel_satisfaction_query(engine, f, steps, window_days)
    try:
        summary = db.fetch(statement, engine)
    except db.SchemaMissing:
        # Summary tables built by a version without rollup_customer_keys: the sources
        # answer until the next refresh (which creates it).
        summary = db.fetch(fs_queries.funnel_satisfaction(f, steps, window_days), engine)
    return step_table(summary, steps, metric, min_n=f.min_n, privacy_n=_privacy_n())


def funnel_satisfaction_query(
    engine: sa.Engine, f: Filters, steps: Sequence[str], window_days: float
) -> sa.Select:
    """The statement behind :func:`funnel_satisfaction`: from the summary tables when
    they are fresh and cover the steps (as ``service.funnel_statement``)."""
    reader = rollup_store.reader(engine)
    if reader.rollups and covers(steps, reader.stage_index):
        return fs_queries.funnel_satisfaction_from_rollup(f, steps, reader.stage_index, window_days)
    return fs_queries.funnel_satisfaction(f, steps, window_days)


def _funnel_arguments(
    engine: sa.Engine, steps: Sequence[str] | None, window_days: float | None
) -> tuple[tuple[str, ...], float]:
    """Steps and window as ``service.get_funnel`` resolves them (defaults, known stages)."""
    settings = get_settings()
    ordered = service.stage_names(engine)
    steps = tuple(steps or ordered or settings.funnel_stages)
    known = ordered or db.fetch(views.dimension_values("stage"), engine)["value"].to_list()
    unknown = [s for s in steps if known and s not in known]
    if unknown:
        raise ValueError(f"unknown stage {unknown[0]!r}; the stages are {', '.join(known)}")
    return steps, settings.conversion_window_days if window_days is None else window_days


def _privacy_n() -> int:
    return get_settings().privacy_n
