"""The embedded DuckDB store shared by the dashboard and the command line (issue 18).

A process holding the dashboard's engine reads the store continuously while ``cxdash
import`` and ``cxdash query`` run at once: both complete, the reader never fails (at most
"being updated" while the write commits), nothing is lost, and the reader sees the new
rows and data version afterwards. Plus: a writer that must wait says so and waits its
turn; one that waits too long fails with a clear message and writes nothing; a store the
process may not write is read.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import polars as pl
import pytest
import sqlalchemy as sa

from dashboard import db, store_lock
from queries import schema
from tests.stores import build_store

ROOT = Path(__file__).resolve().parent.parent
NEW_ROWS = 500


@pytest.fixture
def tiny_duck(tmp_path) -> str:
    url = f"duckdb:///{tmp_path / 'store.duckdb'}"
    build_store(url, prefer_generator=False)
    return url


def _env(url: str, **extra: str) -> dict[str, str]:
    env = {**os.environ, "CXDASH_DATABASE_URL": url, "PYTHONPATH": str(ROOT), **extra}
    env.pop("CXDASH_LANGUAGE", None)
    return env


def _cli(url: str, *args: str, **extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "dashboard.cli", *args],
        cwd=ROOT, env=_env(url, **extra), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip


def _feedback_csv(path: Path, n: int) -> Path:
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["response_id", "responded_at", "touchpoint", "nps"])
        for i in range(n):
            writer.writerow([f"NEW{i:05d}", "2025-12-30 10:00:00", "Website", i % 11])
    return path


def _count(url: str) -> int:
    engine = db.create_engine(url)
    try:
        return int(db.fetch(sa.select(sa.func.count()).select_from(schema.feedback), engine).item())
    finally:
        engine.dispose()


class Reader:
    """tests/store_reader.py in its own process: the dashboard beside the commands."""

    def __init__(self, url: str, tmp_path: Path):
        self.stop = tmp_path / "stop"
        self.lines: list[dict] = []
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.store_reader", url, str(self.stop)],
            cwd=ROOT, env=_env(url), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.append(json.loads(line))

    def wait_for(self, predicate, timeout: float = 60) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in reversed(self.lines):
                if predicate(line):
                    return line
            assert self.proc.poll() is None, self.proc.stderr.read()
            time.sleep(0.05)
        raise AssertionError(f"the reader never saw it; last lines: {self.lines[-3:]}")

    def close(self) -> None:
        self.stop.touch()
        try:
            self.proc.wait(timeout=30)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
        self._thread.join(timeout=5)


def test_dashboard_import_and_query_at_once_nothing_lost(tiny_duck, tmp_path):
    before = _count(tiny_duck)
    new = _feedback_csv(tmp_path / "new_feedback.csv", NEW_ROWS)
    reader = Reader(tiny_duck, tmp_path)
    try:
        first = reader.wait_for(lambda line: "version" in line)
        assert first["responses"] == before
        importing = _cli(tiny_duck, "import", "feedback", str(new))
        querying = _cli(tiny_duck, "query", "kpis", "--format", "csv")
        out, err = importing.communicate(timeout=240)
        assert importing.returncode == 0, err
        q_out, q_err = querying.communicate(timeout=240)
        assert querying.returncode == 0, q_err
        assert "responses" in q_out.splitlines()[0]
        after = reader.wait_for(lambda line: line.get("responses") == before + NEW_ROWS)
        assert after["version"] > first["version"]
        assert after["kpi"] == first["kpi"] + NEW_ROWS
    finally:
        reader.close()
    errors = [line for line in reader.lines if "error" in line]
    # At most "being updated" while the import commits; never another error.
    assert {e["error"] for e in errors} <= {"StoreBusy"}, errors
    assert len(reader.lines) - len(errors) > 10
    assert _count(tiny_duck) == before + NEW_ROWS


def _hold_the_store(url: str, seconds: float, started: threading.Event) -> None:
    engine = db.create_engine(url)
    try:
        with db.begin(engine) as conn:
            started.set()
            time.sleep(seconds)
            db.upsert_frame(
                conn,
                schema.feedback,
                pl.DataFrame(
                    {
                        "response_id": ["HELD"],
                        "responded_at": [dt.datetime(2025, 1, 1)],
                        "touchpoint": ["Website"],
                        "nps": [10],
                    }  # fmt: skip
                ),
            )
    finally:
        engine.dispose()


def test_a_writer_waits_its_turn_and_says_so(tiny_duck, tmp_path):
    new = _feedback_csv(tmp_path / "new_feedback.csv", 20)
    before = _count(tiny_duck)
    started = threading.Event()
    holder = threading.Thread(target=_hold_the_store, args=(tiny_duck, 6, started))
    holder.start()
    try:
        assert started.wait(30)
        importing = _cli(tiny_duck, "import", "feedback", str(new))
        _, err = importing.communicate(timeout=240)
    finally:
        holder.join()
    assert importing.returncode == 0, err
    assert "waiting" in err and "CXDASH_STORE_WAIT_SECONDS" in err
    assert _count(tiny_duck) == before + 1 + 20  # the holder's row, then the import's


def test_a_writer_that_waits_too_long_writes_nothing_and_says_why(tiny_duck, tmp_path):
    new = _feedback_csv(tmp_path / "new_feedback.csv", 20)
    before = _count(tiny_duck)
    started = threading.Event()
    holder = threading.Thread(target=_hold_the_store, args=(tiny_duck, 8, started))
    holder.start()
    try:
        assert started.wait(30)
        importing = _cli(tiny_duck, "import", "feedback", str(new), CXDASH_STORE_WAIT_SECONDS="1")
        _, err = importing.communicate(timeout=240)
    finally:
        holder.join()
    assert importing.returncode == 2
    assert "stayed in use by another process" in err and "nothing was written" in err
    assert _count(tiny_duck) == before + 1  # the holder's row; none of the import's


def test_reads_never_take_the_file_from_another_reader(tiny_duck):
    # Two processes' read-only connections at once: DuckDB allows it; a read-write one
    # (the old behaviour) would have refused the second.
    path = tiny_duck.removeprefix("duckdb:///")
    engine = db.create_engine(tiny_duck)
    try:
        db.fetch(sa.select(sa.func.count()).select_from(schema.feedback), engine)
        probe = subprocess.run(
            [sys.executable, "-c",
             f"import duckdb; c = duckdb.connect({path!r}, read_only=True); "
             "print(c.execute('select count(*) from feedback').fetchall()[0][0])"],
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert probe.returncode == 0, probe.stderr
        assert int(probe.stdout) == _count(tiny_duck)
    finally:
        engine.dispose()


def test_a_read_only_store_file_can_be_browsed(tiny_duck, tmp_path):
    path = Path(tiny_duck.removeprefix("duckdb:///"))
    engine = db.create_engine(tiny_duck)
    try:
        before = _count(tiny_duck)
        path.chmod(0o444)
        path.parent.chmod(0o555)
        assert (
            int(db.fetch(sa.select(sa.func.count()).select_from(schema.feedback), engine).item())
            == before
        )
        if os.geteuid() != 0:  # root writes anyway
            with pytest.raises(db.StoreError), db.begin(engine) as conn:
                db.execute(conn, schema.stages.delete())
    finally:
        path.parent.chmod(0o755)
        path.chmod(0o644)
        engine.dispose()


def test_the_watcher_lets_an_idle_reader_go(tiny_duck):
    # A dashboard nobody clicks in holds read-only connections: another process's writer
    # gets the file within a poll, without the reader doing anything.
    engine = db.create_engine(tiny_duck)
    try:
        db.fetch(sa.select(sa.func.count()).select_from(schema.stages), engine)
        shared = store_lock.shared_file(tiny_duck.removeprefix("duckdb:///"))
        assert shared.opened
        t0 = time.monotonic()
        done = subprocess.run(
            [sys.executable, "-m", "dashboard.cli", "refresh"],
            cwd=ROOT, env=_env(tiny_duck), capture_output=True, text=True, timeout=240,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        assert not shared.opened
        assert time.monotonic() - t0 < 120
    finally:
        engine.dispose()
