"""``cxdash query at-risk|promoters|customer|followups`` and ``cxdash followup
sync|list|set`` print what the views compute, with the documented keys; bad changes are
refused with exit code 2 and one clear line."""

from __future__ import annotations

import csv
import io
import json

import pytest
import sqlalchemy as sa

from dashboard import cli, db, followup
from queries import schema
from queries.customers import FOLLOWUP_COLUMNS, LIST_COLUMNS
from tests.test_customers import AT_RISK, PROMOTERS
from tests.test_customers import _load as load_shop

AT_T = ("--to", "2025-06-30")


@pytest.fixture
def shop_url(tmp_path, monkeypatch):
    url = f"duckdb:///{tmp_path / 'shop.duckdb'}"
    engine = db.create_engine(url, external_access=True)
    db.create_schema(engine)
    load_shop(engine)
    engine.dispose()
    monkeypatch.setenv("CXDASH_DATABASE_URL", url)
    return url


def run(capsys, *argv) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _item(url: str, response_id: str) -> dict:
    engine = db.create_engine(url)
    try:
        frame = db.fetch(
            sa.select(schema.followups).where(schema.followups.c.response_id == response_id),
            engine,
        )
        return frame.row(0, named=True)
    finally:
        engine.dispose()


def test_at_risk_and_promoters_as_json_csv_and_table(shop_url, capsys):
    code, out, _ = run(capsys, "query", "at-risk", *AT_T, "--format", "json")
    rows = json.loads(out)
    assert code == 0 and {r["customer_id"] for r in rows} == AT_RISK
    assert all(list(r) == list(LIST_COLUMNS) for r in rows)
    a2 = next(r for r in rows if r["customer_id"] == "a2")
    assert (a2["last_nps"], a2["last_nps_at"], a2["value_at_risk"]) == (
        2, "2025-06-20T00:00:00", 230.0,
    )  # fmt: skip
    a5 = next(r for r in rows if r["customer_id"] == "a5")
    assert a5["last_nps"] is None and a5["last_nps_at"] is None  # null, not NaN or ""
    code, out, _ = run(capsys, "query", "promoters", *AT_T, "--format", "csv")
    table = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and {r["customer_id"] for r in table} == PROMOTERS
    assert list(table[0]) == list(LIST_COLUMNS)
    code, out, _ = run(capsys, "query", "at-risk", *AT_T, "--limit", "2", "--sort",
                       "customer_id", "--ascending")  # fmt: skip
    assert code == 0 and "a2" in out and "a3" in out and "l1" not in out
    code, _, err = run(capsys, "query", "at-risk", *AT_T, "--sort", "name")
    assert code == 2 and "cannot sort by 'name'" in err


def test_customer_is_one_json_object(shop_url, capsys):
    code, out, _ = run(capsys, "query", "customer", "--id", "a2", "--format", "json")
    got = json.loads(out)
    assert code == 0 and isinstance(got, dict)
    assert list(got) == [
        "customer_id", "segment", "region", "channel", "signup_at", "clv", "orders",
        "first_purchase_at", "last_purchase_at", "stages", "responses", "followups",
    ]  # fmt: skip
    assert got["clv"] == 5230.0 and got["channel"] is None
    assert got["stages"]["signup"] == "2024-07-01T00:00:00"
    assert [r["response_id"] for r in got["responses"]] == ["ra2b", "ra2a"]
    code, _, err = run(capsys, "query", "customer", "--id", "nobody", "--format", "json")
    assert code == 2 and "no customer with id, e-mail or phone 'nobody'" in err


def test_sync_list_and_set(shop_url, capsys):
    code, out, _ = run(capsys, "followup", "sync")
    created = int(out.split()[0])
    assert code == 0 and created > 0 and out.strip().endswith("follow-up items created.")
    assert run(capsys, "followup", "sync")[1].strip() == "0 follow-up items created."

    code, out, _ = run(capsys, "followup", "list", "--format", "json")
    items = json.loads(out)
    assert code == 0 and len(items) == created
    assert all(list(r) == list(FOLLOWUP_COLUMNS) for r in items)
    # the same rows as the registry view
    assert json.loads(run(capsys, "query", "followups", "--format", "json")[1]) == items

    code, out, _ = run(capsys, "followup", "set", "ra2b", "--owner", "minh", "--status",
                       "contacted", "--note", "Đã gọi", "--as", "hoa")  # fmt: skip
    assert code == 0 and out.strip() == "ra2b: contacted, owner minh (version 2, by hoa)."
    item = _item(shop_url, "ra2b")
    assert (item["status"], item["owner"], item["updated_by"]) == ("contacted", "minh", "hoa")

    code, out, _ = run(capsys, "followup", "list", "--status", "open", "--owner", "minh",
                       "--format", "csv")  # fmt: skip
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["response_id"] for r in rows] == ["ra2b"] and rows[0]["status"] == "contacted"
    code, out, _ = run(capsys, "followup", "list", "--status", "resolved", "--format", "json")
    assert json.loads(out) == []


@pytest.mark.parametrize(
    "argv, message",
    [
        (("ra3", "--status", "resolved"),
         "ra3: an item that is new cannot become resolved; it can go only to contacted"),
        (("ra3", "--status", "done"), "unknown status 'done'"),
        (("nope", "--status", "contacted"), "no follow-up item for response 'nope'"),
        (("ra3",), "say what to change: --status, --owner and/or --note"),
    ],
)  # fmt: skip
def test_set_refuses_with_exit_code_2(shop_url, capsys, argv, message):
    run(capsys, "followup", "sync")
    code, out, err = run(capsys, "followup", "set", *argv)
    assert code == 2 and out == ""
    assert err.startswith("cxdash: error: ") and message in err and err.count("\n") == 1
    assert _item(shop_url, "ra3")["version"] == 1  # nothing written


def test_a_conflict_is_exit_code_2_with_who(shop_url, capsys, monkeypatch):
    run(capsys, "followup", "sync")

    def changed_meanwhile(*args, **kwargs):
        raise followup.Conflict("changed meanwhile by anna — reload", "anna")

    monkeypatch.setattr(followup, "change", changed_meanwhile)
    code, _, err = run(capsys, "followup", "set", "ra3", "--status", "contacted")
    assert code == 2 and err.strip() == "cxdash: error: changed meanwhile by anna — reload"
