"""The chDB lane: ClickHouse (chDB in-process) as a fourth backend, for the modules that
test views, imports, summary tables and the follow-up write path.

A module joins the lane with ``from tests.backends import backend_with_chdb  # noqa``:
its ``backend`` fixture (and so ``store_url`` / ``store``) then also yields "chdb". The
other modules keep the three backends: chDB costs ~2 s per store (tables are parts on
disk), so the lane stays where its subject is.
"""

from __future__ import annotations

import pytest

from dashboard import db
from tests.conftest import BACKENDS, CLICKHOUSE_BACKEND


@pytest.fixture(params=(*BACKENDS, CLICKHOUSE_BACKEND), name="backend")
def backend_with_chdb(request) -> str:
    if request.param == "postgresql":
        request.applymarker(pytest.mark.pg)
    return request.param


def not_on_clickhouse(bind, reason: str) -> None:
    """Skip the calling test on ClickHouse, saying why its subject does not apply there."""
    if db.is_clickhouse(bind):
        pytest.skip(f"does not apply to ClickHouse: {reason}")


NO_TRANSACTIONS = (
    "ClickHouse has no transactions, so a failed write is not rolled back "
    "(docs/clickhouse.md: imports there are idempotent and re-run instead)"
)
