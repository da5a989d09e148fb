"""Chart builders on hand-made frames shaped like the service's results."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl
import pytest

from dashboard import charts


def heatmap_frame() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "touchpoint": ["Delivery", "Delivery", "Store", "Store"],
            "segment": ["SMB", "VIP", "SMB", "VIP"],
            "value": [-20.0, 35.0, 10.0, None],
            "n": [120, 12, 80, 3],
            "low_n": [False, True, False, True],
            "hidden": [False, False, False, True],
            "p": [0.001, 0.4, 0.2, None],
            "q": [0.004, 0.5, 0.3, None],
            "significant": ["below", None, None, None],
            "target": [30.0, 30.0, None, None],
        }
    )


def test_number_formats():
    assert charts.fmt_vnd(12345678.4) == "12,345,678 ₫"
    assert charts.fmt_vnd(None) == "–"
    assert charts.fmt_vnd_short(2_345_000_000) == "2.3 bn ₫"
    assert charts.fmt_vnd_short(45_600_000) == "45.6 M ₫"
    assert charts.fmt_pct(42.46) == "42.5%"
    assert charts.fmt_score(-3.04, signed=True) == "-3.0"
    assert charts.fmt_score(12.36, signed=True) == "+12.4"
    assert charts.fmt_seconds(90) == "2 min"
    assert charts.fmt_seconds(3 * 86400) == "3.0 days"
    assert charts.fmt_pct(float("nan")) == "–"


def test_heatmap_cells_text_colours_and_click_targets():
    fig = charts.heatmap(heatmap_frame(), metric="nps", by="segment")
    assert "NPS by touchpoint and segment" in fig.layout.title.text
    main, low, cells, *legend = fig.data
    # the grey and the blank cells are explained in the figure itself (exports too)
    assert [t.name for t in legend] == [
        "grey: low sample (read with care)",
        "n<5: hidden (fewer than 5 responses)",
    ]
    # rows sorted so the first touchpoint alphabetically is at the top (reversed y)
    assert list(main.y) == ["Store", "Delivery"]
    assert list(main.x) == ["SMB", "VIP"]
    # coloured by the distance from the target (Delivery has target 30) or 0 for NPS
    assert main.z[1][0] == pytest.approx(-50.0)  # Delivery × SMB: -20 vs target 30
    assert main.z[0][0] == pytest.approx(10.0)  # Store × SMB: 10 vs neutral 0
    assert main.z[1][1] is None  # low-n cell is not on the diverging scale ...
    assert low.z[1][1] == 0.0  # ... but on the grey layer
    assert main.zmid == 0 and main.zmin == -main.zmax
    texts = {(a.y, a.x): a.text for a in fig.layout.annotations}
    assert texts[("Delivery", "SMB")] == "-20.0 ▼"  # significant below the row
    assert texts[("Delivery", "VIP")] == "35.0"
    assert texts[("Store", "VIP")] == "n<5"  # hidden under the privacy threshold
    # one invisible, clickable marker per cell carrying (touchpoint, group)
    assert sorted(map(tuple, cells.customdata)) == [
        ("Delivery", "SMB"),
        ("Delivery", "VIP"),
        ("Store", "SMB"),
        ("Store", "VIP"),
    ]
    assert any("low sample" in h for h in cells.hovertext)
    assert any("q = 0.004" in h for h in cells.hovertext)


def test_heatmap_csat_centres_on_weighted_mean_without_targets():
    frame = pl.DataFrame(
        {
            "touchpoint": ["A", "A"],
            "region": ["x", "y"],
            "value": [80.0, 60.0],
            "n": [30, 10],
            "low_n": [False, False],
            "hidden": [False, False],
            "p": [None, None],
            "q": [None, None],
            "significant": [None, None],
            "target": [None, None],
        },
    )
    assert charts.heatmap_centre(frame, "csat") == [75.0, 75.0]
    fig = charts.heatmap(frame, metric="csat", by="region", selected=("A", "y"))
    assert fig.data[0].z[0] == [pytest.approx(5.0), pytest.approx(-15.0)]
    assert fig.layout.title.text.endswith("(vs average)")
    assert fig.data[0].colorbar.title.text == "vs average"
    assert {a.text for a in fig.layout.annotations} == {"80.0%", "60.0%"}
    assert len(fig.layout.shapes) == 1  # the selected cell is outlined


def test_cell_from_selection():
    points = [{"x": "SMB", "y": "Delivery", "customdata": ["Delivery", "SMB"]}]
    assert charts.cell_from_selection(points) == ("Delivery", "SMB")
    assert charts.cell_from_selection([{"x": 1}]) is None
    assert charts.cell_from_selection([]) is None


def trend_frame(by: str | None = None) -> pl.DataFrame:
    data = {
        "period": ["2025-01-01", "2025-02-01", "2025-03-01"],
        "n": [100, 20, 0],
        "promoters": [50, 8, 0],
        "passives": [30, 6, 0],
        "detractors": [20, 6, 0],
        "nps": [30.0, 10.0, None],
        "moe": [15.0, 35.0, None],
        "low_n": [False, True, True],
    }
    frame = pl.DataFrame(data)
    if by:
        frame = pl.concat(
            [
                frame.with_columns(pl.lit("SMB").alias(by)),
                frame.with_columns(pl.lit("VIP").alias(by)),
            ]
        )
    return frame


def test_nps_trend_band_low_n_and_target():
    fig = charts.nps_trend(trend_frame(), target=40.0)
    upper, lower, line, line_markers = fig.data
    assert line.mode == "lines" and line_markers.showlegend is False
    assert list(upper.y) == [45.0, 45.0, None]
    assert list(lower.y) == [15.0, -25.0, None]
    assert lower.fill == "tonexty"
    assert line_markers.marker.color[0] == charts.PRIMARY
    assert line_markers.marker.color[1] == charts.LOW_N
    assert any(s.y0 == 40.0 for s in fig.layout.shapes)
    assert "margin of error" in fig.layout.title.text


def test_nps_trend_per_group_has_one_line_each():
    fig = charts.nps_trend(trend_frame("segment"), by="segment")
    assert [t.name for t in fig.data if t.showlegend is not False] == ["SMB", "VIP"]
    assert all(t.line.color == charts.PALETTE[i] for i, t in enumerate(fig.data[::2]))


def test_nps_mix_stacks_shares_to_100():
    fig = charts.nps_mix(trend_frame())
    assert fig.layout.barmode == "stack"
    totals = [sum(t.y[i] for t in fig.data) for i in range(2)]
    assert totals == [pytest.approx(100.0), pytest.approx(100.0)]
    assert len(fig.data[0].x) == 2  # the period without responses is left out


def funnel_frame() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "step": ["visit", "signup", "purchase"],
            "position": [1, 2, 3],
            "customers": [1000, 400, 100],
            "conversion_from_previous": [None, 40.0, 25.0],
            "conversion_overall": [100.0, 40.0, 10.0],
            "dropoff": [None, 600, 300],
            "median_seconds_from_previous": [None, 7200.0, 86400.0 * 2],
        }
    )


def test_funnel_single_and_by_group():
    fig = charts.funnel(funnel_frame())
    (trace,) = fig.data
    assert isinstance(trace, go.Funnel)
    assert list(trace.x) == [1000, 400, 100]
    assert list(trace.y) == ["Visit", "Signup", "Purchase"]
    assert trace.text[2] == "100 · 10.0% of entry"
    assert trace.customdata[1][0] == "40.0%" and trace.customdata[2][3] == "2.0 days"
    grouped = pl.concat(
        [funnel_frame().with_columns(pl.lit(g).alias("channel")) for g in ("Zalo", "Email")]
    )
    fig = charts.funnel(grouped, by="channel")
    assert [t.name for t in fig.data] == ["Email", "Zalo"]
    assert list(fig.data[0].y) == [100.0, 40.0, 10.0]


def test_empty_frames_give_explaining_figures():
    empty = pl.DataFrame(schema={"period": pl.String, "nps": pl.Float64, "n": pl.Int64})
    for fig in (
        charts.nps_trend(empty),
        charts.nps_mix(empty),
        charts.funnel(funnel_frame().clear()),
        charts.heatmap(heatmap_frame().clear(), metric="nps", by="segment"),
    ):
        assert fig.layout.annotations[0].text == "No data for these filters"


def test_what_moved_colours_significant_only():
    frame = pl.DataFrame(
        {
            "group": ["Delivery", "SMB", "Store"],
            "kind": ["touchpoint", "segment", "touchpoint"],
            "value": [10.0, 40.0, 30.0],
            "previous": [30.0, 35.0, 29.0],
            "delta": [-20.0, 5.0, 1.0],
            "p": [0.001, 0.03, 0.8],
            "significant": ["down", "up", None],
        }
    )
    fig = charts.what_moved(frame, metric="nps")
    (bar,) = fig.data
    assert list(bar.marker.color) == [charts.BAD, charts.GOOD, charts.NEUTRAL]
    assert bar.text[0] == "-20.0 *" and bar.text[2] == "+1.0"
    assert bar.y[1] == "SMB (segment)"  # mixed kinds are named
    assert fig.layout.xaxis.range[0] < -20 and fig.layout.xaxis.range[1] > 5  # room for labels
    touchpoints = charts.what_moved(frame.filter(pl.col("kind") == "touchpoint"), metric="nps")
    assert list(touchpoints.data[0].y) == ["Delivery", "Store"]


def test_segment_bars_and_compare():
    frame = pl.DataFrame(
        {
            "segment": ["SMB", "VIP"],
            "nps": [20.0, 50.0],
            "moe": [8.0, 30.0],
            "n_nps": [300, 12],
            "csat": [80.0, 90.0],
            "repeat_rate": [20.0, 35.0],
            "low_n": [False, True],
        }
    )
    fig = charts.segment_bars(frame, by="segment")
    (bar,) = fig.data
    assert list(bar.y) == ["VIP", "SMB"]  # best first
    assert list(bar.marker.color) == [charts.LOW_N, charts.PRIMARY]
    assert list(bar.error_x.array) == [30.0, 8.0]
    fig = charts.compare_groups(frame, by="segment", a="SMB", b="VIP")
    assert [t.name for t in fig.data] == ["SMB", "VIP (low sample)"]
    assert list(fig.data[0].y) == [20.0, 80.0, 20.0]


def test_sparkline_greys_low_n_points():
    fig = charts.sparkline(trend_frame(), "nps", "NPS")
    assert list(fig.data[0].marker.color) == [charts.PRIMARY, charts.LOW_N, charts.LOW_N]
    assert fig.layout.height == 150


def test_one_template_everywhere():
    figs = [
        charts.nps_trend(trend_frame()),
        charts.funnel(funnel_frame()),
        charts.heatmap(heatmap_frame(), metric="nps", by="segment"),
    ]
    for fig in figs:
        assert fig.layout.template.layout.font.family == charts.FONT
        assert fig.layout.title.text


def test_p_values_for_people():
    assert charts.fmt_p(0.0001) == "p < 0.001"
    assert charts.fmt_p(0.0423) == "p = 0.042"
    assert charts.fmt_p(None) == "–"
    assert charts.fmt_test(None) == "p: no test"  # where a test was not possible
    assert charts.fmt_test(0.0423) == "p = 0.042"


def test_nps_bands():
    assert [charts.nps_band(s) for s in (0, 6, 7, 8, 9, 10, None)] == [
        "detractor",
        "detractor",
        "passive",
        "passive",
        "promoter",
        "promoter",
        None,
    ]
