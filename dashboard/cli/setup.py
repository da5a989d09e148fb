"""``cxdash init-db``, ``serve``, ``demo`` and ``settings``: set up the store and serve."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from dashboard import auth, db
from dashboard.cli.errors import CliError
from dashboard.config import describe, get_settings
from dashboard.ingest.upload import UPLOAD_LIMIT_MB

APP_SCRIPT = Path(__file__).resolve().parent.parent / "app.py"


def _init_db(args: argparse.Namespace) -> int:

    engine = db.create_engine()
    with db.translate_errors(engine):
        db.create_schema(engine)
    print(f"Schema ready on {db.describe_store(engine)}.")
    return 0


# What `cxdash serve` always enforces (issue 11's hardening), whatever the environment:
HARDENING = (
    # People see a friendly message; the traceback goes to the server's log only.
    ("client.showErrorDetails", "none"),
    # Uploads are imports (the Data page's limit, dashboard.ingest.upload) and user lists.
    ("server.maxUploadSize", str(UPLOAD_LIMIT_MB)),
    ("server.enableXsrfProtection", "true"),
    ("server.enableCORS", "true"),
)


def _streamlit_command(port: int | None, address: str | None = None) -> list[str]:
    # dashboard.ui.serve: Streamlit, warmed on a thread while it starts (issue 18).
    command = [sys.executable, "-m", "dashboard.ui.serve", "run", str(APP_SCRIPT)]
    if port:
        command += ["--server.port", str(port)]
    if address:
        command += ["--server.address", address]
    for option, value in HARDENING:
        command += [f"--{option}", value]
    return command


def serve_checks(requested_address: str | None, *, warn: bool = True) -> str:
    """The address to serve on, after the sign-in checks; CliError when the dashboard
    must not start (unsafe OIDC settings, proxy mode reachable by others)."""
    try:
        mode = auth.mode()
        address = auth.serve_address(requested_address)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    if mode == "oidc" and (problem := auth.oidc_startup_error()):
        raise CliError(problem)
    if warn and mode == "none" and not auth.is_loopback(address):
        print(
            f"warning: serving on {address} without sign-in: everyone who reaches it is "
            "admin and sees all data. Set CXDASH_AUTH=oidc or proxy (see the README).",
            file=sys.stderr,
        )
    return address


def _serve(args: argparse.Namespace) -> int:
    """Run the dashboard, on 127.0.0.1 unless --address or STREAMLIT_SERVER_ADDRESS says
    otherwise; Streamlit's other STREAMLIT_* settings apply."""
    return _run_streamlit(args.port, serve_checks(_requested_address(args)))


def _requested_address(args: argparse.Namespace) -> str | None:
    return args.address or os.environ.get("STREAMLIT_SERVER_ADDRESS") or None


def _run_streamlit(port: int | None, address: str) -> int:
    env = dict(os.environ)
    env.setdefault("STREAMLIT_BROWSER_GATHER_USAGE_STATS", "false")
    return subprocess.call(_streamlit_command(port, address), env=env)


def _demo(args: argparse.Namespace) -> int:
    """Create the demo store if it has no data, then serve."""
    from data.generator import ensure_demo_data

    serve_checks(_requested_address(args), warn=False)  # refuse before minutes of generating
    engine = db.create_engine(external_access=True, timeout_seconds=db.NO_TIMEOUT)
    try:
        if ensure_demo_data(engine, scale=args.scale, seed=args.seed):
            print(f"Demo data ({args.scale}) written to {db.describe_store(engine)}.")
    finally:
        # DuckDB locks its file per process: release it before the dashboard opens it.
        engine.dispose()
    return _serve(args)


def _settings(args: argparse.Namespace) -> int:
    current = get_settings()
    for env_name, default, help_text in describe():
        field = env_name.removeprefix("CXDASH_").lower()
        print(f"{env_name}={getattr(current, field)!s}\n    {help_text} (default: {default})")
    return 0


def register_cli(sub) -> None:
    p = sub.add_parser("init-db", help="create the tables on the configured database")
    p.set_defaults(handler=_init_db)

    for name, handler, help_text in (
        ("serve", _serve, "serve the dashboard on the configured database"),
        ("demo", _demo, "generate demo data if the store is empty, then serve"),
    ):
        p = sub.add_parser(name, help=help_text)
        p.add_argument("--port", type=int, help="port to serve on (default: Streamlit's, 8501)")
        p.add_argument(
            "--address",
            help="address to listen on (default 127.0.0.1: this machine only; 0.0.0.0 for "
            "every interface -- with sign-in, see CXDASH_AUTH)",
        )
        if name == "demo":
            p.add_argument(
                "--scale", default="medium", choices=("small", "medium", "large", "xlarge")
            )
            p.add_argument("--seed", type=int, default=42)
        p.set_defaults(handler=handler)

    p = sub.add_parser("settings", help="show the settings in force and their variables")
    p.set_defaults(handler=_settings)
