"""Sign-in end to end in a real browser: OIDC sign-in and sign-out against a local OpenID
provider (``oidc-provider-mock`` on 127.0.0.1, started by the test), and proxy mode with
the identity header -- each against ``cxdash serve`` on a small store with users.

What a scoped manager sees after signing in is their region only; an unknown account and
a request without the proxy's header get the denied page.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from dashboard import audit, db, users
from dashboard.access import Scope
from tests.browser.test_browser import (
    VIEWPORT,
    _chromium_or_skip,
    _free_port,
    _wait_healthy,
    chromium,
    idle,
    shots_dir,
)
from tests.stores import build_store

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent.parent
MANAGER = "lan@company.vn"
COOKIE_SECRET = "k3v9Qx2LmZp8Rt4WsYb6Nc1Hd7Jf5Ga0EuTiOoPlKjHg"


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> str:
    _chromium_or_skip()
    # SQLite: the test reads the audit trail while the dashboard holds the store open
    url = f"sqlite:///{tmp_path_factory.mktemp('signin') / 'store.sqlite'}"
    build_store(url, prefer_generator=False)
    engine = db.create_engine(url)
    audit.ensure_tables(engine)
    users.save(engine, users.checked(MANAGER, "manager", Scope.of({"region": ["TP.HCM"]})))
    engine.dispose()
    return url


@pytest.fixture(scope="module")
def provider() -> Iterator[str]:
    """The local OpenID provider on 127.0.0.1; yields its issuer URL."""
    import oidc_provider_mock
    import werkzeug.serving

    server = werkzeug.serving.make_server("127.0.0.1", 0, oidc_provider_mock.app(),
                                          threaded=True)  # fmt: skip
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1})
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


def _serve(
    tmp: Path, store: str, env: dict[str, str], port: int | None = None
) -> tuple[str, subprocess.Popen, object]:
    """``cxdash serve`` from ``tmp`` (its .streamlit/secrets.toml) on ``port``."""
    port = port or _free_port()
    # Served from another working directory: import this checkout's code all the same.
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
    full_env = dict(
        os.environ, CXDASH_DATABASE_URL=store, STREAMLIT_SERVER_HEADLESS="true",
        STREAMLIT_BROWSER_GATHER_USAGE_STATS="false", PYTHONPATH=path, **env,
    )  # fmt: skip
    log = (tmp / "serve.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "dashboard.cli", "serve", "--port", str(port)],
        cwd=tmp, env=full_env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(base, process)
    except RuntimeError:
        _stop(process, log)
        raise RuntimeError((tmp / "serve.log").read_text()[-3000:]) from None
    return base, process, log


def _stop(process: subprocess.Popen, log) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
    log.close()


@pytest.fixture(scope="module")
def oidc_server(tmp_path_factory, store, provider) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("oidc-serve")
    port = _free_port()
    secrets = tmp / ".streamlit" / "secrets.toml"
    secrets.parent.mkdir()
    secrets.write_text(
        "[auth]\n"
        f'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        f'cookie_secret = "{COOKIE_SECRET}"\n'
        'client_id = "cxdash"\n'
        'client_secret = "provided-by-the-identity-provider"\n'
        f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n'
    )
    base, process, log = _serve(tmp, store, {"CXDASH_AUTH": "oidc"}, port)
    try:
        yield base
    finally:
        _stop(process, log)


@pytest.fixture(scope="module")
def browser(store):
    with chromium() as browser:
        yield browser


@pytest.fixture(scope="module")
def output_dir(tmp_path_factory) -> Path:
    return shots_dir(tmp_path_factory, "signin-shots")


def _heading(page, text: str, timeout: float = 60_000) -> None:
    page.wait_for_function(
        "t => [...document.querySelectorAll('h1')].some(h => h.innerText.trim().endsWith(t))",
        arg=text, timeout=timeout,
    )  # fmt: skip
    idle(page)


def _sign_in_with_provider(page, email: str) -> None:
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/oauth2/authorize**", timeout=30_000)
    page.get_by_placeholder("sub").fill(email)
    page.get_by_role("button", name="Authorize").click()


def test_oidc_sign_in_shows_the_scope_then_sign_out(browser, oidc_server, store, output_dir):
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    page.goto(oidc_server)
    page.get_by_role("button", name="Sign in").wait_for(timeout=60_000)
    assert not page.locator('[data-testid="stSidebarNav"]').count()  # nothing before sign-in
    page.screenshot(path=output_dir / "signin-01-sign-in.png")

    _sign_in_with_provider(page, MANAGER)
    _heading(page, "Overview")
    sidebar = page.locator('[data-testid="stSidebar"]')
    assert "lan@company.vn · manager · region: TP.HCM" in sidebar.inner_text()
    nav = page.locator('[data-testid="stSidebarNav"]').inner_text()
    assert "Feedback" in nav and "Data" not in nav and "Users" not in nav
    body = page.locator("body").inner_text()
    assert "Hà Nội" not in body and "Đà Nẵng" not in body
    page.screenshot(path=output_dir / "signin-02-signed-in.png")

    sidebar.get_by_role("button", name="Sign out").click()
    # the provider asks to end its session too, then sends the browser back
    page.wait_for_url("**/oauth2/end_session**", timeout=30_000)
    page.get_by_role("button", name="End session").click()
    page.get_by_role("button", name="Sign in").wait_for(timeout=60_000)
    assert "lan@company.vn" not in page.locator("body").inner_text()
    page.screenshot(path=output_dir / "signin-03-signed-out.png")
    context.close()

    engine = db.create_engine(store)
    trail = audit.entries(engine, limit=20)
    engine.dispose()
    mine = trail.filter(trail["actor"] == MANAGER)["action"].to_list()
    assert "sign_in" in mine and "sign_out" in mine


def test_oidc_unknown_account_is_denied(browser, oidc_server, output_dir):
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    page.goto(oidc_server)
    page.get_by_role("button", name="Sign in").wait_for(timeout=60_000)
    _sign_in_with_provider(page, "stranger@elsewhere.vn")
    _heading(page, "Access denied")
    assert "stranger@elsewhere.vn has no access" in page.locator("body").inner_text()
    assert not page.locator('[data-testid="stSidebarNav"]').count()
    page.screenshot(path=output_dir / "signin-04-denied.png")
    context.close()


@pytest.fixture(scope="module")
def proxy_server(tmp_path_factory, store) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("proxy-serve")
    base, process, log = _serve(tmp, store, {"CXDASH_AUTH": "proxy"})
    try:
        yield base
    finally:
        _stop(process, log)


def test_proxy_mode_takes_the_identity_from_the_header(browser, proxy_server, output_dir):
    headers = {"X-Forwarded-Email": "LAN@company.vn"}  # what the proxy adds
    context = browser.new_context(viewport=VIEWPORT, extra_http_headers=headers)
    page = context.new_page()
    page.goto(proxy_server)
    _heading(page, "Overview")
    assert "lan@company.vn · manager" in page.locator('[data-testid="stSidebar"]').inner_text()
    assert "Hà Nội" not in page.locator("body").inner_text()
    page.screenshot(path=output_dir / "signin-05-proxy.png")
    context.close()

    context = browser.new_context(viewport=VIEWPORT)  # straight to the port: no header
    page = context.new_page()
    page.goto(proxy_server)
    _heading(page, "Access denied")
    assert "did not say who you are" in page.locator("body").inner_text()
    context.close()
