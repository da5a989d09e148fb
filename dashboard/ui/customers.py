"""The customer grain in the dashboard: the customer view's panels, follow-up items (SLA
countdown, the change form, history), links to the customer view, the lists' tables and
downloads, and the Overview's risk headline.

The follow-up queue, the lists' rows and the customer view are read *live*
(:func:`live`, not through the results cache): people change follow-up items from the
dashboard (the lists show open follow-ups), and every session must see a change at once.
The Overview's headline and the lists' counts and values change with imports only and
go through the cache. Timings: BENCHMARKS.md, "Customer grain".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from pathlib import Path

import polars as pl
import streamlit as st

from dashboard import access, customers, db, followup
from dashboard.config import get_settings
from dashboard.export.tables import EXCEL_MAX_DATA_ROWS, table_csv, table_xlsx
from dashboard.i18n import N_, _, ngettext
from dashboard.i18n.formats import (
    column_datetime_format,
    fmt_date,
    fmt_datetime,
    fmt_int,
    fmt_pct,
    fmt_seconds,
    fmt_vnd,
)
from dashboard.ui.cache import call, engine
from dashboard.ui.downloads import MIME, file_stem
from dashboard.ui.markdown import md
from dashboard.ui.page import export_context, friendly_errors
from dashboard.ui.url_state import SEEDED, VIEW_PARAMS
from dashboard.views import Options, View
from queries.customers import OPEN_STATUSES, UNASSIGNED
from queries.filters import Filters

PAGES_DIR = Path(__file__).resolve().parents[2] / "pages"
CUSTOMER_PAGE = PAGES_DIR / "customer.py"
LISTS_PAGE = PAGES_DIR / "customer_lists.py"
CUSTOMER_PARAM = "customer"  # the URL parameter (and widget key) of the customer view
NOT_FOUND = "_cx_customer_not_found"
APP_ACTOR = "dashboard"  # who changes an item when nobody is signed in

LIST_KINDS = {"at_risk": N_("At risk"), "promoters": N_("Promoters")}
ROW_HEIGHT = 35  # st.dataframe's default row height (px)
EVERYONE = ""  # the queue's owner filter: every item
STATUS_LABELS = {
    "new": N_("New"),
    "contacted": N_("Contacted"),
    "resolved": N_("Resolved"),
    "unreachable": N_("Unreachable"),
    "closed": N_("Closed"),
}
STATUS_COLOURS = {"new": "orange", "contacted": "blue", "resolved": "green",
                  "unreachable": "gray", "closed": "gray"}  # fmt: skip
COLUMN_LABELS = {
    "customer_id": N_("Customer"),
    "segment": N_("Segment"),
    "region": N_("Region"),
    "value_at_risk": N_("Value (12 months, ₫)"),
    "last_nps": N_("Latest NPS"),
    "last_nps_at": N_("NPS given"),
    "last_csat": N_("Latest CSAT"),
    "last_csat_at": N_("CSAT given"),
    "lapsing": N_("Lapsing"),
    "open_followups": N_("Open follow-ups"),
    "response_id": N_("Response"),
    "touchpoint": N_("Touchpoint"),
    "nps": N_("NPS"),
    "csat": N_("CSAT"),
    "status": N_("Status"),
    "owner": N_("Owner"),
    "due_at": N_("Due"),
    "sla": N_("SLA"),
    "overdue": N_("Overdue"),
}


def label(key: str) -> str:
    """A column's or status's name in the current language."""
    return _(COLUMN_LABELS.get(key) or STATUS_LABELS.get(key) or LIST_KINDS.get(key) or key)


# -- who, when, may ---------------------------------------------------------------------------


def require(action: str) -> None:
    """Stop the page with a message unless the viewer may do ``action``."""
    if not access.may(action):
        st.warning(_("Your role does not give access to this page."), icon=":material/lock:")
        st.stop()


def actor() -> str:
    """Who changes follow-up items in this session: the signed-in viewer."""
    return access.current_viewer().email if access.viewer_is_set() else APP_ACTOR


def sla_hours() -> int:
    return get_settings().followup_sla_hours


def may_see_personal_data() -> bool:
    """Unmasked names, e-mails and phones: only for a signed-in viewer whose role allows
    it (fail closed: a session without a viewer -- no sign-in yet -- sees them masked)."""
    return access.viewer_is_set() and access.may_see_personal_data()


def now() -> dt.datetime:
    """The queue's clock (``followup.clock``: real time, or a demo store's)."""
    with friendly_errors():
        return followup.clock(engine())


def live(view: View, f: Filters, options: Options):
    """``view``'s result read now, not cached (see the module's docstring)."""
    with friendly_errors(), st.spinner(_("Loading…"), show_time=False):
        return view.run(engine(), f, options)


# -- links to the customer view ---------------------------------------------------------------


def customer_link(customer_id: str | None, *, text: str | None = None) -> None:
    """A link that opens the customer view of ``customer_id`` (nothing for an unknown
    customer, or for a viewer who may not open customers)."""
    if not customer_id or not access.may("customers"):
        return
    st.page_link(
        CUSTOMER_PAGE,
        label=text or _("Open customer {customer}").format(customer=customer_id),
        icon=":material/person_search:",
        query_params={CUSTOMER_PARAM: customer_id},
    )


def open_customer(customer_id: str) -> None:
    """Switch to the customer view of ``customer_id`` (a row picked in a list).

    ``st.switch_page`` drops the widgets' state (the sidebar's period and comparison
    would fall back to their defaults), so the global filters travel in the URL and the
    next run seeds the widgets from it again, as for a shared link.
    """
    params = {**st.session_state.get(VIEW_PARAMS, {}), CUSTOMER_PARAM: customer_id}
    st.session_state[SEEDED] = False
    st.switch_page(CUSTOMER_PAGE, query_params=params)


def risk_headline(f: Filters) -> None:
    """The Overview's "N customers at risk, worth X ₫ in the last 12 months", a link to
    the at-risk list (nothing when nobody is at risk or the viewer may not see it)."""
    if not access.may("customers"):
        return
    with friendly_errors():
        n, value = call(customers.risk_headline, f)
    if not n:
        return
    text = ngettext(
        "{n} customer at risk, worth {value} in the last 12 months",
        "{n} customers at risk, worth {value} in the last 12 months",
        n,
    ).format(n=fmt_int(n), value=fmt_vnd(value))
    st.page_link(LISTS_PAGE, label=f"**{text}**", icon=":material/warning:",
                 query_params={"cl_kind": "at_risk"})  # fmt: skip


# -- finding a customer -----------------------------------------------------------------------


def resolve_search() -> None:
    """The search box's callback: an id, e-mail or phone becomes the customer's id (so
    the URL holds the id, never contact details); no match empties the box and says so."""
    text = (st.session_state.get(CUSTOMER_PARAM) or "").strip()
    st.session_state.pop(NOT_FOUND, None)
    if not text:
        return
    found = customers.find_customer(engine(), text)
    if found is None:
        st.session_state[NOT_FOUND] = text
        st.session_state[CUSTOMER_PARAM] = ""
    else:
        st.session_state[CUSTOMER_PARAM] = found


def not_found_message() -> None:
    text = st.session_state.pop(NOT_FOUND, None)
    if text:
        st.warning(
            _("No customer has the id, e-mail or phone “{text}”.").format(text=text),
            icon=":material/person_off:",
        )


def customer(text: str) -> dict | None:
    """Everything known about the customer ``text`` names (id, e-mail or phone), with
    contact details masked unless the viewer may see personal data; None if nobody."""
    with friendly_errors():
        found = customers.find_customer(engine(), text)
        if found is None:
            return None
        return customers.customer_view(engine(), found, unmask=may_see_personal_data(), now=now())


# -- the customer view's panels ---------------------------------------------------------------


def profile(view: dict) -> None:
    """Who the customer is, what they are worth, and the funnel stages they reached."""
    dims = [view["segment"], view["region"], view["channel"], view["age_band"],
            view["gender"], view["income_band"]]  # fmt: skip
    badges = " ".join(f":blue-badge[{md(d)}]" for d in dims if d)
    signup = _("signed up {day}").format(day=fmt_date(view["signup_at"]))
    st.markdown(f"{badges} · {signup}" if badges else signup)
    contact = [v for v in (view["name"], view["email"], view["phone"]) if v]
    if contact:
        st.markdown(" · ".join(md(v) for v in contact))
        if not may_see_personal_data():
            st.caption(_("Contact details are masked: your role does not show personal data."))
    columns = st.columns(4)
    columns[0].metric(_("Historical CLV"), fmt_vnd(view["clv"]), border=True,
                      help=_("Revenue from the customer's transactions since signup."))  # fmt: skip
    columns[1].metric(_("Orders"), fmt_int(view["orders"]), border=True)
    columns[2].metric(_("First purchase"), fmt_date(view["first_purchase_at"]), border=True)
    columns[3].metric(_("Last purchase"), fmt_date(view["last_purchase_at"]), border=True)
    if view["stages"]:
        reached = [
            f":gray-badge[{md(stage)}] {fmt_date(at)}" for stage, at in view["stages"].items()
        ]
        st.markdown(_("**Funnel stages reached:** {stages}").format(stages=" → ".join(reached)))


def score_badges(nps, csat, ces=None) -> str:
    """NPS / CSAT / CES badges, coloured by the NPS band and unhappy CSAT."""
    nps_colour = (
        "gray" if nps is None else ("orange" if nps <= 6 else "blue" if nps >= 9 else "gray")
    )
    csat_colour = "orange" if csat is not None and csat <= 2 else "gray"
    parts = [
        f":{nps_colour}-badge[NPS {_or_dash(nps)}]",
        f":{csat_colour}-badge[CSAT {_or_dash(csat)}]",
    ]
    if ces is not None:
        parts.append(f":gray-badge[CES {ces}]")
    return " ".join(parts)


def timeline(responses: list[dict], analysis: Callable[[dict], str] | None = None) -> None:
    """Every response of the customer, newest first: scores, touchpoint, date, comment;
    ``analysis(response)``: the comment's sentiment and themes as badges (Markdown)."""
    if not responses:
        st.info(_("This customer has not answered a survey."), icon=":material/forum:")
        return
    for response in responses:
        with st.container(border=True, gap="small"):
            meta = [f"**{md(response['touchpoint'])}**", fmt_datetime(response["responded_at"]),
                    md(response["channel"] or "")]  # fmt: skip
            head = score_badges(response["nps"], response["csat"], response["ces"])
            st.markdown(head + " " + " · ".join(m for m in meta if m))
            if response["comment"]:
                st.text(response["comment"])
                said = analysis(response) if analysis is not None else ""
                if said:
                    st.markdown(said)


