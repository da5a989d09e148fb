"""Numbers, money, durations and dates for people, in Vietnamese or English.

Every formatter takes ``lang`` (``"vi"`` / ``"en"``; default: the current
language) and shows ``–`` for no value (None or NaN). Conventions:

==============  ======================  ======================
what            vi                      en
==============  ======================  ======================
integer         ``19.962``              ``19,962``
percentage      ``42,4%``               ``42.4%``
VND             ``1.234.568 ₫``         ``1,234,568 ₫``
short VND       ``36,5 tỷ ₫``           ``36.5 bn ₫``
score           ``-12,3`` / ``+12,3``   ``-12.3`` / ``+12.3``
p-value         ``p = 0,042``           ``p = 0.042``
duration        ``5,2 giờ``             ``5.2 h``
month           ``thg 3 2026``          ``Mar 2026``
date (tables)   ``05/03/2026``          ``2026-03-05``
==============  ======================  ======================

Rounding is Python's (the same digits as plotly's d3 formats and the English
formatters before): a value is rounded first, then Babel supplies the locale's
symbols and grouping. Negative numbers carry CLDR's minus for vi and en, the
ASCII ``-``: ``st.metric`` reads a delta's leading ``-`` for its arrow and colour,
and the typographic ``−`` (U+2212, which plotly draws on its ticks) would turn a
fall into a rise there. A value that rounds to zero has no sign (never ``-0,0``).
The space before ``₫`` and units is a plain space (so text extracted from a PDF
matches what a reader types).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from decimal import Decimal

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal

from dashboard.i18n.core import N_, _, check_language, current_language, language, ngettext
from queries.filters import UNKNOWN, Filters

MISSING = "–"  # en dash: no value
MINUS = "-"  # CLDR's minus for vi and en; st.metric's arrow depends on it

# Compact money units, largest first; English as the dashboard always wrote them.
MONEY_UNITS = {
    "vi": ((1e12, "nghìn tỷ"), (1e9, "tỷ"), (1e6, "triệu")),
    "en": ((1e12, "tn"), (1e9, "bn"), (1e6, "M")),
}
# seconds, minutes, hours, days
DURATION_UNITS = {"vi": ("giây", "phút", "giờ", "ngày"), "en": ("s", "min", "h", "days")}
CURRENCY = "₫"

# plotly's layout.separators: decimal mark, then thousands separator.
SEPARATORS = {"vi": ",.", "en": ".,"}
# d3 number formats for tickformat / hovertemplate ("%{y:,.1f}"): the same in both
# languages, since layout.separators supplies the symbols.
D3_INT = ",.0f"
D3_DECIMAL = ",.1f"
D3_SIGNED = "+,.1f"
D3_P_VALUE = ".3f"
# d3 time formats without month names for Vietnamese (plotly only knows English ones).
D3_DATE_FORMATS = {
    "vi": {"day": "%d/%m/%Y", "week": "%d/%m/%Y", "month": "thg %-m %Y"},
    "en": {"day": "%Y-%m-%d", "week": "%Y-%m-%d", "month": "%b %Y"},
}
# Streamlit column_config.DateColumn / DatetimeColumn formats (day.js syntax).
COLUMN_DATE_FORMATS = {"vi": "DD/MM/YYYY", "en": "YYYY-MM-DD"}
COLUMN_DATETIME_FORMATS = {"vi": "DD/MM/YYYY HH:mm", "en": "YYYY-MM-DD HH:mm"}


def _lang(lang: str | None) -> str:
    return current_language() if lang is None else check_language(lang)


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _number(value: float, digits: int, lang: str, signed: bool = False) -> str:
    """``value`` rounded to ``digits`` decimals with the locale's symbols and our signs."""
    rounded = Decimal(f"{abs(float(value)):.{digits}f}")
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    text = format_decimal(rounded, format=pattern, locale=lang)
    if rounded == 0:
        return text
    if value < 0:
        return MINUS + text
    return "+" + text if signed else text


# -- numbers -----------------------------------------------------------------------------


