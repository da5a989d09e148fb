"""``cxdash init-db``, ``serve``, ``demo`` and ``settings``: set up the store and serve."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from dashboard import db
from dashboard.config import describe, get_settings

APP_SCRIPT = Path(__file__).resolve().parent.parent / "app.py"


def _init_db(args: argparse.Namespace) -> int:

    engine = db.create_engine()
    with db.translate_errors(engine):
        db.create_schema(engine)
    print(f"Schema ready on {db.describe_store(engine)}.")
    return 0


def _streamlit_command(port: int | None) -> list[str]:
    command = [sys.executable, "-m", "streamlit", "run", str(APP_SCRIPT)]
    if port:
        command += ["--server.port", str(port)]
    return command


def _serve(args: argparse.Namespace) -> int:
    """Run the dashboard; Streamlit's own STREAMLIT_* environment settings apply."""
    env = dict(os.environ)
    env.setdefault("STREAMLIT_BROWSER_GATHER_USAGE_STATS", "false")
    return subprocess.call(_streamlit_command(args.port), env=env)


def _demo(args: argparse.Namespace) -> int:
    """Create the demo store if it has no data, then serve."""
    from data.generator import ensure_demo_data

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
        if name == "demo":
            p.add_argument("--scale", default="medium", choices=("small", "medium", "large"))
            p.add_argument("--seed", type=int, default=42)
        p.set_defaults(handler=handler)

    p = sub.add_parser("settings", help="show the settings in force and their variables")
    p.set_defaults(handler=_settings)
