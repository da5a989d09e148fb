"""Data health: what is in the store and how it arrived (for the Data page).

Row counts per table, the time each table covers, the share of feedback that is
anonymous or names an unknown customer (orphans), and the last import, read from
the ``cxdash_imports`` log that every load (:func:`dashboard.ingest.write.load`) keeps in the
store itself (so it works the same on DuckDB, PostgreSQL and SQLite).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import polars as pl
import sqlalchemy as sa

from dashboard import db
from queries import schema
from queries.health import (
    TIME_COLUMNS,
    counts_statement,
    coverage_statement,
    feedback_customers_statement,
    recent_imports_statement,
)


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