def fmt_int(value: float | None, lang: str | None = None) -> str:
    """A count: ``19.962`` / ``19,962``."""
    return MISSING if _missing(value) else _number(value, 0, _lang(lang))


def fmt_number(
    value: float | None, digits: int = 1, signed: bool = False, lang: str | None = None
) -> str:
    """A number with ``digits`` decimals: ``1.234,5`` / ``1,234.5``."""
    return MISSING if _missing(value) else _number(value, digits, _lang(lang), signed)


def fmt_pct(value: float | None, signed: bool = False, lang: str | None = None) -> str:
    """A 0–100 share with one decimal: ``42,4%`` / ``42.4%``."""
    return MISSING if _missing(value) else _number(value, 1, _lang(lang), signed) + "%"


def fmt_score(value: float | None, signed: bool = False, lang: str | None = None) -> str:
    """NPS / CES with one decimal; ``+12,3`` / ``-12,3`` when ``signed``."""
    return MISSING if _missing(value) else _number(value, 1, _lang(lang), signed)


def fmt_p(value: float | None, lang: str | None = None) -> str:
    """A p-value for people: ``p = 0,042`` / ``p = 0.042``, ``p < 0,001``; ``–`` for no test."""
    if _missing(value):
        return MISSING
    lang = _lang(lang)
    if value < 0.001:
        return "p < " + _number(0.001, 3, lang)
    return "p = " + _number(value, 3, lang)


# -- money -----------------------------------------------------------------------------------


def fmt_vnd(value: float | None, lang: str | None = None) -> str:
    """Whole đồng: ``1.234.568 ₫`` / ``1,234,568 ₫``."""
    return MISSING if _missing(value) else f"{_number(value, 0, _lang(lang))} {CURRENCY}"


def fmt_vnd_short(value: float | None, lang: str | None = None) -> str:
    """Compact VND for tiles: ``36,5 tỷ ₫`` / ``36.5 bn ₫``; under a million in full.

    The unit is the largest one the rounded value reaches, so 999.96 million reads
    ``1,0 tỷ ₫``, never ``1.000,0 triệu ₫``.
    """
    if _missing(value):
        return MISSING
    lang = _lang(lang)
    for size, unit in MONEY_UNITS[lang]:
        if round(abs(value) / size, 1) >= 1:
            return f"{_number(value / size, 1, lang)} {unit} {CURRENCY}"
    return fmt_vnd(value, lang)


# -- durations ---------------------------------------------------------------------------------


def fmt_seconds(value: float | None, lang: str | None = None) -> str:
    """A duration in words: ``45 giây`` / ``45 s``, ``12 phút`` / ``12 min``,
    ``5,2 giờ`` / ``5.2 h``, ``3,1 ngày`` / ``3.1 days``.

    The unit follows the rounded value: 59.6 seconds is ``1 min``, not ``60 s``.
    """
    if _missing(value):
        return MISSING
    lang = _lang(lang)
    seconds, minutes, hours, days = DURATION_UNITS[lang]
    size = abs(value)
    if round(size) < 60:
        return f"{_number(value, 0, lang)} {seconds}"
    if round(size / 60) < 60:
        return f"{_number(value / 60, 0, lang)} {minutes}"
    if round(size / 3600, 1) < 24:
        return f"{_number(value / 3600, 1, lang)} {hours}"
    return f"{_number(value / 86400, 1, lang)} {days}"


# -- dates ---------------------------------------------------------------------------------------


def _as_date(value: dt.date | dt.datetime | str) -> dt.date:
    if isinstance(value, str):
        return dt.date.fromisoformat(value[:10])
    return value.date() if isinstance(value, dt.datetime) else value


def fmt_date(value: dt.date | dt.datetime | str | None, lang: str | None = None) -> str:
    """A day in a table: ``05/03/2026`` / ``2026-03-05``."""
    if value is None:
        return MISSING
    pattern = "dd/MM/yyyy" if _lang(lang) == "vi" else "yyyy-MM-dd"
    return format_date(_as_date(value), pattern, locale=_lang(lang))


