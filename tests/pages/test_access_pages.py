"""Access through the app (AppTest with ``at.user``): every role on every page, what each
sees and what is hidden, scoped numbers equal to the same views filtered on the scope,
nothing of another region anywhere on a page, fail-closed sign-in, cache isolation, and
exports that say who made them and go on the audit trail.

Sign-in is OIDC here (``at.user`` plays the identity cookie; ``at.secrets`` the [auth]
section). The store is the tiny hand-made one (three regions, anonymous feedback).
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import polars as pl
import pytest
import sqlalchemy as sa
import streamlit as st
from google.protobuf import text_format
from streamlit.testing.v1 import AppTest

from dashboard import access, audit, auth, charts, db, service, state, users
from dashboard.access import Scope
from dashboard.config import get_settings
from dashboard.text import service as text_service
from dashboard.ui.signin import plain
from tests.stores import build_store

APP = Path(__file__).resolve().parent.parent.parent / "dashboard" / "app.py"
TIMEOUT = 60
AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "k3v9Qx2LmZp8Rt4WsYb6Nc1Hd7Jf5Ga0EuTiOoPlKjHg",
    "client_id": "cxdash",
    "client_secret": "s3cr3t-for-tests-only",
    "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
}
TITLES = {
    "overview": "Overview",
    "funnel_touchpoints": "Funnel & touchpoints",
    "segments": "Segments",
    "nps_trends": "NPS trends",
    "feedback": "Feedback",
    "comments": "What customers say",
    "sentiment_model": "Sentiment model",
    "themes": "Themes",
    "data": "Data",
    "users": "Users",
    "audit": "Audit trail",
}
PEOPLE = {
    "executive": ("cfo@company.vn", "executive", {}),
    "manager": ("lan@company.vn", "manager", {"region": ["TP.HCM"]}),
    "analyst": ("minh@company.vn", "analyst", {}),
    "admin": ("admin@company.vn", "admin", {}),
}
PAGES_OF = {
    "executive": {"overview", "funnel_touchpoints", "segments", "nps_trends", "comments"},
    "manager": {"overview", "funnel_touchpoints", "segments", "nps_trends", "feedback", "comments"},
    "analyst": {
        "overview",
        "funnel_touchpoints",
        "segments",
        "nps_trends",
        "feedback",
        "comments",
        "sentiment_model",
    },
    "admin": set(TITLES),
}
OTHER_REGIONS = ("Hà Nội", "Đà Nẵng")


@pytest.fixture(scope="module")
def access_store(tmp_path_factory) -> str:
    url = f"duckdb:///{tmp_path_factory.mktemp('access') / 'access.duckdb'}"
    build_store(url, prefer_generator=False)
    engine = db.create_engine(url)
    audit.ensure_tables(engine)
    for email, role, scope in PEOPLE.values():
        users.save(engine, users.checked(email, role, Scope.of(scope)))
    users.save(engine, users.checked("off@company.vn", "manager", active=False))
    text_service.analyse_comments(engine)  # sentiment and themes on every page that shows them
    engine.dispose()
    return url


def _clear_caches() -> None:
    db.engine_for.cache_clear()
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture
def oidc_env(access_store, monkeypatch) -> str:
    monkeypatch.setenv("CXDASH_DATABASE_URL", access_store)
    monkeypatch.setenv("CXDASH_AUTH", "oidc")
    _clear_caches()
    yield access_store
    _clear_caches()


def session(user: dict | None, secrets: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.secrets["auth"] = AUTH if secrets is None else secrets
    at.user = user if user is not None else {"is_logged_in": False}
    return at


def signed_in(role: str, page: str | None = None, params: dict | None = None) -> AppTest:
    email = PEOPLE[role][0]
    at = session({"is_logged_in": True, "email": email.upper(), "name": role})
    at.query_params.update(params or {})
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    if page and page != "overview":
        at.switch_page(f"../pages/{page}.py").run()
        assert not at.exception, [e.message for e in at.exception]
    return at


def engine() -> sa.Engine:
    return db.engine_for(get_settings().database_url)


def registered(at: AppTest) -> set[str]:
    """The dashboard pages the navigation offered on the last run (AppTest keeps
    st.navigation's registry: its only record of the menu; without st.navigation it holds
    the entry script alone)."""
    stems = {Path(info["script_path"]).stem for info in at._registered_pages.values()}
    return stems & set(TITLES)


def texts(at: AppTest) -> str:
    """Everything a page shows, main area and sidebar: text, labels, widget options, table
    cells, chart data and labels."""
    out: list[str] = []

    def walk(node) -> None:
        for child in getattr(node, "children", {}).values():
            walk(child)
        proto = getattr(node, "proto", None)
        if proto is None:
            return
        if node.type in {"dataframe", "arrow_data_frame", "table"}:
            out.append(node.value.to_csv())
        elif node.type == "plotly_chart":
            out.append(json.dumps(json.loads(proto.spec), ensure_ascii=False))
        else:
            out.append(text_format.MessageToString(proto, as_utf8=True))

    walk(at._tree)
    return "\n".join(out)


# -- every role on every page -------------------------------------------------------------


@pytest.mark.parametrize("role", list(PEOPLE))
def test_each_role_sees_its_pages_and_nothing_else(oidc_env, role):
    at = signed_in(role)
    assert registered(at) == PAGES_OF[role]
    for page in TITLES:
        if page in PAGES_OF[role]:
            at.switch_page(f"../pages/{page}.py").run()
            assert not at.exception, (page, [e.message for e in at.exception])
            assert at.title[0].value.endswith(TITLES[page]), page
            assert not [e for e in at.error if "role does not" in e.value]
        else:
            with pytest.raises(ValueError, match="not a registered page|Could not find"):
                at.switch_page(f"../pages/{page}.py")
    # nobody signed in is told the dashboard is unprotected
    assert not [w for w in at.warning if "Local demo mode" in w.value]
    account = [c.value for c in at.sidebar.caption if plain(PEOPLE[role][0]) in c.value]
    assert account and PEOPLE[role][1] in account[0]


@pytest.mark.parametrize(
    ("role", "tables"), [("executive", False), ("manager", False), ("analyst", True),
                         ("admin", True)],
)  # fmt: skip
def test_table_exports_for_analysts_and_admins_charts_and_reports_for_all(oidc_env, role, tables):
    at = signed_in(role, "segments")
    ids = " ".join(e.proto.id for e in at.get("download_button"))
    assert "_cx_download_segments_csv" in ids if tables else "_csv" not in ids
    assert "_cx_download_" in ids  # the chart downloads (png/svg/pdf or html)
    at.switch_page("../pages/overview.py").run()
    report = [e for e in at.get("download_button") if "_cx_report_overview" in e.proto.id]
    report += [b for b in at.button if b.key == "_cx_report_overview"]
    assert report, "every role may export the report pack"


# -- scoped numbers ------------------------------------------------------------------------


def _scoped_filters(role: str, view: state.View):
    """The filters a scoped viewer's page uses, with the scope's own filters added: the
    reference computed by anyone without a scope."""
    email, role_name, scope = PEOPLE[role]
    with access.acting_as(access.Viewer(email, role_name, Scope.of(scope))):
        earliest, latest = service.data_range(engine())
    f = view.to_filters(latest, earliest, get_settings().min_n)
    return f.replace(**{d: tuple(v) for d, v in scope.items()})


def test_a_scoped_manager_sees_exactly_the_scope_on_every_page(oidc_env):
    for page in sorted(PAGES_OF["manager"]):
        at = signed_in("manager", page)
        shown = texts(at)
        for other in OTHER_REGIONS:
            assert other not in shown, (page, other)
        assert "TP.HCM" in shown, page  # the sidebar's only region choice, at least
    at = signed_in("manager")
    reference = service.get_kpis(engine(), _scoped_filters("manager", state.View()))
    tiles = {m.label: m.value for m in at.metric}
    assert tiles["Customers"] == charts.fmt_int(reference["customers"])
    assert tiles["NPS"] == charts.fmt_score(reference["nps"])
    everyone = service.get_kpis(
        engine(), _scoped_filters("manager", state.View()).replace(region=())
    )
    assert reference["customers"] < everyone["customers"]
    assert at.multiselect(key="region").options == ["TP.HCM"]


def test_a_url_naming_another_region_shows_nothing_of_it(oidc_env):
    at = signed_in("manager", "segments", params={"region": "Hà Nội", "by": "region"})
    shown = texts(at)
    assert "Hà Nội" not in shown and "Đà Nẵng" not in shown
    assert at.multiselect(key="region").value == []


def test_the_feedback_page_shows_no_anonymous_or_out_of_scope_comment(oidc_env):
    at = signed_in("manager", "feedback")
    table = at.dataframe[-1].value
    ids = set(table["response_id"]) if "response_id" in table.columns else set()
    feedback = db.fetch(
        sa.select(db_schema().feedback.c.response_id, db_schema().customers.c.region).select_from(
            db_schema().feedback.outerjoin(
                db_schema().customers,
                db_schema().customers.c.customer_id == db_schema().feedback.c.customer_id,
            )
        ),
        engine(),
    )
    allowed = set(feedback.filter(pl.col("region") == "TP.HCM")["response_id"])
    assert ids and ids <= allowed


def db_schema():
    from queries import schema

    return schema


# -- fail closed ---------------------------------------------------------------------------


@pytest.fixture
def statements() -> list[str]:
    """Every SQL statement any engine sends while the test runs."""
    sent: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        sent.append(statement)

    sa.event.listen(sa.engine.Engine, "before_cursor_execute", record)
    yield sent
    sa.event.remove(sa.engine.Engine, "before_cursor_execute", record)


DATA_TABLES = ("customers", "events", "feedback", "rollup_", "comment_", "followup")


def _no_data_read(sent: list[str]) -> None:
    touching = [s for s in sent if any(t in s for t in DATA_TABLES)]
    assert touching == [], touching


def test_signed_out_people_get_the_sign_in_page_and_no_query_runs(oidc_env, statements):
    at = session(None)
    at.run()
    assert at.title[0].value == "CX Insights"
    assert [b.label for b in at.button] == ["Sign in"]
    assert statements == [] and registered(at) == set()
    assert not at.metric and not at.dataframe


@pytest.mark.parametrize(
    ("user", "says"),
    [
        ({"is_logged_in": True, "email": "stranger@else.vn"}, "has no access"),
        ({"is_logged_in": True, "email": "OFF@company.vn"}, "switched off"),
        ({"is_logged_in": True, "name": "No Email"}, "did not say who you are"),
    ],
)
def test_unknown_inactive_or_nameless_identities_are_denied(oidc_env, statements, user, says):
    at = session(user)
    at.run()
    assert not at.exception
    assert at.title[0].value == "Access denied" and says in at.error[0].value
    assert [b.label for b in at.button] == ["Sign out"]
    assert registered(at) == set() and not at.metric
    _no_data_read(statements)
    trail = audit.entries(engine(), limit=1).row(0, named=True)
    assert trail["action"] == "denied" and trail["role"] is None


def test_a_microsoft_account_without_an_email_claim_signs_in_by_its_username(oidc_env):
    at = session({"is_logged_in": True, "preferred_username": "CFO@company.vn"})
    at.run()
    assert not at.exception and at.title[0].value == "Overview"
    assert registered(at) == PAGES_OF["executive"]


def test_an_unsafe_cookie_secret_keeps_the_app_closed(oidc_env, statements):
    at = session({"is_logged_in": True, "email": PEOPLE["admin"][0]},
                 secrets={**AUTH, "cookie_secret": "xxx"})  # fmt: skip
    at.run()
    assert "not configured safely" in at.error[0].value and "cookie_secret" in at.error[0].value
    assert statements == [] and registered(at) == set()


def test_proxy_mode_refuses_untrusted_peers_and_requests_without_the_header(
    oidc_env, monkeypatch, statements
):
    monkeypatch.setenv("CXDASH_AUTH", "proxy")
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.run()  # AppTest's peer is no address at all: not the machine, not a trusted proxy
    assert at.title[0].value == "Access denied"
    assert "through the company's sign-in proxy" in at.error[0].value
    # from a trusted peer, but AppTest sends no headers: as a request that bypassed the proxy
    monkeypatch.setattr(auth, "trusted_peer", lambda peer, settings=None: True)
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.run()
    assert at.title[0].value == "Access denied"
    assert "did not say who you are" in at.error[0].value
    _no_data_read(statements)
    assert audit.entries(engine(), limit=1)["detail"][0] == "no X-Forwarded-Email header"


def test_no_sign_in_mode_says_so_on_every_page(access_store, monkeypatch):
    monkeypatch.setenv("CXDASH_DATABASE_URL", access_store)
    monkeypatch.delenv("CXDASH_AUTH", raising=False)
    _clear_caches()
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.run()
    assert registered(at) == set(TITLES)  # everyone is admin
    for page in TITLES:
        at.switch_page(f"../pages/{page}.py").run()
        assert not at.exception, page
        assert any("Local demo mode" in w.value for w in at.warning), page
    _clear_caches()


# -- the cache ------------------------------------------------------------------------------


def test_two_scopes_in_one_process_never_share_a_result(oidc_env, access_store):
    engine_ = db.create_engine(access_store)
    users.save(engine_, users.checked("hn@company.vn", "manager", Scope.of({"region": ["Hà Nội"]})))
    engine_.dispose()
    PEOPLE["hanoi"] = ("hn@company.vn", "manager", {"region": ["Hà Nội"]})
    try:
        first = signed_in("manager")
        hanoi = signed_in("hanoi")
        again = signed_in("manager")  # after the other scope filled the cache
        customers = {
            role: charts.fmt_int(
                service.get_kpis(engine(), _scoped_filters(role, state.View()))["customers"]
            )
            for role in ("manager", "hanoi")
        }
        tiles = [{m.label: m.value for m in at.metric}["Customers"] for at in (first, hanoi, again)]
        assert tiles == [customers["manager"], customers["hanoi"], customers["manager"]]
        assert customers["manager"] != customers["hanoi"]
        assert "TP.HCM" not in texts(hanoi) and "Hà Nội" not in texts(again)
    finally:
        del PEOPLE["hanoi"]


# -- exports -------------------------------------------------------------------------------


@pytest.fixture
def buttons(monkeypatch) -> dict[str, dict]:
    """The download buttons' arguments by key, data callables included."""
    found: dict[str, dict] = {}
    original = st.download_button

    def recording(label, data, **kwargs):
        found[kwargs.get("key", label)] = {"data": data, **kwargs}
        return original(label, data, **kwargs)

    monkeypatch.setattr(st, "download_button", recording)
    return found


