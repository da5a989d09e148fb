"""The customer grain's pages through AppTest on their own small demo store (the pages
write follow-up changes): the Overview's headline, the at-risk & promoter lists, the
customer view (find, profile, timeline, assign / contact, a conflict), the follow-up
queue, and the comment cards' links. Each compares what the page shows with what
``dashboard.customers`` returns for the same filters."""

from __future__ import annotations

from urllib.parse import parse_qs

import polars as pl
import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from dashboard import auth, customers, db, followup, service, state
from dashboard.access import Viewer
from dashboard.i18n.formats import fmt_date, fmt_int, fmt_pct, fmt_vnd
from dashboard.ui.customers import md
from queries import schema
from queries.customers import LIST_COLUMNS
from tests.pages.test_pages import APP, TIMEOUT, _clear_caches, engine, filters_for, metrics
from tests.stores import build_store


@pytest.fixture(scope="module")
def customer_store(tmp_path_factory) -> str:
    url = f"duckdb:///{tmp_path_factory.mktemp('customer_pages') / 'small.duckdb'}"
    build_store(url)
    return url


@pytest.fixture
def store_env(customer_store, monkeypatch) -> str:
    monkeypatch.setenv("CXDASH_DATABASE_URL", customer_store)
    _clear_caches()
    yield customer_store
    _clear_caches()


