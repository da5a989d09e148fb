"""Converted vs dropped customers' satisfaction at each funnel step, with significance.

Takes the long result of ``queries.funnel_satisfaction`` (sufficient statistics per
step, side and touchpoint) and returns one row per (step, touchpoint) with both
sides next to each other -- DESIGN.md's "Funnel x satisfaction":

- value: NPS, CSAT (top-2-box %) or CES (mean), exactly as
  ``dashboard.metrics.scores`` computes them;
- n: the side's responses scored on that metric; below ``privacy_n`` the value and
  its margin are null (``hidden``), below ``min_n`` the side is flagged ``low_n``;
- moe, the 95% margin of error the product shows beside each value: for NPS the
  DESIGN.md formula 1.96 * sqrt((pP + pD - (pP - pD)^2) / n) * 100; for CSAT the
  normal-approximation interval of the top-2 share, 1.96 * sqrt(p (1 - p) / n) * 100
  (percentage points); for CES 1.96 * s / sqrt(n), s the sample standard deviation
  (n - 1 in the denominator; null below two responses);
- delta = converted - dropped, tested as the heatmap tests its cells (unpooled z for
  NPS and CSAT, Welch t for CES: ``scores.compare_p_value``) when both sides are
  visible; q-values by Benjamini-Hochberg over every row of the table;
  ``significant`` is "up" (converted higher) or "down" at q <= 0.05.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from dashboard.metrics import scores

# As queries.funnel_satisfaction writes them (a test checks); metrics import no SQL.
ALL_TOUCHPOINTS = "(all)"
SIDES = ("converted", "dropped")

TABLE_SCHEMA = {
    "step": pl.String,
    "touchpoint": pl.String,
    "n_converted": pl.Int64,
    "value_converted": pl.Float64,
    "moe_converted": pl.Float64,
    "n_dropped": pl.Int64,
    "value_dropped": pl.Float64,
    "moe_dropped": pl.Float64,
    "delta": pl.Float64,
    "p": pl.Float64,
    "q": pl.Float64,
    "significant": pl.String,
    "position": pl.Int64,
    "low_n_converted": pl.Boolean,
    "hidden_converted": pl.Boolean,
    "low_n_dropped": pl.Boolean,
    "hidden_dropped": pl.Boolean,
}


def _value(metric: str) -> pl.Expr:
    return {"nps": scores.nps_expr, "csat": scores.csat_expr, "ces": scores.ces_expr}[metric]()


def moe_expr(metric: str) -> pl.Expr:
    """The 95% margin of error of ``metric`` on a summary frame (see the module doc)."""
    if metric == "nps":
        return scores.moe_expr()
    if metric == "csat":
        p = pl.col("csat_top2") / pl.col("n_csat")
        variance = (p * (1 - p)).clip(lower_bound=0)
        return pl.when(pl.col("n_csat") > 0).then(
            scores.Z95 * (variance / pl.col("n_csat")).sqrt() * 100
        )
    n = pl.col("n_ces")
    sample_variance = (pl.col("ces_sumsq") - pl.col("ces_sum") ** 2 / n) / (n - 1)
    return pl.when(n > 1).then(scores.Z95 * (sample_variance.clip(lower_bound=0) / n).sqrt())


def _side(frame: pl.DataFrame, side: str) -> pl.DataFrame:
    """One side's statistics keyed by (position, touchpoint)."""
    return frame.filter(pl.col("side") == side).select(
        "position", "touchpoint", *scores.SUMMARY_STATS
    )


