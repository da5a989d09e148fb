"""Import CSV / XLSX / Parquet files into the store: one validation path, one transaction.

Every import, canonical or mapped, runs the same steps::

    read the file in batches (ingest_read)        -> text columns + the line of each record
    apply the mapping (ingest_mapping)            -> canonical text columns (identity if none)
    validate (ingest_validate)                    -> typed rows + row errors (vectorised)
    compare with the store                        -> insert / update / unchanged, orphans
    report                                        -> what would happen, every error with its line
    write, only if there is no error              -> db.begin + db.upsert_frame, one transaction

Nothing is written when any row is rejected. Re-importing a file changes nothing (rows
equal to the stored ones are skipped); a later file with the same ids updates them.

Memory: the file is read and validated in batches of 250k records. A file of one
batch stays in memory; from the second batch on, valid typed rows are spilled to
temporary Parquet files and written batch by batch inside the one transaction. What
stays in memory besides one batch: the normalised ids seen (for duplicates), the
store's keys (for insert/update counts) and customer ids (for orphans). Errors beyond
the first ``MAX_KEPT_ERRORS`` are counted, not kept.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import sqlalchemy as sa

from dashboard import db, rollup_store
from dashboard.ingest.mapping import (
    Lookup,
    Mapping,
    MappingError,
    apply_mapping,
    check_mapping,
    identity_mapping,
    load_mapping,
    with_canonical_columns,
)
from dashboard.ingest.read import FileRejected, Source, open_source
from dashboard.ingest.validate import (
    Rules,
    date_order_evidence,
    derive_event_ids,
    duplicate_errors,
    empty_errors,
    key_column,
    required_columns,
    timestamp_columns,
    validate_batch,
)
from queries import rollups, schema

MAX_KEPT_ERRORS = 1000
SHOWN_ERRORS = 20
IMPORT_ORDER = ("stages", "touchpoints", "customers", "events", "feedback")
_KEY_CHUNK = 5000

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


class ImportRejected(ValueError):
    """Some rows were rejected; nothing was written. ``str()`` is the report."""


@dataclass
class ImportReport:
    """What an import found and would do (or did)."""

    file: str
    table: str
    source: str = ""
    mapping: str = "identity"
    row_word: str = "line"
    rows_read: int = 0
    rows_valid: int = 0
    rejected_rows: int = 0
    error_count: int = 0
    errors: pl.DataFrame = field(default_factory=empty_errors)
    duplicates: int = 0
    would_insert: int = 0
    would_update: int = 0
    unchanged: int = 0
    orphan_rows: int = 0
    orphan_customers: int = 0
    orphan_ids: list[str] = field(default_factory=list)
    anonymous_rows: int = 0
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    status: str = "checked"  # checked | written | rejected

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def error_lines(self, limit: int | None = SHOWN_ERRORS) -> list[str]:
        """``file:line: column c: value 'v' rule (fix)`` for the first ``limit`` errors."""
        rows = self.errors.head(limit) if limit is not None else self.errors
        out = []
        for r in rows.iter_rows(named=True):
            value = r["value"]
            shown = "empty" if value is None else f"value {_quote(value)}"
            where = (
                f"{self.file}:{r['line']}"
                if self.row_word == "line"
                else (f"{self.file}: row {r['line']}")
            )
            if value is None:
                out.append(f"{where}: column {r['column']}: {r['rule']} ({r['fix']})")
            else:
                out.append(f"{where}: column {r['column']}: {shown} {r['rule']} ({r['fix']})")
        return out

    def render(self, limit: int = SHOWN_ERRORS) -> str:
        """The report as text for the terminal and the Data page."""
        lines = [f"{self.file} -> {self.table}  ({self.source})", f"mapping: {self.mapping}"]
        lines.append(f"rows read: {self.rows_read:,}")
        verb = {"written": ""}.get(self.status, "would ")
        lines.append(
            f"{verb}insert: {self.would_insert:,} · {verb}update: {self.would_update:,} · "
            f"unchanged: {self.unchanged:,} · rejected rows: {self.rejected_rows:,}"
        )
        if self.duplicates:
            lines.append(f"duplicate ids within the file: {self.duplicates:,}")
        if self.orphan_rows:
            shown = ", ".join(self.orphan_ids[:5])
            rest = self.orphan_customers - min(5, len(self.orphan_ids))
            more = f" and {rest:,} more" if rest > 0 else ""
            lines.append(
                f"orphans (kept): {self.orphan_rows:,} rows name {self.orphan_customers:,} "
                f"customer_id(s) that are not among the customers: {shown}{more}"
            )
        if self.anonymous_rows:
            lines.append(f"anonymous (kept): {self.anonymous_rows:,} rows have no customer_id")
        lines += [f"note: {n}" for n in self.notes]
        lines += [f"warning: {w}" for w in self.warnings]
        if self.error_count:
            lines.append(f"errors ({min(limit, self.error_count)} of {self.error_count:,} shown):")
            lines += ["  " + e for e in self.error_lines(limit)]
        lines.append(self.verdict())
        return "\n".join(lines)

    def verdict(self) -> str:
        if self.error_count:
            return "REJECTED: nothing was written. Fix the rows above and import again."
        if self.status == "written":
            return "IMPORTED."
        return "OK: nothing written yet (dry run)." if self.status == "dry-run" else "OK."


def _quote(value: str) -> str:
    text = value if len(value) <= 60 else value[:57] + "..."
    return "'" + text.replace("\n", "\\n") + "'"


@dataclass
class ImportPlan:
    """Validated rows ready to write, and the report about them.

    Rows of a one-batch file stay in memory; a bigger file's validated batches are
    spilled to Parquet files in a temporary folder (removed with the plan), so memory
    holds one batch at a time, and written batch by batch in the one transaction.
    """

    table: str
    report: ImportReport
    parts: list[pl.DataFrame | Path]
    mapping: Mapping
    encoding: str | None = None
    spill: tempfile.TemporaryDirectory | None = field(default=None, repr=False)

    @property
    def columns(self) -> list[str]:
        return [str(c.name) for c in schema.TABLES[self.table].c]

    def lazy(self) -> pl.LazyFrame:
        """All valid rows, canonical columns in schema order (nothing read until collected)."""
        if not self.parts:
            return pl.LazyFrame(schema={c: pl.String for c in self.columns}).head(0)
        lazy = pl.concat([_lazy_part(p) for p in self.parts], how="diagonal_relaxed")
        names = lazy.collect_schema().names()
        return lazy.select([c for c in self.columns if c in names])

    def frame(self) -> pl.DataFrame:
        return self.lazy().collect()

    def batches(self):
        """The valid rows, one validated batch at a time."""
        for part in self.parts:
            frame = part if isinstance(part, pl.DataFrame) else pl.read_parquet(part)
            yield frame.select([c for c in self.columns if c in frame.columns])

    @property
    def has_rows(self) -> bool:
        return bool(self.parts)


# -- planning ------------------------------------------------------------------------------


def plan_import(
    path: str | Path,
    table: str,
    *,
    engine: sa.Engine | None = None,
    mapping: Mapping | None = None,
    encoding: str | None = None,
    sheet: str | None = None,
    display_name: str | None = None,
    lookup_dirs: list[Path] | None = None,
    same_import: dict[str, pl.DataFrame] | None = None,
    now: datetime | None = None,
) -> ImportPlan:
    """Read, map and validate ``path`` for ``table``; compare with the store. Writes nothing.

    ``same_import`` holds frames of other tables imported together (for orphans and
    stages). Raises :class:`FileRejected` when the file cannot be read as a table or
    lacks a required column.
    """
    engine = engine or db.default_engine()
    path = Path(path)
    if mapping is not None and mapping.table != table:
        raise MappingError(f"the mapping is for {mapping.table}, not {table}")
    source = open_source(
        path,
        encoding=encoding or (mapping.encoding if mapping else None),
        sheet=sheet or (mapping.sheet if mapping else None),
        display_name=display_name,
    )
    try:
        mapping = (
            with_canonical_columns(mapping, source.columns)
            if mapping
            else identity_mapping(table, source.columns)
        )
        lookups = _load_lookups(mapping, lookup_dirs or [path.parent])
        extra = {c for frame in lookups for c in frame.columns}
        check_mapping(mapping, source.columns, source.name, extra)
        _check_lookup_keys(mapping, source)
        _check_required(mapping, source, table)
        report = ImportReport(
            file=source.name,
            table=table,
            source=source.describe(),
            mapping=_describe_mapping(mapping, source),
            row_word=source.row_word,
        )
        rules = Rules(
            table=table,
            file=source.name,
            date_format=mapping.date_format,
            decimal_comma=_decimal_comma(mapping, source),
            scales=mapping.scales,
            now=now or datetime.now(),
        )
        rules.date_orders = _date_orders(source, mapping, lookups, table, report)
        parts, spill = _validate_all(source, mapping, lookups, rules, report)
    finally:
        source.close()
    plan = ImportPlan(table=table, report=report, parts=parts, mapping=mapping,
                      encoding=source.encoding, spill=spill)  # fmt: skip
    _compare_with_store(plan, engine, same_import or {})
    return plan


def _check_lookup_keys(mapping: Mapping, source: Source) -> None:
    missing = [lk.on for lk in mapping.lookups if lk.on not in source.columns]
    if missing:
        raise FileRejected(
            f"{source.name}:1: the mapping's lookups join on {', '.join(missing)}, "
            f"which the file does not have; the file has: {', '.join(source.columns)}"
        )


def _describe_mapping(mapping: Mapping, source: Source) -> str:
    if mapping.origin != "identity":
        return mapping.origin
    ignored = [c for c in source.columns if c.strip().casefold() not in mapping.columns]
    text = "identity (canonical column names)"
    if ignored:
        text += f"; ignored columns: {', '.join(ignored)}"
    return text


def _check_required(mapping: Mapping, source: Source, table: str) -> None:
    missing = [c for c in required_columns(table) if c not in mapping.target_columns()]
    if missing:
        how = (
            "rename the header to the canonical names, or map them with --mapping "
            "(cxdash import ... --suggest prints a mapping to edit)"
        )
        raise FileRejected(
            f"{source.name}:1: missing required column(s) {', '.join(missing)} for {table}; "
            f"the file has: {', '.join(source.columns)}; {how}"
        )


def _decimal_comma(mapping: Mapping, source: Source) -> bool:
    if mapping.decimal:
        return mapping.decimal == ","
    # Semicolon-separated files come from locales that write 1.234,50.
    return source.delimiter == ";"


def resolve_file(name: str, dirs: list[Path]) -> Path:
    """The first of ``dirs`` that holds ``name`` (absolute names are kept)."""
    candidate = Path(name)
    if candidate.is_absolute():
        return candidate
    for folder in dirs:
        if (folder / name).exists():
            return folder / name
    searched = ", ".join(str(d) for d in dirs)
    raise FileRejected(f"{name}: not found in {searched}")


def _load_lookups(mapping: Mapping, dirs: list[Path]) -> list[pl.DataFrame]:
    """Each lookup as a frame keyed by its ``on`` column (first match / sums per key)."""
    frames = []
    for lookup in mapping.lookups:
        src = open_source(resolve_file(lookup.file, dirs))
        try:
            key = lookup.right_on or lookup.on
            wanted = [key, *lookup.columns, *lookup.sum]
            missing = [c for c in wanted if c not in src.columns]
            if missing:
                raise FileRejected(f"{src.name}: lookup column(s) {missing} not in the file")
            whole = pl.concat([b.select(wanted) for b in src.batches()], how="vertical")
        finally:
            src.close()
        whole = whole.with_columns(pl.col(key).str.strip_chars())
        aggs = [pl.col(c).first() for c in lookup.columns]
        aggs += [
            pl.col(c).str.replace(",", ".", literal=True).cast(pl.Float64, strict=False).sum()
            .cast(pl.String)
            for c in lookup.sum
        ]  # fmt: skip
        frame = whole.group_by(key, maintain_order=True).agg(aggs)
        frames.append(frame.rename({key: f"__lookup_{lookup.on}"}) if key != lookup.on else frame)
    return frames


def _join_lookup(batch: pl.DataFrame, lookup: Lookup, frame: pl.DataFrame):
    """``batch`` with the lookup's columns joined on ``lookup.on``; (batch, rows unmatched)."""
    key = next(c for c in frame.columns if c in {lookup.on, f"__lookup_{lookup.on}"})
    new_cols = [c for c in frame.columns if c != key]
    right = frame.rename({key: "__key"}).with_columns(pl.lit(True).alias("__hit"))
    batch = batch.drop([c for c in new_cols if c in batch.columns])
    batch = batch.with_columns(pl.col(lookup.on).str.strip_chars().alias("__key"))
    batch = batch.join(right, on="__key", how="left", maintain_order="left")
    misses = int(batch.get_column("__hit").is_null().sum())
    return batch.drop("__key", "__hit"), misses


