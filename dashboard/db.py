"""The one place that executes SQL.

``fetch`` runs a statement built in ``queries/`` and returns a polars DataFrame,
taking the Arrow path on DuckDB. Driver errors become :class:`StoreError`
subclasses whose message tells a person what to do.
"""

from __future__ import annotations

import contextlib
import decimal
import errno
import statistics
import threading
import warnings
import weakref
from collections.abc import Iterator
from functools import lru_cache

import polars as pl
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from dashboard import access, store_lock
from dashboard.config import get_settings
from dashboard.i18n import _

sa.dialects.registry.register("duckdb.cxdash", "dashboard.duckdb_dialect", "CachingDuckDBDialect")
sa.dialects.registry.register("chdb.cxdash", "dashboard.chdb_dialect", "CxdashChdbDialect")

PG_CONNECT_TIMEOUT = 10  # seconds
# ClickHouse (chDB in-process) answers like the other stores only with these session
# settings, set on every connection (queries/dialect.py holds the spellings):
CLICKHOUSE_SETTINGS = (
    # An outer join's missing side is NULL, not the type's default ('' / 0 / 1970-01-01).
    ("join_use_nulls", "1"),
    # sum / min / max / avg over no rows are NULL, as in SQL, not 0.
    ("aggregate_functions_null_for_empty", "1"),
    # CAST(NULL AS Float64) is NULL, not an error; casts keep a Nullable type.
    ("cast_keep_nullable", "1"),
    # DELETE / ALTER TABLE ... UPDATE have finished when the statement returns.
    ("mutations_sync", "2"),
    ("lightweight_deletes_sync", "2"),
    # WITH x AS MATERIALIZED (...) runs x once (dashboard.chdb_dialect says why).
    ("enable_materialized_cte", "1"),
    # Naive timestamps are read and written as they are, whatever the machine's zone.
    ("session_timezone", "'UTC'"),
)
CLICKHOUSE_DIALECTS = frozenset({"chdb", "clickhouse", "clickhousedb"})

_CLICKHOUSE_WRITES = threading.RLock()  # one ClickHouse writer at a time in this process
NO_TIMEOUT = 0  # statement_timeout 0: loaders (imports, demo data) may run for minutes
_writes = 0  # source-table writes by this process; readers of the summaries key on it


class StoreError(RuntimeError):
    """A database problem explained for people; ``str()`` is the message to show."""


class StoreUnavailable(StoreError):
    """The database cannot be reached (server down, file locked, bad URL)."""


class StoreBusy(StoreUnavailable):
    """The embedded store is being written (an import, a refresh) longer than the caller
    waits; the last committed data comes back when the write ends."""


class SchemaMissing(StoreError):
    """The store has no tables yet."""


class QueryFailed(StoreError):
    """A statement failed for another reason (timeout, bad value, ...)."""


class DiskFull(StoreError):
    """The disk of the store (or of its temporary files) is full; nothing was written."""


def backend(engine: sa.Engine) -> str:
    """'duckdb', 'postgresql', 'sqlite', 'chdb' or another dialect name."""
    return engine.dialect.name


def is_clickhouse(bind: sa.Engine | sa.Connection) -> bool:
    """Whether ``bind`` talks to ClickHouse (chDB in-process or a server)."""
    return bind.dialect.name in CLICKHOUSE_DIALECTS


def create_engine(
    url: str | None = None,
    *,
    external_access: bool = False,
    timeout_seconds: int | None = None,
    shared: bool = True,
) -> sa.Engine:
    """An engine for ``url`` (default: the configured store).

    DuckDB app connections run with ``enable_external_access=false`` so that no
    statement can read or write files outside the store; loaders that must read
    files pass ``external_access=True``.

    A DuckDB file is *shared* (``dashboard.store_lock``): reads run on read-only
    connections, so the dashboard, ``cxdash query`` and others read it at once, and each
    write (:func:`begin`) takes its turn. ``shared=False`` opens it read-write for good,
    as before (``benchmarks/store_sharing.py`` compares the two).
    """
    settings = get_settings()
    url = url or settings.database_url
    timeout = settings.query_timeout_seconds if timeout_seconds is None else timeout_seconds
    try:
        parsed = make_url(url)
    except sa.exc.ArgumentError as exc:
        raise StoreUnavailable(
            _("The database URL {url} is not valid: {error}").format(url=repr(url), error=exc)
        ) from None
    kwargs: dict = {}
    database = None  # chDB: the database inside the data directory
    if parsed.get_backend_name() == "duckdb":
        _ensure_parent_dir(parsed.database)
        parsed = parsed.set(drivername="duckdb+cxdash")  # the same driver, with caching
        kwargs["connect_args"] = {"config": {"enable_external_access": external_access}}
    elif parsed.get_backend_name() == "postgresql":
        # Keep options given in the URL (e.g. a search_path) and add the timeout.
        options = f"{parsed.query.get('options', '')} -c statement_timeout={timeout * 1000}"
        parsed = parsed.difference_update_query(["options"])
        kwargs["connect_args"] = {"options": options.strip()}
        if "connect_timeout" not in parsed.query:
            # A server that went away without refusing (a dead host, a cut network) is
            # said within seconds, not after the system's TCP timeout of minutes.
            kwargs["connect_args"]["connect_timeout"] = PG_CONNECT_TIMEOUT
        kwargs["pool_pre_ping"] = True
    elif parsed.get_backend_name() == "chdb":
        parsed, database = _chdb_url(parsed)
    try:
        engine = sa.create_engine(parsed, **kwargs)
    except (ImportError, sa.exc.NoSuchModuleError) as exc:
        raise StoreUnavailable(
            _("No driver for {driver}: {error}").format(driver=parsed.drivername, error=exc)
        ) from None
    if engine.dialect.name == "sqlite":
        sa.event.listen(engine, "connect", _register_sqlite_functions)
    if shared and engine.dialect.name == "duckdb" and _is_file(parsed.database):
        _share(engine, store_lock.shared_file(parsed.database))
    if engine.dialect.name == "chdb":
        sa.event.listen(engine, "connect", _chdb_session(database))
    return engine


