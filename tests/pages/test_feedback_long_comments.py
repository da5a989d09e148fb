"""A 20 MB comment does not make the Feedback page slow (issue 13, item 18): its card shows
the beginning with "Show more", which opens more of it but never the 20 MB, and the page's
table shows it shortened while its downloads keep the whole text. The page also says
"1 comment", not "1 comments"."""

from __future__ import annotations

import shutil
import time

import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from dashboard import db
from dashboard.ui.comments import MORE_CHARS, SHORT_CHARS
from queries import schema
from tests.pages import test_pages
from tests.pages.test_pages import APP, TIMEOUT, _clear_caches

small_store = test_pages.small_store

HUGE = "giao hàng chậm, " * 1_300_000  # 20.8 million characters


@pytest.fixture
def huge_store(small_store, tmp_path, monkeypatch) -> str:
    """A copy of the small store whose newest comment is 20 MB long."""
    path = tmp_path / "huge.duckdb"
    shutil.copy(small_store.removeprefix("duckdb:///"), path)
    url = f"duckdb:///{path}"
    engine = db.create_engine(url)
    fb = schema.feedback.c
    try:
        newest = db.fetch(
            sa.select(fb.response_id).where(fb.comment.is_not(None))
            .order_by(fb.responded_at.desc(), fb.response_id).limit(1), engine,
        ).item()  # fmt: skip
        with db.begin(engine) as conn:
            db.execute(conn, schema.feedback.update().where(fb.response_id == newest)
                       .values(comment=HUGE))  # fmt: skip
    finally:
        engine.dispose()
    monkeypatch.setenv("CXDASH_DATABASE_URL", url)
    _clear_caches()
    yield url
    _clear_caches()


def _feedback(params: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.query_params.update({"period": "all_time", **(params or {})})
    at.switch_page("../pages/feedback.py")
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def test_a_20_mb_comment_is_shortened_on_its_card_and_in_the_table(huge_store):
    started = time.monotonic()
    at = _feedback()
    elapsed = time.monotonic() - started
    texts = [t.value for t in at.text]
    assert max(map(len, texts)) <= MORE_CHARS + 1  # never the 20 MB
    card = texts[0]
    assert card.startswith("giao hàng chậm") and card.endswith("…")
    assert len(card) <= SHORT_CHARS + 1
    more = [e for e in at.expander if e.label.startswith("Show more (")]
    assert more and "20,800,000 characters" in more[0].label
    assert any("The CSV export has the whole text." in c.value for c in at.caption)
    table = at.dataframe[0].value
    assert table["comment"].str.len().max() <= SHORT_CHARS
    assert elapsed < 20, f"{elapsed:.1f} s"


def test_one_comment_is_one_comment(huge_store):
    at = _feedback({"fb_search": "giao hàng chậm, giao hàng chậm, giao hàng chậm"})
    captions = [c.value for c in at.caption]
    assert any(c.startswith("1 comment · showing 1–1") for c in captions), captions
    assert any("1 comment in total." in c for c in captions), captions
