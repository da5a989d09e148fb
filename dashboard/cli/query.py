"""``cxdash query``: print exactly what the dashboard shows, as a table, CSV or JSON.

The filter arguments are shared with ``cxdash export`` (:func:`add_filter_arguments`,
:func:`filters_from_args`).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import sys

import polars as pl

from dashboard import db, service
from dashboard.cli.args import add_filter_arguments, add_view_arguments, filters_from_args
from dashboard.metrics.scores import KPI_KEYS
from queries.filters import Filters

QUERIES = ("kpis", "funnel", "heatmap", "nps-trend", "segments")

# The keys each query prints (a breakdown adds the dimension's name after the first).
OUTPUT_COLUMNS = {
    "kpis": KPI_KEYS,
    "funnel": (
        "step", "customers", "conversion_from_previous", "conversion_overall", "dropoff",
        "median_seconds_from_previous",
    ),
    "heatmap": ("touchpoint", "value", "n", "low_n", "p", "q", "significant"),
    "nps-trend": (
        "period", "n", "promoters", "passives", "detractors", "nps", "moe", "low_n",
    ),
    "segments": (*KPI_KEYS, "low_n"),
}  # fmt: skip


def run_query(engine, name: str, f: Filters, args: argparse.Namespace) -> pl.DataFrame | dict:
    """The result the dashboard shows for query ``name``, restricted to its output keys."""
    by = args.by
    if name == "kpis":
        record = service.get_kpis(engine, f)
        if getattr(args, "compare", False):
            return service.compare_kpis(engine, f)
        return {k: record[k] for k in KPI_KEYS}
    if name == "funnel":
        frame = service.get_funnel(engine, f, args.steps, args.window, by)
    elif name == "heatmap":
        if by is None:
            raise ValueError("heatmap needs --by DIMENSION (e.g. --by segment)")
        frame = service.get_heatmap(engine, f, args.metric, by)
    elif name == "nps-trend":
        frame = service.get_nps_trend(engine, f, args.grain, by)
    else:
        if by is None:
            raise ValueError("segments needs --by DIMENSION (e.g. --by segment)")
        frame = service.get_segments(engine, f, by)
    columns = list(OUTPUT_COLUMNS[name])
    if by and by not in columns:
        columns.insert(1 if name in ("heatmap", "nps-trend") else 0, by)
    return frame.select(*columns)


def _jsonable(value):
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value


def render(result: pl.DataFrame | dict, fmt: str) -> str:
    if isinstance(result, dict):
        if fmt == "json":
            return json.dumps({k: _jsonable(v) for k, v in result.items()}, ensure_ascii=False)
        result = pl.DataFrame([result])
    if fmt == "json":
        rows = [{k: _jsonable(v) for k, v in row.items()} for row in result.iter_rows(named=True)]
        return json.dumps(rows, ensure_ascii=False, indent=1)
    if fmt == "csv":
        return result.write_csv()
    with pl.Config(tbl_rows=-1, tbl_cols=-1, tbl_width_chars=200, fmt_str_lengths=60,
                   tbl_hide_dataframe_shape=True, float_precision=2):  # fmt: skip
        return str(result)


def _handle(args: argparse.Namespace) -> int:
    f = filters_from_args(args)
    if args.compare and args.query != "kpis":
        raise ValueError("--compare applies to kpis only")
    if args.compare and (f.date_from is None or f.date_to is None):
        raise ValueError("--compare needs a closed period: give --from and --to")
    engine = db.create_engine()
    result = run_query(engine, args.query, f, args)
    if isinstance(result, pl.DataFrame) and args.query == "kpis" and args.format == "json":
        # kpis --compare: one object keyed by metric
        result = {
            row["metric"]: {k: _jsonable(v) for k, v in row.items() if k != "metric"}
            for row in result.iter_rows(named=True)
        }
    sys.stdout.write(render(result, args.format).rstrip("\n") + "\n")
    return 0


def register_cli(subparsers) -> None:
    p = subparsers.add_parser(
        "query",
        help="print a view's numbers (kpis, funnel, heatmap, nps-trend, segments)",
        description="Print exactly what the dashboard shows for the given filters.",
    )
    p.add_argument("query", choices=QUERIES)
    add_filter_arguments(p)
    add_view_arguments(p)
    p.add_argument("--compare", action="store_true", help="kpis: add the previous period")
    p.add_argument("--format", choices=("table", "csv", "json"), default="table")
    p.set_defaults(handler=_handle)