def _is_file(database: str | None) -> bool:
    return bool(database) and database != ":memory:" and not database.startswith(":")


_shared: weakref.WeakKeyDictionary[sa.Engine, store_lock.SharedFile] = weakref.WeakKeyDictionary()


def _share(engine: sa.Engine, shared: store_lock.SharedFile) -> None:
    def read_only_unless_writing(_dialect, _record, _cargs, cparams) -> None:
        cparams["read_only"] = shared.read_only

    sa.event.listen(engine, "do_connect", read_only_unless_writing)
    shared.engines.add(engine)
    _shared[engine] = shared


def _chdb_url(url: sa.URL) -> tuple[sa.URL, str | None]:
    """The URL for chdb-sqlalchemy (our dialect) and the database named by ``?database=``.

    ``chdb:////path/to/dir`` keeps the store in that directory; ``?database=NAME`` puts
    the tables in a database of their own inside it (tests: one per test, as a schema
    on PostgreSQL), created on first connect.
    """
    database = url.query.get("database")
    if database is not None and not database.replace("_", "").isalnum():
        raise StoreUnavailable(
            _("The database name {name} in the URL may hold only letters, digits and _.").format(
                name=repr(database)
            )
        )
    if url.database and url.database != ":memory:":
        from pathlib import Path

        Path(url.database).expanduser().mkdir(parents=True, exist_ok=True)
    return url.difference_update_query(["database"]).set(drivername="chdb+cxdash"), database


def _chdb_session(database: str | None):
    def on_connect(dbapi_connection, _record) -> None:
        cursor = dbapi_connection.cursor()
        try:
            for name, value in CLICKHOUSE_SETTINGS:
                cursor.execute(f"SET {name} = {value}")
            if database:
                cursor.execute(f"CREATE DATABASE IF NOT EXISTS {database}")
                cursor.execute(f"USE {database}")
        finally:
            cursor.close()

    return on_connect


@lru_cache(maxsize=8)
def engine_for(url: str) -> sa.Engine:
    """One shared engine per URL for this process."""
    return create_engine(url)


def default_engine() -> sa.Engine:
    return engine_for(get_settings().database_url)


def _ensure_parent_dir(database: str | None) -> None:
    if database and database != ":memory:" and not database.startswith(":"):
        from pathlib import Path

        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)


class _Median:
    """SQLite has no median aggregate; this one matches DuckDB's continuous median."""

    def __init__(self):
        self.values: list[float] = []

    def step(self, value):
        if value is not None:
            self.values.append(value)

    def finalize(self):
        return statistics.median(self.values) if self.values else None


def _unicode_lower(value):
    return value.lower() if isinstance(value, str) else value


def _register_sqlite_functions(dbapi_connection, _record) -> None:
    dbapi_connection.create_aggregate("median", 1, _Median)
    # SQLite's lower() folds ASCII only; comment search must fold "Đ" and "Ă" too.
    dbapi_connection.create_function("lower", 1, _unicode_lower, deterministic=True)


# -- execution ---------------------------------------------------------------


def fetch(statement: sa.Executable, engine: sa.Engine | None = None) -> pl.DataFrame:
    """Run a SELECT and return its rows as a DataFrame (column names from the statement).

    Raises
    ------
    StoreError
        With a message that says what is wrong and what to do.
    """
    engine = engine or default_engine()
    scoped, params = for_viewer(statement, engine)
    with reading(engine), translate_errors(engine), engine.connect() as conn:
        if backend(engine) == "postgresql":
            _apply_planner_settings(conn, statement)
        if backend(engine) == "chdb":
            return _chdb_arrow_frame(conn, scoped, params)
        result = conn.execute(scoped, params)
        if backend(engine) == "duckdb":
            return _arrow_frame(result)
        return _rows_frame(result)


def execute(conn: sa.Connection, statement: sa.Executable) -> int:
    """Run a write statement (INSERT / UPDATE / DELETE) inside the caller's transaction
    (see :func:`begin`) and return how many rows it affected."""
    check_viewer(conn.engine)
    _mark_changed(conn, getattr(statement, "table", None))
    if is_clickhouse(conn):
        return _execute_clickhouse(conn, statement)
    # preserve_rowcount: without it psycopg's INSERT ... SELECT reports -1.
    return conn.execute(statement, execution_options={"preserve_rowcount": True}).rowcount


