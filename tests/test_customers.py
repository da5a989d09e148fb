"""The customer grain on hand-built stores, identical on DuckDB, SQLite and PostgreSQL.

T is 30 June 2025 throughout. Worked by hand from the rows in ``_load``:

- the 90 days ending at T are [2 Apr 2025 00:00, 1 Jul 2025 00:00);
- the 365 days ending at T are [1 Jul 2024 00:00, 1 Jul 2025 00:00) (no 29 Feb inside);
- the end of T, from which "days since the last transaction" are counted, is 1 Jul 00:00.
"""

from __future__ import annotations

import datetime as dt
import json

import polars as pl
import pytest

from dashboard import customers, db, followup
from queries import schema
from queries.customers import days_ending_at, normalise_phone
from queries.filters import Filters
from tests.backends import backend_with_chdb  # noqa: F401 - the chDB lane

D = dt.datetime
T = dt.date(2025, 6, 30)
AT_T = Filters(date_to=T)


def _customers() -> pl.DataFrame:
    rows = [
        # id, segment, region, signup_at, name, email, phone
        ("a1", "SMB", "Hà Nội", None, None, None, None),
        ("a2", "SMB", "TP.HCM", D(2024, 7, 1), "Nguyễn Thị Lan", " Lan.Nguyen@Acme.VN ",
         "+84 91 234 5123"),
        ("a3", "Enterprise", "Hà Nội", None, None, None, "0912.345.678"),
        ("a4", "Enterprise", "TP.HCM", None, None, None, None),
        ("a5", "SMB", "Hà Nội", None, None, None, None),
        ("a6", "SMB", "Hà Nội", None, None, None, None),
        ("a7", "SMB", "Hà Nội", None, None, None, None),
        ("a8", "SMB", "Hà Nội", None, None, None, None),
        ("p1", "Enterprise", "Đà Nẵng", None, None, None, None),
        # lapsing cases, all at risk through a detractor on 1 June
        ("l1", "SMB", "Hà Nội", None, None, None, None),
        ("l2", "SMB", "Hà Nội", None, None, None, None),
        ("l3", "SMB", "Hà Nội", None, None, None, None),
        ("l4", "SMB", "Hà Nội", None, None, None, None),
        ("l5", "SMB", "Hà Nội", None, None, None, None),
        ("l6", "SMB", "Hà Nội", None, None, None, None),
    ]  # fmt: skip
    names = ["customer_id", "segment", "region", "signup_at", "name", "email", "phone"]
    return pl.DataFrame(rows, schema=names, orient="row")


TRANSACTIONS = {
    # a2's value at risk: only 200 (first second of the window) + 30 (last second of T)
    "a2": [(D(2024, 6, 30, 23, 59, 59), 1000.0), (D(2024, 7, 1), 200.0),
           (D(2025, 6, 30, 23, 59, 59), 30.0), (D(2025, 7, 1), 5000.0)],
    "a3": [(D(2025, 1, 1), 100.0)],
    "a5": [(D(2025, 3, 1), 100.0)],
    "a6": [(D(2025, 3, 1), 100.0)],
    # gaps 10, 10 days: median 10, last 161 days before the end of T -> lapsing
    "l1": [(D(2025, 1, 1), 10.0), (D(2025, 1, 11), 10.0), (D(2025, 1, 21), 10.0)],
    # gaps 10.5 and 4.5 days: median 7.5; 15 days since exactly = 2 x 7.5 -> not lapsing
    "l2": [(D(2025, 6, 1), 10.0), (D(2025, 6, 11, 12), 10.0), (D(2025, 6, 16), 10.0)],
    # one minute earlier: median 7.4997 days, 15.0007 days since -> lapsing
    "l3": [(D(2025, 6, 1), 10.0), (D(2025, 6, 11, 12), 10.0), (D(2025, 6, 15, 23, 59), 10.0)],
    # a tie: gaps 0, 4, 15 days: median 4; 11 days since > 8 -> lapsing (without the
    # 0 gap the median would be 9.5 and it would not be)
    "l4": [(D(2025, 6, 1), 10.0), (D(2025, 6, 1), 10.0), (D(2025, 6, 5), 10.0),
           (D(2025, 6, 20), 10.0)],
    # two transactions only -> never lapsing
    "l5": [(D(2025, 1, 1), 10.0), (D(2025, 1, 2), 10.0)],
    # l1's history plus one after T, which does not count -> lapsing
    "l6": [(D(2025, 1, 1), 10.0), (D(2025, 1, 11), 10.0), (D(2025, 1, 21), 10.0),
           (D(2025, 7, 5), 10.0)],
}  # fmt: skip


