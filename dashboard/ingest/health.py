"""Data health: what is in the store and how it arrived (for the Data page).

Row counts per table, the time each table covers, the share of feedback that is
anonymous or names an unknown customer (orphans), and the last import, read from
the ``cxdash_imports`` log that :func:`dashboard.ingest.write_plans` keeps in the
store itself (so it works the same on DuckDB, PostgreSQL and SQLite).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import polars as pl
import sqlalchemy as sa

from dashboard import db
from dashboard.ingest import import_log
from queries import schema

TIME_COLUMNS = {
    "customers": "signup_at",
    "events": "occurred_at",
    "feedback": "responded_at",
}


@dataclass
class DataHealth:
    """A summary of the store's contents."""

    counts: dict[str, int] = field(default_factory=dict)
    coverage: dict[str, tuple[datetime | None, datetime | None]] = field(default_factory=dict)
    feedback_total: int = 0
    anonymous: int = 0
    orphans: int = 0
    last_import: datetime | None = None
    recent_imports: pl.DataFrame = field(default_factory=pl.DataFrame)

    def share(self, part: int) -> float | None:
        """``part`` as a percentage of all feedback (None without feedback)."""
        return 100.0 * part / self.feedback_total if self.feedback_total else None

    def coverage_frame(self) -> pl.DataFrame:
        """Columns: table, rows, from, to."""
        return pl.DataFrame(
            {
                "table": list(self.counts),
                "rows": list(self.counts.values()),
                "from": [self.coverage.get(t, (None, None))[0] for t in self.counts],
                "to": [self.coverage.get(t, (None, None))[1] for t in self.counts],
            },
            schema={"table": pl.String, "rows": pl.Int64, "from": pl.Datetime, "to": pl.Datetime},
        )


def counts_statement() -> sa.Select:
    """One row: the number of rows of each table (columns named after the tables)."""
    return sa.select(
        *(
            sa.select(sa.func.count()).select_from(t).scalar_subquery().label(str(name))
            for name, t in schema.TABLES.items()
        )
    )


def coverage_statement() -> sa.Select:
    """One row: ``<table>_from`` / ``<table>_to`` for each table with a time column."""
    parts = []
    for name, column in TIME_COLUMNS.items():
        col = schema.TABLES[name].c[column]
        parts.append(sa.select(sa.func.min(col)).scalar_subquery().label(f"{name}_from"))
        parts.append(sa.select(sa.func.max(col)).scalar_subquery().label(f"{name}_to"))
    return sa.select(*parts)


def feedback_customers_statement() -> sa.Select:
    """One row: total feedback, anonymous (no customer_id), orphans (unknown customer_id)."""
    fb, customers = schema.feedback, schema.customers
    known = sa.exists().where(customers.c.customer_id == fb.c.customer_id)
    return sa.select(
        sa.func.count().label("total"),
        sa.func.sum(sa.case((fb.c.customer_id.is_(None), 1), else_=0)).label("anonymous"),
        sa.func.sum(sa.case((sa.and_(fb.c.customer_id.is_not(None), ~known), 1), else_=0)).label(
            "orphans"
        ),
    ).select_from(fb)


def recent_imports_statement(limit: int = 10) -> sa.Select:
    return sa.select(import_log).order_by(import_log.c.imported_at.desc()).limit(limit)


def data_health(engine: sa.Engine) -> DataHealth:
    """Read the health summary; raises :class:`db.SchemaMissing` on a store without tables."""
    counts = db.fetch(counts_statement(), engine).row(0, named=True)
    coverage = db.fetch(coverage_statement(), engine).row(0, named=True)
    fb = db.fetch(feedback_customers_statement(), engine).row(0, named=True)
    health = DataHealth(
        # str(): the schema's table names are SQLAlchemy quoted_name objects
        counts={str(name): int(counts[name] or 0) for name in schema.TABLES},
        coverage={
            name: (_as_datetime(coverage[f"{name}_from"]), _as_datetime(coverage[f"{name}_to"]))
            for name in TIME_COLUMNS
        },
        feedback_total=int(fb["total"] or 0),
        anonymous=int(fb["anonymous"] or 0),
        orphans=int(fb["orphans"] or 0),
    )
    try:
        recent = db.fetch(recent_imports_statement(), engine)
    except db.StoreError:  # no import has run on this store yet: no log table
        recent = pl.DataFrame()
    if recent.height:
        health.recent_imports = recent
        health.last_import = _as_datetime(recent.get_column("imported_at")[0])
    return health


def _as_datetime(value) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))  # SQLite hands back text from subqueries
