"""The "why" charts on hand-made frames shaped like dashboard.why's results: funnel x
satisfaction dumbbells, the drivers quadrant and the ranked bars."""

from __future__ import annotations

import polars as pl
import pytest

from dashboard.charts import drivers as driver_charts
from dashboard.charts import funnel_satisfaction as fs_charts
from dashboard.charts.theme import BAD, FONT, GOOD, LOW_N, PRIMARY
from dashboard.i18n import language
from dashboard.metrics.drivers import TABLE_SCHEMA as DRIVER_SCHEMA
from dashboard.metrics.funnel_satisfaction import TABLE_SCHEMA as FS_SCHEMA


def fs_row(step: str, position: int, touchpoint: str, **values) -> dict:
    row = dict.fromkeys(FS_SCHEMA)
    row.update(step=step, position=position, touchpoint=touchpoint, low_n_converted=False,
               hidden_converted=False, low_n_dropped=False, hidden_dropped=False)  # fmt: skip
    row.update(values)
    return row


def fs_frame() -> pl.DataFrame:
    rows = [
        fs_row("cart", 2, "(all)", value_converted=80.0, moe_converted=2.0, n_converted=900,
               value_dropped=78.0, moe_dropped=4.0, n_dropped=200, delta=2.0),
        fs_row("cart", 2, "Billing", value_converted=75.0, moe_converted=5.0, n_converted=100,
               value_dropped=None, n_dropped=3, hidden_dropped=True, low_n_dropped=True),
        fs_row("purchase", 3, "(all)", value_converted=82.0, moe_converted=2.0, n_converted=800,
               value_dropped=70.0, moe_dropped=3.0, n_dropped=300, delta=12.0,
               significant="up"),
        fs_row("purchase", 3, "Billing", value_converted=78.0, moe_converted=4.0,
               n_converted=160, value_dropped=42.0, moe_dropped=9.0, n_dropped=20,
               low_n_dropped=True, delta=36.0, significant="up"),
    ]  # fmt: skip
    return pl.DataFrame(rows, schema=FS_SCHEMA)


def traces(fig, name_part: str) -> list:
    return [t for t in fig.data if t.name and name_part in t.name]


def test_dumbbells_one_panel_per_step_with_both_sides_and_whiskers():
    fig = fs_charts.funnel_satisfaction(fs_frame(), metric="csat")
    titles = [a.text for a in fig.layout.annotations if a.text.startswith("→")]
    assert titles == ["→ Cart", "→ Purchase"]
    converted = traces(fig, "Converted")
    dropped = traces(fig, "Dropped")
    assert len(converted) == len(dropped) == 2  # one per panel, in the legend once
    assert [t.showlegend for t in converted] == [True, False]
    purchase_conv, purchase_drop = converted[1], dropped[1]
    assert list(purchase_conv.x) == [82.0, 78.0]
    assert list(purchase_conv.y) == ["All touchpoints", "Billing"]
    assert list(purchase_conv.error_x.array) == [2.0, 4.0]
    assert list(purchase_drop.marker.color) == [BAD, LOW_N]  # Billing's dropped side low-n
    assert list(purchase_conv.marker.color) == [GOOD, GOOD]
    # clicks say which step and touchpoint (and side) a dot is
    assert [list(c) for c in purchase_drop.customdata] == [
        ["purchase", "(all)", "dropped"], ["purchase", "Billing", "dropped"]
    ]  # fmt: skip
    assert (
        fig.layout.title.text == "CSAT of customers who converted vs dropped, at each funnel step"
    )
    assert fig.layout.xaxis.ticksuffix == "%"


def test_hidden_sides_are_left_out_and_significant_gaps_marked():
    fig = fs_charts.funnel_satisfaction(fs_frame(), metric="csat")
    cart_dropped = traces(fig, "Dropped")[0]
    assert list(cart_dropped.y) == ["All touchpoints"]  # Billing's n = 3: hidden
    marks = [t for t in fig.data if t.mode == "text"]
    assert len(marks) == 1 and list(marks[0].text) == ["  +12.0*", "  +36.0*"]
    gaps = [t for t in fig.data if t.mode == "lines"]
    strong = [t for t in gaps if t.line.width == 4]
    assert len(strong) == 1 and [v for v in strong[0].x if v is not None] == [82, 70, 78, 42]


def test_selected_step_and_touchpoint_are_shaded():
    fig = fs_charts.funnel_satisfaction(
        fs_frame(), selected_step="purchase", selected_touchpoint="Billing"
    )
    assert "<b>→ Purchase</b>" in [a.text for a in fig.layout.annotations]
    panel = [s for s in fig.layout.shapes if s.xref == "x2 domain"]
    assert panel and panel[0].fillcolor == fs_charts.SELECTED_FILL
    rows = [s for s in fig.layout.shapes if s.type == "rect" and s.yref in ("y", "y2")]
    assert rows, "the selected touchpoint's row is shaded in every panel"


def test_dumbbells_empty_frame_explains_itself():
    fig = fs_charts.funnel_satisfaction(pl.DataFrame(schema=FS_SCHEMA))
    assert fig.layout.annotations[0].text == "No funnel steps to compare for these filters"


