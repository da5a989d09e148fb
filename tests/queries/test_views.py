"""Query results on a tiny hand-built store, identical on DuckDB, SQLite and PostgreSQL.

Every expected number below is worked out by hand from the rows in ``_load``.
"""

from __future__ import annotations

import datetime as dt
import math

import polars as pl
import pytest

from dashboard import db, rollup_store, service
from queries import schema
from queries.filters import UNKNOWN, Filters
from tests.backends import backend_with_chdb  # noqa: F401 - the chDB lane

D = dt.datetime
JAN = Filters(date_from=dt.date(2025, 1, 1), date_to=dt.date(2025, 1, 31))


def _load(engine) -> None:
    customers = pl.DataFrame(
        {
            "customer_id": ["c1", "c2", "c3", "c4"],
            "segment": ["SMB", "SMB", "Enterprise", ""],
            "region": ["Hà Nội", "TP.HCM", "", "Hà Nội"],
        }
    )
    events = pl.DataFrame(
        {
            "event_id": [f"e{i}" for i in range(1, 9)],
            "customer_id": ["c1", "c1", "c1", "c2", "c2", "c3", "c99", "c1"],
            "stage": ["visit", "purchase", "purchase", "visit", "purchase", "visit",
                      "purchase", "purchase"],
            "occurred_at": [D(2025, 1, 2), D(2025, 1, 3), D(2025, 1, 10), D(2025, 1, 5),
                            D(2025, 1, 6), D(2025, 1, 7), D(2025, 1, 8), D(2025, 2, 1)],
            "amount": [None, 100.0, 300.0, None, 200.0, None, 50.0, 1000.0],
        }
    )  # fmt: skip
    rows = [
        # response, at, touchpoint, customer, nps, csat, ces, comment
        ("r1", D(2025, 1, 1), "Web", "c1", 10, 5, 6, "Great service"),
        ("r2", D(2025, 1, 2), "Web", "c1", 9, 4, 7, None),
        ("r3", D(2025, 1, 6), "Web", "c2", 6, 2, 3, "Giao hàng chậm quá"),
        ("r4", D(2025, 1, 7), "Delivery", "c3", 7, 3, 5, None),
        ("r5", D(2025, 1, 15), "Delivery", None, 0, None, 1, "Tệ"),
        ("r6", D(2025, 1, 15), "Web", "c99", None, 5, None, "ok"),
        ("r7", D(2025, 1, 31, 23, 59, 59), "Web", "c2", 8, None, None, None),
        ("r8", D(2025, 2, 1), "Web", "c1", 0, None, None, "out: next day"),
        ("r9", D(2024, 12, 31, 23, 59, 59), "Web", "c1", 0, None, None, "out: day before"),
        ("r10", D(2025, 1, 20), "Delivery", "c4", 10, 5, None, None),
    ]
    names = ["response_id", "responded_at", "touchpoint", "customer_id", "nps", "csat", "ces",
             "comment"]  # fmt: skip
    feedback = pl.DataFrame(rows, schema=names, orient="row").with_columns(
        pl.col("nps", "csat", "ces").cast(pl.Int16)
    )
    with db.begin(engine) as conn:
        db.upsert_frame(conn, schema.customers, customers)
        db.upsert_frame(conn, schema.events, events)
        db.upsert_frame(conn, schema.feedback, feedback)
        db.upsert_frame(
            conn, schema.touchpoints,
            pl.DataFrame({"touchpoint": ["Web", "Delivery"], "target_nps": [30.0, 20.0],
                          "target_csat": [80.0, 75.0]}),
        )  # fmt: skip


@pytest.fixture(params=["sources", "rollups"])
def tiny(store, request):
    """The hand-built store, read from the source tables and from the summary tables:
    every expected number below must come out of both."""
    _load(store)
    if request.param == "rollups":
        rollup_store.refresh_store(store)
    assert rollup_store.reader(store).rollups == (request.param == "rollups")
    return store


def _moe(promoters: int, detractors: int, n: int) -> float:
    p_p, p_d = promoters / n, detractors / n
    return 1.96 * math.sqrt((p_p + p_d - (p_p - p_d) ** 2) / n) * 100


