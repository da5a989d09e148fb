"""Statements at the customer grain: the single customer view, at-risk customers and
promoters, and the follow-up queue (DESIGN.md, "Customer grain").

Builds statements only; ``dashboard.customers`` and ``dashboard.followup`` run them.

Decisions the definitions leave open, taken once here:

- ``T`` is a date (the period's last day); "the N days ending at T" is
  ``[T + 1 day - N days 00:00, T + 1 day 00:00)``, like every period.
- **Historical CLV** ("revenue per customer since signup") is the sum of the amounts of
  the customer's transactions at or after ``signup_at``; when ``signup_at`` is unknown,
  of all of them (the whole relationship is then "since signup"). ``orders``, the first
  and the last transaction count every transaction, before signup included.
- **Latest** response: per customer, the newest by ``responded_at``; two responses at
  the same instant are ordered by ``response_id`` (the smaller counts as the latest), so
  the answer never depends on the engine. The latest NPS response at or before ``T``
  lies within the window exactly when the latest NPS response *within the window*
  exists, so the lists only read the window's responses. ``last_nps`` / ``last_csat``
  (and their times) are the latest within the window, NULL when there is none.
- The lists honour every global filter but the period's start: dimension filters
  select customers, touchpoint and survey-channel filters select the responses that
  count as "latest" (so "Delivery" lists customers whose latest *Delivery* response
  is a detractor); value at risk is always all of the customer's revenue.
- **Lapsing** at ``T``: >= 3 transactions at or before ``T`` (``occurred_at < T + 1
  day``) and the time from the last one to the end of ``T`` (``T + 1 day 00:00``)
  exceeds twice the median gap between consecutive transactions, all in seconds (so
  days are fractional). Transactions at the same instant are a gap of 0.
- A follow-up item's clock runs from the response: ``due_at = responded_at + SLA``
  and hours to first contact = ``first_contact_at - responded_at``.
"""

from __future__ import annotations

import datetime as dt
import re

import sqlalchemy as sa

from queries.common import customer_conditions, in_period
from queries.dialect import add_hours, bytewise, digits_only, median, seconds_between
from queries.filters import Filters
from queries.schema import (
    FOLLOWUP_STATUSES,
    comment_facts,
    customers,
    events,
    feedback,
    followup_events,
    followups,
    import_log,
    stages,
)

VALUE_DAYS = 365  # value at risk: revenue in the 365 days ending at T
LIST_KINDS = ("at_risk", "promoters")
LIST_COLUMNS = (
    "customer_id", "segment", "region", "value_at_risk", "last_nps", "last_nps_at",
    "last_csat", "last_csat_at", "lapsing", "open_followups",
)  # fmt: skip
OPEN_STATUSES = ("new", "contacted")
MIN_PHONE_DIGITS = 6  # fewer digits than this is not a phone number to look up
UNASSIGNED = "(unassigned)"  # owner filter value selecting items nobody owns
FOLLOWUP_COLUMNS = (
    "response_id", "customer_id", "touchpoint", "nps", "csat", "status", "owner", "due_at",
    "overdue", "value_at_risk",
)  # fmt: skip
FOLLOWUP_EXTRA_COLUMNS = ("responded_at", "updated_at", "updated_by", "version")
FOLLOWUP_SORTS = (*FOLLOWUP_COLUMNS, *FOLLOWUP_EXTRA_COLUMNS)


# -- time bounds ----------------------------------------------------------------------------


def end_of(as_of: dt.date) -> dt.datetime:
    """``T + 1 day`` at 00:00: the exclusive end of the day ``as_of``."""
    return dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time())


def days_ending_at(as_of: dt.date, days: int) -> tuple[dt.datetime, dt.datetime]:
    """``[start, end)`` of "the ``days`` days ending at ``as_of``" (whole days)."""
    if days < 1:
        raise ValueError(f"a window needs at least one day, got {days}")
    end = end_of(as_of)
    return end - dt.timedelta(days=days), end


# A CTE read more than once is computed once: DuckDB would otherwise re-run the
# ranking of the window's responses for every reference (PostgreSQL >= 12 and SQLite
# >= 3.35 accept the keyword too).
_MATERIALIZED = "MATERIALIZED"


def _timestamp(name: str, value: dt.datetime) -> sa.BindParameter:
    return sa.bindparam(name, value, type_=sa.DateTime)


# -- normalised contact details -------------------------------------------------------------


