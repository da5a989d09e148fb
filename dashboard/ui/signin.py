"""Who a run acts for: sign-in, the denied page, the banner, the sidebar's account box.

:func:`sign_in` runs first in every run of the app. It resolves the identity of the
session in the configured mode (``dashboard.auth``), looks the person up among the
store's users and sets the run's viewer (``access.set_viewer``), which ``db`` scopes
every statement by and the cache keys every result by. Nobody known and active: a
sign-in or access-denied page is drawn, the denial is put on the audit trail, and the
run stops -- no view is computed, no data query runs.
"""

from __future__ import annotations

import logging
import re

import streamlit as st

from dashboard import access, audit, auth, db, users
from dashboard.access import Viewer
from dashboard.config import get_settings
from dashboard.i18n import _
from dashboard.ui.cache import engine
from dashboard.ui.page import being_updated

log = logging.getLogger(__name__)

_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!<>|~:])")
SIGNED_IN = "_cx_signed_in"  # the email whose sign-in this session has recorded
DENIED = "_cx_denied"  # the identity whose denial this session has recorded
SIGN_IN_WORDS = {"none": "no sign-in (local demo)", "oidc": "OIDC", "proxy": "proxy header"}


def plain(text: str) -> str:
    """``text`` shown literally in Markdown: an identity comes from outside (the provider,
    the proxy's header), so none of its characters may format, link or inject."""
    return _MARKDOWN.sub(r"\\\1", str(text))


def sign_in() -> Viewer:
    """This run's viewer (set for the run), or a sign-in / denied page and ``st.stop()``."""
    access.set_viewer(None)  # a new run starts with nobody: fail closed
    settings = get_settings()
    try:
        mode = auth.mode(settings)
    except ValueError as exc:
        _stop_with(str(exc), icon=":material/lock:")
    if mode == "none":
        viewer = auth.LOCAL_VIEWER
    else:
        email = _oidc_email() if mode == "oidc" else _proxy_email(settings)
        viewer = _known_viewer(email)
    access.set_viewer(viewer)
    if st.session_state.get(SIGNED_IN) != viewer.email:
        st.session_state[SIGNED_IN] = viewer.email
        _record("sign_in", detail=SIGN_IN_WORDS[mode])
    return viewer


def _oidc_email() -> str:
    section = _auth_section()
    problems = auth.oidc_problems(section)
    if problems:
        log.error("OIDC sign-in is not configured safely: %s", "; ".join(problems))
        _stop_with(
            _("Sign-in is not configured safely, so the dashboard will not open. The "
              "administrator must fix .streamlit/secrets.toml: {problems}.").format(
                problems="; ".join(problems)
            ),
            icon=":material/lock:",
        )  # fmt: skip
    if not st.user.get("is_logged_in"):
        _sign_in_page(auth.providers(section))
    # Microsoft Entra sends no email claim unless it is configured as optional; its
    # preferred_username is then the account's address.
    email = st.user.get("email") or auth.email_like(st.user.get("preferred_username"))
    if not email:
        _denied(None, _("Your sign-in did not say who you are (no email)."), sign_out=True)
    return str(email)


def _auth_section() -> dict:
    try:
        section = st.secrets.get("auth", {})
        return section.to_dict() if hasattr(section, "to_dict") else dict(section)
    except (FileNotFoundError, AttributeError):
        return {}
    except Exception as exc:  # a broken secrets.toml: refuse with its reason
        log.error("cannot read .streamlit/secrets.toml: %s", exc)
        return {}


def _proxy_email(settings) -> str:
    if not auth.trusted_peer(st.context.ip_address, settings):
        _denied(
            None,
            _(
                "This address only serves requests that come through the company's sign-in proxy."
            ),  # fmt: skip
            detail=f"untrusted peer {st.context.ip_address}",
        )
    email = auth.identity_from_headers(st.context.headers, settings.auth_header)
    if not email:
        _denied(None, _("The sign-in proxy did not say who you are."),
                detail=f"no {settings.auth_header} header")  # fmt: skip
    return email


