"""chDB URLs, errors explained for people, and ``cxdash bench --url``."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from dashboard import cli, db
from queries import schema


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
