"""Statistics on tiny hand-computed frames (no database)."""

from __future__ import annotations

import math

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard.metrics import scores

STATS = scores.SUMMARY_STATS


def summary(**columns) -> pl.DataFrame:
    """A feedback summary frame; unspecified statistics are 0."""
    n = len(next(iter(columns.values())))
    base = {k: [0] * n for k in STATS}
    base.update(columns)
    return pl.DataFrame(base)


def test_nps_and_moe_by_definition():
    # 50 promoters, 30 passives, 20 detractors of 100 scored
    out = scores.with_scores(summary(n_nps=[100], promoters=[50], detractors=[20]), min_n=30)
    row = out.row(0, named=True)
    assert row["nps"] == pytest.approx(30.0)
    assert row["passives"] == 30
    assert row["moe"] == pytest.approx(1.96 * math.sqrt((0.5 + 0.2 - 0.3**2) / 100) * 100)
    assert row["low_n"] is False


def test_all_promoters_is_100_with_zero_moe():
    row = scores.with_scores(summary(n_nps=[40], promoters=[40]), min_n=30).row(0, named=True)
    assert row["nps"] == 100.0 and row["moe"] == 0.0


def test_no_scored_responses_is_null_not_zero():
    row = scores.with_scores(summary(responses=[3]), min_n=30).row(0, named=True)
    assert row["nps"] is None and row["csat"] is None and row["ces"] is None


def test_privacy_and_low_n_thresholds():
    out = scores.with_scores(summary(n_nps=[4, 5, 29, 30], promoters=[4, 5, 29, 30]), min_n=30)
    assert out["nps"].to_list() == [None, 100.0, 100.0, 100.0]
    assert out["low_n"].to_list() == [True, True, True, False]


def test_csat_top2_and_ces_mean():
    # CSAT answers 5, 4, 3, 2, 1, 5 -> top-2 = 3 of 6; CES 7, 1, 4, 4, 4 -> mean 4
    out = scores.with_scores(
        summary(n_csat=[6], csat_top2=[3], csat_sum=[20.0], n_ces=[5], ces_sum=[20.0]), min_n=1
    ).row(0, named=True)
    assert out["csat"] == pytest.approx(50.0)
    assert out["csat_mean"] == pytest.approx(20 / 6)
    assert out["ces"] == pytest.approx(4.0)


def test_benjamini_hochberg_matches_textbook_example():
    p = pl.Series([0.01, 0.04, 0.03, 0.005, None])
    q = scores.benjamini_hochberg(p).to_list()
    # sorted p: 0.005, 0.01, 0.03, 0.04 (m = 4) -> 0.02, 0.02, 0.04, 0.04
    assert q[:4] == pytest.approx([0.02, 0.04, 0.04, 0.02])
    assert q[4] is None


def _cells(rows):
    """rows: (touchpoint, group, n, promoters, detractors)."""
    tp, grp, n, pro, det = zip(*rows, strict=True)
    return summary(
        touchpoint=list(tp), segment=list(grp), responses=list(n), n_nps=list(n),
        promoters=list(pro), detractors=list(det),
    )  # fmt: skip


def test_constructed_heatmap_one_above_one_below_rest_not_significant():
    # A small extreme cell beside large ordinary ones: the ordinary cells' "rest"
    # barely moves, so only the extremes differ significantly.
    rows = [
        ("Web", "A", 100, 90, 5),  # NPS 85: far above the rest of the Web row
        ("Web", "B", 1000, 450, 250),  # NPS 20
        ("Web", "C", 1000, 460, 250),  # NPS 21
        ("Web", "D", 1000, 440, 250),  # NPS 19
        ("Delivery", "A", 1000, 400, 300),  # NPS 10
        ("Delivery", "B", 100, 5, 90),  # NPS -85: far below the rest of Delivery
        ("Delivery", "C", 1000, 410, 300),  # NPS 11
        ("Delivery", "D", 1000, 390, 300),  # NPS 9
    ]
    out = scores.heatmap_cells(_cells(rows), "nps", "segment", min_n=30)
    sig = {(r["touchpoint"], r["segment"]): r["significant"] for r in out.iter_rows(named=True)}
    assert sig.pop(("Web", "A")) == "above"
    assert sig.pop(("Delivery", "B")) == "below"
    assert set(sig.values()) == {None}
    # q-values are BH over all 8 cells: never below p, monotone in p
    ordered = out.sort("p")
    assert (ordered["q"] >= ordered["p"]).all()
    assert ordered["q"].to_list() == sorted(ordered["q"].to_list())


def test_cell_test_is_unpooled_z_against_rest_of_row():
    rows = [("Web", "A", 100, 60, 20), ("Web", "B", 300, 120, 90)]
    out = scores.heatmap_cells(_cells(rows), "nps", "segment", min_n=30)
    a = out.filter(pl.col("segment") == "A").row(0, named=True)

    def var(p_p, p_d):
        return p_p + p_d - (p_p - p_d) ** 2

    se = math.sqrt(var(0.6, 0.2) / 100 + var(0.4, 0.3) / 300)
    z = ((0.6 - 0.2) - (0.4 - 0.3)) / se
    assert a["p"] == pytest.approx(math.erfc(abs(z) / math.sqrt(2)))


def test_ces_uses_welch_t():
    from scipy import stats

    # cell: 3, 4, 5 (mean 4, var 1); rest: 6, 6, 7, 7 (mean 6.5, var 1/3)
    frame = summary(
        touchpoint=["Web", "Web"], segment=["A", "B"], n_ces=[3, 4],
        ces_sum=[12.0, 26.0], ces_sumsq=[50.0, 170.0],
    )  # fmt: skip
    out = scores.heatmap_cells(frame, "ces", "segment", min_n=1, privacy_n=1)
    expected = stats.ttest_ind([3, 4, 5], [6, 6, 7, 7], equal_var=False).pvalue
    assert out.filter(pl.col("segment") == "A")["p"].item() == pytest.approx(expected)


def test_hidden_cells_are_not_tested():
    rows = [("Web", "A", 4, 4, 0), ("Web", "B", 300, 100, 100)]
    out = scores.heatmap_cells(_cells(rows), "nps", "segment", min_n=30)
    a = out.filter(pl.col("segment") == "A").row(0, named=True)
    assert a["hidden"] and a["value"] is None and a["p"] is None and a["significant"] is None


def test_period_comparison_flags_significant_score_change():
    now = {"nps": 40.0, "n_nps": 400, "promoters": 240, "detractors": 80, "customers": 10}
    before = {"nps": 10.0, "n_nps": 400, "promoters": 160, "detractors": 120, "customers": 8}
    rows = {r["metric"]: r for r in scores.compare_records(now, before).iter_rows(named=True)}
    assert rows["nps"]["delta"] == 30.0 and rows["nps"]["significant"] == "up"
    assert rows["customers"]["delta"] == 2 and rows["customers"]["p"] is None


counts = st.integers(min_value=0, max_value=500)


@settings(max_examples=200, deadline=None)
@given(promoters=counts, passives=counts, detractors=counts)
def test_nps_range_and_moe_non_negative(promoters, passives, detractors):
    n = promoters + passives + detractors
    row = scores.with_scores(
        summary(n_nps=[n], promoters=[promoters], detractors=[detractors]), min_n=30
    ).row(0, named=True)
    if n < scores.PRIVACY_N:
        assert row["nps"] is None
    else:
        assert -100 <= row["nps"] <= 100
        assert row["moe"] >= 0
