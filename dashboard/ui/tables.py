"""Tables in the session's language: cells written by the locale formatters, dates in the
language's order, headers from the product's column names.

Streamlit's own number formats cannot do it: its printf formats know one decimal mark
(``%.1f`` is ``42.4`` in every language) and ``"localized"`` follows the browser, not the
language chosen here. So the cells get their text from :mod:`dashboard.i18n.formats`
through a pandas Styler: the table shows ``42,4%`` and still sorts by the number.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import polars as pl

from dashboard import charts
from dashboard.i18n.formats import MISSING, column_date_format, column_datetime_format


def _st():
    import streamlit as st

    return st


def styled(frame: pl.DataFrame, formats: Mapping[str, Callable]):
    """``frame`` as a pandas Styler whose ``formats`` columns show the formatters' text
    (``–`` for no value); the data underneath stays numeric."""
    data = frame.to_pandas()
    shown = {column: fmt for column, fmt in formats.items() if column in data.columns}
    return data.style.format(shown, na_rep=MISSING)


def text_column(label: str, **kwargs):
    return _st().column_config.TextColumn(label, **kwargs)


def number_column(label: str, **kwargs):
    """A number column for :func:`dashboard.ui.page.table` with ``formats``: no printf
    format, so the Styler's text shows."""
    return _st().column_config.NumberColumn(label, **kwargs)


def date_column(label: str, **kwargs):
    """A date column written ``05/03/2026`` / ``2026-03-05``."""
    return _st().column_config.DateColumn(label, format=column_date_format(), **kwargs)


def datetime_column(label: str, **kwargs):
    """A date-time column written ``05/03/2026 14:30`` / ``2026-03-05 14:30``."""
    return _st().column_config.DatetimeColumn(label, format=column_datetime_format(), **kwargs)


def headers(frame: pl.DataFrame, columns=None) -> dict:
    """Column configs with translated headers for every column of ``frame`` (or
    ``columns``): dates and times in the language's order, the rest with their header."""
    out = {}
    for name in columns or frame.columns:
        dtype = frame.schema.get(name)
        label = charts.column_label(name)
        if isinstance(dtype, pl.Datetime):
            out[name] = datetime_column(label)
        elif dtype == pl.Date:
            out[name] = date_column(label)
        elif dtype == pl.Boolean:
            out[name] = _st().column_config.CheckboxColumn(label)
        elif dtype is not None and dtype.is_numeric():
            out[name] = number_column(label)
        else:
            out[name] = text_column(label)
    return out
