"""Users, roles and scopes in the store, and the audit trail of their changes (on DuckDB,
SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import re
import textwrap

import pytest

from dashboard import access, audit, db, users
from dashboard.access import Scope
from queries import schema


def test_users_are_saved_found_case_insensitively_and_changed(store):
    manager = users.checked(
        " Lan.Tran@Company.VN ", "manager", Scope.of({"region": ["TP.HCM", "Đà Nẵng"]})
    )
    assert manager.email == "lan.tran@company.vn"
    assert users.save(store, manager) == "added"
    assert users.save(store, manager) == "unchanged"
    found = users.find(store, "LAN.TRAN@company.vn")
    assert found.role == "manager" and found.active
    assert found.scope.as_dict() == {"region": ("TP.HCM", "Đà Nẵng")}
    assert found.viewer() == access.Viewer("lan.tran@company.vn", "manager", found.scope)
    assert users.find(store, "nobody@company.vn") is None
    assert users.find(store, "not an email") is None

    analyst = users.checked("lan.tran@company.vn", "analyst")
    assert users.save(store, analyst) == "changed"
    found = users.find(store, "lan.tran@company.vn")
    assert found.role == "analyst" and found.scope.everything
    assert found.created_at <= found.updated_at and found.updated_by.startswith("cli")

    assert users.set_active(store, "Lan.Tran@company.vn", False)
    assert not users.find(store, "lan.tran@company.vn").active
    assert users.remove(store, "LAN.TRAN@COMPANY.VN")
    assert not users.remove(store, "lan.tran@company.vn")
    assert users.find(store, "lan.tran@company.vn") is None
    assert users.all_users(store) == []


def test_bad_users_are_refused_with_the_reason():
    with pytest.raises(ValueError, match="not an email address"):
        users.checked("lan.tran", "manager")
    with pytest.raises(ValueError, match="unknown role 'boss'"):
        users.checked("a@b.vn", "boss")
    with pytest.raises(ValueError, match="an admin sees the whole store"):
        users.checked("a@b.vn", "admin", Scope.of({"region": ["TP.HCM"]}))
    with pytest.raises(ValueError, match="cannot grant"):
        users.checked("a@b.vn", "manager", Scope.of({"region": ["(unknown)"]}))
    with pytest.raises(ValueError, match="unknown dimension 'city'"):
        Scope.parse(["city=Huế"])
    with pytest.raises(ValueError, match="not DIMENSION=VALUE"):
        Scope.parse(["region"])
    assert Scope.parse(["region=TP.HCM", "region=Đà Nẵng", "segment=SMB"]).as_dict() == {
        "region": ("TP.HCM", "Đà Nẵng"),
        "segment": ("SMB",),
    }


GOOD = """\
# the regional manager, the CFO and an analyst
[[users]]
email = "Lan.Tran@company.vn"
role = "manager"
scope = { region = ["TP.HCM"] }

[[users]]
email = "cfo@company.vn"
role = "executive"

