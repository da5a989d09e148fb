"""The closed loop: follow-up items created idempotently, changed safely, listed and
counted -- on DuckDB, SQLite and PostgreSQL, with numbers worked out by hand."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

import polars as pl
import pytest
import sqlalchemy as sa

from dashboard import customers, db, followup, rollup_store
from dashboard.ingest import import_file
from queries import customers as cq
from queries import schema
from queries.filters import Filters
from tests.backends import (
    NO_TRANSACTIONS,
    backend_with_chdb,  # noqa: F401 - the chDB lane
    not_on_clickhouse,
)

D = dt.datetime
JUNE = Filters(date_to=dt.date(2025, 6, 30))

RESPONSES = [
    # id, at, touchpoint, customer, nps, csat, comment
    ("f1", D(2025, 6, 1, 10), "Delivery", "c1", 3, None, "late"),  # item: NPS 3
    ("f2", D(2025, 6, 2), "Web", "c1", 9, 2, None),  # item: CSAT 2, despite the NPS 9
    ("f3", D(2025, 6, 3), "Delivery", "c2", 7, 3, None),  # none: NPS 7, CSAT 3
    ("f4", D(2025, 6, 4), "Store", "c2", 6, None, None),  # item: NPS 6, the last detractor
    ("f5", D(2025, 6, 5), "Web", "c3", None, 1, None),  # item: CSAT 1 only
    ("f6", D(2025, 6, 5), "Web", None, 0, 1, "anonymous"),  # none: no customer
    ("f7", D(2025, 6, 5), "Web", "ghost", 0, 1, "orphan"),  # none: not in customers
    ("f8", D(2025, 6, 6), "Web", "c3", None, None, "comment only"),  # none
]
ITEMS = ["f1", "f2", "f4", "f5"]
FEEDBACK_COLUMNS = [
    "response_id", "responded_at", "touchpoint", "customer_id", "nps", "csat", "comment",
]  # fmt: skip


def _feedback(rows) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=FEEDBACK_COLUMNS, orient="row").with_columns(
        pl.col("nps", "csat").cast(pl.Int16)
    )


def _load(engine) -> None:
    with db.begin(engine) as conn:
        _load_in(conn)


def _load_in(conn) -> None:
    people = pl.DataFrame(
        {"customer_id": ["c1", "c2", "c3"], "segment": ["SMB", "Enterprise", "SMB"]}
    )
    purchases = pl.DataFrame(
        {
            "event_id": ["e1", "e2", "e3"],
            "customer_id": ["c1", "c2", "c2"],
            "stage": ["purchase"] * 3,
            "occurred_at": [D(2025, 6, 1), D(2025, 6, 2), D(2024, 6, 30)],  # e3: too old
            "amount": [500.0, 300.0, 999.0],
        }
    )
    db.upsert_frame(conn, schema.customers, people)
    db.upsert_frame(conn, schema.events, purchases)
    db.upsert_frame(conn, schema.feedback, _feedback(RESPONSES))


@pytest.fixture
def loop(store):
    _load(store)
    return store


def _items(engine) -> pl.DataFrame:
    return db.fetch(sa.select(schema.followups).order_by("response_id"), engine)


def _log(engine, response_id: str | None = None) -> pl.DataFrame:
    ev = schema.followup_events
    statement = sa.select(ev).order_by(ev.c.response_id, ev.c.version)
    if response_id:
        statement = statement.where(ev.c.response_id == response_id)
    return db.fetch(statement, engine)


# -- creating items ---------------------------------------------------------------------------


def test_sync_creates_one_item_per_unhappy_known_response(loop):
    now = D(2025, 6, 10)
    assert followup.sync(loop, now=now) == 4
    items = _items(loop)
    assert items["response_id"].to_list() == ITEMS  # not f6 (anonymous) nor f7 (orphan)
    assert set(items["status"]) == {"new"} and set(items["version"]) == {1}
    assert items["owner"].is_null().all() and items["first_contact_at"].is_null().all()
    f1 = items.row(0, named=True)
    assert (f1["customer_id"], f1["touchpoint"], f1["nps"], f1["csat"]) == (
        "c1",
        "Delivery",
        3,
        None,
    )
    assert f1["due_at"] == D(2025, 6, 3, 10)  # responded_at + 48 h
    assert (f1["created_at"], f1["updated_by"]) == (now, "sync")
    log = _log(loop)
    assert log["event_id"].to_list() == [f"{r}#1" for r in ITEMS]
    assert set(log["to_status"]) == {"new"} and log["from_status"].is_null().all()
    assert set(log["changed_at"]) == {now}


def test_sync_is_idempotent(loop):
    assert followup.sync(loop, now=D(2025, 6, 10)) == 4
    assert followup.sync(loop, now=D(2025, 6, 11)) == 0
    assert _items(loop).height == 4 and _log(loop).height == 4


def test_sla_setting_sets_the_due_time(loop, monkeypatch):
    monkeypatch.setenv("CXDASH_FOLLOWUP_SLA_HOURS", "24")
    followup.sync(loop, now=D(2025, 6, 10))
    assert _items(loop)["due_at"][0] == D(2025, 6, 2, 10)


FEEDBACK_CSV = (
    "response_id,responded_at,touchpoint,customer_id,nps,csat,comment\n"
    "f1,2025-06-01 10:00:00,Delivery,c1,8,,late\n"  # corrected score: no longer a detractor
    "f2,2025-06-02 00:00:00,Web,c1,9,2,\n"
    "f4,2025-06-04 00:00:00,Store,c2,6,,\n"
    "f5,2025-06-05 00:00:00,Web,c3,,1,\n"
    "f9,2025-06-09 00:00:00,Delivery,c2,1,,new one\n"
)


def test_reimports_and_summary_rebuilds_keep_the_follow_up_state(loop, tmp_path: Path):
    followup.sync(loop, now=D(2025, 6, 10))
    followup.change(loop, "f1", status="contacted", owner="anna", actor="anna")
    before = _items(loop)
    path = tmp_path / "feedback.csv"
    path.write_text(FEEDBACK_CSV, encoding="utf-8")
    report = import_file(path, "feedback", engine=loop)
    assert report.ok, report.render()
    # the import itself created the item of the new detractor f9, in its transaction
    after = _items(loop)
    assert after["response_id"].to_list() == [*ITEMS, "f9"]
    f9 = after.row(-1, named=True)
    assert (f9["status"], f9["nps"], f9["version"]) == ("new", 1, 1)
    import_file(path, "feedback", engine=loop)  # the same file again
    rollup_store.refresh_store(loop)
    kept = _items(loop).filter(pl.col("response_id") != "f9")
    assert kept.equals(before)  # f1 keeps its status, owner, version and scores
    assert _items(loop).filter(pl.col("response_id") == "f9").equals(after.tail(1))
    assert _log(loop, "f1")["version"].to_list() == [1, 2]
    assert _log(loop, "f9")["version"].to_list() == [1]
    assert followup.sync(loop, now=D(2025, 6, 11)) == 0  # nothing left to create


def test_importing_an_orphans_customer_creates_its_items(loop, tmp_path: Path):
    followup.sync(loop, now=D(2025, 6, 10))
    path = tmp_path / "customers.csv"
    path.write_text("customer_id,segment\nghost,SMB\n", encoding="utf-8")
    report = import_file(path, "customers", engine=loop)
    assert report.ok, report.render()
    # f7 (NPS 0, CSAT 1) was an orphan's: now its customer is known, it has an item
    assert _items(loop)["response_id"].to_list() == sorted([*ITEMS, "f7"])
    assert _log(loop, "f7")["actor"].to_list() == ["sync"]


# -- the transition table ---------------------------------------------------------------------

ALLOWED = {
    ("new", "contacted"),
    ("contacted", "resolved"),
    ("contacted", "unreachable"),
    ("resolved", "closed"),
    ("unreachable", "closed"),
}


@pytest.mark.parametrize("current", schema.FOLLOWUP_STATUSES)
@pytest.mark.parametrize("new", schema.FOLLOWUP_STATUSES)
def test_transition_table(current, new):
    if (current, new) in ALLOWED:
        followup.check_transition(current, new)
        return
    with pytest.raises(followup.InvalidTransition) as refused:
        followup.check_transition(current, new)
    allowed = [to for frm, to in sorted(ALLOWED) if frm == current]
    message = str(refused.value)
    assert f"{current} cannot become {new}" in message
    assert all(status in message for status in allowed)
    if not allowed:
        assert "final" in message


def test_unknown_status_is_refused():
    with pytest.raises(followup.InvalidTransition, match="unknown status 'done'"):
        followup.check_transition("new", "done")


# -- changing an item ---------------------------------------------------------------------------


def test_a_refused_change_writes_nothing(loop):
    followup.sync(loop, now=D(2025, 6, 10))
    with pytest.raises(followup.InvalidTransition, match="only to contacted"):
        followup.change(loop, "f1", status="resolved", note="skip ahead", actor="anna")
    assert _items(loop)["version"][0] == 1 and _log(loop, "f1").height == 1


def test_the_whole_life_of_an_item_is_logged(loop):
    followup.sync(loop, now=D(2025, 6, 1, 12))
    steps = [
        dict(owner="anna", actor="hoa", now=D(2025, 6, 1, 13)),
        dict(status="contacted", note="called", actor="anna", now=D(2025, 6, 2, 10)),
        dict(note="will call back", actor="anna", now=D(2025, 6, 2, 11)),
        dict(status="resolved", owner="binh", note="refund", actor="anna", now=D(2025, 6, 3)),
        dict(status="closed", actor="hoa", now=D(2025, 6, 4)),
    ]
    for version, step in enumerate(steps, start=1):
        after = followup.change(loop, "f1", expected_version=version, **step)
        assert after["version"] == version + 1
    assert (after["status"], after["owner"], after["updated_by"]) == ("closed", "binh", "hoa")
    assert after["first_contact_at"] == D(2025, 6, 2, 10)
    log = _log(loop, "f1")
    assert log.select("version", "actor", "from_status", "to_status", "owner_from",
                      "owner_to", "note").rows() == [
        (1, "sync", None, "new", None, None, None),
        (2, "hoa", "new", "new", None, "anna", None),
        (3, "anna", "new", "contacted", "anna", "anna", "called"),
        (4, "anna", "contacted", "contacted", "anna", "anna", "will call back"),
        (5, "anna", "contacted", "resolved", "anna", "binh", "refund"),
        (6, "hoa", "resolved", "closed", "binh", "binh", None),
    ]  # fmt: skip
    assert log["changed_at"][-1] == D(2025, 6, 4)
    history = customers.followup_history(loop, "f1")
    assert history["version"].to_list() == [6, 5, 4, 3, 2, 1]  # newest first


def test_owner_can_be_cleared_and_same_status_is_no_change(loop):
    followup.sync(loop, now=D(2025, 6, 10))
    followup.change(loop, "f1", owner="anna", actor="hoa")
    after = followup.change(loop, "f1", status="new", owner="", actor="hoa")
    assert after["owner"] is None and after["status"] == "new" and after["version"] == 3


def test_nothing_to_change_unknown_item_and_no_actor(loop):
    followup.sync(loop, now=D(2025, 6, 10))
    with pytest.raises(ValueError, match="nothing to change"):
        followup.change(loop, "f1", status="new", note="  ", actor="anna")
    with pytest.raises(followup.UnknownItem):
        followup.change(loop, "f6", status="contacted", actor="anna")  # anonymous: no item
    with pytest.raises(ValueError, match="who"):
        followup.change(loop, "f1", status="contacted", actor=" ")
    assert _log(loop, "f1").height == 1


def test_a_stale_version_is_refused_with_who_changed_it(loop):
    followup.sync(loop, now=D(2025, 6, 10))
    # Anna and Binh both opened f1 at version 1.
    followup.change(loop, "f1", owner="anna", note="mine", actor="anna", expected_version=1)
    with pytest.raises(followup.Conflict, match="changed meanwhile by anna — reload"):
        followup.change(loop, "f1", status="contacted", actor="binh", expected_version=1)
    item = _items(loop).row(0, named=True)
    assert (item["status"], item["owner"], item["version"]) == ("new", "anna", 2)
    assert _log(loop, "f1")["actor"].to_list() == ["sync", "anna"]  # Anna's change kept
    # Binh reloads and tries again: now it goes through.
    followup.change(loop, "f1", status="contacted", actor="binh", expected_version=2)
    assert _log(loop, "f1")["actor"].to_list() == ["sync", "anna", "binh"]


def test_the_update_itself_checks_the_version(loop):
    # Between reading and writing someone else may commit: the UPDATE only applies to
    # the version that was read.
    followup.sync(loop, now=D(2025, 6, 10))
    followup.change(loop, "f1", owner="anna", actor="anna")
    stale = cq.update_followup(
        "f1", 1, status="contacted", owner="binh", at=D(2025, 6, 11), actor="binh"
    )
    with db.begin(loop) as conn:
        assert db.execute(conn, stale) == 0
    current = cq.update_followup(
        "f1", 2, status="contacted", owner="binh", at=D(2025, 6, 11), actor="binh"
    )
    with db.begin(loop) as conn:
        assert db.execute(conn, current) == 1
    if db.is_clickhouse(loop):
        return  # ClickHouse enforces no unique key: the version check above is the guard
    # and the log refuses a second event for the same version
    duplicate = cq.log_change(
        "f1", 2, at=D(2025, 6, 11), actor="binh", from_status="new", to_status="new",
        owner_from=None, owner_to="binh", note=None,
    )  # fmt: skip
    with pytest.raises(db.StoreError), db.begin(loop) as conn:
        db.execute(conn, duplicate)


def test_two_people_changing_at_once_lose_nothing_silently(loop):
    followup.sync(loop, now=D(2025, 6, 10))
    start = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def act(person: str, status: str | None, owner: str | None) -> None:
        start.wait()
        try:
            outcomes[person] = followup.change(
                loop, "f1", status=status, owner=owner, actor=person, expected_version=1
            )
        except Exception as exc:  # noqa: BLE001 - the outcome is what is checked
            outcomes[person] = exc

    threads = [
        threading.Thread(target=act, args=("anna", "contacted", None)),
        threading.Thread(target=act, args=("binh", None, "binh")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    won = [p for p, o in outcomes.items() if isinstance(o, dict)]
    lost = [p for p, o in outcomes.items() if isinstance(o, followup.Conflict)]
    assert len(won) == 1 and len(lost) == 1, outcomes
    assert f"changed meanwhile by {won[0]}" in str(outcomes[lost[0]])
    assert _log(loop, "f1")["actor"].to_list() == ["sync", won[0]]
    assert _items(loop)["updated_by"][0] == won[0]


# -- the queue ---------------------------------------------------------------------------------

NOW = D(2025, 6, 10)


@pytest.fixture
def queue(loop):
    """f1 contacted after 24 h, resolved and closed; f2 contacted after 60 h and still
    open (due 4 June: overdue); f4 new, unassigned, due 6 June (overdue); f5 contacted
    after 6 h, unreachable."""
    followup.sync(loop, now=D(2025, 6, 1, 11))
    changes = [
        ("f1", dict(status="contacted", owner="anna", now=D(2025, 6, 2, 10))),
        ("f1", dict(status="resolved", now=D(2025, 6, 3))),
        ("f1", dict(status="closed", now=D(2025, 6, 4))),
        ("f2", dict(status="contacted", owner="binh", now=D(2025, 6, 4, 12))),
        ("f5", dict(status="contacted", owner="anna", now=D(2025, 6, 5, 6))),
        ("f5", dict(status="unreachable", now=D(2025, 6, 6))),
    ]
    for response_id, change in changes:
        followup.change(loop, response_id, actor="hoa", **change)
    return loop


def _ids(frame: pl.DataFrame) -> list[str]:
    return frame["response_id"].to_list()


def test_queue_kpis(queue):
    assert customers.queue_kpis(queue, JUNE, now=NOW) == {
        "items": 4,
        "open": 2,  # f2, f4
        "overdue": 2,  # f2 (due 4 June), f4 (due 6 June)
        "contacted": 3,
        "median_hours_to_first_contact": 24.0,  # of 24, 60 and 6 hours
        "resolved": 1,  # f1, closed after it was resolved; f5 was unreachable
        "share_resolved": 25.0,
    }
    # due at exactly now is not yet overdue
    assert customers.queue_kpis(queue, JUNE, now=D(2025, 6, 4))["overdue"] == 0
    assert customers.queue_kpis(queue, JUNE, now=D(2025, 6, 4, 0, 0, 1))["overdue"] == 1
    none = customers.queue_kpis(queue, Filters(date_to=dt.date(2025, 5, 31)), now=NOW)
    assert none["items"] == 0 and none["share_resolved"] is None
    assert none["median_hours_to_first_contact"] is None


def test_queue_list_columns_order_and_values(queue):
    page = customers.followup_list(queue, JUNE, now=NOW)
    assert page.columns == [*cq.FOLLOWUP_COLUMNS, *cq.FOLLOWUP_EXTRA_COLUMNS]
    assert _ids(page) == ["f1", "f2", "f4", "f5"]  # due first
    rows = {r["response_id"]: r for r in page.iter_rows(named=True)}
    assert rows["f2"]["overdue"] is True and rows["f4"]["overdue"] is True
    assert rows["f1"]["overdue"] is False and rows["f5"]["overdue"] is False
    # value at risk: the customer's revenue in the 365 days ending at 30 June
    assert [rows[r]["value_at_risk"] for r in ITEMS] == [500.0, 500.0, 300.0, 0.0]
    assert (rows["f4"]["owner"], rows["f4"]["status"], rows["f4"]["version"]) == (None, "new", 1)
    assert rows["f1"]["due_at"] == D(2025, 6, 3, 10)


@pytest.mark.parametrize(
    "options, expected",
    [
        (dict(status="new"), ["f4"]),
        (dict(status=("new", "contacted")), ["f2", "f4"]),
        (dict(owner="binh"), ["f2"]),
        (dict(owner=cq.UNASSIGNED), ["f4"]),
        (dict(overdue=True), ["f2", "f4"]),
        (dict(overdue=False), ["f1", "f5"]),
        (dict(status="contacted", overdue=True), ["f2"]),
    ],
)
def test_queue_filters(queue, options, expected):
    assert _ids(customers.followup_list(queue, JUNE, now=NOW, **options)) == expected
    assert customers.followup_count(queue, JUNE, now=NOW, **options) == len(expected)


def test_queue_follows_the_global_filters(queue):
    assert _ids(customers.followup_list(queue, JUNE.replace(segment=("SMB",)), now=NOW)) == [
        "f1", "f2", "f5",
    ]  # fmt: skip
    assert _ids(customers.followup_list(queue, JUNE.replace(touchpoint=("Web",)), now=NOW)) == [
        "f2", "f5",
    ]  # fmt: skip
    june4 = JUNE.replace(date_from=dt.date(2025, 6, 4))
    assert _ids(customers.followup_list(queue, june4, now=NOW)) == ["f4", "f5"]
    assert customers.queue_kpis(queue, JUNE.replace(segment=("Enterprise",)), now=NOW)["items"] == 1


def test_queue_sorting_and_paging(queue):
    by_value = customers.followup_list(queue, JUNE, now=NOW, sort="value_at_risk", descending=True)
    assert _ids(by_value) == ["f1", "f2", "f4", "f5"]
    by_owner = customers.followup_list(queue, JUNE, now=NOW, sort="owner")
    assert _ids(by_owner) == ["f1", "f5", "f2", "f4"]  # anna, anna, binh, nobody last
    newest = customers.followup_list(queue, JUNE, now=NOW, sort="responded_at", descending=True)
    assert _ids(newest) == ["f5", "f4", "f2", "f1"]
    page = customers.followup_list(queue, JUNE, now=NOW, limit=2, offset=1)
    assert _ids(page) == ["f2", "f4"]
    with pytest.raises(ValueError, match="cannot sort"):
        customers.followup_list(queue, JUNE, now=NOW, sort="comment")
    with pytest.raises(ValueError, match="unknown status"):
        customers.followup_list(queue, JUNE, now=NOW, status="done")
    assert customers.followup_owners(queue) == ["anna", "binh"]


# -- the demo queue -----------------------------------------------------------------------------


def _many_unhappy_responses() -> pl.DataFrame:
    """300 detractors of c1..c3, one every 29 hours up to 2025-06-30."""
    end = D(2025, 6, 30, 20)
    rows = [
        (f"d{i:03d}", end - dt.timedelta(hours=29 * i), "Delivery", f"c{i % 3 + 1}", i % 7,
         None, None)
        for i in range(300)
    ]  # fmt: skip
    return _feedback(rows)


def test_demo_queue_is_lived_in_consistent_and_deterministic(loop):
    with db.begin(loop) as conn:
        db.upsert_frame(conn, schema.feedback, _many_unhappy_responses())
    followup.sync(loop)  # whatever was there is replaced
    counts = followup.seed_demo_queue(loop, seed=7)
    assert sum(counts.values()) == 304  # the 300 + f1, f2, f4, f5
    assert all(counts[s] > 0 for s in ("new", "contacted", "resolved", "unreachable", "closed"))
    items, log = _items(loop), _log(loop)
    assert followup.sync(loop) == 0  # every qualifying response has its item
    # each item is its log replayed: versions 1..n, allowed moves, last state
    for item in items.iter_rows(named=True):
        events = log.filter(pl.col("response_id") == item["response_id"])
        assert events["version"].to_list() == list(range(1, item["version"] + 1))
        for ev in events.iter_rows(named=True):
            moved = ev["from_status"] != ev["to_status"]
            if ev["from_status"] is not None and moved:
                followup.check_transition(ev["from_status"], ev["to_status"])
        last = events.row(-1, named=True)
        assert (item["status"], item["owner"], item["updated_by"]) == (
            last["to_status"], last["owner_to"], last["actor"],
        )  # fmt: skip
    # the same seed on the same data gives the same queue
    followup.seed_demo_queue(loop, seed=7)
    assert _items(loop).equals(items) and _log(loop).equals(log)


def test_sync_and_demo_queue_inside_the_callers_transaction(store):
    not_on_clickhouse(store, NO_TRANSACTIONS)
    # What an import or the demo generator does: write the responses, create the items,
    # commit once -- or roll everything back together.
    with pytest.raises(RuntimeError), db.begin(store) as conn:
        _load_in(conn)
        assert followup.sync_in(conn, now=D(2025, 6, 10)) == 4
        raise RuntimeError("the import failed later")
    assert _items(store).is_empty()
    with db.begin(store) as conn:
        _load_in(conn)
        counts = followup.seed_demo_queue_in(conn, seed=3)
    assert sum(counts.values()) == 4 and _items(store).height == 4


def test_a_change_is_on_the_audit_trail_without_its_note(loop):
    from dashboard import audit

    followup.sync(loop, now=D(2025, 6, 10))
    followup.change(loop, "f1", status="contacted", owner="anna",
                    note="Called Mrs Lan on 0903 123 456", actor="anna")  # fmt: skip
    row = audit.entries(loop, limit=1).row(0, named=True)
    assert row["action"] == "followup_change"
    assert row["detail"] == "f1: new -> contacted, owner changed, note"
    assert "0903" not in str(row) and "Lan" not in str(row)
    # a manager scoped elsewhere cannot even find the item (the read is scoped)
    from dashboard import access

    outside = access.Viewer("m@x.vn", "manager", access.Scope.of({"segment": ["Enterprise"]}))
    with access.acting_as(outside), pytest.raises(followup.UnknownItem):
        followup.change(loop, "f1", status="resolved", actor="m@x.vn")
