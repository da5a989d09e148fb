"""Sign-in modes (``CXDASH_AUTH``) and the checks around them, without Streamlit.

- ``none`` (default, the local demo): no sign-in; everyone is admin, and every page says
  so in a banner.
- ``oidc``: Streamlit's ``st.login`` / ``st.user`` / ``st.logout`` against an OpenID
  Connect provider (Google Workspace, Microsoft 365, ...) configured in the ``[auth]``
  section of ``.streamlit/secrets.toml``. The app refuses to start when that section is
  incomplete or its ``cookie_secret`` is missing, short or a placeholder: the cookie
  secret signs every identity cookie, and a guessable one lets anyone forge a sign-in.
- ``proxy``: the identity is the ``CXDASH_AUTH_HEADER`` header (default
  ``X-Forwarded-Email``) set by a trusted reverse proxy. Anyone who reaches the port can
  forge that header, so ``cxdash serve`` binds to 127.0.0.1 (the proxy on the same
  machine) unless ``CXDASH_TRUST_PROXY_FROM`` names the proxy's address; then the app
  admits connections from that address only.

Whoever signs in must also be an active user of the store (``dashboard.users``).
"""

from __future__ import annotations

import ipaddress
import tomllib
from collections.abc import Mapping
from pathlib import Path

from dashboard.access import Viewer
from dashboard.config import Settings, get_settings

MODES = ("none", "oidc", "proxy")
DEFAULT_ADDRESS = "127.0.0.1"
ANY_ADDRESS = "0.0.0.0"  # noqa: S104 -- only when the operator names a proxy to trust
SECRETS = Path(".streamlit") / "secrets.toml"
APP_DIR = Path(__file__).resolve().parent

# The local demo's viewer: no sign-in, so everyone is admin (the banner says so).
LOCAL_VIEWER = Viewer(email="local (no sign-in)", role="admin")

MIN_COOKIE_SECRET = 32
_PLACEHOLDERS = ("xxx", "change", "replace", "your", "secret", "example", "placeholder",
                 "todo", "<", ">", "...")  # fmt: skip
PROVIDER_KEYS = ("client_id", "client_secret", "server_metadata_url")


def mode(settings: Settings | None = None) -> str:
    """The sign-in mode in force (ValueError for an unknown one)."""
    value = (settings or get_settings()).auth.strip().lower()
    if value not in MODES:
        raise ValueError(f"CXDASH_AUTH must be one of {', '.join(MODES)}, got {value!r}")
    return value


# -- oidc ------------------------------------------------------------------------------------


def secrets_files(cwd: Path | None = None) -> list[Path]:
    """Where Streamlit reads ``secrets.toml`` for ``cxdash serve``, later ones winning: the
    user's ``~/.streamlit``, the working directory's ``.streamlit``, and the one beside
    the app script."""
    return [Path.home() / SECRETS, (cwd or Path.cwd()) / SECRETS, APP_DIR / SECRETS]


def read_auth_section(paths: list[Path]) -> dict:
    """The ``[auth]`` section the files give together (later files override earlier)."""
    section: dict = {}
    for path in paths:
        if not path.is_file():
            continue
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ValueError(f"{path} is not valid TOML: {exc}") from None
        section.update(data.get("auth", {}))
    return section


def providers(section: Mapping) -> list[str]:
    """The providers configured: "default" (the keys in ``[auth]`` itself) and/or the
    names of ``[auth.NAME]`` tables with the provider keys."""
    found = ["default"] if all(k in section for k in PROVIDER_KEYS) else []
    found += [
        name for name, value in section.items()
        if isinstance(value, Mapping) and all(k in value for k in PROVIDER_KEYS)
    ]  # fmt: skip
    return found


