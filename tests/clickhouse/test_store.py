"""chDB URLs, errors explained for people, and ``cxdash bench --url``."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from dashboard import cli, db
from queries import schema

ROOT = Path(__file__).resolve().parents[2]


def test_an_empty_store_says_to_create_the_tables(chdb_url):
    engine = db.create_engine(chdb_url)
    with pytest.raises(db.SchemaMissing, match="cxdash init-db"):
        db.fetch(sa.select(sa.func.count()).select_from(schema.customers), engine)
    engine.dispose()


def test_a_bad_database_name_is_refused(chdb_dir):
    with pytest.raises(db.StoreUnavailable, match="letters, digits"):
        db.create_engine(f"chdb:///{chdb_dir}?database=x;DROP")


def test_bench_url_refuses_an_empty_store(chdb_url, capsys):
    assert cli.main(["bench", "--url", chdb_url, "--no-naive"]) != 0
    assert "cxdash init-db" in capsys.readouterr().err


def test_timestamps_keep_their_microseconds(chdb_url):
    import datetime as dt

    import polars as pl

    engine = db.create_engine(chdb_url, external_access=True)
    db.create_schema(engine)
    at = dt.datetime(2025, 1, 31, 23, 59, 59, 999_999)
    with db.begin(engine) as conn:
        db.upsert_frame(conn, schema.stages, pl.DataFrame({"stage": ["visit"], "position": [1]}))
        conn.execute(schema.import_log.insert().values(imported_at=at, table_name="t", file="f"))
    got = db.fetch(sa.select(schema.import_log.c.imported_at), engine)["imported_at"][0]
    # and a bound timestamp compares to the microsecond
    later = db.fetch(
        sa.select(sa.func.count())
        .select_from(schema.import_log)
        .where(schema.import_log.c.imported_at >= at),
        engine,
    ).item()
    engine.dispose()
    assert got == at and later == 1


def test_a_directory_open_in_another_process_is_explained(chdb_dir, tmp_path):
    import subprocess
    import sys

    # chDB opens one data directory per process: this process holds chdb_dir, so a
    # second process must be told so in words, not "Error initializing EmbeddedServer".
    engine = db.create_engine(f"chdb:///{chdb_dir}")
    with engine.connect() as conn:
        conn.exec_driver_sql("SELECT 1")
    code = (
        "from dashboard import db; import sqlalchemy as sa\n"
        f"e = db.create_engine('chdb:///{chdb_dir}')\n"
        "try:\n"
        "    db.fetch(sa.select(sa.literal(1)), e)\n"
        "except db.StoreUnavailable as exc:\n"
        "    print('UNAVAILABLE', exc)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT
    )
    engine.dispose()
    assert "UNAVAILABLE" in out.stdout and "another process" in out.stdout, out.stderr[-500:]
