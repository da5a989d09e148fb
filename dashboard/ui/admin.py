"""The Users and Audit trail pages' panels (admins): the logic lives in ``dashboard.users``
and ``dashboard.audit``; this draws it and turns its errors into messages."""

from __future__ import annotations

import datetime as dt

import polars as pl
import streamlit as st

from dashboard import access, audit, auth, db, service, users
from dashboard.access import ROLES, Scope
from dashboard.i18n import N_, _
from dashboard.ui.cache import call, engine
from dashboard.ui.signin import plain
from queries.schema import DIMENSIONS

MODE_WORDS = {
    "none": N_(
        "Local demo mode: nobody signs in and everyone is admin. The users below are kept "
        "for when sign-in is switched on (CXDASH_AUTH=oidc or proxy)."
    ),
    "oidc": N_(
        "People sign in with their company account (OpenID Connect); only the active users "
        "below get in, in their role and scope."
    ),
    "proxy": N_(
        "The sign-in proxy says who people are; only the active users below get in, in "
        "their role and scope."
    ),
}


def mode_note() -> None:
    mode = auth.mode()
    st.caption(_(MODE_WORDS[mode]))


def _dimension_values() -> dict[str, list[str]]:
    """Known values per dimension for the scope pickers (none on an empty store)."""
    try:
        options = call(service.options)
    except db.StoreError:
        return {}
    return {d: options.get(d, []) for d in DIMENSIONS}


def _done(message: str) -> None:
    st.session_state["_cx_users_done"] = message
    st.rerun()


def user_form(known: list[users.User]) -> None:
    """Add a user or change one's role, scope and active flag."""
    if message := st.session_state.pop("_cx_users_done", None):
        st.toast(message, icon=":material/check:")
    with st.form("user_form", clear_on_submit=False, enter_to_submit=False):
        st.markdown(_("**Add or change a user**"))
        left, right = st.columns([3, 2])
        email = left.text_input(_("Email"), placeholder="lan.tran@company.vn",  # i18n: ok
                                key="uf_email")  # fmt: skip
        role = right.selectbox(_("Role"), ROLES, index=1, format_func=access.role_label,
                               key="uf_role")  # fmt: skip
        st.caption(_("Scope: leave every box empty for the whole store. Admins always see "
                     "the whole store."))  # fmt: skip
        values = _dimension_values()
        cols = st.columns(3)
        picked = {
            d: cols[i % 3].multiselect(d.replace("_", " ").capitalize(), values.get(d, []),
                                       accept_new_options=True, key=f"uf_scope_{d}")
            for i, d in enumerate(DIMENSIONS)
        }  # fmt: skip
        active = st.checkbox(_("Active (may sign in)"), value=True, key="uf_active")
        submitted = st.form_submit_button(_("Save user"), type="primary", icon=":material/save:")
    if not submitted:
        return
    try:
        user = users.checked(email, role, Scope.of(picked), active=active)
        users.refuse_own_lockout(user.email, removing=not user.active, role=user.role)
        outcome = users.save(engine(), user)
    except (ValueError, db.StoreError) as exc:
        st.error(str(exc), icon=":material/block:")
        return
    words = {"added": _("added"), "changed": _("changed"), "unchanged": _("unchanged")}
    _done(_("{email}: {outcome}.").format(email=user.email, outcome=words[outcome]))


def remove_panel(known: list[users.User]) -> None:
    """Switch a user's access off or on, or remove them (after a confirmation)."""
    if not known:
        return
    st.markdown(_("**Switch access off or remove a user**"))
    emails = [u.email for u in known]
    left, mid, right = st.columns([3, 1, 1], vertical_alignment="bottom")
    email = left.selectbox(_("User"), emails, key="ur_email")
    chosen = next(u for u in known if u.email == email)
    toggle = _("Switch access off") if chosen.active else _("Switch access on")
    try:
        if mid.button(toggle, key="ur_toggle", icon=":material/toggle_on:"):
            users.refuse_own_lockout(email, removing=chosen.active)
            users.set_active(engine(), email, not chosen.active)
            message = (_("{email} can no longer sign in.") if chosen.active
                       else _("{email} may sign in again."))  # fmt: skip
            _done(message.format(email=email))
        with right.popover(_("Remove"), icon=":material/person_remove:"):
            st.write(_("Remove {email}? They can no longer sign in, and their role and scope "
                       "are forgotten.").format(email=plain(email)))  # fmt: skip
            if st.button(_("Remove"), key="ur_remove", type="primary"):
                users.refuse_own_lockout(email, removing=True)
                users.remove(engine(), email)
                _done(_("{email}: removed.").format(email=email))
    except (ValueError, db.StoreError) as exc:
        st.error(str(exc), icon=":material/block:")


def import_panel() -> None:
    """Add or update users from a TOML file, all or nothing."""
    with st.expander(_("Import users from a TOML file")):
        st.code('[[users]]\nemail = "lan.tran@company.vn"\nrole = "manager"\n'
                'scope = { region = ["TP.HCM"] }', language="toml")  # fmt: skip
        upload = st.file_uploader(_("Users file"), type=["toml"], key="ui_file")
        if upload is None or not st.button(_("Import users"), key="ui_import"):
            return
        try:
            text = upload.getvalue().decode("utf-8")
            summary = users.import_text(engine(), text, upload.name)
        except UnicodeDecodeError:
            st.error(_("{name} is not UTF-8 text.").format(name=upload.name))
            return
        except (ValueError, db.StoreError) as exc:
            st.error(str(exc), icon=":material/block:")
            return
        _done(_("{added} added, {changed} changed, {unchanged} unchanged.").format(
            added=len(summary.added), changed=len(summary.changed),
            unchanged=len(summary.unchanged)))  # fmt: skip


def audit_filters() -> tuple[dt.date, list[str]]:
    left, right = st.columns([1, 3])
    since = left.date_input(_("Since"), dt.date.today() - dt.timedelta(days=30), key="au_since")
    actions = right.multiselect(_("Actions"), audit.ACTIONS, key="au_actions")
    return since, actions


def audit_entries(since: dt.date, actions: list[str], limit: int = 5000) -> pl.DataFrame:
    """The trail from ``since`` on, only ``actions`` when some are picked (not cached: it
    must show what just happened), with headings for people."""
    frame = audit.entries(engine(), since, limit)
    frame = frame.filter(pl.col("action").is_in(actions)) if actions else frame
    return frame.rename(_labels(AUDIT_HEADINGS, frame.columns))


def users_table(known: list[users.User]) -> pl.DataFrame:
    frame = users.users_frame(known)
    return frame.rename(_labels(USER_HEADINGS, frame.columns))


AUDIT_HEADINGS = {
    "occurred_at": N_("When (UTC)"), "actor": N_("Who"), "role": N_("Role"),
    "action": N_("Action"), "detail": N_("Detail"), "scope": N_("Scope"),
    "row_count": N_("Rows"), "origin": N_("From"),
}  # fmt: skip
USER_HEADINGS = {
    "email": N_("Email"), "role": N_("Role"), "active": N_("Active"), "scope": N_("Scope"),
    "updated_at": N_("Changed (UTC)"), "updated_by": N_("Changed by"),
}  # fmt: skip


def _labels(headings: dict[str, str], columns: list[str]) -> dict[str, str]:
    return {c: _(headings[c]) for c in columns if c in headings}