def _execute_clickhouse(conn: sa.Connection, statement: sa.Executable) -> int:
    """A write on ClickHouse, which reports no affected-row count: the rows it will
    affect are counted first. Exact because :func:`begin` holds the process's write lock
    on ClickHouse (chDB opens its data directory in one process only), so no other
    writer runs between the count and the write."""
    if isinstance(statement, sa.Insert):
        if statement.select is not None:
            counted = sa.select(sa.func.count()).select_from(statement.select.subquery())
            affected = conn.execute(counted).scalar_one()
        else:
            affected = len(statement._multi_values[0]) if statement._multi_values else 1
    elif isinstance(statement, sa.Update | sa.Delete):
        counted = sa.select(sa.func.count()).select_from(statement.table)
        affected = conn.execute(counted.where(*statement._where_criteria)).scalar_one()
    else:
        raise TypeError(f"not a write statement: {type(statement).__name__}")
    conn.execute(statement)
    return int(affected)


def fetch_in(conn: sa.Connection, statement: sa.Executable) -> pl.DataFrame:
    """Run a SELECT inside the caller's transaction (see :func:`begin`): it sees the
    transaction's own writes. Same frame conventions as :func:`fetch`."""
    result = conn.execute(*for_viewer(statement, conn.engine))
    if conn.dialect.name == "duckdb":
        return _arrow_frame(result)
    return _rows_frame(result)


def _apply_planner_settings(conn: sa.Connection, statement: sa.Executable) -> None:
    """``SET LOCAL`` the ``postgresql_settings`` a statement asks for (constant pairs
    written in ``queries/``, never user input): they end with this read's transaction."""
    for name, value in statement.get_execution_options().get("postgresql_settings", ()):
        conn.exec_driver_sql(f"SET LOCAL {name} = {value}")


def _arrow_frame(result: sa.CursorResult) -> pl.DataFrame:
    with warnings.catch_warnings():
        # DuckDB warns that DB-API Arrow output copies; our results are aggregates.
        warnings.simplefilter("ignore", UserWarning)
        table = result.cursor.to_arrow_table()
    return _floats_for_decimals(pl.from_arrow(table))


def _chdb_arrow_frame(conn: sa.Connection, statement, params: dict | None) -> pl.DataFrame:
    """A SELECT on chDB fetched as Arrow: the DB-API path converts every value in Python
    (1 s of a 1.7 s drivers view on the medium demo). The statement is compiled and its
    parameters bound by SQLAlchemy's processors exactly as on the DB-API path, then
    inlined by the driver's own escaping (chDB binds client-side in any case)."""
    from chdb.dbapi.cursors import Cursor

    compiled = statement.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
    values = compiled.construct_params(params)
    processors = compiled._bind_processors
    args = []
    for name in compiled.positiontup or ():
        value = values[name]
        process = processors.get(name)
        args.append(process(value) if process is not None and value is not None else value)
    dbapi_conn = conn.connection.driver_connection._conn
    text = str(compiled)
    # Listeners see the statement as on the DB-API path (SQL snapshots, bench replays).
    if conn._has_events or conn.engine._has_events:
        conn.dispatch.before_cursor_execute(conn, None, text, tuple(args), None, False)
    sql = Cursor(dbapi_conn).mogrify(text, args) if args else text
    table = dbapi_conn._conn.query(sql, "ArrowTable")
    frame = pl.from_arrow(table)
    # The statement's column names, as the DB-API path gives them: ClickHouse names an
    # unlabelled qualified column after its qualifier ("customers.customer_id").
    names = [keyname for keyname, *_ in compiled._result_columns]
    if len(names) == frame.width and names != frame.columns:
        frame = frame.rename(dict(zip(frame.columns, names, strict=True)))
    zoned = [c for c, t in frame.schema.items() if isinstance(t, pl.Datetime) and t.time_zone]
    if zoned:  # naive timestamps, as written (the session's zone is UTC)
        frame = frame.with_columns(pl.col(zoned).dt.replace_time_zone(None))
    return _floats_for_decimals(frame)


def _rows_frame(result: sa.CursorResult) -> pl.DataFrame:
    columns = list(result.keys())
    rows = result.fetchall()
    if not rows:
        return pl.DataFrame(schema=dict.fromkeys(columns, pl.Null))
    data = {c: _plain([row[i] for row in rows]) for i, c in enumerate(columns)}
    return _floats_for_decimals(pl.DataFrame(data, strict=False))


def _plain(values: list) -> list:
    """Decimal -> float: PostgreSQL returns NUMERIC for sums and averages."""
    if any(isinstance(v, decimal.Decimal) for v in values):
        return [float(v) if v is not None else None for v in values]
    return values


def _floats_for_decimals(frame: pl.DataFrame) -> pl.DataFrame:
    decimals = [c for c, t in frame.schema.items() if isinstance(t, pl.Decimal)]
    if not decimals:
        return frame
    return frame.with_columns(pl.col(decimals).cast(pl.Float64))


@contextlib.contextmanager
def begin(engine: sa.Engine | None = None) -> Iterator[sa.Connection]:
    """A transaction for writers (imports, demo data); errors are translated.

    When the transaction changed what a view shows (any write but the audit trail's), the
    store's data version is bumped in it, just before it commits (:func:`data_version`)."""
    global _writes
    engine = engine or default_engine()
    check_viewer(engine)
    writes_before = _writes
    # ClickHouse has no transactions: writers take turns (see _execute_clickhouse).
    lock = _CLICKHOUSE_WRITES if is_clickhouse(engine) else contextlib.nullcontext()
    with lock, translate_errors(engine), writing(engine), engine.begin() as conn:
        conn.info[_CHANGED] = False
        try:
            yield conn
            if conn.info.get(_CHANGED):
                _bump_version(conn)
        finally:
            conn.info.pop(_CHANGED, None)
    if _writes != writes_before:
        # Committed: decisions taken during the transaction saw the data before it.
        _writes += 1


