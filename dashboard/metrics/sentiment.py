"""Net sentiment and the share of negative comments, from sentiment counts.

Inputs are frames of ``queries.text.sentiment_summary`` (n, positive, neutral,
negative per group). The statistics mirror NPS exactly, with positive comments in
the place of promoters and negative ones in the place of detractors:

- net sentiment = % positive - % negative (-100..100); null when n = 0;
- its margin of error (95%) = 1.96 * sqrt((pP + pN - (pP - pN)^2) / n) * 100;
- share negative = % negative (0..100), margin 1.96 * sqrt(p (1 - p) / n) * 100;
- below ``privacy_n`` (5) comments a value is hidden, below ``min_n`` flagged low_n;
- in the heatmap each touchpoint x group cell is tested against the rest of its row
  with the same unpooled z-tests as NPS (net) and CSAT (a share), Benjamini-Hochberg
  over all cells, significant at q <= 0.05 -- by running ``scores.heatmap_cells``
  itself on the counts, so the rules cannot drift apart.
"""

from __future__ import annotations

import polars as pl

from dashboard.metrics import scores
from dashboard.metrics.scores import PRIVACY_N, Z95

SCORES = ("net", "negative")
_COUNTS = ("n", "positive", "neutral", "negative")


def _counts(frame: pl.DataFrame) -> pl.DataFrame:
    present = [c for c in _COUNTS if c in frame.columns]
    return frame.with_columns(pl.col(present).cast(pl.Int64).fill_null(0))


def _share(column: str) -> pl.Expr:
    return pl.when(pl.col("n") > 0).then(pl.col(column) / pl.col("n"))


def with_net_sentiment(
    summary: pl.DataFrame, *, min_n: int, privacy_n: int = PRIVACY_N
) -> pl.DataFrame:
    """Add net_sentiment, moe, share_negative, moe_negative, share_positive, low_n and
    hidden to a sentiment summary (values null where n < ``privacy_n``)."""
    summary = _counts(summary)
    p_pos, p_neg = _share("positive"), _share("negative")
    variance = (p_pos + p_neg - (p_pos - p_neg) ** 2).clip(lower_bound=0)
    visible = pl.col("n") >= privacy_n

    def shown(value: pl.Expr) -> pl.Expr:
        return pl.when(visible).then(value)

    return summary.with_columns(
        shown((p_pos - p_neg) * 100).alias("net_sentiment"),
        shown(Z95 * (variance / pl.col("n")).sqrt() * 100).alias("moe"),
        shown(p_neg * 100).alias("share_negative"),
        shown(Z95 * (p_neg * (1 - p_neg) / pl.col("n")).sqrt() * 100).alias("moe_negative"),
        shown(p_pos * 100).alias("share_positive"),
        (pl.col("n") < min_n).alias("low_n"),
        (pl.col("n") < privacy_n).alias("hidden"),
    )


def sentiment_heatmap_cells(
    summary: pl.DataFrame,
    by: str,
    *,
    score: str = "net",
    min_n: int,
    privacy_n: int = PRIVACY_N,
) -> pl.DataFrame:
    """The heatmap's fourth score: net sentiment (or share negative) per touchpoint x
    ``by`` cell, with the heatmap's n, low-n, privacy and significance rules.

    ``summary``: ``queries.text.sentiment_summary(f, ("touchpoint", by))``.
    Returns columns touchpoint, <by>, value, n, low_n, hidden, p, q, significant
    ("above" / "below" the rest of the row: for share negative, above = more negative
    comments), moe, positive, neutral, negative.
    """
    if score not in SCORES:
        raise ValueError(f"score must be one of {', '.join(SCORES)}, not {score!r}")
    counts = _counts(summary)
    zeros = {name: pl.lit(0, pl.Int64) for name in scores.SUMMARY_STATS}
    if score == "net":
        metric = "nps"
        zeros |= {
            "responses": pl.col("n"),
            "n_nps": pl.col("n"),
            "promoters": pl.col("positive"),
            "detractors": pl.col("negative"),
        }
    else:
        metric = "csat"
        zeros |= {"responses": pl.col("n"), "n_csat": pl.col("n"), "csat_top2": pl.col("negative")}
    as_feedback = counts.select(
        "touchpoint", by, *(expr.alias(name) for name, expr in zeros.items())
    ).with_columns(pl.col(c).cast(pl.Float64) for c in ("csat_sum", "ces_sum", "ces_sumsq"))
    cells = scores.heatmap_cells(as_feedback, metric, by, min_n=min_n, privacy_n=privacy_n)
    moe = with_net_sentiment(counts, min_n=min_n, privacy_n=privacy_n).select(
        "touchpoint",
        by,
        pl.col("moe" if score == "net" else "moe_negative").alias("moe"),
        "positive",
        "neutral",
        "negative",
    )
    return cells.select(
        "touchpoint", by, "value", "n", "low_n", "hidden", "p", "q", "significant"
    ).join(moe, on=["touchpoint", by], how="left", nulls_equal=True, maintain_order="left")
