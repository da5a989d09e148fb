"""Many people at once: N concurrent browser sessions against ``cxdash serve`` (issue 18).

Serves the dashboard on a DuckDB store and opens N sessions (one Chromium, one browser
context each, Playwright, 127.0.0.1 only). Each session loads the dashboard, then plays
the same script of interactions -- period preset, page switches, a segment filter, a
heatmap cell click, a chart export -- pausing 3-8 s (seeded) between them as people read
before they click (``--no-pause``: the worst case, every session clicking as fast as the
server answers). Optionally a CLI import lands meanwhile (``--import-file``).

    PYTHONPATH=. python benchmarks/load.py --store data/bench/medium.duckdb --sessions 5
    PYTHONPATH=. python benchmarks/load.py --store S --sessions 5 --no-pause
    PYTHONPATH=. python benchmarks/load.py --store S --sessions 5 \\
        --import-file new_feedback.csv --import-table feedback --import-at 20

Reports: errors (an error element or message on a page; "being updated" is counted apart),
interaction time p50/p95/max (from the click to Streamlit's run finished), first-load time
per session, the server's peak RSS, and the import's duration and exit code.

The store is copied first (the import writes into the copy). Bounded: ``--timeout``
seconds per interaction, ``--max-sessions``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from playwright.async_api import async_playwright

# The in-page recorder of Streamlit's run states, shared with the latency benchmark (this
# script runs from benchmarks/, which is then the first entry of sys.path).
from ui_latency import DRAWN_SINCE, OBSERVER

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
    "--disable-dev-shm-usage",
]  # fmt: skip
VIEWPORT = {"width": 1400, "height": 1000}
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
ERROR_TEXTS = ("Something went wrong", "Cannot open the data store", "could not answer")
BUSY_TEXT = "being updated"
# The fixed script every session plays (cycled when --interactions is longer).
SCRIPT = (
    ("preset", "Last quarter"),
    ("page", "Funnel & touchpoints"),
    ("heatmap", None),
    ("page", "Segments"),
    ("segment", None),
    ("page", "NPS trends"),
    ("preset", "Last 12 months"),
    ("export", None),
    ("page", "Overview"),
)


@dataclass
class Tally:
    first_loads: list[float] = field(default_factory=list)
    times: list[float] = field(default_factory=list)
    by_kind: dict[str, list[float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    busy: int = 0
    harness: list[str] = field(default_factory=list)  # the script could not click


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(store: Path, port: int, log: Path, warm: bool) -> subprocess.Popen:
    env = dict(os.environ, CXDASH_DATABASE_URL=f"duckdb:///{store}",
               STREAMLIT_SERVER_HEADLESS="true", STREAMLIT_BROWSER_GATHER_USAGE_STATS="false",
               CXDASH_WARM="1" if warm else "0")  # fmt: skip
    process = subprocess.Popen(
        [sys.executable, "-m", "dashboard.cli", "serve", "--port", str(port)],
        env=env, stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    for _ in range(240):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1)
            return process
        except OSError:
            time.sleep(0.25)
    raise RuntimeError(f"the dashboard did not start; see {log}")


def tree_rss_mb(pid: int) -> tuple[float, float]:
    """Resident memory (MB) of ``pid`` and its descendants, from /proc: (the Python server
    processes, the rest -- the Chromium that chart exports keep warm, whose processes
    share pages, so their sum overstates it)."""
    python, other, todo = 0, 0, [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/comm") as comm:
                is_python = comm.read().strip().startswith("python")
            with open(f"/proc/{p}/status") as status:
                for line in status:
                    if line.startswith("VmRSS:"):
                        kb = int(line.split()[1])
                        python, other = (python + kb, other) if is_python else (python, other + kb)
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as children:
                    todo += [int(c) for c in children.read().split()]
        except (FileNotFoundError, ProcessLookupError):
            continue
    return python / 1024, other / 1024


async def idle(page, timeout_ms: float) -> None:
    await page.wait_for_selector(IDLE, timeout=timeout_ms)


async def drawn(page, t0: float, timeout_ms: float) -> float | None:
    try:
        handle = await page.wait_for_function(DRAWN_SINCE, arg=t0, timeout=timeout_ms, polling=50)
    except Exception:
        return None
    return (await handle.json_value()) / 1000


async def act(page, kind: str, arg, timeout_ms: float) -> float | None:
    """Do one interaction; seconds until the page is drawn again (None: not observed)."""
    await idle(page, timeout_ms)
    if kind == "preset":
        box = page.locator('[data-testid="stSelectbox"]').filter(has_text="Period").first
        await box.click()
        option = page.get_by_role("option", name=arg, exact=True).first
        await option.wait_for(timeout=timeout_ms)
        t0 = await page.evaluate("performance.now()")
        await option.click()
    elif kind == "page":
        if await page.locator('[role="dialog"]').count():
            # the heatmap cell's drawer is modal: a person closes it before navigating
            await page.keyboard.press("Escape")
            # its dismissal reruns the page: a click during that run can be swallowed
            drawer = page.locator('[role="dialog"]').first
            await drawer.wait_for(state="detached", timeout=timeout_ms)
            await idle(page, timeout_ms)
        link = page.locator('[data-testid="stSidebarNav"] a').filter(has_text=arg).first
        t0 = await page.evaluate("performance.now()")
        await link.click()
    elif kind == "segment":
        box = page.locator('[data-testid="stMultiSelect"]').filter(has_text="Segment").first
        await box.click()
        option = page.get_by_role("option").first
        await option.wait_for(timeout=timeout_ms)
        t0 = await page.evaluate("performance.now()")
        await option.click()
        await page.keyboard.press("Escape")
    elif kind == "heatmap":
        await page.wait_for_selector(".js-plotly-plot .heatmaplayer", timeout=timeout_ms)
        cell = await page.evaluate(
            """() => {
              const gd = [...document.querySelectorAll('.js-plotly-plot')]
                .find(g => g.data.some(t => t.type === 'heatmap'));
              gd.scrollIntoView();
              const layout = gd._fullLayout, box = gd.getBoundingClientRect();
              return {x: box.left + layout._size.l + layout.xaxis.l2p(1),
                      y: box.top + layout._size.t + layout.yaxis.l2p(0)};
            }"""
        )
        await page.mouse.move(cell["x"], cell["y"])
        t0 = await page.evaluate("performance.now()")
        await page.mouse.click(cell["x"], cell["y"])
    elif kind == "export":
        menu = page.locator('[data-testid="stPopover"] button').first
        await menu.click()
        body = page.locator('[data-testid="stPopoverBody"]').last
        csv = body.locator("button").filter(has_text="CSV")
        button = csv.first if await csv.count() else body.locator("button").first
        await button.wait_for(timeout=timeout_ms)
        t0 = await page.evaluate("performance.now()")
        async with page.expect_download(timeout=timeout_ms):
            await button.click()
        await page.keyboard.press("Escape")
        return (await page.evaluate("performance.now()") - t0) / 1000
    else:
        raise ValueError(kind)
    return await drawn(page, t0, timeout_ms)


async def check(page, tally: Tally, where: str) -> None:
    if await page.locator('[data-testid="stException"]').count():
        tally.errors.append(f"{where}: exception shown")
    body = await page.locator('[data-testid="stMain"]').inner_text()
    for text in ERROR_TEXTS:
        if text in body:
            tally.errors.append(f"{where}: {text}")
    if BUSY_TEXT in body:
        tally.busy += 1


async def session(browser, base: str, n: int, args, tally: Tally, start: asyncio.Event) -> None:
    rng = random.Random(1000 + n)
    timeout_ms = args.timeout * 1000
    context = await browser.new_context(viewport=VIEWPORT, accept_downloads=True)
    page = await context.new_page()
    await start.wait()
    await asyncio.sleep(n * args.stagger)
    t0 = time.perf_counter()
    try:
        await page.goto(base, timeout=timeout_ms)
        await page.wait_for_selector('[data-testid="stMetric"]', timeout=timeout_ms)
        await idle(page, timeout_ms)
        tally.first_loads.append(time.perf_counter() - t0)
        await page.evaluate(OBSERVER)
        await check(page, tally, f"s{n} first load")
    except Exception as exc:
        tally.errors.append(f"s{n} first load: {type(exc).__name__}: {str(exc)[:120]}")
        await context.close()
        return
    for i in range(args.interactions):
        kind, arg = SCRIPT[i % len(SCRIPT)]
        if not args.no_pause:
            await asyncio.sleep(rng.uniform(*args.pause))
        try:
            seconds = await act(page, kind, arg, timeout_ms)
        except Exception as exc:
            tally.harness.append(f"s{n} {kind}: {type(exc).__name__}: {str(exc)[:100]}")
            continue
        if seconds is None:
            tally.harness.append(f"s{n} {kind}: no finished run observed")
        else:
            tally.times.append(seconds)
            tally.by_kind.setdefault(kind, []).append(seconds)
        await check(page, tally, f"s{n} {kind} {arg or ''}".strip())
    await context.close()


async def run(base: str, server_pid: int, args) -> tuple[Tally, list[float], dict]:
    tally, peak, landed = Tally(), [0.0, 0.0], {}
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        start = asyncio.Event()
        tasks = [
            asyncio.create_task(session(browser, base, n, args, tally, start))
            for n in range(args.sessions)
        ]

        async def sample() -> None:
            while True:
                python, other = tree_rss_mb(server_pid)
                peak[0], peak[1] = max(peak[0], python), max(peak[1], other)
                await asyncio.sleep(0.5)

        async def land_import() -> None:
            await asyncio.sleep(args.import_at)
            began = time.perf_counter()
            proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "dashboard.cli", "import", args.import_table,
                str(args.import_file), env=dict(os.environ, CXDASH_DATABASE_URL=args.url),
                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
            )  # fmt: skip
            out, err = await proc.communicate()
            landed.update(seconds=time.perf_counter() - began, code=proc.returncode,
                          err=err.decode()[-300:])  # fmt: skip

        sampler = asyncio.create_task(sample())
        importer = asyncio.create_task(land_import()) if args.import_file else None
        start.set()
        await asyncio.gather(*tasks)
        if importer:
            await importer
        sampler.cancel()
        await browser.close()
    return tally, peak, landed


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))] if values else float("nan")


def report(tally: Tally, peak: list[float], landed: dict, args) -> str:
    mode = "no pause" if args.no_pause else f"pauses {args.pause[0]:g}-{args.pause[1]:g} s"
    t = tally.times
    lines = [
        f"store {args.store.name}, {args.sessions} sessions x {args.interactions} interactions, "
        f"{mode}, warm start {'on' if args.warm else 'off'}",
        "",
        "| sessions | errors | being updated | harness misses | interactions | p50 (s) "
        "| p95 (s) | max (s) | first load median / max (s) | server peak RSS (MB) "
        "| export browser peak RSS (MB) |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        f"| {args.sessions} | {len(tally.errors)} | {tally.busy} | {len(tally.harness)} "
        f"| {len(t)} | {pct(t, 0.5):.2f} | {pct(t, 0.95):.2f} | {max(t, default=float('nan')):.2f} "
        f"| {statistics.median(tally.first_loads) if tally.first_loads else float('nan'):.2f} / "
        f"{max(tally.first_loads, default=float('nan')):.2f} | {peak[0]:.0f} | {peak[1]:.0f} |",
        "",
        "per interaction kind (p50 / p95 s): "
        + ", ".join(f"{k} {pct(v, 0.5):.2f}/{pct(v, 0.95):.2f}" for k, v in tally.by_kind.items()),
    ]
    if landed:
        lines.append(f"\nCLI import meanwhile: exit {landed['code']} in {landed['seconds']:.1f} s")
        if landed["code"]:
            lines.append(f"import stderr: {landed['err']}")
    for e in tally.errors[:10]:
        lines.append(f"- error: {e}")
    for h in tally.harness[:5]:
        lines.append(f"- harness: {h}")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, required=True, help="a DuckDB store (copied)")
    parser.add_argument("--sessions", type=int, default=4)
    parser.add_argument("--max-sessions", type=int, default=40)
    parser.add_argument("--interactions", type=int, default=len(SCRIPT))
    parser.add_argument("--pause", type=float, nargs=2, default=(3.0, 8.0))
    parser.add_argument("--no-pause", action="store_true")
    parser.add_argument("--stagger", type=float, default=0.5, help="seconds between arrivals")
    parser.add_argument(
        "--settle", type=float, default=10,
        help="seconds between the server answering and the first session (start-up warming)",
    )  # fmt: skip
    parser.add_argument("--timeout", type=float, default=120, help="seconds per interaction")
    parser.add_argument("--no-warm", dest="warm", action="store_false")
    parser.add_argument("--import-file", type=Path)
    parser.add_argument("--import-table", default="feedback")
    parser.add_argument("--import-at", type=float, default=15, help="seconds after the start")
    args = parser.parse_args()
    if args.sessions > args.max_sessions:
        parser.error(f"at most {args.max_sessions} sessions")
    work = Path(tempfile.mkdtemp(prefix="cxdash-load-"))
    store = work / args.store.name
    shutil.copyfile(args.store, store)
    args.url = f"duckdb:///{store}"
    port = free_port()
    log = work / "serve.log"
    process = serve(store, port, log, args.warm)
    time.sleep(args.settle)
    try:
        tally, peak, landed = asyncio.run(run(f"http://127.0.0.1:{port}", process.pid, args))
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
    tracebacks = log.read_text(errors="replace").count("Traceback")
    print(report(tally, peak, landed, args))
    print(f"\nserver log: {tracebacks} tracebacks ({log})")
    shutil.rmtree(work, ignore_errors=True) if not tracebacks else None
    return 1 if tally.errors or tracebacks else 0


if __name__ == "__main__":
    sys.exit(main())
