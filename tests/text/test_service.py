"""Comment analysis against a tiny hand-built store, identical on DuckDB, SQLite and
PostgreSQL. Expected sentiments follow the lexicon's rules (see test_lexicon), themes
the default taxonomy; every count below is worked out from the rows in ``_load``."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from dashboard import db
from dashboard.ingest import labels as label_files
from dashboard.text import lexicon, service
from dashboard.text.model import NotEnoughLabels
from queries import schema
from queries import text as q
from queries.filters import UNKNOWN, Filters
from tests.text.synthetic import comments

D = dt.datetime
ALL = Filters()

ROWS = [
    # response, at, touchpoint, customer, nps, comment, language
    ("r01", D(2025, 3, 1, 9), "Delivery", "c1", 2, "Giao hàng rất chậm, thất vọng", "vi"),
    ("r02", D(2025, 3, 2, 9), "Delivery", None, 10, "giao hang nhanh, nhan vien than thien", None),
    ("r03", D(2025, 3, 3, 9), "Store", "c2", 9, "Friendly staff, great store", None),
    ("r04", D(2025, 3, 3, 10), "Store", "c2", 7, None, None),
    ("r05", D(2025, 3, 4, 9), "Store", "c1", 5, "100% not good_", "EN"),
    ("r06", D(2025, 3, 5, 9), "App", "c3", 3, "Ứng dụng bị lỗi khi thanh toán", "vi"),
    ("r07", D(2025, 3, 5, 10), "Billing", "c2", 8, "   ", None),
    ("r08", D(2025, 3, 6, 9), "Delivery", "c1", 9, "Hàng đến đúng hẹn", None),
]
COLUMNS = ["response_id", "responded_at", "touchpoint", "customer_id", "nps", "comment",
           "language"]  # fmt: skip


def _feedback(rows) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=COLUMNS, orient="row").with_columns(
        pl.col("nps").cast(pl.Int16)
    )


def _load(engine, rows=ROWS) -> None:
    customers = pl.DataFrame({"customer_id": ["c1", "c2", "c3"], "segment": ["Gold", "Silver", ""]})
    with db.begin(engine) as conn:
        db.upsert_frame(conn, schema.customers, customers)
        db.upsert_frame(conn, schema.feedback, _feedback(rows))


@pytest.fixture
def analysed(store):
    _load(store)
    result = service.analyse_comments(store)
    assert result.analysed == 6  # r04 has no comment, r07 only spaces
    return store


def facts(engine) -> dict[str, dict]:
    frame = db.fetch(schema.comment_facts.select(), engine)
    return {row["response_id"]: row for row in frame.rows(named=True)}


def theme_rows(engine) -> list[tuple[str, str]]:
    frame = db.fetch(schema.comment_themes.select(), engine)
    return sorted(frame.rows())


def ids(frame: pl.DataFrame) -> list[str]:
    return sorted(frame["response_id"].to_list())


# -- analysis ---------------------------------------------------------------------------------


def test_analyse_comments_fills_facts_and_themes(analysed):
    got = facts(analysed)
    assert sorted(got) == ["r01", "r02", "r03", "r05", "r06", "r08"]
    expected = {
        # id: (sentiment, language, language_source, themes)
        "r01": ("negative", "vi", "import", "delivery;waiting_time"),
        "r02": ("positive", "vi", "detected", "delivery;staff_service"),
        "r03": ("positive", "en", "detected", "staff_service;store"),
        "r05": ("negative", "en", "import", ""),
        "r06": ("negative", "vi", "import", "app_website;payment"),
        "r08": ("positive", "vi", "detected", "delivery"),
    }
    for rid, (sentiment, language, language_source, themes) in expected.items():
        row = got[rid]
        assert (row["sentiment"], row["language"], row["language_source"], row["themes"]) == (
            sentiment, language, language_source, themes,
        ), rid  # fmt: skip
        assert row["sentiment_source"] == "baseline" and row["model_version"] is None
        assert row["margin"] == pytest.approx(abs(lexicon.score(row["text_norm"])))
    assert got["r01"]["text_norm"] == "giao hàng rất chậm, thất vọng"
    assert got["r01"]["text_folded"] == "giao hang rat cham, that vong"
    assert got["r01"]["words"] == " giao hàng rất chậm thất vọng "
    assert got["r01"]["words_folded"] == " giao hang rat cham that vong "
    assert theme_rows(analysed) == [
        ("r01", "delivery"), ("r01", "waiting_time"), ("r02", "delivery"),
        ("r02", "staff_service"), ("r03", "staff_service"), ("r03", "store"),
        ("r06", "app_website"), ("r06", "payment"), ("r08", "delivery"),
    ]  # fmt: skip


def test_analysis_of_some_ids_follows_changed_and_emptied_comments(analysed):
    changed = [
        ("r01", D(2025, 3, 1, 9), "Delivery", "c1", 2, "Great, fast delivery", "en"),
        ("r05", D(2025, 3, 4, 9), "Store", "c1", 5, None, None),  # the comment was removed
    ]
    _load(analysed, changed)
    result = service.analyse_comments(analysed, ["r01", "r05"])
    assert (result.analysed, result.removed) == (1, 1)
    got = facts(analysed)
    assert "r05" not in got
    assert (got["r01"]["sentiment"], got["r01"]["themes"]) == ("positive", "delivery;waiting_time")
    assert got["r02"]["themes"] == "delivery;staff_service"  # untouched


def test_new_only_analyses_just_the_comments_without_analysis(analysed):
    extra = [("r09", D(2025, 3, 7, 9), "Store", None, 10, "Nhân viên nhiệt tình", None)]
    _load(analysed, extra)
    before = facts(analysed)
    result = service.analyse_comments(analysed, new_only=True)
    assert result.analysed == 1
    after = facts(analysed)
    assert after["r09"]["sentiment"] == "positive"
    assert after["r01"]["analysed_at"] == before["r01"]["analysed_at"]


# -- search and filters -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "search, expected",
    [
        ("giao hang", ["r01", "r02"]),
        ("Giao Hàng", ["r01", "r02"]),
        ("GIAO HÀNG", ["r01", "r02"]),
        ("ung dung", ["r06"]),
        ("FRIENDLY", ["r03"]),
        ("hoà", []),
        ("100%", ["r05"]),  # % is a character, not a wildcard
        ("d_", ["r05"]),  # _ too
        ("đúng hẹn", ["r08"]),
    ],
)
def test_search_with_or_without_diacritics_any_case(analysed, search, expected):
    assert ids(service.comment_page(analysed, ALL, search=search)) == expected
    assert service.comment_total(analysed, ALL, search=search) == len(expected)


def test_filters_by_sentiment_theme_and_dimension(analysed):
    page = service.comment_page
    assert ids(page(analysed, ALL, sentiment="positive")) == ["r02", "r03", "r08"]
    assert ids(page(analysed, ALL, sentiment=("negative", "positive"), theme="delivery")) == [
        "r01", "r02", "r08",
    ]  # fmt: skip
    assert ids(page(analysed, ALL, theme=("store", "payment"))) == ["r03", "r06"]
    # A dimension filter drops anonymous feedback (r02); '(unknown)' selects empty segments.
    gold = Filters(segment=("Gold",))
    assert ids(page(analysed, gold, theme="delivery")) == ["r01", "r08"]
    assert ids(page(analysed, Filters(segment=(UNKNOWN,)))) == ["r02", "r06"]
    assert ids(page(analysed, ALL, band="promoter", search="giao")) == ["r02"]
    assert service.comment_total(analysed, gold, sentiment="negative") == 2
    with pytest.raises(ValueError, match="sentiment must be one of"):
        page(analysed, ALL, sentiment="angry")


def test_comment_page_columns_and_order(analysed):
    page = service.comment_page(analysed, ALL, limit=2, offset=1)
    assert page.columns == [
        "response_id", "responded_at", "touchpoint", "nps", "csat", "ces", "comment",
        "language", "segment", "sentiment", "sentiment_source", "themes", "customer_id",
    ]  # fmt: skip
    assert page["response_id"].to_list() == ["r06", "r05"]  # newest first, second page
    assert page["customer_id"].to_list() == ["c3", "c1"]  # known customers: a link to them
    assert page.row(0, named=True)["themes"] == "app_website;payment"


def test_a_comment_not_analysed_yet_is_still_listed_and_found(store):
    _load(store)
    page = service.comment_page(store, ALL, search="Friendly")
    assert ids(page) == ["r03"] and page["sentiment"].to_list() == [None]


# -- aggregates -----------------------------------------------------------------------------


def test_theme_touchpoints(analysed):
    frame = db.fetch(q.theme_touchpoints(ALL), analysed)
    rows = {(r["theme"], r["touchpoint"]): r for r in frame.rows(named=True)}
    # Delivery: r01 neg, r02 pos, r08 pos (3 analysed); Store: r03 pos, r05 neg; App: r06 neg
    assert sorted(rows) == [
        ("app_website", "App"), ("delivery", "Delivery"), ("payment", "App"),
        ("staff_service", "Delivery"), ("staff_service", "Store"), ("store", "Store"),
        ("waiting_time", "Delivery"),
    ]  # fmt: skip
    d = rows[("delivery", "Delivery")]
    assert (d["comments"], d["total"], d["negative"], d["neutral"], d["positive"]) == (
        3,
        3,
        1,
        0,
        2,
    )
    assert d["share"] == pytest.approx(100.0)
    s = rows[("staff_service", "Store")]
    assert (s["comments"], s["total"], s["positive"]) == (1, 2, 1)
    assert s["share"] == pytest.approx(50.0)
    overall = db.fetch(q.theme_touchpoints(ALL, by_touchpoint=False), analysed)
    staff = overall.filter(pl.col("theme") == "staff_service").row(0, named=True)
    assert (staff["comments"], staff["total"]) == (2, 6)
    assert staff["share"] == pytest.approx(100 / 3)
    gold = db.fetch(q.theme_touchpoints(Filters(segment=("Gold",))), analysed)
    d = gold.filter(pl.col("theme") == "delivery").row(0, named=True)
    assert (d["comments"], d["total"]) == (2, 2)  # r01, r08; anonymous r02 excluded


def test_theme_trend(analysed):
    frame = db.fetch(q.theme_trend(ALL, "week", theme=("delivery", "store")), analysed)
    # Weeks (Monday): 2025-02-24 holds 1-2 March (r01, r02), 2025-03-03 holds r03..r08.
    got = [
        (str(r["period"])[:10], r["theme"], r["comments"], r["total"])
        for r in frame.rows(named=True)
    ]
    assert got == [
        ("2025-02-24", "delivery", 2, 2),
        ("2025-03-03", "delivery", 1, 4),
        ("2025-03-03", "store", 1, 4),
    ]


def test_sentiment_summary_per_touchpoint_and_group(analysed):
    frame = db.fetch(q.sentiment_summary(ALL, ("touchpoint", "segment")), analysed)
    got = sorted(
        (r["touchpoint"], r["segment"], r["n"], r["positive"], r["neutral"], r["negative"])
        for r in frame.rows(named=True)
    )
    assert got == [
        ("App", UNKNOWN, 1, 0, 0, 1),
        ("Delivery", UNKNOWN, 1, 1, 0, 0),
        ("Delivery", "Gold", 2, 1, 0, 1),
        ("Store", "Gold", 1, 0, 0, 1),
        ("Store", "Silver", 1, 1, 0, 0),
    ]
    total = db.fetch(q.sentiment_summary(ALL), analysed).row(0, named=True)
    assert (total["n"], total["positive"], total["negative"]) == (6, 3, 3)


# -- labels ---------------------------------------------------------------------------------


def test_set_label_wins_over_the_baseline_and_survives_reimport(analysed):
    service.set_label(analysed, "r01", "neutral", ["price"], by="lan")
    row = facts(analysed)["r01"]
    assert (row["sentiment"], row["sentiment_source"], row["themes"]) == (
        "neutral",
        "label",
        "price",
    )
    assert [t for t in theme_rows(analysed) if t[0] == "r01"] == [("r01", "price")]
    # Sentiment only: the keywords keep the themes.
    service.set_label(analysed, "r03", "neutral", None, by="lan")
    assert facts(analysed)["r03"]["themes"] == "staff_service;store"
    # A re-import of the same responses, and a full re-analysis, keep the labels.
    _load(analysed)
    service.analyse_comments(analysed)
    row = facts(analysed)["r01"]
    assert (row["sentiment"], row["sentiment_source"], row["themes"]) == (
        "neutral",
        "label",
        "price",
    )
    labels = db.fetch(q.labels(), analysed)
    assert labels.select("response_id", "sentiment", "themes", "labelled_by").rows() == [
        ("r01", "neutral", "price", "lan"),
        ("r03", "neutral", None, "lan"),
    ]


@pytest.mark.parametrize(
    "args, message",
    [
        (("r99", "positive", None), "no response 'r99'"),
        (("r04", "positive", None), "has no comment"),
        (("r01", "good", None), "sentiment must be one of"),
        (("r01", "positive", ["speed"]), "unknown theme 'speed'"),
    ],
)
def test_set_label_rejects(analysed, args, message):
    with pytest.raises(service.LabelRejected, match=message):
        service.set_label(analysed, *args, by="lan")
    assert db.fetch(q.labels(), analysed).height == 0


LABELS_CSV = """response_id,sentiment,themes
r01,negative,delivery;waiting_time
r99,positive,
r02,great,
r03,positive,staff;store
r01,neutral,
r04,positive,
,positive,
r05,Negative,none
"""


def test_import_labels_rejects_bad_rows_with_line_numbers_and_writes_nothing(analysed, tmp_path):
    path = tmp_path / "labels.csv"
    path.write_text(LABELS_CSV, encoding="utf-8")
    with pytest.raises(service.LabelImportRejected) as rejected:
        label_files.import_labels(analysed, path, "lan")
    assert rejected.value.errors == [
        (3, "unknown response_id 'r99' (no such response in the store)"),
        (4, "sentiment 'great' is not one of negative, neutral, positive"),
        (
            5,
            "unknown theme 'staff'; themes are: "
            + ", ".join(service.current_taxonomy(analysed).ids),
        ),
        (6, "response_id 'r01' is already labelled on line 2"),
        (7, "response 'r04' has no comment to label"),
        (8, "response_id is empty"),
    ]
    assert "labels.csv: 6 bad row(s); nothing was imported" in str(rejected.value)
    assert "line 3: unknown response_id 'r99'" in str(rejected.value)
    assert db.fetch(q.labels(), analysed).height == 0
    assert {r["sentiment_source"] for r in facts(analysed).values()} == {"baseline"}


def test_import_labels_xlsx_lines_and_a_good_file(analysed, tmp_path):
    bad = pl.DataFrame({"Response_ID": ["r01", "r02"], "Sentiment": ["positive", "meh"]})
    path = tmp_path / "labels.xlsx"
    bad.write_excel(path)
    with pytest.raises(service.LabelImportRejected) as rejected:
        label_files.import_labels(analysed, path, "lan")
    assert [line for line, _ in rejected.value.errors] == [3]  # header is row 1
    good = tmp_path / "good.csv"
    good.write_text("response_id,sentiment,themes\nr01,positive,price\nr05,Neutral,none\n"
                    "r06,negative,\n", encoding="utf-8")  # fmt: skip
    assert label_files.import_labels(analysed, good, "lan") == 3
    got = facts(analysed)
    assert [(got[r]["sentiment"], got[r]["sentiment_source"], got[r]["themes"]) for r in
            ("r01", "r05", "r06")] == [("positive", "label", "price"), ("neutral", "label", ""),
                                       ("negative", "label", "app_website;payment")]  # fmt: skip


def test_import_labels_needs_the_columns(analysed, tmp_path):
    path = tmp_path / "labels.csv"
    path.write_text("id,label\nr01,positive\n", encoding="utf-8")
    with pytest.raises(service.LabelImportRejected, match="no column response_id, sentiment"):
        label_files.import_labels(analysed, path, "lan")


def test_label_queue_serves_the_least_certain_unlabelled_comments(analysed):
    service.set_label(analysed, "r03", "positive", by="lan")
    queue = service.label_queue(analysed, ALL, 3)
    margins = {rid: abs(lexicon.score(row["text_norm"])) for rid, row in facts(analysed).items()}
    expected = sorted((m, rid) for rid, m in margins.items() if rid != "r03")[:3]
    assert queue["response_id"].to_list() == [rid for _, rid in expected]
    assert queue["margin"].to_list() == pytest.approx([m for m, _ in expected])


# -- model -----------------------------------------------------------------------------------


def _labelled_store(engine, tmp_path) -> None:
    """The rows of _load plus 60 synthetic comments, all of those labelled."""
    texts, labels, languages = comments(60)
    rows = [(f"s{i:02d}", D(2025, 3, 10) + dt.timedelta(hours=i), "Web", None, 7, text, lang)
            for i, (text, lang) in enumerate(zip(texts, languages, strict=True))]  # fmt: skip
    _load(engine, ROWS + rows)
    service.analyse_comments(engine)
    path = tmp_path / "labels.csv"
    body = "".join(f"s{i:02d},{label}\n" for i, label in enumerate(labels))
    path.write_text("response_id,sentiment\n" + body, encoding="utf-8")
    assert label_files.import_labels(engine, path, "lan") == 60


def test_train_stores_the_model_inactive_until_activated(store, tmp_path):
    _labelled_store(store, tmp_path)
    candidate = service.train_model(store, by="lan")
    assert candidate.version == 1
    assert candidate.metrics["n_labels"] == 60
    assert set(candidate.metrics["per_language"]) == {"en", "vi"}
    assert 0 <= candidate.metrics["baseline"]["macro_f1"] <= 1
    stored = service.models(store)
    assert stored.select("version", "created_by", "languages", "n_labels", "active").rows() == [
        (1, "lan", "en;vi", 60, False)
    ]
    # Not active: nothing is scored by it.
    assert {r["sentiment_source"] for r in facts(store).values()} == {"baseline", "label"}
    assert service.activate_model(store, 1, by="lan") == 6  # the unlabelled comments
    got = facts(store)
    assert {got[r]["sentiment_source"] for r in got if r.startswith("s")} == {"label"}
    assert {(got[r]["sentiment_source"], got[r]["model_version"]) for r in got
            if r.startswith("r")} == {("model", 1)}  # fmt: skip
    # New comments are scored by the active model as they land.
    _load(store, [("r20", D(2025, 3, 20), "Store", None, 10, "rất hài lòng", "vi")])
    service.analyse_comments(store, ["r20"])
    assert (facts(store)["r20"]["sentiment_source"], facts(store)["r20"]["sentiment"]) == (
        "model", "positive",
    )  # fmt: skip
    # A second model replaces the first only when activated.
    assert service.train_model(store, by="lan").version == 2
    assert service.models(store).select("version", "active").rows() == [(2, False), (1, True)]
    service.activate_model(store, 2)
    assert service.models(store).select("version", "active").rows() == [(2, True), (1, False)]
    assert service.deactivate_models(store) == 7
    assert {r["sentiment_source"] for r in facts(store).values()} == {"baseline", "label"}
    with pytest.raises(LookupError, match="no model version 9"):
        service.activate_model(store, 9)


def test_training_needs_labels(analysed):
    with pytest.raises(NotEnoughLabels, match="0 labelled comments"):
        service.train_model(analysed, by="lan")
    assert service.models(analysed).height == 0


# -- taxonomy ----------------------------------------------------------------------------------


def test_saved_taxonomy_rethemes_and_reports_keywords(analysed):
    source = (
        '[delivery]\nvi = ["giao hàng", "hàng đến"]\nen = ["delivery"]\n\n'
        '[letdown]\nvi = ["thất vọng"]\n'
    )
    assert service.save_taxonomy(analysed, source, by="admin") == 1
    assert service.current_taxonomy(analysed).ids == ("delivery", "letdown")
    assert theme_rows(analysed) == [
        ("r01", "delivery"), ("r01", "letdown"), ("r02", "delivery"), ("r08", "delivery"),
    ]  # fmt: skip
    assert facts(analysed)["r01"]["themes"] == "delivery;letdown"
    report = service.keyword_report(analysed)
    assert report.select("theme", "keyword", "comments").rows() == [
        ("delivery", None, 3), ("delivery", "giao hàng", 2), ("delivery", "hàng đến", 1),
        ("delivery", "delivery", 0), ("letdown", None, 1), ("letdown", "thất vọng", 1),
    ]  # fmt: skip
    assert report["share"].to_list()[0] == pytest.approx(50.0)
    examples = service.keyword_examples(analysed, "delivery", n=1)
    assert examples.select("keyword", "response_id").rows() == [
        ("giao hàng", "r02"), ("hàng đến", "r08"),
    ]  # fmt: skip


def test_a_bad_taxonomy_is_not_saved(analysed):
    from dashboard.text.themes import TaxonomyError

    with pytest.raises(TaxonomyError, match="line 2"):
        service.save_taxonomy(analysed, "[delivery]\nvi = 3\n", by="admin")
    assert service.current_taxonomy(analysed).ids[0] == "delivery"
    assert len(service.current_taxonomy(analysed).ids) > 2  # still the default


def test_theme_quality_against_labelled_themes(analysed):
    service.set_label(analysed, "r01", "negative", ["delivery"], by="lan")  # keywords add waiting
    service.set_label(analysed, "r03", "positive", ["store"], by="lan")  # keywords add staff
    service.set_label(analysed, "r05", "negative", ["price"], by="lan")  # keywords find none
    quality = service.theme_quality(analysed)
    rows = {r["theme"]: r for r in quality.rows(named=True)}
    assert (rows["delivery"]["precision"], rows["delivery"]["recall"]) == (100, 100)
    assert (rows["price"]["labelled"], rows["price"]["matched"], rows["price"]["recall"]) == (
        1,
        0,
        0,
    )
    assert rows["staff_service"]["precision"] == 0 and rows["staff_service"]["recall"] is None
    assert rows["waiting_time"]["matched"] == 1 and rows["waiting_time"]["precision"] == 0
