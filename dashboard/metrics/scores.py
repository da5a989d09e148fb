"""NPS, CSAT, CES and commerce KPIs from aggregated counts; significance tests.

Inputs are the frames of ``queries.aggregates`` (counts and sums per group), so
every statistic here is exact arithmetic on sufficient statistics -- DESIGN.md's
"Metric definitions", one function each:

- NPS = %promoters - %detractors over NPS-scored responses; null when none.
- MoE(95%) = 1.96 * sqrt((pP + pD - (pP - pD)^2) / n) * 100.
- CSAT = % of CSAT responses scoring 4-5; csat_mean beside it. CES = mean.
- Below ``privacy_n`` (5) scored responses a score is null; below ``min_n`` the
  row is flagged ``low_n``.
- Cell-vs-rest tests: unpooled z for NPS and CSAT, Welch t for CES; BH for q.
"""

from __future__ import annotations

import math

import polars as pl

from queries.definitions import DEFAULT_PRIVACY_N

Z95 = 1.96
PRIVACY_N = DEFAULT_PRIVACY_N
ALPHA = 0.05
METRICS = ("nps", "csat", "ces")

# Scored count column of each metric in the summaries.
SCORED_N = {"nps": "n_nps", "csat": "n_csat", "ces": "n_ces"}


# -- score expressions (vectorised over a summary frame) ------------------------


def _share(count: str, n: str) -> pl.Expr:
    return pl.when(pl.col(n) > 0).then(pl.col(count) / pl.col(n)).otherwise(None)


def nps_expr() -> pl.Expr:
    return ((_share("promoters", "n_nps") - _share("detractors", "n_nps")) * 100).alias("nps")


def nps_variance_expr() -> pl.Expr:
    """Per-response variance of the promoter(+1)/detractor(-1) score: pP + pD - (pP - pD)^2."""
    p_p, p_d = _share("promoters", "n_nps"), _share("detractors", "n_nps")
    return p_p + p_d - (p_p - p_d) ** 2


def moe_expr() -> pl.Expr:
    variance = nps_variance_expr().clip(lower_bound=0)  # float noise must not go negative
    return (Z95 * (variance / pl.col("n_nps")).sqrt() * 100).alias("moe")


def csat_expr() -> pl.Expr:
    return (_share("csat_top2", "n_csat") * 100).alias("csat")


def csat_mean_expr() -> pl.Expr:
    return _share("csat_sum", "n_csat").alias("csat_mean")


def ces_expr() -> pl.Expr:
    return _share("ces_sum", "n_ces").alias("ces")


def _hidden_below(n_col: str, privacy_n: int, value: pl.Expr) -> pl.Expr:
    """The value, or null when its own scored count is under the privacy threshold."""
    return pl.when(pl.col(n_col) >= privacy_n).then(value).otherwise(None)


def with_scores(summary: pl.DataFrame, *, min_n: int, privacy_n: int = PRIVACY_N) -> pl.DataFrame:
    """Add nps, moe, csat, csat_mean, ces, passives and low_n to a feedback summary.

    Each score is null where its own scored count is below ``privacy_n``; ``low_n``
    is true where fewer than ``min_n`` responses carry an NPS score.
    """
    summary = numeric(summary)
    return summary.with_columns(
        (pl.col("n_nps") - pl.col("promoters") - pl.col("detractors")).alias("passives"),
        _hidden_below("n_nps", privacy_n, nps_expr()).alias("nps"),
        _hidden_below("n_nps", privacy_n, moe_expr()).alias("moe"),
        _hidden_below("n_csat", privacy_n, csat_expr()).alias("csat"),
        _hidden_below("n_csat", privacy_n, csat_mean_expr()).alias("csat_mean"),
        _hidden_below("n_ces", privacy_n, ces_expr()).alias("ces"),
        (pl.col("n_nps") < min_n).alias("low_n"),
    )


_COUNT_COLUMNS = (
    "responses", "n_nps", "promoters", "detractors", "n_csat", "csat_top2", "n_ces",
    "customers", "orders", "purchasers", "repeaters",
)  # fmt: skip
_SUM_COLUMNS = ("csat_sum", "ces_sum", "ces_sumsq", "revenue")


def numeric(frame: pl.DataFrame) -> pl.DataFrame:
    """Counts as Int64 and sums as Float64 whatever the backend returned (incl. NULLs
    from the empty side of an outer join, which become 0: nothing was counted)."""
    casts = [
        pl.col(c).cast(pl.Int64).fill_null(0) for c in _COUNT_COLUMNS if c in frame.columns
    ] + [pl.col(c).cast(pl.Float64).fill_null(0.0) for c in _SUM_COLUMNS if c in frame.columns]
    return frame.with_columns(casts) if casts else frame