def normalise_email(text: str) -> str:
    """Trimmed, lower case: what stored e-mails are compared with."""
    return text.strip().lower()


def normalise_phone(text: str) -> str:
    """Digits only; an international prefix 84 / +84 / 0084 becomes the trunk 0.

    Mirrors :func:`_stored_phone` (the same rule applied to stored numbers in SQL).
    """
    digits = re.sub(r"[^0-9]", "", text)
    if digits.startswith("0084"):
        digits = digits[2:]
    return "0" + digits[2:] if digits.startswith("84") else digits


def _stored_email() -> sa.ColumnElement[str]:
    return sa.func.lower(sa.func.trim(customers.c.email))


def _stored_phone() -> sa.ColumnElement[str]:
    digits = digits_only(customers.c.phone)
    without_00 = sa.case(
        (digits.like("0084%"), sa.func.substr(digits, 3)),
        else_=digits,
    )
    return sa.case(
        (without_00.like("84%"), sa.literal("0") + sa.func.substr(without_00, 3)),
        else_=without_00,
    )


def find_customer(text: str) -> sa.Select:
    """Customers whose id equals ``text`` (trimmed), or whose e-mail or phone equals it
    once both sides are normalised; the id match first, then e-mail, then phone.

    Columns: customer_id, matched_by ('id', 'email' or 'phone'). Input without '@'
    is not compared with e-mails; input with fewer than ``MIN_PHONE_DIGITS`` digits
    is not compared with phones.
    """
    raw = text.strip()
    c = customers.c
    rules: list[tuple[str, sa.ColumnElement[bool]]] = [("id", c.customer_id == raw)]
    if "@" in raw:
        rules.append(("email", _stored_email() == sa.bindparam("email", normalise_email(raw))))
    phone = normalise_phone(raw)
    if len(phone) >= MIN_PHONE_DIGITS:
        rules.append(("phone", _stored_phone() == sa.bindparam("phone", phone)))
    rank = sa.case(*((cond, i) for i, (_, cond) in enumerate(rules)), else_=len(rules))
    matched_by = sa.case(*((cond, name) for name, cond in rules), else_=None)
    return (
        sa.select(c.customer_id, matched_by.label("matched_by"))
        .where(sa.or_(*(cond for _, cond in rules)))
        .order_by(rank, c.customer_id)
    )


# -- the single customer view ---------------------------------------------------------------


def customer_profile(customer_id: str) -> sa.Select:
    """One row for a known customer, none for an unknown one.

    Columns: customer_id, segment, region, channel, age_band, gender, income_band,
    signup_at, name, email, phone (raw: masking is the caller's), clv (0 without
    transactions), orders, first_purchase_at, last_purchase_at.
    """
    c, ev = customers.c, events.c
    key = sa.bindparam("customer_id", customer_id)
    since_signup = sa.or_(c.signup_at.is_(None), ev.occurred_at >= c.signup_at)
    purchases = (
        sa.select(
            sa.func.coalesce(sa.func.sum(sa.case((since_signup, ev.amount))), 0.0).label("clv"),
            sa.func.count(ev.amount).label("orders"),
            sa.func.min(ev.occurred_at).label("first_purchase_at"),
            sa.func.max(ev.occurred_at).label("last_purchase_at"),
        )
        .select_from(events.join(customers, c.customer_id == ev.customer_id))
        .where(ev.customer_id == key, ev.amount.is_not(None))
        .subquery("purchases")
    )
    return (
        sa.select(*customers.c, *purchases.c)
        .select_from(customers.join(purchases, sa.true()))
        .where(c.customer_id == key)
    )


def customer_stages(customer_id: str) -> sa.Select:
    """The funnel stages the customer reached, in funnel order (stages missing from the
    stages table last), each with its first time.

    Columns: stage, position (NULL when not in the stages table), first_at.
    """
    ev = events.c
    first_at = sa.func.min(ev.occurred_at)
    return (
        sa.select(ev.stage, stages.c.position, first_at.label("first_at"))
        .select_from(events.outerjoin(stages, stages.c.stage == ev.stage))
        .where(ev.customer_id == sa.bindparam("customer_id", customer_id))
        .group_by(ev.stage, stages.c.position)
        .order_by(stages.c.position.asc().nulls_last(), first_at, ev.stage)
    )


