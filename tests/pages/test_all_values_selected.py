"""The sidebar: every dimension offers '(unknown)'; selecting every value is no filter
(issue 13, item 8)."""

from __future__ import annotations

from queries.filters import UNKNOWN
from tests.pages.test_pages import app, small_store, store_env  # noqa: F401


def test_selecting_every_region_shows_the_unfiltered_funnel(store_env):  # noqa: F811
    at = app("funnel_touchpoints")
    before = at.dataframe[0].value["customers"].tolist()
    caption = at.caption[0].value
    region = at.multiselect(key="region")
    assert region.options[-1] == UNKNOWN
    for option in region.options:
        region.select(option)
    at.run()
    assert not at.exception
    assert len(at.multiselect(key="region").value) == len(region.options)
    assert at.dataframe[0].value["customers"].tolist() == before  # Visit 964, not 947
    assert at.caption[0].value == caption  # "all regions", in words too
    # without "(unknown)" it is a real filter: customers with no recorded region drop out
    at.multiselect(key="region").unselect(UNKNOWN).run()
    assert at.dataframe[0].value["customers"].tolist()[0] < before[0]