def fmt_datetime(value: dt.datetime | str | None, lang: str | None = None) -> str:
    """A time in a table: ``05/03/2026 14:30`` / ``2026-03-05 14:30`` (as stored, no zone)."""
    if value is None:
        return MISSING
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    pattern = "dd/MM/yyyy HH:mm" if _lang(lang) == "vi" else "yyyy-MM-dd HH:mm"
    return format_datetime(value.replace(tzinfo=None), pattern, locale=_lang(lang))


def fmt_month(value: dt.date | dt.datetime | str | None, lang: str | None = None) -> str:
    """A month: ``thg 3 2026`` / ``Mar 2026`` (CLDR's abbreviated month and year)."""
    if value is None:
        return MISSING
    return format_date(_as_date(value), "MMM y", locale=_lang(lang))


def _month_end(day: dt.date) -> dt.date:
    first_next = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return first_next - dt.timedelta(days=1)


def _day_vi(day: dt.date) -> str:
    return f"{day.day}/{day.month}/{day.year}"


def _day_en(day: dt.date) -> str:
    return f"{day.day} {format_date(day, 'MMM', locale='en')} {day.year}"


def _describe_vi(date_from: dt.date, date_to: dt.date, whole_months: bool) -> str:
    """Vietnamese ranges the way reports write them: ``tháng 1–3/2025``, ``3–16/2/2025``."""
    if whole_months:
        if (date_from.year, date_from.month) == (date_to.year, date_to.month):
            return f"tháng {date_to.month}/{date_to.year}"
        if date_from.year == date_to.year:
            return f"tháng {date_from.month}–{date_to.month}/{date_to.year}"
        return f"tháng {date_from.month}/{date_from.year}–tháng {date_to.month}/{date_to.year}"
    if date_from == date_to:
        return _day_vi(date_from)
    if date_from.year == date_to.year:
        if date_from.month == date_to.month:
            return f"{date_from.day}–{_day_vi(date_to)}"
        return f"{date_from.day}/{date_from.month} – {_day_vi(date_to)}"
    return f"{_day_vi(date_from)} – {_day_vi(date_to)}"


def _describe_en(date_from: dt.date, date_to: dt.date, whole_months: bool) -> str:
    """English ranges exactly as ``dashboard.state.describe_period`` writes them."""

    def month(day: dt.date) -> str:
        return format_date(day, "MMM", locale="en")

    if whole_months:
        first, last = month(date_from), month(date_to)
        if (date_from.year, date_from.month) == (date_to.year, date_to.month):
            return f"{first} {date_to.year}"
        if date_from.year == date_to.year:
            return f"{first}–{last} {date_to.year}"
        return f"{first} {date_from.year}–{last} {date_to.year}"
    if date_from == date_to:
        return _day_en(date_from)
    if date_from.year == date_to.year:
        if date_from.month == date_to.month:
            return f"{date_from.day}–{_day_en(date_to)}"
        return f"{date_from.day} {month(date_from)} – {_day_en(date_to)}"
    return f"{_day_en(date_from)} – {_day_en(date_to)}"


def _day(day: dt.date, lang: str) -> str:
    return _day_vi(day) if lang == "vi" else _day_en(day)


def describe_period(
    date_from: dt.date | None, date_to: dt.date | None, lang: str | None = None
) -> str:
    """A period in words.

    en: ``Jan–Mar 2025``, ``Nov 2024–Jan 2025``, ``3–16 Feb 2025``, ``all time``;
    vi: ``tháng 1–3/2025``, ``tháng 11/2024–tháng 1/2025``, ``3–16/2/2025``,
    ``toàn bộ thời gian``.
    """
    lang = _lang(lang)
    with language(lang):
        if date_from is None and date_to is None:
            return _("all time")
        if date_from is None:
            return _("until {day}").format(day=_day(date_to, lang))
        if date_to is None:
            return _("since {day}").format(day=_day(date_from, lang))
    whole_months = date_from.day == 1 and date_to == _month_end(date_to)
    describe = _describe_vi if lang == "vi" else _describe_en
    return describe(date_from, date_to, whole_months)