def customer_responses(customer_id: str) -> sa.Select:
    """Every response of the customer, newest first, with its comment's analysis.

    Columns: response_id, responded_at, touchpoint, nps, csat, ces, comment, channel
    (survey channel), language, sentiment, sentiment_source (label | model | baseline),
    themes (';'-joined theme ids) -- the last three NULL without an analysed comment.
    """
    fb, cf = feedback.c, comment_facts.c
    return (
        sa.select(
            fb.response_id,
            fb.responded_at,
            fb.touchpoint,
            fb.nps,
            fb.csat,
            fb.ces,
            fb.comment,
            fb.channel,
            fb.language,
            cf.sentiment,
            cf.sentiment_source,
            cf.themes,
        )  # fmt: skip
        .select_from(feedback.outerjoin(comment_facts, cf.response_id == fb.response_id))
        .where(fb.customer_id == sa.bindparam("customer_id", customer_id))
        .order_by(fb.responded_at.desc(), fb.response_id)
    )


def _overdue(now: sa.BindParameter) -> sa.ColumnElement[bool]:
    fu = followups.c
    return sa.and_(fu.status.in_(OPEN_STATUSES), now > fu.due_at)


def _overdue_flag(now: sa.BindParameter) -> sa.ColumnElement[bool]:
    return sa.case((_overdue(now), sa.true()), else_=sa.false())


def customer_followups(customer_id: str, now: dt.datetime) -> sa.Select:
    """The customer's follow-up items, newest response first.

    Columns: response_id, touchpoint, responded_at, nps, csat, status, owner, due_at,
    overdue (at ``now``), created_at, updated_at, updated_by, version, first_contact_at.
    """
    fu = followups.c
    return (
        sa.select(
            fu.response_id,
            fu.touchpoint,
            fu.responded_at,
            fu.nps,
            fu.csat,
            fu.status,
            fu.owner,
            fu.due_at,
            _overdue_flag(_timestamp("now", now)).label("overdue"),
            fu.created_at,
            fu.updated_at,
            fu.updated_by,
            fu.version,
            fu.first_contact_at,
        )  # fmt: skip
        .where(fu.customer_id == sa.bindparam("customer_id", customer_id))
        .order_by(fu.responded_at.desc(), fu.response_id)
    )


EVENT_COLUMNS = (
    "event_id", "response_id", "version", "changed_at", "actor", "from_status", "to_status",
    "owner_from", "owner_to", "note",
)  # fmt: skip


def customer_followup_events(customer_id: str) -> sa.Select:
    """The event log of every follow-up item of the customer, newest first per item.

    Columns: event_id, response_id, version, changed_at, actor, from_status, to_status,
    owner_from, owner_to, note.
    """
    ev = followup_events.c
    mine = sa.select(followups.c.response_id).where(
        followups.c.customer_id == sa.bindparam("customer_id", customer_id)
    )
    return (
        sa.select(*(ev[name] for name in EVENT_COLUMNS))
        .where(ev.response_id.in_(mine))
        .order_by(ev.response_id, ev.version.desc())
    )


def followup_history(response_id: str) -> sa.Select:
    """One item's event log, newest first (columns as :func:`customer_followup_events`)."""
    ev = followup_events.c
    return (
        sa.select(*(ev[name] for name in EVENT_COLUMNS))
        .where(ev.response_id == sa.bindparam("response_id", response_id))
        .order_by(ev.version.desc())
    )


# -- at-risk customers and promoters --------------------------------------------------------


def _response_conditions(f: Filters) -> list[sa.ColumnElement[bool]]:
    """The global filters on feedback other than the period (touchpoint, survey channel)."""
    fb = feedback.c
    conditions = []
    if f.touchpoint:
        conditions.append(fb.touchpoint.in_(f.touchpoint))
    if f.survey_channel:
        conditions.append(fb.channel.in_(f.survey_channel))
    return conditions


