"""What the Data page does with an uploaded file, without Streamlit.

The page shows a mapping to edit (the identity mapping when the header already has the
canonical names, else a suggested one), plans the import with it (same validation as
the CLI) and writes the plan. The uploaded bytes stay in the page's uploader; each step
writes them to a private temporary folder that is removed when the step ends, whatever
happens (:func:`uploaded_files`), so no upload is ever left on the server's disk. A
mapping's ``[[lookups]]`` may only name files uploaded in the same step.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
import tomllib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import sqlalchemy as sa

from dashboard.i18n import N_, _
from dashboard.ingest import ImportPlan, plan_import, write_plans
from dashboard.ingest.mapping import Mapping, MappingError, parse_mapping
from dashboard.ingest.paths import FileScope
from dashboard.ingest.read import FileRejected, open_source
from dashboard.ingest.suggest import suggest_mapping, to_toml
from dashboard.ingest.validate import required_columns
from queries import schema

UPLOAD_LIMIT_MB = 200
UPLOAD_TYPES = ("csv", "tsv", "txt", "xlsx", "parquet", "gz", "bz2", "xz")
PREVIEW_ROWS = 20
UPLOAD_ADVICE = N_("upload it together with the main file, under Lookup files")


@dataclass(frozen=True)
class Upload:
    """One uploaded file: its name as the browser sent it, and its bytes."""

    name: str
    content: bytes

    @property
    def safe_name(self) -> str:
        """The name without any folder part (a browser may send one)."""
        return Path(self.name).name or "upload.csv"


def check_size(upload: Upload) -> None:
    """Refuse an upload over the limit (bigger files belong to ``cxdash import``)."""
    size_mb = len(upload.content) / 1_048_576
    if size_mb > UPLOAD_LIMIT_MB:
        raise FileRejected(
            _(
                "{name}: {size_mb:,.0f} MB is over the upload limit of "
                "{upload_limit_mb} MB; import big files with `cxdash import` on the "
                "server instead"
            ).format(name=upload.name, size_mb=size_mb, upload_limit_mb=UPLOAD_LIMIT_MB)
        )


@contextlib.contextmanager
def uploaded_files(main: Upload, lookups: Sequence[Upload] = ()) -> Iterator[Path]:
    """The uploads written to a new private folder; yields the main file's path.

    The folder and everything in it is removed when the block ends -- normally, on a
    rejection or on any error.
    """
    for upload in (main, *lookups):
        check_size(upload)
    names = [u.safe_name for u in lookups]
    if main.safe_name in names or len(set(names)) < len(names):
        raise FileRejected(_("two uploaded files are called the same; give each file its own name"))
    folder = Path(tempfile.mkdtemp(prefix="cxdash_upload_"))
    try:
        for upload in (main, *lookups):
            (folder / upload.safe_name).write_bytes(upload.content)
        yield folder / main.safe_name
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def starting_mapping(upload: Upload, table: str) -> str:
    """Mapping TOML to show first: identity if the header is canonical, else a suggestion."""
    with uploaded_files(upload) as path:
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
    return to_toml(suggest_mapping(header, table), file=upload.safe_name)


def mapping_from_text(text: str, table: str) -> Mapping | None:
    """The edited mapping (None: identity). Raises MappingError with the TOML problem."""
    try:
        raw = tomllib.loads(text) if text.strip() else {}
    except tomllib.TOMLDecodeError as exc:
        raise MappingError(_("the mapping is not valid TOML: {exc}").format(exc=exc)) from None
    if set(raw) <= {"table"}:
        return None
    return parse_mapping(raw, table=table, origin=_("the mapping"), text=text)


def plan_upload(
    upload: Upload,
    table: str,
    mapping_text: str,
    engine: sa.Engine,
    lookups: Sequence[Upload] = (),
) -> ImportPlan:
    """Validate the upload with the edited mapping; writes nothing.

    The mapping's ``[[lookups]]`` may name only the files of ``lookups`` (uploaded in the
    same step), by their names. The plan keeps the valid rows, not the files.
    """
    mapping = mapping_from_text(mapping_text, table)
    with uploaded_files(upload, lookups) as path:
        names = ", ".join(u.safe_name for u in lookups) or _("none")
        label = _("the files uploaded with it (lookup files: {names})").format(names=names)
        scope = FileScope.of([path.parent], advice=UPLOAD_ADVICE, label=label)
        plan = plan_import(
            path, table, engine=engine, mapping=mapping, files=scope, display_name=upload.safe_name
        )
    if not plan.report.ok:
        plan.close()  # its rows will never be written: no spilled copy stays behind
    return plan


def preview(plan: ImportPlan, rows: int = PREVIEW_ROWS) -> pl.DataFrame:
    """The first rows as they would be stored (canonical columns, typed)."""
    return plan.head(rows)


def commit(plan: ImportPlan, engine: sa.Engine) -> None:
    """Write the plan; then its spilled rows are removed (the preview stays)."""
    try:
        write_plans([plan], engine)
    finally:
        if plan.report.status == "written":
            plan.close(PREVIEW_ROWS)
