"""The registry entries of the customer grain (DESIGN.md, "Customer grain"): at-risk
customers, promoters, one customer, and the follow-up queue.

``T`` is the period's last day (``--to``; the last day with data for an open period).
The lists and the queue are pages of rows: ``Options.limit`` / ``offset`` page them
(``limit=None``, as ``cxdash query`` and table exports ask, is every row),
``Options.sort`` / ``descending`` order them. The follow-up views read the queue's
clock (``dashboard.followup.clock``) for "overdue".
"""

from __future__ import annotations

import polars as pl
import sqlalchemy as sa

from dashboard import customers, followup
from dashboard.i18n import N_, _
from dashboard.views.base import Options, View, needs
from queries import customers as cq
from queries.filters import Filters

LIST_COLUMNS = cq.LIST_COLUMNS
FOLLOWUP_COLUMNS = cq.FOLLOWUP_COLUMNS
LIST_DEFAULT_SORT = "value_at_risk"  # ranked by value at risk, then customer_id
QUEUE_DEFAULT_SORT = "due_at"  # most urgent first
OPEN = "open"  # status filter value meaning new or contacted

AT_RISK_TITLE = N_("Customers at risk")
PROMOTERS_TITLE = N_("Promoters")
CUSTOMER_TITLE = N_("Customer")
FOLLOWUPS_TITLE = N_("Follow-up queue")


def statuses(status: str | None) -> tuple[str, ...] | None:
    """The statuses a ``--status`` value selects: one status, several separated by
    commas, or ``open`` (new and contacted); None selects every status."""
    if status is None or not status.strip():
        return None
    chosen: list[str] = []
    for part in status.split(","):
        part = part.strip()
        if part == OPEN:
            chosen.extend(cq.OPEN_STATUSES)
        elif part:
            chosen.append(part)
    return tuple(dict.fromkeys(chosen))


# -- at-risk customers and promoters --------------------------------------------------------


def _list(kind: str):
    page_of = customers.at_risk if kind == "at_risk" else customers.promoters
    count_of = customers.at_risk_count if kind == "at_risk" else customers.promoters_count

    def compute(engine: sa.Engine, f: Filters, options: Options) -> pl.DataFrame:
        limit = options.limit
        if limit is None:  # every row: exports and the command line
            limit = max(count_of(engine, f), 1)
        return page_of(
            engine,
            f,
            sort=options.sort or LIST_DEFAULT_SORT,
            descending=True if options.descending is None else options.descending,
            limit=limit,
            offset=options.offset,
        )

    return compute


AT_RISK = View(
    name="at-risk",
    compute=_list("at_risk"),
    title=lambda options: _(AT_RISK_TITLE),
    columns=lambda options: LIST_COLUMNS,
    exports=frozenset({"query", "table"}),
    help="customers whose latest NPS is 0-6 or latest CSAT 1-2 in the risk window at --to, "
    "by value at risk",
)

PROMOTERS = View(
    name="promoters",
    compute=_list("promoters"),
    title=lambda options: _(PROMOTERS_TITLE),
    columns=lambda options: LIST_COLUMNS,
    exports=frozenset({"query", "table"}),
    help="customers whose latest NPS in the risk window at --to is 9-10, by value",
)


# -- one customer ---------------------------------------------------------------------------


def _customer(engine: sa.Engine, f: Filters, options: Options) -> dict:
    """One customer as JSON-ready values (``customers.CUSTOMER_JSON_KEYS``); ``--id``
    may also be the customer's e-mail or phone."""
    found = customers.find_customer(engine, options.customer_id or "")
    if found is None:
        raise ValueError(f"no customer with id, e-mail or phone {options.customer_id!r}")
    view = customers.customer_view(engine, found, now=followup.clock(engine))
    return customers.customer_json(view)


CUSTOMER = View(
    name="customer",
    compute=_customer,
    title=lambda options: _(CUSTOMER_TITLE),
    columns=lambda options: customers.CUSTOMER_JSON_KEYS,
    rules=(needs("customer_id", "{view} needs --id CUSTOMER_ID (or the e-mail or phone)"),),
    exports=frozenset({"query"}),
    help="one customer: profile, CLV, orders, stages, responses, follow-ups (use --id)",
)


# -- the follow-up queue --------------------------------------------------------------------


def queue_arguments(options: Options) -> dict:
    """The queue's narrowing options as ``customers.followup_list`` takes them."""
    return {
        "status": statuses(options.status),
        "owner": options.owner or None,
        "overdue": options.overdue,
    }


def _followups(engine: sa.Engine, f: Filters, options: Options) -> pl.DataFrame:
    now = followup.clock(engine)
    narrowed = queue_arguments(options)
    limit = options.limit
    if limit is None:
        limit = max(customers.followup_count(engine, f, now=now, **narrowed), 1)
    return customers.followup_list(
        engine,
        f,
        **narrowed,
        sort=options.sort or QUEUE_DEFAULT_SORT,
        descending=False if options.descending is None else options.descending,
        limit=limit,
        offset=options.offset,
        now=now,
    )


FOLLOWUPS = View(
    name="followups",
    compute=_followups,
    title=lambda options: _(FOLLOWUPS_TITLE),
    columns=lambda options: FOLLOWUP_COLUMNS,
    exports=frozenset({"query", "table"}),
    help="follow-up items of detractor / CSAT 1-2 responses, most urgent first "
    "(--status, --owner, --overdue)",
)

VIEWS = (AT_RISK, PROMOTERS, CUSTOMER, FOLLOWUPS)