def _events() -> pl.DataFrame:
    rows = []
    for customer, purchases in TRANSACTIONS.items():
        for at, amount in purchases:
            rows.append((customer, "purchase", at, amount))
    # non-transactions: a visit (no amount) and a signup, for the stages
    rows += [("a2", "visit", D(2024, 6, 1), None), ("a2", "signup", D(2024, 7, 1), None),
             ("a2", "visit", D(2025, 1, 1), None)]  # fmt: skip
    frame = pl.DataFrame(
        rows, schema=["customer_id", "stage", "occurred_at", "amount"], orient="row"
    )
    return frame.with_columns(
        pl.format("e{}", pl.int_range(pl.len())).alias("event_id"),
        pl.col("amount").cast(pl.Float64),
    )


RESPONSES = [
    # id, at, touchpoint, customer, nps, csat, comment
    ("ra1a", D(2025, 5, 1), "Delivery", "a1", 3, None, "late"),  # detractor ...
    ("ra1b", D(2025, 6, 1), "Web", "a1", 8, None, None),  # ... cancelled by a later passive
    ("ra2a", D(2025, 6, 10), "Web", "a2", 9, 5, "love it"),
    ("ra2b", D(2025, 6, 20), "Delivery", "a2", 2, None, "never again"),
    ("ra3", D(2025, 4, 2), "Delivery", "a3", 5, None, None),  # first second of the window
    ("ra4a", D(2025, 4, 1, 23, 59, 59), "Delivery", "a4", 5, None, None),  # the day before
    ("ra4b", D(2025, 7, 1), "Delivery", "a4", 1, None, None),  # after T
    ("ra5", D(2025, 6, 15), "Store", "a5", None, 2, None),  # CSAT only
    ("ra6a", D(2025, 6, 1), "Web", "a6", 10, None, None),  # promoter by NPS ...
    ("ra6b", D(2025, 6, 2), "Store", "a6", None, 1, None),  # ... at risk by CSAT
    ("ra7a", D(2025, 5, 1), "Store", "a7", None, 2, None),  # CSAT 2 ...
    ("ra7b", D(2025, 6, 1), "Store", "a7", None, 4, None),  # ... cancelled by a later 4
    ("ra8b", D(2025, 6, 5, 12), "Web", "a8", 3, None, None),  # same instant: the smaller
    ("ra8a", D(2025, 6, 5, 12), "Web", "a8", 9, None, None),  # response_id is the latest
    ("rp1", D(2025, 6, 30, 23, 59, 59), "Web", "p1", 9, None, None),  # last second of T
    ("ranon", D(2025, 6, 1), "Delivery", None, 0, 1, "anonymous"),
    ("rorph", D(2025, 6, 1), "Delivery", "zz", 0, 1, "orphan"),
    *((f"rl{i}", D(2025, 6, 1), "Web", f"l{i}", 0, None, None) for i in range(1, 7)),
]


def _feedback() -> pl.DataFrame:
    names = ["response_id", "responded_at", "touchpoint", "customer_id", "nps", "csat", "comment"]
    return pl.DataFrame(RESPONSES, schema=names, orient="row").with_columns(
        pl.col("nps", "csat").cast(pl.Int16)
    )


def _load(engine) -> None:
    with db.begin(engine) as conn:
        db.upsert_frame(conn, schema.customers, _customers())
        db.upsert_frame(conn, schema.events, _events())
        db.upsert_frame(conn, schema.feedback, _feedback())
        db.upsert_frame(
            conn,
            schema.stages,
            pl.DataFrame({"stage": ["visit", "signup", "purchase"], "position": [1, 2, 3]}),
        )


@pytest.fixture
def shop(store):
    _load(store)
    return store


AT_RISK = {"a2", "a3", "a5", "a6", "l1", "l2", "l3", "l4", "l5", "l6"}
PROMOTERS = {"a6", "a8", "p1"}


