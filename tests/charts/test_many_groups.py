"""Breakdowns with many groups stay readable (issue 13, item 16; item 18's heatmap text):
the largest groups plus an exact "(other)", no colour used twice, legends under the title,
heatmap text that contrasts with its cell and leaves for the hover when cells get narrow."""

from __future__ import annotations

import polars as pl
import pytest

from dashboard import charts
from dashboard.charts.heatmap import text_colour
from dashboard.charts.table import format_cell
from dashboard.charts.theme import NEUTRAL, group_colours
from dashboard.i18n import language
from dashboard.metrics import scores
from dashboard.metrics.groups import OTHER, fold_groups

REGIONS = [f"R{i:02d}" for i in range(15)]


def _heatmap_raw() -> pl.DataFrame:
    """Sufficient statistics of 2 touchpoints x 15 regions; region i has 10 + i responses
    with i promoters and 1 detractor."""
    rows = []
    for tp in ("Delivery", "Store"):
        for i, region in enumerate(REGIONS):
            n = 10 + i
            rows.append({"touchpoint": tp, "region": region, "responses": n, "n_nps": n,
                         "promoters": i, "detractors": 1, "n_csat": 0, "csat_top2": 0,
                         "csat_sum": 0.0, "n_ces": 0, "ces_sum": 0.0, "ces_sumsq": 0.0,
                         "target_nps": 30 if tp == "Store" else None})  # fmt: skip
    return pl.DataFrame(rows)


def test_fold_keeps_the_largest_groups_and_sums_the_rest_exactly():
    raw = _heatmap_raw()
    folded = fold_groups(raw, "region", 7, weight="responses", keys=("touchpoint",),
                         per_key=("target_nps",))  # fmt: skip
    assert sorted(set(folded["region"])) == sorted([*REGIONS[8:], OTHER])
    other = folded.filter((pl.col("region") == OTHER) & (pl.col("touchpoint") == "Store"))
    assert other.height == 1
    row = other.row(0, named=True)
    assert row["n_nps"] == sum(10 + i for i in range(8))  # R00..R07 together
    assert row["promoters"] == sum(range(8)) and row["detractors"] == 8
    assert row["target_nps"] == 30  # the touchpoint's, not a sum
    # the folded cell's NPS is the NPS of all its responses, not a mean of means
    cells = scores.heatmap_cells(folded, "nps", "region", min_n=30)
    value = cells.filter((pl.col("region") == OTHER) & (pl.col("touchpoint") == "Store"))["value"]
    assert value[0] == pytest.approx(100 * (28 - 8) / 108)
    # nothing is folded when only one group would go into "other", or when top is off
    assert fold_groups(raw, "region", 14, weight="responses", keys=("touchpoint",)) is raw
    assert fold_groups(raw, "region", None, weight="responses") is raw


def test_fold_of_a_funnel_leaves_the_median_of_other_unknown():
    wide = pl.DataFrame({"channel": ["a", "b", "c", "d"], "reached_1": [40, 30, 20, 10],
                         "reached_2": [20, 10, 5, 5],
                         "median_seconds_2": [60.0, 50.0, 40.0, 30.0]})  # fmt: skip
    folded = fold_groups(wide, "channel", 2, weight="reached_1", not_additive=["median_seconds_2"])
    other = folded.filter(pl.col("channel") == OTHER).row(0, named=True)
    assert (other["reached_1"], other["reached_2"], other["median_seconds_2"]) == (30, 10, None)


def test_group_colours_never_repeat_and_other_is_grey():
    colours = group_colours([*REGIONS, "(unknown)", OTHER])
    named = [colours[r] for r in REGIONS]
    assert len(set(named)) == len(named) == 15
    assert colours[OTHER] == NEUTRAL and colours[OTHER] not in named
    assert colours["(unknown)"] not in named


def _trend(groups: list[str]) -> pl.DataFrame:
    rows = [{"period": p, "region": g, "n": 40, "nps": 10.0 + i, "moe": 5.0, "low_n": False}
            for i, g in enumerate(groups) for p in ("2025-01-01", "2025-02-01")]  # fmt: skip
    return pl.DataFrame(rows)


