"""``cxdash users`` and ``cxdash audit``: the command line acts as admin, on the record."""

from __future__ import annotations

import json

import pytest

from dashboard import cli


@pytest.fixture
def store_env(tmp_path, monkeypatch):
    monkeypatch.setenv("CXDASH_DATABASE_URL", f"duckdb:///{tmp_path / 'cli.duckdb'}")


def run(capsys, *argv) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_users_add_list_remove_and_the_audit_trail(store_env, capsys, tmp_path):
    code, out, _ = run(capsys, "users", "add", "Lan.Tran@Company.vn", "--role", "manager",
                       "--scope", "region=TP.HCM", "--scope", "region=Đà Nẵng")  # fmt: skip
    assert code == 0 and out == (
        "lan.tran@company.vn: added as manager, scope region: TP.HCM, Đà Nẵng.\n"
    )
    assert run(capsys, "users", "add", "cfo@company.vn", "--role", "executive")[0] == 0
    code, out, _ = run(capsys, "users", "list", "--format", "json")
    listed = json.loads(out)
    assert [(u["email"], u["role"], u["scope"]) for u in listed] == [
        ("cfo@company.vn", "executive", ""),
        ("lan.tran@company.vn", "manager", "region=TP.HCM,Đà Nẵng"),
    ]
    code, out, _ = run(capsys, "users", "list", "--format", "csv")
    assert out.splitlines()[0] == "email,role,active,scope,updated_at,updated_by"
    assert run(capsys, "users", "remove", "CFO@company.vn")[1] == "cfo@company.vn: removed.\n"
    code, _, err = run(capsys, "users", "remove", "cfo@company.vn")
    assert code == 2 and "no user cfo@company.vn" in err

    code, out, _ = run(capsys, "audit", "--format", "json")
    trail = json.loads(out)
    assert [e["detail"] for e in trail] == [
        "removed cfo@company.vn",
        "added cfo@company.vn: executive, whole store",
        "added lan.tran@company.vn: manager, region=TP.HCM,Đà Nẵng",
    ]
    assert {e["origin"] for e in trail} == {"cli"} and trail[0]["actor"].startswith("cli")
    code, out, _ = run(capsys, "audit", "--since", "2999-01-01")
    assert out == "Nothing on the audit trail since 2999-01-01.\n"


def test_users_errors_are_one_line(store_env, capsys, tmp_path):
    code, _, err = run(capsys, "users", "add", "boss@company.vn", "--role", "admin",
                       "--scope", "region=TP.HCM")  # fmt: skip
    assert code == 2 and err.startswith("cxdash: error: an admin sees the whole store")
    code, _, err = run(capsys, "users", "add", "x@company.vn", "--role", "owner")
    assert code == 2 and "invalid choice: 'owner'" in err
    bad = tmp_path / "team.toml"
    bad.write_text('[[users]]\nemail = "a@b.vn"\nrole = "boss"\n', encoding="utf-8")
    code, _, err = run(capsys, "users", "import", str(bad))
    assert code == 2 and "team.toml line 1, user 1 (a@b.vn): unknown role 'boss'" in err
    good = tmp_path / "good.toml"
    good.write_text('[[users]]\nemail = "a@b.vn"\nrole = "analyst"\n', encoding="utf-8")
    assert run(capsys, "users", "import", str(good))[1] == (
        f"{good}: 1 added, 0 changed, 0 unchanged.\n"
    )
    assert run(capsys, "users", "list")[1].count("a@b.vn") == 1
