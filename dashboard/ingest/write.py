"""Writing to the store: one loading primitive, used by imports and the demo generator.

:func:`load` is the one write path: a single transaction that optionally empties tables,
takes frames (:class:`Loader`), rebuilds the summary tables the changed tables feed and
appends to the import log (``cxdash_imports``) before it commits -- so readers never see
rows without their summaries, and every load leaves a trace. :func:`write_plans` writes
planned imports through it; ``data.generator`` writes the demo data through it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import sqlalchemy as sa

from dashboard import db, followup, rollup_store
from dashboard.i18n import _
from dashboard.ingest.mapping import (
    Mapping,
)
from dashboard.ingest.plan import ImportPlan, plan_directory, plan_import
from dashboard.ingest.report import ImportRejected, ImportReport
from dashboard.ingest.validate import unique_columns
from dashboard.text import service as text_service
from queries import rollups, schema
from queries.schema import import_log

_KEY_CHUNK = 5000

_LOG_SCHEMA = {
    "imported_at": pl.Datetime("us"),
    "table_name": pl.String,
    "file": pl.String,
    "rows_read": pl.Int64,
    "rows_inserted": pl.Int64,
    "rows_updated": pl.Int64,
    "encoding": pl.String,
    "mapping": pl.String,
}

# Tables whose new rows may call for follow-up items: a detractor response, or the customer
# whose earlier responses were orphans until now (items need a known customer).
FOLLOWUP_SOURCES = frozenset({"feedback", "customers"})

# -- loading -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class LogEntry:
    """One row of the import log: what a load took into one table, and from where.

    ``None`` counts mean unknown (e.g. an upsert that did not count its updates).
    """

    table_name: str
    file: str  # the source file, or the load's origin (e.g. "demo-data small seed 42")
    rows_read: int | None = None
    rows_inserted: int | None = None
    rows_updated: int | None = None
    encoding: str | None = None
    mapping: str | None = None  # where the column mapping came from


class Loader:
    """Writes frames into the store inside :func:`load`'s transaction, and keeps count.

    Tables are named as in ``queries.schema.TABLES``. Use it from one thread.
    """

    def __init__(self, conn: sa.Connection, emptied: Iterable[str] = ()) -> None:
        self._conn = conn
        self._emptied = list(emptied)
        self.rows: dict[str, int] = {}  # rows written per table, in order of first write
        self._appended: dict[str, int] = {}
        self._upserted: dict[str, int] = {}
        self._entries: list[LogEntry] = []
        self._feedback_ids: list[pl.Series] = []  # responses written: their comments analysed

    def _written(self, table_name: str, frame: pl.DataFrame) -> None:
        if table_name == "feedback" and "response_id" in frame.columns:
            self._feedback_ids.append(frame.get_column("response_id").cast(pl.String))

    @property
    def feedback_ids(self) -> list[str]:
        """The response ids this load wrote (appended, upserted or replaced)."""
        if not self._feedback_ids:
            return []
        return pl.concat(self._feedback_ids).unique(maintain_order=True).to_list()

    def append(self, table_name: str, frame: pl.DataFrame) -> None:
        """Bulk-insert rows that are not in the store yet (no key comparison: fast).

        A row whose key is already stored fails the whole load (nothing is written).
        """
        db.append_frame(self._conn, schema.TABLES[table_name], frame)
        self._written(table_name, frame)
        self._count(self._appended, table_name, frame.height)

    def upsert(self, table_name: str, frame: pl.DataFrame) -> None:
        """Insert rows, replacing stored rows with the same key."""
        db.upsert_frame(self._conn, schema.TABLES[table_name], frame)
        self._written(table_name, frame)
        self._count(self._upserted, table_name, frame.height)

    @property
    def connection(self) -> sa.Connection:
        """The load's connection, for writes that belong in its transaction (e.g. the
        demo generator's follow-up queue)."""
        return self._conn

    def replace(self, table_name: str, frame: pl.DataFrame) -> None:
        """Like :meth:`upsert`, for tables with UNIQUE columns besides the key.

        A row-by-row upsert fails on PostgreSQL and SQLite when rows swap such values
        (stages trading positions): the first row updated clashes with the second before
        it is updated. So the stored rows with the frame's keys are deleted first and the
        frame inserted; columns the frame lacks keep their stored values.
        """
        table = schema.TABLES[table_name]
        key = schema.KEYS[table_name][0]
        keys = frame.get_column(key).to_list()
        missing = [str(c.name) for c in table.c if c.name not in frame.columns]
        for i in range(0, len(keys), _KEY_CHUNK):
            chunk = keys[i : i + _KEY_CHUNK]
            if missing:
                stored = db.fetch_in(
                    self._conn, sa.select(table.c[key], *(table.c[c] for c in missing))
                    .where(table.c[key].in_(chunk))
                )  # fmt: skip
                if stored.height:
                    stored = stored.cast({key: frame.schema[key]}, strict=False)
                    part = frame.filter(pl.col(key).is_in(chunk)).join(stored, on=key, how="left")
                    frame = pl.concat(
                        [frame.filter(~pl.col(key).is_in(chunk)), part], how="diagonal_relaxed"
                    )
            db.execute(self._conn, sa.delete(table).where(table.c[key].in_(chunk)))
        db.append_frame(self._conn, table, frame)
        self._written(table_name, frame)
        self._count(self._upserted, table_name, frame.height)

    def log(self, entry: LogEntry) -> None:
        """Describe one source of this load for the import log (imports: one per file).

        The table counts as changed even if no row was written (its summaries are
        rebuilt, as for any import). Tables written without an entry get one from the
        load's ``origin``.
        """
        self._entries.append(entry)

    @property
    def changed(self) -> set[str]:
        """Tables this load emptied, wrote to or logged."""
        return {*self._emptied, *self.rows, *(e.table_name for e in self._entries)}

    def _entries_for_log(self, origin: str) -> list[LogEntry]:
        """The logged entries, then one from ``origin`` per other changed table."""
        described = {e.table_name for e in self._entries}
        others = [*self.rows, *(t for t in self._emptied if t not in self.rows)]
        return [
            *self._entries,
            *(self._origin_entry(name, origin) for name in others if name not in described),
        ]

    def _origin_entry(self, table_name: str, origin: str) -> LogEntry:
        upserted = self._upserted.get(table_name, 0)
        return LogEntry(
            table_name=table_name,
            file=origin,
            rows_read=self.rows.get(table_name, 0),
            # An upsert does not tell inserts from updates: then both are unknown.
            rows_inserted=None if upserted else self._appended.get(table_name, 0),
            rows_updated=None if upserted else 0,
        )

    def _count(self, counts: dict[str, int], table_name: str, rows: int) -> None:
        counts[table_name] = counts.get(table_name, 0) + rows
        self.rows[table_name] = self.rows.get(table_name, 0) + rows


