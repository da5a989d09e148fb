"""Vectorised validation: canonical text columns -> typed frame + row errors.

Every rule is a polars expression over a whole batch; there is no Python loop per
row. Each rejected value becomes one row of an *errors* frame with the columns
``line`` (where the record starts in the file), ``column``, ``value``, ``rule`` (what
is wrong, read after "value 'x'") and ``fix`` (how to fix it).

Typed output columns follow ``queries/schema.py``: ids and text as String (trimmed,
Unicode NFC), timestamps as naive Datetime (UTC when the source carried an offset),
scores as Int16, positions as Int32, amounts and targets as Float64.
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import polars as pl
import sqlalchemy as sa

from dashboard.i18n import N_, _
from dashboard.ingest.read import LINE
from queries import schema
from queries.definitions import EARLIEST_DATE, LATEST_DATE, SCORE_RANGES

ERROR_SCHEMA = {
    "line": pl.Int64,
    "column": pl.String,
    "value": pl.String,
    "rule": pl.String,
    "fix": pl.String,
}
FUTURE_TOLERANCE = timedelta(days=1)
EXCEL_EPOCH = datetime(1899, 12, 30)
# Excel serials accepted as dates: 1954-10-03 .. 2119-01-09 (keeps years and ids out).
EXCEL_SERIAL_RANGE = (20_000, 80_000)
TARGET_RANGES = {"target_csat": (0.0, 100.0), "target_nps": (-100.0, 100.0)}
SCORE_NAMES = {"nps": "NPS", "csat": "CSAT", "ces": "CES"}
DATE_FIX = N_(
    "write ISO dates like 2024-03-31 or 2024-03-31 14:05:00; dd/mm/yyyy and mm/dd/yyyy "
    "work when the file or the mapping (dayfirst) makes the order clear; Excel serials work"
)
# Digits are [0-9], never \d: regex's \d is Unicode, so '٩' or '１０' would pass a shape
# check and then fail to convert.
_SLASH_DATE = (
    r"^([0-9]{1,2})[/.\-]([0-9]{1,2})[/.\-]([0-9]{4})"
    r"(?:[ T]+([0-9]{1,2}):([0-9]{2})(?::([0-9]{2}))?(?:\.[0-9]+)?)?$"
)
_ISO_FORMATS = ("%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%d %H:%M", "%Y-%m-%d")
_ISO_TZ_FORMATS = ("%Y-%m-%d %H:%M:%S%.f%#z", "%Y-%m-%d %H:%M%#z")
_INTEGER = r"^[+-]?[0-9]+(?:\.0+)?$"


@dataclass
class Rules:
    """What validation needs to know beyond the values."""

    table: str
    file: str = "file"
    date_orders: dict[str, str | None] = field(default_factory=dict)  # 'dmy' / 'mdy' / None
    date_format: str | None = None
    decimal_comma: bool = False
    scales: dict[str, tuple[float, float]] = field(default_factory=dict)
    now: datetime = field(default_factory=lambda: datetime.now())

    @property
    def table_obj(self) -> sa.Table:
        return schema.TABLES[self.table]


def required_columns(table: str) -> list[str]:
    """Canonical columns a file must provide (the events id is derived when missing)."""
    t = schema.TABLES[table]
    return [
        str(c.name)
        for c in t.c
        if not c.nullable and not (table == "events" and c.name == "event_id")
    ]


def key_column(table: str) -> str:
    return schema.KEYS[table][0]


def timestamp_columns(table: str) -> list[str]:
    return [str(c.name) for c in schema.TABLES[table].c if isinstance(c.type, sa.DateTime)]


def _kind(column: sa.Column) -> str:
    if column.name in SCORE_RANGES:
        return "score"
    if isinstance(column.type, sa.DateTime):
        return "timestamp"
    if isinstance(column.type, sa.Float):
        return "number"
    if isinstance(column.type, sa.Integer):
        return "integer"
    return "text"


def empty_errors() -> pl.DataFrame:
    return pl.DataFrame(schema=ERROR_SCHEMA)


# -- cleaning and parsing expressions -----------------------------------------------------


def clean_text(name: str, *, nfc: bool = True) -> pl.Expr:
    """Trimmed (NFC-normalised) text; blank becomes null."""
    stripped = pl.col(name).cast(pl.String).str.strip_chars()
    text = stripped.str.normalize("NFC") if nfc else stripped
    return pl.when(stripped == "").then(None).otherwise(text).alias(name)


def _slash_parts(raw: pl.Expr) -> tuple[pl.Expr, ...]:
    return tuple(raw.str.extract(_SLASH_DATE, i) for i in range(1, 7))


def _ymd_hms(year, month, day, hour, minute, second) -> pl.Expr:
    text = pl.concat_str(
        [
            year,
            pl.lit("-"),
            month.str.zfill(2),
            pl.lit("-"),
            day.str.zfill(2),
            pl.lit(" "),
            hour.fill_null("0").str.zfill(2),
            pl.lit(":"),
            minute.fill_null("00"),
            pl.lit(":"),
            second.fill_null("00"),
        ]
    )
    return text.str.to_datetime("%Y-%m-%d %H:%M:%S", strict=False, time_unit="us")


def slash_readings(raw: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """(day-first, month-first) readings of dd/mm/yyyy-like text; null where impossible."""
    first, second, year, hour, minute, sec = _slash_parts(raw)
    return (
        _ymd_hms(year, second, first, hour, minute, sec),
        _ymd_hms(year, first, second, hour, minute, sec),
    )


def _iso(raw: pl.Expr, shapes: set[str]) -> pl.Expr:
    text = raw.str.replace(r"^([0-9]{4}-[0-9]{2}-[0-9]{2})T", "${1} ")
    kinds = ("iso_seconds", "iso_minutes", "iso_date")
    formats = [f for kind, f in zip(kinds, _ISO_FORMATS, strict=True) if kind in shapes]
    readings = [text.str.to_datetime(f, strict=False, time_unit="us") for f in formats]
    if "iso_zone" in shapes:
        zoned = text.str.replace(r"Z$", "+00:00")
        readings += [
            zoned.str.to_datetime(
                f, strict=False, time_unit="us", time_zone="UTC"
            ).dt.replace_time_zone(None)
            for f in _ISO_TZ_FORMATS
        ]
    return readings[0] if len(readings) == 1 else pl.coalesce(*readings)


def _excel_serial(raw: pl.Expr) -> pl.Expr:
    low, high = EXCEL_SERIAL_RANGE
    number = raw.cast(pl.Float64, strict=False)
    is_serial = raw.str.contains(r"^[0-9]{5}(?:\.[0-9]+)?$") & number.is_between(low, high)
    millis = (number * 86_400_000).round(0).cast(pl.Int64, strict=False)
    return pl.when(is_serial).then(
        pl.lit(EXCEL_EPOCH, pl.Datetime("us")) + pl.duration(milliseconds=millis)
    )


def parse_timestamp(
    raw: pl.Expr, order: str | None, date_format: str | None, shapes: set[str] | None = None
) -> tuple[pl.Expr, pl.Expr]:
    """(parsed, ambiguous) expressions for one column of text timestamps.

    ``shapes`` (from :func:`_timestamp_shapes`) limits the parsers to the kinds of
    text present; None tries them all.
    """
    if date_format:
        parsed = raw.str.to_datetime(date_format, strict=False, time_unit="us")
        return parsed, pl.lit(False)
    shapes = set(_SHAPES) if shapes is None else shapes
    readings: list[pl.Expr] = []
    ambiguous: pl.Expr = pl.lit(False)
    if shapes & {"iso_seconds", "iso_minutes", "iso_date", "iso_zone"}:
        readings.append(_iso(raw, shapes))
    if "slash" in shapes:
        dmy, mdy = slash_readings(raw)
        if order == "dmy":
            readings.append(dmy)
        elif order == "mdy":
            readings.append(mdy)
        else:
            ambiguous = dmy.is_not_null() & mdy.is_not_null() & (dmy != mdy)
            readings.append(pl.when(~ambiguous).then(pl.coalesce(dmy, mdy)))
    if "serial" in shapes:
        readings.append(_excel_serial(raw))
    if not readings:
        return pl.lit(None, pl.Datetime("us")), ambiguous
    parsed = readings[0] if len(readings) == 1 else pl.coalesce(*readings)
    return parsed.cast(pl.Datetime("us")), ambiguous


def date_order_evidence(frame: pl.DataFrame, columns: list[str]) -> dict[str, tuple[int, int]]:
    """Per column: (rows readable only day-first, rows readable only month-first)."""
    out = {}
    for name in columns:
        if name not in frame.columns:
            continue
        dmy, mdy = slash_readings(clean_text(name))
        counts = frame.select(
            (dmy.is_not_null() & mdy.is_null()).sum().alias("d"),
            (mdy.is_not_null() & dmy.is_null()).sum().alias("m"),
        ).row(0)
        out[name] = (int(counts[0]), int(counts[1]))
    return out


def parse_number(raw: pl.Expr, decimal_comma: bool) -> pl.Expr:
    text = raw.str.replace_all(r"[\s\u00a0]", "")
    if decimal_comma:
        text = (
            pl.when(text.str.contains(r"^-?[0-9]{1,3}(?:\.[0-9]{3})+(?:,[0-9]+)?$"))
            .then(text.str.replace_all(".", "", literal=True))
            .otherwise(text)
            .str.replace(",", ".", literal=True)
        )
    else:
        text = (
            pl.when(text.str.contains(r"^-?[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?$"))
            .then(text.str.replace_all(",", "", literal=True))
            .otherwise(text)
        )
    return text.cast(pl.Float64, strict=False)


# -- the validation of one batch ----------------------------------------------------------


@dataclass
class _Check:
    column: str
    bad: pl.Expr
    rule: pl.Expr | str
    fix: str

    def __post_init__(self) -> None:
        self.column = str(self.column)  # SQLAlchemy's quoted_name confuses pl.lit


def validate_batch(frame: pl.DataFrame, rules: Rules) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Typed rows that passed every rule, and the errors of the rows that did not.

    ``frame`` holds canonical text columns (any subset) plus ``_line``. A row with any
    error is left out of the typed frame. Duplicate ids are checked by the caller
    across batches (:class:`DuplicateTracker`).

    Returns
    -------
    (typed, errors)
        typed: ``_line`` + the canonical columns present, typed per the schema;
        errors: line, column, value, rule, fix.
    """
    table = rules.table_obj
    present = [str(c.name) for c in table.c if c.name in frame.columns]
    cleaned = frame.with_columns(_cleaners(frame, present))
    shapes = _timestamp_shapes(cleaned, [c for c in present if c in timestamp_columns(rules.table)])
    # Stage 1: every typed value and helper flag, computed once.
    helpers: list[pl.Expr] = []
    checks: list[_Check] = []
    for name in present:
        column_helpers, column_checks = _column_rules(table.c[name], rules, shapes.get(name))
        helpers += column_helpers
        checks += column_checks
    for name in required_columns(rules.table):
        if name in frame.columns:
            checks.append(
                _Check(name, pl.col(name).is_null(), _("is empty"), _("this column is required"))
            )
    if rules.table == "feedback":
        checks.append(_no_content_check(frame.columns))
    staged = cleaned.with_columns(helpers)
    # Stage 2: one boolean per check; errors are built from the few bad rows only.
    flags = [c.bad.fill_null(False).alias(f"__bad_{i}") for i, c in enumerate(checks)]
    staged = staged.with_columns(flags)
    any_bad = pl.any_horizontal(pl.col(f"__bad_{i}") for i in range(len(checks)))
    bad_rows = staged.filter(any_bad) if checks else staged.head(0)
    errors = _collect_errors(bad_rows, checks) if bad_rows.height else empty_errors()
    typed = (staged.filter(~any_bad) if checks else staged).select(
        pl.col(LINE), *(pl.col(f"__t_{name}").alias(name) for name in present)
    )
    return typed, errors