def _known_viewer(email: str) -> Viewer:
    try:
        user = users.find(engine(), email)
    except db.SchemaMissing:
        user = None
    except db.StoreBusy as exc:  # an import writes the embedded store: sign in after it
        being_updated(str(exc))
    except db.StoreError as exc:
        log.error("sign-in lookup failed: %s", exc)
        _stop_with(_("The data store cannot be reached, so nobody can be signed in: {error}")
                   .format(error=exc), icon=":material/database:")  # fmt: skip
    if user is None:
        _denied(email, _("{email} has no access to this dashboard.").format(email=plain(email)),
                detail="unknown user", sign_out=True)  # fmt: skip
    if not user.active:
        _denied(email, _("The access of {email} is switched off.").format(email=plain(email)),
                detail="inactive user", sign_out=True)  # fmt: skip
    return user.viewer()


# -- pages for nobody ------------------------------------------------------------------------


def _sign_in_page(providers: list[str]) -> None:
    st.title(_("CX Insights"), anchor=False)
    st.write(_("Sign in with your company account to open the dashboard."))
    for provider in providers or ["default"]:
        label = (
            _("Sign in")
            if provider == "default"
            else _("Sign in with {provider}").format(provider=provider.capitalize())
        )
        if st.button(label, type="primary", icon=":material/login:", key=f"_cx_login_{provider}"):
            st.login(None if provider == "default" else provider)
    st.stop()


def _denied(who: str | None, reason: str, *, detail: str = "", sign_out: bool = False) -> None:
    identity = who or "(anonymous)"
    if st.session_state.get(DENIED) != (identity, detail):
        st.session_state[DENIED] = (identity, detail)
        _record("denied", detail=detail or reason, who=identity)
    st.title(_("Access denied"), anchor=False)
    st.error(reason, icon=":material/block:")
    st.caption(_("Ask your administrator for access (they add users with `cxdash users add`)."))
    if sign_out and st.button(_("Sign out"), icon=":material/logout:", key="_cx_logout"):
        st.logout()
    st.stop()


def _stop_with(message: str, *, icon: str) -> None:
    st.title(_("CX Insights"), anchor=False)
    st.error(message, icon=icon)
    st.stop()


def _record(action: str, *, detail: str, who: str | None = None) -> None:
    """Put a sign-in or denial on the audit trail; a store that cannot take it does not
    lock people out of a denied page, but is logged."""
    try:
        audit.record(action, detail=detail, who=who, engine=engine())
    except db.StoreError as exc:
        log.error("audit %s not recorded: %s", action, exc)


# -- furniture of every page ---------------------------------------------------------------


def account_box(viewer: Viewer) -> None:
    """The sidebar's 'signed in as' line with the scope, and Sign out (OIDC)."""
    if viewer == auth.LOCAL_VIEWER:
        return
    st.sidebar.caption(
        _(":material/account_circle: {email} · {role} · {scope}").format(
            email=plain(viewer.email),
            role=access.role_label(viewer.role),
            scope=plain(viewer.scope.words()),
        )
    )
    if auth.mode() == "oidc" and st.sidebar.button(
        _("Sign out"), icon=":material/logout:", key="_cx_sidebar_logout", type="tertiary"
    ):
        _record("sign_out", detail="oidc sign-out")
        st.session_state.pop(SIGNED_IN, None)
        st.logout()


def no_sign_in_banner(viewer: Viewer) -> None:
    """In the local demo mode, every page says that nobody signs in and everyone is admin."""
    if viewer == auth.LOCAL_VIEWER:
        st.warning(
            _("Local demo mode: no sign-in, and everyone who can open this address is an "
              "admin who sees all data. Set CXDASH_AUTH=oidc or proxy before sharing it."),
            icon=":material/lock_open:",
        )  # fmt: skip


def require(action: str) -> None:
    """Stop the page unless the viewer may do ``action`` (pages beyond the navigation's
    own rule: defence in depth)."""
    if not access.may(action):
        st.error(_("Your role does not give access to this page."), icon=":material/block:")
        st.stop()