def test_kpis_for_january_without_dimension_filter(tiny):
    k = service.get_kpis(tiny, JAN)
    # events in Jan: c1 (2 purchases 100+300), c2 (200), c3 (visit only), orphan c99 (50)
    assert (k["customers"], k["revenue"], k["orders"], k["purchasers"]) == (4, 650.0, 4, 3)
    assert k["aov"] == pytest.approx(162.5)
    assert k["repeat_rate"] == pytest.approx(100 / 3)
    # feedback: r1..r7 and r10; r6 skipped NPS; r8/r9 outside the period
    assert k["responses"] == 8
    assert k["n_nps"] == 7  # 10, 9, 6, 7, 0, 8, 10
    assert k["nps"] == pytest.approx((3 - 2) / 7 * 100)
    assert k["moe"] == pytest.approx(_moe(3, 2, 7))
    assert k["n_csat"] == 6 and k["csat"] == pytest.approx(4 / 6 * 100)  # 5,4,2,3,5,5
    assert k["csat_mean"] == pytest.approx(24 / 6)
    assert k["n_ces"] == 5 and k["ces"] == pytest.approx(22 / 5)  # 6,7,3,5,1
    assert k["low_n"] is True  # 7 < 30


def test_dimension_filter_excludes_anonymous_and_orphans(tiny):
    k = service.get_kpis(tiny, JAN.replace(segment=("SMB",)))
    assert (k["customers"], k["revenue"], k["orders"], k["purchasers"]) == (2, 600.0, 3, 2)
    assert k["repeat_rate"] == pytest.approx(50.0)
    assert k["responses"] == 4  # r1, r2, r3, r7
    assert k["n_nps"] == 4 and k["nps"] is None and k["moe"] is None  # n < 5: hidden


def test_unknown_filter_value_selects_empty_and_missing_customers(tiny):
    k = service.get_kpis(tiny, JAN.replace(segment=(UNKNOWN,)))
    assert k["responses"] == 3  # r5 anonymous, r6 orphan, r10 customer with empty segment
    assert k["customers"] == 1  # orphan c99's purchase


def test_period_boundaries(tiny):
    one_day = Filters(date_from=dt.date(2025, 1, 31), date_to=dt.date(2025, 1, 31))
    assert service.get_kpis(tiny, one_day)["responses"] == 1  # r7 at 23:59:59 in
    next_day = Filters(date_from=dt.date(2025, 2, 1), date_to=dt.date(2025, 2, 1))
    assert service.get_kpis(tiny, next_day)["responses"] == 1  # r8 at 00:00:00
    assert service.get_kpis(tiny, Filters())["responses"] == 10  # open period: everything


def test_no_responses_gives_null_scores_not_zero(tiny):
    empty = Filters(date_from=dt.date(2030, 1, 1), date_to=dt.date(2030, 1, 2))
    k = service.get_kpis(tiny, empty)
    assert k["responses"] == 0 and k["customers"] == 0
    assert k["nps"] is None and k["csat"] is None and k["ces"] is None
    assert k["aov"] is None and k["repeat_rate"] is None


def test_segments_group_unknowns_together(tiny):
    seg = service.get_segments(tiny, JAN, "segment")
    by = {row["segment"]: row for row in seg.iter_rows(named=True)}
    assert set(by) == {"SMB", "Enterprise", UNKNOWN}
    assert (by["SMB"]["customers"], by["SMB"]["revenue"], by["SMB"]["responses"]) == (2, 600.0, 4)
    ent = by["Enterprise"]
    assert (ent["customers"], ent["orders"], ent["aov"], ent["repeat_rate"]) == (1, 0, None, None)
    unknown = by[UNKNOWN]
    assert (unknown["customers"], unknown["revenue"], unknown["responses"]) == (1, 50.0, 3)
    assert unknown["n_nps"] == 2 and unknown["nps"] is None and unknown["low_n"] is True


def test_heatmap_cells_count_per_touchpoint_and_group(tiny):
    cells = service.get_heatmap(tiny, JAN, "nps", "segment")
    got = {(r["touchpoint"], r["segment"]): r["n"] for r in cells.iter_rows(named=True)}
    assert got == {
        ("Web", "SMB"): 4,  # r1, r2, r3, r7
        ("Delivery", "Enterprise"): 1,  # r4
        ("Delivery", UNKNOWN): 2,  # r5 anonymous, r10 empty segment
    }  # r6 (Web, orphan) has no NPS score: no cell for NPS
    assert cells["hidden"].all() and cells["value"].is_null().all()
    assert set(cells["target"].to_list()) == {30.0, 20.0}


def test_heatmap_csat_cell_for_orphans(tiny):
    cells = service.get_heatmap(tiny, JAN, "csat", "segment")
    web_unknown = cells.filter(
        (pl.col("touchpoint") == "Web") & (pl.col("segment") == UNKNOWN)
    ).row(0, named=True)
    assert web_unknown["n"] == 1  # r6, orphan customer


