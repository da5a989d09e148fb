"""Writing planned imports: one transaction for all files, summaries refreshed before commit."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import sqlalchemy as sa

from dashboard import db, rollup_store
from dashboard.ingest.mapping import (
    Mapping,
)
from dashboard.ingest.plan import ImportPlan, plan_directory, plan_import
from dashboard.ingest.report import ImportRejected, ImportReport
from queries import rollups, schema

# When each import ran: kept in the store itself so every backend has it.
import_log_metadata = sa.MetaData()
import_log = sa.Table(
    "cxdash_imports",
    import_log_metadata,
    sa.Column("imported_at", sa.DateTime, nullable=False),
    sa.Column("table_name", sa.String, nullable=False),
    sa.Column("file", sa.String, nullable=False),
    sa.Column("rows_read", sa.Integer),
    sa.Column("rows_inserted", sa.Integer),
    sa.Column("rows_updated", sa.Integer),
    sa.Column("encoding", sa.String),
    sa.Column("mapping", sa.String),
)
# -- writing -----------------------------------------------------------------------------------


def write_plans(plans: Iterable[ImportPlan], engine: sa.Engine | None = None) -> None:
    """Write every plan in one transaction; refuses if any plan has an error."""
    plans = list(plans)
    engine = engine or db.default_engine()
    rejected = [p for p in plans if not p.report.ok]
    if rejected:
        raise ImportRejected("\n\n".join(p.report.render() for p in rejected))
    now = datetime.now(UTC).replace(tzinfo=None)
    with db.begin(engine) as conn:
        summaries_were_up_to_date = rollup_store.up_to_date(conn)
        for plan in plans:
            # Nothing of this file is in the store yet: a plain bulk insert is enough (a
            # row written meanwhile by someone else fails the key and rolls back all).
            fresh = plan.report.would_insert == plan.report.rows_valid
            write = db.append_frame if fresh else db.upsert_frame
            for batch in plan.batches():
                write(conn, schema.TABLES[plan.table], batch)
        changed = {p.table for p in plans} & rollups.SOURCE_TABLES
        if changed:  # before commit: never data without its summaries
            rollup_store.refresh(conn, changed=changed if summaries_were_up_to_date else None)
        import_log.create(conn, checkfirst=True)
        log = pl.DataFrame(
            [
                {
                    "imported_at": now,
                    "table_name": p.table,
                    "file": p.report.file,
                    "rows_read": p.report.rows_read,
                    "rows_inserted": p.report.would_insert,
                    "rows_updated": p.report.would_update,
                    "encoding": p.encoding,
                    "mapping": p.mapping.origin,
                }
                for p in plans
            ],
            schema={
                "imported_at": pl.Datetime("us"),
                "table_name": pl.String,
                "file": pl.String,
                "rows_read": pl.Int64,
                "rows_inserted": pl.Int64,
                "rows_updated": pl.Int64,
                "encoding": pl.String,
                "mapping": pl.String,
            },
        )
        db.append_frame(conn, import_log, log)
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
) -> list[ImportReport]:
    """Plan a mapping directory and write all of it in one transaction (unless rejected)."""
    plans = plan_directory(mapping_dir, data_dir, engine=engine)
    if dry_run:
        for plan in plans:
            plan.report.status = "dry-run"
    elif all(p.report.ok for p in plans):
        write_plans(plans, engine)
    else:
        for plan in plans:
            plan.report.status = "rejected"
    return [p.report for p in plans]