def with_commerce(summary: pl.DataFrame) -> pl.DataFrame:
    """Add aov and repeat_rate to an event summary (null where undefined)."""
    summary = numeric(summary)
    return summary.with_columns(
        pl.when(pl.col("orders") > 0)
        .then(pl.col("revenue") / pl.col("orders"))
        .otherwise(None)
        .alias("aov"),
        (_share("repeaters", "purchasers") * 100).alias("repeat_rate"),
    )


# -- KPI record -------------------------------------------------------------------

KPI_KEYS = (
    "customers", "revenue", "orders", "purchasers", "aov", "repeat_rate",
    "responses", "nps", "moe", "csat", "ces",
)  # fmt: skip


def kpi_frame(raw: pl.DataFrame, *, min_n: int, privacy_n: int = PRIVACY_N) -> pl.DataFrame:
    """The KPI columns from a ``queries.views.kpis`` or ``segments`` result."""
    return with_scores(with_commerce(raw), min_n=min_n, privacy_n=privacy_n)


# -- significance -------------------------------------------------------------------


def _z_p_value(diff: float, se: float) -> float | None:
    if se is None or math.isnan(se):
        return None
    if se == 0:
        return 1.0 if diff == 0 else 0.0
    return math.erfc(abs(diff / se) / math.sqrt(2))  # two-sided normal tail


def _welch_p_value(m1, v1, n1, m2, v2, n2) -> float | None:
    if n1 < 2 or n2 < 2:
        return None
    se2 = v1 / n1 + v2 / n2
    if se2 == 0:
        return 1.0 if m1 == m2 else 0.0
    from scipy import stats  # imported on first use: it costs a second at start-up

    t = (m1 - m2) / math.sqrt(se2)
    df = se2**2 / ((v1 / n1) ** 2 / (n1 - 1) + (v2 / n2) ** 2 / (n2 - 1))
    return float(2 * stats.t.sf(abs(t), df))


def _side(row: dict, metric: str) -> tuple[float, float, int] | None:
    """(estimate as a proportion/mean, per-response variance, n) of one side, or None."""
    n = row.get(SCORED_N[metric]) or 0
    if not n:
        return None
    if metric == "nps":
        p_p, p_d = row["promoters"] / n, row["detractors"] / n
        return p_p - p_d, max(p_p + p_d - (p_p - p_d) ** 2, 0.0), n
    if metric == "csat":
        p = row["csat_top2"] / n
        return p, p * (1 - p), n
    mean = row["ces_sum"] / n
    sample_var = (row["ces_sumsq"] - n * mean * mean) / (n - 1) if n > 1 else 0.0
    return mean, max(sample_var, 0.0), n


def compare_p_value(metric: str, a: dict, b: dict) -> float | None:
    """Two-sided p-value for a difference in ``metric`` between two summary rows."""
    side_a, side_b = _side(a, metric), _side(b, metric)
    if side_a is None or side_b is None:
        return None
    (m1, v1, n1), (m2, v2, n2) = side_a, side_b
    if metric == "ces":
        return _welch_p_value(m1, v1, n1, m2, v2, n2)
    return _z_p_value(m1 - m2, math.sqrt(v1 / n1 + v2 / n2))


SUMMARY_STATS = (
    "responses", "n_nps", "promoters", "detractors", "n_csat", "csat_top2",
    "csat_sum", "n_ces", "ces_sum", "ces_sumsq",
)  # fmt: skip


def benjamini_hochberg(p_values: pl.Series) -> pl.Series:
    """BH-adjusted q-values (nulls stay null; m = number of non-null p-values)."""
    values = p_values.to_list()
    indexed = sorted((p, i) for i, p in enumerate(values) if p is not None)
    m = len(indexed)
    q: list[float | None] = [None] * len(values)
    running = 1.0
    for rank in range(m, 0, -1):
        p, i = indexed[rank - 1]
        running = min(running, p * m / rank)
        q[i] = running
    return pl.Series("q", q, dtype=pl.Float64)


