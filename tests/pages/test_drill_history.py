"""The browser's Back button undoes drill steps (issue 13, item 14).

Every drill step writes a new address, and the browser keeps each in its history; going
back reruns the app with the older address. AppTest does that by running again with the
earlier query parameters. The app must then show what that address says -- not write
the newer state back over it.
"""

from __future__ import annotations

import pytest

from dashboard import service, state
from tests.pages.test_pages import (  # noqa: F401 -- fixtures
    app,
    engine,
    filters_for,
    small_store,
    store_env,
)

pytestmark = pytest.mark.usefixtures("store_env")


def _cell_click(at, tp: str, group: str) -> None:
    at.session_state["heatmap_nps_segment_None_None"] = {
        "selection": {"points": [{"x": group, "y": tp, "customdata": [tp, group]}],
                      "point_indices": [0], "box": [], "lasso": []},
    }  # fmt: skip
    at.run()


def test_back_closes_the_heatmap_drill_down():
    at = app("funnel_touchpoints")
    before = dict(at.query_params)
    cells = service.get_heatmap(engine(), filters_for(state.View()), "nps", "segment")
    cell = cells.filter(cells["value"].is_not_null()).row(0, named=True)
    tp, group = cell["touchpoint"], cell["segment"]
    _cell_click(at, tp, group)
    assert at.query_params["cell_tp"] == tp
    assert f"{tp} × {group}" in [s.value for s in at.subheader]
    # Back: the address before the click
    at.query_params.clear()
    at.query_params.update(before)
    at.run()
    assert not at.exception
    assert "cell_tp" not in at.query_params and "cell_group" not in at.query_params
    assert f"{tp} × {group}" not in [s.value for s in at.subheader]
    # Forward: the drill-down again
    at.query_params.update({"cell_tp": tp, "cell_group": group})
    at.run()
    assert f"{tp} × {group}" in [s.value for s in at.subheader]


def test_back_undoes_one_segment_drill_step_at_a_time():
    at = app("segments")
    f = filters_for(state.View())
    first = service.get_segments(engine(), f, "segment")["segment"][0]
    at.session_state["segments_0_segment"] = {"selection": {"rows": [0], "columns": []}}
    at.run()
    one_step = dict(at.query_params)
    assert one_step["seg_path"] == f"segment:{first}"
    region = service.get_segments(engine(), f.replace(segment=(first,)), "region")["region"][0]
    at.session_state["segments_1_region"] = {"selection": {"rows": [0], "columns": []}}
    at.run()
    assert at.query_params["seg_path"] == [f"segment:{first}", f"region:{region}"]
    # Back: one level up, not to the start and not staying put
    at.query_params.clear()
    at.query_params.update(one_step)
    at.run()
    assert not at.exception
    assert at.query_params["seg_path"] == f"segment:{first}"
    assert "region" in at.dataframe[0].value.columns


def test_back_restores_the_filters_of_the_earlier_address():
    at = app("segments")
    before = dict(at.query_params)
    at.selectbox(key="period").set_value("all_time").run()
    assert at.query_params["period"] == "all_time"
    at.query_params.clear()
    at.query_params.update(before)
    at.run()
    assert at.selectbox(key="period").value == state.DEFAULT_PRESET
    assert "period" not in at.query_params
