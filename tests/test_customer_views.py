"""The customer grain's registry views (at-risk, promoters, customer, followups) and the
queue's clock, on DuckDB, SQLite and PostgreSQL, over the hand-worked store of
``tests/test_customers.py`` (T = 30 June 2025).

The numbers themselves are checked in test_customers / test_followup; here: what the
views add -- every row when no limit is given, paging and ordering options, the printed
columns, a customer found by e-mail or phone, the status shorthands, and "now".
"""

from __future__ import annotations

import datetime as dt

import pytest

from dashboard import customers, followup, views
from dashboard.views import Options
from dashboard.views.customers import statuses
from queries.customers import LIST_COLUMNS, UNASSIGNED
from tests.test_customers import AT_RISK, AT_T, PROMOTERS, T
from tests.test_customers import _load as load_shop

D = dt.datetime
LATER = D(2030, 1, 1)  # far after every due time: every open item is overdue


@pytest.fixture
def shop(store):
    load_shop(store)
    return store


def test_lists_give_every_row_without_a_limit_and_page_with_one(shop):
    every = views.AT_RISK.run(shop, AT_T, Options())
    assert every["customer_id"].to_list() == customers.at_risk(shop, AT_T)["customer_id"].to_list()
    assert set(every["customer_id"]) == AT_RISK
    page = views.AT_RISK.run(shop, AT_T, Options(limit=3, offset=3))
    assert page["customer_id"].to_list() == ["a6", "l4", "l1"]  # ranked by value, then id
    by_id = views.AT_RISK.run(shop, AT_T, Options(sort="customer_id", descending=False, limit=2))
    assert by_id["customer_id"].to_list() == ["a2", "a3"]
    assert set(views.PROMOTERS.run(shop, AT_T, Options())["customer_id"]) == PROMOTERS
    printed = views.PROMOTERS.printed(views.PROMOTERS.run(shop, AT_T, Options()), Options())
    assert tuple(printed.columns) == LIST_COLUMNS
    with pytest.raises(ValueError, match="cannot sort"):
        views.AT_RISK.run(shop, AT_T, Options(sort="name"))


def test_empty_list_without_a_limit(store):
    assert views.AT_RISK.run(store, AT_T, Options()).is_empty()


def test_customer_view_by_id_email_or_phone_as_json(shop):
    by_id = views.CUSTOMER.run(shop, AT_T, Options(customer_id="a2"))
    assert list(by_id) == list(customers.CUSTOMER_JSON_KEYS)
    assert by_id["customer_id"] == "a2" and by_id["signup_at"] == "2024-07-01T00:00:00"
    assert views.CUSTOMER.run(shop, AT_T, Options(customer_id="lan.nguyen@acme.vn")) == by_id
    assert views.CUSTOMER.run(shop, AT_T, Options(customer_id="0912 345 123")) == by_id
    with pytest.raises(ValueError, match="no customer with id, e-mail or phone 'zz'"):
        views.CUSTOMER.run(shop, AT_T, Options(customer_id="zz"))  # feedback only
    with pytest.raises(ValueError, match="needs --id"):
        views.CUSTOMER.run(shop, AT_T, Options())


def test_status_shorthands():
    assert statuses(None) is None and statuses(" ") is None
    assert statuses("open") == ("new", "contacted")
    assert statuses("open,resolved, contacted") == ("new", "contacted", "resolved")
    assert statuses("closed") == ("closed",)


