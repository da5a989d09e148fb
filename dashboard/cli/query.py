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

from dashboard import db, state, views
from dashboard.cli.args import (
    PERIOD_HELP,
    add_filter_arguments,
    add_view_arguments,
    options_from_args,
    resolve_filters,
)
from dashboard.views import Options
from queries.filters import Filters


def run_query(engine, name: str, f: Filters, options: Options) -> pl.DataFrame | dict:
    """The result the dashboard shows for view ``name``, restricted to its printed columns."""
    view = views.get(name)
    return view.printed(view.run(engine, f, options), options)


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
        lists = [name for name, dtype in result.schema.items() if isinstance(dtype, pl.List)]
        # a comment's themes: one cell, ';'-separated (as a labels file writes them)
        return result.with_columns(pl.col(lists).list.join(";")).write_csv()
    with pl.Config(tbl_rows=-1, tbl_cols=-1, tbl_width_chars=200, fmt_str_lengths=60,
                   tbl_hide_dataframe_shape=True, float_precision=2):  # fmt: skip
        return str(result)


def _handle(args: argparse.Namespace) -> int:
    if args.compare and args.query != "kpis":
        raise ValueError("--compare applies to kpis only")
    engine = db.create_engine()
    f = resolve_filters(engine, args)
    if args.compare and (f.date_from is None or f.date_to is None):
        raise ValueError("--compare needs a closed period: give --from and --to")
    view, options = views.get(args.query), options_from_args(args)
    result = view.run(engine, f, options)
    if view.compares(options):  # name what the numbers compare with
        print(f"note: {state.describe_comparison(f)}", file=sys.stderr)
    for note in view.notes(result, options):
        print(f"note: {note}", file=sys.stderr)
    result = view.printed(result, options)
    key = view.json_key
    if isinstance(result, pl.DataFrame) and key in result.columns and args.format == "json":
        # e.g. kpis --compare: one object keyed by metric
        result = {
            row[key]: {k: _jsonable(v) for k, v in row.items() if k != key}
            for row in result.iter_rows(named=True)
        }
    sys.stdout.write(render(result, args.format).rstrip("\n") + "\n")
    return 0


def register_cli(subparsers) -> None:
    p = subparsers.add_parser(
        "query",
        help=f"print a view's numbers ({', '.join(views.exported_as('query'))})",
        description="Print exactly what the dashboard shows for the given filters. Period: "
        + PERIOD_HELP,
    )
    p.add_argument("query", choices=views.exported_as("query"))
    add_filter_arguments(p)
    add_view_arguments(p)
    p.add_argument("--compare", action="store_true",
                   help="kpis: add the comparison period (--vs: previous or year)")  # fmt: skip
    p.add_argument("--format", choices=("table", "csv", "json"), default="table")
    p.set_defaults(handler=_handle)
