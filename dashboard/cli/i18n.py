"""``cxdash i18n extract|update|check``: the translation catalogs (see
:mod:`dashboard.i18n.catalog`, whose command line this is)."""

from __future__ import annotations

import argparse
from pathlib import Path


def _handle(args: argparse.Namespace) -> int:
    from dashboard.i18n import catalog

    argv = [args.i18n_command]
    if args.i18n_command == "extract" and args.output is not None:
        argv += ["--output", str(args.output)]
    if args.i18n_command in ("update", "check") and args.po is not None:
        argv += ["--po", str(args.po)]
    if args.i18n_command == "check" and args.strict:
        argv.append("--strict")
    return catalog.main(argv, prog="cxdash i18n")


def register_cli(subparsers) -> None:
    """``cxdash i18n extract [-o FILE] | update [--po FILE] | check [--po FILE] [--strict]``."""
    p = subparsers.add_parser(
        "i18n",
        help="translation catalogs: extract, update, check",
        description="The Vietnamese catalog: after changing messages, `cxdash i18n update`, "
        "translate the new and fuzzy entries, then `cxdash i18n check`.",
    )
    commands = p.add_subparsers(dest="i18n_command", required=True, metavar="COMMAND")
    extract = commands.add_parser("extract", help="print the message template (.pot)")
    extract.add_argument("-o", "--output", type=Path, help="write to this file instead")
    update = commands.add_parser("update", help="merge the code's messages into the catalog")
    check = commands.add_parser("check", help="fail while a message is missing, untranslated "
                                "or fuzzy")  # fmt: skip
    for command in (update, check):
        command.add_argument("--po", type=Path, help="catalog file (default: the main one)")
    check.add_argument("--strict", action="store_true", help="also fail on unused entries")
    for command in (extract, update, check):
        command.set_defaults(handler=_handle)
