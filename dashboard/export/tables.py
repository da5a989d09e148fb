"""Tables for spreadsheets: CSV (UTF-8 with BOM) and XLSX, safe to open in Excel.

Formula injection (OWASP "CSV injection"): a text cell that starts with ``=``,
``+``, ``-``, ``@``, a tab or a carriage return could run as a formula when a
spreadsheet opens it, so such cells get a leading ``'``. Only text is touched:
numeric columns stay numbers (-5 stays -5). XLSX strings are additionally written
as strings, never formulas or links (xlsxwriter's ``strings_to_formulas=False``).

Numbers stay numbers (so spreadsheets can compute); the headers and the "About" sheet
are in the current language. English headers are the column names, as they always were
(scripts read them); other languages get the columns' names in words.
"""

from __future__ import annotations

import io
import re

import polars as pl
import polars.selectors as cs
import xlsxwriter

from dashboard.charts.labels import column_label
from dashboard.export.charts import ExportContext
from dashboard.i18n import SOURCE_LANGUAGE, _, current_language
from dashboard.i18n.formats import fmt_int

EXCEL_MAX_DATA_ROWS = 1_048_575  # 1,048,576 rows per sheet, one of them the header
EXCEL_MAX_COLUMNS = 16_384
EXCEL_MAX_CELL_CHARS = 32_767  # longer text is cut by Excel (and by xlsxwriter, silently)
FORMULA_START = re.compile(r"^[=+\-@\t\r]")
FORMULA_START_PATTERN = r"^[=+\-@\t\r]"
UTF8_BOM = b"\xef\xbb\xbf"
DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S"
MIN_WIDTH, MAX_WIDTH = 8, 60
SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def neutralise_text(value: str) -> str:
    """One text value made safe: ``'`` before a leading formula character."""
    return "'" + value if FORMULA_START.match(value) else value