def test_an_export_says_who_made_it_holds_the_scope_only_and_is_on_record(oidc_env, buttons):
    at = signed_in("analyst", "segments")
    assert not at.exception
    # the analyst is unscoped; make a scoped analyst to see the scope on the file
    engine_ = db.create_engine(oidc_env)
    users.save(engine_, users.checked("minh@company.vn", "analyst",
                                      Scope.of({"region": ["TP.HCM"]})))  # fmt: skip
    engine_.dispose()
    buttons.clear()
    at = signed_in("analyst", "segments")
    key = next(k for k in buttons if k.endswith("_xlsx"))
    xlsx = buttons[key]["data"]()  # clicked: runs on the test's thread, without a viewer
    about = pl.read_excel(io.BytesIO(xlsx), sheet_name="About", has_header=False)
    pairs = dict(about.rows())
    assert pairs["Exported by"] == ("Exported by minh@company.vn (analyst) · scope: region: TP.HCM")
    table = pl.read_excel(io.BytesIO(xlsx), sheet_id=1)
    assert "Hà Nội" not in table.write_csv() and "Đà Nẵng" not in table.write_csv()
    last = audit.entries(engine(), limit=1).row(0, named=True)
    assert last["action"] == "export" and last["actor"] == "minh@company.vn"
    assert last["scope"] == "region=TP.HCM" and last["detail"].endswith("(xlsx)")
    assert last["row_count"] == table.height
    engine_ = db.create_engine(oidc_env)
    users.save(engine_, users.checked("minh@company.vn", "analyst"))
    engine_.dispose()


