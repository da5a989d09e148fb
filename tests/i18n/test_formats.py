"""Locale formatting: the same value written the Vietnamese and the English way."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from dashboard import state
from dashboard.i18n import formats as fmt
from dashboard.i18n import language
from queries.filters import Filters

D = dt.date
MINUS = "-"  # a leading ASCII minus: st.metric draws a falling delta from it

# (formatter, arguments, Vietnamese, English)
CASES = [
    # integers
    (fmt.fmt_int, (19962,), "19.962", "19,962"),
    (fmt.fmt_int, (1234567,), "1.234.567", "1,234,567"),
    (fmt.fmt_int, (999,), "999", "999"),
    (fmt.fmt_int, (0,), "0", "0"),
    (fmt.fmt_int, (-1500,), MINUS + "1.500", MINUS + "1,500"),
    (fmt.fmt_int, (19961.6,), "19.962", "19,962"),
    # numbers with decimals
    (fmt.fmt_number, (1234.56,), "1.234,6", "1,234.6"),
    (fmt.fmt_number, (1234.5678, 2), "1.234,57", "1,234.57"),
    # percentages (the value is already 0-100), one decimal
    (fmt.fmt_pct, (42.4,), "42,4%", "42.4%"),
    (fmt.fmt_pct, (42.44,), "42,4%", "42.4%"),
    (fmt.fmt_pct, (100,), "100,0%", "100.0%"),
    (fmt.fmt_pct, (0,), "0,0%", "0.0%"),
    (fmt.fmt_pct, (3.25, True), "+3,2%", "+3.2%"),  # 3.25 is 3.2499... in binary
    (fmt.fmt_pct, (-3.26, True), MINUS + "3,3%", MINUS + "3.3%"),
    # VND, whole đồng
    (fmt.fmt_vnd, (1234567.8,), "1.234.568 ₫", "1,234,568 ₫"),
    (fmt.fmt_vnd, (2080628,), "2.080.628 ₫", "2,080,628 ₫"),
    (fmt.fmt_vnd, (0,), "0 ₫", "0 ₫"),
    (fmt.fmt_vnd, (-50000,), MINUS + "50.000 ₫", MINUS + "50,000 ₫"),
    # short VND for tiles
    (fmt.fmt_vnd_short, (36.5e9,), "36,5 tỷ ₫", "36.5 bn ₫"),
    (fmt.fmt_vnd_short, (345.6e6,), "345,6 triệu ₫", "345.6 M ₫"),
    (fmt.fmt_vnd_short, (1.2e12,), "1,2 nghìn tỷ ₫", "1.2 tn ₫"),
    (fmt.fmt_vnd_short, (2_345_000_000_000_000,), "2.345,0 nghìn tỷ ₫", "2,345.0 tn ₫"),
    (fmt.fmt_vnd_short, (999.96e6,), "1,0 tỷ ₫", "1.0 bn ₫"),  # the unit of the rounded value
    (fmt.fmt_vnd_short, (12345,), "12.345 ₫", "12,345 ₫"),
    (fmt.fmt_vnd_short, (-36.5e9,), MINUS + "36,5 tỷ ₫", MINUS + "36.5 bn ₫"),
    # scores: one decimal; no sign on a rounded zero
    (fmt.fmt_score, (-12.34,), MINUS + "12,3", MINUS + "12.3"),
    (fmt.fmt_score, (12.34,), "12,3", "12.3"),
    (fmt.fmt_score, (12.34, True), "+12,3", "+12.3"),
    (fmt.fmt_score, (-12.36, True), MINUS + "12,4", MINUS + "12.4"),
    (fmt.fmt_score, (-0.04, True), "0,0", "0.0"),
    (fmt.fmt_score, (0.0, True), "0,0", "0.0"),
    (fmt.fmt_score, (4.25,), "4,2", "4.2"),  # rounding as plotly's d3 ".1f" does
    # p-values
    (fmt.fmt_p, (0.0421,), "p = 0,042", "p = 0.042"),
    (fmt.fmt_p, (0.5,), "p = 0,500", "p = 0.500"),
    (fmt.fmt_p, (0.001,), "p = 0,001", "p = 0.001"),
    (fmt.fmt_p, (0.0004,), "p < 0,001", "p < 0.001"),
    # durations in words
    (fmt.fmt_seconds, (45,), "45 giây", "45 s"),
    (fmt.fmt_seconds, (59.4,), "59 giây", "59 s"),
    (fmt.fmt_seconds, (59.6,), "1 phút", "1 min"),
    (fmt.fmt_seconds, (720,), "12 phút", "12 min"),
    (fmt.fmt_seconds, (3590,), "1,0 giờ", "1.0 h"),
    (fmt.fmt_seconds, (5.2 * 3600,), "5,2 giờ", "5.2 h"),
    (fmt.fmt_seconds, (3.1 * 86400,), "3,1 ngày", "3.1 days"),
    (fmt.fmt_seconds, (400 * 86400,), "400,0 ngày", "400.0 days"),
    # months, dates and times
    (fmt.fmt_month, (D(2026, 3, 5),), "thg 3 2026", "Mar 2026"),
    (fmt.fmt_month, (D(2025, 12, 1),), "thg 12 2025", "Dec 2025"),
    (fmt.fmt_month, ("2026-03-01",), "thg 3 2026", "Mar 2026"),
    (fmt.fmt_date, (D(2026, 3, 5),), "05/03/2026", "2026-03-05"),
    (fmt.fmt_date, (dt.datetime(2026, 11, 25, 23, 59),), "25/11/2026", "2026-11-25"),
    (fmt.fmt_date, ("2026-03-05",), "05/03/2026", "2026-03-05"),
    (
        fmt.fmt_datetime,
        (dt.datetime(2026, 3, 5, 14, 30, 59),),
        "05/03/2026 14:30",
        "2026-03-05 14:30",
    ),
    (fmt.fmt_datetime, ("2026-03-05T08:05:00",), "05/03/2026 08:05", "2026-03-05 08:05"),
]


@pytest.mark.parametrize(("formatter", "args", "vi", "en"), CASES)
def test_formatters_in_both_languages(formatter, args, vi, en):
    assert formatter(*args, lang="vi") == vi
    assert formatter(*args, lang="en") == en


@pytest.mark.parametrize(("formatter", "args", "vi", "en"), CASES[:8])
def test_formatters_follow_the_current_language(formatter, args, vi, en):
    with language("vi"):
        assert formatter(*args) == vi
        assert formatter(*args, lang="en") == en  # an explicit language wins
    assert formatter(*args) == en


NUMBER_FORMATTERS = [fmt.fmt_int, fmt.fmt_number, fmt.fmt_pct, fmt.fmt_score, fmt.fmt_vnd,
                     fmt.fmt_vnd_short, fmt.fmt_p, fmt.fmt_seconds]  # fmt: skip
DATE_FORMATTERS = [fmt.fmt_month, fmt.fmt_date, fmt.fmt_datetime]


@pytest.mark.parametrize(
    ("formatter", "missing"),
    [(f, m) for f in NUMBER_FORMATTERS for m in (None, math.nan)]
    + [(f, None) for f in DATE_FORMATTERS],
)
def test_missing_values_are_a_dash_in_both_languages(formatter, missing):
    assert formatter(missing, lang="vi") == "–"
    assert formatter(missing, lang="en") == "–"


def test_an_unknown_language_is_refused():
    with pytest.raises(ValueError, match="unsupported language"):
        fmt.fmt_int(1, lang="fr")


PERIODS = [
    (D(2025, 1, 1), D(2025, 3, 31), "tháng 1–3/2025", "Jan–Mar 2025"),
    (D(2024, 11, 1), D(2025, 1, 31), "tháng 11/2024–tháng 1/2025", "Nov 2024–Jan 2025"),
    (D(2025, 2, 1), D(2025, 2, 28), "tháng 2/2025", "Feb 2025"),
    (D(2025, 2, 3), D(2025, 2, 16), "3–16/2/2025", "3–16 Feb 2025"),
    (D(2025, 1, 20), D(2025, 2, 16), "20/1 – 16/2/2025", "20 Jan – 16 Feb 2025"),
    (D(2024, 12, 20), D(2025, 2, 16), "20/12/2024 – 16/2/2025", "20 Dec 2024 – 16 Feb 2025"),
    (D(2025, 2, 3), D(2025, 2, 3), "3/2/2025", "3 Feb 2025"),
    (None, None, "toàn bộ thời gian", "all time"),
    (D(2025, 2, 3), None, "từ 3/2/2025", "since 3 Feb 2025"),
    (None, D(2025, 2, 3), "đến 3/2/2025", "until 3 Feb 2025"),
]


@pytest.mark.parametrize(("date_from", "date_to", "vi", "en"), PERIODS)
def test_periods_in_words(date_from, date_to, vi, en):
    assert fmt.describe_period(date_from, date_to, lang="vi") == vi
    assert fmt.describe_period(date_from, date_to, lang="en") == en


FILTERS = [
    Filters(date_from=D(2025, 1, 1), date_to=D(2025, 3, 31), segment=("SMB", "Enterprise"),
            gender=("F",)),
    Filters(region=("A", "B", "C", "D", "E"), survey_channel=("Zalo",)),
    Filters(region=("A", "B", "C", "D"), age_band=("25-34",), income_band=("high",)),
]  # fmt: skip


def test_filters_in_words_in_both_languages():
    assert fmt.describe_filters(FILTERS[0], lang="vi") == (
        "tháng 1–3/2025 · Enterprise, SMB · tất cả khu vực · tất cả kênh · "
        "tất cả điểm chạm · giới tính: F"
    )
    assert fmt.describe_filters(FILTERS[1], lang="vi") == (
        "toàn bộ thời gian · tất cả phân khúc · A, B, C +2 khác · tất cả kênh · "
        "tất cả điểm chạm · kênh khảo sát: Zalo"
    )
    assert fmt.describe_filters(FILTERS[2], extra=["Giao hàng × SMB"], lang="vi").endswith(
        "A, B, C +1 khác · tất cả kênh · tất cả điểm chạm · độ tuổi: 25-34 · thu nhập: high"
        " · Giao hàng × SMB"
    )
    with language("vi"):  # the current language is the default
        assert fmt.describe_filters(Filters()).startswith("toàn bộ thời gian · tất cả phân khúc")


def test_filters_in_words_in_english():
    assert fmt.describe_filters(FILTERS[0], lang="en") == (
        "Jan–Mar 2025 · Enterprise, SMB · all regions · all channels · all touchpoints · gender: F"
    )
    assert fmt.describe_filters(FILTERS[1], ["x"], lang="en") == (
        "all time · all segments · A, B, C +2 more · all channels · all touchpoints · "
        "survey channel: Zalo · x"
    )


def test_one_implementation_of_the_words_for_periods_and_filters():
    # dashboard.state's names are these functions, in the current language
    assert state.describe_period is fmt.describe_period
    assert state.describe_filters is fmt.describe_filters
    with language("vi"):
        assert state.describe_period(D(2025, 2, 1), D(2025, 2, 28)) == "tháng 2/2025"


def test_plotly_settings_per_language():
    assert fmt.plotly_separators("vi") == ",."  # decimal comma, thousands dot
    assert fmt.plotly_separators("en") == ".,"
    assert fmt.plotly_layout("vi") == {"separators": ",."}
    with language("vi"):
        assert fmt.plotly_separators() == ",."
        assert fmt.d3_date_format("month") == "thg %-m %Y"
        assert fmt.column_date_format() == "DD/MM/YYYY"
    assert fmt.d3_date_format("month", "en") == "%b %Y"
    assert fmt.d3_date_format("day", "vi") == "%d/%m/%Y"
    assert fmt.d3_date_format("week", "en") == "%Y-%m-%d"
    assert fmt.column_datetime_format("en") == "YYYY-MM-DD HH:mm"
    with pytest.raises(ValueError, match="unknown grain"):
        fmt.d3_date_format("quarter", "en")


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("day", [D(2026, 3, 5), D(2025, 12, 31), D(2024, 1, 1)])
def test_chart_date_formats_write_what_the_table_formatters_write(lang, day):
    # d3-time-format's directives are strftime's (glibc also knows %-m): ticks = cells
    assert day.strftime(fmt.d3_date_format("month", lang)) == fmt.fmt_month(day, lang)
    assert day.strftime(fmt.d3_date_format("day", lang)) == fmt.fmt_date(day, lang)
