"""The closed loop in a real browser: from a detractor's comment on the Feedback page to
the customer view, assign an owner and mark the item contacted, then find it in the
follow-up queue and in the customer's history.

The store is the small demo plus one fresh detractor response imported through the
ordinary load (which creates its follow-up item). Screenshots go to
``$CXDASH_TEST_OUTPUT`` (default: the test's tmp directory).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest

from dashboard import db, service
from dashboard.ingest.write import load
from tests.browser.test_browser import (
    _chromium_or_skip,
    chromium,
    idle,
    open_page,
    query,
    serving,
    shots_dir,
    title,
)
from tests.stores import build_store

pytestmark = pytest.mark.browser

RESPONSE = "R-E2E-0001"
MARK = "E2E-7731"  # a word only this comment has, to find it on the Feedback page
OWNER = "e2e.tester"


def _add_detractor(url: str) -> str:
    """One new detractor comment of a known customer, imported as any import is; returns
    the customer's id."""
    engine = db.create_engine(url, external_access=True)
    try:
        _, last = service.data_range(engine)
        people = db.fetch(service_customers(), engine)
        customer_id = people["customer_id"][0]
        row = {
            "response_id": RESPONSE, "responded_at": dt.datetime.combine(last, dt.time(10)),
            "touchpoint": "Delivery", "customer_id": customer_id, "nps": 1, "csat": 1,
            "ces": None, "comment": f"Giao hàng trễ cả tuần, không ai báo ({MARK})",
            "channel": "email", "language": "vi",
        }  # fmt: skip
        frame = pl.DataFrame([row]).with_columns(pl.col("nps", "csat", "ces").cast(pl.Int16))
        with load(engine, origin="e2e-feedback.csv") as loader:
            loader.upsert("feedback", frame)
        return customer_id
    finally:
        engine.dispose()


def service_customers():
    import sqlalchemy as sa

    from queries import schema

    return sa.select(schema.customers.c.customer_id).order_by("customer_id").limit(1)


@pytest.fixture(scope="module")
def output_dir(tmp_path_factory) -> Path:
    return shots_dir(tmp_path_factory, "customers")


@pytest.fixture(scope="module")
def served(tmp_path_factory) -> Iterator[tuple[str, str]]:
    """``cxdash serve`` over the small demo plus the detractor; (base URL, customer id)."""
    _chromium_or_skip()
    url = f"duckdb:///{tmp_path_factory.mktemp('served-customers') / 'small.duckdb'}"
    build_store(url)
    customer_id = _add_detractor(url)
    with serving(tmp_path_factory, url, "served-customers") as base:
        yield base, customer_id


@pytest.fixture(scope="module")
def browser(served):
    with chromium() as browser:
        yield browser


def _choose(page, container, index: int, text: str, *, type_it: bool = False) -> None:
    """Pick ``text`` in the ``index``-th selectbox of ``container`` (typing a new value)."""
    container.locator('[data-testid="stSelectbox"]').nth(index).click()
    if type_it:
        page.keyboard.type(text)
        page.keyboard.press("Enter")
    else:
        page.get_by_role("option", name=text, exact=True).click()


def test_from_a_detractor_comment_to_a_contacted_item(browser, served, output_dir):
    base, customer_id = served
    page = open_page(browser, f"{base}/feedback?period=all_time&fb_search={MARK}")
    assert title(page) == "Feedback"
    page.get_by_text(MARK).wait_for(timeout=30_000)
    page.screenshot(path=output_dir / "20-detractor-comment.png", full_page=True)

    # the comment card opens the customer view
    page.get_by_role("link", name=f"Open customer {customer_id}").click()
    page.wait_for_function("() => document.querySelector('h1')?.innerText.trim() === 'Customer'",
                           timeout=30_000)  # fmt: skip
    idle(page)
    assert query(page)["customer"] == [customer_id]
    card = page.locator(f".st-key-fu_item_cv_{RESPONSE}")
    card.get_by_text("owner: nobody").first.wait_for(timeout=15_000)

    # assign an owner (a new name, typed) and mark the item contacted, with a note
    _choose(page, card, 0, OWNER, type_it=True)
    _choose(page, card, 1, "Contacted")
    card.get_by_label("Note").fill("Đã gọi, hẹn giao lại ngày mai")
    card.get_by_role("button", name="Save").click()
    # a rerun may briefly show the card twice (stale and fresh): either proves the change
    card.get_by_text(f"owner: {OWNER}").first.wait_for(timeout=30_000)
    idle(page)
    assert card.get_by_text("Contacted").first.is_visible()

    # the customer's history has the change, with who and the note
    card.get_by_text("History (2 changes)").click()
    card.get_by_text("Đã gọi, hẹn giao lại ngày mai").wait_for(timeout=15_000)
    assert "New → Contacted" in card.inner_text()
    page.screenshot(path=output_dir / "21-customer-contacted.png", full_page=True)

    # and the queue, narrowed to the new owner's contacted items, has exactly this one
    queue = open_page(browser, f"{base}/followup_queue?period=all_time&fq_status=contacted"
                               f"&fq_owner={OWNER}")  # fmt: skip
    assert title(queue) == "Follow-up queue"
    queue.get_by_text("1 item, most urgent first").wait_for(timeout=30_000)
    grid = queue.locator('[data-testid="stDataFrame"]').first.bounding_box()
    queue.mouse.click(grid["x"] + 15, grid["y"] + 35 + 17)  # the first row's picker
    queue.get_by_text(f"{RESPONSE} · customer {customer_id}").wait_for(timeout=30_000)
    idle(queue)
    assert f"owner: {OWNER}" in queue.locator("body").inner_text()
    queue.screenshot(path=output_dir / "22-queue-item.png", full_page=True)
    queue.close()
    page.close()