def test_group_lines_have_distinct_colours_and_the_legend_sits_under_the_title():
    fig = charts.nps_trend(_trend([*REGIONS[:10], OTHER]), by="region")
    lines = [t for t in fig.data if t.mode == "lines" and t.showlegend is not False]
    assert len({t.line.color for t in lines}) == len(lines) == 11
    assert lines[-1].name == "(other)" and lines[-1].line.color == NEUTRAL  # last, grey
    legend = fig.layout.legend
    # anchored by its top below the title, growing down into the plot's margin
    assert legend.yref == "container" and legend.yanchor == "top" and legend.y < 0.95
    funnel = charts.funnel(
        pl.DataFrame(
            {
                "region": REGIONS[:9] * 2,
                "step": ["visit"] * 9 + ["cart"] * 9,
                "position": [1] * 9 + [2] * 9,
                "customers": [100] * 9 + [50] * 9,
                "conversion_from_previous": [None] * 9 + [50.0] * 9,
                "conversion_overall": [100.0] * 9 + [50.0] * 9,
            }
        ),  # fmt: skip
        by="region",
    )
    assert len({t.line.color for t in funnel.data}) == 9
    assert funnel.layout.legend.yanchor == "top"


def _cells(groups: list[str], value: float = 10.0) -> pl.DataFrame:
    return pl.DataFrame({"touchpoint": ["Store"] * len(groups), "region": groups,
                         "value": [value] * len(groups), "n": [100] * len(groups),
                         "low_n": [False] * len(groups), "hidden": [False] * len(groups),
                         "p": [None] * len(groups), "q": [None] * len(groups),
                         "significant": [None] * len(groups),
                         "target": [None] * len(groups)})  # fmt: skip


def test_heatmap_text_fits_or_moves_to_the_hover():
    few = charts.heatmap(_cells(REGIONS[:6]), metric="nps", by="region")
    assert {a.font.size for a in few.layout.annotations} == {12}
    some = charts.heatmap(_cells(REGIONS[:8]), metric="nps", by="region")
    assert len(some.layout.annotations) == 8 and {a.font.size for a in some.layout.annotations} == {
        10
    }
    many = charts.heatmap(_cells(REGIONS[:9]), metric="nps", by="region")
    assert not many.layout.annotations  # no overlapping numbers ...
    assert all("NPS: 10.0" in h for h in many.data[2].hovertext)  # ... they are in the hover
    # a page-wide export (no hover on paper) keeps the text up to twice as many columns
    wide = charts.heatmap(_cells(REGIONS[:15]), metric="nps", by="region", wide=True)
    assert len(wide.layout.annotations) == 15


def test_heatmap_other_column_is_last_and_not_a_drill_target():
    with language("vi"):
        fig = charts.heatmap(_cells([OTHER, "(unknown)", "B", "A"]), metric="nps", by="region")
    assert list(fig.data[0].x) == ["A", "B", "(unknown)", OTHER]
    assert list(fig.layout.xaxis.ticktext)[-2:] == ["(không rõ)", "(khác)"]
    assert charts.cell_from_selection([{"customdata": None}]) is None
    custom = dict(zip(fig.data[2].x, fig.data[2].customdata, strict=True))
    assert custom[OTHER] is None and list(custom["A"]) == ["Store", "A"]


def test_heatmap_text_is_white_on_dark_cells_and_dark_on_light_ones():
    assert text_colour(-50.0, 50.0) == "#FFFFFF"  # darkest vermillion
    assert text_colour(50.0, 50.0) == "#FFFFFF"  # darkest blue
    assert text_colour(0.0, 50.0) == "#1F2328"  # near white
    assert text_colour(-12.0, 50.0) == "#1F2328"  # light salmon
    frame = _cells(["A", "B"]).with_columns(pl.Series("value", [-40.0, 0.0]))
    fig = charts.heatmap(frame, metric="nps", by="region")
    colours = {a.x: a.font.color for a in fig.layout.annotations}
    assert colours == {"A": "#FFFFFF", "B": "#1F2328"}


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", {"customers": "2,480", "revenue": "5.4 bn ₫", "aov": "2,184,901 ₫",
                "repeat_rate": "61.5%", "nps": "31.4", "step": "Repeat purchase"}),
        ("vi", {"customers": "2.480", "revenue": "5,4 tỷ ₫", "aov": "2.184.901 ₫",
                "repeat_rate": "61,5%", "nps": "31,4", "step": "Mua lại"}),
    ],
)  # fmt: skip
def test_table_cells_are_written_as_the_app_writes_them(lang, expected):
    values = {"customers": 2480.0, "revenue": 5_418_555_000.0, "aov": 2_184_901.2,
              "repeat_rate": 61.49, "nps": 31.42, "step": "repeat_purchase"}  # fmt: skip
    with language(lang):
        assert {c: format_cell(v, c) for c, v in values.items()} == expected
        assert format_cell(None, "customers") == "–"
        assert format_cell(OTHER, "region") == ("(other)" if lang == "en" else "(khác)")