# -- follow-up items --------------------------------------------------------------------------


def status_badge(status: str) -> str:
    return f":{STATUS_COLOURS.get(status, 'gray')}-badge[{label(status)}]"


def duration_words(delta: dt.timedelta) -> str:
    """A duration as people say it: minutes below an hour, hours below two days, days."""
    minutes = int(abs(delta).total_seconds() // 60)
    if minutes < 60:
        return _("{n} min").format(n=fmt_int(minutes))
    if minutes < 48 * 60:
        return _("{n} h").format(n=fmt_int(minutes // 60))
    days = minutes // (24 * 60)
    return ngettext("{n} day", "{n} days", days).format(n=fmt_int(days))


def sla_words(status: str, due_at: dt.datetime | None, at: dt.datetime) -> str:
    """The SLA countdown: "due in 5 h", "overdue by 2 days", or "–" once handled."""
    if status not in OPEN_STATUSES or due_at is None:
        return "–"
    if at > due_at:
        return _("overdue by {time}").format(time=duration_words(at - due_at))
    return _("due in {time}").format(time=duration_words(due_at - at))


def item_header(item: dict, at: dt.datetime) -> str:
    """One line: status, scores, touchpoint, response date and id, owner, SLA."""
    owner = item["owner"] or _("nobody")
    sla = sla_words(item["status"], item["due_at"], at)
    sla = f":red[**{sla}**]" if item.get("overdue") else sla
    parts = [status_badge(item["status"]), score_badges(item["nps"], item["csat"]),
             f"**{md(item['touchpoint'])}**", fmt_datetime(item["responded_at"]),
             md(item["response_id"]), _("owner: {owner}").format(owner=md(owner))]  # fmt: skip
    if sla != "–":
        parts.append(sla)
    return " · ".join(parts)


def owner_choices(current: str | None) -> list[str]:
    """Nobody (""), the current owner, the viewer and everyone who owns an item."""
    with friendly_errors():
        known = customers.followup_owners(engine())
    me = actor()
    others = sorted({*known, *(p for p in (current, me) if p and p != APP_ACTOR)})
    return ["", *others]


def change_form(item: dict, key: str) -> None:
    """Assign an owner, move the status on, add a note: one transaction
    (``followup.change``) checked against the version the person saw, so a change made
    meanwhile by someone else is refused with their name instead of being overwritten.

    The version shown is remembered between runs: the run that handles a click reads
    the item afresh, and must compare with what was on the screen when it was clicked.
    """
    rid, version = item["response_id"], item["version"]
    seen_key, round_key = f"_cx_fu_seen_{key}_{rid}", f"_cx_fu_round_{key}_{rid}"
    seen = st.session_state.get(seen_key, version)
    owners = owner_choices(item["owner"])
    statuses = [item["status"], *followup.TRANSITIONS[item["status"]]]
    suffix = f"{key}_{rid}_{st.session_state.get(round_key, 0)}"  # fresh widgets after a save
    with st.form(f"fu_form_{suffix}", border=False, enter_to_submit=False):
        left, middle = st.columns(2)
        owner = left.selectbox(
            _("Owner"), owners, index=owners.index(item["owner"] or ""), key=f"fu_owner_{suffix}",
            format_func=lambda o: o or _("(nobody)"), accept_new_options=True,
        )  # fmt: skip
        status = middle.selectbox(_("Status"), statuses, format_func=label,
                                  key=f"fu_status_{suffix}")  # fmt: skip
        note = st.text_input(_("Note"), key=f"fu_note_{suffix}",
                             placeholder=_("What was done or agreed"))  # fmt: skip
        saved = st.form_submit_button(_("Save"), icon=":material/save:", type="primary")
    if not saved:
        st.session_state[seen_key] = version
        return
    if _save(item, seen, owner or "", status, note, reload_keys=(seen_key, round_key)):
        st.session_state.pop(seen_key, None)
        st.session_state[round_key] = st.session_state.get(round_key, 0) + 1
        st.toast(_("Saved: {response}").format(response=rid), icon=":material/check:")
        st.rerun()


def _reload(seen_key: str, round_key: str) -> None:
    st.session_state.pop(seen_key, None)
    st.session_state[round_key] = st.session_state.get(round_key, 0) + 1


def _save(
    item: dict, seen: int, owner: str, status: str, note: str, *, reload_keys: tuple[str, str]
) -> bool:
    """Apply the form's choices to the version ``seen``; say why not if refused."""
    rid = item["response_id"]
    try:
        followup.change(
            engine(), rid, actor=actor(), expected_version=seen,
            status=None if status == item["status"] else status,
            owner=None if owner == (item["owner"] or "") else owner,
            note=note or None, now=now(),
        )  # fmt: skip
    except followup.Conflict as exc:
        who = exc.who or _("someone else")
        st.error(
            _("Changed meanwhile by {who} — reload.").format(who=who),
            icon=":material/sync_problem:",
        )
        st.button(_("Reload"), key=f"fu_reload_{rid}", icon=":material/refresh:",
                  on_click=_reload, args=reload_keys)  # fmt: skip
    except followup.InvalidTransition as exc:
        st.warning(str(exc), icon=":material/block:")
    except followup.UnknownItem:
        st.warning(_("This item is gone. Reload the queue."), icon=":material/sync_problem:")
    except db.StoreError as exc:
        st.error(str(exc), icon=":material/database:")
    except ValueError:
        st.warning(_("Nothing to change: pick another owner or status, or write a note."))
    else:
        return True
    return False


def event_words(event: dict) -> str:
    """One change of an item in a line: when · who · status (or its move) · owner
    change · note."""
    moved = event["from_status"] not in (None, event["to_status"])
    if moved:
        status = f"{label(event['from_status'])} → **{label(event['to_status'])}**"
    else:
        status = label(event["to_status"])
    parts = [fmt_datetime(event["changed_at"]), md(event["actor"]), status]
    if event["owner_to"] != event["owner_from"]:
        parts.append(_("owner: {owner}").format(owner=md(event["owner_to"] or _("nobody"))))
    if event["note"]:
        parts.append(f"“{md(event['note'])}”")
    return " · ".join(parts)


def history(events: Iterable[dict]) -> None:
    """An item's event log, newest first, one change per line."""
    lines = [f"- {event_words(e)}" for e in events]
    if lines:
        st.markdown("\n".join(lines))


def followup_items(items: list[dict], at: dt.datetime, key: str) -> None:
    """The customer's follow-up items, newest response first, each with its form and
    history (the form only for viewers who may work the queue)."""
    if not items:
        st.info(_("No follow-up items: none of this customer's responses called for one."),
                icon=":material/task_alt:")  # fmt: skip
        return
    for item in items:
        # the key names the item in the page (CSS class st-key-fu_item_<key>_<response>)
        with st.container(border=True, key=f"fu_item_{key}_{item['response_id']}"):
            st.markdown(item_header(item, at))
            if access.may("followup"):
                change_form(item, key)
            with st.expander(_("History ({n} changes)").format(n=fmt_int(len(item["events"])))):
                history(item["events"])


# -- the lists and the queue as tables --------------------------------------------------------


def column_config(columns: Iterable[str]) -> dict:
    """Translated headers and locale formats for the lists' and the queue's columns."""
    config = {}
    for name in columns:
        title = label(name)
        if name in ("value_at_risk",):
            config[name] = st.column_config.NumberColumn(title, format="localized")
        elif name.endswith("_at"):
            config[name] = st.column_config.DatetimeColumn(title, format=column_datetime_format())
        elif name in ("lapsing", "overdue"):
            config[name] = st.column_config.CheckboxColumn(title)
        else:
            config[name] = st.column_config.Column(title)
    return config


def selectable_table(frame: pl.DataFrame, key: str) -> list[int]:
    """A table whose rows can be picked one at a time; returns the picked row numbers."""
    event = st.dataframe(
        frame, key=key, hide_index=True, width="stretch", on_select="rerun",
        selection_mode="single-row", column_config=column_config(frame.columns),
        height=ROW_HEIGHT * (frame.height + 1) + 3,  # the whole page, no inner scrolling
    )  # fmt: skip
    return list(event.selection.rows)


def queue_rows(frame: pl.DataFrame, at: dt.datetime) -> pl.DataFrame:
    """The queue's rows as the page shows them: status in words and the SLA countdown."""
    sla = [sla_words(s, d, at) for s, d in zip(frame["status"], frame["due_at"], strict=True)]
    words = {s: label(s) for s in STATUS_LABELS}
    return frame.select(
        "response_id", "customer_id", "touchpoint", "nps", "csat",
        pl.col("status").replace_strict(words, default=pl.col("status")),
        pl.col("owner").fill_null("–"), "due_at", pl.Series("sla", sla, dtype=pl.String),
        "overdue", "value_at_risk",
    )  # fmt: skip


def list_summary(kind: str, f: Filters) -> int:
    """The list's headline (how many, worth how much) and its rules in words, at ``T``;
    returns how many customers the list has."""
    # Cached: who is on the list and what they are worth change with imports only (the
    # list's open follow-ups, which people change, are read live with each page).
    with friendly_errors():
        day = call(customers.as_of, f)
        total, value = call(customers.list_totals, kind, f)
    if not total:
        return 0
    headline = (
        ngettext("{n} customer at risk, worth {value}", "{n} customers at risk, worth {value}",
                 total)
        if kind == "at_risk"
        else ngettext("{n} promoter, worth {value}", "{n} promoters, worth {value}", total)
    )  # fmt: skip
    st.markdown("**" + headline.format(n=fmt_int(total), value=fmt_vnd(value)) + "**")
    rule = (
        _("Latest NPS 0–6, or latest CSAT 1–2, in the {days} days ending {day}.")
        if kind == "at_risk"
        else _("Latest NPS 9–10 in the {days} days ending {day}.")
    )
    words = _(
        "Value: revenue in the 365 days ending {day}. Lapsing: 3 or more purchases, and "
        "quiet for more than twice the usual gap between them. Pick a row to open the customer."
    )
    days = get_settings().risk_window_days
    st.caption(rule.format(days=fmt_int(days), day=fmt_date(day)) + " " + words.format(
        day=fmt_date(day)))  # fmt: skip
    return total


def list_downloads(view: View, f: Filters, options: Options, *, name: str, rows: int) -> None:
    """CSV / XLSX of the whole list (every page), built on click; formula-safe."""

    def whole() -> pl.DataFrame:
        return view.printed(view.run(engine(), f, options.replace(limit=None, offset=0)), options)

    context = export_context(view.title(options))
    with st.popover(_("Download the list"), icon=":material/download:", type="tertiary"):
        st.download_button(
            "CSV", data=lambda: table_csv(whole()),  # i18n: ok (a format's name)
            key=f"_cx_download_{name}_csv", file_name=f"{file_stem(name)}.csv",
            mime=MIME["csv"], on_click="ignore", icon=":material/download:",
        )  # fmt: skip
        if rows > EXCEL_MAX_DATA_ROWS:
            st.caption(_("XLSX unavailable: too many rows for Excel. Use CSV."))
            return
        sheet = context.title or name
        st.download_button(
            "XLSX", data=lambda: table_xlsx(whole(), sheet=sheet, context=context),  # i18n: ok
            key=f"_cx_download_{name}_xlsx", file_name=f"{file_stem(name)}.xlsx",
            mime=MIME["xlsx"], on_click="ignore", icon=":material/download:",
        )  # fmt: skip


def queue_kpis(f: Filters, at: dt.datetime) -> None:
    """Open, overdue, median hours to first contact, share resolved -- over the items
    of the period and filters, whatever the page's status / owner / overdue choice."""
    with friendly_errors():
        kpis = customers.queue_kpis(engine(), f, at)
    a, b, c, d = st.columns(4)
    a.metric(_("Open"), fmt_int(kpis["open"]), border=True,
             help=_("Items that are new or contacted."))  # fmt: skip
    b.metric(_("Overdue"), fmt_int(kpis["overdue"]), border=True,
             help=_("Open items past their due time (the SLA after the response)."))  # fmt: skip
    hours = kpis["median_hours_to_first_contact"]
    c.metric(
        _("Median time to first contact"), fmt_seconds(None if hours is None else hours * 3600),
        border=True, help=_("From the response to the first contact, over the items contacted."),
    )  # fmt: skip
    d.metric(_("Resolved"), fmt_pct(kpis["share_resolved"]), border=True,
             help=_("Share of the items that reached 'resolved'."))  # fmt: skip


def owner_filter_choices() -> list[str]:
    """Everyone, nobody, then each owner: the queue's owner filter."""
    with friendly_errors():
        return [EVERYONE, UNASSIGNED, *customers.followup_owners(engine())]


def owner_filter_label(value: str) -> str:
    if value == EVERYONE:
        return _("Everyone")
    return _("Nobody (unassigned)") if value == UNASSIGNED else value


def queue_count(f: Filters, options: Options, at: dt.datetime) -> int:
    """How many items the queue page pages through."""
    from dashboard.views.customers import queue_arguments

    with friendly_errors():
        return customers.followup_count(engine(), f, now=at, **queue_arguments(options))


def item_panel(row: dict, at: dt.datetime) -> None:
    """The picked item: its customer (with a link), what they said, the change form and
    the history -- read fresh, so the form starts from the item's current version."""
    view = customer(row["customer_id"])
    items = [i for i in (view or {}).get("followups", []) if i["response_id"] == row["response_id"]]
    if not items:
        st.warning(_("This item is gone. Reload the queue."), icon=":material/sync_problem:")
        return
    st.subheader(
        _("{response} · customer {customer}").format(
            response=md(row["response_id"]), customer=md(row["customer_id"])
        ),
        anchor=False,
    )
    customer_link(row["customer_id"])
    said = next((r for r in view["responses"] if r["response_id"] == row["response_id"]), None)
    if said and said["comment"]:
        st.markdown(_("**They said:** {comment}").format(comment=md(said["comment"])))
    followup_items(items, at, key="fq")


def _or_dash(value) -> str:
    return "–" if value is None else str(value)
