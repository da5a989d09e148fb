"""Crashes under concurrent first use (issue 13, item 11).

- A run can reach a page's read of a widget's state before the widget has set it (or
  with it emptied to None): the page must fall back to the default, never
  ``METRIC_SHORT[None]`` -> ``KeyError: None``.
- Plotly takes numpy/pandas from ``sys.modules`` while another session may still be
  importing them: the entry script imports them completely first (``ui.startup``).
"""

from __future__ import annotations

import ast
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.pages.test_pages import APP, app, small_store, store_env  # noqa: F401

# Every page widget whose state a page reads, per page.
WIDGETS = {
    "overview": ["ov_metric", "ov_by"],
    "funnel_touchpoints": ["fn_steps", "fn_by", "fn_window", "hm_metric", "hm_by", "fs_step"],
    "segments": ["seg_root", "seg_path"],
    "nps_trends": ["tr_grain", "tr_by"],
    "feedback": ["fb_band", "fb_search"],
}


@pytest.mark.parametrize("page", list(WIDGETS))
def test_widget_state_emptied_to_none_falls_back_to_the_default(store_env, page):  # noqa: F811
    at = app(page)
    for key in WIDGETS[page]:
        at.session_state[key] = None
    at.run()
    assert not at.exception, [e.message for e in at.exception]


def test_widget_value_reads_safely(monkeypatch):
    import streamlit as st

    from dashboard.ui import url_state

    fake = {"a": None, "b": "nps", "c": "bogus", "d": ["visit", "nope"]}
    monkeypatch.setattr(st, "session_state", fake)
    assert url_state.widget_value("missing", "x") == "x"
    assert url_state.widget_value("a", "nps", ["nps", "csat"]) == "nps"
    assert url_state.widget_value("b", "csat", ["nps", "csat"]) == "nps"
    assert url_state.widget_value("c", "csat", ["nps", "csat"]) == "csat"
    assert url_state.widget_value("d", [], ["visit", "cart"]) == ["visit"]


def test_no_page_indexes_widget_state():
    """The audit, kept: pages read widgets through ui.widget_value / .get, never [key]."""
    root = Path(APP).resolve().parent.parent
    allowed = {"_cx_filters", "_cx_view", "_cx_options"}  # set by the entry script first
    offenders = []
    for path in [*(root / "pages").glob("*.py"), *(root / "dashboard" / "ui").glob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Subscript)
                and isinstance(node.ctx, ast.Load)
                and isinstance(node.value, ast.Attribute)
                and node.value.attr == "session_state"
                and not (isinstance(node.slice, ast.Constant) and node.slice.value in allowed)
            ):
                offenders.append(f"{path.name}:{node.lineno}")
    assert offenders == []


WORKLOAD = textwrap.dedent(
    """
    import sys, threading
    sys.path.insert(0, {root!r})
    {warm}
    import plotly.graph_objects as go
    errors = []
    barrier = threading.Barrier(16)
    def draw():
        barrier.wait()
        try:
            fig = go.Figure(go.Scatter(x=[1, 2], y=[3, 4]))
            fig.to_json()
        except Exception as exc:
            errors.append(repr(exc))
    threads = [threading.Thread(target=draw) for _ in range(16)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    print(len(errors), errors[:1])
    """
)


def test_sessions_drawing_at_once_after_warm_up_never_see_half_imported_pandas():
    root = str(Path(APP).resolve().parent.parent)
    warm = "from dashboard.ui.startup import warm_up; warm_up()"
    for _ in range(4):  # without the warm-up this fails most runs
        script = WORKLOAD.format(root=root, warm=warm)
        out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                             timeout=120, check=True).stdout  # fmt: skip
        assert out.startswith("0 "), out


def test_the_entry_script_warms_up_before_anything_else():
    source = Path(APP).read_text(encoding="utf-8")
    assert source.index("warm_up()") < source.index("from dashboard import db, service, ui")


def test_the_heatmap_keeps_a_score_beyond_the_three(store_env):  # noqa: F811
    from dashboard.views.dashboard import SENTIMENT_METRIC

    at = app("funnel_touchpoints")
    at.segmented_control(key="hm_metric").set_value(SENTIMENT_METRIC).run()
    assert not at.exception
    assert at.query_params["hm_metric"] == SENTIMENT_METRIC
    ids = [e.proto.id for e in at.get("plotly_chart")]
    assert not any("heatmap_nps" in i for i in ids), ids  # not silently back to NPS
