"""A shared link with dates far outside the data opens the default view, no traceback."""

from __future__ import annotations

import pytest

from tests.pages.test_pages import app, small_store, store_env  # noqa: F401


@pytest.mark.parametrize(
    "params",
    [{"from": "0001-01-01", "to": "9999-12-31"}, {"period": "custom", "to": "9999-12-31"}],
)
def test_dates_out_of_range_in_the_url_fall_back_to_the_default(store_env, params):  # noqa: F811
    at = app("overview", params)  # asserts no exception
    assert at.selectbox(key="period").value == "last_12_months"
    assert "from" not in at.query_params and "to" not in at.query_params