def _cleaners(frame: pl.DataFrame, present: list[str]) -> list[pl.Expr]:
    """Trim and blank->null every column; NFC only where some value is not ASCII."""
    if not present:
        return []
    non_ascii = frame.select(
        pl.col(name).cast(pl.String).str.contains(r"[^\x00-\x7F]").any().alias(name)
        for name in present
    ).row(0, named=True)
    return [clean_text(name, nfc=bool(non_ascii[name])) for name in present]


_SHAPES = {
    "iso_seconds": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?$",
    "iso_minutes": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9]{2}:[0-9]{2}$",
    "iso_date": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
    "iso_zone": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[ T].*(?:Z|[+-][0-9]{2}:?[0-9]{2})$",
    "slash": r"^[0-9]{1,2}[/.\-][0-9]{1,2}[/.\-][0-9]{4}",
    "serial": r"^[0-9]{5}(?:\.[0-9]+)?$",
}


def _timestamp_shapes(frame: pl.DataFrame, columns: list[str]) -> dict[str, set[str]]:
    """Which kinds of date text each column holds, so only those parsers run."""
    if not columns or frame.is_empty():
        return {c: set() for c in columns}
    found = frame.select(
        pl.col(c).str.contains(pattern).any().alias(f"{c}\x1f{shape}")
        for c in columns
        for shape, pattern in _SHAPES.items()
    ).row(0, named=True)
    out: dict[str, set[str]] = {c: set() for c in columns}
    for key, hit in found.items():
        column, shape = key.split("\x1f")
        if hit:
            out[column].add(shape)
    return out