def _mapped_batches(source: Source, mapping: Mapping, lookups, report: ImportReport | None):
    """Source batches with lookups joined and the mapping applied (canonical text)."""
    miss_counts = [0] * len(mapping.lookups)
    for batch in source.batches():
        if report is not None:
            report.rows_read += batch.height
        for i, (lookup, frame) in enumerate(zip(mapping.lookups, lookups, strict=True)):
            batch, misses = _join_lookup(batch, lookup, frame)
            miss_counts[i] += misses
        yield apply_mapping(mapping, batch)
    if report is not None:
        for lookup, misses in zip(mapping.lookups, miss_counts, strict=True):
            if misses:
                report.notes.append(
                    f"{misses:,} rows have no match in {lookup.file} on {lookup.on} "
                    f"(kept; the looked-up columns stay empty)"
                )


def _date_orders(source, mapping, lookups, table, report) -> dict[str, str | None]:
    """Day-first or month-first per timestamp column: from the mapping, else from the file.

    A column decides itself when some of its dates can only be read one way
    (25/03/2024 is day-first) and none only the other way.
    """
    columns = timestamp_columns(table)
    if mapping.dayfirst is not None:
        order = "dmy" if mapping.dayfirst else "mdy"
        return dict.fromkeys(columns, order)
    if mapping.date_format:
        return {}
    totals = {c: [0, 0] for c in columns}
    if not _has_slash_dates(source, mapping, lookups, columns):
        return dict.fromkeys(columns)  # ISO or serial dates: nothing to decide
    for frame in _mapped_batches(source, mapping, lookups, None):
        present = [c for c in columns if c in frame.columns]
        for c, (d, m) in date_order_evidence(frame, present).items():
            totals[c][0] += d
            totals[c][1] += m
    orders: dict[str, str | None] = {}
    for c, (d, m) in totals.items():
        if d and not m:
            orders[c] = "dmy"
            report.notes.append(f"{c}: dates read as day/month/year (e.g. 25/03 has no month 25)")
        elif m and not d:
            orders[c] = "mdy"
            report.notes.append(f"{c}: dates read as month/day/year (e.g. 03/25 has no month 25)")
        else:
            orders[c] = None
            if d and m:
                report.warnings.append(
                    f"{c}: the file mixes dd/mm and mm/dd dates; set dayfirst in a mapping"
                )
    return orders