def heatmap_cells(
    summary: pl.DataFrame, metric: str, by: str, *, min_n: int, privacy_n: int = PRIVACY_N
) -> pl.DataFrame:
    """Score, flags and significance of every touchpoint x group cell.

    Each visible cell is tested against the rest of its touchpoint row (row totals
    minus the cell); p-values over all cells are BH-corrected.

    Returns columns: touchpoint, <by>, value, n, low_n, hidden, p, q, significant
    ("above" / "below" / null), plus the summary's counts.
    """
    if metric not in METRICS:
        raise ValueError(f"metric must be one of {', '.join(METRICS)}, not {metric!r}")
    summary = numeric(summary)
    n_col = SCORED_N[metric]
    # One pass in Python over the (small) cell list: row totals, then each cell
    # against the rest of its row. Cheaper than a group-by, a join and two passes.
    cells = summary.select("touchpoint", *SUMMARY_STATS).rows(named=True)
    row_totals: dict = {}
    for cell in cells:
        totals = row_totals.setdefault(cell["touchpoint"], dict.fromkeys(SUMMARY_STATS, 0))
        for k in SUMMARY_STATS:
            totals[k] += cell[k]
    p_values, directions = [], []
    for cell in cells:
        totals = row_totals[cell["touchpoint"]]
        rest = {k: totals[k] - cell[k] for k in SUMMARY_STATS}
        tested = cell[n_col] >= privacy_n  # hidden cells are neither shown nor tested
        p_values.append(compare_p_value(metric, cell, rest) if tested else None)
        directions.append(_direction(cell, rest, metric))
    q_values = benjamini_hochberg(pl.Series("p", p_values, dtype=pl.Float64))
    significant = [
        direction if q is not None and q <= ALPHA else None
        for direction, q in zip(directions, q_values.to_list(), strict=True)
    ]
    scored = with_scores(summary, min_n=min_n, privacy_n=privacy_n)
    out = scored.with_columns(
        pl.col(metric).alias("value"),
        pl.col(n_col).alias("n"),
        (pl.col(n_col) < min_n).alias("low_n"),
        (pl.col(n_col) < privacy_n).alias("hidden"),
        pl.Series("p", p_values, dtype=pl.Float64),
        q_values,
        pl.Series("significant", significant, dtype=pl.Utf8),
    )
    first = ["touchpoint", by, "value", "n", "low_n", "hidden", "p", "q", "significant"]
    return out.select(*first, *(c for c in out.columns if c not in first))


def _direction(cell: dict, rest: dict, metric: str) -> str | None:
    this, other = _side(cell, metric), _side(rest, metric)
    if this is None or other is None or this[0] == other[0]:
        return None
    return "above" if this[0] > other[0] else "below"


# -- NPS trend ------------------------------------------------------------------------


def trend_points(summary: pl.DataFrame, *, min_n: int, privacy_n: int = PRIVACY_N) -> pl.DataFrame:
    """NPS per period (and group) with its margin of error.

    Returns columns: period ('YYYY-MM-DD'), [group], n, promoters, passives,
    detractors, nps, moe, low_n. Points with no NPS-scored response are dropped
    (a trend has no point where nobody answered the question).
    """
    groups = [c for c in summary.columns if c not in SUMMARY_STATS and c != "period"]
    # Only the columns a trend shows, in one lazy query (a trend is redrawn often).
    counts = [pl.col(c).cast(pl.Int64).fill_null(0) for c in ("n_nps", "promoters", "detractors")]
    return (
        summary.lazy()
        .with_columns(counts)
        .filter(pl.col("n_nps") > 0)
        .select(
            pl.col("period").cast(pl.Utf8).str.slice(0, 10).alias("period"),
            *groups,
            pl.col("n_nps").alias("n"),
            "promoters",
            (pl.col("n_nps") - pl.col("promoters") - pl.col("detractors")).alias("passives"),
            "detractors",
            _hidden_below("n_nps", privacy_n, nps_expr()).alias("nps"),
            _hidden_below("n_nps", privacy_n, moe_expr()).alias("moe"),
            (pl.col("n_nps") < min_n).alias("low_n"),
        )
        .sort(["period", *groups])
        .collect()
    )


# -- period over period ----------------------------------------------------------------


def compare_records(current: dict, previous: dict) -> pl.DataFrame:
    """KPI deltas between two periods with significance for the scores.

    ``current`` and ``previous`` are one-row KPI records (kpi_frame rows as dicts,
    including their count columns). Returns columns: metric, value, previous,
    delta, p, significant ("up" / "down" / null; scores only, p < 0.05, no correction).
    """
    rows = []
    for key in KPI_KEYS:
        value, before = current.get(key), previous.get(key)
        delta = value - before if value is not None and before is not None else None
        p = compare_p_value(key, current, previous) if key in METRICS else None
        if p is not None and (value is None or before is None):
            p = None  # a hidden score is not compared either
        significant = None
        if p is not None and p < ALPHA and delta:
            significant = "up" if delta > 0 else "down"
        rows.append(
            {"metric": key, "value": value, "previous": before, "delta": delta, "p": p,
             "significant": significant}
        )  # fmt: skip
    schema = {
        "metric": pl.Utf8, "value": pl.Float64, "previous": pl.Float64, "delta": pl.Float64,
        "p": pl.Float64, "significant": pl.Utf8,
    }  # fmt: skip
    return pl.DataFrame(rows, schema=schema)
