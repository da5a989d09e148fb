"""Column mappings: how a source file's columns become the canonical columns.

A mapping is a small TOML file (see ``mappings/olist/`` for a worked example)::

    table = "feedback"                  # canonical table
    file = "reviews.csv"                # for `cxdash import-dir` (optional)
    dayfirst = true                     # 03/04/2024 is 3 April (optional)
    date_format = "%d.%m.%Y %H:%M"      # or an explicit strptime format (optional)
    decimal = ","                       # amounts written 1.234,50 (optional)

    [columns]                           # canonical column = source column
    response_id = "Response ID"
    responded_at = "Submitted At"
    csat = "How satisfied were you?"
    comment = ["Title", "Message"]      # several columns: joined by a line break
    response_id = { columns = ["Survey", "Row"], separator = ":" }   # explicit separator

    [constants]                         # the same value on every row
    touchpoint = "Delivery"

    [values.channel]                    # value map: source value = canonical value
    "E-mail" = "Email"

    [scales.nps]                        # explicit scale conversion (never implied)
    from = [1, 10]                      # source range, mapped linearly onto 0-10

    [[lookups]]                         # bring columns from another file by a key
    file = "orders.csv"
    on = "order_id"
    columns = ["customer_id"]           # first match; or sum = ["payment_value"]

    [[events]]                          # events only: one event per stage column
    stage = "purchase"
    occurred_at = "order_purchase_timestamp"
    amount = "payment_value"            # optional

The canonical import of a file that already has canonical columns is the identity
mapping (:func:`identity_mapping`); both go through the same :func:`apply_mapping`.
"""

from __future__ import annotations

import dataclasses
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from dashboard.i18n import _
from dashboard.ingest.read import LINE, FileRejected
from queries import schema
from queries.definitions import SCORE_RANGES

TABLE_NAMES = tuple(schema.TABLES)


class MappingError(ValueError):
    """The mapping file is wrong; ``str()`` says where."""


@dataclass(frozen=True)
class StageColumn:
    """One derived event per source row: ``stage`` happened at ``occurred_at``."""

    stage: str
    occurred_at: str
    amount: str | None = None


@dataclass(frozen=True)
class Lookup:
    """Columns brought in from another file, joined on ``on``."""

    file: str
    on: str
    columns: tuple[str, ...] = ()
    sum: tuple[str, ...] = ()
    right_on: str | None = None
    line: int | None = None  # the mapping's line that names the file (for messages)


@dataclass(frozen=True)
class Joined:
    """Several source columns joined into one value (blank parts skipped)."""

    columns: tuple[str, ...]
    separator: str


def default_separator(target: str) -> str:
    """Comments keep their parts on separate lines; ids read like 'A:B'; others 'A B'."""
    if target == "comment":
        return "\n"
    return ":" if target.endswith("_id") else " "


@dataclass
class Mapping:
    """How one source file maps onto one canonical table."""

    table: str
    columns: dict[str, str | Joined] = field(default_factory=dict)
    constants: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    scales: dict[str, tuple[float, float]] = field(default_factory=dict)
    events: list[StageColumn] = field(default_factory=list)
    lookups: list[Lookup] = field(default_factory=list)
    dayfirst: bool | None = None
    date_format: str | None = None
    decimal: str | None = None
    file: str | None = None
    encoding: str | None = None
    sheet: str | None = None
    origin: str = "identity"
    folder: Path | None = None  # where the mapping file is (its lookups are beside it)
    file_line: int | None = None  # the line of ``file = ...``

    def where(self, line: int | None) -> str:
        """``origin:line`` (or the origin alone) for messages about one of its lines."""
        return f"{self.origin}:{line}" if line else self.origin

    def source_columns(self) -> set[str]:
        """Source columns this mapping reads from the main file."""
        used: set[str] = set()
        for src in self.columns.values():
            used.update([src] if isinstance(src, str) else src.columns)
        for ev in self.events:
            used.add(ev.occurred_at)
            if ev.amount:
                used.add(ev.amount)
        return used

    def target_columns(self) -> set[str]:
        mapped = set(self.columns) | set(self.constants)
        if self.events:
            mapped |= {"stage", "occurred_at"}
            if any(e.amount for e in self.events):
                mapped.add("amount")
        return mapped


def identity_mapping(table: str, header: list[str]) -> Mapping:
    """The canonical import: each canonical column that the header names, as itself."""
    _check_table(table)
    by_key = {h.strip().casefold(): h for h in header}
    columns = {str(c.name): by_key[c.name] for c in schema.TABLES[table].c if c.name in by_key}
    return Mapping(table=table, columns=columns, origin="identity")


def with_canonical_columns(mapping: Mapping, header: list[str]) -> Mapping:
    """Canonical columns the mapping leaves out are taken from same-named file columns."""
    identity = identity_mapping(mapping.table, header).columns
    taken = mapping.target_columns()
    used = mapping.source_columns()
    extra = {t: s for t, s in identity.items() if t not in taken and s not in used}
    if not extra:
        return mapping
    return dataclasses.replace(mapping, columns={**mapping.columns, **extra})