def _latest_scores(f: Filters, start: sa.BindParameter, end: sa.BindParameter) -> sa.Select:
    """Per customer id with a scored response in ``[start, end)``: the latest NPS and
    the latest CSAT of that window and when they were given (whether the customer is
    known is the caller's join).

    One scan of the window's responses: each response gets its rank among the
    customer's NPS responses and among their CSAT responses (unscored ones sort last).
    Customers are joined here only to apply dimension filters (fewer rows to rank).
    """
    fb, c = feedback.c, customers.c

    def rank(score: sa.ColumnElement) -> sa.ColumnElement[int]:
        unscored_last = sa.case((score.is_(None), 1), else_=0)
        return sa.func.row_number().over(
            partition_by=bytewise(fb.customer_id),
            order_by=(unscored_last, fb.responded_at.desc(), bytewise(fb.response_id)),
        )

    source = feedback
    if f.has_dimension_filter:
        source = feedback.join(customers, c.customer_id == fb.customer_id)
    ranked = (
        sa.select(
            fb.customer_id,
            fb.nps,
            fb.csat,
            fb.responded_at,
            rank(fb.nps).label("nps_rank"),
            rank(fb.csat).label("csat_rank"),
        )  # fmt: skip
        .select_from(source)
        .where(
            fb.responded_at >= start,
            fb.responded_at < end,
            fb.customer_id.is_not(None),
            sa.or_(fb.nps.is_not(None), fb.csat.is_not(None)),
            *customer_conditions(f),
            *_response_conditions(f),
        )
        .subquery("ranked")
    )
    r = ranked.c

    def latest(value: sa.ColumnElement, rank_column: sa.ColumnElement, score) -> sa.Function:
        return sa.func.max(sa.case((sa.and_(rank_column == 1, score.is_not(None)), value)))

    return (
        sa.select(
            r.customer_id,
            latest(r.nps, r.nps_rank, r.nps).label("last_nps"),
            latest(r.responded_at, r.nps_rank, r.nps).label("last_nps_at"),
            latest(r.csat, r.csat_rank, r.csat).label("last_csat"),
            latest(r.responded_at, r.csat_rank, r.csat).label("last_csat_at"),
        )
        .where(sa.or_(r.nps_rank == 1, r.csat_rank == 1))
        .group_by(r.customer_id)
    )


def _kind_condition(kind: str, latest: sa.Subquery) -> sa.ColumnElement[bool]:
    if kind == "at_risk":
        return sa.or_(latest.c.last_nps <= 6, latest.c.last_csat <= 2)
    if kind == "promoters":
        return latest.c.last_nps >= 9
    raise ValueError(f"list must be one of {', '.join(LIST_KINDS)}, not {kind!r}")


def _listed(kind: str, f: Filters, as_of: dt.date, window_days: int) -> sa.CTE:
    """The listed customers with their latest scores (no value yet)."""
    start, end = days_ending_at(as_of, window_days)
    latest = _latest_scores(
        f, _timestamp("window_start", start), _timestamp("as_of_end", end)
    ).subquery("latest")
    l_, c = latest.c, customers.c
    # Only known customers are listed: the join comes after the ranking, on the few
    # customers whose latest scores qualify.
    return (
        sa.select(
            l_.customer_id,
            c.segment,
            c.region,
            l_.last_nps,
            l_.last_nps_at,
            l_.last_csat,
            l_.last_csat_at,
        )  # fmt: skip
        .select_from(latest.join(customers, c.customer_id == l_.customer_id))
        .where(_kind_condition(kind, latest))
        .cte("listed")
        .prefix_with(_MATERIALIZED)
    )


def _among(customer_id: sa.ColumnElement, who: sa.FromClause) -> sa.ColumnElement[bool]:
    """``customer_id`` is one of ``who``'s (a semi-join: ``who`` may list a customer
    twice, e.g. a page of follow-up items, without multiplying their rows)."""
    return customer_id.in_(sa.select(who.c.customer_id))


def _revenue(who: sa.FromClause, as_of: dt.date, name: str) -> sa.Subquery:
    """Per customer of ``who`` (anything with a customer_id column): revenue in the 365
    days ending at ``as_of`` (customers without any are missing: coalesce to 0)."""
    ev = events.c
    start, end = days_ending_at(as_of, VALUE_DAYS)
    return (
        sa.select(ev.customer_id, sa.func.sum(ev.amount).label("value_at_risk"))
        .where(
            _among(ev.customer_id, who),
            ev.amount.is_not(None),
            ev.occurred_at >= _timestamp("value_start", start),
            ev.occurred_at < _timestamp("value_end", end),
        )
        .group_by(ev.customer_id)
        .subquery(name)
    )


def _open_items(who: sa.FromClause) -> sa.Subquery:
    fu = followups.c
    return (
        sa.select(fu.customer_id, sa.func.count().label("open_followups"))
        .where(_among(fu.customer_id, who), fu.status.in_(OPEN_STATUSES))
        .group_by(fu.customer_id)
        .subquery("open_items")
    )


