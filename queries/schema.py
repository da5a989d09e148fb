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


# -- access: who may sign in, their scopes, and the audit trail (DESIGN.md "Access") ------
# Written by `cxdash users` and the Users page, never by imports. Emails are stored trimmed
# and in lower case: sign-in compares them case-insensitively.

ROLES = ("executive", "manager", "analyst", "admin")

users = sa.Table(
    "cxdash_users",
    metadata,
    sa.Column("email", sa.String, primary_key=True, comment="lower case"),
    sa.Column("role", sa.String, nullable=False),
    sa.Column("active", sa.Boolean, nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("updated_at", sa.DateTime, nullable=False),
    sa.Column("updated_by", sa.String, nullable=False),
    sa.CheckConstraint(
        "role IN (" + ", ".join(f"'{r}'" for r in ROLES) + ")", name="ck_cxdash_users_role"
    ),
)

user_scopes = sa.Table(
    "cxdash_user_scopes",
    metadata,
    # One row per allowed value: region=TP.HCM and region=Đà Nẵng are two rows. A user
    # without rows sees the whole store.
    sa.Column("email", sa.String, primary_key=True),
    sa.Column("dimension", sa.String, primary_key=True),
    sa.Column("value", sa.String, primary_key=True),
)

audit_log = sa.Table(
    "cxdash_audit",
    metadata,
    # Appended to, never updated: who did what, when, in which scope, on how many rows.
    # Never comment text, passwords or customers' personal data (dashboard.audit).
    sa.Column("event_id", sa.String, primary_key=True, comment="random, unique"),
    sa.Column("occurred_at", sa.DateTime, nullable=False, comment="UTC"),
    sa.Column("actor", sa.String, nullable=False, comment="email, or cli:<os user>"),
    sa.Column("role", sa.String),
    sa.Column("action", sa.String, nullable=False),
    sa.Column("detail", sa.String),
    sa.Column("scope", sa.String, comment="DIM=VALUE ...; empty = the whole store"),
    sa.Column("row_count", sa.BigInteger),
    sa.Column("origin", sa.String, nullable=False, comment="app | cli"),
    sa.Index("ix_cxdash_audit_occurred_at", "occurred_at"),
)

ACCESS_TABLES = (users, user_scopes, audit_log)


# The store's data version: one row, bumped in the same transaction as every write that
# changes what a view shows (imports, summary refreshes, follow-up changes, comment
# labels...; not the audit trail). The dashboard reads it once per run and keys every
# cached result by it, so every session sees new data at its next interaction.
data_version = sa.Table(
    "cxdash_data_version",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("version", sa.BigInteger, nullable=False),
)


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
    # ClickHouse has no secondary indexes either: its tables are sorted for the views
    # (queries.clickhouse).
    name = kw.get("dialect", bind.dialect if bind is not None else None).name
    return name not in {"duckdb", "chdb", "clickhouse", "clickhousedb"}


# Secondary indexes serve PostgreSQL and SQLite. DuckDB prunes by zone maps and its
# ART indexes only slow bulk loads and upserts, so it gets the primary keys alone.
for _table in metadata.tables.values():
    for _index in _table.indexes:
        _index.ddl_if(callable_=_not_duckdb)

# -- what customers say: analysis, labels, models (DESIGN.md "Comments") ----------------
# A metadata of their own: they are derived from or added to the five source tables
# above, not part of the data contract, and tools that copy the source tables (the
# naive benchmark) need not copy them. ``create_all`` creates them with the rest.

SENTIMENTS = ("negative", "neutral", "positive")
SENTIMENT_SOURCES = ("label", "model", "baseline")

comment_facts = sa.Table(
    "comment_facts",
    metadata,
    # One row per feedback response with a non-empty comment, rebuilt by
    # dashboard.text.service.analyse_comments.
    sa.Column("response_id", sa.String, primary_key=True),
    sa.Column("text_norm", sa.Text, nullable=False, comment="normalise(comment)"),
    sa.Column("text_folded", sa.Text, nullable=False, comment="fold(comment): search"),
    sa.Column("words", sa.Text, nullable=False, comment="' '-padded normalised words: themes"),
    sa.Column("words_folded", sa.Text, nullable=False, comment="the same without diacritics"),
    sa.Column("language", sa.String, comment="the import's language, else the detected one"),
    sa.Column("language_source", sa.String, comment="import | detected | NULL (undecided)"),
    sa.Column("sentiment", sa.String, nullable=False),
    sa.Column("sentiment_source", sa.String, nullable=False),
    sa.Column("margin", sa.Double, comment="confidence of the model (or |lexicon score|)"),
    sa.Column("model_version", sa.Integer, comment="the model that scored it (source model)"),
    sa.Column("themes", sa.Text, nullable=False, comment="';'-joined, sorted; '' for none"),
    sa.Column("analysed_at", sa.DateTime, nullable=False),
    sa.CheckConstraint(
        "sentiment IN ('negative', 'neutral', 'positive')", name="ck_comment_facts_sentiment"
    ),
    sa.CheckConstraint(
        "sentiment_source IN ('label', 'model', 'baseline')", name="ck_comment_facts_source"
    ),
)

comment_themes = sa.Table(
    "comment_themes",
    metadata,
    # The themes of comment_facts.themes, one row each, for filters and aggregates.
    sa.Column("response_id", sa.String, primary_key=True),
    sa.Column("theme", sa.String, primary_key=True),
    sa.Index("ix_comment_themes_theme", "theme", "response_id"),
)

comment_labels = sa.Table(
    "comment_labels",
    metadata,
    # What people said a comment is. Apart from feedback, so that re-imports keep it.
    sa.Column("response_id", sa.String, primary_key=True),
    sa.Column("sentiment", sa.String, nullable=False),
    sa.Column("themes", sa.Text, comment="';'-joined; NULL = themes not labelled, '' = none"),
    sa.Column("labelled_by", sa.String, nullable=False),
    sa.Column("labelled_at", sa.DateTime, nullable=False),
    sa.CheckConstraint(
        "sentiment IN ('negative', 'neutral', 'positive')", name="ck_comment_labels_sentiment"
    ),
)

sentiment_models = sa.Table(
    "sentiment_models",
    metadata,
    # Models this store trained from its own labels; the bytes travel with the store.
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("created_by", sa.String, nullable=False),
    sa.Column("languages", sa.String, comment="';'-joined languages of its training labels"),
    sa.Column("n_labels", sa.Integer, nullable=False),
    sa.Column("metrics", sa.Text, nullable=False, comment="JSON: cross-validated quality"),
    sa.Column("model", sa.LargeBinary, nullable=False),
    sa.Column("active", sa.Boolean, nullable=False),
    sa.Column("activated_at", sa.DateTime),
    sa.Column("activated_by", sa.String),
)

theme_taxonomies = sa.Table(
    "theme_taxonomies",
    metadata,
    # The business's edited theme taxonomy (TOML text); the latest version is in force,
    # none at all means the default file shipped with cxdash.
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("saved_at", sa.DateTime, nullable=False),
    sa.Column("saved_by", sa.String, nullable=False),
)

TEXT_TABLES = {
    t.name: t
    for t in (comment_facts, comment_themes, comment_labels, sentiment_models, theme_taxonomies)
}
for _table in TEXT_TABLES.values():
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