def _check_table(table: str) -> None:
    if table not in schema.TABLES:
        raise MappingError(
            _("unknown table {table!r}; one of {table_names}").format(
                table=table, table_names=", ".join(TABLE_NAMES)
            )
        )


def load_mapping(path: str | Path, table: str | None = None) -> Mapping:
    """Read a mapping TOML file (see the module docstring for its form)."""
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise MappingError(_("mapping file {path} not found").format(path=path)) from None
    except tomllib.TOMLDecodeError as exc:
        raise MappingError(
            _("{name}: not valid TOML: {exc}").format(name=path.name, exc=exc)
        ) from None
    mapping = parse_mapping(raw, table=table, origin=path.name, text=path.read_text("utf-8"))
    return dataclasses.replace(mapping, folder=path.resolve().parent)


_SECTION = re.compile(r"^\s*\[\[?\s*([A-Za-z0-9_.\"' -]+?)\s*\]\]?\s*(?:#.*)?$")
_FILE_KEY = re.compile(r"^\s*file\s*=")


def file_lines(text: str) -> tuple[int | None, list[int | None]]:
    """(line of the top-level ``file = ...``, line of each ``[[lookups]]``' ``file = ...``).

    For messages that point at the line to fix; None where the TOML spells it otherwise
    (e.g. an inline table).
    """
    top: int | None = None
    lookups: list[int | None] = []
    section: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        header = _SECTION.match(line)
        if header:
            section = header.group(1)
            if line.strip().startswith("[[") and section == "lookups":
                lookups.append(None)
            continue
        if not _FILE_KEY.match(line):
            continue
        if section is None and top is None:
            top = number
        elif section == "lookups" and lookups and lookups[-1] is None:
            lookups[-1] = number
    return top, lookups


def parse_mapping(
    raw: dict, *, table: str | None = None, origin: str = "mapping", text: str | None = None
) -> Mapping:
    """A :class:`Mapping` from parsed TOML; ``table`` (from the command line) must agree.

    ``text`` (the TOML itself) lets messages name the line of a file name.
    """
    declared = raw.get("table")
    if table and declared and declared != table:
        raise MappingError(
            _("{origin}: maps table {declared!r}, but you import into {table!r}").format(
                origin=origin, declared=declared, table=table
            )
        )
    table = table or declared
    if not table:
        raise MappingError(
            _('{origin}: say which table it maps: table = "feedback"').format(origin=origin)
        )
    _check_table(table)
    known = {str(c.name) for c in schema.TABLES[table].c}
    allowed_keys = {
        "table", "file", "columns", "constants", "values", "scales", "events", "lookups",
        "dayfirst", "date_format", "decimal", "encoding", "sheet",
    }  # fmt: skip
    unknown_keys = set(raw) - allowed_keys
    if unknown_keys:
        raise MappingError(
            _("{origin}: unknown setting(s) {unknown_keys}").format(
                origin=origin, unknown_keys=sorted(unknown_keys)
            )
        )
    columns = dict(raw.get("columns", {}))
    constants = {k: str(v) for k, v in raw.get("constants", {}).items()}
    values = {k: {str(a): str(b) for a, b in v.items()} for k, v in raw.get("values", {}).items()}
    for section, names in (("columns", columns), ("constants", constants), ("values", values)):
        bad = set(names) - known
        if bad:
            raise MappingError(
                _("{origin}: [{section}] names {bad}, not columns of {table} ({known})").format(
                    origin=origin,
                    section=section,
                    bad=sorted(bad),
                    table=table,
                    known=", ".join(sorted(known)),
                )
            )
    for target, src in list(columns.items()):
        columns[target] = _column_source(target, src, origin)
    scales = {}
    for target, spec in raw.get("scales", {}).items():
        try:
            low, high = (float(x) for x in spec["from"])
        except (KeyError, TypeError, ValueError):
            raise MappingError(
                _("{origin}: scales.{target} needs from = [low, high]").format(
                    origin=origin, target=target
                )
            ) from None
        if target not in SCORE_RANGES or low >= high:
            raise MappingError(
                _("{origin}: scales.{target}: only nps/csat/ces, low < high").format(
                    origin=origin, target=target
                )
            )
        scales[target] = (low, high)
    events = [_stage_column(e, origin) for e in raw.get("events", [])]
    if events and table != "events":
        raise MappingError(
            _('{origin}: [[events]] only applies to table = "events"').format(origin=origin)
        )
    file_line, lookup_lines = file_lines(text) if text else (None, [])
    lookups = [_lookup(item, origin) for item in raw.get("lookups", [])]
    if len(lookup_lines) == len(lookups):
        lookups = [
            dataclasses.replace(lk, line=n) for lk, n in zip(lookups, lookup_lines, strict=True)
        ]
    dayfirst = raw.get("dayfirst")
    if dayfirst is not None and not isinstance(dayfirst, bool):
        raise MappingError(_("{origin}: dayfirst must be true or false").format(origin=origin))
    decimal = raw.get("decimal")
    if decimal not in (None, ".", ","):
        raise MappingError(_('{origin}: decimal must be "." or ","').format(origin=origin))
    return Mapping(
        table=table,
        columns=columns,
        constants=constants,
        values=values,
        scales=scales,
        events=events,
        lookups=lookups,
        dayfirst=dayfirst,
        date_format=raw.get("date_format"),
        decimal=decimal,
        file=raw.get("file"),
        encoding=raw.get("encoding"),
        sheet=raw.get("sheet"),
        origin=origin,
        file_line=file_line,
    )