def _has_slash_dates(source: Source, mapping: Mapping, lookups, columns: list[str]) -> bool:
    """Whether the first records hold dd/mm/yyyy-like dates (then the whole file is read)."""
    head = source.head()
    if head.is_empty():
        return False
    for lookup, frame in zip(mapping.lookups, lookups, strict=True):
        head, _ = _join_lookup(head, lookup, frame)
    mapped = apply_mapping(mapping, head)
    present = [c for c in columns if c in mapped.columns]
    if not present:
        return False
    pattern = r"^\s*\d{1,2}[/.\-]\d{1,2}[/.\-]\d{4}"
    return bool(
        mapped.select(
            pl.any_horizontal(pl.col(c).str.contains(pattern).any() for c in present)
        ).item()
    )


def _validate_all(source, mapping, lookups, rules, report):
    """(valid parts: frames or spilled Parquet files, the spill folder or None).

    Rows are validated batch by batch; duplicate ids are found afterwards in one
    pass over all valid rows (a group-by on the normalised id), so a big file never
    compares every batch with all the ids before it.
    """
    kept_errors: list[pl.DataFrame] = []
    kept = 0
    parts: list[pl.DataFrame | Path] = []
    spill: tempfile.TemporaryDirectory | None = None
    for mapped in _mapped_batches(source, mapping, lookups, report):
        typed, errors = validate_batch(mapped, rules)
        if rules.table == "events" and not typed.is_empty():
            typed = derive_event_ids(typed)
        if errors.height:
            report.error_count += errors.height
            # Lines do not repeat across batches, so per-batch counts add up.
            report.rejected_rows += errors.get_column("line").n_unique()
            if kept < MAX_KEPT_ERRORS:
                kept_errors.append(errors.head(MAX_KEPT_ERRORS - kept))
                kept += kept_errors[-1].height
        if not typed.is_empty():
            parts.append(typed)
            report.rows_valid += typed.height
        if len(parts) > 1 or (spill is not None and parts):
            # A second batch: the file is big, keep the valid rows on disk.
            spill = spill or tempfile.TemporaryDirectory(prefix="cxdash_import_")
            parts = [_spilled(p, spill) for p in parts]
    if parts:
        lazy = pl.concat([_lazy_part(p) for p in parts], how="diagonal_relaxed")
        count, dup_errors = duplicate_errors(lazy, key_column(rules.table), MAX_KEPT_ERRORS)
        if count:
            report.duplicates = count
            report.error_count += count
            report.rejected_rows += count
            report.rows_valid -= count
            kept_errors.append(dup_errors)
    if kept_errors:
        merged = pl.concat(kept_errors, how="vertical").sort("line", maintain_order=True)
        report.errors = merged.head(MAX_KEPT_ERRORS)
    return parts, spill


