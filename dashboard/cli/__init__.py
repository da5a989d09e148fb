"""``cxdash``: the command line over the same layers as the dashboard.

Each feature module contributes its sub-commands through a ``register_cli(subparsers)``
function; a command's handler takes the parsed arguments and returns an exit code.
Errors meant for people (:class:`CliError`, :class:`dashboard.db.StoreError`,
``ValueError`` from argument parsing) print one line to stderr and exit 2.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from dashboard import db, store_lock
from dashboard.cli.errors import CliError
from dashboard.i18n import _

# Modules that add sub-commands (each has register_cli(subparsers)).
COMMAND_MODULES = (
    "dashboard.cli.setup",
    "dashboard.cli.query",
    "dashboard.cli.imports",
    "dashboard.cli.demo_data",
    "dashboard.cli.export",
    "dashboard.cli.bench",
    "dashboard.cli.clickhouse",
    "dashboard.cli.refresh",
    "dashboard.cli.i18n",
    "dashboard.cli.followup",
    "dashboard.cli.users",
    "dashboard.cli.audit",
    "dashboard.cli.comments",
)


class _Parser(argparse.ArgumentParser):
    """Bad arguments: one line on stderr (no usage dump), exit code 2."""

    def error(self, message: str):
        self.exit(2, f"cxdash: error: {message} (see `{self.prog} --help`)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="cxdash",
        description="CX Insights: funnel conversion beside touchpoint satisfaction.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    for module_name in COMMAND_MODULES:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name == module_name:  # feature not built yet
                continue
            raise
        module.register_cli(sub)
    return parser


def _say_waiting(reason: str, seconds: float) -> None:
    """The embedded store is in use: say so once, then wait (``dashboard.store_lock``)."""
    if reason == "writer":
        text = _("The store is being written by another command; waiting for it to finish")
    else:
        text = _("The dashboard or another command is reading the store; waiting for its turn")
    limit = _("up to {seconds} s, CXDASH_STORE_WAIT_SECONDS").format(seconds=f"{seconds:.0f}")
    print(f"cxdash: {text} ({limit})…", file=sys.stderr, flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    store_lock.set_notice(_say_waiting)
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # --help, or a one-line argument error from _Parser
        return int(exit_.code or 0)
    try:
        return int(args.handler(args) or 0)
    except (CliError, db.StoreError, ValueError) as exc:
        print(f"cxdash: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("cxdash: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
