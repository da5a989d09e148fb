"""Settings: one object with defaults, environment overrides and help text.

Every tunable of the product lives here. Pages and queries never read
``os.environ``; they receive a :class:`Settings` (or values taken from it).
Each field's environment variable is ``CXDASH_`` + the field name in capitals,
e.g. ``CXDASH_DATABASE_URL`` or ``CXDASH_MIN_N``.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from queries.definitions import DEFAULT_MIN_N, DEFAULT_PRIVACY_N, DEFAULT_WINDOW_DAYS

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_ROOT / "data"
DEFAULT_DUCKDB_PATH = DATA_DIR / "cx.duckdb"

DEFAULT_STAGES = ("visit", "signup", "cart", "purchase", "repeat_purchase")
ENV_PREFIX = "CXDASH_"


def _setting(default, help_text: str):
    return field(default=default, metadata={"help": help_text})


@dataclass(frozen=True)
class Settings:
    """All configuration of CX Insights; see :func:`describe` for the help texts."""

    database_url: str = _setting(
        f"duckdb:///{DEFAULT_DUCKDB_PATH}",
        "SQLAlchemy URL of the store. Default: the embedded DuckDB file data/cx.duckdb. "
        "PostgreSQL: postgresql+psycopg://user@host:5432/db",
    )
    min_n: int = _setting(
        DEFAULT_MIN_N,
        "Minimum scored responses before a cell, point or segment is shown unflagged.",
    )
    privacy_n: int = _setting(
        DEFAULT_PRIVACY_N, "Below this many scored responses a score is hidden."
    )
    conversion_window_days: int = _setting(
        DEFAULT_WINDOW_DAYS,
        "Funnel conversion window in days, counted from entry into the first step.",
    )
    funnel_stages: tuple[str, ...] = _setting(
        DEFAULT_STAGES, "Default funnel steps in order (comma-separated in the environment)."
    )
    query_timeout_seconds: int = _setting(
        30, "Statements running longer than this are cancelled (PostgreSQL statement_timeout)."
    )
    cache_ttl_seconds: int = _setting(600, "How long the dashboard keeps a query result.")
    store_wait_seconds: int = _setting(
        600,
        "Embedded DuckDB store: how long a command that writes it (import, import-dir, "
        "refresh, demo-data, init-db) waits for its turn while the dashboard or another "
        "command uses it -- saying so while it waits -- and how long a command that reads "
        "it waits for a running write.",
    )
    busy_wait_seconds: int = _setting(
        3,
        "Embedded DuckDB store: how long a dashboard page waits for a running write before "
        "it says the data is being updated (and tries again by itself).",
    )
    use_rollups: bool = _setting(
        True,
        "Answer KPIs, segments, heatmaps, trends and funnels from the summary tables "
        "(exact; refreshed on every import) when they are up to date.",
    )
    rollup_check_seconds: int = _setting(
        60,
        "How often (seconds) to re-check that the summary tables still match the data, "
        "in case another tool wrote to the store.",
    )
    language: str = _setting(
        "auto",
        "Language of the dashboard and exports: vi, en or auto (the browser's language in the "
        "dashboard, English on the command line). A session's choice or ?lang= overrides it.",
    )
    risk_window_days: int = _setting(
        90,
        "At-risk customers and promoters: their latest response must lie within this many "
        "days ending at the period's last day.",
    )
    followup_sla_hours: int = _setting(
        48, "A follow-up item is due this many hours after the response that created it."
    )
    auth: str = _setting(
        "none",
        "Sign-in: none (local demo: everyone is admin, said on every page), oidc "
        "(Streamlit's st.login; [auth] in .streamlit/secrets.toml) or proxy (the identity "
        "header of a trusted reverse proxy). Users and roles: cxdash users.",
    )
    auth_header: str = _setting(
        "X-Forwarded-Email", "Proxy sign-in: the header that carries the user's email."
    )
    trust_proxy_from: tuple[str, ...] = _setting(
        (),
        "Proxy sign-in: the reverse proxy's address(es), comma-separated. Unset, cxdash serve "
        "listens on 127.0.0.1 only (the proxy on the same machine).",
    )

    import_max_mb: int = _setting(
        2048,
        "The most one imported file may expand to once decompressed and decoded (MB), "
        "checked before it is read; 0 = no limit.",
    )
    import_max_ratio: int = _setting(
        1000,
        "The most one imported file may expand relative to its size on disk, once it "
        "expands beyond 64 MB (compression bombs); 0 = no limit.",
    )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Defaults overridden by ``CXDASH_*`` variables of ``environ`` (default os.environ)."""
        environ = os.environ if environ is None else environ
        overrides = {}
        for f in dataclasses.fields(cls):
            raw = environ.get(ENV_PREFIX + f.name.upper())
            if raw is None or raw == "":
                continue
            overrides[f.name] = _parse(f, raw)
        return cls(**overrides)


def _parse(f: dataclasses.Field, raw: str):
    default = f.default
    name = ENV_PREFIX + f.name.upper()
    if isinstance(default, bool):
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    if isinstance(default, int):
        try:
            value = int(raw)
        except ValueError:
            raise ValueError(f"{name} must be a whole number, got {raw!r}") from None
        if value < 0:
            raise ValueError(f"{name} must not be negative, got {value}")
        return value
    if isinstance(default, tuple):
        return tuple(part.strip() for part in raw.split(",") if part.strip())
    return raw


def describe() -> list[tuple[str, str, str]]:
    """(environment variable, default, help) for every setting, for the README and --help."""
    return [
        (ENV_PREFIX + f.name.upper(), str(f.default), f.metadata["help"])
        for f in dataclasses.fields(Settings)
    ]


def get_settings() -> Settings:
    """The settings in force for this process."""
    return Settings.from_env()
