"""``cxdash query`` prints the same numbers from DuckDB, SQLite, PostgreSQL and
ClickHouse (chDB).

The stores are filled with the same deterministic fixture (tests.stores' hand-made
store: 400 customers, two years of funnel events and 2,400 responses), their summary
tables built, and every view is asked the same questions through the command line, as
a person would. The JSON outputs must be identical, character for character.
"""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
import sqlalchemy as sa

from dashboard import cli, db, followup, rollup_store
from tests.conftest import PG_URL
from tests.stores import build_store

PERIOD = ("--from", "2024-03-01", "--to", "2025-08-31")
QUESTIONS = [
    ("kpis",),
    ("kpis", "--compare"),
    ("kpis", "--segment", "SMB", "--region", "Hà Nội"),
    ("funnel", "--steps", "visit,signup,cart,purchase", "--window", "30"),
    ("funnel", "--steps", "visit,purchase,repeat_purchase", "--by", "segment"),
    ("heatmap", "--by", "segment", "--metric", "nps"),
    ("heatmap", "--by", "region", "--metric", "ces"),
    ("nps-trend", "--grain", "month"),
    ("nps-trend", "--grain", "week", "--by", "region"),
    ("segments", "--by", "channel"),
    ("funnel-satisfaction", "--steps", "visit,signup,purchase", "--metric", "csat"),
    ("drivers",),
    ("at-risk", "--limit", "50"),
    ("promoters", "--limit", "50", "--sort", "value_at_risk"),
    ("customer", "--id", "C0007"),
    ("followups", "--status", "open", "--limit", "50"),
]


@pytest.fixture(scope="module")
def pg_url(pg_available):
    """A PostgreSQL schema of its own for this module's store."""
    name = f"cxdash_same_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(PG_URL)
    with admin.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{name}"')
    url = sa.engine.make_url(PG_URL).update_query_dict({"options": f"-csearch_path={name}"})
    yield url.render_as_string(hide_password=False)
    with admin.begin() as conn:
        conn.exec_driver_sql(f'DROP SCHEMA "{name}" CASCADE')
    admin.dispose()


@pytest.fixture(scope="module")
def stores(tmp_path_factory, chdb_dir, pg_url):
    folder = tmp_path_factory.mktemp("same")
    urls = {
        "duckdb": f"duckdb:///{folder / 'store.duckdb'}",
        "sqlite": f"sqlite:///{folder / 'store.sqlite'}",
        "postgresql": pg_url,
        "chdb": f"chdb:///{chdb_dir}?database=cxdash_same_numbers",
    }
    for url in urls.values():
        assert build_store(url, prefer_generator=False) == "tiny"
        engine = db.create_engine(url, external_access=True)
        rollup_store.refresh_store(engine)
        followup.sync(engine, now=dt.datetime(2025, 9, 1, 12))
        engine.dispose()
    yield urls
    db.engine_for.cache_clear()


def _answer(url, argv, monkeypatch, capsys) -> str:
    monkeypatch.setenv("CXDASH_DATABASE_URL", url)
    code = cli.main(["query", *argv, *PERIOD, "--format", "json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    return out


@pytest.mark.pg
@pytest.mark.parametrize("argv", QUESTIONS, ids=[" ".join(q) for q in QUESTIONS])
def test_every_store_prints_the_same_numbers(stores, argv, monkeypatch, capsys):
    answers = {name: _answer(url, argv, monkeypatch, capsys) for name, url in stores.items()}
    assert len(answers["duckdb"]) > 20  # an answer, not an empty one
    for name, answer in answers.items():
        assert answer == answers["duckdb"], f"{name} differs from duckdb"