@contextmanager
def load(
    engine: sa.Engine,
    *,
    origin: str,
    replace: bool | Iterable[str] = False,
    progress: rollup_store.Progress | None = None,
    analyse_comments: bool = True,
) -> Iterator[Loader]:
    """One atomic load into the store: ``with load(engine, origin=...) as loader: ...``.

    Opens one transaction; empties the tables to replace; yields a :class:`Loader`; then,
    before commit, creates the follow-up items of new detractor / CSAT 1-2 responses
    (``followup.sync_in``; existing items are never touched), rebuilds the summary tables
    fed by the tables that changed (only those when the summaries were up to date before,
    all otherwise) and appends one import-log row per :meth:`Loader.log` entry and per
    other changed table. An exception inside the block rolls everything back, emptied
    tables included.

    Parameters
    ----------
    origin
        What the import log calls the source of rows no :meth:`Loader.log` entry
        describes, e.g. ``"demo-data small seed 42"``.
    replace
        ``True`` empties every table of ``queries.schema.TABLES`` first; a collection of
        table names empties those.
    progress
        Called as ``progress(message, fraction)``: ``("removing the existing data", 0.0)``
        before emptying, then each summary step and ``("committing", 1.0)`` at 1.0. The
        caller reports its own writing in between.
    analyse_comments
        The comments of the feedback written (all of them when feedback was emptied)
        get their language, sentiment and themes in the same transaction
        (``dashboard.text.service``): imports are scored as they land. The demo
        generator turns it off to analyse once, after training its model.
    """
    emptied = _tables_to_empty(replace)
    report = progress or (lambda message, fraction: None)
    now = datetime.now(UTC).replace(tzinfo=None)
    with db.begin(engine) as conn:
        db.create_schema(conn)  # a store from before a table existed (e.g. the import log)
        summaries_were_up_to_date = rollup_store.up_to_date(conn)
        if emptied:
            report("removing the existing data", 0.0)
            db.empty_tables(conn, [schema.TABLES[name] for name in emptied])
        loader = Loader(conn, emptied)
        yield loader
        if loader.changed & FOLLOWUP_SOURCES:  # new detractors get their follow-up items
            followup.sync_in(conn)
        if analyse_comments and "feedback" in loader.changed:
            report("comments: language, sentiment and themes", 1.0)
            if "feedback" in emptied:  # every comment is new; old analysis goes
                text_service.analyse_in(conn)
            elif loader.feedback_ids:
                text_service.analyse_in(conn, loader.feedback_ids)
        changed = loader.changed & rollups.SOURCE_TABLES
        if changed:  # before commit: never data without its summaries
            rollup_store.refresh(
                conn,
                lambda message, _: report(message, 1.0),
                changed=changed if summaries_were_up_to_date else None,
            )
        _append_to_log(conn, loader._entries_for_log(origin), now)
        report("committing", 1.0)