def _lazy_part(part: pl.DataFrame | Path) -> pl.LazyFrame:
    return part.lazy() if isinstance(part, pl.DataFrame) else pl.scan_parquet(part)


def _spilled(part: pl.DataFrame | Path, spill: tempfile.TemporaryDirectory) -> Path:
    if isinstance(part, Path):
        return part
    path = Path(spill.name) / f"part{len(list(Path(spill.name).iterdir())):05d}.parquet"
    part.write_parquet(path, compression="lz4")
    return path


# -- comparing with the store ------------------------------------------------------------------


def _compare_with_store(plan: ImportPlan, engine: sa.Engine, same_import) -> None:
    report = plan.report
    if not plan.has_rows:
        return
    table = schema.TABLES[plan.table]
    key = key_column(plan.table)
    # Empty results come back with a Null dtype on some backends: cast to the key's type.
    stored_keys = db.fetch(sa.select(table.c[key]), engine).cast(pl.String)
    existing = (
        plan.lazy().join(stored_keys.lazy(), on=key, how="semi").collect()
        if stored_keys.height
        else pl.DataFrame()
    )
    report.would_insert = report.rows_valid - existing.height
    if existing.height:
        stored = _stored_rows(table, key, existing.get_column(key).to_list(), engine)
        stored = stored.select(existing.columns).cast(dict(existing.schema), strict=False)
        same = existing.join(stored, on=existing.columns, how="semi", nulls_equal=True)
        report.unchanged = same.height
        report.would_update = existing.height - same.height
    names = plan.lazy().collect_schema().names()
    if plan.table in {"events", "feedback"} and "customer_id" in names:
        _orphans(plan.lazy(), report, engine, same_import)
    if plan.table == "events":
        stages = plan.lazy().select(pl.col("stage").unique()).collect()
        _unknown_stages(stages, report, engine, same_import)


