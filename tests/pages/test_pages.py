"""Every page through streamlit's AppTest on a small store.

Each test compares what the page shows with what the service returns for the
same filters, changes widgets, round-trips the URL parameters and walks the
drill-downs (heatmap cell -> detail; segment row -> next dimension -> back).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from dashboard import charts, db, service, state
from dashboard.config import get_settings
from dashboard.metrics.groups import TOP_GROUPS
from dashboard.text import service as text_service
from queries.filters import Filters
from tests.stores import build_store

APP = Path(__file__).resolve().parent.parent.parent / "dashboard" / "app.py"
PAGES = {
    "overview": "Overview",
    "funnel_touchpoints": "Funnel & touchpoints",
    "segments": "Segments",
    "nps_trends": "NPS trends",
    "feedback": "Feedback",
}
TIMEOUT = 60


@pytest.fixture(scope="session")
def small_store(tmp_path_factory) -> str:
    url = f"duckdb:///{tmp_path_factory.mktemp('pages') / 'small.duckdb'}"
    build_store(url)
    return url


def _clear_caches() -> None:
    db.engine_for.cache_clear()
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture
def store_env(small_store, monkeypatch) -> str:
    monkeypatch.setenv("CXDASH_DATABASE_URL", small_store)
    _clear_caches()
    yield small_store
    _clear_caches()


def app(page: str | None = None, params: dict | None = None) -> AppTest:
    """A fresh session opened on ``page`` with the URL query ``params`` (a shared link)."""
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.query_params.update(params or {})
    if page and page != "overview":
        at.switch_page(f"../pages/{page}.py")  # url_path == file stem, so no run needed
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    if page:
        assert at.title[0].value == PAGES[page]
    return at


def engine():
    return db.engine_for(get_settings().database_url)


def filters_for(view: state.View) -> Filters:
    earliest, latest = service.data_range(engine())
    return view.to_filters(latest, earliest, get_settings().min_n)


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def plotly_spec(at: AppTest, key_part: str) -> dict:
    for element in at.get("plotly_chart"):
        if key_part in element.proto.id:
            return json.loads(element.proto.spec)
    raise AssertionError(f"no chart with key {key_part!r}")


# -- every page ------------------------------------------------------------------------


@pytest.mark.parametrize("page", list(PAGES))
def test_every_page_renders_with_filters_in_words(store_env, page):
    at = app(page)
    assert at.title[0].value == PAGES[page]
    words = state.describe_filters(filters_for(state.View()))
    assert at.caption[0].value == words
    assert "all segments · all regions" in words


def test_overview_shows_the_service_kpis_and_deltas(store_env):
    at = app()
    f = filters_for(state.View())
    kpis = service.get_kpis(engine(), f)
    shown = metrics(at)
    assert shown["Customers"] == charts.fmt_int(kpis["customers"])
    assert shown["Revenue"] == charts.fmt_vnd_short(kpis["revenue"])
    assert shown["NPS"] == charts.fmt_score(kpis["nps"])
    assert shown["CSAT"] == charts.fmt_pct(kpis["csat"])
    assert shown["CES"] == charts.fmt_score(kpis["ces"])
    deltas = {r["metric"]: r for r in service.compare_kpis(engine(), f).iter_rows(named=True)}
    nps_tile = next(m for m in at.metric if m.label == "NPS")
    assert nps_tile.delta == f"{deltas['nps']['delta']:+.1f}"
    moved = plotly_spec(at, "moved_touchpoints")
    expected = service.what_moved(engine(), f, "nps", "touchpoint")
    assert moved["data"][0]["x"] == pytest.approx(expected["delta"].to_list()[:10])
    at.segmented_control(key="ov_metric").set_value("csat").run()
    at.selectbox(key="ov_by").set_value("region").run()
    moved = plotly_spec(at, "moved_groups")
    expected = service.what_moved(engine(), f, "csat", "region")
    assert moved["data"][0]["y"] == [str(g) for g in expected["group"].to_list()[:10]]
    assert moved["layout"]["title"]["text"] == "Region: CSAT change"
    assert at.query_params["ov_metric"] == "csat" and at.query_params["ov_by"] == "region"


def test_changing_a_filter_widget_changes_the_numbers_and_the_url(store_env):
    at = app()
    before = metrics(at)["Customers"]
    segment = service.options(engine())["segment"][0]
    at.multiselect(key="segment").set_value([segment]).run()
    f = filters_for(state.View(selections=(("segment", (segment,)),)))
    kpis = service.get_kpis(engine(), f)
    assert metrics(at)["Customers"] == charts.fmt_int(kpis["customers"]) != before
    assert at.query_params["segment"] == segment
    assert at.caption[0].value.split(" · ")[1] == segment
    reset = next(b for b in at.button if b.label == "Reset filters")
    reset.click().run()
    assert metrics(at)["Customers"] == before
    assert "segment" not in at.query_params


def test_period_preset_and_compare_toggle(store_env):
    at = app()
    at.selectbox(key="period").set_value("last_quarter").run()
    f = filters_for(state.View(preset="last_quarter"))
    assert at.caption[0].value.startswith(state.describe_period(f.date_from, f.date_to))
    assert metrics(at)["Orders"] == charts.fmt_int(service.get_kpis(engine(), f)["orders"])
    assert at.query_params["period"] == "last_quarter"
    at.toggle(key="compare").set_value(False).run()
    assert all(m.delta is None or m.delta == "" for m in at.metric)
    assert at.query_params["compare"] == "0"


def test_url_parameters_round_trip(store_env):
    options = service.options(engine())
    segments, region = options["segment"][:2], options["region"][0]
    params = {
        "period": "custom", "from": "2025-01-01", "to": "2025-06-30",
        "segment": segments, "region": region,
    }  # fmt: skip
    at = app(params=params)
    # same widget state ...
    assert at.selectbox(key="period").value == "custom"
    assert tuple(at.date_input(key="dates").value) == (dt.date(2025, 1, 1), dt.date(2025, 6, 30))
    assert sorted(at.multiselect(key="segment").value) == sorted(segments)
    assert at.multiselect(key="region").value == [region]
    # ... same numbers ...
    view = state.View.from_params(params)
    kpis = service.get_kpis(engine(), filters_for(view))
    assert metrics(at)["Customers"] == charts.fmt_int(kpis["customers"])
    assert at.caption[0].value.startswith("Jan–Jun 2025")
    # ... and the URL written back is the one we came with
    written = {k: (v if isinstance(v, list) else [v]) for k, v in at.query_params.items()}
    assert state.View.from_params(written) == view


def test_bad_url_values_fall_back_instead_of_failing(store_env):
    at = app(params={"period": "fortnight", "segment": "No such segment", "from": "soon"})
    assert at.selectbox(key="period").value == state.DEFAULT_PRESET
    assert at.multiselect(key="segment").value == []


# -- funnel & touchpoints ---------------------------------------------------------------


def test_funnel_and_heatmap_show_the_service_numbers(store_env):
    at = app("funnel_touchpoints")
    f = filters_for(state.View())
    funnel = service.get_funnel(engine(), f)
    table = at.dataframe[0].value
    assert table["customers"].tolist() == funnel["customers"].to_list()
    cells = service.get_heatmap(engine(), f, "nps", "segment")
    spec = plotly_spec(at, "heatmap_nps_segment")
    texts = {(a["y"], a["x"]): a["text"] for a in spec["layout"]["annotations"]}
    row = cells.filter(cells["value"].is_not_null()).row(0, named=True)
    assert texts[(row["touchpoint"], row["segment"])].startswith(charts.fmt_score(row["value"]))


def test_funnel_widgets_and_breakdown(store_env):
    at = app("funnel_touchpoints")
    at.pills(key="fn_by").set_value("channel").run()
    f = filters_for(state.View())
    # the page shows the largest groups and "(other)" unless "All groups" is on
    by_channel = service.get_funnel(engine(), f, None, None, "channel", top=TOP_GROUPS)
    assert at.dataframe[0].value["customers"].tolist() == by_channel["customers"].to_list()
    assert at.query_params["fn_by"] == "channel"
    at.number_input(key="fn_window").set_value(2).run()
    narrow = service.get_funnel(engine(), f, None, 2.0, "channel", top=TOP_GROUPS)
    assert at.dataframe[0].value["customers"].tolist() == narrow["customers"].to_list()
    assert at.query_params["fn_window"] == "2"
    at.toggle(key="all_groups").set_value(True).run()
    every = service.get_funnel(engine(), f, None, 2.0, "channel")
    assert at.dataframe[0].value["customers"].tolist() == every["customers"].to_list()
    assert at.query_params["all_groups"] == "1"


def test_heatmap_cell_drills_into_trend_and_comments_and_back(store_env):
    at = app("funnel_touchpoints")
    f = filters_for(state.View())
    cells = service.get_heatmap(engine(), f, "nps", "segment")
    cell = cells.filter(cells["value"].is_not_null()).row(0, named=True)
    tp, group = cell["touchpoint"], cell["segment"]
    # a click on the cell arrives as the chart's selection
    at.session_state["heatmap_nps_segment_None_None"] = {
        "selection": {"points": [{"x": group, "y": tp, "customdata": [tp, group]}],
                      "point_indices": [0], "box": [], "lasso": []},
    }  # fmt: skip
    at.run()
    assert f"{tp} × {group}" in [s.value for s in at.subheader]
    assert at.query_params["cell_tp"] == tp and at.query_params["cell_group"] == group
    cell_f = f.replace(touchpoint=(tp,), segment=(group,))
    trend = service.get_nps_trend(engine(), cell_f, "month")
    spec = plotly_spec(at, "cell_trend")
    assert spec["data"][-1]["y"] == pytest.approx(trend["nps"].to_list(), nan_ok=True)
    comments = service.get_comments(engine(), cell_f, None, None, 8, 0)
    shown = [t.value for t in at.text]
    assert shown[: comments.height] == comments["comment"].to_list()
    # the drill-down is in the URL: a fresh session on that URL shows the same detail
    again = app("funnel_touchpoints", params={"cell_tp": tp, "cell_group": group})
    assert f"{tp} × {group}" in [s.value for s in again.subheader]
    # close it
    next(b for b in at.button if b.label == "Close").click().run()
    assert f"{tp} × {group}" not in [s.value for s in at.subheader]
    assert "cell_tp" not in at.query_params


# -- segments ------------------------------------------------------------------------------


def test_segment_row_drills_into_the_next_dimension_and_back(store_env):
    at = app("segments")
    f = filters_for(state.View())
    frame = service.get_segments(engine(), f, "segment")
    table = at.dataframe[0].value
    assert table["segment"].tolist() == frame["segment"].to_list()
    assert table["customers"].tolist() == frame["customers"].to_list()
    chosen = frame["segment"][0]
    at.session_state["segments_0_segment"] = {"selection": {"rows": [0], "columns": []}}
    at.run()
    assert at.query_params["seg_path"] == f"segment:{chosen}"
    regions = service.get_segments(engine(), f.replace(segment=(chosen,)), "region")
    table = at.dataframe[0].value
    assert table["region"].tolist() == regions["region"].to_list()
    assert table["customers"].tolist() == regions["customers"].to_list()
    assert at.caption[0].value.split(" · ")[1] == chosen  # the drill narrows the words too
    # breadcrumb back to all segments
    next(b for b in at.button if b.label.startswith("All segments")).click().run()
    assert "seg_path" not in at.query_params
    assert "segment" in at.dataframe[0].value.columns


def test_segments_compare_two_groups(store_env):
    at = app("segments")
    groups = at.selectbox(key="cmp_a_segment").options
    at.selectbox(key="cmp_b_segment").set_value(groups[-1]).run()
    compare = at.dataframe[1].value
    assert list(compare.columns) == ["KPI", groups[0], groups[-1]]
    spec = plotly_spec(at, "segment_compare")
    assert [t["name"].split(" (")[0] for t in spec["data"]] == [groups[0], groups[-1]]


# -- NPS trends & feedback --------------------------------------------------------------------


def test_nps_trend_grain_and_lines_per_group(store_env):
    at = app("nps_trends")
    f = filters_for(state.View())
    monthly = service.get_nps_trend(engine(), f, "month")
    assert plotly_spec(at, "chart_nps_trend")["data"][-1]["y"] == pytest.approx(
        monthly["nps"].to_list(), nan_ok=True
    )
    at.segmented_control(key="tr_grain").set_value("week").run()
    weekly = service.get_nps_trend(engine(), f, "week")
    assert len(plotly_spec(at, "chart_nps_trend")["data"][-1]["y"]) == weekly.height
    at.pills(key="tr_by").set_value("segment").run()
    names = {t.get("name") for t in plotly_spec(at, "nps_trend_by_group")["data"]}
    assert set(service.get_nps_trend(engine(), f, "week", "segment")["segment"]) <= names
    assert at.query_params["tr_grain"] == "week" and at.query_params["tr_by"] == "segment"


def test_nps_trend_target_line_for_one_touchpoint(store_env):
    targets = service.touchpoint_targets(engine())
    row = targets.filter(targets["target_nps"].is_not_null()).row(0, named=True)
    at = app("nps_trends", params={"touchpoint": row["touchpoint"]})
    shapes = plotly_spec(at, "chart_nps_trend")["layout"].get("shapes", [])
    assert any(s.get("y0") == row["target_nps"] for s in shapes)


def test_feedback_band_search_and_paging(store_env):
    at = app("feedback")
    f = filters_for(state.View())
    total = text_service.comment_total(engine(), f)
    assert at.caption[2].value.startswith(f"{total:,} comments")
    at.segmented_control(key="fb_band").set_value("detractor").run()
    detractors = text_service.comment_total(engine(), f, band="detractor")
    assert at.caption[2].value.startswith(f"{detractors:,} comments") and detractors < total
    first = text_service.comment_page(engine(), f, band="detractor", limit=20)
    assert [t.value for t in at.text][:3] == first["comment"].head(3).to_list()
    word = first["comment"][0].split()[-1]
    at.text_input(key="fb_search").set_value(word).run()
    found = text_service.comment_total(engine(), f, band="detractor", search=word)
    assert at.caption[2].value.startswith(f"{found:,} comments")
    assert at.query_params["fb_band"] == "detractor" and at.query_params["fb_search"] == word


# -- store states ------------------------------------------------------------------------------


def test_empty_store_says_how_to_get_data(tmp_path, monkeypatch):
    url = f"duckdb:///{tmp_path / 'empty.duckdb'}"
    engine_ = db.create_engine(url, external_access=True)

    db.create_schema(engine_)
    engine_.dispose()
    monkeypatch.setenv("CXDASH_DATABASE_URL", url)
    _clear_caches()
    at = app()
    assert "cxdash demo-data" in at.info[0].value
    _clear_caches()


def test_unreachable_store_is_a_message_not_a_traceback(monkeypatch):
    monkeypatch.setenv(
        "CXDASH_DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2"
    )
    _clear_caches()
    at = app()
    assert "Cannot open the data store" in at.error[0].value
    assert "Cannot reach the database" in at.error[0].value
    _clear_caches()


def test_every_chart_and_table_has_its_download_menu(store_env):
    at = app("funnel_touchpoints")
    keys = {b.key for b in at.download_button}
    for name in ("funnel", "heatmap"):
        assert {f"_cx_download_{name}_png", f"_cx_download_{name}_html"} & keys, name
    assert "_cx_download_funnel_steps_csv" in keys
    assert "_cx_report_funnel" in keys or any(b.key == "_cx_report_funnel" for b in at.button)


def test_data_page_is_routed_when_present(store_env):
    if not (APP.parent.parent / "pages" / "data.py").exists():
        pytest.skip("pages/data.py (the import page) is not in this checkout")
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.switch_page("../pages/data.py").run()
    assert not at.exception, [e.message for e in at.exception]
    assert "Data" in at.title[0].value
    assert not at.multiselect  # the global filters are not drawn on the admin page


def test_page_parameters_round_trip(store_env):
    params = {"fn_by": "channel", "fn_window": "7", "hm_metric": "csat", "hm_by": "region"}
    at = app("funnel_touchpoints", params=params)
    assert at.pills(key="fn_by").value == "channel"
    assert at.number_input(key="fn_window").value == 7
    assert at.segmented_control(key="hm_metric").value == "csat"
    assert at.selectbox(key="hm_by").value == "region"
    f = filters_for(state.View())
    funnel = service.get_funnel(engine(), f, None, 7.0, "channel", top=TOP_GROUPS)
    assert at.dataframe[0].value["customers"].tolist() == funnel["customers"].to_list()
    assert plotly_spec(at, "heatmap_csat_region")["layout"]["title"]["text"].startswith("CSAT")
    assert {k: at.query_params[k] for k in params} == params
    # unknown values in a link fall back to the defaults
    for window in ("soon", "1000", "0"):
        bad = app("funnel_touchpoints", params={"hm_by": "shoe_size", "fn_window": window})
        assert bad.selectbox(key="hm_by").value == "segment"
        assert bad.number_input(key="fn_window").value == get_settings().conversion_window_days


def test_a_link_to_a_period_without_data_says_so(store_env):
    params = {"period": "custom", "from": "2010-01-01", "to": "2010-01-31"}
    for page in PAGES:
        at = app(page, params=params)
        assert at.caption[0].value.startswith("Jan 2010")
        assert at.info, page  # "no data for these filters" instead of an error


def test_store_without_tables_says_how_to_create_them(tmp_path, monkeypatch):
    monkeypatch.setenv("CXDASH_DATABASE_URL", f"duckdb:///{tmp_path / 'bare.duckdb'}")
    _clear_caches()
    at = app()
    assert "cxdash init-db" in at.info[0].value
    assert not at.error
    _clear_caches()