# -- the data version: results follow the data ---------------------------------------------
# conn.info key: whether this transaction wrote something a view shows. The audit trail's
# rows (sign-ins, exports) do not count: they would throw every cached result away.
_CHANGED = "cxdash_changed"
_UNVERSIONED = frozenset({"cxdash_audit", "cxdash_data_version"})


def _mark_changed(conn: sa.Connection, table: sa.Table | None) -> None:
    if table is None or getattr(table, "name", None) not in _UNVERSIONED:
        conn.info[_CHANGED] = True


def _bump_version(conn: sa.Connection) -> None:
    from queries import versions
    from queries.schema import data_version

    if not has_table(conn, data_version):  # a store created before the data version
        data_version.create(conn, checkfirst=True)
    if is_clickhouse(conn):  # no affected-row count there: count first (writes take turns)
        bumped = _execute_clickhouse(conn, versions.bump())
    else:
        bumped = conn.execute(versions.bump(), execution_options={"preserve_rowcount": True})
        bumped = bumped.rowcount
    if bumped == 0:
        conn.execute(versions.first())


def data_version(engine: sa.Engine | None = None, *, wait: float | None = None) -> int:
    """The store's data version: it grows with every committed write that changes what a
    view shows, whichever process or backend wrote it (0: never written, or no tables).
    One small indexed read, meant to be taken once per page run and put in cache keys.

    Raises
    ------
    StoreUnavailable
        The store cannot be reached (the page says so rather than show old numbers);
        :class:`StoreBusy` while a write holds the embedded store beyond ``wait``.
    """
    from queries import versions

    engine = engine or default_engine()
    check_viewer(engine)
    try:
        with reading(engine, wait), translate_errors(engine), engine.connect() as conn:
            return int(conn.execute(versions.read()).scalar() or 0)
    except SchemaMissing:
        return 0


def scalar_in(conn: sa.Connection, statement: sa.Executable):
    """The one value a statement returns, inside the caller's transaction."""
    return conn.execute(*for_viewer(statement, conn.engine)).scalar_one()


def has_table(conn: sa.Connection, table: sa.Table) -> bool:
    return sa.inspect(conn).has_table(table.name)


def create_schema(engine: sa.Engine | sa.Connection) -> None:
    """Create every table and index of the store that is missing (the source tables, the
    summary tables, the import log); safe to run again. Tables are declared in
    ``queries/`` (never reflected)."""
    from queries import rollups, schema

    check_viewer(engine.engine if isinstance(engine, sa.Connection) else engine)
    if isinstance(engine, sa.Connection):
        _create_all(engine, (schema.metadata, rollups.metadata))
        return
    with translate_errors(engine), writing(engine):
        _create_all(engine, (schema.metadata, rollups.metadata))


def _create_all(bind: sa.Engine | sa.Connection, metadatas, tables=None) -> None:
    if not is_clickhouse(bind):
        for metadata in metadatas:
            metadata.create_all(bind, tables=tables, checkfirst=True)
        return
    if isinstance(bind, sa.Engine):
        with bind.connect() as conn:
            _create_all(conn, metadatas, tables)
        return
    conn = bind
    # One look at the catalogue instead of one query per table (~20 ms each on chDB).
    existing = set(sa.inspect(conn).get_table_names())
    for metadata in metadatas:
        missing = [
            t for t in metadata.sorted_tables
            if t.name not in existing and (tables is None or t in tables)
        ]  # fmt: skip
        metadata.create_all(conn, tables=missing, checkfirst=False)


def create_tables(engine: sa.Engine | sa.Connection, tables) -> None:
    """Create ``tables`` where missing (safe to run again): the access tables of a store
    created before them."""
    check_viewer(engine.engine if isinstance(engine, sa.Connection) else engine)
    from queries import schema

    if isinstance(engine, sa.Connection):
        _create_all(engine, (schema.metadata,), list(tables))
        return
    with translate_errors(engine), writing(engine):
        _create_all(engine, (schema.metadata,), list(tables))


def lift_timeout(conn: sa.Connection) -> None:
    """No statement timeout for the rest of this transaction (PostgreSQL): summary
    rebuilds on large stores take minutes, also when run on the app's connection."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("SET LOCAL statement_timeout = 0")


def analyze(conn: sa.Connection, names) -> None:
    """Refresh the planner's statistics of the tables ``names`` (PostgreSQL; others keep
    theirs up to date themselves)."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("ANALYZE " + quoted_names(conn, names))


def _compiled(dialect, statement: sa.Executable) -> tuple[str, object]:
    # render_postcompile expands IN-lists (expanding parameters) into plain ones.
    compiled = statement.compile(dialect=dialect, compile_kwargs={"render_postcompile": True})
    if compiled.positiontup is not None:
        return str(compiled), [compiled.params[name] for name in compiled.positiontup]
    return str(compiled), compiled.params  # named parameters (psycopg)


