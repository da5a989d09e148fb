"""Drill-downs in a real browser (issue 13, item 14): a heatmap cell opens its detail where
the eye is -- a drawer beside the heatmap, in view without scrolling -- and the browser's
Back button undoes drill steps (heatmap cell, segment path). Screenshots are kept in
``$CXDASH_TEST_OUTPUT`` (default: the test's tmp directory)."""

from __future__ import annotations

import pytest

from tests.browser import test_browser
from tests.browser.test_browser import _heatmap_cell_position, idle, open_page, query

# test_browser's fixtures: the served small store, Chromium, the screenshot folder.
server = test_browser.server
browser = test_browser.browser
output_dir = test_browser.output_dir

pytestmark = pytest.mark.browser

LAPTOP = {"width": 1440, "height": 900}


def _in_view(page, locator) -> bool:
    box = locator.bounding_box()
    size = page.viewport_size
    return (
        box is not None
        and box["y"] >= 0
        and box["y"] + box["height"] <= size["height"]
        and box["x"] >= 0
        and box["x"] + box["width"] <= size["width"]
    )


def test_heatmap_cell_opens_beside_the_heatmap_and_back_closes_it(browser, server, output_dir):
    page = open_page(browser, f"{server}/funnel_touchpoints?period=all_time")
    page.set_viewport_size(LAPTOP)
    page.wait_for_selector(".js-plotly-plot .heatmaplayer", timeout=30_000)
    idle(page)
    page.locator(".js-plotly-plot .heatmaplayer").first.scroll_into_view_if_needed()
    scrolled = page.evaluate("window.scrollY")
    cell = _heatmap_cell_position(page, column=1, row=0)
    page.mouse.click(cell["x"], cell["y"])
    heading = page.get_by_role("dialog").locator("h3", has_text=f"{cell['touchpoint']} × ")
    heading.wait_for(timeout=30_000)
    idle(page)
    page.wait_for_timeout(800)  # the drawer's slide-in
    # the detail is on screen where the click was: no scrolling, title and trend in view
    assert page.evaluate("window.scrollY") == scrolled
    assert _in_view(page, heading)
    trend = page.get_by_role("dialog").locator(".js-plotly-plot").first
    trend.wait_for(timeout=30_000)
    assert trend.bounding_box()["y"] < LAPTOP["height"]
    assert query(page)["cell_tp"] == [cell["touchpoint"]]
    page.screenshot(path=output_dir / "drill-01-cell-drawer.png")

    # Back undoes the click: the drawer closes and the address loses the cell
    page.go_back()
    page.get_by_role("dialog").wait_for(state="detached", timeout=30_000)
    idle(page)
    assert "cell_tp" not in query(page)
    assert query(page)["period"] == ["all_time"]
    page.screenshot(path=output_dir / "drill-02-after-back.png")
    # and Forward brings it back
    page.go_forward()
    heading.wait_for(timeout=30_000)
    assert query(page)["cell_tp"] == [cell["touchpoint"]]
    # the drawer's own Close button closes it and clears the address
    page.get_by_role("dialog").locator("button", has_text="Close").click()
    page.get_by_role("dialog").wait_for(state="detached", timeout=30_000)
    idle(page)
    assert "cell_tp" not in query(page)
    page.close()


def test_back_walks_the_segment_drill_path_up_one_step_at_a_time(browser, server, output_dir):
    page = open_page(browser, f"{server}/segments?period=all_time")
    page.set_viewport_size(LAPTOP)

    def pick_first_row() -> None:
        grid = page.locator('[data-testid="stDataFrame"]').first
        grid.wait_for(timeout=30_000)
        box = grid.bounding_box()
        # the first data row, in the row-selection column at the left edge
        page.mouse.click(box["x"] + 12, box["y"] + 35 + 17)
        idle(page)

    pick_first_row()
    page.wait_for_function("() => location.search.includes('seg_path')", timeout=30_000)
    idle(page)
    one = query(page)["seg_path"]
    assert len(one) == 1
    pick_first_row()
    page.wait_for_function(
        "() => new URLSearchParams(location.search).getAll('seg_path').length === 2",
        timeout=30_000,
    )
    idle(page)
    page.screenshot(path=output_dir / "drill-03-segments-two-steps.png")
    page.go_back()
    page.wait_for_function(
        "() => new URLSearchParams(location.search).getAll('seg_path').length === 1",
        timeout=30_000,
    )
    idle(page)
    page.wait_for_timeout(1000)  # the app must not write the deeper path back
    assert query(page)["seg_path"] == one
    # the page is one level deep again: its groups are regions, not the next dimension
    assert page.get_by_text("by region").first.is_visible()
    assert not page.get_by_text("by acquisition channel").count()
    page.screenshot(path=output_dir / "drill-04-segments-after-back.png")
    page.go_back()
    page.wait_for_function("() => !location.search.includes('seg_path')", timeout=30_000)
    idle(page)
    page.wait_for_timeout(1000)
    assert "seg_path" not in query(page)
    page.close()