# A decimal digit other than 0-9 (Arabic-Indic ٩, full-width １, Devanagari ९, ...).
_OTHER_DIGIT = r"[\p{Nd}--0-9]"
KIND_WORDS = {
    "score": N_("a whole number"),
    "integer": N_("a whole number"),
    "number": N_("a number"),
    "timestamp": N_("a date"),
}


def _column_rules(
    column: sa.Column, rules: Rules, shapes: set[str] | None
) -> tuple[list[pl.Expr], list[_Check]]:
    """(stage-1 expressions: ``__t_<name>`` and helpers, checks over them).

    Besides each kind's own rules, every converted column gets two more: digits other
    than 0-9 are named as such, and -- whatever else happens -- a value that is there
    but did not convert is a rejection, never a NULL that the write would refuse or
    store silently.
    """
    helpers, checks = _kind_rules(column, rules, shapes)
    kind = _kind(column)
    if kind == "text":
        return helpers, checks
    name = str(column.name)
    raw, typed = pl.col(name), pl.col(f"__t_{name}")
    other_digits = raw.str.contains(_OTHER_DIGIT)
    caught = pl.any_horizontal(c.bad.fill_null(False) for c in checks) if checks else pl.lit(False)
    what = _(KIND_WORDS[kind])
    return helpers, [
        _Check(
            name,
            other_digits,
            _("has digits other than 0–9 (e.g. Arabic-Indic ٩ or full-width １０)"),
            _("write the value with the digits 0–9; nothing is converted silently"),
        ),
        *(dataclasses.replace(c, bad=c.bad & ~other_digits.fill_null(False)) for c in checks),
        _Check(
            name,
            raw.is_not_null() & typed.is_null() & ~other_digits.fill_null(False) & ~caught,
            _("cannot be read as {what}").format(what=what),
            _("write {what} the way the other rows do, or leave the cell blank").format(what=what),
        ),
    ]


