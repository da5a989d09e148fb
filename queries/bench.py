"""Statements of the benchmark's naive baseline: whole tables, as a notebook reads them."""

from __future__ import annotations

import sqlalchemy as sa


def rows_of(table: sa.Table, columns: list[str]) -> sa.Select:
    """Every row of ``table``, only ``columns`` (no filter: the baseline filters in pandas)."""
    return sa.select(*(table.c[name] for name in columns))