def test_nps_trend_weekly_labels_and_counts(tiny):
    trend = service.get_nps_trend(tiny, JAN, "week")
    assert trend.select("period", "n").rows() == [
        ("2024-12-30", 2),  # r1 (Wed 1 Jan), r2 -- the ISO week starts on Monday 30 Dec
        ("2025-01-06", 2),
        ("2025-01-13", 1),  # r5; r6 skipped NPS and does not count
        ("2025-01-20", 1),
        ("2025-01-27", 1),  # r7 at 23:59:59 on Friday 31 Jan
    ]
    assert trend["nps"].is_null().all()  # every point under 5 responses is hidden
    assert trend["low_n"].all()


def test_nps_trend_monthly(tiny):
    trend = service.get_nps_trend(tiny, Filters(), "month")
    month = {row["period"]: row for row in trend.iter_rows(named=True)}
    jan = month["2025-01-01"]
    assert (jan["n"], jan["promoters"], jan["passives"], jan["detractors"]) == (7, 3, 2, 2)
    assert jan["nps"] == pytest.approx(100 / 7)
    assert jan["moe"] == pytest.approx(_moe(3, 2, 7))
    assert set(month) == {"2024-12-01", "2025-01-01", "2025-02-01"}


def test_grains_in_turn_on_one_engine_each_get_their_own_periods(tiny):
    # SQLite and PostgreSQL cache compiled statements per engine: the grain must be
    # part of the cache key, or a monthly trend reuses the weekly SQL compiled before.
    for grain, first_of_january in (("week", "2024-12-30"), ("month", "2025-01-01"),
                                    ("day", "2025-01-01"), ("week", "2024-12-30")):  # fmt: skip
        periods = service.get_nps_trend(tiny, JAN, grain)["period"].to_list()
        assert periods[0] == first_of_january, grain


def test_nps_trend_by_dimension(tiny):
    trend = service.get_nps_trend(tiny, JAN, "month", by="segment")
    assert trend.select("period", "segment", "n").rows() == [
        ("2025-01-01", "(unknown)", 2),
        ("2025-01-01", "Enterprise", 1),
        ("2025-01-01", "SMB", 4),
    ]


def test_comments_band_search_and_paging(tiny):
    detractors = service.get_comments(tiny, JAN, band="detractor")
    assert detractors["response_id"].to_list() == ["r5", "r3"]  # newest first
    found = service.get_comments(tiny, JAN, search="GIAO HÀNG")
    assert found["response_id"].to_list() == ["r3"]
    assert service.get_comments(tiny, JAN, search="tệ")["response_id"].to_list() == ["r5"]
    assert service.count_comments(tiny, JAN) == 4  # r1, r3, r5, r6
    page = service.get_comments(tiny, JAN, limit=2, offset=2)
    assert page["response_id"].to_list() == ["r3", "r1"]
    assert service.get_comments(tiny, JAN, search="100%").is_empty()  # % is literal


def test_comments_name_known_customers_only(tiny):
    # the comment card links to the customer view: anonymous (r5) and orphan (r6, c99)
    # comments have no customer to open
    rows = service.get_comments(tiny, JAN).select("response_id", "customer_id").rows()
    assert rows == [("r5", None), ("r6", None), ("r3", "c2"), ("r1", "c1")]


def test_compare_kpis_uses_previous_period_of_equal_length(tiny):
    cmp = service.compare_kpis(tiny, JAN)
    rows = {r["metric"]: r for r in cmp.iter_rows(named=True)}
    assert rows["responses"]["value"] == 8 and rows["responses"]["previous"] == 1  # r9 in Dec
    assert rows["customers"]["delta"] == 4
    assert rows["nps"]["previous"] is None and rows["nps"]["delta"] is None


def test_lookups(tiny):
    opts = service.options(tiny)
    assert opts["segment"] == ["Enterprise", "SMB"]
    assert opts["touchpoint"] == ["Delivery", "Web"]
    assert service.data_range(tiny) == (dt.date(2024, 12, 31), dt.date(2025, 2, 1))
    assert service.table_counts(tiny)["feedback"] == 10
    assert service.has_data(tiny)


def test_empty_store_has_no_data(store):
    assert not service.has_data(store)
    assert service.data_range(store) == (None, None)
    assert service.get_kpis(store, Filters())["nps"] is None
