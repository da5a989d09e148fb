"""Results follow the data (issue 18): a write by another engine -- the CLI's import beside
the dashboard -- shows at the session's next interaction, not after the cache's TTL."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from dashboard import db, rollup_store, service
from queries import schema
from tests.pages.test_pages import APP, TIMEOUT, metrics
from tests.stores import build_store


@pytest.fixture(params=["duckdb", "sqlite"])
def tiny_env(request, tmp_path, monkeypatch) -> str:
    suffix = "duckdb" if request.param == "duckdb" else "sqlite"
    url = f"{request.param}:///{tmp_path / f'store.{suffix}'}"
    build_store(url, prefer_generator=False)
    monkeypatch.setenv("CXDASH_DATABASE_URL", url)
    monkeypatch.setenv("CXDASH_CACHE_TTL_SECONDS", "3600")  # the TTL cannot be the reason
    db.engine_for.cache_clear()
    st.cache_data.clear()
    st.cache_resource.clear()
    yield url
    st.cache_data.clear()
    st.cache_resource.clear()


def test_an_import_by_another_process_shows_at_the_next_interaction(tiny_env):
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    before = metrics(at)
    assert before["NPS"]

    # Another engine (as the CLI would) writes 300 detractors on the latest day.
    writer = db.create_engine(tiny_env)  # the app's configuration: one DuckDB instance
    try:
        _, latest = service.data_range(writer)
        day = dt.datetime.combine(latest, dt.time(9))
        ids = [f"LATE{i:04d}" for i in range(300)]
        frame = pl.DataFrame(
            {
                "response_id": ids,
                "responded_at": [day] * 300,
                "touchpoint": ["Website"] * 300,
                "nps": [0] * 300,
            }  # fmt: skip
        )
        with db.begin(writer) as conn:
            db.upsert_frame(conn, schema.feedback, frame)
            rollup_store.refresh(conn)
    finally:
        writer.dispose()

    at.run()  # the next interaction of the same session
    assert not at.exception, [e.message for e in at.exception]
    after = metrics(at)
    assert after["NPS"] != before["NPS"]


HOLD = """
import sys, time, datetime as dt
import polars as pl
from dashboard import db
from queries import schema
engine = db.create_engine(sys.argv[1])
with db.begin(engine) as conn:
    print("writing", flush=True)
    time.sleep(float(sys.argv[2]))
    db.upsert_frame(conn, schema.feedback, pl.DataFrame({
        "response_id": ["HELD"], "responded_at": [dt.datetime(2024, 1, 1)],
        "touchpoint": ["Website"], "nps": [10]}))
"""


def test_while_an_import_writes_pages_answer_or_say_being_updated(tmp_path, monkeypatch):
    url = f"duckdb:///{tmp_path / 'store.duckdb'}"
    build_store(url, prefer_generator=False)
    monkeypatch.setenv("CXDASH_DATABASE_URL", url)
    monkeypatch.setenv("CXDASH_BUSY_WAIT_SECONDS", "1")
    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.run()
    assert not at.exception and not at.error
    before = metrics(at)

    root = Path(__file__).resolve().parent.parent.parent
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, url, "6"], cwd=root, stdout=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": str(root)},
    )  # fmt: skip
    try:
        assert holder.stdout.readline().strip() == "writing"
        at.run()  # the same view: answered from the last committed data
        assert not at.exception and not at.error
        assert metrics(at) == before
        # A view nobody has seen: "being updated", then by itself the answer once the
        # write has committed -- never an error.
        at.selectbox(key="period").set_value("all_time").run()
        assert not at.exception and not at.error, [e.value for e in at.error]
        assert holder.poll() == 0  # the write had finished before the page answered
        assert metrics(at)
    finally:
        holder.wait(timeout=60)
    st.cache_data.clear()
    st.cache_resource.clear()
