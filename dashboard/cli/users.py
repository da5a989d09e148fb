"""``cxdash users add|list|remove|import``: who may sign in, in which role and scope.

The command line acts as admin (whoever has the machine has the data); every change is
on the audit trail as ``cli:<os user>``.
"""

from __future__ import annotations

import argparse
import sys

from dashboard import audit, db, users
from dashboard.access import ROLES, Scope
from dashboard.cli.errors import CliError
from dashboard.cli.query import render


def _engine():
    engine = db.create_engine()
    audit.ensure_tables(engine)  # a store from before the users tables gets them now
    return engine


def _add(args: argparse.Namespace) -> int:
    user = users.checked(args.email, args.role, Scope.parse(args.scope or []),
                         active=not args.inactive)  # fmt: skip
    outcome = users.save(_engine(), user)
    scope = user.scope.words()
    state = "" if user.active else " (inactive: cannot sign in)"
    print(f"{user.email}: {outcome} as {user.role}, scope {scope}{state}.")
    return 0


def _list(args: argparse.Namespace) -> int:
    frame = users.users_frame(users.all_users(_engine()))
    if frame.is_empty() and args.format == "table":
        print("No users yet: add one with `cxdash users add EMAIL --role admin`.")
        return 0
    sys.stdout.write(render(frame, args.format).rstrip("\n") + "\n")
    return 0


def _remove(args: argparse.Namespace) -> int:
    email = users.normalise_email(args.email)
    if not users.remove(_engine(), email):
        raise CliError(f"no user {email}; see `cxdash users list`")
    print(f"{email}: removed.")
    return 0


def _import(args: argparse.Namespace) -> int:
    summary = users.import_file(_engine(), args.file)
    print(
        f"{args.file}: {len(summary.added)} added, {len(summary.changed)} changed, "
        f"{len(summary.unchanged)} unchanged."
    )
    return 0


IMPORT_EXAMPLE = """\
example FILE.toml:
  [[users]]
  email = "lan.tran@company.vn"
  role = "manager"
  scope = { region = ["TP.HCM"] }

  [[users]]
  email = "cfo@company.vn"
  role = "executive"
  active = true
"""


def register_cli(sub) -> None:
    group = sub.add_parser("users", help="who may sign in: roles and scopes (acts as admin)")
    commands = group.add_subparsers(dest="users_command", required=True, metavar="ACTION")

    p = commands.add_parser("add", help="add a user, or change their role and scope")
    p.add_argument("email", help="compared case-insensitively")
    p.add_argument("--role", required=True, choices=ROLES)
    p.add_argument(
        "--scope", action="append", metavar="DIM=VALUE",
        help="allowed values of a customer dimension (repeat: --scope region=TP.HCM "
        "--scope region='Đà Nẵng'); without it the user sees the whole store",
    )  # fmt: skip
    p.add_argument("--inactive", action="store_true", help="keep the user but refuse sign-in")
    p.set_defaults(handler=_add)

    p = commands.add_parser("list", help="every user with role, scope and state")
    p.add_argument("--format", choices=("table", "csv", "json"), default="table")
    p.set_defaults(handler=_list)

    p = commands.add_parser("remove", help="delete a user (they can no longer sign in)")
    p.add_argument("email")
    p.set_defaults(handler=_remove)

    p = commands.add_parser(
        "import",
        help="add or update the users of a TOML file, all or nothing",
        epilog=IMPORT_EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("file", help="TOML with [[users]] tables: email, role, scope, active")
    p.set_defaults(handler=_import)
