"""``cxdash demo-data``: fill the configured store with the seeded demo data."""

from __future__ import annotations

import argparse
import sys
import time

from dashboard import db
from dashboard.cli.errors import CliError
from data.generator import SCALES, StoreNotEmpty, generate
from queries import schema


def register_cli(subparsers) -> None:
    p = subparsers.add_parser(
        "demo-data",
        help="fill the configured store with deterministic demo data",
        description="Generate a Vietnamese omnichannel retailer's two years of CRM and "
        "survey data (seeded: the same seed gives the same rows).",
    )
    p.add_argument(
        "--scale",
        default="medium",
        choices=tuple(SCALES),
        help="small ~2k customers; medium ~20k (default); large ~1M; xlarge ~10M (~100M events)",
    )
    p.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    p.add_argument("--replace", action="store_true", help="replace the data already in the store")
    p.set_defaults(handler=_demo_data)


def _print_progress(message: str, fraction: float) -> None:
    print(f"[{fraction:4.0%}] {message}", file=sys.stderr, flush=True)


def _demo_data(args: argparse.Namespace) -> int:
    engine = db.create_engine(external_access=True, timeout_seconds=db.NO_TIMEOUT)
    started = time.perf_counter()
    try:
        counts = generate(
            engine, scale=args.scale, seed=args.seed, replace=args.replace, progress=_print_progress
        )
    except StoreNotEmpty as exc:
        raise CliError(str(exc).replace("replace=True (--replace)", "--replace")) from None
    finally:
        engine.dispose()
    elapsed = time.perf_counter() - started
    summary = ", ".join(f"{counts[name]:,} {name}" for name in schema.TABLES)
    print(
        f"Demo data ({args.scale}, seed {args.seed}) written to "
        f"{db.describe_store(engine)} in {elapsed:.1f} s: {summary}."
    )
    return 0
