"""The customer grain: the single customer view, at-risk customers and promoters, and
the follow-up queue's reads (DESIGN.md, "Customer grain").

Plain functions (no streamlit) for the pages, ``cxdash query`` and the exports; the
statements are in ``queries.customers``, the writes in ``dashboard.followup``.

``T``, the day the lists are "at", is the period's last day (``Filters.date_to``) or,
for an open period, the last day with data.
"""

from __future__ import annotations

import datetime as dt
import math

import polars as pl
import sqlalchemy as sa

from dashboard import db, service
from dashboard.config import get_settings
from dashboard.followup import utc_now
from queries import customers as cq
from queries.filters import Filters

LIST_SCHEMA = {
    "customer_id": pl.String,
    "segment": pl.String,
    "region": pl.String,
    "value_at_risk": pl.Float64,
    "last_nps": pl.Int64,
    "last_nps_at": pl.Datetime("us"),
    "last_csat": pl.Int64,
    "last_csat_at": pl.Datetime("us"),
    "lapsing": pl.Boolean,
    "open_followups": pl.Int64,
}
FOLLOWUP_SCHEMA = {
    "response_id": pl.String,
    "customer_id": pl.String,
    "touchpoint": pl.String,
    "nps": pl.Int64,
    "csat": pl.Int64,
    "status": pl.String,
    "owner": pl.String,
    "due_at": pl.Datetime("us"),
    "overdue": pl.Boolean,
    "value_at_risk": pl.Float64,
    "responded_at": pl.Datetime("us"),
    "updated_at": pl.Datetime("us"),
    "updated_by": pl.String,
    "version": pl.Int64,
}
# The keys of one customer in JSON (``cxdash query customer``), in order.
CUSTOMER_JSON_KEYS = (
    "customer_id", "segment", "region", "channel", "signup_at", "clv", "orders",
    "first_purchase_at", "last_purchase_at", "stages", "responses", "followups",
)  # fmt: skip


class UnknownCustomer(LookupError):
    """No customer with that id in ``customers``."""


# -- masking --------------------------------------------------------------------------------


def mask_name(name: str | None) -> str | None:
    """``Nguyễn Thị Lan`` -> ``Ng*** T** L**``: two letters of the first word, one of
    each other word; the stars never tell how long a word is."""
    if name is None or not name.strip():
        return name
    first, *others = name.split()
    return " ".join([first[:2] + "***", *(word[:1] + "**" for word in others)])


def mask_email(email: str | None) -> str | None:
    """``lan.nguyen@acme.vn`` -> ``l***@acme.vn`` (the domain stays: it says little)."""
    if email is None or not email.strip():
        return email
    local, at, domain = email.strip().partition("@")
    return f"{local[:1]}***{at}{domain}"


def mask_phone(phone: str | None) -> str | None:
    """``0912 345 123`` -> ``09** *** 123``: the first two and the last three digits
    of the normalised number, in groups of 4, the rest and 3."""
    if phone is None or not phone.strip():
        return phone
    digits = cq.normalise_phone(phone)
    if len(digits) < 6:
        return "*" * len(digits)
    masked = digits[:2] + "*" * (len(digits) - 5) + digits[-3:]
    return f"{masked[:4]} {masked[4:-3]} {masked[-3:]}"


# -- the single customer view ---------------------------------------------------------------


def find_customer(engine: sa.Engine, text: str) -> str | None:
    """The customer whose id is ``text``, or whose e-mail or phone equals it once
    normalised (e-mail trimmed and lower case; phone digits only, +84 / 84 -> 0);
    None when nobody matches. Several matches: the id first, then e-mail, then phone,
    then the smallest customer_id."""
    if not text or not text.strip():
        return None
    found = db.fetch(cq.find_customer(text).limit(1), engine)
    return None if found.is_empty() else found["customer_id"][0]


