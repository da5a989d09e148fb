"""A shared Vietnamese link in a real browser, then the switch to English in the sidebar."""

from __future__ import annotations

import re

import pytest

from tests.browser import test_browser
from tests.browser.test_browser import IDLE, idle, open_page, query, title

pytestmark = pytest.mark.browser

# The browser tests' fixtures: `cxdash serve` on a small store, headless Chromium.
server, browser, output_dir = test_browser.server, test_browser.browser, test_browser.output_dir


def sidebar_nav(page) -> list[str]:
    links = page.locator('[data-testid="stSidebarNav"] a')
    # each link reads "<icon name>\n\n<title>"
    return [links.nth(i).inner_text().strip().split("\n")[-1] for i in range(links.count())]


def test_a_shared_vietnamese_link_then_english_from_the_sidebar(browser, server, output_dir):
    page = open_page(browser, f"{server}/funnel_touchpoints?lang=vi&period=all_time")
    assert title(page) == "Phễu & điểm chạm"
    assert "Tổng quan" in sidebar_nav(page) and "Phân khúc" in sidebar_nav(page)
    page.get_by_text("Mức độ hài lòng theo điểm chạm").wait_for(timeout=30_000)
    page.wait_for_selector(".js-plotly-plot .heatmaplayer", timeout=30_000)
    funnel_text = page.locator(".js-plotly-plot").first.inner_text()
    assert "Số khách hàng đạt từng bước của phễu" in funnel_text
    assert re.search(r"\d{1,3}(\.\d{3})+", funnel_text)  # 1.998: thousands with a dot
    assert query(page)["lang"] == ["vi"] and query(page)["period"] == ["all_time"]
    period = page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').first
    assert period.locator("input").input_value() == "Toàn bộ thời gian"
    page.screenshot(path=output_dir / "20-shared-link-vi.png", full_page=True)

    # the reader prefers English: the sidebar switch, named in each language
    page.locator('[data-testid="stSidebar"]').get_by_text("English", exact=True).click()
    page.wait_for_function(
        "() => document.querySelector('h1') && document.querySelector('h1').innerText.trim()"
        " === 'Funnel & touchpoints'", timeout=30_000,
    )  # fmt: skip
    page.wait_for_selector(IDLE, timeout=30_000)
    idle(page)
    assert query(page)["lang"] == ["en"]
    assert query(page)["period"] == ["all_time"]  # the view is kept
    assert "Overview" in sidebar_nav(page)
    # the select boxes show their choice in English too (not the label they had)
    assert period.locator("input").input_value() == "All time"
    funnel_text = page.locator(".js-plotly-plot").first.inner_text()
    assert "Customers reaching each funnel step" in funnel_text
    page.screenshot(path=output_dir / "21-switched-to-en.png", full_page=True)
    page.close()