def step_table(
    summary: pl.DataFrame,
    steps: Sequence[str],
    metric: str,
    *,
    min_n: int,
    privacy_n: int = scores.PRIVACY_N,
) -> pl.DataFrame:
    """One row per (step i >= 2, touchpoint): converted vs dropped on ``metric``.

    Parameters
    ----------
    summary
        The result of ``queries.funnel_satisfaction`` for the same ``steps``.
    steps
        The step names S1..Sk, in order.
    metric
        ``nps``, ``csat`` or ``ces``.

    Returns
    -------
    polars.DataFrame
        Ordered by position, then ``(all)`` before the touchpoints, which follow by
        name; every step 2..k has its ``(all)`` row, even with no response. Columns:

        - ``step``: the stage name of Si; ``touchpoint``: a touchpoint or ``(all)``;
        - ``n_converted``, ``value_converted``, ``moe_converted``: scored responses,
          score and 95% margin of error of the customers who reached Si;
        - ``n_dropped``, ``value_dropped``, ``moe_dropped``: the same for those who
          reached S(i-1) but not Si;
        - ``delta``: value_converted - value_dropped (null unless both are shown);
        - ``p``, ``q``: two-sided p-value of the difference and its BH q-value over
          the table (null unless both sides have at least ``privacy_n``);
        - ``significant``: "up" / "down" where q <= 0.05, else null;
        - ``position``: i; ``low_n_converted``, ``hidden_converted``,
          ``low_n_dropped``, ``hidden_dropped``: each side's flags (n < min_n,
          n < privacy_n).
    """
    if metric not in scores.METRICS:
        raise ValueError(f"metric must be one of {', '.join(scores.METRICS)}, not {metric!r}")
    steps = list(steps)
    if len(steps) < 2:
        raise ValueError("the funnel joined with satisfaction needs at least two steps")
    summary = scores.numeric(
        summary.with_columns(
            pl.col("position").cast(pl.Int64),
            pl.col("side").cast(pl.String),
            pl.col("touchpoint").cast(pl.String),
        )
    )
    keys = pl.concat(
        [
            summary.select("position", "touchpoint"),
            pl.DataFrame(
                {
                    "position": list(range(2, len(steps) + 1)),
                    "touchpoint": [ALL_TOUCHPOINTS] * (len(steps) - 1),
                },
                schema={"position": pl.Int64, "touchpoint": pl.String},
            ),
        ]
    ).unique()
    n_col = scores.SCORED_N[metric]
    sides = []
    for side in SIDES:
        stats = scores.numeric(
            keys.join(_side(summary, side), on=["position", "touchpoint"], how="left")
        )
        visible = pl.col(n_col) >= privacy_n
        sides.append(
            stats.with_columns(
                pl.col(n_col).alias("n"),
                pl.when(visible).then(_value(metric)).alias("value"),
                pl.when(visible).then(moe_expr(metric)).alias("moe"),
                (pl.col(n_col) < min_n).alias("low_n"),
                (~visible).alias("hidden"),
            )
        )
    converted, dropped = (
        side.sort("position", pl.col("touchpoint") != ALL_TOUCHPOINTS, "touchpoint")
        for side in sides
    )
    p_values = [
        scores.compare_p_value(metric, a, b)
        if a[n_col] >= privacy_n and b[n_col] >= privacy_n
        else None
        for a, b in zip(converted.iter_rows(named=True), dropped.iter_rows(named=True), strict=True)
    ]
    q_values = scores.benjamini_hochberg(pl.Series("p", p_values, dtype=pl.Float64))
    names = pl.Series(steps, dtype=pl.String)
    table = pl.DataFrame(
        {
            "step": names.gather(converted["position"] - 1),
            "touchpoint": converted["touchpoint"],
            "n_converted": converted["n"],
            "value_converted": converted["value"],
            "moe_converted": converted["moe"],
            "n_dropped": dropped["n"],
            "value_dropped": dropped["value"],
            "moe_dropped": dropped["moe"],
            "p": pl.Series(p_values, dtype=pl.Float64),
            "q": q_values,
            "position": converted["position"],
            "low_n_converted": converted["low_n"],
            "hidden_converted": converted["hidden"],
            "low_n_dropped": dropped["low_n"],
            "hidden_dropped": dropped["hidden"],
        }
    )
    delta = pl.col("value_converted") - pl.col("value_dropped")
    significant = (
        pl.when((pl.col("q") <= scores.ALPHA) & (pl.col("delta") > 0))
        .then(pl.lit("up"))
        .when((pl.col("q") <= scores.ALPHA) & (pl.col("delta") < 0))
        .then(pl.lit("down"))
    )
    return (
        table.with_columns(delta.alias("delta"))
        .with_columns(significant.alias("significant"))
        .select(list(TABLE_SCHEMA))
        .cast(TABLE_SCHEMA)
    )


def clearest_gap(table: pl.DataFrame) -> dict | None:
    """The row (of a :func:`step_table`) where one touchpoint separates converters from
    drop-outs most clearly: among the significant gaps of single touchpoints, the one
    largest against its own uncertainty (|delta| over the standard error of the
    difference, from the two margins), or None when no gap is significant."""
    gaps = table.filter(
        pl.col("significant").is_not_null(), pl.col("touchpoint") != ALL_TOUCHPOINTS
    )
    if gaps.is_empty():
        return None
    error = (pl.col("moe_converted") ** 2 + pl.col("moe_dropped") ** 2).sqrt() / scores.Z95
    clearness = (pl.col("delta").abs() / error).fill_nan(None)
    return gaps.sort(clearness, pl.col("delta").abs(), descending=True, nulls_last=True).row(
        0, named=True
    )
