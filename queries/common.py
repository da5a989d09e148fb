"""Building blocks shared by the statements: period bounds, customer scoping, groups.

DESIGN.md's rules live here once:
- the period is ``from 00:00 <= t < to + 1 day`` (bounds come from ``Filters``);
- dimension filters select customers; rows with no known customer count only
  when no dimension filter is set;
- in breakdowns, unknown customers and empty values form the group ``(unknown)``.
"""

from __future__ import annotations

import sqlalchemy as sa

from queries.filters import UNKNOWN, Filters
from queries.schema import DIMENSIONS, customers, feedback

BREAKDOWNS = DIMENSIONS  # what a breakdown ("by") may name


def check_dimension(by: str | None) -> None:
    if by is not None and by not in BREAKDOWNS:
        raise ValueError(f"unknown dimension {by!r}; choose one of {', '.join(BREAKDOWNS)}")


def in_period(column: sa.ColumnElement, f: Filters) -> list[sa.ColumnElement[bool]]:
    """Conditions keeping ``column`` inside the filter's period (bound parameters)."""
    conditions = []
    if f.start is not None:
        conditions.append(column >= sa.bindparam("period_start", f.start, type_=sa.DateTime))
    if f.end is not None:
        conditions.append(column < sa.bindparam("period_end", f.end, type_=sa.DateTime))
    return conditions


def group_value(column: sa.ColumnElement) -> sa.ColumnElement[str]:
    """A dimension value as a breakdown group: empty or missing -> '(unknown)'."""
    return sa.func.coalesce(sa.func.nullif(sa.func.trim(column), ""), sa.literal(UNKNOWN))


def value_in(column: sa.ColumnElement, values: tuple[str, ...]) -> sa.ColumnElement[bool]:
    """``column IN values``, where the value '(unknown)' also selects empty and missing."""
    known = [v for v in values if v != UNKNOWN]
    conditions = []
    if known:
        conditions.append(column.in_(known))
    if UNKNOWN in values:
        conditions.append(sa.func.coalesce(sa.func.trim(column), "") == "")
    return sa.or_(*conditions)


def customer_conditions(f: Filters, table: sa.Table = customers) -> list[sa.ColumnElement[bool]]:
    """Dimension filters on a (joined) customers table; empty when none is set.

    With a filter set, a row without a matching customer has NULL dimensions and
    fails every condition, which is exactly "excluded when a filter is set" -- except
    for '(unknown)', which deliberately selects those rows.
    """
    return [value_in(table.c[dim], values) for dim, values in f.dimension_filters().items()]


def feedback_conditions(
    f: Filters, table: sa.Table = feedback, survey_channel: str = "channel"
) -> list[sa.ColumnElement[bool]]:
    """Period, touchpoint and survey-channel filters on feedback (or a copy of it whose
    survey channel column is named ``survey_channel``)."""
    conditions = in_period(table.c.responded_at, f)
    if f.touchpoint:
        conditions.append(table.c.touchpoint.in_(f.touchpoint))
    if f.survey_channel:
        conditions.append(table.c[survey_channel].in_(f.survey_channel))
    return conditions


def needs_customers(f: Filters, by: str | None) -> bool:
    """Whether a statement must join customers at all (keeps unfiltered queries lean)."""
    return f.has_dimension_filter or by is not None
