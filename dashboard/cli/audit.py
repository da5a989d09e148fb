"""``cxdash audit``: the audit trail (sign-ins, denials, imports, exports, changes)."""

from __future__ import annotations

import argparse
import datetime as dt
import sys

from dashboard import audit, db
from dashboard.cli.query import render


def _since(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def _audit(args: argparse.Namespace) -> int:
    frame = audit.entries(db.create_engine(), args.since, args.limit)
    if frame.is_empty() and args.format == "table":
        since = f" since {args.since}" if args.since else ""
        print(f"Nothing on the audit trail{since}.")
        return 0
    sys.stdout.write(render(frame, args.format).rstrip("\n") + "\n")
    return 0


def register_cli(sub) -> None:
    p = sub.add_parser("audit", help="show the audit trail, newest first")
    p.add_argument("--since", type=_since, metavar="YYYY-MM-DD", help="from this day on")
    p.add_argument("--limit", type=int, default=None, help="at most this many entries")
    p.add_argument("--format", choices=("table", "csv", "json"), default="table")
    p.set_defaults(handler=_audit)
