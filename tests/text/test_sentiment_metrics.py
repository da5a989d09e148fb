"""Net sentiment and share negative on tiny hand-computed frames."""

from __future__ import annotations

import math

import polars as pl
import pytest

from dashboard.metrics import scores
from dashboard.metrics.sentiment import sentiment_heatmap_cells, with_net_sentiment

SUMMARY = pl.DataFrame(
    {
        "touchpoint": ["Delivery", "Delivery", "Store", "Store"],
        "segment": ["Gold", "Silver", "Gold", "Silver"],
        "n": [40, 10, 3, 50],
        "positive": [30, 2, 1, 20],
        "neutral": [5, 3, 1, 10],
        "negative": [5, 5, 1, 20],
    }
)


def test_net_sentiment_and_its_margin_follow_the_nps_formula():
    got = with_net_sentiment(SUMMARY, min_n=30).row(0, named=True)
    # 30 positive, 5 negative of 40: pP = .75, pN = .125
    assert got["net_sentiment"] == pytest.approx(62.5)
    variance = 0.75 + 0.125 - (0.75 - 0.125) ** 2
    assert got["moe"] == pytest.approx(1.96 * math.sqrt(variance / 40) * 100)
    assert got["share_negative"] == pytest.approx(12.5)
    assert got["moe_negative"] == pytest.approx(1.96 * math.sqrt(0.125 * 0.875 / 40) * 100)
    assert got["share_positive"] == pytest.approx(75.0)
    assert (got["low_n"], got["hidden"]) == (False, False)


def test_low_n_and_privacy():
    rows = with_net_sentiment(SUMMARY, min_n=30).rows(named=True)
    assert (rows[1]["low_n"], rows[1]["hidden"], rows[1]["net_sentiment"]) == (True, False, -30.0)
    assert (rows[2]["low_n"], rows[2]["hidden"], rows[2]["net_sentiment"]) == (True, True, None)
    assert rows[2]["moe"] is None and rows[2]["share_negative"] is None


def test_no_comments_is_null_not_zero():
    empty = pl.DataFrame({"n": [0], "positive": [0], "neutral": [0], "negative": [0]})
    got = with_net_sentiment(empty, min_n=30, privacy_n=0).row(0, named=True)
    assert got["net_sentiment"] is None and got["share_negative"] is None


def test_heatmap_cells_are_the_nps_cells_of_the_same_counts():
    cells = sentiment_heatmap_cells(SUMMARY, "segment", min_n=30)
    as_nps = SUMMARY.select(
        "touchpoint", "segment", pl.col("n").alias("responses"), pl.col("n").alias("n_nps"),
        pl.col("positive").alias("promoters"), pl.col("negative").alias("detractors"),
        *(pl.lit(0).alias(c) for c in ("n_csat", "csat_top2", "n_ces")),
        *(pl.lit(0.0).alias(c) for c in ("csat_sum", "ces_sum", "ces_sumsq")),
    )  # fmt: skip
    nps = scores.heatmap_cells(as_nps, "nps", "segment", min_n=30)
    columns = ["touchpoint", "segment", "value", "n", "low_n", "hidden", "p", "q", "significant"]
    assert cells.select(columns).equals(nps.select(columns))
    # Delivery/Gold (62.5) against the rest of its row (Silver: -30) is significant.
    gold = cells.row(0, named=True)
    assert gold["value"] == pytest.approx(62.5) and gold["significant"] == "above"
    assert cells.row(2, named=True)["p"] is None  # hidden cells are not tested


def test_heatmap_share_negative():
    cells = sentiment_heatmap_cells(SUMMARY, "segment", score="negative", min_n=30)
    assert cells["value"].to_list()[:2] == pytest.approx([12.5, 50.0])
    silver = cells.row(1, named=True)
    assert silver["moe"] == pytest.approx(1.96 * math.sqrt(0.25 / 10) * 100)
    with pytest.raises(ValueError, match="score must be one of"):
        sentiment_heatmap_cells(SUMMARY, "segment", score="mean", min_n=30)