def _raw_fetch(engine: sa.Engine):
    """A function ``(sql, parameters) -> rows`` straight on one driver connection:
    DuckDB's, fetching Arrow; any other through its DB-API cursor, fetching all rows."""
    raw = engine.raw_connection()
    if engine.dialect.name == "duckdb":
        cursor = raw.driver_connection

        def run(sql, parameters):
            with warnings.catch_warnings():
                # DuckDB warns that DB-API Arrow output copies; our results are aggregates.
                warnings.simplefilter("ignore", UserWarning)
                return cursor.execute(sql, parameters or None).to_arrow_table()

        return run
    cursor = raw.driver_connection.cursor()

    def run(sql, parameters):
        cursor.execute(sql, parameters or None)
        return cursor.fetchall() if cursor.description else None

    return run


def raw_runner(engine: sa.Engine, statement: sa.Executable):
    """A function that runs ``statement``'s compiled SQL straight on the driver
    connection: the floor the layers above add to (``cxdash bench``)."""
    sql, params = _compiled(engine.dialect, statement)
    run = _raw_fetch(engine)
    return lambda: run(sql, params)


def raw_replay_runner(engine: sa.Engine, statements: list[tuple[str, object]]):
    """A function that runs recorded ``(sql, parameters)`` pairs (as sent to the driver)
    straight on the driver connection (``cxdash bench``: the raw figure of a page that
    sends several statements)."""
    fetch = _raw_fetch(engine)

    def run() -> None:
        for sql, parameters in statements:
            fetch(sql, parameters)

    return run


def raw_execute_in(conn: sa.Connection, statement: sa.Executable) -> None:
    """Run ``statement``'s compiled SQL straight on the driver connection of the caller's
    transaction (``cxdash bench``: the raw figure of a write)."""
    sql, params = _compiled(conn.dialect, statement)
    if conn.dialect.name == "duckdb":
        conn.connection.driver_connection.execute(sql, params)
    else:
        conn.connection.driver_connection.cursor().execute(sql, params or None)


def fetch_pandas(statement: sa.Executable, engine: sa.Engine):
    """Rows as a pandas DataFrame, timestamps parsed (the benchmark's naive baseline)."""
    import pandas as pd

    dates = [c.name for c in statement.selected_columns if isinstance(c.type, sa.DateTime)]
    with engine.connect() as conn:
        return pd.read_sql(statement, conn, parse_dates=dates)


def copy_to_sqlite(engine: sa.Engine, path, tables, chunk_rows: int = 500_000) -> None:
    """Copy ``tables`` of a DuckDB store into a new SQLite file at ``path`` (same schema),
    streaming Arrow batches; the file appears only when complete."""
    import sqlite3

    tmp = path.with_suffix(".partial")
    tmp.unlink(missing_ok=True)
    target = sa.create_engine(f"sqlite:///{tmp}")
    for table in tables:
        table.create(target, checkfirst=True)
    target.dispose()
    duck = engine.raw_connection().driver_connection
    with sqlite3.connect(tmp) as con:
        con.execute("PRAGMA journal_mode = OFF")
        con.execute("PRAGMA synchronous = OFF")
        for table in tables:
            # Timestamps as the text SQLAlchemy writes on SQLite, formatted by DuckDB.
            select = ", ".join(
                f"strftime({c.name}, '%Y-%m-%d %H:%M:%S.%f') AS {c.name}"
                if isinstance(c.type, sa.DateTime)
                else c.name
                for c in table.c
            )
            insert = f"INSERT INTO {table.name} VALUES ({', '.join('?' * len(table.c))})"
            batches = duck.sql(f"SELECT {select} FROM {table.name}").to_arrow_reader(chunk_rows)
            for batch in batches:
                con.executemany(insert, zip(*batch.to_pydict().values(), strict=True))
    tmp.rename(path)


# -- access: the viewer's scope on every read, fail closed ---------------------------
# DESIGN.md "Access": the scope is applied where SQL runs, to every statement. fetch,
# fetch_in and scalar_in rewrite each read for the viewer of the run (queries.scope);
# writes (execute, the frame writers) are the system's bookkeeping and run unscoped, for
# actions the viewer's role allows. The app's engine is *guarded*: on it every statement,
# read or write, is refused when the run has no viewer -- a thread or a code path that
# forgot to say who it acts for gets an error, never the whole store.


class AccessDenied(StoreError):
    """A statement refused: no viewer on a guarded engine, or one that cannot be scoped."""


_guarded: weakref.WeakSet[sa.Engine] = weakref.WeakSet()


def guard(engine: sa.Engine) -> sa.Engine:
    """Mark ``engine`` as the app's: statements on it need a viewer (returns it)."""
    _guarded.add(engine)
    return engine


def is_guarded(engine: sa.Engine) -> bool:
    return engine in _guarded


def app_engine(url: str | None = None) -> sa.Engine:
    """A guarded engine of its own for the dashboard (not :func:`engine_for`'s shared one,
    which the command line and tests use without a viewer)."""
    return guard(create_engine(url))


def check_viewer(engine: sa.Engine) -> access.Viewer:
    """The viewer statements on ``engine`` run for; AccessDenied on a guarded engine when
    the run set none."""
    if engine in _guarded and not access.viewer_is_set():
        raise AccessDenied(
            "No signed-in viewer for this request: nothing was read. Reload the page and "
            "sign in again."
        )
    return access.current_viewer()