def _stored_rows(table: sa.Table, key: str, keys: list[str], engine: sa.Engine) -> pl.DataFrame:
    parts = [
        db.fetch(sa.select(table).where(table.c[key].in_(keys[i : i + _KEY_CHUNK])), engine)
        for i in range(0, len(keys), _KEY_CHUNK)
    ]
    return pl.concat(parts, how="vertical_relaxed")


def _orphans(rows: pl.LazyFrame, report: ImportReport, engine, same_import) -> None:
    """Count anonymous rows and rows naming an unknown customer (streamed, not collected)."""
    known = db.fetch(sa.select(schema.customers.c.customer_id), engine).cast(pl.String)
    if "customers" in same_import:
        extra = same_import["customers"].select(pl.col("customer_id").cast(pl.String))
        known = pl.concat([known, extra], how="vertical")
    ids = rows.select(pl.col("customer_id").cast(pl.String))
    report.anonymous_rows = (
        ids.select(pl.col("customer_id").is_null().sum()).collect(engine="streaming").item()
    )
    orphans = ids.filter(pl.col("customer_id").is_not_null()).join(
        known.unique().lazy(), on="customer_id", how="anti"
    )
    counts = orphans.select(pl.len(), pl.col("customer_id").n_unique()).collect(engine="streaming")
    report.orphan_rows, report.orphan_customers = (int(v) for v in counts.row(0))
    if report.orphan_rows:
        first = orphans.select(pl.col("customer_id").unique(maintain_order=True).head(1000))
        report.orphan_ids = first.collect().get_column("customer_id").to_list()


