"""Shared fixtures: a fresh store on DuckDB, SQLite, PostgreSQL and ClickHouse (chDB).

PostgreSQL is read from CXDASH_TEST_PG_URL. Under CI (``CI`` set) or with
CXDASH_REQUIRE_PG=1 an unreachable server fails the run; on a developer machine
without it the PostgreSQL cases are skipped with the reason.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from dashboard import db

PG_URL = os.environ.get("CXDASH_TEST_PG_URL", "postgresql+psycopg://root@127.0.0.1:5432/test")
BACKENDS = ("duckdb", "sqlite", "postgresql")
# The chDB lane: modules that import tests.backends.backend_with_chdb also run on
# ClickHouse (chDB in-process), a fourth backend.
CLICKHOUSE_BACKEND = "chdb"
SHARED = Path(__file__).resolve().parent.parent.parent / "shared"
DATASETS = SHARED / "datasets"


def pg_required() -> bool:
    return bool(os.environ.get("CI")) or os.environ.get("CXDASH_REQUIRE_PG") == "1"


def _pg_reachable() -> str | None:
    """None when the server answers, else the reason."""
    try:
        engine = sa.create_engine(PG_URL)
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
        engine.dispose()
        return None
    except Exception as exc:  # any failure to connect is the same answer here
        return str(exc).splitlines()[0]


@pytest.fixture(scope="session")
def pg_available() -> None:
    reason = _pg_reachable()
    if reason is None:
        return
    message = (
        f"PostgreSQL at {PG_URL} is unreachable ({reason}); start it with "
        "`pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`"
    )
    if pg_required():
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture
def pg_schema_url(pg_available) -> Iterator[str]:
    """A PostgreSQL URL whose search_path is a fresh schema, dropped afterwards."""
    name = f"cxdash_test_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(PG_URL)
    with admin.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{name}"')
    url = sa.engine.make_url(PG_URL).update_query_dict({"options": f"-csearch_path={name}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{name}" CASCADE')
        admin.dispose()


@pytest.fixture(scope="session")
def chdb_dir(tmp_path_factory) -> Iterator[Path]:
    """The one chDB data directory of this test process: chDB opens one data path per
    process, so every chDB store of the run is a database of its own inside it."""
    pytest.importorskip("chdb", reason="chDB is not installed (pip install -e '.[clickhouse]')")
    # In memory where the machine has it: ClickHouse syncs every table's metadata and
    # parts to disk, ~10x slower on a busy disk (0.2-0.8 s per CREATE TABLE measured).
    shm = Path("/dev/shm")
    if shm.is_dir() and os.access(shm, os.W_OK):
        directory = Path(tempfile.mkdtemp(prefix="cxdash_chdb_", dir=shm))
        yield directory
        shutil.rmtree(directory, ignore_errors=True)
    else:
        yield tmp_path_factory.mktemp("chdb")


@pytest.fixture
def chdb_url(chdb_dir) -> Iterator[str]:
    """A chDB URL whose tables live in a fresh database, dropped afterwards."""
    name = f"cxdash_test_{uuid.uuid4().hex[:10]}"
    url = f"chdb:///{chdb_dir}?database={name}"
    yield url
    engine = sa.create_engine(f"chdb:///{chdb_dir}")
    with engine.connect() as conn:
        conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} SYNC")
    engine.dispose()


def make_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    if backend == "chdb":
        return request.getfixturevalue("chdb_url")
    if backend == "duckdb":
        return f"duckdb:///{tmp_path / 'store.duckdb'}"
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'store.sqlite'}"
    return request.getfixturevalue("pg_schema_url")


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    if request.param == "postgresql":
        request.applymarker(pytest.mark.pg)
    return request.param


@pytest.fixture
def store_url(backend, tmp_path, request) -> str:
    """URL of an empty store (no tables) on each backend."""
    return make_url(backend, tmp_path, request)


@pytest.fixture
def store(store_url) -> Iterator[sa.Engine]:
    """An engine on a store with the schema created, on each backend."""
    engine = db.create_engine(store_url, external_access=True)
    db.create_schema(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def duck_store(tmp_path) -> Iterator[sa.Engine]:
    """A DuckDB store with the schema, for tests that need one backend only."""
    engine = db.create_engine(f"duckdb:///{tmp_path / 'store.duckdb'}", external_access=True)
    db.create_schema(engine)
    yield engine
    engine.dispose()
