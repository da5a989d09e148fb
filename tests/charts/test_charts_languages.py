"""Charts in Vietnamese and English: titles, ticks, hover formats, numbers on the figure."""

from __future__ import annotations

import datetime as dt

import plotly.graph_objects as go
import polars as pl
import pytest

from dashboard import charts
from dashboard.i18n import language
from dashboard.i18n.formats import d3_date_format
from tests.charts.test_charts import funnel_frame, heatmap_frame, trend_frame

# (language, separators, the month ticks of trend_frame, a day tick)
TICKS = [
    ("vi", ",.", ["thg 1 2025", "thg 2 2025", "thg 3 2025"], "01/01/2025"),
    ("en", ".,", ["Jan 2025", "Feb 2025", "Mar 2025"], "2025-01-01"),
]


@pytest.mark.parametrize(("lang", "separators", "months", "day"), TICKS)
def test_trend_ticks_hover_and_separators_per_language(lang, separators, months, day):
    with language(lang):
        monthly = charts.nps_trend(trend_frame(), grain="month")
        daily = charts.nps_mix(trend_frame(), grain="day")
    assert monthly.layout.separators == separators
    assert list(monthly.layout.xaxis.ticktext) == months
    assert list(monthly.layout.xaxis.tickvals) == ["2025-01-01", "2025-02-01", "2025-03-01"]
    hover = monthly.data[-1].hovertemplate
    assert hover.startswith("%{x|" + d3_date_format("month", lang) + "}")
    assert daily.layout.xaxis.ticktext[0] == day
    assert daily.data[0].hovertemplate.startswith("%{x|" + d3_date_format("day", lang) + "}")


def test_a_long_daily_trend_keeps_its_ticks_few_and_in_order():
    days = [dt.date(2025, 1, 1) + dt.timedelta(days=i) for i in range(365)]
    frame = pl.DataFrame(
        {"period": [d.isoformat() for d in days], "n": [40] * 365, "promoters": [20] * 365,
         "passives": [10] * 365, "detractors": [10] * 365, "nps": [25.0] * 365,
         "moe": [10.0] * 365, "low_n": [False] * 365}
    )  # fmt: skip
    with language("vi"):
        fig = charts.nps_trend(frame, grain="day")
    ticks = list(fig.layout.xaxis.tickvals)
    assert 6 <= len(ticks) <= charts.base.MAX_DATE_TICKS and ticks == sorted(ticks)
    assert fig.layout.xaxis.ticktext[-1] == "31/12/2025"  # the latest day is labelled


def test_chart_words_and_numbers_in_vietnamese():
    with language("vi"):
        funnel = charts.funnel(funnel_frame())
        heatmap = charts.heatmap(heatmap_frame(), metric="nps", by="segment")
        moved = charts.what_moved(
            pl.DataFrame({"group": ["Delivery"], "kind": ["touchpoint"], "value": [31.25],
                          "previous": [40.0], "delta": [-8.75], "p": [None],
                          "significant": [None]}),
            metric="csat",
        )  # fmt: skip
        empty = charts.nps_trend(trend_frame().clear())
    (trace,) = funnel.data
    assert funnel.layout.title.text == "Số khách hàng đạt từng bước của phễu"
    assert list(trace.y) == ["Truy cập", "Đăng ký", "Mua hàng"]
    assert trace.text[0] == "1.000" and trace.text[2] == "100 · 10,0% so với đầu phễu"
    assert trace.customdata[2][3] == "2,0 ngày"
    assert "khách hàng" in trace.hovertemplate and "customers" not in trace.hovertemplate
    texts = {(a.y, a.x): a.text for a in heatmap.layout.annotations}
    assert texts[("Delivery", "SMB")] == "-20,0 ▼"
    assert heatmap.layout.title.text == "NPS theo điểm chạm và phân khúc (so với mục tiêu)"
    assert heatmap.data[0].colorbar.title.text == "so với mục tiêu"
    assert any("q = 0,004" in h and "có ý nghĩa thống kê" in h for h in heatmap.data[2].hovertext)
    assert moved.data[0].text[0] == "-8,8"
    assert list(moved.data[0].customdata[0]) == [
        "40,0%", "31,2%", "không có ý nghĩa thống kê", "p: không kiểm định được"
    ]  # fmt: skip
    assert moved.layout.xaxis.title.text == "thay đổi CSAT (* = có ý nghĩa thống kê)"
    assert empty.layout.annotations[0].text == "Không có dữ liệu với bộ lọc này"


def test_the_unknown_group_is_named_in_the_language_and_clicks_keep_the_value():
    frame = heatmap_frame().with_columns(pl.col("segment").replace({"VIP": "(unknown)"}))
    with language("vi"):
        fig = charts.heatmap(frame, metric="nps", by="segment")
    # "(unknown)" after the named groups (and before a folded "(other)")
    assert list(fig.layout.xaxis.ticktext) == ["SMB", "(không rõ)"]
    assert list(fig.layout.xaxis.tickvals) == ["SMB", "(unknown)"]
    assert ("Delivery", "(unknown)") in {tuple(c) for c in fig.data[2].customdata}


def test_english_charts_read_as_before():
    fig = charts.funnel(funnel_frame())
    assert fig.layout.title.text == "Customers reaching each funnel step"
    assert fig.layout.separators == ".,"
    assert fig.data[0].text[2] == "100 · 10.0% of entry"
    assert isinstance(fig.data[0], go.Funnel)