def _lapsing(who: sa.FromClause, as_of: dt.date) -> sa.Subquery:
    """Per customer of ``who`` with a transaction at or before ``as_of``: ``lapsing``.

    The median of the gaps ignores the first transaction's NULL gap on every engine.
    """
    ev = events.c
    end = _timestamp("as_of_end", end_of(as_of))
    previous = sa.func.lag(ev.occurred_at).over(
        partition_by=ev.customer_id, order_by=ev.occurred_at
    )
    history = (
        sa.select(ev.customer_id, ev.occurred_at, previous.label("previous_at"))
        .where(_among(ev.customer_id, who), ev.amount.is_not(None), ev.occurred_at < end)
        .subquery("history")
    )
    h = history.c
    quiet = seconds_between(sa.func.max(h.occurred_at), end)
    usual_gap = median(seconds_between(h.previous_at, h.occurred_at))
    flag = sa.case(
        (sa.and_(sa.func.count() >= 3, quiet > 2 * usual_gap), sa.true()), else_=sa.false()
    )
    return sa.select(h.customer_id, flag.label("lapsing")).group_by(h.customer_id).subquery("lapse")


def _check_sort(sort: str, allowed: tuple[str, ...]) -> None:
    if sort not in allowed:
        raise ValueError(f"cannot sort by {sort!r}; choose one of {', '.join(allowed)}")


def _order(columns, sort: str, descending: bool, tie_breaks) -> list:
    first = columns[sort].desc() if descending else columns[sort].asc()
    return [first.nulls_last(), *tie_breaks]


def customer_list(
    kind: str,
    f: Filters,
    as_of: dt.date,
    window_days: int,
    *,
    sort: str = "value_at_risk",
    descending: bool = True,
    limit: int = 50,
    offset: int = 0,
) -> sa.Select:
    """A page of the at-risk customers (``kind='at_risk'``) or promoters at ``as_of``.

    Ranked by ``sort`` (any of ``LIST_COLUMNS``; NULLs last), then value at risk
    (largest first), then customer_id. Columns: ``LIST_COLUMNS`` -- customer_id,
    segment, region, value_at_risk, last_nps, last_nps_at, last_csat, last_csat_at,
    lapsing, open_followups (the customer's items that are new or contacted now,
    whatever their response's date).

    The lapsing flag needs each customer's whole purchase history, so unless the page
    is sorted by it, it is computed for the page's customers only.
    """
    _check_sort(sort, LIST_COLUMNS)
    listed = _listed(kind, f, as_of, window_days)
    value = _revenue(listed, as_of, "value")
    items = _open_items(listed)
    l_ = listed.c
    valued = (
        sa.select(
            *l_,
            sa.func.coalesce(value.c.value_at_risk, 0.0).label("value_at_risk"),
            sa.func.coalesce(items.c.open_followups, 0).label("open_followups"),
        )
        .select_from(
            listed.outerjoin(value, value.c.customer_id == l_.customer_id).outerjoin(
                items, items.c.customer_id == l_.customer_id
            )
        )
        .cte("valued")
        .prefix_with(_MATERIALIZED)
    )
    if sort == "lapsing":
        paged_from, page_size = valued, None
    else:
        v = valued.c
        ordered = _order(v, sort, descending, (v.value_at_risk.desc(), v.customer_id))
        paged_from = (
            sa.select(*v)
            .order_by(*ordered)
            .limit(sa.bindparam("limit", limit))
            .offset(sa.bindparam("offset", offset))
            .cte("page")
            .prefix_with(_MATERIALIZED)
        )
        page_size = limit
    lapse = _lapsing(paged_from, as_of)
    p = paged_from.c
    lapsing = sa.func.coalesce(lapse.c.lapsing, sa.false()).label("lapsing")
    columns = {name: p[name] for name in LIST_COLUMNS if name != "lapsing"} | {"lapsing": lapsing}
    statement = (
        sa.select(*(columns[name] for name in LIST_COLUMNS))
        .select_from(paged_from.outerjoin(lapse, lapse.c.customer_id == p.customer_id))
        .order_by(*_order(columns, sort, descending, (p.value_at_risk.desc(), p.customer_id)))
    )
    if page_size is None:
        statement = statement.limit(sa.bindparam("limit", limit)).offset(
            sa.bindparam("offset", offset)
        )
    return statement