def _kind_rules(
    column: sa.Column, rules: Rules, shapes: set[str] | None
) -> tuple[list[pl.Expr], list[_Check]]:
    """The expressions and checks of one column's kind (text, timestamp, score, ...)."""
    name = str(column.name)
    raw = pl.col(name)
    typed = pl.col(f"__t_{name}")
    kind = _kind(column)
    if kind == "text":
        return [raw.alias(f"__t_{name}")], []
    if kind == "timestamp":
        parsed, ambiguous = parse_timestamp(
            raw, rules.date_orders.get(name), rules.date_format, shapes
        )
        limit = rules.now + FUTURE_TOLERANCE
        fmt_fix = (
            _("use the format {format!r} of the mapping").format(format=rules.date_format)
            if rules.date_format
            else _(DATE_FIX)
        )
        amb = pl.col(f"__amb_{name}")
        return [parsed.alias(f"__t_{name}"), ambiguous.alias(f"__amb_{name}")], [
            _Check(
                name,
                raw.is_not_null() & amb,
                _("is ambiguous: day and month could be either way round"),
                _("say which in the mapping: dayfirst = true (dd/mm/yyyy) or false (mm/dd/yyyy)"),
            ),
            _Check(
                name,
                raw.is_not_null() & ~amb & typed.is_null(),
                _("is not a date I can read"),
                fmt_fix,
            ),
            _Check(
                name,
                typed > pl.lit(limit, pl.Datetime("us")),
                _("is in the future"),
                _(
                    "dates more than {days} day ahead are rejected; check the source's clock "
                    "or date order"
                ).format(days=FUTURE_TOLERANCE.days),
            ),
            _Check(
                name,
                (typed < pl.lit(EARLIEST_DATE, pl.Datetime("us")))
                | (typed >= pl.lit(LATEST_DATE + timedelta(days=1), pl.Datetime("us"))),
                _("is outside the dates cxdash accepts ({first} … {last})").format(
                    first=EARLIEST_DATE.isoformat(), last=LATEST_DATE.isoformat()
                ),
                _(
                    "a date like 1900-01-01 is usually a placeholder for 'unknown': leave "
                    "the cell blank where the column allows it, or fix the source"
                ),
            ),
        ]
    if kind == "score":
        return _score_rules(name, rules)
    if kind == "integer":
        whole = raw.str.contains(_INTEGER)
        value = raw.cast(pl.Float64, strict=False).cast(pl.Int32, strict=False)
        return [pl.when(whole).then(value).alias(f"__t_{name}")], [
            _Check(
                name,
                raw.is_not_null() & typed.is_null(),
                _("is not a whole number"),
                _("write a whole number such as 1, 2, 3"),
            ),
        ]
    number = parse_number(raw, rules.decimal_comma)
    checks = [
        _Check(
            name,
            raw.is_not_null() & (typed.is_null() | typed.is_nan() | typed.is_infinite()),
            _("is not a number"),
            _("write a plain number such as 1234.50 (1.234,50 in semicolon-separated files)"),
        )
    ]
    if name in TARGET_RANGES:
        low, high = TARGET_RANGES[name]
        checks.append(
            _Check(
                name,
                ~typed.is_between(low, high),
                _("is out of range {low}–{high}").format(low=f"{low:g}", high=f"{high:g}"),
                _("targets are on the metric's own scale (CSAT 0–100 %, NPS −100…100)"),
            )
        )
    return [number.alias(f"__t_{name}")], checks


