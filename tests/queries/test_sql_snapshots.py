"""Every view's generated SQL, kept as a snapshot per dialect (as PostHog's __snapshots__),
so that a change of SQL shows in review.

Each registry view runs on the hand-built store of ``test_views`` on DuckDB, SQLite and
PostgreSQL, from the source tables and from the summary tables, and the statements sent
to the driver are compared with ``__snapshots__/<backend>/<view>.<path>.sql``. After an
intended change, rewrite them with ``CXDASH_UPDATE_SNAPSHOTS=1 python -m pytest
tests/queries/test_sql_snapshots.py`` and review the diff.
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path

import pytest
import sqlalchemy as sa

from dashboard import access, rollup_store, views
from dashboard.views import Options
from tests.queries.test_rollups import summaries
from tests.queries.test_views import JAN, _load

SNAPSHOTS = Path(__file__).resolve().parent / "__snapshots__"
UPDATE = os.environ.get("CXDASH_UPDATE_SNAPSHOTS") == "1"

# One case per view and per shape of statement it builds.
CASES = {
    "kpis": (views.KPIS, Options()),
    "kpis-compare": (views.KPIS, Options(compare=True)),
    "funnel": (views.FUNNEL, Options(steps=("visit", "purchase"), window_days=30)),
    "funnel-by-region": (views.FUNNEL, Options(steps=("visit", "purchase"), by="region")),
    "funnel-in-period": (views.FUNNEL_IN_PERIOD, Options(steps=("visit", "purchase"), by="region")),
    "heatmap": (views.HEATMAP, Options(metric="nps", by="segment")),
    "nps-trend": (views.NPS_TREND, Options(grain="week", by="segment")),
    "segments": (views.SEGMENTS, Options(by="region")),
    "what-moved": (views.WHAT_MOVED, Options(metric="csat", by_kind="segment")),
    "feedback": (views.FEEDBACK, Options(band="detractor", search="giao", limit=20)),
    "funnel-satisfaction": (
        views.FUNNEL_SATISFACTION,
        Options(steps=("visit", "purchase"), window_days=30, metric="csat"),
    ),
    "drivers": (views.DRIVERS, Options()),
    "drivers-ranked": (views.DRIVERS_RANKED, Options()),
    # the customer grain: a first page, and every row (count, then the list)
    "at-risk": (views.AT_RISK, Options(limit=20)),
    "at-risk-all-by-lapsing": (views.AT_RISK, Options(sort="lapsing")),
    "promoters": (views.PROMOTERS, Options(limit=20, sort="last_nps_at", descending=False)),
    "customer": (views.CUSTOMER, Options(customer_id="c1")),
    "followups": (views.FOLLOWUPS, Options(status="open", owner="anna", overdue=True, limit=20)),
    "followups-all-by-value": (views.FOLLOWUPS, Options(sort="value_at_risk", descending=True)),
    # what customers say: a filtered page, every row (count, then the list), aggregates
    "comments": (
        views.COMMENTS,
        Options(search="giao hàng", sentiment="negative", theme="delivery", limit=20),
    ),
    "comments-all": (views.COMMENTS, Options(band="detractor")),
    "sentiment": (views.SENTIMENT, Options(by="region", score="negative")),
    "heatmap-sentiment": (views.HEATMAP, Options(metric="sentiment", by="segment")),
    "themes": (views.THEMES, Options()),
    "theme-trend": (views.THEME_TREND, Options(grain="week", theme="delivery")),
}


def test_every_view_has_a_case():
    covered = {view.name for view, _ in CASES.values()}
    assert covered >= set(views.REGISTRY) - {"nps-mix"}  # nps-mix runs nps-trend's SQL


def _statements(engine: sa.Engine, view, options) -> str:
    sent: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        sent.append(statement.strip())

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        view.run(engine, JAN, options)
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
    return "\n\n-- next statement\n\n".join(sent) + "\n"


@pytest.fixture(params=["sources", "rollups"])
def path(request) -> str:
    return request.param


@pytest.mark.parametrize("case", sorted(CASES))
def test_view_sql_matches_its_snapshot(store, backend, path, case):
    _load(store)
    if path == "rollups":
        rollup_store.refresh_store(store)
    with summaries(path == "rollups"):
        rollup_store.forget_decisions()
        assert rollup_store.reader(store).rollups == (path == "rollups")  # decided before
        view, options = CASES[case]
        got = _statements(store, view, options)
    snapshot = SNAPSHOTS / backend / f"{case}.{path}.sql"
    if UPDATE:
        snapshot.parent.mkdir(parents=True, exist_ok=True)
        snapshot.write_text(got)
    assert snapshot.exists(), f"no snapshot {snapshot}: run with CXDASH_UPDATE_SNAPSHOTS=1"
    want = snapshot.read_text()
    diff = "".join(difflib.unified_diff(want.splitlines(True), got.splitlines(True),
                                        str(snapshot), "generated"))  # fmt: skip
    assert got == want, f"the SQL of {case} changed on {backend}:\n{diff}"


# The same views for a viewer limited to one region (queries.scope's rewrite in db): each
# protected table becomes a scoped subquery of itself; the rest of the statement is as above.
SCOPED_CASES = ("kpis", "funnel-by-region", "feedback")
SCOPED_VIEWER = access.Viewer("m@example.vn", "manager", access.Scope.of({"region": ["Hà Nội"]}))


@pytest.mark.parametrize("case", SCOPED_CASES)
def test_scoped_view_sql_matches_its_snapshot(store, backend, path, case):
    _load(store)
    if path == "rollups":
        rollup_store.refresh_store(store)
    with summaries(path == "rollups"):
        rollup_store.forget_decisions()
        assert rollup_store.reader(store).rollups == (path == "rollups")
        view, options = CASES[case]
        with access.acting_as(SCOPED_VIEWER):
            got = _statements(store, view, options)
    snapshot = SNAPSHOTS / backend / f"scoped-{case}.{path}.sql"
    if UPDATE:
        snapshot.write_text(got)
    assert snapshot.exists(), f"no snapshot {snapshot}: run with CXDASH_UPDATE_SNAPSHOTS=1"
    want = snapshot.read_text()
    diff = "".join(difflib.unified_diff(want.splitlines(True), got.splitlines(True),
                                        str(snapshot), "generated"))  # fmt: skip
    assert got == want, f"the scoped SQL of {case} changed on {backend}:\n{diff}"


# ClickHouse (chDB): the same cases on one store per path (a chDB store costs ~2 s; the
# views only read), compared with __snapshots__/chdb/.
@pytest.fixture(scope="module", params=["sources", "rollups"])
def chdb_loaded(request, chdb_dir):
    from dashboard import db

    name = f"cxdash_snap_{request.param}"
    engine = db.create_engine(f"chdb:///{chdb_dir}?database={name}", external_access=True)
    db.create_schema(engine)
    _load(engine)
    if request.param == "rollups":
        rollup_store.refresh_store(engine)
    yield engine, request.param
    with engine.connect() as conn:
        conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} SYNC")
    engine.dispose()


@pytest.mark.parametrize("case", sorted(CASES))
def test_clickhouse_view_sql_matches_its_snapshot(chdb_loaded, case):
    engine, path = chdb_loaded
    with summaries(path == "rollups"):
        rollup_store.forget_decisions()
        assert rollup_store.reader(engine).rollups == (path == "rollups")
        view, options = CASES[case]
        got = _statements(engine, view, options)
    snapshot = SNAPSHOTS / "chdb" / f"{case}.{path}.sql"
    if UPDATE:
        snapshot.parent.mkdir(parents=True, exist_ok=True)
        snapshot.write_text(got)
    assert snapshot.exists(), f"no snapshot {snapshot}: run with CXDASH_UPDATE_SNAPSHOTS=1"
    want = snapshot.read_text()
    diff = "".join(difflib.unified_diff(want.splitlines(True), got.splitlines(True),
                                        str(snapshot), "generated"))  # fmt: skip
    assert got == want, f"the SQL of {case} changed on chdb:\n{diff}"
