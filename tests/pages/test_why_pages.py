"""The "why" views on the pages, through AppTest on the small demo store: the Key drivers
page and funnel x satisfaction on the Funnel & touchpoints page. What a page shows is
compared with what dashboard.why returns for the same filters."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import state, why
from dashboard.i18n.formats import fmt_int, fmt_number
from tests.pages import test_pages
from tests.pages.test_pages import APP, TIMEOUT, engine, filters_for, plotly_spec

# The page tests' fixtures: the small demo store (built once per module) and the
# environment pointing at it.
small_store = test_pages.small_store
store_env = test_pages.store_env

STEPS = ("visit", "signup", "cart", "purchase", "repeat_purchase")
TITLES = {"drivers": "Key drivers of NPS", "funnel_touchpoints": "Funnel & touchpoints",
          "overview": "Overview"}  # fmt: skip


def app(page: str = "overview", params: dict | None = None) -> AppTest:
    """A fresh session on ``page`` with the URL query ``params`` (a shared link)."""
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.query_params.update(params or {})
    if page != "overview":
        at.switch_page(f"../pages/{page}.py")
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.title[0].value == TITLES[page]
    return at


# -- key drivers ---------------------------------------------------------------------------


def test_drivers_page_shows_the_model_and_its_reading(store_env):
    at = app("drivers")
    f = filters_for(state.View())
    table = why.key_drivers(engine(), f)
    assert not table.is_empty()
    boxes = [*at.info, *at.warning]
    assert why.drivers_reading(table) in [b.value for b in boxes]
    shown = {m.label: m.value for m in at.metric}
    assert shown["R² (share of NPS explained)"] == fmt_number(table["r2"][0], 2)
    assert shown["Customers with both scores"] == fmt_int(table["customers"][0])
    frame = at.dataframe[0].value
    assert frame["touchpoint"].tolist() == table["touchpoint"].to_list()
    assert frame["importance"].tolist() == pytest.approx(table["importance"].to_list())
    assert frame["ci_low"].tolist() == pytest.approx(table["ci_low"].to_list(), nan_ok=True)
    ranked = plotly_spec(at, "drivers_ranked")["data"][0]
    assert ranked["y"] == table["touchpoint"].to_list()
    quadrant = plotly_spec(at, "drivers_quadrant")["data"][0]
    shown_csat = table.filter(pl.col("csat").is_not_null())
    assert quadrant["customdata"] == shown_csat["touchpoint"].to_list()
    assert quadrant["x"] == pytest.approx(shown_csat["importance"].to_list())
    keys = {b.key for b in at.download_button}
    for name in ("drivers_quadrant", "drivers_ranked"):
        assert {f"_cx_download_{name}_png", f"_cx_download_{name}_html"} & keys, name
    assert "_cx_download_drivers_csv" in keys


def test_one_click_gives_the_drivers_of_one_segment(store_env):
    at = app("drivers")
    segment = at.pills(key="dr_segment").options[0]
    at.pills(key="dr_segment").set_value(segment).run()
    assert at.multiselect(key="segment").value == [segment]  # the global filter moved
    assert at.query_params["segment"] == segment
    f = filters_for(state.View(selections=(("segment", (segment,)),)))
    assert at.caption[0].value == state.describe_filters(f)
    table = why.key_drivers(engine(), f)
    if table.is_empty():
        assert why.drivers_verdict(engine(), f).message in [i.value for i in at.info]
    else:
        assert at.dataframe[0].value["touchpoint"].tolist() == table["touchpoint"].to_list()
    at.pills(key="dr_segment").set_value(None).run()  # again: all segments
    assert at.multiselect(key="segment").value == []


def test_a_selection_too_small_says_why_instead_of_drawing(store_env):
    at = app("drivers", params={"period": "custom", "from": "2026-10-01", "to": "2026-10-03"})
    days = state.View(preset="custom", date_from=dt.date(2026, 10, 1), date_to=dt.date(2026, 10, 3))
    f = filters_for(days)
    table = why.key_drivers(engine(), f)
    assert table.is_empty()
    message = why.drivers_verdict(engine(), f).message
    assert message in [i.value for i in at.info]
    assert not at.get("plotly_chart")


def test_overview_links_what_moved_to_the_drivers(store_env):
    at = app()
    links = at.get("page_link")
    assert any("key drivers" in link.proto.label for link in links)
    assert any(link.proto.page.endswith("drivers") for link in links)


# -- funnel x satisfaction -------------------------------------------------------------------


def fs_rows(metric: str = "nps", steps=STEPS, window: float | None = None) -> pl.DataFrame:
    f = filters_for(state.View())
    return why.funnel_satisfaction(engine(), f, steps, window, metric)


def test_funnel_page_shows_converted_vs_dropped_per_step(store_env):
    at = app("funnel_touchpoints")
    frame = fs_rows()
    step = at.segmented_control(key="fs_step").value
    assert step == _clearest_step(frame)
    spec = plotly_spec(at, "fs_chart")
    converted = [t for t in spec["data"] if t.get("name", "").startswith("Converted")]
    assert len(converted) == len(STEPS) - 1  # one panel per step after the first
    first = frame.filter(pl.col("step") == STEPS[1], pl.col("value_converted").is_not_null())
    assert converted[0]["x"] == pytest.approx(first["value_converted"].to_list())
    table = at.dataframe[1].value  # after the funnel's own table
    rows = frame.filter(pl.col("step") == step)
    assert table["n_converted"].tolist() == rows["n_converted"].to_list()
    assert table["value_dropped"].tolist() == pytest.approx(
        rows["value_dropped"].to_list(), nan_ok=True
    )


def _clearest_step(frame: pl.DataFrame) -> str:
    gaps = frame.filter(pl.col("significant").is_not_null(), pl.col("touchpoint") != "(all)")
    if gaps.is_empty():
        return STEPS[1]
    return gaps.sort(pl.col("delta").abs(), descending=True)["step"][0]


def test_the_step_follows_the_picker_the_funnel_click_and_the_score(store_env):
    at = app("funnel_touchpoints")
    at.segmented_control(key="fs_step").set_value("cart").run()
    rows = fs_rows().filter(pl.col("step") == "cart")
    assert at.dataframe[1].value["n_dropped"].tolist() == rows["n_dropped"].to_list()
    assert at.query_params["fs_step"] == "cart"
    # a click on the funnel's Signup bar picks that step
    at.session_state["chart_funnel"] = {
        "selection": {"points": [{"y": "Signup", "x": 100, "point_index": 1}],
                      "point_indices": [1], "box": [], "lasso": []},
    }  # fmt: skip
    at.run()
    assert at.segmented_control(key="fs_step").value == "signup"
    # the heatmap's score is the join's score
    at.segmented_control(key="hm_metric").set_value("csat").run()
    rows = fs_rows("csat").filter(pl.col("step") == "signup")
    assert at.dataframe[1].value["value_converted"].tolist() == pytest.approx(
        rows["value_converted"].to_list(), nan_ok=True
    )


def test_a_touchpoint_opens_the_dropped_customers_comments(store_env):
    at = app("funnel_touchpoints", params={"fs_step": "purchase"})
    rows = fs_rows().filter(pl.col("step") == "purchase")
    index = rows["touchpoint"].to_list().index("Billing")
    at.session_state["fs_table_purchase_None"] = {"selection": {"rows": [index], "columns": []}}
    at.run()
    assert at.query_params["fs_tp"] == "Billing"
    f = filters_for(state.View())
    comments = why.dropped_comments(engine(), f, STEPS, None, "purchase", "Billing", 10)
    count = why.dropped_comment_count(engine(), f, STEPS, None, "purchase", "Billing")
    assert count["comments"] > 0
    texts = [t.value for t in at.text]
    assert texts[: comments.height] == comments["comment"].to_list()
    assert any(fmt_int(count["comments"]) in c.value for c in at.caption)
    # the link opens the same view; Close empties it
    again = app("funnel_touchpoints", params={"fs_step": "purchase", "fs_tp": "Billing"})
    assert [t.value for t in again.text][: comments.height] == comments["comment"].to_list()
    next(b for b in again.button if b.key == "fs_close").click().run()
    assert "fs_tp" not in again.query_params
    assert not again.text


def test_a_click_on_a_dot_selects_step_and_touchpoint(store_env):
    at = app("funnel_touchpoints")
    step = at.segmented_control(key="fs_step").value
    at.session_state[f"fs_chart_{step}_None"] = {
        "selection": {"points": [{"x": 50, "y": "Billing",
                                  "customdata": ["cart", "Billing", "converted"]}],
                      "point_indices": [0], "box": [], "lasso": []},
    }  # fmt: skip
    at.run()
    assert at.segmented_control(key="fs_step").value == "cart"
    assert at.query_params["fs_tp"] == "Billing"


def test_without_the_comments_permission_no_comments_open(store_env, monkeypatch):
    from dashboard import access

    monkeypatch.setattr(access, "may", lambda action: action != "comments")
    at = app("funnel_touchpoints", params={"fs_step": "purchase", "fs_tp": "Billing"})
    assert at.get("plotly_chart")  # the numbers are there ...
    assert not at.text and not [b for b in at.button if b.key == "fs_close"]  # ... no comments