def _score_rules(name: str, rules: Rules) -> tuple[list[pl.Expr], list[_Check]]:
    raw = pl.col(name)
    low, high = SCORE_RANGES[name]
    label = SCORE_NAMES[name]
    src_low, src_high = rules.scales.get(name, (low, high))
    value = raw.cast(pl.Float64, strict=False)
    whole = pl.col(f"__whole_{name}")
    in_range = pl.col(f"__in_{name}")
    scale_note = ""
    if name in rules.scales:
        scale_note = " " + _("in the source, converted to {low}–{high}").format(low=low, high=high)
    if name in rules.scales:
        converted = ((value - src_low) * (high - low) / (src_high - src_low) + low).round(0)
    else:
        converted = value
    helpers = [
        raw.str.contains(_INTEGER).alias(f"__whole_{name}"),
        value.is_between(src_low, src_high).alias(f"__in_{name}"),
    ]
    # Helpers of one stage cannot see each other, so the typed value repeats the tests.
    valid = raw.str.contains(_INTEGER) & value.is_between(src_low, src_high)
    typed = pl.when(valid).then(converted).cast(pl.Int16, strict=False)
    return [*helpers, typed.alias(f"__t_{name}")], [
        _Check(
            name,
            raw.is_not_null() & ~whole,
            _("is not a whole number"),
            _(
                "{label} scores are whole numbers {low}–{high}; leave the cell blank for a "
                "skipped question, values are never rounded"
            ).format(label=label, low=f"{src_low:g}", high=f"{src_high:g}"),
        ),
        _Check(
            name,
            raw.is_not_null() & whole & ~in_range,
            _("is out of range {low}–{high}").format(low=f"{src_low:g}", high=f"{src_high:g}")
            + scale_note,
            _("{label} is {low}–{high}; fix the source, values are never clamped").format(
                label=label, low=f"{src_low:g}", high=f"{src_high:g}"
            ),
        ),
    ]