def open_page(page: str, params: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.query_params.update(params or {})
    if page != "overview":
        at.switch_page(f"../pages/{page}.py")
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def new_items() -> pl.DataFrame:
    """Items nobody has touched since they were created, newest response first."""
    fu = schema.followups
    return db.fetch(
        sa.select(fu.c.response_id, fu.c.customer_id)
        .where(fu.c.status == "new", fu.c.version == 1)
        .order_by(fu.c.responded_at.desc()),
        engine(),
    )


def item(response_id: str) -> dict:
    fu = schema.followups
    return db.fetch(sa.select(fu).where(fu.c.response_id == response_id), engine()).row(
        0, named=True
    )


def save_button(at: AppTest, form_key: str):
    return next(b for b in at.button if b.proto.form_id == form_key)


# -- the Overview's headline ----------------------------------------------------------------


def test_overview_headline_links_to_the_at_risk_list(store_env):
    at = open_page("overview")
    n, value = customers.risk_headline(engine(), filters_for(state.View()))
    assert n > 0
    (link,) = [p.proto for p in at.get("page_link") if "at risk" in p.proto.label]
    assert link.label == (
        f"**{fmt_int(n)} customers at risk, worth {fmt_vnd(value)} in the last 12 months**"
    )
    assert link.page == "customer_lists" and link.query_string == "cl_kind=at_risk"


# -- the lists ----------------------------------------------------------------------------------


def test_lists_rank_switch_sort_and_open_a_customer(store_env):
    at = open_page("customer_lists", {"cl_kind": "at_risk"})
    assert at.title[0].value == "At-risk customers & promoters"
    f = filters_for(state.View())
    n, value = customers.list_totals(engine(), "at_risk", f)
    assert at.markdown[0].value == f"**{fmt_int(n)} customers at risk, worth {fmt_vnd(value)}**"
    table = at.dataframe[0].value
    assert list(table.columns) == list(LIST_COLUMNS)
    expected = customers.at_risk(engine(), f, limit=25)
    assert table["customer_id"].tolist() == expected["customer_id"].to_list()
    assert table["value_at_risk"].tolist() == pytest.approx(expected["value_at_risk"].to_list())
    assert {"_cx_download_at-risk_csv", "_cx_download_at-risk_xlsx"} <= {
        b.key for b in at.download_button
    }

    at.segmented_control(key="cl_kind").set_value("promoters").run()
    at.selectbox(key="cl_sort").set_value("customer_id").run()
    at.toggle(key="cl_asc").set_value(True).run()
    expected = customers.promoters(engine(), f, sort="customer_id", descending=False, limit=25)
    table = at.dataframe[0].value
    assert table["customer_id"].tolist() == expected["customer_id"].to_list()
    assert table["customer_id"].is_monotonic_increasing
    assert at.query_params["cl_kind"] == "promoters" and at.query_params["cl_sort"] == "customer_id"

    # a picked row opens that customer's view
    at.session_state["cl_table_promoters_customer_id_True_1"] = {
        "selection": {"rows": [1], "columns": []}
    }
    at.run()
    assert at.title[0].value == "Customer"
    assert at.query_params["customer"] == expected["customer_id"][1]
    assert at.subheader[0].value.startswith(expected["customer_id"][1])


# -- the customer view --------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["admin", "analyst"])
def test_customer_view_shows_profile_timeline_and_items_masked_by_role(
    store_env, monkeypatch, role
):
    # No sign-in: the local viewer is an admin; played here by an analyst as well, whose
    # role never shows personal data.
    monkeypatch.setattr(auth, "LOCAL_VIEWER", Viewer(email=f"{role}@company.vn", role=role))
    personal = role == "admin"
    customer_id = new_items()["customer_id"][0]
    at = open_page("customer", {"customer": customer_id})
    view = customers.customer_view(
        engine(), customer_id, unmask=personal, now=followup.clock(engine())
    )
    shown = metrics(at)
    assert shown["Historical CLV"] == fmt_vnd(view["clv"])
    assert shown["Orders"] == fmt_int(view["orders"])
    assert shown["Last purchase"] == fmt_date(view["last_purchase_at"])
    assert at.subheader[0].value == md(f"{customer_id} {view['name']}")
    assert ("***" in view["name"]) is not personal
    contact = next(m.value for m in at.markdown if md(view["email"]) in m.value)
    assert md(view["phone"]) in contact
    assert any("masked" in c.value for c in at.caption) is not personal
    comments = [r["comment"] for r in view["responses"] if r["comment"]]
    assert [t.value for t in at.text] == comments  # the timeline, newest first
    assert f"Feedback ({len(view['responses'])})" in [s.value for s in at.subheader]
    assert len([m for m in at.markdown if m.value.startswith(":orange-badge[New]")]) >= 1


def test_find_a_customer_by_phone_or_say_nobody_matches(store_env):
    customer_id = new_items()["customer_id"][0]
    raw = db.fetch(
        sa.select(schema.customers.c.phone).where(schema.customers.c.customer_id == customer_id),
        engine(),
    )["phone"][0]
    at = open_page("customer")
    assert at.info and not at.subheader  # a prompt, nothing else
    at.text_input(key="customer").input(f" {raw} ").run()
    assert at.text_input(key="customer").value == customer_id  # the id, not the phone
    assert at.query_params["customer"] == customer_id
    assert at.subheader[0].value.startswith(customer_id)
    at.text_input(key="customer").input("nobody@nowhere.vn").run()
    assert any("“nobody@nowhere.vn”" in w.value for w in at.warning)
    assert at.text_input(key="customer").value == "" and "customer" not in at.query_params


def test_assign_and_contact_from_the_customer_view(store_env):
    response_id, customer_id = new_items().row(0)
    at = open_page("customer", {"customer": customer_id})
    suffix = f"cv_{response_id}_0"
    at.selectbox(key=f"fu_owner_{suffix}").set_value("lan.nguyen")
    at.selectbox(key=f"fu_status_{suffix}").set_value("contacted")
    at.text_input(key=f"fu_note_{suffix}").input("Đã gọi, khách đồng ý đổi hàng")
    save_button(at, f"fu_form_{suffix}").click().run()
    assert not at.exception and not at.error
    now = item(response_id)
    assert (now["status"], now["owner"], now["version"]) == ("contacted", "lan.nguyen", 2)
    assert now["updated_by"] == auth.LOCAL_VIEWER.email and now["first_contact_at"] is not None
    (event,) = customers.followup_history(engine(), response_id).head(1).to_dicts()
    assert (event["from_status"], event["to_status"], event["note"]) == (
        "new", "contacted", "Đã gọi, khách đồng ý đổi hàng",
    )  # fmt: skip
    # the page shows the new state, with fresh widgets (an empty note)
    assert any(m.value.startswith(":blue-badge[Contacted]") for m in at.markdown)
    assert at.text_input(key=f"fu_note_cv_{response_id}_1").value == ""
    assert at.selectbox(key=f"fu_status_cv_{response_id}_1").options == [
        "Contacted", "Resolved", "Unreachable",
    ]  # fmt: skip


def test_a_change_made_meanwhile_is_refused_with_who_made_it(store_env):
    response_id, customer_id = new_items().row(0)
    at = open_page("customer", {"customer": customer_id})
    # minh.tran takes the item while the page is open
    followup.change(engine(), response_id, owner="minh.tran", actor="minh.tran")
    suffix = f"cv_{response_id}_0"
    at.selectbox(key=f"fu_status_{suffix}").set_value("contacted")
    save_button(at, f"fu_form_{suffix}").click().run()
    assert at.error[0].value == "Changed meanwhile by minh.tran — reload."
    kept = item(response_id)
    assert (kept["status"], kept["owner"], kept["version"]) == ("new", "minh.tran", 2)
    # after a reload the same choice applies to what is there now
    next(b for b in at.button if b.label == "Reload").click().run()
    assert not at.error
    suffix = f"cv_{response_id}_1"
    assert at.selectbox(key=f"fu_owner_{suffix}").value == "minh.tran"
    at.selectbox(key=f"fu_status_{suffix}").set_value("contacted")
    save_button(at, f"fu_form_{suffix}").click().run()
    assert not at.error
    done = item(response_id)
    assert (done["status"], done["owner"], done["version"]) == ("contacted", "minh.tran", 3)


# -- the follow-up queue ------------------------------------------------------------------------


def test_queue_kpis_rows_filters_and_the_picked_item(store_env):
    at = open_page("followup_queue")
    assert at.title[0].value == "Follow-up queue"
    f = filters_for(state.View())
    now = followup.clock(engine())
    kpis = customers.queue_kpis(engine(), f, now)
    shown = metrics(at)
    assert shown["Open"] == fmt_int(kpis["open"]) and shown["Overdue"] == fmt_int(kpis["overdue"])
    assert shown["Resolved"] == fmt_pct(kpis["share_resolved"])
    table = at.dataframe[0].value
    expected = customers.followup_list(engine(), f, status=("new", "contacted"), limit=25, now=now)
    assert table["response_id"].tolist() == expected["response_id"].to_list()
    for overdue, sla in zip(table["overdue"], table["sla"], strict=True):
        assert sla.startswith("overdue by" if overdue else "due in")
    assert not table["overdue"].all() and table["overdue"].any()  # the demo's clock

    at.toggle(key="fq_overdue").set_value(True).run()
    assert at.dataframe[0].value["overdue"].all()
    at.toggle(key="fq_overdue").set_value(False).run()
    at.segmented_control(key="fq_status").set_value("all").run()
    every = customers.followup_count(engine(), f, now=now)
    (count,) = [c.value for c in at.caption if "most urgent first" in c.value]
    assert count.startswith(f"{fmt_int(every)} items")
    owner = "thao.pham"
    at.selectbox(key="fq_owner").set_value(owner).run()
    assert set(at.dataframe[0].value["owner"]) == {owner}
    assert at.query_params["fq_owner"] == owner and at.query_params["fq_status"] == "all"

    picked = at.dataframe[0].value.iloc[0]
    key = next(k for k in at.session_state if str(k).startswith("fq_table_"))
    at.session_state[key] = {"selection": {"rows": [0], "columns": []}}
    at.run()
    heading = f"{md(picked['response_id'])} · customer {md(picked['customer_id'])}"
    assert heading in [s.value for s in at.subheader]
    (link,) = [p.proto for p in at.get("page_link")]
    assert parse_qs(link.query_string) == {"customer": [picked["customer_id"]]}


# -- comment cards ---------------------------------------------------------------------------


def test_comment_cards_open_known_customers(store_env):
    at = open_page("feedback")
    comments = service.get_comments(engine(), filters_for(state.View()), None, None, 20, 0)
    known = [c for c in comments["customer_id"] if c]
    # The page's other links (the sentiment model, for analysts and admins) go elsewhere.
    links = [p.proto for p in at.get("page_link") if "customer" in p.proto.query_string]
    assert known and [parse_qs(link.query_string)["customer"][0] for link in links] == known
    assert {link.page for link in links} == {"customer"}


# -- who may see what ----------------------------------------------------------------------


def test_without_the_customers_permission_nothing_links_to_customers(store_env, monkeypatch):
    from dashboard import access

    monkeypatch.setattr(access, "may", lambda action: action not in {"customers", "followup"})
    overview = open_page("overview")
    assert not [p for p in overview.get("page_link") if "at risk" in p.proto.label]
    cards = open_page("feedback").get("page_link")  # comment cards without the link
    assert not [p for p in cards if p.proto.page == "customer"]


def test_a_signed_in_manager_sees_contact_details(store_env, monkeypatch):
    from dashboard import access

    customer_id = new_items()["customer_id"][0]
    plain = customers.customer_view(engine(), customer_id, unmask=True)
    monkeypatch.setattr(access, "viewer_is_set", lambda: True)
    monkeypatch.setattr(access, "may_see_personal_data", lambda: True)
    at = open_page("customer", {"customer": customer_id})
    assert at.subheader[0].value == md(f"{customer_id} {plain['name']}")
    assert any(md(plain["email"]) in m.value for m in at.markdown)
    assert not any("masked" in c.value for c in at.caption)