def test_window_bounds_are_whole_days():
    assert days_ending_at(T, 90) == (D(2025, 4, 2), D(2025, 7, 1))
    assert days_ending_at(T, 365) == (D(2024, 7, 1), D(2025, 7, 1))
    assert days_ending_at(T, 1) == (D(2025, 6, 30), D(2025, 7, 1))


def test_at_risk_follows_the_latest_response_rules(shop):
    listed = customers.at_risk(shop, AT_T, limit=100)
    assert set(listed["customer_id"]) == AT_RISK
    # a1: later passive cancels; a4: the day before the window (its NPS 1 is after T);
    # a7: later CSAT 4 cancels; a8: tie broken by response_id; anonymous / orphan: unknown
    assert customers.at_risk_count(shop, AT_T) == len(AT_RISK)
    rows = {r["customer_id"]: r for r in listed.iter_rows(named=True)}
    assert (rows["a2"]["last_nps"], rows["a2"]["last_nps_at"]) == (2, D(2025, 6, 20))
    assert (rows["a2"]["last_csat"], rows["a2"]["last_csat_at"]) == (5, D(2025, 6, 10))
    assert (rows["a3"]["last_nps"], rows["a3"]["last_nps_at"]) == (5, D(2025, 4, 2))
    # CSAT-only at risk: no NPS at all
    assert rows["a5"]["last_nps"] is None and rows["a5"]["last_nps_at"] is None
    assert (rows["a5"]["last_csat"], rows["a5"]["segment"]) == (2, "SMB")
    assert (rows["a6"]["last_nps"], rows["a6"]["last_csat"]) == (10, 1)


def test_promoters_follow_the_latest_nps_in_the_window(shop):
    listed = customers.promoters(shop, AT_T, limit=100)
    assert set(listed["customer_id"]) == PROMOTERS
    assert customers.promoters_count(shop, AT_T) == 3
    # the window moves with T: on 1 July, a4's NPS 1 is the latest and p1's 9 still counts
    july = Filters(date_to=dt.date(2025, 7, 1))
    assert "a4" in set(customers.at_risk(shop, july, limit=100)["customer_id"])
    assert "p1" in set(customers.promoters(shop, july, limit=100)["customer_id"])
    # ... and on 29 June, p1 (30 June 23:59:59) has not answered yet
    assert "p1" not in set(
        customers.promoters(shop, Filters(date_to=T.replace(day=29)))["customer_id"]
    )


def test_value_at_risk_counts_the_365_days_ending_at_t(shop):
    listed = customers.at_risk(shop, AT_T, limit=100)
    value = dict(zip(listed["customer_id"], listed["value_at_risk"], strict=True))
    assert value["a2"] == 230.0  # 200 on the first second + 30 on the last second of T
    assert value["a3"] == 100.0 and value["l1"] == 30.0 and value["l6"] == 30.0
    assert value["l2"] == 30.0 and value["l4"] == 40.0
    total = sum(value.values())
    assert customers.risk_headline(shop, AT_T) == (len(AT_RISK), pytest.approx(total))


def test_lapsing_with_fractional_gaps_and_ties(shop):
    listed = customers.at_risk(shop, AT_T, limit=100)
    lapsing = dict(zip(listed["customer_id"], listed["lapsing"], strict=True))
    assert lapsing["l1"] is True  # 161 days since, usual gap 10
    assert lapsing["l2"] is False  # exactly twice the median gap: not more
    assert lapsing["l3"] is True  # one minute more
    assert lapsing["l4"] is True  # the tie is a gap of 0
    assert lapsing["l5"] is False  # only two transactions
    assert lapsing["l6"] is True  # the transaction after T does not count
    assert lapsing["a2"] is False and lapsing["a3"] is False  # no / too few transactions