def _unknown_stages(frame: pl.DataFrame, report: ImportReport, engine, same_import) -> None:
    known = set(db.fetch(sa.select(schema.stages.c.stage), engine).get_column("stage").to_list())
    if "stages" in same_import:
        known |= set(same_import["stages"].get_column("stage").to_list())
    used = frame.get_column("stage").unique().sort().to_list()
    unknown = [s for s in used if s not in known]
    if unknown:
        report.warnings.append(
            f"stage(s) {', '.join(unknown)} are not in the stages table; the funnel will not "
            "show them until you import stages (stage, position, label)"
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


def plan_directory(
    mapping_dir: str | Path,
    data_dir: str | Path | None = None,
    *,
    engine: sa.Engine | None = None,
    now: datetime | None = None,
) -> list[ImportPlan]:
    """Plan every ``*.toml`` mapping of ``mapping_dir`` (each names its ``file``).

    Files are looked for in ``data_dir`` first, then beside the mappings. Tables are
    planned in dependency order (stages, touchpoints, customers, events, feedback) so
    that orphans and unknown stages are judged against the whole import.
    """
    mapping_dir = Path(mapping_dir)
    dirs = [Path(data_dir), mapping_dir] if data_dir else [mapping_dir]
    mappings = [load_mapping(p) for p in sorted(mapping_dir.glob("*.toml"))]
    if not mappings:
        raise MappingError(f"{mapping_dir}: no *.toml mappings")
    missing = [m.origin for m in mappings if not m.file]
    if missing:
        raise MappingError(f'{", ".join(missing)}: say which file to read: file = "..."')
    mappings.sort(key=lambda m: IMPORT_ORDER.index(m.table))
    plans: list[ImportPlan] = []
    same_import: dict[str, pl.DataFrame] = {}
    for mapping in mappings:
        plan = plan_import(
            resolve_file(mapping.file, dirs),
            mapping.table,
            engine=engine,
            mapping=mapping,
            lookup_dirs=dirs,
            same_import=same_import,
            now=now,
        )
        plans.append(plan)
        if mapping.table in {"customers", "stages"} and plan.has_rows:
            # Only the keys matter to later tables (orphans, unknown stages).
            frame = plan.lazy().select(key_column(mapping.table)).collect()
            earlier = same_import.get(mapping.table)
            same_import[mapping.table] = (
                frame if earlier is None else pl.concat([earlier, frame], how="diagonal_relaxed")
            )
    return plans


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


# -- CLI ---------------------------------------------------------------------------------------


def register_cli(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "import",
        help="validate and load a CSV/XLSX/Parquet file into one table",
        description="Validate FILE and load it into TABLE in one transaction. Any rejected "
        "row means nothing is written; the report lists each error with its line.",
    )
    p.add_argument("table", choices=IMPORT_ORDER)
    p.add_argument("file", type=Path)
    p.add_argument("--mapping", type=Path, help="TOML column mapping (see mappings/README.md)")
    p.add_argument("--sheet", help="XLSX sheet name (default: the first)")
    p.add_argument("--encoding", help="text encoding (default: detected)")
    p.add_argument("--dry-run", action="store_true", help="print the report, write nothing")
    p.add_argument("--suggest", action="store_true", help="print a suggested mapping TOML")
    p.add_argument("--max-errors", type=int, default=SHOWN_ERRORS, help="errors to print")
    p.set_defaults(handler=_cli_import)

    p = subparsers.add_parser(
        "import-dir",
        help="import several files described by a directory of mappings, in one transaction",
        description="Each *.toml in MAPPINGS names its table and file; all files are "
        "validated, then written together or not at all. Example: cxdash import-dir "
        "mappings/olist --data ../shared/datasets/olist-sample",
    )
    p.add_argument("mappings", type=Path)
    p.add_argument("--data", type=Path, help="folder of the data files (default: MAPPINGS)")
    p.add_argument("--dry-run", action="store_true", help="print the reports, write nothing")
    p.add_argument("--max-errors", type=int, default=SHOWN_ERRORS, help="errors to print per file")
    p.set_defaults(handler=_cli_import_dir)


def _cli_import(args: argparse.Namespace) -> int:
    if args.suggest:
        from dashboard.ingest.suggest import suggest_for_file

        print(suggest_for_file(args.file, args.table, encoding=args.encoding, sheet=args.sheet))
        return 0
    engine = db.create_engine(timeout_seconds=db.NO_TIMEOUT)  # a big load may take minutes
    with db.translate_errors(engine):
        schema.create_all(engine)
    mapping = load_mapping(args.mapping, table=args.table) if args.mapping else None
    try:
        report = import_file(
            args.file,
            args.table,
            engine=engine,
            mapping=mapping,
            dry_run=args.dry_run,
            encoding=args.encoding,
            sheet=args.sheet,
        )
    except FileRejected as exc:
        print(f"REJECTED: {exc}\nNothing was written.", file=sys.stderr)
        return 1
    text = report.render(limit=args.max_errors)
    print(text, file=sys.stdout if report.ok else sys.stderr)
    return 0 if report.ok else 1


def _cli_import_dir(args: argparse.Namespace) -> int:
    engine = db.create_engine(timeout_seconds=db.NO_TIMEOUT)
    with db.translate_errors(engine):
        schema.create_all(engine)
    try:
        reports = import_directory(args.mappings, args.data, engine=engine, dry_run=args.dry_run)
    except FileRejected as exc:
        print(f"REJECTED: {exc}\nNothing was written.", file=sys.stderr)
        return 1
    ok = all(r.ok for r in reports)
    text = "\n\n".join(r.render(limit=args.max_errors) for r in reports)
    print(text, file=sys.stdout if ok else sys.stderr)
    return 0 if ok else 1