def weak_cookie_secret(secret: object) -> str | None:
    """Why ``secret`` must not sign identity cookies, or None when it is fit."""
    if not isinstance(secret, str) or not secret.strip():
        return "cookie_secret is missing"
    lowered = secret.lower()
    if any(p in lowered for p in _PLACEHOLDERS):
        return "cookie_secret is a placeholder"
    if len(secret) < MIN_COOKIE_SECRET:
        return f"cookie_secret is shorter than {MIN_COOKIE_SECRET} characters"
    return None


def oidc_problems(section: Mapping | None) -> list[str]:
    """What stops OIDC sign-in from being safe and working; empty when all is well."""
    if not section:
        return ["there is no [auth] section in .streamlit/secrets.toml"]
    problems = []
    weak = weak_cookie_secret(section.get("cookie_secret"))
    if weak:
        problems.append(
            f"{weak}: generate one with "
            'python -c "import secrets; print(secrets.token_urlsafe(48))"'
        )
    redirect = str(section.get("redirect_uri", ""))
    if not redirect.endswith("/oauth2callback"):
        problems.append(
            "redirect_uri must be the app's address ending in /oauth2callback, "
            "e.g. https://cx.example.vn/oauth2callback"
        )
    if not providers(section):
        problems.append(
            "no provider: give client_id, client_secret and server_metadata_url in [auth] "
            "or in an [auth.NAME] table"
        )
    return problems


def oidc_startup_error(cwd: Path | None = None) -> str | None:
    """Why ``cxdash serve`` must not start in oidc mode, or None."""
    try:
        problems = oidc_problems(read_auth_section(secrets_files(cwd)))
    except ValueError as exc:
        problems = [str(exc)]
    if not problems:
        return None
    where = ", ".join(str(p) for p in secrets_files(cwd))
    return "OIDC sign-in is not configured safely: " + "; ".join(problems) + f" (read {where})"


def email_like(value: object) -> str | None:
    """``value`` when it looks like an email address (a claim used as one), else None."""
    text = str(value or "").strip()
    return text if "@" in text and " " not in text else None


# -- proxy -----------------------------------------------------------------------------------


def identity_from_headers(headers: Mapping[str, str], header: str) -> str | None:
    """The signed-in email the proxy sent in ``header``, or None."""
    value = headers.get(header) or headers.get(header.lower())
    if value is None:
        return None
    value = str(value).split(",")[0].strip()
    return value or None


def is_loopback(address: str | None) -> bool:
    if not address:
        return False
    if address == "localhost":
        return True
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def trusted_peer(peer: str | None, settings: Settings | None = None) -> bool:
    """Whether a connection from ``peer`` may carry the identity header: the machine itself
    (Streamlit reports it as None) or an address of ``CXDASH_TRUST_PROXY_FROM``."""
    settings = settings or get_settings()
    if peer is None:
        return True
    if not isinstance(peer, str):  # not an address at all: refuse
        return False
    return is_loopback(peer) or peer in settings.trust_proxy_from


# -- cxdash serve ----------------------------------------------------------------------------


def serve_address(requested: str | None, settings: Settings | None = None) -> str:
    """The address ``cxdash serve`` binds to.

    ``requested``: ``--address`` or ``STREAMLIT_SERVER_ADDRESS``. Default 127.0.0.1 (this
    machine only); in proxy mode with ``CXDASH_TRUST_PROXY_FROM`` set, every interface, so
    that the named proxy reaches it. ValueError when proxy mode would be reachable by
    others without a trusted proxy named: anyone could forge the identity header.
    """
    settings = settings or get_settings()
    if mode(settings) == "proxy" and not settings.trust_proxy_from:
        if requested and not is_loopback(requested):
            raise ValueError(
                f"CXDASH_AUTH=proxy: refusing to listen on {requested}, where anyone could "
                "forge the identity header. Serve on 127.0.0.1 behind the proxy, or name "
                "the proxy's address in CXDASH_TRUST_PROXY_FROM."
            )
        return DEFAULT_ADDRESS
    if requested:
        return requested
    if mode(settings) == "proxy":
        return ANY_ADDRESS
    return DEFAULT_ADDRESS