def customer_list_count(kind: str, f: Filters, as_of: dt.date, window_days: int) -> sa.Select:
    """One row, column ``n``: how many customers :func:`customer_list` pages through
    (no revenue needed: only the window's responses are read)."""
    listed = _listed(kind, f, as_of, window_days)
    return sa.select(sa.func.count().label("n")).select_from(listed)


def customer_list_totals(kind: str, f: Filters, as_of: dt.date, window_days: int) -> sa.Select:
    """One row: ``n`` (how many customers :func:`customer_list` pages through) and
    ``value_at_risk`` (their summed value at risk; 0 when none)."""
    listed = _listed(kind, f, as_of, window_days)
    value = _revenue(listed, as_of, "value")
    return sa.select(
        sa.func.count().label("n"),
        sa.func.coalesce(sa.func.sum(value.c.value_at_risk), 0.0).label("value_at_risk"),
    ).select_from(listed.outerjoin(value, value.c.customer_id == listed.c.customer_id))


# -- follow-up items ------------------------------------------------------------------------


def followup_candidates() -> sa.Select:
    """Responses that call for a follow-up and have none yet: a known customer and NPS
    0-6 or CSAT 1-2 (anonymous and orphan responses never qualify).

    Columns: response_id, customer_id, touchpoint, responded_at, nps, csat.
    """
    fb = feedback.c
    has_item = sa.exists().where(followups.c.response_id == fb.response_id)
    return (
        sa.select(fb.response_id, fb.customer_id, fb.touchpoint, fb.responded_at, fb.nps, fb.csat)
        .select_from(feedback.join(customers, customers.c.customer_id == fb.customer_id))
        .where(sa.or_(fb.nps <= 6, fb.csat <= 2), ~has_item)
    )


def sync_followups(now: dt.datetime, sla_hours: int, actor: str) -> sa.Insert:
    """Create the missing items (status 'new', version 1) in one INSERT ... SELECT.

    Idempotent: responses that already have an item are skipped, so running it again,
    or after a re-import of the same responses, creates nothing. Its rowcount is the
    number of items created. Follow it with :func:`log_created` in the same transaction.
    """
    candidates = followup_candidates().subquery("candidates")
    k = candidates.c
    stamp = _timestamp("now", now)
    who = sa.bindparam("actor", actor, type_=sa.String)
    due_at = add_hours(k.responded_at, sa.bindparam("sla_hours", sla_hours))
    select = sa.select(
        k.response_id, k.customer_id, k.touchpoint, k.responded_at, k.nps, k.csat,
        sa.literal("new", sa.String), due_at, stamp, stamp, who, sa.literal(1, sa.Integer),
    )  # fmt: skip
    return followups.insert().from_select(
        [
            "response_id", "customer_id", "touchpoint", "responded_at", "nps", "csat",
            "status", "due_at", "created_at", "updated_at", "updated_by", "version",
        ],
        select,
    )  # fmt: skip


def log_created(now: dt.datetime, actor: str) -> sa.Insert:
    """The creation event (version 1, to 'new') of every item :func:`sync_followups`
    created with the same ``now`` and no event yet."""
    fu, ev = followups.c, followup_events.c
    logged = sa.exists().where(ev.response_id == fu.response_id)
    select = sa.select(
        fu.response_id + sa.literal("#1"), fu.response_id, fu.version, fu.created_at,
        fu.updated_by, fu.status,
    ).where(fu.created_at == _timestamp("now", now), fu.version == 1, ~logged)  # fmt: skip
    return followup_events.insert().from_select(
        ["event_id", "response_id", "version", "changed_at", "actor", "to_status"], select
    )


def followup_state(response_id: str) -> sa.Select:
    """One item's current state (no row when there is no such item).

    Columns: response_id, status, owner, version, updated_at, updated_by, first_contact_at.
    """
    fu = followups.c
    return sa.select(
        fu.response_id, fu.status, fu.owner, fu.version, fu.updated_at, fu.updated_by,
        fu.first_contact_at,
    ).where(fu.response_id == sa.bindparam("response_id", response_id))  # fmt: skip


