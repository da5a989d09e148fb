"""Statements of the store's data version (``schema.data_version``): read it, bump it.

``dashboard.db`` bumps it in the same transaction as every write that changes what a
view shows, and the dashboard keys its cached results by it.
"""

from __future__ import annotations

import sqlalchemy as sa

from queries.schema import data_version

ROW_ID = 1


def read() -> sa.Select:
    """The version (no row: the store was never written through cxdash; read as 0)."""
    return sa.select(data_version.c.version).where(data_version.c.id == ROW_ID)


def bump() -> sa.Update:
    """Version + 1 (affects no row when the store has none yet: then :func:`first`)."""
    return (
        data_version.update()
        .where(data_version.c.id == ROW_ID)
        .values(version=data_version.c.version + 1)
    )


def first() -> sa.Insert:
    return data_version.insert().values(id=ROW_ID, version=1)