def driver_frame(**first) -> pl.DataFrame:
    rows = [
        {"touchpoint": "Delivery", "importance": 46.0, "direction": 1, "n": 2900,
         "csat": 82.0, "target_csat": 85.0, "ci_low": 40.0, "ci_high": 52.0},
        {"touchpoint": "Store", "importance": 30.0, "direction": 1, "n": 2100,
         "csat": 90.0, "target_csat": 88.0, "ci_low": 20.0, "ci_high": 36.0},
        {"touchpoint": "Billing", "importance": 14.0, "direction": -1, "n": 2200,
         "csat": 75.0, "target_csat": 88.0, "ci_low": 9.0, "ci_high": 18.0},
        {"touchpoint": "Website", "importance": 10.0, "direction": 1, "n": 40,
         "csat": None, "target_csat": 85.0, "ci_low": None, "ci_high": None},
    ]  # fmt: skip
    rows[0].update(first)
    for row in rows:
        row.update(r2=0.54, method="pairwise", customers=8957)
    return pl.DataFrame(rows, schema=DRIVER_SCHEMA)


def test_quadrant_places_importance_against_target_and_marks_fix_first():
    fig = driver_charts.quadrant(driver_frame())
    dots = fig.data[0]
    assert list(dots.customdata) == ["Delivery", "Store", "Billing"]  # Website's CSAT hidden
    assert list(dots.x) == [46.0, 30.0, 14.0]
    assert list(dots.y) == pytest.approx([-3.0, 2.0, -13.0])  # CSAT minus target
    assert list(dots.marker.color) == [BAD, PRIMARY, PRIMARY]  # Delivery: fix first
    assert list(dots.marker.symbol) == ["circle", "circle", "circle-open"]  # Billing: -1
    assert list(dots.error_x.array) == pytest.approx([6.0, 6.0, 4.0])
    assert list(dots.error_x.arrayminus) == pytest.approx([6.0, 10.0, 5.0])
    lines = [s for s in fig.layout.shapes if s.type == "line"]
    assert any(s.x0 == s.x1 == 25.0 for s in lines)  # the equal share: 100 / 4 touchpoints
    assert any(s.y0 == s.y1 == 0 for s in lines)  # the target
    texts = [a.text for a in fig.layout.annotations]
    assert "<b>Fix first</b>" in texts and "R² 0.54 · 8,957 customers" in texts
    assert {"Delivery", "Store", "Billing"} <= set(texts)  # every dot labelled


def test_quadrant_labels_do_not_overlap_crowded_dots():
    points = [(5.0, -1.0, "Support"), (6.0, -1.2, "Website"), (5.5, -0.8, "Call center"),
              (6.5, -1.1, "Store"), (60.0, -4.0, "Delivery")]  # fmt: skip
    offsets = driver_charts._label_offsets(points, (0, 70), (-15, 15))
    width, height = driver_charts._PLOT_PX
    boxes = []
    for (x, y, text), (dx, dy) in zip(points, offsets, strict=True):
        px, py = x / 70 * width + dx, (y + 15) / 30 * height + dy
        half = 3.6 * len(text) + 3
        boxes.append((px - half, py - 8, px + half, py + 8))
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert not driver_charts._overlaps(a, b)


def test_without_a_fix_first_touchpoint_nothing_is_vermillion():
    fig = driver_charts.quadrant(driver_frame(csat=90.0))  # Delivery meets its target
    assert BAD not in list(fig.data[0].marker.color)


def test_ranked_bars_most_important_first_with_intervals():
    fig = driver_charts.ranked(driver_frame())
    bars = fig.data[0]
    assert list(bars.y) == ["Delivery", "Store", "Billing", "Website"]
    assert list(bars.marker.color) == [BAD, PRIMARY, LOW_N, PRIMARY]
    assert list(bars.marker.pattern.shape) == ["", "", "/", ""]
    assert list(bars.error_x.array) == pytest.approx([6.0, 6.0, 4.0, 0.0])
    labels = fig.data[1]
    assert list(labels.text) == ["  46%", "  30%", "  14%", "  10%"]
    assert list(labels.x) == [52.0, 36.0, 18.0, 10.0]  # past the whisker
    assert fig.layout.template.layout.font.family == FONT


def test_driver_charts_without_drivers_explain_themselves():
    empty = pl.DataFrame(schema=DRIVER_SCHEMA)
    for fig in (driver_charts.quadrant(empty), driver_charts.ranked(empty)):
        assert "Too few customers" in fig.layout.annotations[0].text


def test_charts_speak_vietnamese_with_decimal_commas():
    with language("vi"):
        quadrant = driver_charts.quadrant(driver_frame())
        dumbbells = fs_charts.funnel_satisfaction(fs_frame(), metric="csat")
    assert quadrant.layout.separators == ",."
    assert quadrant.layout.title.text.startswith("Yếu tố tác động chính đến NPS")
    assert "R² 0,54 · 8.957 khách hàng" in [a.text for a in quadrant.layout.annotations]
    assert "<b>Ưu tiên cải thiện</b>" in [a.text for a in quadrant.layout.annotations]
    assert traces(dumbbells, "Chuyển đổi") and traces(dumbbells, "Rời phễu")
    assert list(traces(dumbbells, "Chuyển đổi")[0].y) == ["Tất cả điểm chạm", "Billing"]
