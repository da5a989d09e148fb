"""End to end in a real browser: Playwright driving Debian's Chromium headless
against ``cxdash serve`` on a small demo store.

Opens each page, changes a filter, clicks a heatmap cell and sees the drill-down,
and opens the shared URL in a fresh browser session to see the same view.
Screenshots go to ``$CXDASH_TEST_OUTPUT`` (default: the test's tmp directory).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from tests.stores import build_store

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip
VIEWPORT = {"width": 1500, "height": 1100}
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'


def _chromium_or_skip() -> None:
    if Path(CHROMIUM).exists():
        return
    message = f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def shots_dir(tmp_path_factory, name: str) -> Path:
    """Where a module's screenshots go: ``$CXDASH_TEST_OUTPUT/browser`` or a tmp directory."""
    base = os.environ.get("CXDASH_TEST_OUTPUT")
    path = Path(base) / "browser" if base else tmp_path_factory.mktemp(name)
    path.mkdir(parents=True, exist_ok=True)
    return path


@contextlib.contextmanager
def serving(tmp_path_factory, url: str, name: str, **env: str) -> Iterator[str]:
    """``cxdash serve`` on a free port over the store at ``url`` (extra ``env`` on top of
    this process's); yields the base URL once healthy, stops the server afterwards."""
    port = _free_port()
    env = dict(os.environ, CXDASH_DATABASE_URL=url, STREAMLIT_SERVER_HEADLESS="true",
               STREAMLIT_BROWSER_GATHER_USAGE_STATS="false", **env)  # fmt: skip
    log = (tmp_path_factory.mktemp(f"{name}-log") / "serve.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "dashboard.cli", "serve", "--port", str(port)],
        env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(base, process)
        yield base
    finally:
        os.killpg(process.pid, signal.SIGTERM)  # serve runs streamlit as a child
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        log.close()


@contextlib.contextmanager
def chromium() -> Iterator:
    """Debian's Chromium, headless, through Playwright."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="module")
def output_dir(tmp_path_factory) -> Path:
    return shots_dir(tmp_path_factory, "browser")


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[str]:
    """``cxdash serve`` on a free port over a fresh small store; yields the base URL."""
    _chromium_or_skip()
    url = f"duckdb:///{tmp_path_factory.mktemp('served') / 'small.duckdb'}"
    build_store(url)
    with serving(tmp_path_factory, url, "served") as base:
        yield base


def _wait_healthy(base: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"cxdash serve exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as response:
                if response.read().strip() == b"ok":
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError("cxdash serve did not become healthy in time")


@pytest.fixture(scope="module")
def browser(server):
    with chromium() as browser:
        yield browser


def idle(page, timeout: float = 30_000) -> None:
    """Wait until the app has finished its run (and the charts have drawn)."""
    page.wait_for_timeout(300)
    page.wait_for_selector(IDLE, timeout=timeout)
    page.wait_for_timeout(300)


def open_page(browser, url: str):
    page = browser.new_page(viewport=VIEWPORT)
    page.goto(url)
    page.wait_for_selector("h1", timeout=60_000)
    idle(page, timeout=60_000)
    return page


def title(page) -> str:
    return page.locator("h1").first.inner_text().strip()


def filters_caption(page) -> str:
    return page.locator('[data-testid="stCaptionContainer"]').first.inner_text().strip()


def metric(page, label: str) -> str:
    tile = page.locator('[data-testid="stMetric"]', has_text=label).first
    return tile.locator('[data-testid="stMetricValue"]').inner_text().strip()


def query(page) -> dict[str, list[str]]:
    return parse_qs(urlparse(page.url).query)


def test_pages_and_a_filter_change(browser, server, output_dir):
    page = open_page(browser, server)
    assert title(page) == "Overview"
    customers = metric(page, "Customers")
    page.screenshot(path=output_dir / "01-overview.png")

    # choose the first segment in the sidebar multiselect
    page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').first.click()
    option = page.get_by_role("option").filter(has_not_text="Select all").first
    segment = option.inner_text().strip()
    option.click()
    page.keyboard.press("Escape")
    idle(page)
    page.wait_for_function(
        "s => document.querySelector('[data-testid=\"stCaptionContainer\"]').innerText"
        ".includes(' · ' + s + ' · ')", arg=segment, timeout=15_000,
    )  # fmt: skip
    assert query(page)["segment"] == [segment]
    assert metric(page, "Customers") != customers
    page.screenshot(path=output_dir / "02-overview-filtered.png")

    # the filter survives navigation to every page, and each page draws
    for number, (link, heading) in enumerate(
        [("Funnel & touchpoints", "Funnel & touchpoints"), ("Segments", "Segments"),
         ("NPS trends", "NPS trends"), ("Feedback", "Feedback")], start=3,
    ):  # fmt: skip
        page.locator('[data-testid="stSidebarNav"]').get_by_text(link, exact=True).click()
        page.wait_for_function(
            "h => document.querySelector('h1') && document.querySelector('h1').innerText"
            ".trim() === h", arg=heading, timeout=30_000,
        )  # fmt: skip
        idle(page)
        assert query(page).get("segment") == [segment], page.url
        assert f" · {segment} · " in filters_caption(page)
        assert not page.locator('[data-testid="stException"]').count()
        page.screenshot(path=output_dir / f"{number:02d}-{heading.split()[0].lower()}.png")
    page.close()


def _heatmap_cell_position(page, column: int, row: int) -> dict:
    return page.evaluate(
        """([column, row]) => {
          const gd = [...document.querySelectorAll('.js-plotly-plot')]
            .find(g => g.data.some(t => t.type === 'heatmap'));
          const layout = gd._fullLayout, box = gd.getBoundingClientRect();
          return {
            x: box.left + layout._size.l + layout.xaxis.l2p(column),
            y: box.top + layout._size.t + layout.yaxis.l2p(row),
            touchpoint: gd.data[0].y[row], group: gd.data[0].x[column],
          };
        }""",
        [column, row],
    )


def test_heatmap_cell_drill_down_and_shared_url(browser, server, output_dir):
    page = open_page(browser, f"{server}/funnel_touchpoints?period=all_time")
    page.wait_for_selector(".js-plotly-plot .heatmaplayer", timeout=30_000)
    cell = _heatmap_cell_position(page, column=1, row=0)
    page.mouse.move(cell["x"], cell["y"])
    page.mouse.click(cell["x"], cell["y"])
    heading = f"{cell['touchpoint']} × {cell['group']}"
    page.locator("h3", has_text=heading).wait_for(timeout=30_000)
    idle(page)
    params = query(page)
    assert params["cell_tp"] == [cell["touchpoint"]] and params["cell_group"] == [cell["group"]]
    assert params["period"] == ["all_time"]
    page.locator("h3", has_text=heading).scroll_into_view_if_needed()
    page.screenshot(path=output_dir / "07-heatmap-drill-down.png", full_page=True)
    shared_url, caption = page.url, filters_caption(page)
    page.close()

    # a colleague opens the link: a new browser context is a new session
    context = browser.new_context(viewport=VIEWPORT)
    other = context.new_page()
    other.goto(shared_url)
    other.locator("h3", has_text=heading).wait_for(timeout=60_000)
    idle(other)
    assert title(other) == "Funnel & touchpoints"
    assert filters_caption(other) == caption
    assert query(other) == params
    other.screenshot(path=output_dir / "08-shared-url.png", full_page=True)
    # and closes the drill-down with the drawer's X (its Close button: test_drill_ui)
    other.get_by_role("dialog").get_by_label("Close", exact=True).click()
    other.locator("h3", has_text=heading).wait_for(state="detached", timeout=30_000)
    idle(other)
    assert "cell_tp" not in query(other)
    context.close()
