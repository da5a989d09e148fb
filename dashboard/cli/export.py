"""``cxdash export report|chart|table``: the dashboard's exports from the command line.

``--lang vi|en`` writes titles, captions, labels and numbers in that language (default:
``CXDASH_LANGUAGE``, where ``auto`` means English on the command line).
"""

from __future__ import annotations

import argparse
import functools
import sys
import time
from collections.abc import Callable
from pathlib import Path

from dashboard import audit, views
from dashboard.cli.args import PERIOD_HELP, options_from_args
from dashboard.export.views import CHART_FORMATS, TABLE_FORMATS
from dashboard.i18n import LANGUAGES, N_, _, cli_language, language
from dashboard.views.reports import REPORTS

# The XLSX sheet of an exported table (English: the table's name, as always).
SHEET_NAMES = {
    "feedback": N_("Feedback"),
    "segments": N_("Segments"),
    "heatmap": N_("Heatmap"),
    "funnel": N_("Funnel"),
}


def _format_for(args: argparse.Namespace, allowed: tuple[str, ...]) -> str:
    """--format, else the --out file's extension."""
    fmt = args.format or Path(args.out).suffix.lower().lstrip(".")
    if fmt not in allowed:
        raise ValueError(
            f"cannot tell the format from {args.out!r}; give --format {'|'.join(allowed)}"
        )
    return fmt


def _write(path: str, data: bytes, started: float) -> None:
    out = Path(path)
    if out.parent and not out.parent.exists():
        raise ValueError(f"the folder {out.parent} does not exist")
    out.write_bytes(data)
    elapsed = time.perf_counter() - started
    print(f"Wrote {out} ({len(data):,} bytes) in {elapsed:.1f} s.", file=sys.stderr)


def _engine_and_filters(args: argparse.Namespace):
    from dashboard import db
    from dashboard.cli.args import resolve_filters

    engine = db.create_engine()
    return engine, resolve_filters(engine, args)


def _no_browser(exc: Exception, hint: str):
    from dashboard.cli.errors import CliError

    return CliError(f"{exc} ({hint})")


def _export_chart(args: argparse.Namespace) -> int:
    from dashboard.export.charts import figure_bytes, figure_html
    from dashboard.export.render import ChromiumUnavailable
    from dashboard.export.views import chart_for

    started = time.perf_counter()
    fmt = _format_for(args, CHART_FORMATS)
    if fmt != "html":
        try:
            warm_up_or_fail()  # the browser starts while the database answers
        except ChromiumUnavailable as exc:
            raise _no_browser(exc, "use --format html for an interactive chart") from None
    engine, f = _engine_and_filters(args)
    fig, context = chart_for(engine, args.chart, f, options_from_args(args))
    size = {"width": args.width, "height": args.height}
    if fmt == "html":
        data = figure_html(fig, context, **size)
    else:
        data = figure_bytes(fig, fmt, context=context, scale=args.scale, **size)
    _write(args.out, data, started)
    _record(engine, f"chart {args.chart} ({fmt})", args.out)
    return 0


def _record(engine, what: str, out: str, rows: int | None = None) -> None:
    audit.record("export", detail=f"{what} to {Path(out).name}", rows=rows, engine=engine)


def warm_up_or_fail() -> None:
    """Start the shared browser in the background, or raise ChromiumUnavailable now."""
    from dashboard.export.render import find_chromium, warm_up

    find_chromium()
    warm_up()


def _export_table(args: argparse.Namespace) -> int:
    from dashboard.export.tables import table_csv, table_xlsx
    from dashboard.export.views import table_for

    started = time.perf_counter()
    fmt = _format_for(args, TABLE_FORMATS)
    engine, f = _engine_and_filters(args)
    frame, context = table_for(engine, args.table, f, options_from_args(args))
    if fmt == "csv":
        data = table_csv(frame)
    else:
        sheet = SHEET_NAMES.get(args.table)
        data = table_xlsx(frame, sheet=_(sheet) if sheet else args.table.capitalize(),
                          context=context)  # fmt: skip
    _write(args.out, data, started)
    _record(engine, f"table {args.table} ({fmt})", args.out, rows=frame.height)
    return 0


def _export_report(args: argparse.Namespace) -> int:
    from dashboard.export.render import ChromiumUnavailable
    from dashboard.export.views import report_for

    started = time.perf_counter()
    try:
        warm_up_or_fail()
    except ChromiumUnavailable as exc:
        raise _no_browser(exc, "charts can be exported one by one with --format html") from None
    engine, f = _engine_and_filters(args)
    data = report_for(engine, args.page, f, options_from_args(args))
    _write(args.out, data, started)
    _record(engine, f"report {args.page}", args.out)
    return 0


def in_language(handler: Callable[[argparse.Namespace], int]):
    """Run an export handler in the language of ``--lang`` (or the setting)."""

    @functools.wraps(handler)
    def run(args: argparse.Namespace) -> int:
        from dashboard.config import get_settings

        with language(cli_language(args.lang, get_settings().language)):
            return handler(args)

    return run


def _add_language_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--lang",
        choices=LANGUAGES,
        help="language of titles, captions, labels and numbers "
        "(default: CXDASH_LANGUAGE; auto = en)",
    )


def register_cli(subparsers) -> None:
    """``cxdash export report|chart|table``."""
    from dashboard.cli.args import add_filter_arguments, add_view_arguments

    export = subparsers.add_parser(
        "export",
        help="export a report pack (PDF), a chart (PNG/SVG/PDF/HTML) or a table (CSV/XLSX)",
        description=(
            "Export what the dashboard shows. Filters are those of `cxdash query`. Period: "
            + PERIOD_HELP
        ),
    )
    kinds = export.add_subparsers(dest="export_kind", required=True, metavar="WHAT")

    p = kinds.add_parser("report", help="PDF report pack of a dashboard page (for cron)")
    p.add_argument("--page", choices=tuple(REPORTS), default="overview")
    p.add_argument("--out", required=True, help="PDF file to write")
    add_filter_arguments(p)
    add_view_arguments(p)
    _add_language_argument(p)
    p.set_defaults(handler=in_language(_export_report))

    p = kinds.add_parser("chart", help="one chart as PNG, SVG, PDF or interactive HTML")
    p.add_argument("chart", choices=views.exported_as("chart"))
    p.add_argument("--format", choices=CHART_FORMATS, help="default: from --out's extension")
    p.add_argument("--out", required=True)
    p.add_argument("--width", type=int, default=1200, help="pixels (default 1200)")
    p.add_argument("--height", type=int, default=675, help="pixels (default 675)")
    p.add_argument("--scale", type=float, default=None, help="PNG pixel density (default 2)")
    add_filter_arguments(p)
    add_view_arguments(p)
    _add_language_argument(p)
    p.set_defaults(handler=in_language(_export_chart))

    p = kinds.add_parser("table", help="one table as CSV (UTF-8 with BOM) or XLSX")
    p.add_argument("table", choices=views.exported_as("table"))
    p.add_argument("--format", choices=TABLE_FORMATS, help="default: from --out's extension")
    p.add_argument("--out", required=True)
    add_filter_arguments(p)
    add_view_arguments(p)
    _add_language_argument(p)
    p.set_defaults(handler=in_language(_export_table))