def _column_source(target: str, src, origin: str) -> str | Joined:
    # Header names are read trimmed, so the mapping's names are trimmed too.
    if isinstance(src, str) and src.strip():
        return src.strip()
    if isinstance(src, list) and src and all(isinstance(x, str) for x in src):
        return Joined(tuple(x.strip() for x in src), default_separator(target))
    if isinstance(src, dict) and isinstance(src.get("columns"), list) and src["columns"]:
        names = tuple(str(x).strip() for x in src["columns"])
        return Joined(names, str(src.get("separator", default_separator(target))))
    raise MappingError(
        _(
            "{origin}: columns.{target} must be a column name, a list of names, or "
            '{{ columns = [...], separator = ":" }}'
        ).format(origin=origin, target=target)
    )


def _stage_column(item: dict, origin: str) -> StageColumn:
    try:
        return StageColumn(str(item["stage"]), str(item["occurred_at"]), item.get("amount"))
    except KeyError as exc:
        raise MappingError(
            _("{origin}: each [[events]] needs {key}").format(origin=origin, key=exc.args[0])
        ) from None


def _lookup(item: dict, origin: str) -> Lookup:
    try:
        return Lookup(
            file=str(item["file"]),
            on=str(item["on"]),
            columns=tuple(item.get("columns", ())),
            sum=tuple(item.get("sum", ())),
            right_on=item.get("right_on"),
        )
    except KeyError as exc:
        raise MappingError(
            _("{origin}: each [[lookups]] needs {key}").format(origin=origin, key=exc.args[0])
        ) from None


# Ranges of score columns (the schema's CHECK constraints say the same).


def missing_source_columns(mapping: Mapping, header: list[str], extra: set[str]) -> list[str]:
    """Source columns the mapping names that neither the file nor a lookup provides."""
    have = set(header) | extra
    return sorted(c for c in mapping.source_columns() if c not in have)


def apply_mapping(mapping: Mapping, batch: pl.DataFrame) -> pl.DataFrame:
    """Canonical text columns (those the mapping fills) plus ``_line``.

    Derived events yield one row per stage column whose timestamp is not blank.
    """
    exprs = [pl.col(LINE)]
    for target, src in mapping.columns.items():
        if isinstance(src, str):
            expr = pl.col(src)
        else:
            # Several source columns: join the non-blank ones with a line break.
            expr = pl.concat_str(
                [
                    pl.col(s).cast(pl.String).str.strip_chars().replace("", None)
                    for s in src.columns
                ],
                separator=src.separator,
                ignore_nulls=True,
            ).replace("", None)
        exprs.append(expr.cast(pl.String).alias(target))
    exprs += [pl.lit(v, pl.String).alias(k) for k, v in mapping.constants.items()]
    if not mapping.events:
        out = batch.select(exprs)
    else:
        parts = []
        for ev in mapping.events:
            stage_exprs = [
                *exprs,
                pl.lit(ev.stage, pl.String).alias("stage"),
                pl.col(ev.occurred_at).cast(pl.String).alias("occurred_at"),
            ]
            if any(e.amount for e in mapping.events):
                amount = pl.col(ev.amount).cast(pl.String) if ev.amount else pl.lit(None)
                stage_exprs.append(amount.cast(pl.String).alias("amount"))
            part = batch.filter(
                pl.col(ev.occurred_at).is_not_null()
                & (pl.col(ev.occurred_at).cast(pl.String).str.strip_chars() != "")
            ).select(stage_exprs)
            parts.append(part)
        out = pl.concat(parts, how="vertical").sort(LINE, maintain_order=True)
        if "event_id" in out.columns:
            # One source row gives several events: the row's id + the stage names each.
            out = out.with_columns(
                pl.concat_str(pl.col("event_id"), pl.col("stage"), separator=":")
            )
    for target, table in mapping.values.items():
        if target in out.columns:
            out = out.with_columns(pl.col(target).str.strip_chars().replace(table).alias(target))
    return out


def check_mapping(mapping: Mapping, header: list[str], name: str, extra: set[str]) -> None:
    """The mapping must fill every required column and name columns that exist."""
    missing = missing_source_columns(mapping, header, extra)
    if missing:
        raise FileRejected(
            _(
                "{name}:1: the mapping ({origin}) names column(s) {missing} that the "
                "file does not have; the file has: {header}"
            ).format(
                name=name,
                origin=mapping.origin,
                missing=", ".join(repr(m) for m in missing),
                header=", ".join(header),
            )
        )
