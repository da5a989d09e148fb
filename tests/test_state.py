"""View state: period presets, filters in words, URL parameters round trip."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dashboard import state
from queries.filters import Filters

D = dt.date


@pytest.mark.parametrize(
    ("preset", "latest", "expected"),
    [
        ("last_30_days", D(2025, 3, 31), (D(2025, 3, 2), D(2025, 3, 31))),
        ("year_to_date", D(2025, 3, 15), (D(2025, 1, 1), D(2025, 3, 15))),
        ("last_12_months", D(2025, 3, 15), (D(2024, 3, 16), D(2025, 3, 15))),
        ("last_12_months", D(2024, 2, 29), (D(2023, 3, 1), D(2024, 2, 29))),
        # the quarter ending on the latest day is complete ...
        ("last_quarter", D(2025, 3, 31), (D(2025, 1, 1), D(2025, 3, 31))),
        # ... otherwise the one before it
        ("last_quarter", D(2025, 3, 30), (D(2024, 10, 1), D(2024, 12, 31))),
        ("last_quarter", D(2025, 8, 1), (D(2025, 4, 1), D(2025, 6, 30))),
        ("all_time", D(2025, 8, 1), (D(2023, 8, 2), D(2025, 8, 1))),
    ],
)
def test_presets_are_relative_to_the_latest_data(preset, latest, expected):
    assert state.resolve_period(preset, latest, D(2023, 8, 2)) == expected


def test_presets_without_data_and_unknown():
    assert state.resolve_period("last_30_days", None) == (None, None)
    with pytest.raises(ValueError):
        state.resolve_period("custom", D(2025, 1, 1))
    with pytest.raises(ValueError):
        state.resolve_period("fortnight", D(2025, 1, 1))


@pytest.mark.parametrize(
    ("date_from", "date_to", "words"),
    [
        (D(2025, 1, 1), D(2025, 3, 31), "Jan–Mar 2025"),
        (D(2024, 11, 1), D(2025, 1, 31), "Nov 2024–Jan 2025"),
        (D(2025, 2, 1), D(2025, 2, 28), "Feb 2025"),
        (D(2025, 2, 3), D(2025, 2, 16), "3–16 Feb 2025"),
        (D(2025, 1, 20), D(2025, 2, 16), "20 Jan – 16 Feb 2025"),
        (D(2024, 12, 20), D(2025, 2, 16), "20 Dec 2024 – 16 Feb 2025"),
        (D(2025, 2, 3), D(2025, 2, 3), "3 Feb 2025"),
        (None, None, "all time"),
        (D(2025, 2, 3), None, "since 3 Feb 2025"),
    ],
)
def test_describe_period(date_from, date_to, words):
    assert state.describe_period(date_from, date_to) == words


def test_filters_in_words():
    f = Filters(
        date_from=D(2025, 1, 1),
        date_to=D(2025, 3, 31),
        segment=("SMB", "Enterprise"),
        gender=("F",),
    )
    assert state.describe_filters(f) == (
        "Jan–Mar 2025 · Enterprise, SMB · all regions · all channels · all touchpoints · gender: F"
    )
    many = Filters(region=("A", "B", "C", "D", "E"))
    assert "A, B, C +2 more" in state.describe_filters(many)
    assert state.describe_filters(Filters(), extra=["Delivery × SMB"]).endswith("· Delivery × SMB")


def test_view_params_round_trip_and_defaults_stay_out_of_the_url():
    assert state.View().to_params() == {}
    view = state.View(
        preset="custom",
        date_from=D(2025, 1, 1),
        date_to=D(2025, 3, 31),
        selections=(("segment", ("Enterprise", "SMB")), ("region", ("Hà Nội",))),
        compare=False,
    )
    params = view.to_params()
    assert params == {
        "period": ["custom"],
        "from": ["2025-01-01"],
        "to": ["2025-03-31"],
        "segment": ["Enterprise", "SMB"],
        "region": ["Hà Nội"],
        "compare": ["0"],
    }
    assert state.View.from_params(params) == view
    f = view.to_filters(D(2026, 1, 1), D(2024, 1, 1), min_n=30)
    assert (f.date_from, f.date_to, f.segment, f.region) == (
        D(2025, 1, 1),
        D(2025, 3, 31),
        ("Enterprise", "SMB"),
        ("Hà Nội",),
    )


def test_view_from_params_is_forgiving():
    # a shared link with dates only is a custom range; single values are accepted
    view = state.View.from_params({"from": "2025-01-01", "to": "2025-01-31", "segment": "SMB"})
    assert (view.preset, view.date_from, view.selected("segment")) == (
        "custom",
        D(2025, 1, 1),
        ("SMB",),
    )
    # bad values fall back to the defaults instead of breaking the page
    bad = state.View.from_params({"period": "fortnight", "from": "yesterday"})
    assert bad == state.View()
    preset = state.View.from_params({"period": "last_quarter", "from": "2025-01-01"})
    assert preset.date_from is None  # dates only count for a custom range
    f = preset.to_filters(D(2025, 8, 1), None, min_n=10)
    assert (f.date_from, f.date_to, f.min_n) == (D(2025, 4, 1), D(2025, 6, 30), 10)


def test_pairs():
    pairs = [("segment", "SMB"), ("region", "TP.HCM: Quận 1")]
    assert state.split_pairs(state.join_pairs(pairs)) == pairs
    assert state.split_pairs(["nonsense", ":x", "k:"]) == []


names = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=8)


@given(
    segment=st.lists(names, max_size=3),
    region=st.lists(names, max_size=3),
    preset=st.sampled_from(sorted(set(state.PRESETS) - {"custom"})),
    compare=st.booleans(),
)
def test_any_view_survives_the_url(segment, region, preset, compare):
    view = state.View.from_params(
        {"segment": segment, "region": region, "period": [preset], "compare": [str(int(compare))]}
    )
    again = state.View.from_params(view.to_params())
    assert again == view


def test_month_slices_cover_the_period_clipped():
    f = Filters(date_from=D(2025, 1, 15), date_to=D(2025, 4, 10), segment=("SMB",))
    slices = state.month_slices(f)
    assert [(s.date_from, s.date_to) for s in slices] == [
        (D(2025, 1, 15), D(2025, 1, 31)),
        (D(2025, 2, 1), D(2025, 2, 28)),
        (D(2025, 3, 1), D(2025, 3, 31)),
        (D(2025, 4, 1), D(2025, 4, 10)),
    ]
    assert all(s.segment == ("SMB",) for s in slices)
    assert len(state.month_slices(Filters(date_from=D(2020, 1, 1), date_to=D(2025, 1, 1)))) == 12
    assert state.month_slices(Filters()) == []