def _no_content_check(columns: list[str]) -> _Check:
    content = [c for c in ("nps", "csat", "ces", "comment") if c in columns]
    # A score that is there but does not convert is rejected by its own checks, so the
    # text is what decides whether the response says anything.
    empty = pl.all_horizontal(pl.col(c).is_null() for c in content) if content else pl.lit(True)
    return _Check(
        "/".join(content) or "nps/csat/ces/comment",
        empty,
        _("has no score and no comment"),
        _("a response needs at least one score (nps, csat, ces) or a comment"),
    )


def _collect_errors(frame: pl.DataFrame, checks: list[_Check]) -> pl.DataFrame:
    parts = []
    for i, check in enumerate(checks):
        value = pl.col(check.column) if check.column in frame.columns else pl.lit(None)
        rule = check.rule if isinstance(check.rule, pl.Expr) else pl.lit(check.rule)
        parts.append(
            frame.filter(pl.col(f"__bad_{i}")).select(
                pl.col(LINE).cast(pl.Int64).alias("line"),
                pl.lit(check.column, pl.String).alias("column"),
                value.cast(pl.String).alias("value"),
                rule.cast(pl.String).alias("rule"),
                pl.lit(check.fix, pl.String).alias("fix"),
            )
        )
    return pl.concat(parts, how="vertical").sort("line", maintain_order=True)


# -- ids ---------------------------------------------------------------------------------


def id_norm(name: str) -> pl.Expr:
    """Ids compare without case and whitespace: 'R-1' and ' r-1' are the same id."""
    return pl.col(name).str.replace_all(r"\s+", "").str.to_lowercase()


