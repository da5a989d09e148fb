"""Time from a filter change to the page fully drawn, in a real browser.

Serves the dashboard on a store (``cxdash serve``), drives Debian's Chromium with
Playwright, and on each page changes the period preset; the clock stops when
Streamlit reports the script run finished (``data-test-script-state``), i.e. when
every chart and table of the page is drawn. The first visit of each preset is
uncached (a query per view); going back to a preset is served from the cache.

    python benchmarks/ui_latency.py --store data/cx.duckdb            # medium demo
    python benchmarks/ui_latency.py --store data/bench/large.duckdb   # large

Prints a Markdown table of medians (ms) per page.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import Page, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeout

CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip
# page name -> URL path (the default page, Overview, lives at the root)
PAGES = {"overview": "", "funnel_touchpoints": "funnel_touchpoints", "segments": "segments",
         "nps_trends": "nps_trends", "feedback": "feedback"}  # fmt: skip
PRESETS = ("Last 30 days", "Last quarter", "Year to date", "All time", "Last 12 months")
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(store: Path, port: int) -> subprocess.Popen:
    env = dict(os.environ, CXDASH_DATABASE_URL=f"duckdb:///{store.resolve()}",
               STREAMLIT_SERVER_HEADLESS="true")  # fmt: skip
    process = subprocess.Popen(
        [sys.executable, "-m", "dashboard.cli", "serve", "--port", str(port)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    for _ in range(120):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1)
            return process
        except OSError:
            time.sleep(0.5)
    raise RuntimeError("the dashboard did not start")


# Records every change of Streamlit's script state with its time, in the page itself,
# so a run that starts and ends between two polls is still seen.
OBSERVER = """
() => {
  window.__cxStates = [];
  new MutationObserver((changes) => changes.forEach((c) => window.__cxStates.push(
    [c.target.getAttribute('data-test-script-state'), performance.now()]
  ))).observe(document.body, {
    attributes: true, subtree: true, attributeFilter: ['data-test-script-state'],
  });
}
"""
DRAWN_SINCE = """
(t0) => {
  const after = window.__cxStates.filter(([, t]) => t >= t0);
  const started = after.findIndex(([s]) => s === 'running');
  if (started < 0) return null;
  const done = after.slice(started).find(([s]) => s === 'notRunning');
  return done ? done[1] - t0 : null;
}
"""


def wait_idle(page: Page) -> None:
    page.wait_for_selector(IDLE, timeout=120_000)


def choose_preset(page: Page, preset: str) -> float | None:
    """Select a period preset; seconds until the page is drawn again."""
    box = page.locator('[data-testid="stSelectbox"]').filter(has_text="Period").first
    box.click()
    option = page.get_by_role("option", name=preset, exact=True).first
    option.wait_for()
    t0 = page.evaluate("performance.now()")
    option.click()
    try:
        handle = page.wait_for_function(DRAWN_SINCE, arg=t0, timeout=60_000, polling=50)
    except PlaywrightTimeout:
        # Rarely a run is superseded before its state is observed; count it as missing.
        print(f"  ({preset}: no finished run observed, left out)", file=sys.stderr)
        wait_idle(page)
        return None
    return handle.json_value() / 1000


def measure(base: str, runs: int) -> dict[str, tuple[float, float]]:
    results = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        for name, path in PAGES.items():
            page = browser.new_page(viewport={"width": 1500, "height": 1100})
            page.goto(f"{base}/{path}")
            wait_idle(page)
            page.evaluate(OBSERVER)
            uncached = [choose_preset(page, preset) for preset in PRESETS]
            cached = [choose_preset(page, PRESETS[i % 2]) for i in range(runs)]
            results[name] = (
                statistics.median(t for t in uncached if t is not None),
                statistics.median(t for t in cached if t is not None),
            )
            page.close()
        browser.close()
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, required=True, help="a DuckDB store file")
    parser.add_argument("--runs", type=int, default=6, help="cached changes per page")
    args = parser.parse_args()
    port = free_port()
    process = serve(args.store, port)
    try:
        results = measure(f"http://127.0.0.1:{port}", args.runs)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
    print(f"Store: {args.store}\n")
    print("| page | filter change, new period (median) | back to a seen period (median) |")
    print("|---|---:|---:|")
    for name, (uncached, cached) in results.items():
        print(f"| {name} | {uncached * 1000:,.0f} ms | {cached * 1000:,.0f} ms |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