def for_viewer(statement: sa.Executable, engine: sa.Engine) -> tuple[sa.Executable, dict | None]:
    """``statement`` as the viewer of this run may read it -- every protected table limited
    to the viewer's scope (``queries.scope``) -- and the parameter values to run it with
    (None: its own). Writes pass unchanged."""
    from queries import scope

    viewer = check_viewer(engine)
    if viewer.scope.everything or isinstance(statement, sa.sql.dml.UpdateBase):
        return statement, None
    try:
        return scope.for_execution(statement, viewer.scope.as_dict())
    except scope.ScopeError as exc:
        raise AccessDenied(f"Refused for a scoped viewer: {exc}.") from None


# -- the embedded store shared between processes (dashboard.store_lock) ----------------


def _read_wait(engine: sa.Engine) -> float:
    # The dashboard (a guarded engine) says "being updated" soon; commands wait their turn.
    settings = get_settings()
    return settings.busy_wait_seconds if is_guarded(engine) else settings.store_wait_seconds


@contextlib.contextmanager
def reading(engine: sa.Engine, wait: float | None = None) -> Iterator[None]:
    """Around a read on ``engine``: on a shared DuckDB file, waits up to ``wait`` seconds
    (default: the engine's) while another process or thread writes it, then StoreBusy."""
    shared = _shared.get(engine)
    if shared is None:
        yield
        return
    try:
        # The wait is worked out only when a writer is there (settings are read afresh).
        with shared.reading(lambda: _read_wait(engine) if wait is None else wait):
            yield
    except store_lock.Busy as exc:
        raise _busy(engine, exc) from None


@contextlib.contextmanager
def writing(engine: sa.Engine) -> Iterator[None]:
    """Around a write session on ``engine``: on a shared DuckDB file, this thread's turn to
    write it read-write (waiting up to ``store_wait_seconds``, said through
    ``store_lock.set_notice``); elsewhere nothing."""
    shared = _shared.get(engine)
    if shared is None:
        yield
        return

    def connect() -> None:
        with engine.connect():
            pass  # opened read-write and pooled for the transaction that follows

    try:
        with shared.writing(get_settings().store_wait_seconds, connect):
            yield
    except store_lock.Busy as exc:
        raise _busy(engine, exc) from None


def _busy(engine: sa.Engine, exc: store_lock.Busy) -> StoreBusy:
    if isinstance(exc, store_lock.WriterWaitTimeout):
        return StoreBusy(
            _(
                "{where} stayed in use by another process for {seconds} s, so nothing was "
                "written. Try again when the other import or refresh has finished, or wait "
                "longer (CXDASH_STORE_WAIT_SECONDS)."
            ).format(where=_describe(engine), seconds=f"{exc.waited:.0f}")
        )
    return StoreBusy(
        _(
            "The data is being updated (an import or a refresh is writing {where}). "
            "It will be back in a moment."
        ).format(where=_describe(engine))
    )


# -- error translation ---------------------------------------------------------


def describe_store(engine: sa.Engine) -> str:
    """Where the data lives, in words (no password)."""
    return _describe(engine)


def _describe(engine: sa.Engine) -> str:
    url = engine.url
    if url.get_backend_name() in {"duckdb", "sqlite", "chdb"}:
        return _("the {backend} file {path}").format(
            backend=url.get_backend_name(), path=url.database or ":memory:"
        )
    return _("{backend} at {host}:{port}").format(
        backend=url.get_backend_name(),
        host=url.host or "localhost",
        port=url.port or _("default port"),
    )


@contextlib.contextmanager
def translate_errors(engine: sa.Engine) -> Iterator[None]:
    try:
        yield
    except StoreError:
        raise
    except sa.exc.DBAPIError as exc:
        raise _translated(engine, exc) from exc
    except OSError as exc:  # e.g. a temporary file written beside the statements
        if exc.errno == errno.ENOSPC:
            raise _translated(engine, exc) from exc
        raise
    except Exception as exc:
        # duckdb raises its own errors outside SQLAlchemy at connect, and bulk paths talk
        # to the drivers directly (DuckDB's Arrow scan, PostgreSQL's COPY).
        if type(exc).__module__.split(".")[0] in {"_duckdb", "duckdb", "psycopg", "chdb"} or (
            _CHDB_OPEN_ELSEWHERE in str(exc).lower()  # chDB's plain RuntimeError at connect
        ):
            raise _translated(engine, exc) from exc
        raise


def _translated(engine: sa.Engine, exc: Exception) -> StoreError:
    text = str(getattr(exc, "orig", None) or exc)
    lowered = text.lower()
    where = _describe(engine)
    missing_table = (
        ("does not exist" in lowered and ("table" in lowered or "relation" in lowered))
        or "no such table" in lowered
        or "unknown table expression" in lowered  # ClickHouse
    )
    if "in read-only mode: database does not exist" in lowered:
        missing_table = True
    if missing_table:
        return SchemaMissing(
            _(
                "The store ({where}) has no CX Insights tables yet. "
                "Run `cxdash init-db`, then `cxdash demo-data` or `cxdash import`."
            ).format(where=where)
        )
    if (
        "could not set lock" in lowered
        or "conflicting lock" in lowered
        or _CHDB_OPEN_ELSEWHERE in lowered
    ):
        return StoreUnavailable(
            _(
                "{where} is open in another process (a running dashboard or import). "
                "Close it, or point CXDASH_DATABASE_URL at another store."
            ).format(where=where)
        )
    if isinstance(exc, sa.exc.OperationalError) and (
        "connection" in lowered or "connect" in lowered or "unable to open" in lowered
    ):
        return StoreUnavailable(
            _(
                "Cannot reach the database ({where}). Is the server running and the URL "
                "right (CXDASH_DATABASE_URL)? Driver said: {driver}"
            ).format(where=where, driver=_first_line(text))
        )
    if _out_of_space(exc, lowered):
        return DiskFull(
            _(
                "The disk of {where} is full, so nothing was written (the transaction was "
                "rolled back). Free some space or move the store, then try again."
            ).format(where=where)
        )
    if "statement timeout" in lowered or "canceling statement" in lowered:
        return QueryFailed(
            _("The query took too long on {where} and was cancelled.").format(where=where)
        )
    return QueryFailed(
        _("The database ({where}) refused a statement: {driver}").format(
            where=where, driver=_first_line(text)
        )
    )