def customer_view(
    engine: sa.Engine, customer_id: str, *, unmask: bool = False, now: dt.datetime | None = None
) -> dict:
    """Everything known about one customer.

    Returns
    -------
    dict
        customer_id, segment, region, channel, age_band, gender, income_band,
        signup_at, name, email, phone (masked unless ``unmask``), clv, orders,
        first_purchase_at, last_purchase_at, stages (dict stage -> first time, in
        funnel order), responses (list of dicts: response_id, responded_at,
        touchpoint, nps, csat, ces, comment, channel, language, sentiment,
        sentiment_source, themes; newest first),
        followups (list of dicts: response_id, touchpoint, responded_at, nps, csat,
        status, owner, due_at, overdue (at ``now``), created_at, updated_at,
        updated_by, version, first_contact_at, events -- a list of dicts event_id,
        version, changed_at, actor, from_status, to_status, owner_from, owner_to, note,
        newest first; items newest response first).

    Raises
    ------
    UnknownCustomer
        ``customer_id`` is not in ``customers``.
    """
    profile = db.fetch(cq.customer_profile(customer_id), engine)
    if profile.is_empty():
        raise UnknownCustomer(f"no customer with id {customer_id!r}")
    view = profile.row(0, named=True)
    view["clv"] = float(view["clv"] or 0.0)
    view["orders"] = int(view["orders"] or 0)
    if not unmask:
        view["name"] = mask_name(view["name"])
        view["email"] = mask_email(view["email"])
        view["phone"] = mask_phone(view["phone"])
    stages = db.fetch(cq.customer_stages(customer_id), engine)
    view["stages"] = dict(zip(stages["stage"].to_list(), stages["first_at"].to_list(), strict=True))
    view["responses"] = db.fetch(cq.customer_responses(customer_id), engine).to_dicts()
    items = db.fetch(cq.customer_followups(customer_id, now or utc_now()), engine).to_dicts()
    log = db.fetch(cq.customer_followup_events(customer_id), engine).to_dicts()
    for item in items:
        item["overdue"] = bool(item["overdue"])
        item["events"] = [
            {k: v for k, v in event.items() if k != "response_id"}
            for event in log
            if event["response_id"] == item["response_id"]
        ]
    view["followups"] = items
    return view


def followup_history(engine: sa.Engine, response_id: str) -> pl.DataFrame:
    """One item's event log, newest first: event_id, response_id, version, changed_at,
    actor, from_status, to_status, owner_from, owner_to, note."""
    return db.fetch(cq.followup_history(response_id), engine)


def _json_value(value):
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {k: _json_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_value(v) for v in value]
    return value


def customer_json(view: dict) -> dict:
    """The view as ``cxdash query customer --format json`` prints it: the keys of
    ``CUSTOMER_JSON_KEYS`` (no contact details), timestamps ISO 8601, missing null.
    Ready for ``json.dumps``."""
    return {key: _json_value(view.get(key)) for key in CUSTOMER_JSON_KEYS}


# -- at-risk customers and promoters --------------------------------------------------------


def as_of(engine: sa.Engine, f: Filters) -> dt.date | None:
    """``T``: the period's last day, or the last day with data when the period is open
    (None for an empty store)."""
    return f.date_to or service.data_range(engine)[1]


def _window_days(window_days: int | None) -> int:
    return get_settings().risk_window_days if window_days is None else window_days


def _typed(frame: pl.DataFrame, schema: dict) -> pl.DataFrame:
    """Same dtypes on every backend (SQLite gives 0/1 for booleans, empty results give
    Null columns)."""
    if frame.is_empty():
        return pl.DataFrame(schema=schema)
    return frame.select(pl.col(name).cast(dtype, strict=False) for name, dtype in schema.items())


def _customer_list(
    engine: sa.Engine,
    kind: str,
    f: Filters,
    sort: str,
    descending: bool,
    limit: int,
    offset: int,
    window_days: int | None,
) -> pl.DataFrame:
    day = as_of(engine, f)
    if day is None:
        return pl.DataFrame(schema=LIST_SCHEMA)
    statement = cq.customer_list(
        kind, f, day, _window_days(window_days),
        sort=sort, descending=descending, limit=limit, offset=offset,
    )  # fmt: skip
    return _typed(db.fetch(statement, engine), LIST_SCHEMA)


def at_risk(
    engine: sa.Engine,
    f: Filters,
    *,
    sort: str = "value_at_risk",
    descending: bool = True,
    limit: int = 50,
    offset: int = 0,
    window_days: int | None = None,
) -> pl.DataFrame:
    """A page of the at-risk customers at ``T`` (see :func:`as_of`), ranked by value at
    risk then customer_id unless ``sort`` (any column) says otherwise.

    Returns columns: customer_id, segment, region, value_at_risk, last_nps,
    last_nps_at, last_csat, last_csat_at, lapsing, open_followups.
    """
    return _customer_list(engine, "at_risk", f, sort, descending, limit, offset, window_days)


def promoters(
    engine: sa.Engine,
    f: Filters,
    *,
    sort: str = "value_at_risk",
    descending: bool = True,
    limit: int = 50,
    offset: int = 0,
    window_days: int | None = None,
) -> pl.DataFrame:
    """A page of the promoters at ``T``; columns as :func:`at_risk`."""
    return _customer_list(engine, "promoters", f, sort, descending, limit, offset, window_days)


