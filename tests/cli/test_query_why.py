"""``cxdash query funnel-satisfaction`` and ``cxdash query drivers`` print exactly what
dashboard.why computes, with the documented columns; a verdict goes to stderr."""

from __future__ import annotations

import json

import numpy as np
import polars as pl
import pytest

from dashboard import cli, db, why
from queries import schema
from tests.queries.test_funnel import MARCH
from tests.test_funnel_satisfaction import journey_store

FUNNEL_COLUMNS = ["step", "touchpoint", "n_converted", "value_converted", "moe_converted",
                  "n_dropped", "value_dropped", "moe_dropped", "delta", "p", "q",
                  "significant"]  # fmt: skip
DRIVER_COLUMNS = ["touchpoint", "importance", "direction", "n", "csat", "ci_low", "ci_high", "r2"]
MARCH_ARGS = ("--from", "2025-03-01", "--to", "2025-03-31")


def run(capsys, *argv) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def store_url(tmp_path, monkeypatch) -> str:
    url = f"duckdb:///{tmp_path / 'why.duckdb'}"
    engine = db.create_engine(url, external_access=True)
    db.create_schema(engine)
    journey_store(engine)
    drivers_data(engine)
    engine.dispose()
    monkeypatch.setenv("CXDASH_DATABASE_URL", url)
    return url


def drivers_data(engine) -> None:
    """120 customers in April 2025 rating Store and Web: Store carries their NPS."""
    rng = np.random.default_rng(3)
    rows = []
    for i in range(120):
        store, web = (int(v) for v in rng.integers(1, 6, 2))
        nps = int(np.clip(round(2 * store + 0.3 * web + rng.normal(0, 1)), 0, 10))
        day = f"2025-04-{1 + i % 28:02d}"
        rows += [(f"d{i}s", f"n{i}", "Store", f"{day} 10:00", nps, store),
                 (f"d{i}w", f"n{i}", "Web", f"{day} 11:00", None, web)]  # fmt: skip
    feedback = pl.DataFrame(
        rows,
        schema=["response_id", "customer_id", "touchpoint", "responded_at", "nps", "csat"],
        orient="row",
    ).with_columns(pl.col("responded_at").str.to_datetime(), pl.col("nps", "csat").cast(pl.Int16))
    customers = pl.DataFrame({"customer_id": [f"n{i}" for i in range(120)],
                              "segment": ["SMB"] * 60 + ["VIP"] * 60})  # fmt: skip
    with db.begin(engine) as conn:
        db.upsert_frame(conn, schema.customers, customers)
        db.upsert_frame(conn, schema.feedback, feedback)


def test_funnel_satisfaction_json_rows_per_step_and_touchpoint(store_url, capsys):
    code, out, err = run(capsys, "query", "funnel-satisfaction", *MARCH_ARGS, "--steps",
                         "visit,cart,purchase", "--window", "30d", "--metric", "csat",
                         "--min-n", "1", "--format", "json")  # fmt: skip
    assert code == 0, err
    rows = json.loads(out)
    assert all(list(r) == FUNNEL_COLUMNS for r in rows)
    engine = db.create_engine(store_url)
    expected = why.funnel_satisfaction(
        engine, MARCH.replace(min_n=1), ("visit", "cart", "purchase"), 30, "csat"
    )
    assert [(r["step"], r["touchpoint"]) for r in rows] == expected.select(
        "step", "touchpoint"
    ).rows()
    # step cart: converted a, b, e; dropped c, d (see the journey store)
    cart_all = rows[0]
    assert (cart_all["step"], cart_all["touchpoint"]) == ("cart", "(all)")
    assert (cart_all["n_converted"], cart_all["n_dropped"]) == (5, 2)
    assert cart_all["value_converted"] == pytest.approx(80.0)  # 4 of 5 top-2
    assert cart_all["significant"] in (None, "up", "down")


def test_funnel_satisfaction_csv_and_table(store_url, capsys):
    code, out, _ = run(capsys, "query", "funnel-satisfaction", *MARCH_ARGS, "--steps",
                       "visit,cart", "--format", "csv")  # fmt: skip
    assert code == 0 and out.splitlines()[0] == ",".join(FUNNEL_COLUMNS)
    assert out.splitlines()[1].startswith("cart,(all),")
    code, out, _ = run(capsys, "query", "funnel-satisfaction", *MARCH_ARGS, "--steps",
                       "visit,cart,purchase")  # fmt: skip
    assert code == 0 and "purchase" in out and "significant" in out


@pytest.mark.parametrize(
    "argv, message",
    [
        (("--steps", "visit"), "Pick at least two steps"),
        (("--steps", "visit,checkout"), "unknown stage 'checkout'"),
        (("--metric", "effort"), "invalid choice"),
    ],
)
def test_funnel_satisfaction_bad_arguments(store_url, capsys, argv, message):
    code, _, err = run(capsys, "query", "funnel-satisfaction", *argv)
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1


def test_drivers_json_matches_the_service(store_url, capsys):
    code, out, err = run(capsys, "query", "drivers", "--from", "2025-04-01", "--to",
                         "2025-04-30", "--format", "json")  # fmt: skip
    assert code == 0 and err == ""  # a sound model: no note
    rows = json.loads(out)
    assert all(list(r) == DRIVER_COLUMNS for r in rows)
    engine = db.create_engine(store_url)
    f = MARCH.replace(date_from=MARCH.date_from.replace(month=4),
                      date_to=MARCH.date_to.replace(month=4, day=30))  # fmt: skip
    expected = why.key_drivers(engine, f)
    assert [r["touchpoint"] for r in rows] == expected["touchpoint"].to_list() == ["Store", "Web"]
    assert [r["importance"] for r in rows] == pytest.approx(expected["importance"].to_list())
    assert [r["ci_low"] for r in rows] == pytest.approx(expected["ci_low"].to_list())
    assert [r["r2"] for r in rows] == pytest.approx([expected["r2"][0]] * 2)  # every row
    assert sum(r["importance"] for r in rows) == pytest.approx(100)
    assert rows[0]["direction"] == 1 and rows[0]["n"] == 120


def test_drivers_verdict_is_a_note_on_stderr(store_url, capsys):
    # Three days of April: 15 customers for 2 touchpoints, fewer than 10 per touchpoint.
    code, out, err = run(capsys, "query", "drivers", "--from", "2025-04-01", "--to",
                         "2025-04-03", "--min-n", "5", "--format", "csv")  # fmt: skip
    assert code == 0
    assert out.splitlines()[0] == ",".join(DRIVER_COLUMNS)
    assert err.startswith("note: Only ") and "per touchpoint" in err
    code, out, err = run(capsys, "query", "drivers", "--segment", "Nobody", "--format", "json")
    assert code == 0 and json.loads(out) == []
    # (after the warning that no customer has segment "Nobody")
    assert "\nnote: Not enough customers" in err