def test_followups_view_narrows_pages_and_counts_overdue_at_the_clock(shop, monkeypatch):
    followup.sync(shop, now=D(2025, 7, 1))
    followup.change(shop, "ra2b", owner="minh", status="contacted", actor="minh")
    followup.change(shop, "ra3", status="contacted", actor="lan")
    followup.change(shop, "ra3", status="resolved", actor="lan")
    monkeypatch.setattr(followup, "utc_now", lambda: LATER)  # the store is not a demo
    every = views.FOLLOWUPS.run(shop, AT_T, Options())
    assert every.height == customers.followup_count(shop, AT_T, now=LATER)
    assert every["due_at"].is_sorted()  # most urgent first
    open_ = views.FOLLOWUPS.run(shop, AT_T, Options(status="open"))
    assert "ra3" not in set(open_["response_id"]) and "ra2b" in set(open_["response_id"])
    assert open_["overdue"].all()  # 2030: every open item is late
    done = views.FOLLOWUPS.run(shop, AT_T, Options(status="resolved,closed"))
    assert done["response_id"].to_list() == ["ra3"] and not done["overdue"].any()
    mine = views.FOLLOWUPS.run(shop, AT_T, Options(owner="minh"))
    assert mine["response_id"].to_list() == ["ra2b"]
    nobody = views.FOLLOWUPS.run(shop, AT_T, Options(owner=UNASSIGNED))
    assert "ra2b" not in set(nobody["response_id"]) and nobody.height == every.height - 1
    late = views.FOLLOWUPS.run(shop, AT_T, Options(overdue=True))
    assert set(late["response_id"]) == set(open_["response_id"])
    page = views.FOLLOWUPS.run(shop, AT_T, Options(limit=2, offset=1))
    assert page["response_id"].to_list() == every["response_id"].to_list()[1:3]
    by_value = views.FOLLOWUPS.run(shop, AT_T, Options(sort="value_at_risk", descending=True))
    assert by_value["value_at_risk"].is_sorted(descending=True)
    printed = views.FOLLOWUPS.printed(page, Options())
    assert printed.columns == [
        "response_id", "customer_id", "touchpoint", "nps", "csat", "status", "owner",
        "due_at", "overdue", "value_at_risk",
    ]  # fmt: skip
    with pytest.raises(ValueError, match="unknown status 'done'"):
        views.FOLLOWUPS.run(shop, AT_T, Options(status="done"))


# -- the queue's clock -------------------------------------------------------------------------


def test_clock_is_real_time_outside_a_demo_store(shop, monkeypatch):
    monkeypatch.setattr(followup, "utc_now", lambda: LATER)
    assert followup.clock(shop) == LATER  # loaded without the import log: real time


def test_clock_rules():
    loaded, last = D(2026, 11, 20, 8), D(2026, 10, 31, 23, 59, 1)
    demo = {"origin": "demo-data small seed 7", "loaded_at": loaded, "last_response_at": last}
    # the demo's clock starts at the end of its last day when it was generated ...
    assert followup.clock_from(demo, loaded) == D(2026, 11, 1)
    # ... and runs on in real time
    assert followup.clock_from(demo, loaded + dt.timedelta(hours=5)) == D(2026, 11, 1, 5)
    # a clock set back never goes before the start
    assert followup.clock_from(demo, loaded - dt.timedelta(days=1)) == D(2026, 11, 1)
    real = dt.datetime(2026, 11, 27, 12)
    assert followup.clock_from({**demo, "origin": "feedback.csv"}, real) == real
    assert followup.clock_from({**demo, "last_response_at": None}, real) == real
    assert followup.clock_from({"origin": None, "loaded_at": None, "last_response_at": last},
                               real) == real  # fmt: skip


def test_clock_reads_the_latest_load_on_every_backend(shop):
    from dashboard.ingest.write import load

    with load(shop, origin="demo-data test seed 1") as loader:
        loader.append("stages", _one_stage())
    clock = followup.clock(shop)
    # the last response is ra4b (1 July 2025): the clock starts at the end of that day
    assert D(2025, 7, 2) <= clock < D(2025, 7, 2, 0, 5)
    with load(shop, origin="import") as loader:
        loader.append("stages", _one_stage("cart", 9))
    assert followup.clock(shop) > D(2026, 1, 1)  # real data: real time


def _one_stage(stage: str = "repeat", position: int = 8):
    import polars as pl

    return pl.DataFrame({"stage": [stage], "position": [position]})


def test_t_is_the_periods_last_day():
    assert AT_T.date_to == T