def _totals(engine: sa.Engine, kind: str, f: Filters, window_days: int | None) -> tuple[int, float]:
    day = as_of(engine, f)
    if day is None:
        return 0, 0.0
    row = db.fetch(cq.customer_list_totals(kind, f, day, _window_days(window_days)), engine)
    return int(row["n"][0]), float(row["value_at_risk"][0] or 0.0)


def _count(engine: sa.Engine, kind: str, f: Filters, window_days: int | None) -> int:
    day = as_of(engine, f)
    if day is None:
        return 0
    return int(
        db.fetch(cq.customer_list_count(kind, f, day, _window_days(window_days)), engine)["n"][0]
    )


def at_risk_count(engine: sa.Engine, f: Filters, *, window_days: int | None = None) -> int:
    """How many customers :func:`at_risk` pages through."""
    return _count(engine, "at_risk", f, window_days)


def promoters_count(engine: sa.Engine, f: Filters, *, window_days: int | None = None) -> int:
    """How many customers :func:`promoters` pages through."""
    return _count(engine, "promoters", f, window_days)


def risk_headline(
    engine: sa.Engine, f: Filters, *, window_days: int | None = None
) -> tuple[int, float]:
    """(number of at-risk customers, their summed value at risk) for the Overview's
    "N customers at risk, worth X ₫ in the last 12 months"."""
    return _totals(engine, "at_risk", f, window_days)


def list_totals(
    engine: sa.Engine, kind: str, f: Filters, *, window_days: int | None = None
) -> tuple[int, float]:
    """(customers, summed value at risk) of the list ``kind`` ('at_risk' or
    'promoters') at ``T``: the lists page's headline."""
    if kind not in cq.LIST_KINDS:
        raise ValueError(f"list must be one of {', '.join(cq.LIST_KINDS)}, not {kind!r}")
    return _totals(engine, kind, f, window_days)


# -- the follow-up queue --------------------------------------------------------------------


def followup_list(
    engine: sa.Engine,
    f: Filters,
    *,
    status: str | tuple[str, ...] | None = None,
    owner: str | None = None,
    overdue: bool | None = None,
    sort: str = "due_at",
    descending: bool = False,
    limit: int = 50,
    offset: int = 0,
    now: dt.datetime | None = None,
) -> pl.DataFrame:
    """A page of the follow-up queue: items whose response lies in the period, within
    the filters (touchpoint, survey channel, customer dimensions), narrowed by
    ``status``, ``owner`` (``queries.customers.UNASSIGNED`` for nobody) and
    ``overdue`` (at ``now``, default the current UTC time). Most urgent first unless
    ``sort`` says otherwise.

    Returns columns: response_id, customer_id, touchpoint, nps, csat, status, owner,
    due_at, overdue, value_at_risk (revenue in the 365 days ending at ``T``),
    responded_at, updated_at, updated_by, version (what ``followup.change`` expects).
    """
    day = as_of(engine, f)
    if day is None:
        return pl.DataFrame(schema=FOLLOWUP_SCHEMA)
    statement = cq.followup_list(
        f, day, now or utc_now(), status=status, owner=owner, overdue=overdue,
        sort=sort, descending=descending, limit=limit, offset=offset,
    )  # fmt: skip
    return _typed(db.fetch(statement, engine), FOLLOWUP_SCHEMA)


def followup_count(
    engine: sa.Engine,
    f: Filters,
    *,
    status: str | tuple[str, ...] | None = None,
    owner: str | None = None,
    overdue: bool | None = None,
    now: dt.datetime | None = None,
) -> int:
    """How many items :func:`followup_list` pages through."""
    statement = cq.followup_count(f, now or utc_now(), status=status, owner=owner, overdue=overdue)
    return int(db.fetch(statement, engine)["n"][0])


def followup_owners(engine: sa.Engine) -> list[str]:
    """Everyone who owns an item, for the owner filter and the assign box."""
    return db.fetch(cq.followup_owners(), engine)["owner"].to_list()


def queue_kpis(engine: sa.Engine, f: Filters, now: dt.datetime | None = None) -> dict:
    """The queue's KPIs over the items :func:`followup_list` would show unfiltered by
    status, owner and overdue: items, open, overdue (at ``now``), contacted,
    median_hours_to_first_contact (None without contacts), resolved, share_resolved
    (0-100, None without items)."""
    row = db.fetch(cq.queue_kpis(f, now or utc_now()), engine).row(0, named=True)
    out = {k: int(row[k] or 0) for k in ("items", "open", "overdue", "contacted", "resolved")}
    for key in ("median_hours_to_first_contact", "share_resolved"):
        out[key] = None if row[key] is None else float(row[key])
    return out
