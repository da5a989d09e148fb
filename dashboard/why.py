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
from dashboard.metrics import drivers as driver_metrics
from dashboard.metrics import scores
from dashboard.metrics.funnel_satisfaction import step_table
from queries import drivers as driver_queries
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


# -- key drivers of NPS -------------------------------------------------------------------


def drivers_model(
    engine: sa.Engine,
    f: Filters,
    *,
    intervals: bool = True,
    seed: int = 0,
    replicates: int = driver_metrics.REPLICATES,
) -> driver_metrics.DriverModel:
    """:func:`key_drivers` with what the page says beside it: the correlations used
    (pairwise / listwise), the customers, R² and the verdict when the data cannot
    support the analysis (``dashboard.metrics.drivers.DriverModel``)."""
    per_customer = db.fetch(driver_queries.customer_scores(f), engine)
    csat = db.fetch(driver_queries.touchpoint_csat(f, rollups=_rollups(engine)), engine)
    return driver_metrics.key_drivers(
        per_customer,
        csat,
        min_n=f.min_n,
        privacy_n=_privacy_n(),
        intervals=intervals,
        seed=seed,
        replicates=replicates,
    )


def key_drivers(
    engine: sa.Engine, f: Filters, *, intervals: bool = True, seed: int = 0
) -> pl.DataFrame:
    """Which touchpoints' CSAT explains customers' NPS, by Johnson's relative weights.

    Returns
    -------
    polars.DataFrame
        One row per touchpoint kept (at least ``f.min_n`` customers with both scores),
        by importance descending; columns touchpoint, importance (% of the explained
        variance, summing to 100), direction (+1/-1), n (customers with both scores),
        csat (the touchpoint's CSAT over the period, as the heatmap), target_csat,
        ci_low, ci_high (bootstrap 95% interval of importance, seeded; null without
        ``intervals``), r2 (the same on every row), method ("pairwise"/"listwise"),
        customers (with an NPS and a kept CSAT score). Empty when nothing can be
        estimated: :func:`drivers_model` says why.
    """
    return drivers_model(engine, f, intervals=intervals, seed=seed).table


def drivers_reading(frame: pl.DataFrame) -> str:
    """One paragraph in plain words about a :func:`key_drivers` frame: what to fix first
    and how sure that is -- or why the data cannot support it."""
    verdict = driver_metrics.verdict(frame)
    if verdict is not None and verdict.reason in {"no_driver", "too_few_customers"}:
        return verdict.message
    top = frame.row(0, named=True)
    sentences = [_driver_sentence(top, first=True)]
    if top["direction"] < 0:
        sentences.append(
            f"Oddly, customers more satisfied with {top['touchpoint']} give a lower NPS once "
            "the other touchpoints are accounted for: look at who answers there."
        )
    if frame.height > 1:
        second = frame.row(1, named=True)
        if _overlap(top, second):
            sentences.append(
                f"Its lead over {second['touchpoint']} ({second['importance']:.0f}%) is within "
                "the uncertainty: treat the two as equally important."
            )
    fix = _fix_first(frame)
    if fix is not None and fix["touchpoint"] != top["touchpoint"]:
        sentences.append(_driver_sentence(fix, first=False))
    if verdict is None:
        sentences.append(
            f"Together the touchpoints explain {top['r2'] * 100:.0f}% of the differences in "
            f"NPS between the {top['customers']:,} customers who gave both scores."
        )
    else:  # weak or inconsistent: say so after the numbers
        sentences.append(verdict.message)
    return " ".join(sentences)


def _driver_sentence(row: dict, *, first: bool) -> str:
    """The top driver's sentence (``first``), or the fix-first one for another driver."""
    name, importance, gap = row["touchpoint"], row["importance"], _gap_to_target(row)
    if not first:
        return (
            f"The most important touchpoint under its CSAT target is {name} "
            f"({importance:.0f}% of the explained variance, {_points(gap)} under): fix it "
            "first."
        )
    lead = f"{name} explains {importance:.0f}% of the explained variance in NPS"
    if gap is None:
        return f"{lead}."
    if gap > 0:
        advice = ": fix first." if row["direction"] > 0 else "."
        return f"{lead} and sits {_points(gap)} under its CSAT target{advice}"
    return (
        f"{lead} and meets its CSAT target ({row['csat']:.0f}% against "
        f"{row['target_csat']:.0f}%): keep it there."
    )


def _points(gap: float) -> str:
    return "1 point" if round(gap) == 1 else f"{gap:.0f} points"


def _gap_to_target(row: dict) -> float | None:
    """Points under the CSAT target (positive = under), None without both numbers."""
    if row.get("csat") is None or row.get("target_csat") is None:
        return None
    return row["target_csat"] - row["csat"]


def _fix_first(frame: pl.DataFrame) -> dict | None:
    """The most important touchpoint under its target (high importance, low
    performance: the quadrant's fix-first corner)."""
    for row in frame.iter_rows(named=True):
        gap = _gap_to_target(row)
        if gap is not None and gap > 0 and row["direction"] > 0:
            return row
    return None


def _overlap(a: dict, b: dict) -> bool:
    if a["ci_low"] is None or b["ci_high"] is None:
        return False
    return a["ci_low"] <= b["ci_high"]


def _rollups(engine: sa.Engine) -> bool:
    return rollup_store.reader(engine).rollups
