"""The few SQL constructs whose spelling differs between dialects.

Each is one small ``FunctionElement`` compiled per dialect with
``sqlalchemy.ext.compiler``: the default spelling serves DuckDB (and any
PostgreSQL-like engine); PostgreSQL and SQLite get their own where needed.
Everything else in ``queries/`` is plain, portable Core.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.sql.visitors import InternalTraversal

GRAINS = ("day", "week", "month")


class period_start(FunctionElement):  # noqa: N801 - reads like the SQL function it is
    """First day of the day / ISO week (Monday) / month containing a timestamp, as a DATE.

    SQLite has no DATE type: there it is the ISO text ``YYYY-MM-DD``.
    """

    type = sa.Date()
    inherit_cache = True
    name = "period_start"
    # The grain is part of the statement's cache key: without it SQLite and PostgreSQL
    # (whose dialects cache compiled SQL) answered a monthly trend with the SQL of the
    # weekly one compiled before it.
    _traverse_internals = [
        *FunctionElement._traverse_internals,
        ("grain", InternalTraversal.dp_string),
    ]

    def __init__(self, grain: str, timestamp):
        if grain not in GRAINS:
            raise ValueError(f"grain must be one of {', '.join(GRAINS)}, not {grain!r}")
        self.grain = grain
        super().__init__(timestamp)


@compiles(period_start)
def _period_start_default(element, compiler, **kw):
    (timestamp,) = element.clauses
    arg = compiler.process(timestamp, **kw)
    return f"CAST(date_trunc('{element.grain}', {arg}) AS DATE)"


@compiles(period_start, "sqlite")
def _period_start_sqlite(element, compiler, **kw):
    (timestamp,) = element.clauses
    arg = compiler.process(timestamp, **kw)
    if element.grain == "day":
        return f"date({arg})"
    if element.grain == "week":
        # 'weekday 0' moves forward to Sunday (or stays there); six days back is Monday.
        return f"date({arg}, 'weekday 0', '-6 days')"
    return f"date({arg}, 'start of month')"


class seconds_between(FunctionElement):  # noqa: N801
    """``later - earlier`` in seconds (fractional), as a float."""

    type = sa.Double()
    inherit_cache = True
    name = "seconds_between"

    def __init__(self, earlier, later):
        super().__init__(earlier, later)


def _two_args(element, compiler, **kw):
    earlier, later = element.clauses
    return compiler.process(earlier, **kw), compiler.process(later, **kw)


@compiles(seconds_between)
def _seconds_between_default(element, compiler, **kw):
    earlier, later = _two_args(element, compiler, **kw)
    return f"(epoch({later}) - epoch({earlier}))"


@compiles(seconds_between, "postgresql")
def _seconds_between_pg(element, compiler, **kw):
    earlier, later = _two_args(element, compiler, **kw)
    return f"CAST(EXTRACT(EPOCH FROM ({later} - {earlier})) AS DOUBLE PRECISION)"


@compiles(seconds_between, "sqlite")
def _seconds_between_sqlite(element, compiler, **kw):
    earlier, later = _two_args(element, compiler, **kw)
    # julianday is a double; rounding to the millisecond removes its float noise so
    # that a gap of exactly 30 days compares equal to 30 days.
    return f"round((julianday({later}) - julianday({earlier})) * 86400.0, 3)"


class median(FunctionElement):  # noqa: N801
    """Median of a numeric expression (continuous: the mean of the two middle values)."""

    type = sa.Double()
    inherit_cache = True
    name = "median"


@compiles(median)
def _median_default(element, compiler, **kw):
    # DuckDB's median() and the median() aggregate that dashboard.db registers on
    # SQLite connections.
    return f"median({compiler.process(element.clauses, **kw)})"


@compiles(median, "postgresql")
def _median_pg(element, compiler, **kw):
    arg = compiler.process(element.clauses, **kw)
    return f"percentile_cont(0.5) WITHIN GROUP (ORDER BY {arg})"


class add_hours(FunctionElement):  # noqa: N801
    """A timestamp plus a whole number of hours (a bound integer), as a timestamp."""

    type = sa.DateTime()
    inherit_cache = True
    name = "add_hours"

    def __init__(self, timestamp, hours):
        super().__init__(timestamp, hours)


@compiles(add_hours)
def _add_hours_default(element, compiler, **kw):
    timestamp, hours = _two_args(element, compiler, **kw)
    return f"({timestamp} + to_hours(CAST({hours} AS BIGINT)))"


@compiles(add_hours, "postgresql")
def _add_hours_pg(element, compiler, **kw):
    timestamp, hours = _two_args(element, compiler, **kw)
    return f"({timestamp} + make_interval(hours => CAST({hours} AS INTEGER)))"


@compiles(add_hours, "sqlite")
def _add_hours_sqlite(element, compiler, **kw):
    timestamp, hours = _two_args(element, compiler, **kw)
    # strftime drops the fraction of a second; SQLAlchemy stores 'YYYY-MM-DD HH:MM:SS.ffffff',
    # so the original fraction is put back: the text then compares like every other timestamp.
    return (
        f"(strftime('%Y-%m-%d %H:%M:%S', {timestamp}, '+' || {hours} || ' hours')"
        f" || substr({timestamp}, 20))"
    )


class digits_only(FunctionElement):  # noqa: N801
    """A text with every character but 0-9 removed (phone numbers compared as digits)."""

    type = sa.String()
    inherit_cache = True
    name = "digits_only"


@compiles(digits_only)
def _digits_only_default(element, compiler, **kw):
    # DuckDB and PostgreSQL spell it the same.
    return f"regexp_replace({compiler.process(element.clauses, **kw)}, '[^0-9]', '', 'g')"


# SQLite has no regexp_replace: remove the separators people type in phone numbers.
PHONE_SEPARATORS = (" ", "-", ".", "(", ")", "+", "/", "\t")


@compiles(digits_only, "sqlite")
def _digits_only_sqlite(element, compiler, **kw):
    text = compiler.process(element.clauses, **kw)
    for separator in PHONE_SEPARATORS:
        text = f"replace({text}, '{separator}', '')"
    return text


class bytewise(FunctionElement):  # noqa: N801
    """A text compared byte by byte (code point order), whatever the database's collation.

    DuckDB and SQLite compare text that way already. PostgreSQL follows the database's
    collation: slower to sort, and (under e.g. en_US) an order the other engines do not
    share. ``COLLATE "C"`` gives the same order everywhere and the fast sort.
    """

    type = sa.String()
    inherit_cache = True
    name = "bytewise"


@compiles(bytewise)
def _bytewise_default(element, compiler, **kw):
    return compiler.process(element.clauses, **kw)


@compiles(bytewise, "postgresql")
def _bytewise_pg(element, compiler, **kw):
    return f'({compiler.process(element.clauses, **kw)} COLLATE "C")'


# -- ClickHouse (chDB in-process, or a server through a ClickHouse dialect) -------------
# ClickHouse spells several things differently; dashboard.db sets the session settings
# that make the rest answer like the other stores (join_use_nulls, ...).
CLICKHOUSE = ("chdb", "clickhouse", "clickhousedb")


def _on_clickhouse(element_class):
    """Register the decorated function as ``element_class``'s ClickHouse spelling."""

    def register(function):
        for name in CLICKHOUSE:
            compiles(element_class, name)(function)
        return function

    return register


