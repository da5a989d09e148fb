"""``cxdash bench --scope DIM=VALUE``: what row-level scoping costs on the benchmark views.

For each view of the query benchmark, three medians measured in turn in one process
(``interleaved_medians``), end to end as the dashboard calls the service:

(u) ``unscoped`` -- an admin: the whole store, the typical filter;
(s) ``scoped`` -- a viewer limited to the scope: ``db`` rewrites every statement
    (``queries.scope``);
(f) ``filtered`` -- an admin who filters on the scope's values: the same numbers as (s)
    by another route (tested equal in ``tests/queries/test_scope.py``).

``s/f`` is the cost of the mechanism itself (budget: at most 1.10); ``s/u`` what a scoped
viewer waits compared with an admin. The same two statements are also timed raw on the
DuckDB connection (``raw s/f``): the database's share of any difference, without Python.
"""

from __future__ import annotations

import sqlalchemy as sa

from dashboard import access, db
from dashboard.bench.queries import cases, interleaved_medians
from queries import scope as row_scope
from queries.filters import Filters

BUDGET = 1.10
VIEWS = ("kpis", "funnel", "heatmap", "nps-trend", "segments")  # the benchmark views


def _as(viewer: access.Viewer, fn):
    def run():
        with access.acting_as(viewer):
            return fn()

    return run


def measure_scope(engine: sa.Engine, f: Filters, scope: access.Scope, runs: int, log) -> list[dict]:
    """Medians (ms) and ratios per view for ``scope``."""
    viewer = access.Viewer("bench@localhost", "analyst", scope)
    filtered = f.replace(**{d: tuple(v) for d, v in scope.as_dict().items()})
    results = []
    pairs = zip(cases(engine, f, None), cases(engine, filtered, None), strict=True)
    for case, same in ((c, s) for c, s in pairs if c.name in VIEWS):
        log(f"  {case.name} (scope {scope.spec()}) ...")
        unscoped, scoped, by_filter, raw_scoped, raw_filtered = interleaved_medians(
            [case.run, _as(viewer, case.run), same.run,
             db.raw_runner(engine, row_scope.scoped(case.statement, scope.as_dict())),
             db.raw_runner(engine, same.statement)],
            runs,
        )  # fmt: skip
        results.append(
            {"query": case.name, "unscoped_ms": unscoped * 1000, "scoped_ms": scoped * 1000,
             "filtered_ms": by_filter * 1000, "scoped_vs_filtered": scoped / by_filter,
             "scoped_vs_unscoped": scoped / unscoped, "raw_scoped_vs_filtered":
             raw_scoped / raw_filtered}
        )  # fmt: skip
    return results


def scope_markdown(results: list[dict], scope: access.Scope) -> str:
    lines = [
        "",
        f"Scope `{scope.spec()}` (end to end, medians): (u) no scope, (s) a viewer with the "
        "scope, (f) no scope but the scope's values as filters -- the same numbers as (s).",
        "",
        "| query | (u) no scope | (s) scoped | (f) filtered | s/f | s/u | raw SQL s/f |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r['query']} | {r['unscoped_ms']:,.1f} ms | {r['scoped_ms']:,.1f} ms | "
            f"{r['filtered_ms']:,.1f} ms | {r['scoped_vs_filtered']:.2f}× | "
            f"{r['scoped_vs_unscoped']:.2f}× | {r['raw_scoped_vs_filtered']:.2f}× |"
        )
    worst = max(r["scoped_vs_filtered"] for r in results)
    verdict = "within" if worst <= BUDGET else "OVER"
    lines.append("")
    lines.append(f"Worst s/f: {worst:.2f}× ({verdict} the {BUDGET:.2f}× budget).")
    return "\n".join(lines)