def test_lists_rank_sort_and_page(shop):
    ranked = customers.at_risk(shop, AT_T)["customer_id"].to_list()
    # value desc, then customer_id: a2 230; a3, a5, a6 100; l4 40; l1, l2, l3, l6 30; l5 20
    assert ranked == ["a2", "a3", "a5", "a6", "l4", "l1", "l2", "l3", "l6", "l5"]
    page = customers.at_risk(shop, AT_T, limit=3, offset=3)["customer_id"].to_list()
    assert page == ["a6", "l4", "l1"]
    by_id = customers.at_risk(shop, AT_T, sort="customer_id", descending=False, limit=2)
    assert by_id["customer_id"].to_list() == ["a2", "a3"]
    # sorting by the flag computes it for everyone: lapsing first, then by value
    by_flag = customers.at_risk(shop, AT_T, sort="lapsing", limit=4)
    assert by_flag["customer_id"].to_list() == ["l4", "l1", "l3", "l6"]
    # NULLs last whichever the direction
    for descending in (True, False):
        by_nps = customers.at_risk(shop, AT_T, sort="last_nps", descending=descending, limit=100)
        assert by_nps["customer_id"][-1] == "a5"
    with pytest.raises(ValueError, match="cannot sort"):
        customers.at_risk(shop, AT_T, sort="name")


def test_lists_are_scoped_by_the_filters(shop):
    smb = AT_T.replace(segment=("SMB",))
    assert set(customers.at_risk(shop, smb, limit=100)["customer_id"]) == AT_RISK - {"a3"}
    assert set(customers.promoters(shop, smb, limit=100)["customer_id"]) == {"a6", "a8"}
    # a touchpoint filter picks the responses that count: a2's latest Web NPS is a 9
    web = AT_T.replace(touchpoint=("Web",))
    assert "a2" not in set(customers.at_risk(shop, web, limit=100)["customer_id"])
    assert "a2" in set(customers.promoters(shop, web, limit=100)["customer_id"])
    # the period's start does not matter: T and the window do
    assert customers.at_risk_count(shop, AT_T.replace(date_from=T)) == len(AT_RISK)


def test_open_period_is_at_the_last_day_with_data(shop):
    assert customers.as_of(shop, Filters()) == dt.date(2025, 7, 5)  # l6's late purchase
    assert customers.as_of(shop, AT_T) == T


def test_window_setting_narrows_the_lists(shop):
    # 30 days ending at T start on 1 June: a3 (2 April) drops out
    assert "a3" not in set(customers.at_risk(shop, AT_T, window_days=30, limit=100)["customer_id"])


def test_open_followups_are_counted_per_customer(shop):
    followup.sync(shop, now=D(2025, 7, 1))
    listed = customers.at_risk(shop, AT_T, limit=100)
    counts = dict(zip(listed["customer_id"], listed["open_followups"], strict=True))
    assert counts["a2"] == 1 and counts["a3"] == 1 and counts["a5"] == 1
    followup.change(shop, "ra2b", status="contacted", actor="lan")
    followup.change(shop, "ra2b", status="resolved", actor="lan")
    listed = customers.at_risk(shop, AT_T, limit=100)
    assert dict(zip(listed["customer_id"], listed["open_followups"], strict=True))["a2"] == 0


def test_empty_store_gives_empty_lists(store):
    assert customers.at_risk(store, Filters()).columns == list(customers.LIST_SCHEMA)
    assert customers.at_risk(store, Filters()).is_empty()
    assert customers.risk_headline(store, Filters()) == (0, 0.0)


# -- the single customer view ---------------------------------------------------------------


def test_customer_view_profile_and_history(shop):
    followup.sync(shop, now=D(2025, 7, 1))
    followup.change(shop, "ra2b", owner="minh", actor="hoa", now=D(2025, 7, 1, 9))
    followup.change(shop, "ra2b", status="contacted", note="called", actor="minh",
                    now=D(2025, 7, 1, 10))  # fmt: skip
    view = customers.customer_view(shop, "a2", now=D(2025, 7, 2))
    # CLV since signup (1 Jul 2024): the 30 June 2024 purchase is before it
    assert view["clv"] == 5230.0
    assert view["orders"] == 4
    assert view["first_purchase_at"] == D(2024, 6, 30, 23, 59, 59)
    assert view["last_purchase_at"] == D(2025, 7, 1)
    assert view["stages"] == {
        "visit": D(2024, 6, 1),
        "signup": D(2024, 7, 1),
        "purchase": D(2024, 6, 30, 23, 59, 59),
    }
    assert list(view["stages"]) == ["visit", "signup", "purchase"]  # funnel order
    assert [r["response_id"] for r in view["responses"]] == ["ra2b", "ra2a"]
    assert view["responses"][0]["comment"] == "never again"
    (item,) = view["followups"]
    assert (item["response_id"], item["status"], item["owner"]) == ("ra2b", "contacted", "minh")
    assert item["overdue"] is True  # due 22 June (20 June + 48 h), still open on 2 July
    assert [e["version"] for e in item["events"]] == [3, 2, 1]  # newest first
    assert item["events"][0]["note"] == "called" and item["events"][0]["actor"] == "minh"
    assert item["events"][2]["to_status"] == "new" and item["events"][2]["from_status"] is None


