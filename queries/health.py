"""Statements of the Data page's health summary: row counts, the time each table covers,
anonymous and orphan feedback, the latest imports."""

from __future__ import annotations

import sqlalchemy as sa

from queries import schema
from queries.schema import import_log

TIME_COLUMNS = {
    "customers": "signup_at",
    "events": "occurred_at",
    "feedback": "responded_at",
}


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