def test_signing_in_is_on_the_audit_trail_once_per_session(oidc_env):
    before = audit.entries(engine()).filter(pl.col("action") == "sign_in").height
    at = signed_in("executive")
    at.switch_page("../pages/segments.py").run()
    at.switch_page("../pages/overview.py").run()
    sign_ins = audit.entries(engine()).filter(pl.col("action") == "sign_in")
    assert sign_ins.height == before + 1
    assert sign_ins.row(0, named=True)["actor"] == "cfo@company.vn"


# -- the Users page -------------------------------------------------------------------------


def test_an_admin_adds_changes_and_removes_users_on_the_page(oidc_env):
    at = signed_in("admin", "users")
    at.text_input(key="uf_email").set_value(" Hoa.Le@Company.vn ")
    at.selectbox(key="uf_role").set_value("analyst")
    at.multiselect(key="uf_scope_region").set_value(["Đà Nẵng"])
    at.button(key="FormSubmitter:user_form-Save user").click().run()
    assert not at.exception and not at.error
    hoa = users.find(engine(), "hoa.le@company.vn")
    assert (hoa.role, hoa.scope.as_dict()) == ("analyst", {"region": ("Đà Nẵng",)})
    assert "hoa.le@company.vn" in at.dataframe[0].value["Email"].to_list()

    # an admin cannot lock themselves out
    at.selectbox(key="ur_email").set_value(PEOPLE["admin"][0]).run()
    at.button(key="ur_toggle").click().run()
    assert "cannot remove, deactivate or demote your own account" in at.error[0].value
    assert users.find(engine(), PEOPLE["admin"][0]).active

    at.selectbox(key="ur_email").set_value("hoa.le@company.vn").run()
    at.button(key="ur_remove").click().run()
    assert not at.exception
    assert users.find(engine(), "hoa.le@company.vn") is None
    trail = audit.entries(engine(), limit=2)["detail"].to_list()
    assert trail == ["removed hoa.le@company.vn",
                     "added hoa.le@company.vn: analyst, region=Đà Nẵng"]  # fmt: skip
    assert set(audit.entries(engine(), limit=2)["actor"]) == {PEOPLE["admin"][0]}


def test_bad_input_on_the_users_page_is_explained_and_changes_nothing(oidc_env):
    before = len(users.all_users(engine()))
    at = signed_in("admin", "users")
    at.text_input(key="uf_email").set_value("boss@company.vn")
    at.selectbox(key="uf_role").set_value("admin")
    at.multiselect(key="uf_scope_region").set_value(["TP.HCM"])
    at.button(key="FormSubmitter:user_form-Save user").click().run()
    assert "an admin sees the whole store" in at.error[0].value
    at.text_input(key="uf_email").set_value("not-an-email")
    at.multiselect(key="uf_scope_region").set_value([])
    at.button(key="FormSubmitter:user_form-Save user").click().run()
    assert "is not an email address" in at.error[0].value
    assert len(users.all_users(engine())) == before