def test_clv_without_signup_counts_every_transaction(shop):
    view = customers.customer_view(shop, "a3")
    assert (view["clv"], view["orders"]) == (100.0, 1)
    nothing = customers.customer_view(shop, "a1")
    assert (nothing["clv"], nothing["orders"], nothing["first_purchase_at"]) == (0.0, 0, None)
    assert nothing["stages"] == {} and nothing["followups"] == []


def test_customer_view_masks_contact_details_unless_allowed(shop):
    masked = customers.customer_view(shop, "a2")
    assert (masked["name"], masked["email"], masked["phone"]) == (
        "Ng*** T** L**",
        "L***@Acme.VN",  # as stored, minus its spaces
        "09** *** 123",
    )
    plain = customers.customer_view(shop, "a2", unmask=True)
    assert plain["name"] == "Nguyễn Thị Lan" and plain["phone"] == "+84 91 234 5123"
    assert customers.customer_view(shop, "a1")["name"] is None


def test_unknown_customer_has_no_view(shop):
    with pytest.raises(customers.UnknownCustomer):
        customers.customer_view(shop, "zz")  # has feedback, but is not a customer


def test_customer_json_is_plain_json(shop):
    followup.sync(shop, now=D(2025, 7, 1))
    out = customers.customer_json(customers.customer_view(shop, "a2", now=D(2025, 7, 2)))
    assert list(out) == list(customers.CUSTOMER_JSON_KEYS)
    assert out["signup_at"] == "2024-07-01T00:00:00"
    assert out["stages"]["signup"] == "2024-07-01T00:00:00"
    assert out["responses"][1]["csat"] == 5 and out["responses"][0]["csat"] is None
    assert out["followups"][0]["due_at"] == "2025-06-22T00:00:00"
    assert out["followups"][0]["events"][0]["changed_at"] == "2025-07-01T00:00:00"
    assert json.loads(json.dumps(out)) == out
    assert "name" not in out and "phone" not in out


@pytest.mark.parametrize(
    "text, expected",
    [
        ("a2", "a2"),
        ("  a3 ", "a3"),
        ("lan.nguyen@acme.vn", "a2"),
        ("LAN.NGUYEN@ACME.VN ", "a2"),
        ("0912345123", "a2"),  # stored as +84 91 234 5123
        ("84 912 345 123", "a2"),
        ("(091) 234-5678", "a3"),  # stored as 0912.345.678
        ("+84912345678", "a3"),
        ("0912345000", None),
        ("nobody@acme.vn", None),
        ("", None),
        ("zz", None),  # in feedback only
    ],
)
def test_find_customer_by_id_email_or_phone(shop, text, expected):
    assert customers.find_customer(shop, text) == expected


# -- masking and normalising, without a store ----------------------------------------------


def test_masks():
    assert customers.mask_name("Nguyễn Thị Lan") == "Ng*** T** L**"
    assert customers.mask_name("Lan") == "La***"
    assert customers.mask_email("lan.nguyen@acme.vn") == "l***@acme.vn"
    assert customers.mask_phone("0912345123") == "09** *** 123"
    assert customers.mask_phone("+84 912 345 123") == "09** *** 123"
    assert customers.mask_phone("091 2345 6123") == "09** **** 123"  # 11 digits
    assert customers.mask_phone("12345") == "*****"
    assert customers.mask_name(None) is None and customers.mask_email("") == ""


def test_normalise_phone():
    assert normalise_phone("+84 (91) 234-5678") == "0912345678"
    assert normalise_phone("0084912345678") == "0912345678"
    assert normalise_phone("0912 345 678") == "0912345678"
