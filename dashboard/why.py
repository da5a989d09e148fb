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
from dashboard.i18n import _, ngettext
from dashboard.i18n.formats import fmt_int, fmt_number
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


def _stage_index(engine: sa.Engine, steps: Sequence[str]) -> dict[str, int] | None:
    """The rollup's stage index when the summary tables are fresh and cover ``steps``."""
    reader = rollup_store.reader(engine)
    return reader.stage_index if reader.rollups and covers(steps, reader.stage_index) else None


def _position(steps: Sequence[str], step: str) -> int:
    if step not in steps[1:]:
        raise ValueError(f"{step!r} is not a step after the first of {', '.join(steps)}")
    return list(steps).index(step) + 1


def dropped_comments(
    engine: sa.Engine,
    f: Filters,
    steps: Sequence[str] | None,
    window_days: float | None,
    step: str,
    touchpoint: str | None = None,
    limit: int = 20,
    offset: int = 0,
) -> pl.DataFrame:
    """The comments of the customers who dropped at ``step`` (reached the step before,
    not this one), at ``touchpoint`` (None or ``(all)``: any), newest first: what a
    manager reads after seeing a gap in :func:`funnel_satisfaction`.

    Returns
    -------
    polars.DataFrame
        response_id, responded_at, touchpoint, nps, csat, ces, comment, language,
        segment (as ``service.get_comments``).
    """
    steps, window_days = _funnel_arguments(engine, steps, window_days)
    statement = fs_queries.dropped_comments(
        f, steps, _position(steps, step), window_days, touchpoint, limit, offset,
        stage_index=_stage_index(engine, steps),
    )  # fmt: skip
    return db.fetch(statement, engine)


def dropped_comment_count(
    engine: sa.Engine,
    f: Filters,
    steps: Sequence[str] | None,
    window_days: float | None,
    step: str,
    touchpoint: str | None = None,
) -> dict[str, int]:
    """{"comments": how many :func:`dropped_comments` pages through, "customers": how
    many customers wrote them}."""
    steps, window_days = _funnel_arguments(engine, steps, window_days)
    statement = fs_queries.dropped_comment_count(
        f, steps, _position(steps, step), window_days, touchpoint,
        stage_index=_stage_index(engine, steps),
    )  # fmt: skip
    row = db.fetch(statement, engine).row(0, named=True)
    return {"comments": int(row["comments"]), "customers": int(row["customers"])}


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


def drivers_verdict(engine: sa.Engine, f: Filters) -> driver_metrics.Verdict | None:
    """Why the drivers on ``f`` cannot be read as they are, or None (the point estimates
    only: the verdict does not depend on the intervals)."""
    return drivers_model(engine, f, intervals=False).verdict


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
    and how sure that is -- or why the data cannot support it. In the current language
    (``dashboard.i18n``)."""
    verdict = driver_metrics.verdict(frame)
    if verdict is not None and verdict.reason in {"no_driver", "too_few_customers"}:
        return verdict.message
    top = frame.row(0, named=True)
    sentences = [_driver_sentence(top, first=True)]
    if top["direction"] < 0:
        sentences.append(
            _(
                "Oddly, customers more satisfied with {touchpoint} give a lower NPS once the "
                "other touchpoints are accounted for: look at who answers there."
            ).format(touchpoint=top["touchpoint"])
        )
    if frame.height > 1:
        second = frame.row(1, named=True)
        if _overlap(top, second):
            sentences.append(
                _(
                    "Its lead over {touchpoint} ({importance}%) is within the uncertainty: "
                    "treat the two as equally important."
                ).format(touchpoint=second["touchpoint"], importance=_share(second["importance"]))
            )
    fix = _fix_first(frame)
    if fix is not None and fix["touchpoint"] != top["touchpoint"]:
        sentences.append(_driver_sentence(fix, first=False))
    if verdict is None:
        sentences.append(
            ngettext(
                "Together the touchpoints explain {share}% of the differences in NPS between "
                "the {customers} customer who gave both scores.",
                "Together the touchpoints explain {share}% of the differences in NPS between "
                "the {customers} customers who gave both scores.",
                top["customers"],
            ).format(share=_share(top["r2"] * 100), customers=fmt_int(top["customers"]))
        )
    else:  # weak or inconsistent: say so after the numbers
        sentences.append(verdict.message)
    return " ".join(sentences)


def _share(value: float) -> str:
    """A share of 0-100 as a whole number (the reading rounds: 41%, not 41.3%)."""
    return fmt_number(value, 0)


def _driver_sentence(row: dict, *, first: bool) -> str:
    """The top driver's sentence (``first``), or the fix-first one for another driver."""
    name, importance, gap = row["touchpoint"], _share(row["importance"]), _gap_to_target(row)
    if not first:
        return _(
            "The most important touchpoint under its CSAT target is {touchpoint} "
            "({importance}% of the explained variance, {gap} under): fix it first."
        ).format(touchpoint=name, importance=importance, gap=_points(gap))
    if gap is None:
        return _("{touchpoint} explains {importance}% of the explained variance in NPS.").format(
            touchpoint=name, importance=importance
        )
    if gap > 0 and row["direction"] > 0:
        return _(
            "{touchpoint} explains {importance}% of the explained variance in NPS and sits "
            "{gap} under its CSAT target: fix first."
        ).format(touchpoint=name, importance=importance, gap=_points(gap))
    if gap > 0:
        return _(
            "{touchpoint} explains {importance}% of the explained variance in NPS and sits "
            "{gap} under its CSAT target."
        ).format(touchpoint=name, importance=importance, gap=_points(gap))
    return _(
        "{touchpoint} explains {importance}% of the explained variance in NPS and meets its "
        "CSAT target ({csat}% against {target}%): keep it there."
    ).format(
        touchpoint=name,
        importance=importance,
        csat=_share(row["csat"]),
        target=_share(row["target_csat"]),
    )


def _points(gap: float) -> str:
    """CSAT points in words: "1 point", "8 points"."""
    points = round(gap)
    return ngettext("{n} point", "{n} points", points).format(n=fmt_int(points))


_gap_to_target = driver_metrics.gap_to_target
_fix_first = driver_metrics.fix_first


def _overlap(a: dict, b: dict) -> bool:
    if a["ci_low"] is None or b["ci_high"] is None:
        return False
    return a["ci_low"] <= b["ci_high"]


def _rollups(engine: sa.Engine) -> bool:
    return rollup_store.reader(engine).rollups
