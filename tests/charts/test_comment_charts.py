"""The comment charts render in Vietnamese and English, mark the lexicon baseline, and
keep the heatmap's rules (blank under 5, grey under min_n, colours the right way)."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl
import pytest

from dashboard.charts import comments as charts
from dashboard.i18n import language


def sentiment_frame(source: str = "model") -> pl.DataFrame:
    return pl.DataFrame(
        {
            "touchpoint": ["Delivery", "Delivery", "Store", "Store"],
            "segment": ["Gold", "Silver", "Gold", "Silver"],
            "value": [-40.0, 50.0, None, 0.0],
            "n": [10, 10, 4, 8],
            "low_n": [False, False, True, True],
            "hidden": [False, False, True, False],
            "p": [0.01, 0.01, None, 0.5],
            "q": [0.02, 0.02, None, 0.5],
            "significant": ["below", "above", None, None],
            "moe": [30.0, 30.0, None, 40.0],
            "target": [None, None, None, None],
            "source": [source] * 4,
        },
        schema_overrides={"target": pl.Float64},
    )


def theme_frame(source: str = "model") -> pl.DataFrame:
    return pl.DataFrame(
        {
            "theme": ["delivery", "delivery", "store", "price"],
            "label": ["Delivery", "Delivery", "Store", "Giá cả của shop"],
            "touchpoint": ["Delivery", "Store", "Store", "Store"],
            "comments": [20, 3, 12, 6],
            "total": [20, 12, 12, 12],
            "share": [100.0, 25.0, 100.0, 50.0],
            "negative": [7, 1, 4, 3],
            "neutral": [5, 1, 0, 1],
            "positive": [8, 1, 8, 2],
            "net_sentiment": [5.0, None, 33.3, -16.7],
            "moe": [40.0, None, 50.0, 70.0],
            "share_negative": [35.0, None, 33.3, 50.0],
            "low_n": [False, True, False, True],
            "hidden": [False, True, False, False],
            "source": [source] * 4,
        }
    )


def trend_frame(source: str = "baseline") -> pl.DataFrame:
    return pl.DataFrame(
        {
            "period": ["2025-01-01", "2025-02-01", "2025-01-01", "2025-02-01"],
            "theme": ["delivery", "delivery", "price", "price"],
            "label": ["Delivery", "Delivery", "Price", "Price"],
            "comments": [30, 40, 5, 2],
            "total": [100, 120, 100, 120],
            "share": [30.0, 33.3, 5.0, 1.7],
            "net_sentiment": [-10.0, -20.0, 20.0, None],
            "low_n": [False, False, True, True],
            "source": [source] * 4,
        }
    )


@pytest.mark.parametrize(
    ("lang", "net_title", "negative_title", "delivery"),
    [
        ("en", "Net sentiment by touchpoint and segment (vs neutral)",
         "% negative comments by touchpoint and segment (vs average)", "Delivery"),
        ("vi", "Cảm xúc ròng theo điểm chạm và phân khúc (so với mức trung tính)",
         "% bình luận tiêu cực theo điểm chạm và phân khúc (so với trung bình)", "Giao hàng"),
    ],
)  # fmt: skip
def test_charts_render_in_each_language(lang, net_title, negative_title, delivery):
    with language(lang):
        net = charts.sentiment_heatmap(sentiment_frame(), by="segment")
        negative = charts.sentiment_heatmap(sentiment_frame(), by="segment", score="negative")
        themes = charts.theme_touchpoints(theme_frame())
        trend = charts.theme_trend(trend_frame(), grain="month")
        mix = charts.sentiment_mix(theme_frame().filter(pl.col("touchpoint") == "Store"))
    assert net.layout.title.text == net_title
    assert negative.layout.title.text == negative_title
    assert delivery in themes.data[0].y and "Giá cả của shop" in themes.data[0].y  # as written
    assert delivery in [t.name for t in trend.data]
    assert all(isinstance(f, go.Figure) for f in (net, negative, themes, trend, mix))
    for fig in (net, negative, themes, trend, mix):
        fig.to_json()  # serialisable: what the page and the exports do with it


def test_the_baseline_is_said_in_every_title():
    with language("en"):
        figures = [
            charts.sentiment_heatmap(sentiment_frame("baseline"), by="segment"),
            charts.theme_touchpoints(theme_frame("baseline")),
            charts.theme_trend(trend_frame("baseline")),
            charts.sentiment_mix(theme_frame("baseline")),
        ]
    for fig in figures:
        assert "baseline sentiment" in fig.layout.title.text
    with language("vi"):
        fig = charts.theme_trend(trend_frame("baseline"))
    assert "cảm xúc mức cơ sở" in fig.layout.title.text
    with language("en"):
        trained = charts.theme_trend(trend_frame("model"))
    assert "baseline" not in trained.layout.title.text


def test_share_negative_colours_run_the_other_way():
    """Blue (positive deviation) means better: fewer negative comments than average."""
    with language("en"):
        net = charts.sentiment_heatmap(sentiment_frame(), by="segment")
        negative = charts.sentiment_heatmap(
            sentiment_frame().with_columns(pl.Series("value", [60.0, 10.0, None, 50.0])),
            by="segment",
            score="negative",
        )
    # rows are touchpoints in reverse order (Store, Delivery); columns Gold, Silver
    assert net.data[0].z[1][0] < 0 < net.data[0].z[1][1]  # Gold -40, Silver +50
    assert negative.data[0].z[1][0] < 0 < negative.data[0].z[1][1]  # Gold 60% is worse
    texts = [a.text for a in net.layout.annotations]
    assert "n<5" in texts and "-40.0 ▼" in texts


def test_theme_cells_hide_and_grey_what_the_rules_say():
    with language("en"):
        fig = charts.theme_touchpoints(theme_frame())
    texts = {a.text for a in fig.layout.annotations}
    assert "n<5" in texts and "100.0%" in texts
    # the most talked-about theme is drawn on top (last row of the y axis)
    assert list(fig.data[0].y)[-1] == "Delivery"


def test_empty_frames_give_an_empty_chart_with_a_title():
    with language("vi"):
        fig = charts.theme_touchpoints(theme_frame().clear())
    assert fig.layout.title.text.startswith("Chủ đề theo điểm chạm")


def test_theme_cells_on_dark_colours_have_white_text():
    from dashboard.charts.heatmap import LIGHT_TEXT

    frame = pl.DataFrame(
        {
            "theme": ["delivery", "price"], "label": ["Delivery", "Price"],
            "touchpoint": ["Store", "Store"], "comments": [40, 40], "total": [80, 80],
            "share": [0.5, 0.5], "net_sentiment": [95.0, 5.0], "moe": [5.0, 5.0],
            "share_negative": [0.0, 0.2], "low_n": [False, False], "hidden": [False, False],
            "source": ["model", "model"],
        }
    )  # fmt: skip
    fig = charts.theme_touchpoints(frame)
    colours = {a.font.color for a in fig.layout.annotations}
    assert LIGHT_TEXT in colours and len(colours) == 2  # the deep blue cell, the pale one
