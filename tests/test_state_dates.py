"""Dates far outside the data in a shared link fall back to the default period instead of
overflowing (`from=0001-01-01`, `to=9999-12-31`)."""

from __future__ import annotations

import datetime as dt

import pytest

from dashboard import state
from queries.definitions import EARLIEST_DATE, LATEST_DATE, date_in_range
from queries.filters import Filters


@pytest.mark.parametrize(
    "params",
    [
        {"from": "0001-01-01", "to": "2025-03-31"},
        {"from": "2025-01-01", "to": "9999-12-31"},
        {"period": "custom", "from": "0001-01-01", "to": "9999-12-31"},
        {"to": "9999-12-31"},
    ],
)
def test_a_url_out_of_range_falls_back_to_the_default_view(params):
    view = state.View.from_params(params)
    assert view == state.View()
    # and the default resolves without overflow
    f = view.to_filters(dt.date(2025, 6, 30), dt.date(2024, 1, 1), 30)
    assert (f.date_from, f.date_to) == (dt.date(2024, 7, 1), dt.date(2025, 6, 30))


def test_flat_params_refuse_dates_out_of_range_with_a_message():
    with pytest.raises(ValueError, match="'to' must lie within 2000-01-01 … 2100-12-31"):
        Filters.from_params({"to": "9999-12-31"})
    edge = Filters.from_params({"from": "2000-01-01", "to": "2100-12-31"})
    assert edge.end == dt.datetime(2101, 1, 1)  # the last day still has a next day


def test_the_range_includes_both_ends():
    assert date_in_range(EARLIEST_DATE) and date_in_range(LATEST_DATE)
    assert not date_in_range(dt.date(1999, 12, 31)) and not date_in_range(dt.date(2101, 1, 1))