def neutralise_formulas(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with every text cell (and column name) that could start a formula prefixed
    with ``'``; numeric, temporal and boolean columns are returned unchanged.

    Nested columns (lists, structs) are flattened to text first, since a spreadsheet
    cell holds one value.
    """
    frame = _flatten_nested(frame)
    text_columns = [c for c, t in frame.schema.items() if _is_text(t)]
    safe = frame.with_columns(
        pl.when(pl.col(c).str.contains(FORMULA_START_PATTERN))
        .then(pl.lit("'") + pl.col(c))
        .otherwise(pl.col(c))
        .alias(c)
        for c in text_columns
    )
    return safe.rename({c: neutralise_text(c) for c in safe.columns if FORMULA_START.match(c)})


def _is_text(dtype: pl.DataType) -> bool:
    return dtype == pl.String


def _flatten_nested(frame: pl.DataFrame) -> pl.DataFrame:
    exprs = []
    for name, dtype in frame.schema.items():
        if isinstance(dtype, pl.Categorical | pl.Enum):
            exprs.append(pl.col(name).cast(pl.String))
        elif isinstance(dtype, pl.List | pl.Array):
            exprs.append(
                pl.col(name)
                .cast(pl.List(dtype.inner))
                .list.eval(pl.element().cast(pl.String))
                .list.join(", ")
            )
        elif isinstance(dtype, pl.Struct):
            exprs.append(pl.col(name).struct.json_encode())
        elif dtype == pl.Object or dtype == pl.Binary:
            exprs.append(pl.col(name).map_elements(str, return_dtype=pl.String))
    return frame.with_columns(exprs) if exprs else frame


def localized_headers(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with headers for people in the current language (English: unchanged).

    A header that two columns would share keeps its column name.
    """
    if current_language() == SOURCE_LANGUAGE:
        return frame
    wanted = {name: column_label(name) for name in frame.columns}
    taken = list(wanted.values())
    return frame.rename(
        {name: label for name, label in wanted.items() if taken.count(label) == 1 and
         label not in frame.columns}
    )  # fmt: skip


def table_csv(frame: pl.DataFrame) -> bytes:
    """``frame`` as CSV: UTF-8 with a byte-order mark (so Excel shows Vietnamese text
    correctly), formula injection neutralised, timestamps as ``YYYY-MM-DD HH:MM:SS``,
    headers in the current language."""
    safe = neutralise_formulas(localized_headers(frame))
    return UTF8_BOM + safe.write_csv(datetime_format=DATETIME_FORMAT).encode("utf-8")


def check_excel_limits(frame: pl.DataFrame) -> None:
    """Raise ValueError with a message for people when ``frame`` does not fit one sheet."""
    if frame.height > EXCEL_MAX_DATA_ROWS:
        raise ValueError(
            _(
                "The table has {rows} rows; an Excel sheet holds at most {limit} data rows. "
                "Narrow the filters or export as CSV."
            ).format(rows=fmt_int(frame.height), limit=fmt_int(EXCEL_MAX_DATA_ROWS))
        )
    if frame.width > EXCEL_MAX_COLUMNS:
        raise ValueError(
            _(
                "The table has {columns} columns; an Excel sheet holds at most {limit}. "
                "Export as CSV instead."
            ).format(columns=fmt_int(frame.width), limit=fmt_int(EXCEL_MAX_COLUMNS))
        )


def sheet_name(name: str) -> str:
    """A valid worksheet name: no ``[]:*?/\\``, at most 31 characters, not empty."""
    cleaned = SHEET_NAME_FORBIDDEN.sub(" ", name).strip().strip("'")
    return (cleaned or "Data")[:31]


def column_widths(frame: pl.DataFrame) -> dict[str, int]:
    """Character widths fitting header and values, clipped to 8..60 (long comments wrap
    nowhere; they are cut at 60 and shown whole in the cell)."""
    widths: dict[str, int] = {}
    for name, dtype in frame.schema.items():
        header = len(name) + 2
        if dtype == pl.String and frame.height:
            longest = frame.select(pl.col(name).str.len_chars().max()).item() or 0
            body = longest + 1
        elif dtype == pl.Datetime or isinstance(dtype, pl.Datetime):
            body = 19
        elif dtype == pl.Date:
            body = 11
        elif dtype.is_numeric():
            body = 12
        else:
            body = 10
        widths[name] = max(MIN_WIDTH, min(MAX_WIDTH, max(header, body)))
    return widths


def truncation_marker() -> str:
    """What ends a text cut to fit Excel's cell (in the language of the export)."""
    return _(" … [cut: Excel holds {limit} characters per cell; the CSV export has it all]").format(
        limit=fmt_int(EXCEL_MAX_CELL_CHARS)
    )


def cut_to_excel_cells(frame: pl.DataFrame) -> tuple[pl.DataFrame, int]:
    """``frame`` with every text longer than Excel's cell limit cut visibly (ending with
    :func:`truncation_marker`), and how many cells were cut."""
    text_columns = [c for c, t in frame.schema.items() if _is_text(t)]
    if not text_columns or frame.is_empty():
        return frame, 0
    too_long = [pl.col(c).str.len_chars() > EXCEL_MAX_CELL_CHARS for c in text_columns]
    count = frame.select(pl.sum_horizontal(e.sum() for e in too_long)).item() or 0
    if not count:
        return frame, 0
    marker = truncation_marker()
    keep = EXCEL_MAX_CELL_CHARS - len(marker)
    cut = frame.with_columns(
        pl.when(long).then(pl.col(c).str.slice(0, keep) + pl.lit(marker)).otherwise(pl.col(c))
        for c, long in zip(text_columns, too_long, strict=True)
    )
    return cut, int(count)


def table_xlsx(
    frame: pl.DataFrame, *, sheet: str = "Data", context: ExportContext | None = None
) -> bytes:
    """``frame`` as an XLSX workbook: typed columns, header row frozen, fitted widths.

    The table is on sheet ``sheet`` starting at A1 (so it reads straight back); the
    context (title, filters in words, as-of time, source) is on a second sheet "About"
    (in the current language, like the headers).

    Raises
    ------
    ValueError
        When the table exceeds Excel's 1,048,575 data rows (or 16,384 columns).
    """
    check_excel_limits(frame)
    safe, cut = cut_to_excel_cells(neutralise_formulas(localized_headers(frame)))
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        buffer,
        {
            # Text is data, never a formula, link or number guessed from a string.
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
            "default_date_format": "yyyy-mm-dd",
        },
    )
    name = sheet_name(sheet)
    safe.write_excel(
        workbook,
        worksheet=name,
        table_style="Table Style Light 9",
        dtype_formats={
            cs.integer(): "#,##0",
            cs.float(): "General",
            cs.datetime(): "yyyy-mm-dd hh:mm:ss",
            cs.date(): "yyyy-mm-dd",
        },
        # polars takes pixels; Calibri 11 is about 7 px a character plus padding.
        column_widths={c: w * 7 + 5 for c, w in column_widths(safe).items()},
        freeze_panes=(1, 0),
        autofilter=True,
    )
    if context is not None:
        _about_sheet(workbook, context, table_sheet=name, rows=frame.height, cut=cut)
    workbook.close()
    return buffer.getvalue()


def _about_sheet(
    workbook: xlsxwriter.Workbook,
    context: ExportContext,
    *,
    table_sheet: str,
    rows: int,
    cut: int = 0,
) -> None:
    name = sheet_name(_("About"))
    about = workbook.add_worksheet(name if table_sheet != name else sheet_name(_("About export")))
    bold = workbook.add_format({"bold": True})
    entries = [
        (_("Title"), context.title),
        (_("Filters"), context.filters_words),
        (_("Data as of"), context.as_of_words() if context.as_of is not None else ""),
        (_("Source"), context.source),
        (_("Exported by"), context.exported_by),
        (_("Table"), _("sheet '{sheet}', {rows} rows").format(sheet=table_sheet,
                                                             rows=fmt_int(rows))),
    ]  # fmt: skip
    if cut:
        entries.append(
            (
                _("Cut cells"),
                _(
                    "{n} text cell(s) were longer than the {limit} characters an Excel cell "
                    "holds: they are cut and end with “… [cut: …]”. The CSV export has the "
                    "whole text."
                ).format(n=fmt_int(cut), limit=fmt_int(EXCEL_MAX_CELL_CHARS)),
            )
        )
    for row, (label, value) in enumerate(entries):
        about.write_string(row, 0, label, bold)
        about.write_string(row, 1, neutralise_text(str(value or "")))
    about.set_column(0, 0, 14)
    about.set_column(1, 1, 90)
