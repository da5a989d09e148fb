"""Import CSV / XLSX / Parquet files into the store: one validation path, one transaction.

Every import, canonical or mapped, runs the same steps::

    read the file in batches (ingest.read)        -> text columns + the line of each record
    apply the mapping (ingest.mapping)            -> canonical text columns (identity if none)
    validate (ingest.validate)                    -> typed rows + row errors (vectorised)
    compare with the store                        -> insert / update / unchanged, orphans
    report                                        -> what would happen, every error with its line
    write, only if there is no error              -> ingest.write: one transaction

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

import errno
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import polars as pl
import sqlalchemy as sa

from dashboard import db
from dashboard.i18n import _
from dashboard.i18n.formats import fmt_int
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
from dashboard.ingest.paths import FileScope
from dashboard.ingest.read import LINE, FileRejected, Source, open_source
from dashboard.ingest.report import MAX_KEPT_ERRORS, ImportReport
from dashboard.ingest.validate import (
    Rules,
    date_order_evidence,
    derive_event_ids,
    duplicate_errors,
    key_column,
    repeated_values,
    required_columns,
    timestamp_columns,
    unique_columns,
    validate_batch,
)
from queries import schema

IMPORT_ORDER = ("stages", "touchpoints", "customers", "events", "feedback")
_KEY_CHUNK = 5000


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
    _head: pl.DataFrame | None = field(default=None, repr=False)

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

    def head(self, rows: int = 20) -> pl.DataFrame:
        """The first valid rows as they would be stored (still there after :meth:`close`)."""
        if self._head is None or (self._head.height < rows and self.parts):
            self._head = self.lazy().head(rows).collect()
        return self._head.head(rows)

    def close(self, keep_rows: int = 20) -> None:
        """Remove the spilled rows now (once written, or when they never will be); the
        first ``keep_rows`` stay for :meth:`head`."""
        if self.parts:
            self.head(keep_rows)
        self.parts = []
        if self.spill is not None:
            self.spill.cleanup()
            self.spill = None

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
    files: FileScope | None = None,
    allow_lookups_outside: bool = False,
    same_import: dict[str, pl.DataFrame] | None = None,
    now: datetime | None = None,
) -> ImportPlan:
    """Read, map and validate ``path`` for ``table``; compare with the store. Writes nothing.

    ``files`` is where the mapping's lookup files may be (default: the mapping's folder
    and the data file's folder, nothing outside them unless ``allow_lookups_outside``).
    ``same_import`` holds frames of other tables imported together (for orphans and
    stages). Raises :class:`FileRejected` when the file cannot be read as a table or
    lacks a required column, or a lookup names a file outside ``files``.
    """
    engine = engine or db.default_engine()
    path = Path(path)
    if mapping is not None and mapping.table != table:
        raise MappingError(
            _("the mapping is for {mapped}, not {table}").format(mapped=mapping.table, table=table)
        )
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
        files = files or FileScope.of(
            [mapping.folder, path.parent], allow_outside=allow_lookups_outside
        )
        lookups = _load_lookups(mapping, files)
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
        if source.data_sheets and report.rejected_rows == report.rows_read:
            report.notes.append(source.sheet_hint())  # nothing fit: the wrong sheet?
    except FileRejected as exc:
        hint = source.sheet_hint()  # e.g. the first sheet was notes, not the table
        raise FileRejected(f"{exc}\n{hint}" if hint else str(exc)) from None
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
            _(
                "{name}:1: the mapping's lookups join on {missing}, which the file "
                "does not have; the file has: {columns}"
            ).format(
                name=source.name, missing=", ".join(missing), columns=", ".join(source.columns)
            )
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
            _(
                "{name}:1: missing required column(s) {missing} for {table}; the file "
                "has: {columns}; {how}"
            ).format(
                name=source.name,
                missing=", ".join(missing),
                table=table,
                columns=", ".join(source.columns),
                how=how,
            )
        )


def _decimal_comma(mapping: Mapping, source: Source) -> bool:
    if mapping.decimal:
        return mapping.decimal == ","
    # Semicolon-separated files come from locales that write 1.234,50.
    return source.delimiter == ";"


def resolve_file(name: str, dirs: list[Path], *, allow_outside: bool = False) -> Path:
    """The first of ``dirs`` that holds ``name``; names outside them are refused unless
    ``allow_outside`` (see :class:`~dashboard.ingest.paths.FileScope`)."""
    return FileScope.of(dirs, allow_outside=allow_outside).resolve(name, name, "file")


def _load_lookups(mapping: Mapping, files: FileScope) -> list[pl.DataFrame]:
    """Each lookup as a frame keyed by its ``on`` column (first match / sums per key)."""
    frames = []
    for lookup in mapping.lookups:
        src = open_source(files.resolve(lookup.file, mapping.where(lookup.line)))
        try:
            key = lookup.right_on or lookup.on
            wanted = [key, *lookup.columns, *lookup.sum]
            missing = [c for c in wanted if c not in src.columns]
            if missing:
                raise FileRejected(
                    _("{name}: lookup column(s) {missing} not in the file").format(
                        name=src.name, missing=missing
                    )
                )
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
                    _(
                        "{n} rows have no match in {file} on {on} (kept; the looked-up "
                        "columns stay empty)"
                    ).format(n=fmt_int(misses), file=lookup.file, on=lookup.on)
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
            report.notes.append(
                _("{column}: dates read as day/month/year (e.g. 25/03 has no month 25)").format(
                    column=c
                )
            )
        elif m and not d:
            orders[c] = "mdy"
            report.notes.append(
                _("{column}: dates read as month/day/year (e.g. 03/25 has no month 25)").format(
                    column=c
                )
            )
        else:
            orders[c] = None
            if d and m:
                report.warnings.append(
                    _(
                        "{column}: the file mixes dd/mm and mm/dd dates; set dayfirst in a mapping"
                    ).format(column=c)
                )
    return orders


def _has_slash_dates(source: Source, mapping: Mapping, lookups, columns: list[str]) -> bool:
    """Whether the first records hold dd/mm/yyyy-like dates (then the whole file is read)."""
    head = source.head()
    if head.is_empty():
        return False
    for lookup, frame in zip(mapping.lookups, lookups, strict=True):
        head, _misses = _join_lookup(head, lookup, frame)
    mapped = apply_mapping(mapping, head)
    present = [c for c in columns if c in mapped.columns]
    if not present:
        return False
    pattern = r"^\s*[0-9]{1,2}[/.\-][0-9]{1,2}[/.\-][0-9]{4}"
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
        for column in unique_columns(rules.table):  # e.g. two stages at one position
            count, repeat_errors = repeated_values(lazy, column, MAX_KEPT_ERRORS)
            if count:
                _reject(report, count)
                kept_errors.append(repeat_errors)
    if kept_errors:
        merged = pl.concat(kept_errors, how="vertical").sort("line", maintain_order=True)
        report.errors = merged.head(MAX_KEPT_ERRORS)
    return parts, spill


def _reject(report: ImportReport, rows: int) -> None:
    report.error_count += rows
    report.rejected_rows += rows
    report.rows_valid -= rows


def _lazy_part(part: pl.DataFrame | Path) -> pl.LazyFrame:
    return part.lazy() if isinstance(part, pl.DataFrame) else pl.scan_parquet(part)


def _spilled(part: pl.DataFrame | Path, spill: tempfile.TemporaryDirectory) -> Path:
    if isinstance(part, Path):
        return part
    path = Path(spill.name) / f"part{len(list(Path(spill.name).iterdir())):05d}.parquet"
    try:
        part.write_parquet(path, compression="lz4")
    except (OSError, pl.exceptions.PolarsError) as exc:
        # polars reports the operating system's error in its text ("os error 28")
        if getattr(exc, "errno", None) != errno.ENOSPC and "os error 28" not in str(exc):
            raise
        raise FileRejected(
            _(
                "the disk of the temporary folder {folder} is full while checking this big "
                "file; nothing was written. Free some space there, or point TMPDIR at a "
                "bigger disk."
            ).format(folder=tempfile.gettempdir())
        ) from None
    return path


# -- comparing with the store ------------------------------------------------------------------


def _compare_with_store(plan: ImportPlan, engine: sa.Engine, same_import) -> None:
    report = plan.report
    if not plan.has_rows:
        return
    table = schema.TABLES[plan.table]
    key = key_column(plan.table)
    for column in unique_columns(plan.table):
        _taken_in_store(plan, table, key, column, engine)
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
    if plan.table == "feedback":
        used = plan.lazy().select(pl.col("touchpoint").unique()).collect()
        _unknown_touchpoints(used, report, engine, same_import)


def _taken_in_store(plan: ImportPlan, table: sa.Table, key: str, column: str, engine) -> None:
    """Reject rows whose UNIQUE ``column`` value a stored row of another key keeps (the
    write would fail on it): e.g. a new stage at the position of a stage already stored."""
    stored = db.fetch(sa.select(table.c[key], table.c[column]), engine)
    if stored.is_empty():
        return
    # The parts keep each row's line (the plan's lazy() drops it).
    rows = pl.concat([_lazy_part(p) for p in plan.parts], how="diagonal_relaxed").select(
        pl.col(LINE), pl.col(key), pl.col(column)
    )
    imported = rows.select(key).collect()
    types = rows.collect_schema()
    stored = stored.cast({key: types[key], column: types[column]}, strict=False)
    staying = stored.join(imported, on=key, how="anti")
    clashes = (
        rows.join(staying.lazy().rename({key: "_held_by"}), on=column, how="inner")
        .sort(LINE)
        .collect()
    )
    if clashes.is_empty():
        return
    _reject(plan.report, clashes.height)
    errors = clashes.head(MAX_KEPT_ERRORS).select(
        pl.col(LINE).cast(pl.Int64).alias("line"),
        pl.lit(column, pl.String).alias("column"),
        pl.col(column).cast(pl.String).alias("value"),
        pl.format(
            _("is already the {column} of {key} '{{}}' in the store").format(
                column=column, key=key
            ),
            pl.col("_held_by"),
        ).alias("rule"),
        pl.lit(_(
            "give this row another {column}, or import that {key} with a new {column} in the "
            "same file"
        ).format(column=column, key=key)).alias("fix"),
    )  # fmt: skip
    merged = pl.concat([plan.report.errors, errors], how="vertical").sort("line")
    plan.report.errors = merged.head(MAX_KEPT_ERRORS)


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
            _(
                "stage(s) {names} are not in the stages table; the funnel will not show them "
                "until you import stages (stage, position, label)"
            ).format(names=", ".join(unknown))
        )


def _unknown_touchpoints(frame: pl.DataFrame, report: ImportReport, engine, same_import) -> None:
    """Warn about touchpoints missing from a touchpoints table that has rows (a store
    without one takes any touchpoint: then there is nothing to compare with)."""
    known = set(
        db.fetch(sa.select(schema.touchpoints.c.touchpoint), engine)
        .get_column("touchpoint")
        .to_list()
    )
    if "touchpoints" in same_import:
        known |= set(same_import["touchpoints"].get_column("touchpoint").to_list())
    if not known:
        return
    unknown = [
        t for t in frame.get_column("touchpoint").unique().sort().to_list() if t not in known
    ]
    if unknown:
        more = _(" and {n} more").format(n=len(unknown) - 10) if len(unknown) > 10 else ""
        shown = ", ".join(unknown[:10]) + more
        report.warnings.append(
            _(
                "touchpoint(s) {names} are not in the touchpoints table (kept): they have no "
                "journey phase or targets; check the spelling, or import them into touchpoints"
            ).format(names=shown)
        )


def plan_directory(
    mapping_dir: str | Path,
    data_dir: str | Path | None = None,
    *,
    engine: sa.Engine | None = None,
    now: datetime | None = None,
    allow_outside: bool = False,
) -> list[ImportPlan]:
    """Plan every ``*.toml`` mapping of ``mapping_dir`` (each names its ``file``).

    Files are looked for in ``data_dir`` first, then beside the mappings, and only there
    unless ``allow_outside`` (data files and lookups alike). Tables are
    planned in dependency order (stages, touchpoints, customers, events, feedback) so
    that orphans and unknown stages are judged against the whole import.
    """
    mapping_dir = Path(mapping_dir)
    dirs = [Path(data_dir), mapping_dir] if data_dir else [mapping_dir]
    mappings = [load_mapping(p) for p in sorted(mapping_dir.glob("*.toml"))]
    if not mappings:
        raise MappingError(_("{mapping_dir}: no *.toml mappings").format(mapping_dir=mapping_dir))
    missing = [m.origin for m in mappings if not m.file]
    if missing:
        raise MappingError(
            _('{missing}: say which file to read: file = "..."').format(missing=", ".join(missing))
        )
    mappings.sort(key=lambda m: IMPORT_ORDER.index(m.table))
    files = FileScope.of(dirs, allow_outside=allow_outside)
    plans: list[ImportPlan] = []
    same_import: dict[str, pl.DataFrame] = {}
    for mapping in mappings:
        plan = plan_import(
            files.resolve(mapping.file, mapping.where(mapping.file_line), _("data file")),
            mapping.table,
            engine=engine,
            mapping=mapping,
            files=files,
            same_import=same_import,
            now=now,
        )
        plans.append(plan)
        if mapping.table in {"customers", "stages", "touchpoints"} and plan.has_rows:
            # Only the keys matter to later tables (orphans, unknown stages).
            frame = plan.lazy().select(key_column(mapping.table)).collect()
            earlier = same_import.get(mapping.table)
            same_import[mapping.table] = (
                frame if earlier is None else pl.concat([earlier, frame], how="diagonal_relaxed")
            )
    return plans