# What chDB says when another process has its data directory open (one per process).
_CHDB_OPEN_ELSEWHERE = "error initializing embeddedserver"

# What "out of space" looks like: OSError ENOSPC, PostgreSQL's SQLSTATE 53100 (disk_full),
# SQLite's SQLITE_FULL, DuckDB's IO errors from the operating system.
_OUT_OF_SPACE = ("no space left on device", "database or disk is full", "disk full")


def _out_of_space(exc: Exception, lowered: str) -> bool:
    orig = getattr(exc, "orig", None) or exc
    if isinstance(orig, OSError) and orig.errno == errno.ENOSPC:
        return True
    if getattr(orig, "sqlstate", None) == "53100" or getattr(orig, "pgcode", None) == "53100":
        return True
    return any(text in lowered for text in _OUT_OF_SPACE)


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else text


# -- bulk writes ---------------------------------------------------------------


def write_count() -> int:
    """How many times this process has written to a source table (see ``rollup_store``)."""
    return _writes


def forget_summaries(conn: sa.Connection, table: sa.Table) -> None:
    """Before a source table changes: mark the summary tables outdated in the same
    transaction, so that no view reads them until ``rollup_store.refresh`` runs."""
    global _writes
    from queries import rollups

    if table.name not in rollups.SOURCE_TABLES:
        return
    _writes += 1
    if has_table(conn, rollups.state):
        conn.execute(rollups.state.delete())


def upsert_frame(conn: sa.Connection, table: sa.Table, frame: pl.DataFrame) -> None:
    """Insert the rows of ``frame`` into ``table``, replacing rows with the same key.

    Runs inside the caller's transaction (see :func:`begin`), so a failure leaves
    the table as it was. Bulk paths: Arrow scan on DuckDB, COPY on PostgreSQL,
    one executemany elsewhere. ``frame``'s columns must be a subset of the table's.
    """
    if frame.is_empty():
        return
    _mark_changed(conn, table)
    forget_summaries(conn, table)
    columns = [c for c in frame.columns if c in table.c]
    frame = frame.select(columns)
    dialect = conn.dialect.name
    if dialect == "duckdb":
        _upsert_duckdb(conn, table, frame)
    elif dialect == "postgresql":
        _upsert_postgresql(conn, table, frame)
    elif is_clickhouse(conn):
        _upsert_clickhouse(conn, table, frame)
    else:
        _upsert_generic(conn, table, frame)


def quoted_names(conn: sa.Connection, names) -> str:
    quote = conn.dialect.identifier_preparer.quote
    return ", ".join(quote(n) for n in names)


def _upsert_duckdb(conn: sa.Connection, table: sa.Table, frame: pl.DataFrame) -> None:
    raw = conn.connection.driver_connection
    cols = quoted_names(conn, frame.columns)
    staging = "_cxdash_staging"
    keys = [c.name for c in table.primary_key.columns]
    updates = [c for c in frame.columns if c not in keys]
    quote = conn.dialect.identifier_preparer.quote
    action = (
        "DO UPDATE SET " + ", ".join(f"{q} = excluded.{q}" for q in map(quote, updates))
        if updates
        else "DO NOTHING"
    )
    raw.register(staging, frame.to_arrow())
    try:
        # Only rows that are new or differ are written: replacing a row in DuckDB
        # costs an index delete + insert, so an unchanged re-import must cost nothing.
        raw.execute(
            f"INSERT INTO {table.name} ({cols}) "
            f"SELECT {cols} FROM {staging} EXCEPT SELECT {cols} FROM {table.name} "
            f"ON CONFLICT ({quoted_names(conn, keys)}) {action}"
        )
    finally:
        with contextlib.suppress(Exception):  # the view is gone with an aborted transaction
            raw.unregister(staging)


def _upsert_postgresql(conn: sa.Connection, table: sa.Table, frame: pl.DataFrame) -> None:
    from sqlalchemy.dialects.postgresql import insert as pg_insert

    staging = sa.Table(
        f"_cxdash_staging_{table.name}",
        sa.MetaData(),
        *(sa.Column(c.name, c.type) for c in table.c if c.name in frame.columns),
        prefixes=["TEMPORARY"],
        postgresql_on_commit="DROP",
    )
    staging.create(conn)
    cols = quoted_names(conn, frame.columns)
    cursor = conn.connection.driver_connection.cursor()
    with cursor.copy(f"COPY {staging.name} ({cols}) FROM STDIN") as copy:
        for row in frame.iter_rows():
            copy.write_row(row)
    _insert_from_staging(conn, table, staging, frame.columns, pg_insert)


