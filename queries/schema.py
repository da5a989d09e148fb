"""The store's tables, declared in code (never reflected).

Column names are exactly the canonical ones of DESIGN.md's data contract.
Declared without a schema name so that one metadata serves DuckDB, SQLite and
PostgreSQL (where tests point ``search_path`` at a schema of their own).
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

# Customer dimensions that filters and breakdowns may use, in display order.
DIMENSIONS = ("segment", "region", "channel", "age_band", "gender", "income_band")

customers = sa.Table(
    "customers",
    metadata,
    sa.Column("customer_id", sa.String, primary_key=True),
    sa.Column("segment", sa.String),
    sa.Column("region", sa.String),
    sa.Column("channel", sa.String, comment="acquisition channel"),
    sa.Column("age_band", sa.String),
    sa.Column("gender", sa.String),
    sa.Column("income_band", sa.String),
    sa.Column("signup_at", sa.DateTime),
    sa.Column("name", sa.String),
    sa.Column("email", sa.String),
    sa.Column("phone", sa.String),
)

events = sa.Table(
    "events",
    metadata,
    # event_id is optional in source files; the importer derives a stable one
    # (hash of customer, stage, time, amount) so re-imports stay idempotent.
    sa.Column("event_id", sa.String, primary_key=True),
    sa.Column("customer_id", sa.String, nullable=False),
    sa.Column("stage", sa.String, nullable=False),
    sa.Column("occurred_at", sa.DateTime, nullable=False),
    sa.Column("amount", sa.Double),
    sa.Column("channel", sa.String),
    sa.Index("ix_events_occurred_at", "occurred_at"),
    sa.Index("ix_events_customer_stage", "customer_id", "stage", "occurred_at"),
)

feedback = sa.Table(
    "feedback",
    metadata,
    sa.Column("response_id", sa.String, primary_key=True),
    sa.Column("responded_at", sa.DateTime, nullable=False),
    sa.Column("touchpoint", sa.String, nullable=False),
    sa.Column("customer_id", sa.String),
    sa.Column("nps", sa.SmallInteger),
    sa.Column("csat", sa.SmallInteger),
    sa.Column("ces", sa.SmallInteger),
    sa.Column("comment", sa.Text),
    sa.Column("channel", sa.String, comment="survey channel"),
    sa.Column("language", sa.String),
    sa.CheckConstraint("nps IS NULL OR (nps >= 0 AND nps <= 10)", name="ck_feedback_nps"),
    sa.CheckConstraint("csat IS NULL OR (csat >= 1 AND csat <= 5)", name="ck_feedback_csat"),
    sa.CheckConstraint("ces IS NULL OR (ces >= 1 AND ces <= 7)", name="ck_feedback_ces"),
    sa.CheckConstraint(
        "nps IS NOT NULL OR csat IS NOT NULL OR ces IS NOT NULL OR comment IS NOT NULL",
        name="ck_feedback_has_content",
    ),
    sa.Index("ix_feedback_responded_at", "responded_at"),
    sa.Index("ix_feedback_touchpoint", "touchpoint", "responded_at"),
    sa.Index("ix_feedback_customer", "customer_id"),
)

stages = sa.Table(
    "stages",
    metadata,
    sa.Column("stage", sa.String, primary_key=True),
    sa.Column("position", sa.Integer, nullable=False, unique=True),
    sa.Column("label", sa.String),
)

touchpoints = sa.Table(
    "touchpoints",
    metadata,
    sa.Column("touchpoint", sa.String, primary_key=True),
    sa.Column("journey_phase", sa.String),
    sa.Column("target_csat", sa.Double),
    sa.Column("target_nps", sa.Double),
    sa.CheckConstraint(
        "target_csat IS NULL OR (target_csat >= 0 AND target_csat <= 100)",
        name="ck_touchpoints_target_csat",
    ),
    sa.CheckConstraint(
        "target_nps IS NULL OR (target_nps >= -100 AND target_nps <= 100)",
        name="ck_touchpoints_target_nps",
    ),
)

# -- the closed loop: follow-up items and their event log --------------------------------
# Written by the dashboard, never by imports: these are not source tables of the summaries
# (queries.rollups.SOURCE_TABLES) and are not in TABLES, so imports, the demo generator's
# ``empty_tables`` and summary rebuilds leave them alone.

FOLLOWUP_STATUSES = ("new", "contacted", "resolved", "unreachable", "closed")

followups = sa.Table(
    "followups",
    metadata,
    # One item per detractor / CSAT 1-2 response: the response's key is the item's key,
    # which is what makes creating them idempotent.
    sa.Column("response_id", sa.String, primary_key=True),
    sa.Column("customer_id", sa.String, nullable=False),
    # A copy of the response as it was when the item was created.
    sa.Column("touchpoint", sa.String, nullable=False),
    sa.Column("responded_at", sa.DateTime, nullable=False),
    sa.Column("nps", sa.SmallInteger),
    sa.Column("csat", sa.SmallInteger),
    sa.Column("status", sa.String, nullable=False),
    sa.Column("owner", sa.String),
    sa.Column("due_at", sa.DateTime, nullable=False, comment="responded_at + SLA"),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("updated_at", sa.DateTime, nullable=False),
    sa.Column("updated_by", sa.String, nullable=False),
    # Optimistic concurrency: every change is UPDATE ... WHERE version = <read version>.
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("first_contact_at", sa.DateTime, comment="when it first became 'contacted'"),
    sa.CheckConstraint(
        "status IN (" + ", ".join(f"'{s}'" for s in FOLLOWUP_STATUSES) + ")",
        name="ck_followups_status",
    ),
    sa.Index("ix_followups_customer", "customer_id"),
    sa.Index("ix_followups_status_due", "status", "due_at"),
)

followup_events = sa.Table(
    "followup_events",
    metadata,
    # '<response_id>#<version>': the change that produced that version of the item. Two
    # writers that both read version n can never both log version n + 1.
    sa.Column("event_id", sa.String, primary_key=True),
    sa.Column("response_id", sa.String, nullable=False),
    sa.Column("version", sa.Integer, nullable=False, comment="the item's version after it"),
    # "at" is a reserved word in DuckDB.
    sa.Column("changed_at", sa.DateTime, nullable=False),
    sa.Column("actor", sa.String, nullable=False),
    sa.Column("from_status", sa.String, comment="NULL when the item was created"),
    sa.Column("to_status", sa.String, nullable=False),
    sa.Column("owner_from", sa.String),
    sa.Column("owner_to", sa.String),
    sa.Column("note", sa.Text),
    sa.Index("ix_followup_events_response", "response_id", "version"),
)

FOLLOWUP_TABLES = (followups, followup_events)


# When each import ran: kept in the store itself so every backend has it.
import_log = sa.Table(
    "cxdash_imports",
    metadata,
    sa.Column("imported_at", sa.DateTime, nullable=False),
    sa.Column("table_name", sa.String, nullable=False),
    sa.Column("file", sa.String, nullable=False),
    sa.Column("rows_read", sa.Integer),
    sa.Column("rows_inserted", sa.Integer),
    sa.Column("rows_updated", sa.Integer),
    sa.Column("encoding", sa.String),
    sa.Column("mapping", sa.String),
)


def _not_duckdb(ddl, target, bind, **kw) -> bool:
    return kw.get("dialect", bind.dialect if bind is not None else None).name != "duckdb"


# Secondary indexes serve PostgreSQL and SQLite. DuckDB prunes by zone maps and its
# ART indexes only slow bulk loads and upserts, so it gets the primary keys alone.
for _table in metadata.tables.values():
    for _index in _table.indexes:
        _index.ddl_if(callable_=_not_duckdb)

TABLES = {t.name: t for t in (customers, events, feedback, stages, touchpoints)}

# Key column(s) per table: what an import upserts by.
KEYS = {
    "customers": ("customer_id",),
    "events": ("event_id",),
    "feedback": ("response_id",),
    "stages": ("stage",),
    "touchpoints": ("touchpoint",),
}
