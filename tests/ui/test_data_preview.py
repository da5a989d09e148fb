"""The Data page's import preview writes numbers as the app does (issue 13, item 18):
thousands marks in the session's language, no "5418555000.0", "–" for no value."""

from __future__ import annotations

import polars as pl

from dashboard.i18n import language
from dashboard.ui.data_admin import preview_formats
from dashboard.ui.tables import styled


def test_preview_numbers_in_the_language():
    frame = pl.DataFrame({"customer_id": ["C1", "C2"], "amount": [5_418_555_000.0, None],
                          "nps": [9, None], "score": [4.25, 3.0]})  # fmt: skip
    for lang, amount, score in (("vi", "5.418.555.000", "4,25"), ("en", "5,418,555,000", "4.25")):
        with language(lang):
            html = styled(frame, preview_formats(frame)).to_html()
        assert amount in html and score in html and ">9<" in html
        assert "5418555000" not in html and "None" not in html and "nan" not in html
        assert "–" in html
    assert "customer_id" not in preview_formats(frame)
