"""The comment views of the registry (comments, sentiment, themes, theme-trend, the
heatmap's sentiment score) on a hand-built store, identical on DuckDB, SQLite and
PostgreSQL. Sentiments come from labels, so every figure below is worked out by hand
from ``CELLS``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from dashboard import db, views
from dashboard.ingest import labels as label_files
from dashboard.text import service
from dashboard.views import Options
from queries import schema
from queries.filters import Filters

ALL = Filters(min_n=9)
# (touchpoint, segment, negative, neutral, positive): comments labelled so
CELLS = [
    ("Delivery", "Gold", 6, 2, 2),  # n 10: net -40, negative 60%
    ("Delivery", "Silver", 1, 3, 6),  # n 10: net +50, negative 10%
    ("Store", "Gold", 0, 0, 4),  # n 4: hidden (privacy: under 5)
    ("Store", "Silver", 4, 0, 4),  # n 8: net 0, negative 50%
]
TEXTS = {"Delivery": "giao hàng lần {i}", "Store": "nhân viên cửa hàng số {i}"}


def labelled_store(engine, tmp_path: Path) -> None:
    """Feedback of ``CELLS`` in March 2025, analysed, every comment labelled."""
    customers = pl.DataFrame({"customer_id": ["g", "s"], "segment": ["Gold", "Silver"]})
    rows, labels = [], []
    i = 0
    for touchpoint, segment, *counts in CELLS:
        for sentiment, count in zip(("negative", "neutral", "positive"), counts, strict=True):
            for _ in range(count):
                i += 1
                rid = f"r{i:03d}"
                at = dt.datetime(2025, 3, 1 + i % 28, 10)
                rows.append((rid, at, touchpoint, "g" if segment == "Gold" else "s",
                             TEXTS[touchpoint].format(i=i), "vi"))  # fmt: skip
                labels.append((rid, sentiment))
    feedback = pl.DataFrame(
        rows,
        schema=["response_id", "responded_at", "touchpoint", "customer_id", "comment", "language"],
        orient="row",
    )
    with db.begin(engine) as conn:
        db.upsert_frame(conn, schema.customers, customers)
        db.upsert_frame(conn, schema.feedback, feedback)
    service.analyse_comments(engine)
    path = tmp_path / "labels.csv"
    pl.DataFrame(labels, schema=["response_id", "sentiment"], orient="row").write_csv(path)
    label_files.import_labels(engine, path, labelled_by="test")


@pytest.fixture
def labelled(store, tmp_path):
    labelled_store(store, tmp_path)
    return store


def cells(frame: pl.DataFrame, by: str = "segment") -> dict:
    return {(r["touchpoint"], r[by]): r for r in frame.iter_rows(named=True)}


def test_sentiment_view_follows_the_heatmap_rules(labelled):
    result = views.SENTIMENT.run(labelled, ALL, Options(by="segment"))
    got = cells(result)
    assert got[("Delivery", "Gold")]["value"] == pytest.approx(-40.0)
    assert got[("Delivery", "Silver")]["value"] == pytest.approx(50.0)
    assert got[("Store", "Silver")]["value"] == pytest.approx(0.0)
    hidden = got[("Store", "Gold")]
    assert hidden["value"] is None and hidden["hidden"] and hidden["n"] == 4
    # its counts would tell what the hidden value hides
    assert (hidden["positive"], hidden["neutral"], hidden["negative"]) == (None, None, None)
    assert got[("Store", "Silver")]["low_n"] and not got[("Delivery", "Gold")]["low_n"]
    assert set(result["source"]) == {"label"}
    assert views.SENTIMENT.notes(result, Options()) == ()  # people's labels: no baseline note
    negative = cells(views.SENTIMENT.run(labelled, ALL, Options(by="segment", score="negative")))
    assert negative[("Delivery", "Gold")]["value"] == pytest.approx(60.0)
    assert negative[("Delivery", "Silver")]["value"] == pytest.approx(10.0)
    printed = views.SENTIMENT.printed(result, Options(by="segment"))
    assert printed.columns[:3] == ["touchpoint", "segment", "value"]


def test_sentiment_is_the_heatmaps_fourth_metric(labelled):
    options = Options(by="segment", metric="sentiment")
    heat = views.HEATMAP.run(labelled, ALL, options)
    own = views.SENTIMENT.run(labelled, ALL, Options(by="segment"))
    assert heat.select("touchpoint", "segment", "value", "n", "q").equals(
        own.select("touchpoint", "segment", "value", "n", "q")
    )
    assert views.HEATMAP.title(options).startswith("Net sentiment")
    fig = views.HEATMAP.figure(heat, options)
    assert fig.layout.title.text == "Net sentiment by touchpoint and segment (vs neutral)"


def test_a_bad_score_is_refused(labelled):
    with pytest.raises(ValueError, match="net .* or negative"):
        views.SENTIMENT.run(labelled, ALL, Options(by="segment", score="mean"))


def test_themes_view_share_and_sentiment(labelled):
    result = views.THEMES.run(labelled, ALL, Options())
    rows = {(r["theme"], r["touchpoint"]): r for r in result.iter_rows(named=True)}
    delivery = rows[("delivery", "Delivery")]
    # 20 Delivery comments, all about delivery: 7 negative, 5 neutral, 8 positive
    assert (delivery["comments"], delivery["total"]) == (20, 20)
    assert delivery["share"] == pytest.approx(100.0)
    assert (delivery["negative"], delivery["neutral"], delivery["positive"]) == (7, 5, 8)
    assert delivery["net_sentiment"] == pytest.approx(5.0)
    assert delivery["share_negative"] == pytest.approx(35.0)
    assert delivery["label"] == "Delivery"
    store_theme = rows[("store", "Store")]
    assert (store_theme["comments"], store_theme["positive"], store_theme["negative"]) == (12, 8, 4)
    assert store_theme["net_sentiment"] == pytest.approx(100 * (8 - 4) / 12)
    assert ("delivery", "Store") not in rows
    assert list(result.columns) == list(service.THEME_COLUMNS)


def test_theme_trend_view(labelled):
    result = views.THEME_TREND.run(labelled, ALL, Options(grain="month", theme="delivery"))
    assert result["period"].to_list() == ["2025-03-01"]
    row = result.row(0, named=True)
    assert (row["theme"], row["comments"], row["total"]) == ("delivery", 20, 32)
    assert row["share"] == pytest.approx(62.5)
    with pytest.raises(ValueError, match="unknown theme 'nope'"):
        views.THEME_TREND.run(labelled, ALL, Options(theme="nope"))


def test_comments_view_rows_filters_and_themes_list(labelled):
    result = views.COMMENTS.run(labelled, ALL, Options(limit=5))
    assert result.columns == list(service.COMMENT_COLUMNS)
    assert result.height == 5
    assert result.schema["themes"] == pl.List(pl.String)
    everything = views.COMMENTS.run(labelled, ALL, Options())  # no limit: all of them
    assert everything.height == 32
    negative_store = views.COMMENTS.run(labelled, ALL, Options(sentiment="negative", theme="store"))
    assert negative_store.height == 4
    assert set(negative_store["touchpoint"]) == {"Store"}
    assert all(t == ["staff_service", "store"] for t in negative_store["themes"].to_list())
    assert set(negative_store["sentiment_source"]) == {"label"}
    with pytest.raises(ValueError, match="unknown theme 'nope'"):
        views.COMMENTS.run(labelled, ALL, Options(theme="nope"))


@pytest.mark.parametrize("search", ["giao hàng", "giao hang", "GIAO HANG", "Giao Hàng"])
def test_comments_view_search_with_or_without_diacritics(labelled, search):
    found = views.COMMENTS.run(labelled, ALL, Options(search=search))
    assert found.height == 20 and set(found["touchpoint"]) == {"Delivery"}


def test_baseline_sentiment_is_said(store):
    rows = pl.DataFrame(
        {
            "response_id": [f"b{i}" for i in range(6)],
            "responded_at": [dt.datetime(2025, 3, 2 + i) for i in range(6)],
            "touchpoint": ["Delivery"] * 6,
            "comment": ["giao hàng rất chậm, thất vọng"] * 3 + ["giao hàng nhanh, rất tốt"] * 3,
        }
    )
    with db.begin(store) as conn:
        db.upsert_frame(conn, schema.feedback, rows)
    service.analyse_comments(store)
    result = views.THEMES.run(store, Filters(), Options())
    assert set(result["source"]) == {"baseline"}
    (note,) = views.THEMES.notes(result, Options())
    assert "baseline" in note
    assert "baseline" in views.THEMES.figure(result, Options()).layout.title.text
    listed = views.COMMENTS.run(store, Filters(), Options())
    assert set(listed["sentiment_source"]) == {"baseline"}
    assert views.COMMENTS.notes(listed, Options())


def test_the_customer_view_shows_each_comments_sentiment_and_themes(labelled):
    view = views.CUSTOMER.run(labelled, ALL, Options(customer_id="g"))
    responses = view["responses"]
    assert len(responses) == 14  # the Gold customer's Delivery 10 and Store 4
    delivery = [r for r in responses if r["touchpoint"] == "Delivery"]
    assert (
        sorted(r["sentiment"] for r in delivery)
        == ["negative"] * 6 + ["neutral"] * 2 + ["positive"] * 2
    )
    assert {(r["sentiment_source"], r["themes"]) for r in delivery} == {("label", "delivery")}


def test_the_comments_report_pack_captions_its_numbers(labelled):
    from dashboard.export.views import report_sections
    from dashboard.i18n import language

    with language("en"):
        sections = report_sections(labelled, "comments", ALL, Options(by="segment"))
    captions = [s.caption for s in sections]
    assert len(sections) == 3
    assert "Most negative: Delivery × Gold, net sentiment -40.0 from 10 comments." in captions[0]
    assert "Most negative comments: Delivery at Delivery (7 of 20)." in captions[1]
    assert all(c.endswith("Sentiment as people labelled it.") for c in captions)
    with language("vi"):
        sections = report_sections(labelled, "comments", ALL, Options(by="segment"))
    assert "Tiêu cực nhất: Delivery × Gold" in sections[0].caption
    assert "Nhiều bình luận tiêu cực nhất: Giao hàng tại Delivery" in sections[1].caption
