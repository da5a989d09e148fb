"""What every view shows: statement (queries/) -> fetch (db) -> statistics (metrics).

Pages, the CLI and exports call these functions, so the dashboard, ``cxdash query``
and the exported files show the same numbers. Each takes the engine first (the app
passes its cached one) and a :class:`Filters`; none imports streamlit.

Where the summary tables are up to date (``rollup_store.reader``), the statements
read them instead of the source tables: same numbers, a fraction of the time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import polars as pl
import sqlalchemy as sa

from dashboard import db, rollup_store
from dashboard.config import get_settings
from dashboard.metrics import scores
from dashboard.metrics.groups import fold_groups
from queries import views
from queries.common import check_dimension
from queries.filters import Filters
from queries.schema import DIMENSIONS


def _privacy_n() -> int:
    return get_settings().privacy_n


def _rollups(engine: sa.Engine) -> bool:
    """Whether the statements may read the summary tables now."""
    return rollup_store.reader(engine).rollups


# -- KPIs -------------------------------------------------------------------------------


def _kpi_record(engine: sa.Engine, f: Filters) -> dict:
    raw = db.fetch(views.kpis(f, rollups=_rollups(engine)), engine)
    return scores.kpi_frame(raw, min_n=f.min_n, privacy_n=_privacy_n()).row(0, named=True)


def get_kpis(engine: sa.Engine, f: Filters) -> dict:
    """KPIs of the period: customers, revenue, orders, purchasers, aov, repeat_rate,
    responses, nps, moe, csat, csat_mean, ces, n_nps, n_csat, n_ces, low_n (None where
    there is no data)."""
    record = _kpi_record(engine, f)
    keys = (*scores.KPI_KEYS, "csat_mean", "n_nps", "n_csat", "n_ces", "low_n")
    return {k: record[k] for k in keys}


def compare_kpis(engine: sa.Engine, f: Filters) -> pl.DataFrame:
    """Each KPI now and in the comparison period (``f.comparison()``: the previous period of
    equal length, or the same period last year).

    Returns columns: metric, value, previous, delta, p, significant ("up"/"down"/None).
    """
    return scores.compare_records(_kpi_record(engine, f), _kpi_record(engine, f.comparison()))


# -- segments ---------------------------------------------------------------------------

SEGMENT_COLUMNS = (
    "customers", "revenue", "orders", "purchasers", "aov", "repeat_rate", "responses",
    "n_nps", "nps", "moe", "csat", "ces", "low_n",
)  # fmt: skip


def get_segments(engine: sa.Engine, f: Filters, by: str, top: int | None = None) -> pl.DataFrame:
    """One row per value of ``by`` ('(unknown)' included), largest first; with ``top``,
    the ``top`` largest groups and the rest as one '(other)' row.

    Returns columns: <by>, customers, revenue, orders, purchasers, aov, repeat_rate,
    responses, n_nps, nps, moe, csat, ces, low_n.
    """
    check_dimension(by)
    raw = db.fetch(views.segments(f, by, rollups=_rollups(engine)), engine)
    raw = fold_groups(raw, by, top, weight="customers")
    frame = scores.kpi_frame(raw, min_n=f.min_n, privacy_n=_privacy_n())
    return frame.select(by, *SEGMENT_COLUMNS).sort(
        ["customers", "responses", by], descending=[True, True, False]
    )


# -- heatmap ------------------------------------------------------------------------------


def get_heatmap(
    engine: sa.Engine, f: Filters, metric: str, by: str, top: int | None = None
) -> pl.DataFrame:
    """Touchpoint x ``by`` cells for ``metric`` (nps, csat or ces); with ``top``, the
    ``top`` groups with most responses and the rest as one '(other)' column.

    Returns columns: touchpoint, <by>, value, n, low_n, hidden, p, q, significant
    ("above"/"below"/None), target (the touchpoint's target for nps/csat, else None).
    """
    if metric not in scores.METRICS:
        raise ValueError(f"metric must be one of {', '.join(scores.METRICS)}, not {metric!r}")
    raw = db.fetch(views.heatmap(f, by, rollups=_rollups(engine)), engine)
    raw = fold_groups(raw, by, top, weight="responses", keys=("touchpoint",),
                      per_key=("target_nps", "target_csat"))  # fmt: skip
    cells = scores.heatmap_cells(raw, metric, by, min_n=f.min_n, privacy_n=_privacy_n())
    target_col = {"nps": "target_nps", "csat": "target_csat"}.get(metric)
    target = pl.col(target_col).cast(pl.Float64) if target_col else pl.lit(None, pl.Float64)
    return (
        cells.filter(pl.col("n") > 0)
        .select(
            "touchpoint",
            by,
            "value",
            "n",
            "low_n",
            "hidden",
            "p",
            "q",
            "significant",
            target.alias("target"),
        )  # fmt: skip
        .sort(["touchpoint", by])
    )


# -- NPS trend ----------------------------------------------------------------------------


def get_nps_trend(
    engine: sa.Engine, f: Filters, grain: str, by: str | None = None, top: int | None = None
) -> pl.DataFrame:
    """NPS per period: period ('YYYY-MM-DD', the period's first day), [<by>], n,
    promoters, passives, detractors, nps, moe, low_n. With ``by`` and ``top``: the
    ``top`` groups with most NPS answers, the rest as one '(other)' line."""
    raw = db.fetch(views.nps_trend(f, grain, by, rollups=_rollups(engine)), engine)
    if by is not None:
        raw = fold_groups(raw, by, top, weight="n_nps", keys=("period",))
    return scores.trend_points(raw, min_n=f.min_n, privacy_n=_privacy_n())


# -- funnel -------------------------------------------------------------------------------


def get_funnel(
    engine: sa.Engine,
    f: Filters,
    steps: Sequence[str] | None = None,
    window_days: float | None = None,
    by: str | None = None,
    top: int | None = None,
) -> pl.DataFrame:
    """The ordered funnel with its conversion window; with ``by`` and ``top``, the
    ``top`` groups with most entrants and the rest as one '(other)' group (whose median
    times are unknown).

    Returns columns: [<by>], step, position, customers, conversion_from_previous,
    conversion_overall, dropoff, median_seconds_from_previous.
    """
    from dashboard.metrics.funnel import funnel_table

    settings = get_settings()
    ordered = stage_names(engine)
    steps = tuple(steps or ordered or settings.funnel_stages)
    # Without a stages table, the stages the events use are the ones that exist.
    known = ordered or db.fetch(views.dimension_values("stage"), engine)["value"].to_list()
    window_days = settings.conversion_window_days if window_days is None else window_days
    unknown = [s for s in steps if known and s not in known]
    if unknown:
        raise ValueError(f"unknown stage {unknown[0]!r}; the stages are {', '.join(known)}")
    wide = db.fetch(funnel_statement(engine, f, steps, window_days, by), engine)
    if by is not None:
        medians = [c for c in wide.columns if c.startswith("median_seconds_")]
        wide = fold_groups(wide, by, top, weight="reached_1", not_additive=medians)
    return funnel_table(wide, steps, by)


def get_reached_in_period(
    engine: sa.Engine, f: Filters, steps: Sequence[str] | None = None, by: str | None = None
) -> pl.DataFrame:
    """Beside the funnel, the KPI-style count: per step, the distinct customers with an
    event of that stage in the period, entrants or not (``queries.funnel.reached_in_period``).

    Returns columns: [<by>], step, reached_in_period -- every step (0 where nobody), in
    funnel order (and by group).
    """
    from queries.funnel import reached_in_period
    from queries.funnel_rollup import covers, reached_in_period_from_rollup

    steps = tuple(steps or stage_names(engine) or get_settings().funnel_stages)
    reader = rollup_store.reader(engine)
    if reader.rollups and covers(steps, reader.stage_index):  # the summary table: faster
        statement = reached_in_period_from_rollup(f, steps, reader.stage_index, by)
        counts = db.fetch(statement, engine)
        names = {reader.stage_index[s]: s for s in steps}
        counts = counts.with_columns(
            pl.col("idx").replace_strict(names, return_dtype=pl.String).alias("step")
        ).drop("idx")
    else:
        counts = db.fetch(reached_in_period(f, steps, by), engine)
    order = pl.DataFrame({"step": list(steps), "position": list(range(1, len(steps) + 1))})
    if by is None:
        frame = order.join(counts, on="step", how="left")
        frame = frame.with_columns(pl.col("reached_in_period").fill_null(0).cast(pl.Int64))
        return frame.sort("position").select("step", "reached_in_period")
    groups = counts.select(pl.col(by).cast(pl.String)).unique()
    grid = groups.join(order, how="cross")
    counts = counts.with_columns(pl.col(by).cast(pl.String))
    frame = grid.join(counts, on=[by, "step"], how="left")
    frame = frame.with_columns(pl.col("reached_in_period").fill_null(0).cast(pl.Int64))
    return frame.sort(by, "position").select(by, "step", "reached_in_period")


def funnel_statement(
    engine: sa.Engine, f: Filters, steps: Sequence[str], window_days: float, by: str | None
) -> sa.Select:
    """The funnel's statement: from the rollup when it is fresh and covers the steps."""
    from queries.funnel import funnel
    from queries.funnel_rollup import covers, funnel_from_rollup

    reader = rollup_store.reader(engine)
    if reader.rollups and covers(steps, reader.stage_index):
        return funnel_from_rollup(f, steps, reader.stage_index, window_days, by)
    return funnel(f, steps, window_days, by)


# -- comments -------------------------------------------------------------------------------


def get_comments(
    engine: sa.Engine,
    f: Filters,
    band: str | None = None,
    search: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> pl.DataFrame:
    """A page of comments, newest first: response_id, responded_at, touchpoint, nps,
    csat, ces, comment, language, segment, customer_id (known customers only)."""
    return db.fetch(views.comments(f, band, search or None, limit, offset), engine)


def count_comments(
    engine: sa.Engine, f: Filters, band: str | None = None, search: str | None = None
) -> int:
    return int(db.fetch(views.comment_count(f, band, search or None), engine).item())


# -- what moved --------------------------------------------------------------------------------


def what_moved(engine: sa.Engine, f: Filters, metric: str, by_kind: str) -> pl.DataFrame:
    """Groups (touchpoints or values of a dimension) whose ``metric`` changed most
    against the comparison period (``f.comparison()``).

    Returns columns: group, kind, value, previous, delta, p, significant
    ("up"/"down"/None; p < 0.05, uncorrected) -- significant first, then by |delta|.
    """
    if metric not in scores.METRICS:
        raise ValueError(f"metric must be one of {', '.join(scores.METRICS)}, not {metric!r}")
    from queries.aggregates import feedback_stats

    rollups = _rollups(engine)
    now = db.fetch(feedback_stats(f, (by_kind,), rollups=rollups), engine)
    before = db.fetch(feedback_stats(f.comparison(), (by_kind,), rollups=rollups), engine)
    prev_by_group = {row[by_kind]: row for row in scores.numeric(before).iter_rows(named=True)}
    privacy_n = _privacy_n()
    scored_now = scores.with_scores(now, min_n=f.min_n, privacy_n=privacy_n)
    scored_before = scores.with_scores(before, min_n=f.min_n, privacy_n=privacy_n)
    before_values = dict(zip(scored_before[by_kind], scored_before[metric], strict=True))
    rows = []
    for row in scored_now.iter_rows(named=True):
        group = row[by_kind]
        value, previous = row[metric], before_values.get(group)
        if value is None or previous is None:
            continue
        p = scores.compare_p_value(metric, row, prev_by_group[group])
        delta = value - previous
        significant = (
            ("up" if delta > 0 else "down") if p is not None and p < scores.ALPHA else None
        )
        rows.append({"group": group, "kind": by_kind, "value": value, "previous": previous,
                     "delta": delta, "p": p, "significant": significant})  # fmt: skip
    schema = {"group": pl.Utf8, "kind": pl.Utf8, "value": pl.Float64, "previous": pl.Float64,
              "delta": pl.Float64, "p": pl.Float64, "significant": pl.Utf8}  # fmt: skip
    moved = pl.DataFrame(rows, schema=schema)
    return moved.sort(
        [pl.col("significant").is_null(), pl.col("delta").abs()], descending=[False, True]
    )


# -- lookups --------------------------------------------------------------------------------


def options(engine: sa.Engine) -> dict[str, list[str]]:
    """Values for the filter widgets: each dimension, touchpoint, survey_channel, stage."""
    out = {
        name: db.fetch(views.dimension_values(name), engine)["value"].to_list()
        for name in (*DIMENSIONS, "touchpoint", "survey_channel")
    }
    out["stage"] = stage_names(engine)
    return out


def stage_names(engine: sa.Engine) -> list[str]:
    """Stages in funnel order, from the stages table."""
    return db.fetch(views.stage_order(), engine)["stage"].to_list()


def touchpoint_targets(engine: sa.Engine) -> pl.DataFrame:
    """Columns touchpoint, journey_phase, target_nps, target_csat."""
    return db.fetch(views.touchpoint_targets(), engine)


def data_range(engine: sa.Engine) -> tuple[dt.date | None, dt.date | None]:
    """First and last day with any event or response."""
    row = db.fetch(views.data_range(), engine).row(0, named=True)
    firsts = [_as_datetime(row[k]) for k in ("events_first", "feedback_first") if row[k]]
    lasts = [_as_datetime(row[k]) for k in ("events_last", "feedback_last") if row[k]]
    if not firsts:
        return None, None
    return min(firsts).date(), max(lasts).date()


def _as_datetime(value) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time())
    return dt.datetime.fromisoformat(str(value))  # SQLite returns text


def table_counts(engine: sa.Engine) -> dict[str, int]:
    """Rows per table (raises SchemaMissing when the store has no tables)."""
    return {k: int(v) for k, v in db.fetch(views.table_counts(), engine).row(0, named=True).items()}


def has_data(engine: sa.Engine) -> bool:
    """Whether there is anything to show (events or feedback)."""
    counts = table_counts(engine)
    return counts["events"] > 0 or counts["feedback"] > 0