def _tables_to_empty(replace: bool | Iterable[str]) -> list[str]:
    if replace is True:
        return list(schema.TABLES)
    if replace is False:
        return []
    names = list(replace)
    unknown = [name for name in names if name not in schema.TABLES]
    if unknown:
        raise ValueError(
            _("unknown tables {unknown}; choose from {tables}").format(
                unknown=unknown, tables=", ".join(schema.TABLES)
            )
        )
    return names


def _append_to_log(conn: sa.Connection, entries: list[LogEntry], now: datetime) -> None:
    if not entries:
        return
    rows = [{"imported_at": now, **asdict(entry)} for entry in entries]
    db.append_frame(conn, import_log, pl.DataFrame(rows, schema=_LOG_SCHEMA))


# -- writing planned imports -------------------------------------------------------------------


def write_plans(plans: Iterable[ImportPlan], engine: sa.Engine | None = None) -> None:
    """Write every plan in one :func:`load`; refuses if any plan has an error."""
    plans = list(plans)
    engine = engine or db.default_engine()
    rejected = [p for p in plans if not p.report.ok]
    if rejected:
        raise ImportRejected("\n\n".join(p.report.render() for p in rejected))
    with load(engine, origin="import") as loader:
        for plan in plans:
            # Nothing of this file is in the store yet: a plain bulk insert is enough (a
            # row written meanwhile by someone else fails the key and rolls back all).
            fresh = plan.report.would_insert == plan.report.rows_valid
            write = loader.append if fresh else loader.upsert
            if not fresh and unique_columns(plan.table):
                write = loader.replace  # stages may trade positions
            for batch in plan.batches():
                write(plan.table, batch)
            loader.log(
                LogEntry(
                    table_name=plan.table,
                    file=plan.report.file,
                    rows_read=plan.report.rows_read,
                    rows_inserted=plan.report.would_insert,
                    rows_updated=plan.report.would_update,
                    encoding=plan.encoding,
                    mapping=plan.mapping.origin,
                )
            )
    for plan in plans:
        plan.report.status = "written"


def import_file(
    path: str | Path,
    table: str,
    *,
    engine: sa.Engine | None = None,
    mapping: Mapping | None = None,
    dry_run: bool = False,
    **options,
) -> ImportReport:
    """Plan and (unless ``dry_run`` or rejected) write one file; returns the report."""
    plan = plan_import(path, table, engine=engine, mapping=mapping, **options)
    if dry_run:
        plan.report.status = "dry-run"
    elif plan.report.ok:
        write_plans([plan], engine)
    else:
        plan.report.status = "rejected"
    return plan.report


def import_directory(
    mapping_dir: str | Path,
    data_dir: str | Path | None = None,
    *,
    engine: sa.Engine | None = None,
    dry_run: bool = False,
    allow_outside: bool = False,
) -> list[ImportReport]:
    """Plan a mapping directory and write all of it in one transaction (unless rejected).

    Its files are read from ``data_dir`` and ``mapping_dir`` only, unless ``allow_outside``.
    """
    plans = plan_directory(mapping_dir, data_dir, engine=engine, allow_outside=allow_outside)
    if dry_run:
        for plan in plans:
            plan.report.status = "dry-run"
    elif all(p.report.ok for p in plans):
        write_plans(plans, engine)
    else:
        for plan in plans:
            plan.report.status = "rejected"
    return [p.report for p in plans]
