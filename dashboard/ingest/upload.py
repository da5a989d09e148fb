"""What the Data page does with an uploaded file, without Streamlit.

The page stores the upload in a temporary folder, shows a mapping to edit (the
identity mapping when the header already has the canonical names, else a suggested
one), plans the import with it (same validation as the CLI) and writes the plan.
"""

from __future__ import annotations

import tempfile
import tomllib
from pathlib import Path

import polars as pl
import sqlalchemy as sa

from dashboard.ingest import ImportPlan, plan_import, write_plans
from dashboard.ingest.mapping import Mapping, MappingError, parse_mapping
from dashboard.ingest.read import FileRejected, open_source
from dashboard.ingest.suggest import suggest_mapping, to_toml
from dashboard.ingest.validate import required_columns
from queries import schema

UPLOAD_LIMIT_MB = 200
UPLOAD_TYPES = ("csv", "tsv", "txt", "xlsx", "parquet")
PREVIEW_ROWS = 20


def save_upload(name: str, content: bytes, folder: Path | None = None) -> Path:
    """Write an upload to a private temporary file; refuses files over the limit."""
    size_mb = len(content) / 1_048_576
    if size_mb > UPLOAD_LIMIT_MB:
        raise FileRejected(
            f"{name}: {size_mb:,.0f} MB is over the upload limit of {UPLOAD_LIMIT_MB} MB; "
            "import big files with `cxdash import` on the server instead"
        )
    folder = folder or Path(tempfile.mkdtemp(prefix="cxdash_upload_"))
    safe = Path(name).name or "upload.csv"
    path = folder / safe
    path.write_bytes(content)
    return path


def starting_mapping(path: Path, table: str) -> str:
    """Mapping TOML to show first: identity if the header is canonical, else a suggestion."""
    source = open_source(path)
    try:
        header = source.columns
    finally:
        source.close()
    canonical = {str(c.name) for c in schema.TABLES[table].c}
    names = {h.strip().casefold() for h in header}
    if all(c in names for c in required_columns(table)):
        used = sorted(names & canonical)
        return (
            f'table = "{table}"\n# The header already uses canonical names: '
            f"{', '.join(used)}.\n# Add [columns] / [constants] here only to change that.\n"
        )
    return to_toml(suggest_mapping(header, table), file=path.name)


def mapping_from_text(text: str, table: str) -> Mapping | None:
    """The edited mapping (None: identity). Raises MappingError with the TOML problem."""
    try:
        raw = tomllib.loads(text) if text.strip() else {}
    except tomllib.TOMLDecodeError as exc:
        raise MappingError(f"the mapping is not valid TOML: {exc}") from None
    if set(raw) <= {"table"}:
        return None
    return parse_mapping(raw, table=table, origin="mapping from the page")


def plan_upload(path: Path, table: str, mapping_text: str, engine: sa.Engine) -> ImportPlan:
    """Validate the upload with the edited mapping; writes nothing."""
    mapping = mapping_from_text(mapping_text, table)
    return plan_import(path, table, engine=engine, mapping=mapping)


def preview(plan: ImportPlan, rows: int = PREVIEW_ROWS) -> pl.DataFrame:
    """The first rows as they would be stored (canonical columns, typed)."""
    return plan.lazy().head(rows).collect()


def commit(plan: ImportPlan, engine: sa.Engine) -> None:
    write_plans([plan], engine)