@_on_clickhouse(period_start)
def _period_start_clickhouse(element, compiler, **kw):
    (timestamp,) = element.clauses
    arg = compiler.process(timestamp, **kw)
    spelled = {"day": "toDate", "week": "toMonday", "month": "toStartOfMonth"}[element.grain]
    return f"{spelled}({arg})"


@_on_clickhouse(seconds_between)
def _seconds_between_clickhouse(element, compiler, **kw):
    earlier, later = _two_args(element, compiler, **kw)
    # No epoch(): the difference in microseconds (DateTime64(6) columns) as seconds.
    return f"(dateDiff('microsecond', {earlier}, {later}) / 1000000.0)"


@_on_clickhouse(median)
def _median_clickhouse(element, compiler, **kw):
    # median() is approximate (reservoir sampling) in ClickHouse; this one is exact and
    # interpolates between the two middle values like DuckDB's and PostgreSQL's.
    return f"quantileExactInclusive(0.5)({compiler.process(element.clauses, **kw)})"


@_on_clickhouse(add_hours)
def _add_hours_clickhouse(element, compiler, **kw):
    timestamp, hours = _two_args(element, compiler, **kw)
    return f"addHours({timestamp}, {hours})"


@_on_clickhouse(digits_only)
def _digits_only_clickhouse(element, compiler, **kw):
    return f"replaceRegexpAll({compiler.process(element.clauses, **kw)}, '[^0-9]', '')"


# Generic functions with another name or behaviour on ClickHouse.
_CLICKHOUSE_FUNCTIONS = {
    # lower() folds ASCII only; Vietnamese needs "Đ" -> "đ".
    "lower": "lowerUTF8",
    "upper": "upperUTF8",
}


@_on_clickhouse(sa.sql.functions.Function)
def _function_clickhouse(element, compiler, **kw):
    name = element.name.lower()
    if name in _CLICKHOUSE_FUNCTIONS:
        return f"{_CLICKHOUSE_FUNCTIONS[name]}({compiler.process(element.clauses, **kw)})"
    if name == "lag":
        # lag() of a non-Nullable column gives its default (1970-01-01, 0) on the first
        # row; as a Nullable it gives NULL, as everywhere else.
        args = list(element.clauses)
        args[0] = sa.func.toNullable(args[0])
        return compiler.process(sa.func.lagInFrame(*args), **kw)
    return compiler.visit_function(element, **kw)


@_on_clickhouse(sa.sql.elements.BinaryExpression)
def _binary_clickhouse(element, compiler, **kw):
    # LIKE escapes with a backslash already, and ESCAPE '\' is a syntax error there.
    if element.modifiers.get("escape") == "\\":
        element = element._clone()
        element.modifiers = {k: v for k, v in element.modifiers.items() if k != "escape"}
    return compiler.visit_binary(element, **kw)


@_on_clickhouse(sa.sql.dml.Update)
def _update_clickhouse(element, compiler, **kw):
    # ClickHouse changes rows with ALTER TABLE ... UPDATE (a mutation, finished before
    # the statement returns under mutations_sync), whose columns are not qualified.
    sql = compiler.visit_update(element, **kw)
    table = compiler.preparer.format_table(element.table)
    head = f"UPDATE {table} SET "
    if not sql.startswith(head):
        raise NotImplementedError(f"cannot spell this UPDATE for ClickHouse: {sql[:80]}")
    return f"ALTER TABLE {table} UPDATE " + sql[len(head) :].replace(f"{table}.", "")