def update_followup(
    response_id: str,
    expected_version: int,
    *,
    status: str,
    owner: str | None,
    at: dt.datetime,
    actor: str,
) -> sa.Update:
    """Set status and owner, stamp who and when, bump the version -- only if the item
    still has ``expected_version`` (rowcount 0 means someone changed it meanwhile).
    The first change to 'contacted' records ``first_contact_at``."""
    fu = followups.c
    stamp = _timestamp("at", at)
    first_contact = (
        sa.func.coalesce(fu.first_contact_at, stamp)
        if status == "contacted"
        else fu.first_contact_at
    )
    return (
        followups.update()
        .where(
            fu.response_id == sa.bindparam("key", response_id),
            fu.version == sa.bindparam("expected_version", expected_version),
        )
        .values(
            status=status,
            owner=owner,
            updated_at=stamp,
            updated_by=actor,
            version=fu.version + 1,
            first_contact_at=first_contact,
        )
    )


def log_change(
    response_id: str,
    version: int,
    *,
    at: dt.datetime,
    actor: str,
    from_status: str | None,
    to_status: str,
    owner_from: str | None,
    owner_to: str | None,
    note: str | None,
) -> sa.Insert:
    """The event that produced ``version`` of the item (its key forbids a second one)."""
    return followup_events.insert().values(
        event_id=f"{response_id}#{version}",
        response_id=response_id,
        version=version,
        changed_at=at,
        actor=actor,
        from_status=from_status,
        to_status=to_status,
        owner_from=owner_from,
        owner_to=owner_to,
        note=note,
    )


def _followup_conditions(
    f: Filters,
    now: sa.BindParameter,
    status: tuple[str, ...],
    owner: str | None,
    overdue: bool | None,
) -> list[sa.ColumnElement[bool]]:
    fu = followups.c
    conditions = in_period(fu.responded_at, f)
    if f.touchpoint:
        conditions.append(fu.touchpoint.in_(f.touchpoint))
    if f.has_dimension_filter:
        chosen = sa.select(customers.c.customer_id).where(*customer_conditions(f))
        conditions.append(fu.customer_id.in_(chosen))
    if f.survey_channel:
        fb = feedback.c
        chosen = sa.select(fb.response_id).where(fb.channel.in_(f.survey_channel))
        conditions.append(fu.response_id.in_(chosen))
    unknown = [s for s in status if s not in FOLLOWUP_STATUSES]
    if unknown:
        raise ValueError(
            f"unknown status {unknown[0]!r}; choose from {', '.join(FOLLOWUP_STATUSES)}"
        )
    if status:
        conditions.append(fu.status.in_(status))
    if owner == UNASSIGNED:
        conditions.append(fu.owner.is_(None))
    elif owner:
        conditions.append(fu.owner == owner)
    if overdue is not None:
        conditions.append(_overdue(now) if overdue else sa.not_(_overdue(now)))
    return conditions


def _statuses(status: str | tuple[str, ...] | None) -> tuple[str, ...]:
    if status is None:
        return ()
    return (status,) if isinstance(status, str) else tuple(status)


def followup_list(
    f: Filters,
    as_of: dt.date,
    now: dt.datetime,
    *,
    status: str | tuple[str, ...] | None = None,
    owner: str | None = None,
    overdue: bool | None = None,
    sort: str = "due_at",
    descending: bool = False,
    limit: int = 50,
    offset: int = 0,
) -> sa.Select:
    """A page of the follow-up queue.

    Items whose response lies in the period, of the touchpoints, survey channels and
    customers the filters select; ``status`` (one or several), ``owner``
    (``UNASSIGNED`` for none) and ``overdue`` (at ``now``; True / False / None = both)
    narrow it. Sorted by ``sort`` (one of ``FOLLOWUP_SORTS``, NULLs last), then
    due_at, then response_id. ``value_at_risk`` is the customer's revenue in the 365
    days ending at ``as_of``; computed for the page only unless the page is sorted
    by it.

    Columns: response_id, customer_id, touchpoint, nps, csat, status, owner, due_at,
    overdue, value_at_risk, responded_at, updated_at, updated_by, version.
    """
    _check_sort(sort, FOLLOWUP_SORTS)
    fu = followups.c
    stamp = _timestamp("now", now)
    base_columns = {
        name: fu[name] for name in FOLLOWUP_SORTS if name not in {"overdue", "value_at_risk"}
    }
    items = (
        sa.select(*base_columns.values(), _overdue_flag(stamp).label("overdue"))
        .where(*_followup_conditions(f, stamp, _statuses(status), owner, overdue))
        .cte("items")
    )

    def ordered(source) -> list:
        c = source.c
        columns = {name: c[name] for name in FOLLOWUP_SORTS if name in c}
        return _order(columns, sort, descending, (c.due_at, c.response_id))

    def with_value(source: sa.CTE) -> sa.Select:
        value = _revenue(source, as_of, "value")
        c = source.c
        value_at_risk = sa.func.coalesce(value.c.value_at_risk, 0.0).label("value_at_risk")
        return sa.select(
            *(c[name] for name in FOLLOWUP_COLUMNS if name != "value_at_risk"),
            value_at_risk,
            *(c[name] for name in FOLLOWUP_EXTRA_COLUMNS),
        ).select_from(source.outerjoin(value, value.c.customer_id == c.customer_id))

    limit_param, offset_param = sa.bindparam("limit", limit), sa.bindparam("offset", offset)
    if sort == "value_at_risk":
        everything = with_value(items).subquery("everything")
        return (
            sa.select(*everything.c)
            .order_by(*ordered(everything))
            .limit(limit_param)
            .offset(offset_param)
        )
    page = (
        sa.select(*items.c)
        .order_by(*ordered(items))
        .limit(limit_param)
        .offset(offset_param)
        .cte("page")
        .prefix_with(_MATERIALIZED)
    )
    shown = with_value(page).subquery("shown")
    return sa.select(*shown.c).order_by(*ordered(shown))


