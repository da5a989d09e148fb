"""``cxdash followup sync|list|set``: the closed loop on detractors from scripts and cron.

``list`` prints exactly the rows of the registry view ``followups`` (``cxdash query
followups`` gives the same); ``set`` changes one item as the queue page does, in one
transaction with its event-log entry.
"""

from __future__ import annotations

import argparse
import getpass
import sys

from dashboard import db, followup
from dashboard.cli.args import add_filter_arguments, filters_from_args, options_from_args
from dashboard.cli.errors import CliError
from dashboard.cli.query import render, run_query
from queries.customers import FOLLOWUP_SORTS, UNASSIGNED


def _default_actor() -> str:
    """Who changes an item when ``--as`` is not given: the logged-in user."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "cli"


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of at least 1")
    return int(text)


def _sync(args: argparse.Namespace) -> int:
    engine = db.create_engine()
    created = followup.sync(engine)
    word = "item" if created == 1 else "items"
    print(f"{created:,} follow-up {word} created.")
    return 0


def _list(args: argparse.Namespace) -> int:
    engine = db.create_engine()
    options = options_from_args(args).replace(descending=args.descending)
    result = run_query(engine, "followups", filters_from_args(args), options)
    sys.stdout.write(render(result, args.format).rstrip("\n") + "\n")
    return 0


def _set(args: argparse.Namespace) -> int:
    if args.status is None and args.owner is None and not args.note:
        raise CliError("say what to change: --status, --owner and/or --note")
    engine = db.create_engine()
    try:
        item = followup.change(
            engine,
            args.response_id,
            status=args.status,
            owner=args.owner,
            note=args.note,
            actor=args.actor or _default_actor(),
            now=followup.clock(engine),
        )
    except (followup.Conflict, followup.UnknownItem) as exc:
        raise CliError(str(exc)) from None
    except followup.InvalidTransition as exc:
        raise CliError(f"{args.response_id}: {exc}") from None
    owner = item["owner"] or "nobody"
    print(
        f"{item['response_id']}: {item['status']}, owner {owner} "
        f"(version {item['version']}, by {item['updated_by']})."
    )
    return 0


def _add_list_arguments(p: argparse.ArgumentParser) -> None:
    add_filter_arguments(p)
    p.add_argument("--status", help="only these statuses: new, contacted, resolved, "
                   "unreachable, closed, several separated by commas, or 'open'")  # fmt: skip
    p.add_argument("--owner", help=f"only this owner's items ({UNASSIGNED!r}: nobody's)")
    p.add_argument("--overdue", action="store_true", default=None, help="only overdue items")
    p.add_argument("--sort", choices=FOLLOWUP_SORTS, help="sort by this column (default due_at)")
    p.add_argument("--descending", action="store_true", default=None, help="largest first")
    p.add_argument("--limit", type=_positive, help="at most this many rows")
    p.add_argument("--format", choices=("table", "csv", "json"), default="table")
    # options_from_args reads the view flags the list does not offer as their defaults
    p.set_defaults(by=None, metric="nps", grain="month", steps=None, window=None)


def register_cli(subparsers) -> None:
    p = subparsers.add_parser(
        "followup",
        help="the follow-up queue: create items, list them, change one",
        description="The closed loop on detractors: one item per NPS 0-6 or CSAT 1-2 "
        "response of a known customer.",
    )
    actions = p.add_subparsers(dest="action", required=True, metavar="ACTION")

    sync = actions.add_parser("sync", help="create the missing items (safe to repeat)")
    sync.set_defaults(handler=_sync)

    listing = actions.add_parser("list", help="print the queue (the rows of the queue page)")
    _add_list_arguments(listing)
    listing.set_defaults(handler=_list)

    change = actions.add_parser("set", help="change one item's status, owner or add a note")
    change.add_argument("response_id", metavar="RESPONSE_ID")
    change.add_argument("--status", help="new status: contacted, resolved, unreachable, closed")
    change.add_argument("--owner", help="new owner ('' for nobody)")
    change.add_argument("--note", help="a note kept in the item's history")
    change.add_argument("--as", dest="actor", metavar="NAME",
                        help="who makes the change (default: your login name)")  # fmt: skip
    change.set_defaults(handler=_set)
