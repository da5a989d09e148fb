"""The benchmark's naive baseline computes the same numbers as the query layer.

(Timings are not asserted here: they come from `cxdash bench`, see BENCHMARKS.md.)
"""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from dashboard import db, service
from dashboard.bench import naive as bench_naive
from dashboard.bench import queries as bench
from data import generator


@pytest.fixture(scope="module")
def small_pair(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bench")
    engine = db.create_engine(f"duckdb:///{folder / 'small.duckdb'}", external_access=True)
    generator.generate(engine, scale="small", seed=3)
    bench_naive.copy_to_sqlite(engine, folder / "small.sqlite")
    sqlite_engine = sa.create_engine(f"sqlite:///{folder / 'small.sqlite'}")
    yield engine, sqlite_engine
    engine.dispose()
    sqlite_engine.dispose()


def test_typical_filter_is_last_year_and_largest_segment(small_pair):
    engine, _ = small_pair
    f = bench.typical_filters(engine)
    _, last = service.data_range(engine)
    assert f.date_to == last and f.date_to - f.date_from == dt.timedelta(days=364)
    assert len(f.segment) == 1


def test_naive_baseline_agrees_with_service(small_pair):
    engine, sqlite_engine = small_pair
    f = bench.typical_filters(engine)
    naive = bench_naive.kpis(sqlite_engine, f)
    ours = service.get_kpis(engine, f)
    for key in ("customers", "orders", "purchasers"):
        assert naive[key] == ours[key], key
    for key in ("revenue", "repeat_rate", "nps", "csat", "ces"):
        assert naive[key] == pytest.approx(ours[key]), key
    funnel = service.get_funnel(engine, f, bench.STEPS, 30)
    assert bench_naive.funnel(sqlite_engine, f) == funnel["customers"].to_list()


def test_measure_reports_every_query(small_pair):
    engine, _ = small_pair
    f = bench.typical_filters(engine)
    # The baseline's numbers are checked above; here only that every query is timed.
    results = bench.measure(engine, f, None, runs=1, naive_runs=1, log=lambda m: None)
    assert [r["query"] for r in results] == [
        "kpis", "funnel", "heatmap", "nps-trend", "segments", "funnel-satisfaction",
        "drivers (point estimates)", "drivers (with intervals)",
    ]  # fmt: skip
    assert all(r["end_to_end_ms"] > 0 and r["raw_sql_ms"] > 0 for r in results)
    assert all(r["sources_ms"] > 0 for r in results)
    table = bench.markdown(results, f, "small", service.table_counts(engine), rollups=True)
    assert table.count("\n| ") == 9  # header + eight queries
    assert "views read the summary tables" in table


def test_cases_time_the_statement_the_service_runs(small_pair):
    engine, _ = small_pair
    f = bench.typical_filters(engine)
    funnel_case = {c.name: c for c in bench.cases(engine, f, None)}["funnel"]
    # generate() built the summaries: (b) reads them, (d) the source tables.
    assert "rollup_funnel_events" in str(funnel_case.statement)
    assert "rollup_" not in str(funnel_case.sources)
    why_case = {c.name: c for c in bench.cases(engine, f, None)}["funnel-satisfaction"]
    assert "rollup_customer_keys" in str(why_case.statement)
    assert "rollup_" not in str(why_case.sources)


def test_the_scope_measurement_times_every_view_three_ways(small_pair):
    from dashboard.access import Scope
    from dashboard.bench.scope import measure_scope, scope_markdown

    engine, _ = small_pair
    f = bench.typical_filters(engine)
    scope = Scope.parse(["region=TP.HCM"])
    results = measure_scope(engine, f, scope, runs=1, log=lambda m: None)
    assert [r["query"] for r in results] == ["kpis", "funnel", "heatmap", "nps-trend", "segments"]
    assert all(r["scoped_ms"] > 0 and r["filtered_ms"] > 0 for r in results)
    table = scope_markdown(results, scope)
    assert "| kpis |" in table and "Worst s/f" in table
