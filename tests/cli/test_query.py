"""``cxdash query`` prints what the service computes, with exactly the documented keys."""

from __future__ import annotations

import json

import pytest

from dashboard import cli, db
from tests.queries.test_views import _load


@pytest.fixture
def cli_store(tmp_path, monkeypatch):
    url = f"duckdb:///{tmp_path / 'cli.duckdb'}"
    engine = db.create_engine(url, external_access=True)
    db.create_schema(engine)
    _load(engine)
    engine.dispose()
    monkeypatch.setenv("CXDASH_DATABASE_URL", url)
    return url


def run(capsys, *argv) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


JAN = ("--from", "2025-01-01", "--to", "2025-01-31")


def test_kpis_json_is_one_object_with_exact_keys(cli_store, capsys):
    code, out, _ = run(capsys, "query", "kpis", *JAN, "--format", "json")
    assert code == 0
    got = json.loads(out)
    assert list(got) == ["customers", "revenue", "orders", "purchasers", "aov", "repeat_rate",
                         "responses", "nps", "moe", "csat", "ces"]  # fmt: skip
    assert got["customers"] == 4 and got["revenue"] == 650.0
    assert got["nps"] == pytest.approx(100 / 7)


def test_repeatable_dimension_flags_and_nulls(cli_store, capsys):
    code, out, _ = run(capsys, "query", "kpis", *JAN, "--segment", "SMB", "--segment",
                       "Enterprise", "--format", "json")  # fmt: skip
    got = json.loads(out)
    # r1, r2, r3, r7 (SMB) and r4 (Enterprise): 2 promoters, 1 detractor of 5
    assert code == 0 and got["responses"] == 5 and got["nps"] == pytest.approx(20.0)
    code, out, _ = run(capsys, "query", "kpis", *JAN, "--segment", "SMB", "--format", "json")
    assert json.loads(out)["nps"] is None  # 4 scored: hidden, not 0


def test_compare_adds_previous_and_significance(cli_store, capsys):
    code, out, _ = run(capsys, "query", "kpis", *JAN, "--compare", "--format", "json")
    got = json.loads(out)
    assert code == 0
    assert got["responses"] == {"value": 8, "previous": 1, "delta": 7, "p": None,
                                "significant": None}  # fmt: skip


@pytest.mark.parametrize(
    "argv, keys",
    [
        (("segments", "--by", "segment"),
         ["segment", "customers", "revenue", "orders", "purchasers", "aov", "repeat_rate",
          "responses", "nps", "moe", "csat", "ces", "low_n"]),
        (("heatmap", "--by", "region", "--metric", "csat"),
         ["touchpoint", "region", "value", "n", "low_n", "p", "q", "significant"]),
        (("nps-trend", "--grain", "week"),
         ["period", "n", "promoters", "passives", "detractors", "nps", "moe", "low_n"]),
        (("nps-trend", "--grain", "month", "--by", "gender"),
         ["period", "gender", "n", "promoters", "passives", "detractors", "nps", "moe",
          "low_n"]),
    ],
)  # fmt: skip
def test_json_arrays_have_exact_keys(cli_store, capsys, argv, keys):
    code, out, _ = run(capsys, "query", *argv, *JAN, "--format", "json")
    rows = json.loads(out)
    assert code == 0 and rows and all(list(r) == keys for r in rows)


def test_funnel_json(cli_store, capsys):
    code, out, _ = run(capsys, "query", "funnel", *JAN, "--steps", "visit,purchase",
                       "--window", "2d", "--format", "json")  # fmt: skip
    rows = json.loads(out)
    # visits: c1 (2 Jan), c2 (5 Jan), c3 (7 Jan); c1 buys 3 Jan, c2 6 Jan: both within 2 days
    assert [(r["step"], r["customers"]) for r in rows] == [("visit", 3), ("purchase", 2)]
    assert rows[1]["median_seconds_from_previous"] == 86400.0
    assert rows[1]["dropoff"] == 1 and rows[1]["conversion_overall"] == pytest.approx(200 / 3)


def test_csv_and_table_formats(cli_store, capsys):
    code, out, _ = run(capsys, "query", "nps-trend", "--grain", "month", "--format", "csv")
    assert code == 0
    assert out.splitlines()[0] == "period,n,promoters,passives,detractors,nps,moe,low_n"
    assert "2025-01-01,7,3,2,2," in out
    code, out, _ = run(capsys, "query", "segments", "--by", "segment")
    assert code == 0 and "Enterprise" in out


@pytest.mark.parametrize(
    "argv, message",
    [
        (("kpis", "--from", "2025-02-01", "--to", "2025-01-01"), "starts (2025-02-01) after"),
        (("kpis", "--from", "2025-13-01"), "not a date"),
        (("segments", "--by", "colour"), "invalid choice"),
        (("heatmap",), "needs --by"),
        (("kpis", "--from", "0001-01-01"), "outside the dates cxdash works with"),
        (("kpis", "--to", "9999-12-31"), "outside the dates cxdash works with"),
        (("funnel", "--window", "soon"), "not a window"),
        (("funnel", "--steps", "visit,checkout"), "unknown stage 'checkout'"),
    ],
)
def test_bad_arguments_exit_nonzero_with_one_line(cli_store, capsys, argv, message):
    code, _, err = run(capsys, "query", *argv)
    assert code == 2
    assert message in err and len(err.strip().splitlines()) == 1


def test_missing_tables_are_explained(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("CXDASH_DATABASE_URL", f"duckdb:///{tmp_path / 'empty.duckdb'}")
    code, _, err = run(capsys, "query", "kpis")
    assert code == 2 and "cxdash init-db" in err
