"""Tables for spreadsheets: CSV (UTF-8 with BOM) and XLSX, safe to open in Excel.

Formula injection (OWASP "CSV injection"): a text cell that starts with ``=``,
``+``, ``-``, ``@``, a tab or a carriage return could run as a formula when a
spreadsheet opens it, so such cells get a leading ``'``. Only text is touched:
numeric columns stay numbers (-5 stays -5). XLSX strings are additionally written
as strings, never formulas or links (xlsxwriter's ``strings_to_formulas=False``).
"""

from __future__ import annotations

import io
import re

import polars as pl
import polars.selectors as cs
import xlsxwriter

from dashboard.export.charts import ExportContext

EXCEL_MAX_DATA_ROWS = 1_048_575  # 1,048,576 rows per sheet, one of them the header
EXCEL_MAX_COLUMNS = 16_384
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


def table_csv(frame: pl.DataFrame) -> bytes:
    """``frame`` as CSV: UTF-8 with a byte-order mark (so Excel shows Vietnamese text
    correctly), formula injection neutralised, timestamps as ``YYYY-MM-DD HH:MM:SS``."""
    safe = neutralise_formulas(frame)
    return UTF8_BOM + safe.write_csv(datetime_format=DATETIME_FORMAT).encode("utf-8")


def check_excel_limits(frame: pl.DataFrame) -> None:
    """Raise ValueError with a message for people when ``frame`` does not fit one sheet."""
    if frame.height > EXCEL_MAX_DATA_ROWS:
        raise ValueError(
            f"The table has {frame.height:,} rows; an Excel sheet holds at most "
            f"{EXCEL_MAX_DATA_ROWS:,} data rows. Narrow the filters or export as CSV."
        )
    if frame.width > EXCEL_MAX_COLUMNS:
        raise ValueError(
            f"The table has {frame.width:,} columns; an Excel sheet holds at most "
            f"{EXCEL_MAX_COLUMNS:,}. Export as CSV instead."
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


def table_xlsx(
    frame: pl.DataFrame, *, sheet: str = "Data", context: ExportContext | None = None
) -> bytes:
    """``frame`` as an XLSX workbook: typed columns, header row frozen, fitted widths.

    The table is on sheet ``sheet`` starting at A1 (so it reads straight back); the
    context (title, filters in words, as-of time, source) is on a second sheet "About".

    Raises
    ------
    ValueError
        When the table exceeds Excel's 1,048,575 data rows (or 16,384 columns).
    """
    check_excel_limits(frame)
    safe = neutralise_formulas(frame)
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
        _about_sheet(workbook, context, table_sheet=name, rows=frame.height)
    workbook.close()
    return buffer.getvalue()


def _about_sheet(
    workbook: xlsxwriter.Workbook, context: ExportContext, *, table_sheet: str, rows: int
) -> None:
    about = workbook.add_worksheet("About" if table_sheet != "About" else "About export")
    bold = workbook.add_format({"bold": True})
    entries = [
        ("Title", context.title),
        ("Filters", context.filters_words),
        ("Data as of", context.as_of_words() if context.as_of is not None else ""),
        ("Source", context.source),
        ("Exported by", context.exported_by),
        ("Table", f"sheet '{table_sheet}', {rows:,} rows"),
    ]
    for row, (label, value) in enumerate(entries):
        about.write_string(row, 0, label, bold)
        about.write_string(row, 1, neutralise_text(str(value or "")))
    about.set_column(0, 0, 14)
    about.set_column(1, 1, 90)