def _insert_from_staging(conn, table, staging, columns, dialect_insert) -> None:
    keys = [c.name for c in table.primary_key.columns]
    stmt = dialect_insert(table).from_select(columns, sa.select(*(staging.c[c] for c in columns)))
    updates = {c: stmt.excluded[c] for c in columns if c not in keys}
    if updates:
        changed = sa.or_(*(table.c[c].is_distinct_from(stmt.excluded[c]) for c in updates))
        stmt = stmt.on_conflict_do_update(index_elements=keys, set_=updates, where=changed)
    else:
        stmt = stmt.on_conflict_do_nothing(index_elements=keys)
    conn.execute(stmt)


@contextlib.contextmanager
def _staged_parquet(frame: pl.DataFrame) -> Iterator[str]:
    """``frame`` as a temporary Parquet file, for ClickHouse's ``file()`` table function
    (a bulk path: the driver would otherwise send every row as SQL text)."""
    import os
    import tempfile

    handle, path = tempfile.mkstemp(prefix="cxdash_", suffix=".parquet")
    os.close(handle)
    binary = [c for c, t in frame.schema.items() if t == pl.Binary]
    if binary:  # bytes travel as base64 text (dashboard.chdb_dialect.Base64Binary)
        frame = frame.with_columns(pl.col(binary).bin.encode("base64"))
    try:
        frame.write_parquet(path)
        yield path.replace("'", "\\'")
    finally:
        os.unlink(path)


def _insert_parquet(conn: sa.Connection, table: sa.Table, path: str, columns) -> None:
    cols = quoted_names(conn, columns)
    conn.exec_driver_sql(
        f"INSERT INTO {table.name} ({cols}) SELECT {cols} FROM file('{path}', Parquet)"
    )


def _upsert_clickhouse(conn: sa.Connection, table: sa.Table, frame: pl.DataFrame) -> None:
    # ClickHouse keeps no unique keys: the rows with the frame's keys are deleted (a
    # lightweight DELETE, finished before it returns), then the frame is inserted.
    keys = [c.name for c in table.primary_key.columns]
    with _staged_parquet(frame) as path:
        key_cols = quoted_names(conn, keys)
        conn.exec_driver_sql(
            f"DELETE FROM {table.name} WHERE ({key_cols}) IN "
            f"(SELECT {key_cols} FROM file('{path}', Parquet))"
        )
        _insert_parquet(conn, table, path, frame.columns)


def _upsert_generic(conn: sa.Connection, table: sa.Table, frame: pl.DataFrame) -> None:
    keys = [c.name for c in table.primary_key.columns]
    rows = frame.to_dicts()
    if conn.dialect.name == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        stmt = sqlite_insert(table)
        updates = {c: stmt.excluded[c] for c in frame.columns if c not in keys}
        stmt = (
            stmt.on_conflict_do_update(index_elements=keys, set_=updates)
            if updates
            else stmt.on_conflict_do_nothing(index_elements=keys)
        )
        conn.execute(stmt, rows)
        return
    # Any other dialect: delete the keys, then insert, in the caller's transaction.
    key_values = frame.select(keys).unique().to_dicts()
    delete = table.delete().where(
        sa.and_(*(table.c[k] == sa.bindparam(f"k_{k}", key=k) for k in keys))
    )
    conn.execute(delete, [{f"k_{k}": row[k] for k in keys} for row in key_values])
    conn.execute(table.insert(), rows)


def empty_tables(conn: sa.Connection, tables) -> None:
    """Remove every row of ``tables`` inside the caller's transaction."""
    for table in tables:
        _mark_changed(conn, table)
        if is_clickhouse(conn):
            conn.exec_driver_sql(f"TRUNCATE TABLE IF EXISTS {table.name}")
        elif conn.dialect.name == "duckdb":
            # DELETE of millions of rows is slow in DuckDB (and index maintenance);
            # dropping and re-creating the table is transactional and instant.
            conn.execute(sa.schema.DropTable(table, if_exists=True))
            table.create(conn)
        else:
            # DELETE, not TRUNCATE, on PostgreSQL: readers keep the old rows until commit.
            conn.execute(table.delete())


def append_frame(conn: sa.Connection, table: sa.Table, frame: pl.DataFrame) -> None:
    """Plain bulk insert (no key checks beyond the table's own), for fresh loads.

    The demo-data generator streams chunks into empty tables: an upsert would
    compare every chunk with everything loaded before it.
    """
    if frame.is_empty():
        return
    _mark_changed(conn, table)
    forget_summaries(conn, table)
    columns = [c for c in frame.columns if c in table.c]
    frame = frame.select(columns)
    if conn.dialect.name == "duckdb":
        raw = conn.connection.driver_connection
        staging = "_cxdash_append"
        raw.register(staging, frame.to_arrow())
        try:
            cols = quoted_names(conn, columns)
            raw.execute(f"INSERT INTO {table.name} ({cols}) SELECT {cols} FROM {staging}")
        finally:
            with contextlib.suppress(Exception):
                raw.unregister(staging)
    elif conn.dialect.name == "postgresql":
        cursor = conn.connection.driver_connection.cursor()
        with cursor.copy(f"COPY {table.name} ({quoted_names(conn, columns)}) FROM STDIN") as copy:
            for row in frame.iter_rows():
                copy.write_row(row)
    elif is_clickhouse(conn):
        with _staged_parquet(frame) as path:
            _insert_parquet(conn, table, path, columns)
    else:
        conn.execute(table.insert(), frame.to_dicts())