[[users]]
email = "minh@company.vn"
role = "analyst"
scope = { segment = "SMB" }
active = false
"""


def test_an_import_adds_and_updates_every_user_or_none(store, tmp_path):
    path = tmp_path / "users.toml"
    path.write_text(GOOD, encoding="utf-8")
    summary = users.import_file(store, path)
    assert summary.added == ["lan.tran@company.vn", "cfo@company.vn", "minh@company.vn"]
    assert users.find(store, "minh@company.vn").scope.as_dict() == {"segment": ("SMB",)}
    assert not users.find(store, "minh@company.vn").active
    again = users.import_file(store, path)
    assert again.unchanged == summary.added and not again.added

    bad = GOOD.replace('role = "executive"', 'role = "cfo"').replace(
        'email = "minh@company.vn"', 'email = "lan.tran@COMPANY.vn"'
    )
    bad = bad.replace('scope = { region = ["TP.HCM"] }', 'scope = { region = ["Hà Nội"] }')
    path.write_text(bad, encoding="utf-8")
    with pytest.raises(ValueError) as raised:
        users.import_file(store, path)
    message = str(raised.value)
    assert "2 problem(s), nothing imported" in message
    assert "users.toml line 7, user 2 (cfo@company.vn): unknown role 'cfo'" in message
    assert "users.toml line 11, user 3 (lan.tran@COMPANY.vn): lan.tran@company.vn is " \
           "listed twice (also user 1)" in message  # fmt: skip
    # nothing changed: user 1's new scope was not written either
    assert users.find(store, "lan.tran@company.vn").scope.as_dict() == {"region": ("TP.HCM",)}


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("users = 3", "expected [[users]] tables"),
        ("[[users]]\nemail = 'a@b.vn'\n", "email and role are required"),
        ("[[users]]\nemail = 'a@b.vn'\nrole = 'manager'\nscopes = 1\n", "unknown key(s) scopes"),
        ("[[users]]\nemail = 'a@b.vn'\nrole = 'manager'\nscope = 'TP.HCM'\n", "scope must be"),
        ("[[users]\n", "not valid TOML"),
    ],
)
def test_an_import_names_what_is_wrong(text, problem):
    with pytest.raises(ValueError, match=re.escape(problem)):
        users.parse_users(textwrap.dedent(text))


def test_user_changes_are_on_the_audit_trail_in_the_same_transaction(store):
    users.save(store, users.checked("lan@company.vn", "manager", Scope.of({"region": ["X"]})))
    users.remove(store, "lan@company.vn")
    trail = audit.entries(store)
    assert trail["action"].to_list() == ["user_change", "user_change"]
    assert trail["detail"].to_list() == [
        "removed lan@company.vn",
        "added lan@company.vn: manager, region=X",
    ]
    assert set(trail["origin"]) == {"cli"} and trail["actor"][0].startswith("cli")

    # a change that fails leaves neither the user nor its audit row
    class Boom(Exception):
        pass

    with pytest.raises(Boom), db.begin(store) as conn:
        users._save_in(conn, users.checked("minh@company.vn", "analyst"))
        raise Boom
    assert users.find(store, "minh@company.vn") is None
    assert audit.entries(store).height == 2


def test_the_audit_trail_since_a_day_and_its_rules(store):
    audit.record("export", detail="table segments (csv)\nsecond line", rows=12, engine=store)
    with access.acting_as(access.Viewer("lan@company.vn", "manager", Scope.of({"region": ["X"]}))):
        audit.record("export", detail="chart funnel (png)", engine=store)
    audit.record("denied", detail="unknown user", who="stranger@else.vn", engine=store)
    trail = audit.entries(store, since=dt.date.today())
    assert trail["actor"].to_list() == [
        "stranger@else.vn",
        "lan@company.vn",
        "cli:" + trail["actor"][2][4:],
    ]
    assert trail["role"].to_list() == [None, "manager", "admin"]
    assert trail["scope"].to_list() == [None, "region=X", ""]
    assert trail["origin"].to_list() == ["cli", "app", "cli"]
    assert trail["detail"][2] == "table segments (csv) second line" and trail["row_count"][2] == 12
    assert audit.entries(store, since=dt.date.today() + dt.timedelta(days=1)).is_empty()
    with pytest.raises(ValueError, match="unknown audit action"):
        audit.record("peek", engine=store)
    long = audit.entry("export", detail="x" * 1000)
    assert len(long["detail"]) == audit.MAX_DETAIL


def test_a_store_from_before_the_audit_trail_gets_its_tables(tmp_path):
    engine = db.create_engine(f"duckdb:///{tmp_path / 'old.duckdb'}")
    with db.begin(engine) as conn:
        schema.customers.create(conn)
    audit.record("refresh", engine=engine)
    assert audit.entries(engine).height == 1
    assert users.all_users(engine) == []
    engine.dispose()