def followup_count(
    f: Filters,
    now: dt.datetime,
    *,
    status: str | tuple[str, ...] | None = None,
    owner: str | None = None,
    overdue: bool | None = None,
) -> sa.Select:
    """One row, column ``n``: how many items :func:`followup_list` pages through."""
    stamp = _timestamp("now", now)
    return (
        sa.select(sa.func.count().label("n"))
        .select_from(followups)
        .where(*_followup_conditions(f, stamp, _statuses(status), owner, overdue))
    )


def followup_owners() -> sa.Select:
    """Distinct owners of items, sorted (column ``owner``)."""
    owner = followups.c.owner
    return sa.select(owner).where(owner.is_not(None)).distinct().order_by(owner)


def queue_kpis(f: Filters, now: dt.datetime) -> sa.Select:
    """One row of queue KPIs over the items the filters select (as the list).

    Columns: items; open (new or contacted); overdue (open and ``now`` > due_at);
    contacted (items with a first contact); median_hours_to_first_contact (from the
    response to the first contact, NULL when none); resolved (items that reached
    'resolved', closed ones included); share_resolved (100 * resolved / items, NULL
    without items).
    """
    fu, ev = followups.c, followup_events.c
    stamp = _timestamp("now", now)
    ever_resolved = sa.or_(
        fu.status == "resolved",
        sa.and_(
            fu.status == "closed",
            fu.response_id.in_(sa.select(ev.response_id).where(ev.to_status == "resolved")),
        ),
    )

    def count_where(condition) -> sa.ColumnElement[int]:
        return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)

    resolved = count_where(ever_resolved)
    items = sa.func.count()
    hours = seconds_between(fu.responded_at, fu.first_contact_at) / 3600.0
    return sa.select(
        items.label("items"),
        count_where(fu.status.in_(OPEN_STATUSES)).label("open"),
        count_where(_overdue(stamp)).label("overdue"),
        sa.func.count(fu.first_contact_at).label("contacted"),
        median(hours).label("median_hours_to_first_contact"),
        resolved.label("resolved"),
        (100.0 * resolved / sa.func.nullif(items, 0)).label("share_resolved"),
    ).where(*_followup_conditions(f, stamp, (), None, None))


# -- the queue's clock ----------------------------------------------------------------------


def clock_anchor() -> sa.Select:
    """One row: what the queue's clock needs to know about the store.

    Columns: ``origin`` (the source the latest load logged, e.g. ``demo-data small seed
    7`` or a file name; NULL without loads), ``loaded_at`` (when that load ran) and
    ``last_response_at`` (the newest response; NULL without feedback).
    """
    latest = (
        sa.select(import_log.c.file, import_log.c.imported_at)
        .order_by(import_log.c.imported_at.desc(), import_log.c.file)
        .limit(1)
        .subquery("latest_load")
    )
    return sa.select(
        sa.select(latest.c.file).scalar_subquery().label("origin"),
        sa.select(latest.c.imported_at).scalar_subquery().label("loaded_at"),
        sa.select(sa.func.max(feedback.c.responded_at)).scalar_subquery().label("last_response_at"),
    )
