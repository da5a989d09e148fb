"""``cxdash refresh``: rebuild the summary tables after another tool wrote data."""

from __future__ import annotations

import argparse
import sys
import time

from dashboard import audit, db
from dashboard.rollup_store import refresh_store, status


def _refresh_command(args: argparse.Namespace) -> int:
    engine = db.create_engine(timeout_seconds=db.NO_TIMEOUT)  # large stores take minutes
    if args.status:
        print(status(engine).message)
        return 0
    started = time.perf_counter()

    def progress(message: str, fraction: float) -> None:
        print(f"[{fraction:4.0%}] {message}", file=sys.stderr, flush=True)

    refresh_store(engine, progress)
    audit.record("refresh", detail="summary tables rebuilt", engine=engine)
    print(
        f"Summary tables rebuilt on {db.describe_store(engine)} "
        f"in {time.perf_counter() - started:.1f} s."
    )
    return 0


def register_cli(sub) -> None:
    p = sub.add_parser(
        "refresh",
        help="rebuild the summary tables (after writing to the store with another tool)",
        description="Imports and demo-data keep the summary tables up to date themselves. "
        "After loading data with another tool, run this so that the views read the fast "
        "summaries again (until then they read the source tables: same numbers, slower).",
    )
    p.add_argument("--status", action="store_true", help="only say whether they are up to date")
    p.set_defaults(handler=_refresh_command)