def duplicate_errors(rows: pl.LazyFrame, key: str, limit: int) -> tuple[int, pl.DataFrame]:
    """Rows whose id appeared on an earlier line: (how many, errors for the first ``limit``).

    ``rows`` holds ``_line`` and ``key`` for every valid row of the file (it may be
    backed by spilled Parquet files: the query streams).
    """
    # First pass on a 64-bit hash of the normalised id (small to group by, whatever
    # the ids look like); the few candidate rows are then compared exactly.
    hashed = rows.select(pl.col(LINE), id_norm(key).hash(seed=7).alias("_h"))
    shared = hashed.group_by("_h").agg(pl.len().alias("_n")).filter(pl.col("_n") > 1)
    candidates = (
        rows.select(pl.col(LINE), pl.col(key))
        .with_columns(id_norm(key).alias("_norm"), id_norm(key).hash(seed=7).alias("_h"))
        .join(shared.select("_h"), on="_h", how="semi")
        .collect(engine="streaming")
    )
    firsts = candidates.group_by("_norm").agg(pl.col(LINE).min().alias("_first"))
    repeats = candidates.join(firsts, on="_norm").filter(pl.col(LINE) != pl.col("_first"))
    if repeats.is_empty():
        return 0, empty_errors()
    errors = repeats.sort(LINE).head(limit).select(
        pl.col(LINE).cast(pl.Int64).alias("line"),
        pl.lit(key, pl.String).alias("column"),
        pl.col(key).cast(pl.String).alias("value"),
        pl.format(_("duplicates the id on line {line}").format(line="{}"), pl.col("_first"))
        .alias("rule"),
        pl.lit(_(
            "each id may appear once per file (ids are compared ignoring case and spaces); "
            "remove or renumber the repeat"
        )).alias("fix"),
    )  # fmt: skip
    return repeats.height, errors


def unique_columns(table: str) -> list[str]:
    """Columns besides the key whose values the schema declares UNIQUE (stages.position)."""
    t = schema.TABLES[table]
    single = {
        str(next(iter(c.columns)).name)
        for c in t.constraints
        if isinstance(c, sa.UniqueConstraint) and len(c.columns) == 1
    }
    return [str(c.name) for c in t.c if (c.unique or c.name in single) and not c.primary_key]


def repeated_values(rows: pl.LazyFrame, column: str, limit: int) -> tuple[int, pl.DataFrame]:
    """Rows whose ``column`` value (UNIQUE in the schema) appeared on an earlier line:
    (how many, errors for the first ``limit``)."""
    frame = rows.select(pl.col(LINE), pl.col(column)).filter(pl.col(column).is_not_null())
    frame = frame.collect()
    firsts = frame.group_by(column).agg(pl.col(LINE).min().alias("_first"))
    repeats = frame.join(firsts, on=column).filter(pl.col(LINE) != pl.col("_first"))
    if repeats.is_empty():
        return 0, empty_errors()
    errors = repeats.sort(LINE).head(limit).select(
        pl.col(LINE).cast(pl.Int64).alias("line"),
        pl.lit(column, pl.String).alias("column"),
        pl.col(column).cast(pl.String).alias("value"),
        pl.format(_("repeats the {column} of line {{}}").format(column=column), pl.col("_first"))
        .alias("rule"),
        pl.lit(_("each {column} may appear once in the table; give each row its own").format(
            column=column
        )).alias("fix"),
    )  # fmt: skip
    return repeats.height, errors


def derive_event_ids(typed: pl.DataFrame) -> pl.DataFrame:
    """A stable event_id from (customer_id, stage, occurred_at, amount) where none is given.

    Stable across runs and versions (BLAKE2b of the canonical text), so re-importing
    the same events finds the same rows. The hash itself runs per row in Python's
    hashlib; polars' own hash is not stable across versions.
    """
    amount = (
        pl.col("amount").cast(pl.String).fill_null("") if "amount" in typed.columns else pl.lit("")
    )
    text = pl.concat_str(
        pl.col("customer_id"),
        pl.col("stage"),
        pl.col("occurred_at").dt.strftime("%Y-%m-%dT%H:%M:%S%.f"),
        amount,
        separator="|",
    )
    derived = text.map_elements(
        lambda s: "ev_" + hashlib.blake2b(s.encode("utf-8"), digest_size=10).hexdigest(),
        return_dtype=pl.String,
    )
    if "event_id" in typed.columns:
        return typed.with_columns(pl.coalesce(pl.col("event_id"), derived).alias("event_id"))
    return typed.with_columns(derived.alias("event_id"))
