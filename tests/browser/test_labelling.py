"""Labelling in a real browser, with the keyboard only: three comments of the "Label a
sample" queue, one key each (a theme typed for the second), the next comment following;
then the labels as stored (who, when) in the session's list. Screenshots of the comment
pages in English and Vietnamese go to ``$CXDASH_TEST_OUTPUT`` (default: a tmp directory).

The served store is the small demo, analysed (baseline sentiment), with 60 comments
labelled beforehand and a model trained from them but not switched on (the Sentiment model
page's candidate). The server holds the DuckDB file, so what was stored is read back
through the app itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from dashboard import db
from dashboard.auth import LOCAL_VIEWER
from dashboard.i18n import translations
from dashboard.text import service as text_service
from queries.filters import Filters
from tests.browser.test_browser import (
    _chromium_or_skip,
    chromium,
    idle,
    open_page,
    serving,
    shots_dir,
    title,
)
from tests.stores import build_store

pytestmark = pytest.mark.browser


def _prepare(url: str) -> list[str]:
    """Analyse, label 60 comments, train a candidate; return the first 4 of the queue."""
    engine = db.create_engine(url, external_access=True)
    try:
        text_service.analyse_comments(engine)
        for row in text_service.comment_page(engine, Filters(), limit=60).iter_rows(named=True):
            nps = row["nps"]
            sentiment = (
                "neutral" if nps is None or 7 <= nps <= 8 else "negative" if nps <= 6
                else "positive"
            )  # fmt: skip
            text_service.set_label(engine, row["response_id"], sentiment, None, by="seed")
        text_service.train_model(engine, by="seed")
        return text_service.label_queue(engine, Filters(), n=4)["response_id"].to_list()
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def output_dir(tmp_path_factory) -> Path:
    return shots_dir(tmp_path_factory, "labelling")


@pytest.fixture(scope="module")
def served(tmp_path_factory) -> Iterator[tuple[str, list[str]]]:
    """``cxdash serve`` over the prepared store; (base URL, the queue's first four ids)."""
    _chromium_or_skip()
    url = f"duckdb:///{tmp_path_factory.mktemp('served-labelling') / 'small.duckdb'}"
    build_store(url)
    queue = _prepare(url)
    with serving(tmp_path_factory, url, "served-labelling") as base:
        yield base, queue


@pytest.fixture(scope="module")
def browser(served):
    with chromium() as browser:
        yield browser


def _shown(page, response_id: str) -> None:
    """Wait until the form labels ``response_id`` (its buttons carry the id in their key)."""
    page.locator(f".st-key-lb_negative_{response_id}").wait_for(timeout=30_000)
    idle(page)


def test_three_comments_labelled_with_the_keyboard(browser, served, output_dir):
    base, queue = served
    page = open_page(browser, f"{base}/feedback?period=all_time&fb_mode=label&lang=en")
    assert title(page) == "Feedback"
    _shown(page, queue[0])
    page.screenshot(path=output_dir / "30-label-a-sample-en.png", full_page=True)

    page.keyboard.press("1")  # negative; the themes the keywords found stay
    _shown(page, queue[1])

    # a theme by keyboard: into the box, type, Enter adds it, Tab leaves; then 3 = positive
    page.locator(f".st-key-lb_themes_{queue[1]} input").focus()
    page.keyboard.type("Price")
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    page.keyboard.press("3")
    _shown(page, queue[2])

    page.keyboard.press("2")  # neutral
    _shown(page, queue[3])

    # what was stored, read back from the store: who and what, newest first
    page.get_by_text("You labelled 3 comments in this session").click()
    table = page.locator('[data-testid="stExpander"]').last
    table.locator('[data-testid="stDataFrame"]').wait_for(timeout=15_000)
    idle(page)
    page.screenshot(path=output_dir / "31-three-labelled-en.png", full_page=True)
    rows = _grid_rows(page)
    assert [r[0] for r in rows] == [queue[2], queue[1], queue[0]]
    assert [r[1] for r in rows] == ["Neutral", "Positive", "Negative"]
    assert "Price" in rows[1][2]
    assert {r[3] for r in rows} == {LOCAL_VIEWER.email}
    assert all(r[4] for r in rows)  # when: a time each
    page.close()


def _tall_screenshot(page, path: Path) -> None:
    """The whole page: the app scrolls inside its own container, so the window grows."""
    idle(page)
    page.set_viewport_size({"width": 1500, "height": 2600})
    idle(page)
    page.screenshot(path=path)


def _grid_rows(page) -> list[list[str]]:
    """The cells of the session's labels table (Glide data grid: read through its
    accessible table)."""
    return page.evaluate(
        """() => {
          const grids = [...document.querySelectorAll('[data-testid="stDataFrame"]')];
          const grid = grids[grids.length - 1];
          const rows = [...grid.querySelectorAll('table tbody tr')];
          return rows.map(r => [...r.querySelectorAll('td')].map(td => td.innerText.trim()));
        }"""
    )


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_comment_pages_in_each_language(browser, served, output_dir, lang):
    base, _ = served
    english = ("Feedback", "Sentiment model", "Themes", "What customers say", "Negative")
    words = tuple(translations(lang).gettext(w) for w in english)
    assert lang == "en" or words[0] == "Phản hồi"
    page = open_page(browser, f"{base}/feedback?period=all_time&lang={lang}")
    assert title(page) == words[0]
    page.get_by_text(words[4]).first.wait_for(timeout=30_000)
    _tall_screenshot(page, output_dir / f"32-feedback-{lang}.png")
    page.close()
    page = open_page(browser, f"{base}/feedback?period=all_time&fb_mode=label&lang={lang}")
    page.locator('[class*="st-key-lb_negative_"]').first.wait_for(timeout=30_000)
    assert page.get_by_role("button", name=words[4]).first.is_visible()
    _tall_screenshot(page, output_dir / f"32-label-{lang}.png")
    for n, (path, heading) in enumerate(
        (("sentiment_model", words[1]), ("themes", words[2]), ("comments", words[3]))
    ):
        other = open_page(browser, f"{base}/{path}?period=all_time&lang={lang}")
        assert title(other) == heading
        if path == "comments":
            other.wait_for_selector(".js-plotly-plot", timeout=30_000)
        _tall_screenshot(other, output_dir / f"3{3 + n}-{path}-{lang}.png")
        other.close()
    page.close()
