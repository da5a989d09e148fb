"""Four people at once in real browsers (issue 18): ``benchmarks/load.py`` against
``cxdash serve`` on a small demo store, four concurrent sessions each playing four
interactions of its script (period, page switch, heatmap cell, page switch) without
pauses. No error on any page, no traceback in the server's log, every interaction seen
to finish. The figures themselves are the benchmark's business (BENCHMARKS.md)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.browser.test_browser import _chromium_or_skip
from tests.stores import build_store

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parent.parent.parent


def test_four_concurrent_sessions_see_no_error(tmp_path):
    _chromium_or_skip()
    store = tmp_path / "small.duckdb"
    build_store(f"duckdb:///{store}")
    done = subprocess.run(
        [sys.executable, "benchmarks/load.py", "--store", str(store), "--sessions", "4",
         "--interactions", "4", "--no-pause", "--settle", "2", "--stagger", "0.2",
         "--timeout", "90"],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True,
        timeout=600,
    )  # fmt: skip
    report = done.stdout
    assert done.returncode == 0, report + done.stderr[-2000:]
    row = re.search(r"^\| 4 \| (\d+) \| (\d+) \| (\d+) \| (\d+) \|", report, re.M)
    assert row, report
    errors, _busy, misses, interactions = map(int, row.groups())
    assert errors == 0 and misses == 0, report
    assert interactions == 16, report
    assert "0 tracebacks" in report
