"""The comment pages through AppTest, signed in (OIDC played by ``at.user``): the Feedback
page's sentiment, themes, filters and search; labelling (who, when, the next comment);
training (quality before anything changes, switching on only on click); the themes admin;
What customers say; sentiment on the heatmap and the customer view; roles and scopes.

Each test gets its own copy of the small demo store as shipped (analysed, with a CX team's
labels and a model in use); ``fresh_business()`` turns it into a store without labels or
model, where the baseline scores every comment.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import polars as pl
import pytest
import sqlalchemy as sa
import streamlit as st
from streamlit.testing.v1 import AppTest

from dashboard import access, audit, charts, customers, db, service, state, users
from dashboard.access import Scope, Viewer
from dashboard.config import get_settings
from dashboard.text import service as text_service
from queries import schema
from queries.filters import Filters
from tests.stores import build_store

APP = Path(__file__).resolve().parent.parent.parent / "dashboard" / "app.py"
TIMEOUT = 120
AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "k3v9Qx2LmZp8Rt4WsYb6Nc1Hd7Jf5Ga0EuTiOoPlKjHg",
    "client_id": "cxdash",
    "client_secret": "s3cr3t-for-tests-only",
    "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
}
ANALYST = "minh@company.vn"
ADMIN = "admin@company.vn"
MANAGER = "lan@company.vn"
SCOPED_ANALYST = "hoa@company.vn"


@pytest.fixture(scope="module")
def base_store(tmp_path_factory) -> tuple[Path, str]:
    """An analysed small demo store with users; (its file, the scoped analyst's region)."""
    path = tmp_path_factory.mktemp("comment_pages") / "base.duckdb"
    url = f"duckdb:///{path}"
    build_store(url)
    engine = db.create_engine(url)
    audit.ensure_tables(engine)
    region = db.fetch(sa.select(sa.func.min(schema.customers.c.region)), engine).item()
    for email, role, scope in (
        (ANALYST, "analyst", {}),
        (ADMIN, "admin", {}),
        (MANAGER, "manager", {}),
        (SCOPED_ANALYST, "analyst", {"region": [region]}),
    ):
        users.save(engine, users.checked(email, role, Scope.of(scope)))
    text_service.analyse_comments(engine)
    engine.dispose()
    return path, region


def _clear_caches() -> None:
    db.engine_for.cache_clear()
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture
def store(base_store, tmp_path, monkeypatch) -> str:
    """A fresh copy of the analysed store, signed in with OIDC."""
    path = tmp_path / "store.duckdb"
    shutil.copy(base_store[0], path)
    url = f"duckdb:///{path}"
    monkeypatch.setenv("CXDASH_DATABASE_URL", url)
    monkeypatch.setenv("CXDASH_AUTH", "oidc")
    _clear_caches()
    yield url
    _clear_caches()


def engine() -> sa.Engine:
    return db.engine_for(get_settings().database_url)


def signed_in(email: str, page: str, params: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.secrets["auth"] = AUTH
    at.user = {"is_logged_in": True, "email": email, "name": email}
    at.query_params.update(params or {})
    at.switch_page(f"../pages/{page}.py")  # a shared link opens on its page
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def page_filters() -> Filters:
    earliest, latest = service.data_range(engine())
    return state.View().to_filters(latest, earliest, get_settings().min_n)


def frame(at: AppTest, *columns: str):
    """The first table drawn with these columns (AppTest does not keep a table's key)."""
    for element in at.dataframe:
        if set(columns) <= set(element.value.columns):
            return element.value
    raise AssertionError(
        f"no table with {columns}: {[list(e.value.columns) for e in at.dataframe]}"
    )


def captions(at: AppTest) -> list[str]:
    return [c.value for c in at.caption]


def total_caption(at: AppTest) -> str:
    return next(c for c in captions(at) if " comments · showing " in c)


def chart_spec(at: AppTest, key_part: str) -> dict:
    for element in at.get("plotly_chart"):
        if key_part in element.proto.id:
            return json.loads(element.proto.spec)
    raise AssertionError(f"no chart with key {key_part!r}")


def fresh_business() -> None:
    """The store as a business that has just started: no labels, no model (the demo ships
    both), every comment scored by the baseline."""
    with db.begin(engine()) as conn:
        db.empty_tables(conn, [schema.comment_labels, schema.sentiment_models])
    text_service.analyse_comments(engine())
    _clear_caches()


def label_some(n: int, by: str = "seed@company.vn") -> None:
    """Label ``n`` comments the way their NPS says (a stand-in for a person)."""
    page = text_service.comment_page(engine(), Filters(), limit=n)
    for row in page.iter_rows(named=True):
        nps = row["nps"]
        sentiment = (
            "neutral" if nps is None or 7 <= nps <= 8 else "negative" if nps <= 6 else "positive"
        )
        text_service.set_label(engine(), row["response_id"], sentiment, None, by=by)


# -- the Feedback page --------------------------------------------------------------------


def test_cards_show_sentiment_its_source_and_themes(store):
    at = signed_in(MANAGER, "feedback")
    shown = text_service.comment_page(engine(), page_filters(), limit=20)
    heads = [m.value for m in at.markdown if "NPS" in m.value]
    assert len(heads) == shown.height
    words = {"label": "labelled by a person", "model": "model", "baseline": "baseline"}
    for row, head in zip(shown.iter_rows(named=True), heads, strict=True):
        assert f"{row['sentiment'].capitalize()} · {words[row['sentiment_source']]}]" in head
    assert {"label", "model"} <= set(shown["sentiment_source"])  # the demo's labels and model
    taxonomy = text_service.current_taxonomy(engine())
    first = shown.row(0, named=True)
    names = [taxonomy.get(t).label for t in first["themes"].split(";") if t]
    theme_line = next(m.value for m in at.markdown if "violet-badge" in m.value)
    assert names and all(f":violet-badge[{name}]" in theme_line for name in names)
    assert "Sentiment: **model 1**" in " ".join(captions(at))
    assert not [b for b in at.button if (b.key or "").startswith("lb_pick_")]  # managers read


def test_before_any_model_every_card_says_baseline(store):
    fresh_business()
    at = signed_in(MANAGER, "feedback")
    heads = [m.value for m in at.markdown if "NPS" in m.value]
    assert heads and all("· baseline]" in head for head in heads)
    assert "Sentiment: **baseline**" in " ".join(captions(at))


def test_filters_by_sentiment_and_theme_live_in_the_url(store):
    at = signed_in(MANAGER, "feedback", {"fb_sentiment": "negative", "fb_theme": "delivery"})
    f = page_filters()
    assert at.pills(key="fb_sentiment").value == ["negative"]
    assert at.multiselect(key="fb_theme").value == ["delivery"]
    n = text_service.comment_total(engine(), f, sentiment=("negative",), theme=("delivery",))
    assert 0 < n < text_service.comment_total(engine(), f)
    assert total_caption(at).startswith(f"{n:,} comments")
    at.pills(key="fb_sentiment").set_value(["negative", "neutral"]).run()
    at.multiselect(key="fb_theme").set_value(["delivery", "price"]).run()
    both = text_service.comment_total(
        engine(), f, sentiment=("negative", "neutral"), theme=("delivery", "price")
    )
    assert total_caption(at).startswith(f"{both:,} comments") and both > n
    assert at.query_params["fb_sentiment"] == ["negative", "neutral"]
    assert at.query_params["fb_theme"] == ["delivery", "price"]
    shown = [m.value for m in at.markdown if "NPS" in m.value]
    assert shown and all("Positive" not in card for card in shown)


@pytest.mark.parametrize("typed", ["giao hàng", "giao hang", "GIAO HANG", "Giao Hàng"])
def test_search_matches_with_or_without_diacritics_in_any_case(store, typed):
    at = signed_in(MANAGER, "feedback", {"fb_search": typed})
    f = page_filters()
    expected = text_service.comment_total(engine(), f, search="giao hàng")
    assert expected > 0
    assert text_service.comment_total(engine(), f, search=typed) == expected
    assert total_caption(at).startswith(f"{expected:,} comments")


def test_comments_not_analysed_yet_are_said_and_analysed_on_click(store):
    with db.begin(engine()) as conn:
        db.empty_tables(conn, [schema.comment_facts, schema.comment_themes])
    f = page_filters()
    waiting = text_service.comment_total(engine(), f)
    said = f"{waiting:,} comments have no sentiment or themes yet"
    at = signed_in(MANAGER, "feedback")  # a manager is told, and may not rewrite the store
    assert any(said in w.value for w in at.warning)
    assert not [b for b in at.button if b.key == "fb_analyse"]
    at = signed_in(ADMIN, "feedback")
    assert any(said in w.value for w in at.warning)
    at.button(key="fb_analyse").click().run()
    assert not at.exception, [e.message for e in at.exception]
    analysed = text_service.comment_total(
        engine(), f, sentiment=("negative", "neutral", "positive")
    )
    assert analysed == waiting
    assert not [w for w in at.warning if "no sentiment or themes" in w.value]


# -- labelling ------------------------------------------------------------------------------


def _form_rid(at: AppTest) -> str:
    keys = [b.key for b in at.button if (b.key or "").startswith("lb_negative_")]
    assert len(keys) == 1, keys
    return keys[0].removeprefix("lb_negative_")


def test_labelling_three_comments_stores_who_and_when_and_the_next_follows(store):
    f = page_filters()
    queue = text_service.label_queue(engine(), f, n=4)["response_id"].to_list()
    started = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    at = signed_in(ANALYST, "feedback", {"fb_mode": "label"})
    answers = [("negative", ["delivery"]), ("positive", []), ("neutral", ["price", "store"])]
    for expected_rid, (sentiment, chosen) in zip(queue, answers, strict=False):
        assert _form_rid(at) == expected_rid  # least sure first, then the next one
        at.multiselect(key=f"lb_themes_{expected_rid}").set_value(chosen)
        at.button(key=f"lb_{sentiment}_{expected_rid}").click().run()
        assert not at.exception, [e.message for e in at.exception]
    assert _form_rid(at) == queue[3]
    stored = text_service.labels_of(engine(), queue[:3])
    got = {r["response_id"]: r for r in stored.iter_rows(named=True)}
    ended = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    for rid, (sentiment, chosen) in zip(queue, answers, strict=False):
        assert got[rid]["sentiment"] == sentiment
        assert got[rid]["themes"] == ";".join(sorted(chosen))
        assert got[rid]["labelled_by"] == ANALYST
        assert started <= got[rid]["labelled_at"] <= ended
    # the labels apply at once: the comments now carry the person's answer
    facts = db.fetch(
        sa.select(schema.comment_facts).where(schema.comment_facts.c.response_id.in_(queue[:3])),
        engine(),
    )
    assert set(facts["sentiment_source"]) == {"label"}
    recent = frame(at, "Labelled by")
    assert list(recent["Response"]) == list(reversed(queue[:3]))
    assert set(recent["Labelled by"]) == {ANALYST}


def test_skip_and_a_comment_picked_from_the_list(store):
    f = page_filters()
    queue = text_service.label_queue(engine(), f, n=2)["response_id"].to_list()
    at = signed_in(ANALYST, "feedback", {"fb_mode": "label"})
    at.button(key=f"lb_skip_{queue[0]}").click().run()
    assert _form_rid(at) == queue[1]
    assert text_service.labels_of(engine(), [queue[0]]).height == 0  # a skip stores nothing
    at.segmented_control(key="fb_mode").set_value("read").run()
    newest = text_service.comment_page(engine(), f, limit=1)["response_id"][0]
    at.button(key=f"lb_pick_{newest}").click().run()
    assert at.segmented_control(key="fb_mode").value == "label"
    assert _form_rid(at) == newest
    at.button(key=f"lb_positive_{newest}").click().run()
    assert text_service.labels_of(engine(), [newest])["sentiment"].to_list() == ["positive"]
    assert _form_rid(at) != newest


def test_managers_and_executives_cannot_label(store):
    at = signed_in(MANAGER, "feedback", {"fb_mode": "label"})
    assert not [s for s in at.get("segmented_control") if s.proto.id.endswith("fb_mode")]
    assert not [b for b in at.button if (b.key or "").startswith("lb_")]
    with pytest.raises(ValueError, match="not a registered page|Could not find"):
        at.switch_page("../pages/sentiment_model.py")


# -- the sentiment model --------------------------------------------------------------------


def test_training_shows_quality_before_anything_changes_and_switches_on_only_on_click(store):
    fresh_business()
    label_some(60)
    at = signed_in(ADMIN, "sentiment_model")
    assert any("No model is switched on" in i.value for i in at.info)
    labels = frame(at, "Total")
    assert labels["Total"].sum() == 60
    at.button(key="sm_train").click().run()
    assert not at.exception, [e.message for e in at.exception]
    (model,) = text_service.models(engine()).to_dicts()
    metrics = json.loads(model["metrics"])
    assert not model["active"]
    # nothing changed yet: every unlabelled comment is still the baseline's
    sources = db.fetch(sa.select(schema.comment_facts.c.sentiment_source), engine())
    assert set(sources["sentiment_source"]) == {"baseline", "label"}
    tiles = {m.label: m.value for m in at.metric}
    assert tiles["Macro-F1 (cross-validated)"] == charts.fmt_number(metrics["macro_f1"], 2)
    assert tiles["Baseline on the same labels"] == charts.fmt_number(
        metrics["baseline"]["macro_f1"], 2
    )
    quality = frame(at, "Labels", "Baseline")
    languages = {lang for lang in metrics["per_language"]}
    assert len(quality) == len(languages) + 1  # each language, then all
    assert quality["Labels"].iloc[-1] == 60
    confusion = frame(at, "Labelled as")
    matrix = confusion.drop(columns=["Labelled as"]).to_numpy().tolist()
    assert matrix == metrics["confusion"]["matrix"]
    counts = next(m.value for m in at.markdown if m.value.startswith("**Labels per sentiment**"))
    assert f"Negative {metrics['class_counts']['negative']}" in counts
    version = model["version"]
    at.button(key=f"sm_on_{version}").click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert text_service.models(engine())["active"].to_list() == [True]
    sources = db.fetch(sa.select(schema.comment_facts.c.sentiment_source), engine())
    assert set(sources["sentiment_source"]) == {"model", "label"}
    assert {m.label: m.value for m in at.metric}["Model"] == f"version {version}"
    at.switch_page("../pages/feedback.py").run()
    assert f"Sentiment: **model {version}**" in " ".join(captions(at))


def test_too_few_labels_say_so_and_training_waits(store):
    fresh_business()
    label_some(10)
    at = signed_in(ANALYST, "sentiment_model")
    assert at.button(key="sm_train").disabled
    assert any("10 comments labelled; label at least 30" in i.value for i in at.info)


def test_a_scoped_analyst_labels_in_scope_but_may_not_train(store, base_store):
    region = base_store[1]
    label_some(40)
    at = signed_in(SCOPED_ANALYST, "sentiment_model")
    assert not [b for b in at.button if b.key == "sm_train"]
    assert any("only someone who sees the whole store" in c for c in captions(at))
    at = signed_in(SCOPED_ANALYST, "feedback", {"fb_mode": "label"})
    rid = _form_rid(at)
    region_of = db.fetch(
        sa.select(schema.customers.c.region)
        .select_from(schema.feedback.join(schema.customers,
                     schema.customers.c.customer_id == schema.feedback.c.customer_id))
        .where(schema.feedback.c.response_id == rid),
        engine(),
    )  # fmt: skip
    assert region_of["region"].to_list() == [region]


def test_scoped_feedback_counts_are_the_scopes(store, base_store):
    region = base_store[1]
    at = signed_in(SCOPED_ANALYST, "feedback")
    viewer = Viewer(SCOPED_ANALYST, "analyst", Scope.of({"region": [region]}))
    with access.acting_as(viewer):
        scoped = text_service.comment_total(engine(), page_filters())
    everyone = text_service.comment_total(engine(), page_filters())
    assert 0 < scoped < everyone
    assert total_caption(at).startswith(f"{scoped:,} comments")


def test_a_new_model_replaces_the_one_in_use_only_on_click(store):
    at = signed_in(ADMIN, "sentiment_model")
    assert {m.label: m.value for m in at.metric}["Model"] == "version 1"
    at.button(key="sm_train").click().run()
    assert not at.exception, [e.message for e in at.exception]
    stored = {m["version"]: m["active"] for m in text_service.models(engine()).to_dicts()}
    assert stored == {1: True, 2: False}
    facts = db.fetch(sa.select(schema.comment_facts.c.model_version), engine())
    assert set(facts["model_version"].drop_nulls()) == {1}
    assert any(s.value == "Trained, not switched on: version 2" for s in at.subheader)
    at.button(key="sm_on_2").click().run()
    stored = {m["version"]: m["active"] for m in text_service.models(engine()).to_dicts()}
    assert stored == {1: False, 2: True}
    facts = db.fetch(sa.select(schema.comment_facts.c.model_version), engine())
    assert set(facts["model_version"].drop_nulls()) == {2}


# -- the themes admin -----------------------------------------------------------------------


def test_a_taxonomy_error_is_shown_by_line_and_nothing_is_saved(store):
    at = signed_in(ADMIN, "themes")
    source = at.text_area(key="th_source").value
    assert source == text_service.current_taxonomy(engine()).source
    broken = source.replace('label = "Price"', 'lable = "Price"')
    line = broken.splitlines().index('lable = "Price"') + 1
    at.text_area(key="th_source").set_value(broken).run()
    (error,) = at.error
    assert f"error on line {line}" in error.value and "lable" in error.value
    assert at.code[0].value == f'{line}: lable = "Price"'
    at.button(key="th_save").click().run()
    assert text_service.taxonomy_saved(engine()) is None  # nothing stored
    assert not at.success


def test_editing_previews_counts_then_saving_rethemes(store):
    at = signed_in(ADMIN, "themes")
    source = at.text_area(key="th_source").value
    edited = source.replace('vi = ["giá", ', 'vi = ["giá", "quá mắc", ', 1)
    assert edited != source
    at.text_area(key="th_source").set_value(edited).run()
    assert any("Edited, not saved" in i.value for i in at.info)
    report = text_service.keyword_report(
        engine(), text_service.themes.parse(edited), page_filters()
    )
    shown = frame(at, "name", "share")
    assert (
        list(shown["comments"]) == report.filter(pl.col("keyword").is_null())["comments"].to_list()
    )
    at.button(key="th_save").click().run()
    saved = text_service.taxonomy_saved(engine())
    assert saved["version"] == 1 and saved["saved_by"] == ADMIN and saved["source"] == edited
    assert any("Saved as version 1" in s.value for s in at.success)


def test_theme_quality_against_people_labels(store):
    page = text_service.comment_page(engine(), Filters(), theme="delivery", limit=3)
    for rid in page["response_id"]:
        text_service.set_label(engine(), rid, "negative", ["delivery"], by=ADMIN)
    at = signed_in(ADMIN, "themes")
    quality = frame(at, "true_positives")
    expected = text_service.theme_quality(engine())
    delivery = expected.filter(pl.col("theme") == "delivery").row(0, named=True)
    assert delivery["labelled"] == 3
    row = quality[quality["theme"] == "Delivery"].iloc[0]
    assert row["labelled"] == 3 and row["true_positives"] == delivery["true_positives"]


def test_only_admins_reach_the_themes_page(store):
    at = signed_in(ANALYST, "feedback")
    with pytest.raises(ValueError, match="not a registered page|Could not find"):
        at.switch_page("../pages/themes.py")


# -- where sentiment and themes show ---------------------------------------------------------


def test_what_customers_say_draws_the_views_and_says_baseline(store):
    at = signed_in(MANAGER, "comments")
    assert "baseline" not in chart_spec(at, "chart_themes")["layout"]["title"]["text"]
    fresh_business()
    at = signed_in(MANAGER, "comments")
    f = page_filters()
    themes = text_service.theme_touchpoint_table(engine(), f)
    spec = chart_spec(at, "chart_themes")
    assert "baseline" in spec["layout"]["title"]["text"]
    trend = chart_spec(at, "chart_theme_trend")
    assert trend["data"]
    table = frame(at, "net_sentiment")
    assert table["comments"].sum() == themes["comments"].sum()
    links = [p.proto for p in at.get("page_link") if p.proto.page == "feedback"]
    worst = (
        themes.group_by("theme")
        .agg(pl.col("negative").sum())
        .sort(["negative", "theme"], descending=[True, False])
    )
    assert links and "fb_theme=" + worst["theme"][0] in links[0].query_string


def test_sentiment_is_the_heatmaps_fourth_score(store):
    at = signed_in(MANAGER, "funnel_touchpoints", {"hm_metric": "sentiment", "hm_by": "segment"})
    assert at.segmented_control(key="hm_metric").value == "sentiment"
    cells = text_service.sentiment_cells(engine(), page_filters(), "segment", "net")
    spec = chart_spec(at, "heatmap_sentiment")
    assert spec["layout"]["title"]["text"].startswith("Net sentiment by touchpoint and segment")
    hover = " ".join(t for trace in spec["data"] for t in trace.get("hovertext") or [])
    shown = cells.filter(pl.col("value").is_not_null())
    assert shown.height > 0
    for row in shown.iter_rows(named=True):
        assert (
            f"<b>{row['touchpoint']} × {row['segment']}</b><br>Net sentiment: "
            f"{charts.fmt_score(row['value'])}<br>n = {row['n']}"
        ) in hover


def test_the_customer_view_shows_each_comments_sentiment_and_themes(store):
    f = page_filters()
    row = (
        text_service.comment_page(engine(), f, theme="delivery", limit=50)
        .filter(pl.col("customer_id").is_not_null())
        .row(0, named=True)
    )
    at = signed_in(MANAGER, "customer", {"customer": row["customer_id"]})
    view = customers.customer_view(engine(), row["customer_id"])
    said = [r for r in view["responses"] if r["sentiment"]]
    badges = [m.value for m in at.markdown if "-badge[:material/sentiment_" in m.value]
    assert said and len(badges) == len(said)
    assert any(":violet-badge[Delivery]" in b for b in badges)
