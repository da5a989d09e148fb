"""``cxdash query`` prints the same numbers from DuckDB and from ClickHouse (chDB).

Both stores are filled with the same deterministic fixture (tests.stores' hand-made
store: 400 customers, two years of funnel events and 2,400 responses), their summary
tables built, and every view is asked the same questions through the command line, as
a person would. The JSON outputs must be identical, character for character.
"""

from __future__ import annotations

import datetime as dt

import pytest

from dashboard import cli, db, followup, rollup_store
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
def stores(tmp_path_factory, chdb_dir):
    duck = f"duckdb:///{tmp_path_factory.mktemp('same') / 'store.duckdb'}"
    chdb = f"chdb:///{chdb_dir}?database=cxdash_same_numbers"
    urls = {"duckdb": duck, "chdb": chdb}
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


@pytest.mark.parametrize("argv", QUESTIONS, ids=[" ".join(q) for q in QUESTIONS])
def test_duckdb_and_clickhouse_print_the_same_numbers(stores, argv, monkeypatch, capsys):
    duck = _answer(stores["duckdb"], argv, monkeypatch, capsys)
    click = _answer(stores["chdb"], argv, monkeypatch, capsys)
    assert len(duck) > 20  # an answer, not an empty one
    assert click == duck