# What a comparison compares with, in words (Filters.compare_with).
COMPARISON_LABELS = {
    "previous": N_("previous period"),
    "year": N_("same period last year"),
}


def describe_comparison(f: Filters, lang: str | None = None) -> str:
    """The period a comparison compares with, named: en ``vs Apr–Jun 2026 (previous
    period)``, vi ``so với tháng 4–6/2026 (kỳ trước)``; empty for an open period."""
    if f.date_from is None or f.date_to is None:
        return ""
    lang = _lang(lang)
    other = f.comparison()
    with language(lang):
        return _("vs {period} ({kind})").format(
            period=describe_period(other.date_from, other.date_to, lang),
            kind=_(COMPARISON_LABELS[f.compare_with]),
        )


# -- filters in words -----------------------------------------------------------------------------

# The dimensions always mentioned ("all ..." when unrestricted), then the rest only when set.
ALL_OF = {
    "segment": N_("all segments"),
    "region": N_("all regions"),
    "channel": N_("all channels"),
    "touchpoint": N_("all touchpoints"),
}
WHEN_SET = {
    "age_band": N_("age"),
    "gender": N_("gender"),
    "income_band": N_("income"),
    "survey_channel": N_("survey channel"),
}
MAX_LISTED = 3


def _listed(values: tuple[str, ...]) -> str:
    # "(unknown)" -- customers with no recorded value -- in words, the rest as in the data
    values = tuple(_("(unknown)") if v == UNKNOWN else v for v in values)
    if len(values) <= MAX_LISTED:
        return ", ".join(values)
    rest = len(values) - MAX_LISTED
    more = ngettext("+{n} more", "+{n} more", rest).format(n=rest)
    return ", ".join(values[:MAX_LISTED]) + " " + more


def describe_filters(f: Filters, extra: Iterable[str] = (), lang: str | None = None) -> str:
    """The active filters in words, e.g. en ``Jan–Mar 2025 · SMB, Enterprise · all regions ·
    ...``, vi ``tháng 1–3/2025 · SMB, Enterprise · tất cả khu vực · ...``.

    Data values (segment names, ...) are shown as they are; ``extra`` parts are
    appended as given (translate them before).
    """
    lang = _lang(lang)
    with language(lang):
        parts = [describe_period(f.date_from, f.date_to)]
        for name, everything in ALL_OF.items():
            values = getattr(f, name)
            parts.append(_listed(values) if values else _(everything))
        for name, label in WHEN_SET.items():
            values = getattr(f, name)
            if values:
                parts.append(f"{_(label)}: {_listed(values)}")
        parts.extend(extra)
        return " · ".join(parts)


# -- charts and tables ----------------------------------------------------------------------------


def plotly_separators(lang: str | None = None) -> str:
    """plotly ``layout.separators``: ``",."`` for vi (decimal comma), ``".,"`` for en."""
    return SEPARATORS[_lang(lang)]


def plotly_layout(lang: str | None = None) -> dict[str, str]:
    """Layout settings a figure needs for ``lang``: ``fig.update_layout(**plotly_layout())``."""
    return {"separators": plotly_separators(lang)}


def d3_date_format(grain: str, lang: str | None = None) -> str:
    """A plotly date tickformat / hover format for a trend's ``grain`` (day, week, month)."""
    formats = D3_DATE_FORMATS[_lang(lang)]
    if grain not in formats:
        raise ValueError(f"unknown grain {grain!r}; use one of {', '.join(formats)}")
    return formats[grain]


def column_date_format(lang: str | None = None) -> str:
    """``st.column_config.DateColumn(format=...)`` for ``lang``."""
    return COLUMN_DATE_FORMATS[_lang(lang)]


def column_datetime_format(lang: str | None = None) -> str:
    """``st.column_config.DatetimeColumn(format=...)`` for ``lang``."""
    return COLUMN_DATETIME_FORMATS[_lang(lang)]
