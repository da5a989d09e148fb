"""Faults (issue 18): PostgreSQL going away and coming back, said within one interaction
and recovered from without a restart (through a TCP proxy the test cuts); ``kill -9`` of
an import leaves the embedded store consistent, and the next import is as fast as one
on a store that never saw the killed one."""

from __future__ import annotations

import csv
import fcntl
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
import streamlit as st
from sqlalchemy.engine import make_url
from streamlit.testing.v1 import AppTest

from dashboard import db, rollup_store
from queries import schema
from tests.pages.test_pages import APP, TIMEOUT
from tests.stores import build_store
from tests.tcp_proxy import Proxy

ROOT = Path(__file__).resolve().parent.parent


def _through(proxy: Proxy, url: str) -> str:
    return (
        make_url(url).set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    )


@pytest.fixture
def proxied_pg(pg_schema_url):
    target = make_url(pg_schema_url)
    proxy = Proxy((target.host or "127.0.0.1", target.port or 5432))
    yield proxy, _through(proxy, pg_schema_url)
    proxy.cut()


@pytest.mark.pg
def test_postgresql_going_away_is_said_at_once_and_recovers(proxied_pg):
    proxy, url = proxied_pg
    engine = db.create_engine(url)
    try:
        db.create_schema(engine)
        with db.begin(engine) as conn:
            db.execute(conn, schema.stages.insert().values(stage="visit", position=1))
        assert db.data_version(engine) == 1
        proxy.cut()
        started = time.monotonic()
        with pytest.raises(db.StoreUnavailable, match="Cannot reach the database"):
            db.data_version(engine)
        with pytest.raises(db.StoreUnavailable):
            db.fetch(sa.select(schema.stages), engine)
        assert time.monotonic() - started < 10  # said at once, not after a long timeout
        proxy.restore()
        assert db.data_version(engine) == 1  # the same engine, no restart
        assert db.fetch(sa.select(schema.stages), engine).height == 1
    finally:
        engine.dispose()


@pytest.mark.pg
def test_pages_say_postgresql_went_away_and_recover(proxied_pg, monkeypatch):
    proxy, url = proxied_pg
    build_store(url, prefer_generator=False)
    monkeypatch.setenv("CXDASH_DATABASE_URL", url)
    st.cache_data.clear()
    st.cache_resource.clear()
    try:
        at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
        at.run()
        assert not at.exception and not at.error, [e.value for e in at.error]
        shown = {m.label: m.value for m in at.metric}
        caption = at.caption[0].value
        assert shown["NPS"]

        proxy.cut()
        at.run()  # the next interaction: said, not yesterday's numbers from the cache
        assert not at.exception
        assert any("Cannot open the data store" in e.value for e in at.error)
        assert not at.metric

        proxy.restore()
        at.run()  # and back by itself
        assert not at.exception and not at.error
        assert {m.label: m.value for m in at.metric} == shown, (caption, at.caption[0].value)
    finally:
        st.cache_data.clear()
        st.cache_resource.clear()


# -- kill -9 of an import -------------------------------------------------------------------

ROWS = 25_000


def _feedback_csv(path: Path) -> Path:
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["response_id", "responded_at", "touchpoint", "nps", "comment"])
        for i in range(ROWS):
            writer.writerow([f"K{i:06d}", f"2025-{1 + i % 12:02d}-{1 + i % 28:02d} 10:00:00",
                             ("Website", "Store", "Delivery")[i % 3], i % 11,
                             f"comment number {i}"])  # fmt: skip
    return path


def _env(url: str) -> dict[str, str]:
    return {**os.environ, "CXDASH_DATABASE_URL": url, "PYTHONPATH": str(ROOT)}


def _import(url: str, file: Path) -> float:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "dashboard.cli", "import", "feedback", str(file)],
        cwd=ROOT, env=_env(url), capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return time.perf_counter() - started


def _writing(flag: Path) -> bool:
    """Whether some process holds the store's writer flag (dashboard.store_lock)."""
    if not flag.exists():
        return False
    fd = os.open(flag, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


def _state(url: str) -> tuple[int, int, str]:
    engine = db.create_engine(url)
    try:
        count = db.fetch(sa.select(sa.func.count()).select_from(schema.feedback), engine).item()
        return int(count), db.data_version(engine), rollup_store.status(engine).state
    finally:
        engine.dispose()


def test_kill_9_during_an_import_leaves_the_store_consistent_and_fast(tmp_path):
    original = tmp_path / "store.duckdb"
    build_store(f"duckdb:///{original}", prefer_generator=False)
    fresh, killed = tmp_path / "fresh.duckdb", tmp_path / "killed.duckdb"
    shutil.copyfile(original, fresh)
    shutil.copyfile(original, killed)
    file = _feedback_csv(tmp_path / "feedback.csv")
    url = f"duckdb:///{killed}"
    before = _state(url)

    victim = subprocess.Popen(
        [sys.executable, "-m", "dashboard.cli", "import", "feedback", str(file)],
        cwd=ROOT, env=_env(url), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    flag = killed.with_name(killed.name + ".writer")
    deadline = time.monotonic() + 300
    while not _writing(flag):  # kill it inside its write transaction
        assert victim.poll() is None and time.monotonic() < deadline, "the import never wrote"
        time.sleep(0.02)
    time.sleep(0.2)  # into the write (it takes seconds: upsert, summaries, checkpoint)
    assert victim.poll() is None, "the import finished before it could be killed"
    victim.send_signal(signal.SIGKILL)
    victim.wait()
    assert not _writing(flag)  # the kernel dropped the flag with the process

    assert _state(url) == before  # nothing half-written, the summaries still true

    # The next import on the killed store, beside the same import on a fresh copy, in turn.
    after_kill = _import(url, file)
    on_fresh = _import(f"duckdb:///{fresh}", file)
    assert _state(url)[0] == before[0] + ROWS
    assert _state(url)[2] == "fresh"
    assert after_kill < 1.5 * on_fresh + 3, (after_kill, on_fresh)
