"""Sign-in modes, the checks before ``cxdash serve`` starts, and the hardening in force:
error details hidden, uploads limited, XSRF on, and the app's DuckDB connection unable to
touch files outside the store."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
import sqlalchemy as sa
import streamlit as st
from streamlit import config as st_config
from streamlit.testing.v1 import AppTest

from dashboard import access, auth, cli, db, service
from dashboard.cli import setup as cli_setup
from dashboard.config import Settings
from tests.stores import build_store

GOOD_SECRET = "k3v9Qx2LmZp8Rt4WsYb6Nc1Hd7Jf5Ga0EuTiOoPlKjHg"
GOOD_AUTH = {
    "redirect_uri": "https://cx.example.vn/oauth2callback",
    "cookie_secret": GOOD_SECRET,
    "client_id": "id",
    "client_secret": "secret-from-the-provider",
    "server_metadata_url": "https://accounts.google.com/.well-known/openid-configuration",
}


@pytest.mark.parametrize(
    ("secret", "why"),
    [
        (None, "missing"),
        ("", "missing"),
        ("xxx", "placeholder"),
        ("change-me-to-something-long-and-random-please", "placeholder"),
        ("<your cookie secret>", "placeholder"),
        ("aB3dE5gH7jK9mN1pQ", "shorter than 32"),
    ],
)
def test_weak_cookie_secrets_are_named(secret, why):
    assert why in auth.weak_cookie_secret(secret)


def test_oidc_settings_are_checked_as_a_whole():
    assert auth.oidc_problems(GOOD_AUTH) == []
    assert auth.providers(GOOD_AUTH) == ["default"]
    named = {k: v for k, v in GOOD_AUTH.items() if k in ("redirect_uri", "cookie_secret")}
    named["microsoft"] = {k: GOOD_AUTH[k] for k in auth.PROVIDER_KEYS}
    assert auth.oidc_problems(named) == [] and auth.providers(named) == ["microsoft"]
    problems = auth.oidc_problems({"cookie_secret": "xxx", "redirect_uri": "http://x/"})
    assert [p.split(":")[0] for p in problems] == [
        "cookie_secret is a placeholder",
        "redirect_uri must be the app's address ending in /oauth2callback, e.g. https",
        "no provider",
    ]
    assert auth.oidc_problems(None) == ["there is no [auth] section in .streamlit/secrets.toml"]


def test_the_proxy_identity_and_trusted_peers():
    headers = {"x-forwarded-email": "Lan@Company.vn", "X-Other": "1"}
    assert auth.identity_from_headers(headers, "X-Forwarded-Email") == "Lan@Company.vn"
    assert auth.identity_from_headers({}, "X-Forwarded-Email") is None
    assert auth.identity_from_headers({"X-Forwarded-Email": " "}, "X-Forwarded-Email") is None
    trusting = Settings(auth="proxy", trust_proxy_from=("10.0.0.5",))
    assert auth.trusted_peer(None, trusting) and auth.trusted_peer("127.0.0.1", trusting)
    assert auth.trusted_peer("10.0.0.5", trusting)
    assert not auth.trusted_peer("10.0.0.9", trusting)
    assert not auth.trusted_peer(object(), trusting)  # not an address at all


def test_where_serve_listens():
    none, proxy = Settings(), Settings(auth="proxy")
    trusting = Settings(auth="proxy", trust_proxy_from=("10.0.0.5",))
    assert auth.serve_address(None, none) == "127.0.0.1"
    assert auth.serve_address("0.0.0.0", none) == "0.0.0.0"
    assert auth.serve_address(None, proxy) == "127.0.0.1"
    assert auth.serve_address("localhost", proxy) == "127.0.0.1"
    with pytest.raises(ValueError, match="anyone could forge the identity header"):
        auth.serve_address("0.0.0.0", proxy)
    assert auth.serve_address(None, trusting) == "0.0.0.0"
    assert auth.serve_address("10.0.0.2", trusting) == "10.0.0.2"
    with pytest.raises(ValueError, match="CXDASH_AUTH must be one of"):
        auth.mode(Settings(auth="ldap"))


@pytest.fixture
def launched(monkeypatch, tmp_path) -> list[list[str]]:
    """`cxdash serve` without starting Streamlit: the commands it would run."""
    commands: list[list[str]] = []
    monkeypatch.setattr(cli_setup.subprocess, "call", lambda cmd, env: commands.append(cmd) or 0)
    monkeypatch.chdir(tmp_path)  # no secrets.toml of the working directory
    monkeypatch.setattr(auth, "APP_DIR", tmp_path / "app")  # nor beside the app script
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    for name in ("CXDASH_AUTH", "CXDASH_TRUST_PROXY_FROM", "STREAMLIT_SERVER_ADDRESS"):
        monkeypatch.delenv(name, raising=False)
    return commands


def _option(command: list[str], name: str) -> str:
    return command[command.index(f"--{name}") + 1]


def test_serve_binds_to_this_machine_and_is_hardened(launched, capsys, monkeypatch):
    assert cli.main(["serve", "--port", "8600"]) == 0
    command = launched[-1]
    assert _option(command, "server.address") == "127.0.0.1"
    assert _option(command, "client.showErrorDetails") == "none"
    assert _option(command, "server.maxUploadSize") == "200"
    assert _option(command, "server.enableXsrfProtection") == "true"
    assert cli.main(["serve", "--address", "0.0.0.0"]) == 0
    assert _option(launched[-1], "server.address") == "0.0.0.0"
    assert "without sign-in: everyone who reaches it is admin" in capsys.readouterr().err
    monkeypatch.setenv("STREAMLIT_SERVER_ADDRESS", "192.168.1.20")
    assert cli.main(["serve"]) == 0
    assert _option(launched[-1], "server.address") == "192.168.1.20"


def test_serve_refuses_proxy_mode_open_to_others(launched, capsys, monkeypatch):
    monkeypatch.setenv("CXDASH_AUTH", "proxy")
    assert cli.main(["serve", "--address", "0.0.0.0"]) == 2
    assert "anyone could forge the identity header" in capsys.readouterr().err
    assert cli.main(["serve"]) == 0 and _option(launched[-1], "server.address") == "127.0.0.1"
    monkeypatch.setenv("CXDASH_TRUST_PROXY_FROM", "10.0.0.5")
    assert cli.main(["serve"]) == 0 and _option(launched[-1], "server.address") == "0.0.0.0"


def test_serve_refuses_oidc_with_a_missing_or_placeholder_cookie_secret(
    launched, capsys, monkeypatch, tmp_path
):
    monkeypatch.setenv("CXDASH_AUTH", "oidc")
    assert cli.main(["serve"]) == 2
    assert "there is no [auth] section" in capsys.readouterr().err
    secrets = tmp_path / ".streamlit" / "secrets.toml"
    secrets.parent.mkdir()
    lines = [f'{k} = "{v}"' for k, v in GOOD_AUTH.items() if k != "cookie_secret"]
    secrets.write_text("[auth]\n" + "\n".join(lines) + '\ncookie_secret = "xxx"\n')
    assert cli.main(["serve"]) == 2
    err = capsys.readouterr().err
    assert "cookie_secret is a placeholder" in err and "secrets.token_urlsafe" in err
    assert launched == []
    secrets.write_text(secrets.read_text().replace('"xxx"', f'"{GOOD_SECRET}"'))
    assert cli.main(["serve"]) == 0 and len(launched) == 1


# -- the app's DuckDB connection cannot reach files outside the store ----------------------


@pytest.mark.parametrize(
    "statement",
    [
        "SELECT * FROM read_csv('{outside}')",
        "COPY (SELECT 1 AS x) TO '{written}'",
        "ATTACH '{other}' AS other",
        "INSTALL httpfs",
    ],
)
def test_the_apps_duckdb_connection_cannot_touch_other_files(tmp_path, statement):
    outside = tmp_path / "secret.csv"
    outside.write_text("a,b\n1,2\n")
    url = f"duckdb:///{tmp_path / 'store.duckdb'}"
    build_store(url, prefer_generator=False)
    sql = statement.format(outside=outside, written=tmp_path / "leak.csv",
                           other=tmp_path / "other.duckdb")  # fmt: skip
    app = db.app_engine(url)
    with access.acting_as(access.Viewer("admin@x.vn", "admin")):
        with pytest.raises(db.StoreError, match="(?i)external access|disabled|permission"):
            db.fetch(sa.text(sql), app)
        assert service.has_data(app)  # the store itself is readable
    app.dispose()
    assert not (tmp_path / "leak.csv").exists()
    # the loaders' engine (imports read files) may, and proves the file is readable
    loader = db.create_engine(url, external_access=True)
    if statement.startswith("SELECT"):
        assert db.fetch(sa.text(sql), loader).height == 1
    loader.dispose()


# -- error details hidden -------------------------------------------------------------------


def test_with_error_details_off_a_failure_is_a_friendly_message_and_a_log_line(
    tmp_path, monkeypatch, caplog
):
    url = f"duckdb:///{tmp_path / 'store.duckdb'}"
    build_store(url, prefer_generator=False)
    monkeypatch.setenv("CXDASH_DATABASE_URL", url)
    st.cache_data.clear()
    st.cache_resource.clear()

    def broken(*args, **kwargs):
        raise RuntimeError("internal detail /srv/cx/secret-path")

    monkeypatch.setattr(service, "get_kpis", broken)
    app = Path(__file__).resolve().parent.parent / "dashboard" / "app.py"
    previous = st_config.get_option("client.showErrorDetails")
    st_config.set_option("client.showErrorDetails", "none")
    try:
        with caplog.at_level(logging.ERROR, logger="dashboard.app"):
            at = AppTest.from_file(str(app), default_timeout=60).run()
    finally:
        st_config.set_option("client.showErrorDetails", previous)
        st.cache_data.clear()
        st.cache_resource.clear()
    assert not at.exception
    assert any("Something went wrong on this page" in e.value for e in at.error)
    shown = " ".join(e.value for e in at.error)
    assert "secret-path" not in shown and "RuntimeError" not in shown
    assert "secret-path" in caplog.text and "page 'Overview' failed" in caplog.text
