"""URL values and data values shown in Markdown stay literal text (issue 13, item 3).

A shared link can carry anything in ``cell_tp``, ``cell_group`` or ``seg_path``; an
imported touchpoint or segment can be named anything. Shown in a caption, a subheader,
a breadcrumb button or a comment card, a link or a remote image must not appear.
"""

from __future__ import annotations

import pytest

from dashboard.ui.markdown import md
from tests.pages.test_pages import app, small_store, store_env  # noqa: F401

LINK = "[click me](https://evil.example/x)"
IMAGE = "![pixel](https://evil.example/p.png)"
DIRECTIVE = ":red[boom] **loud**"


def _markdown_bodies(at) -> list[str]:
    """Every text streamlit renders as Markdown on the page (and the buttons' labels)."""
    bodies = [e.value for kind in ("markdown", "caption", "subheader", "title", "header")
              for e in at.get(kind)]  # fmt: skip
    bodies += [b.label for b in at.button]
    return bodies


def _assert_literal(at, shown: bool = True) -> None:
    bodies = _markdown_bodies(at)
    for body in bodies:
        assert "https://evil" not in body, body  # escaped, it reads https\://evil
        assert ":red[" not in body and "**loud**" not in body, body
    if shown:
        assert any("https\\://evil" in body for body in bodies), "the value is not shown"


def test_md_escapes_links_images_and_directives():
    assert md(LINK) == r"\[click me\](https\://evil.example/x)"
    assert md(IMAGE).startswith(r"!\[pixel\]")
    assert md(DIRECTIVE) == r"\:red\[boom\] \*\*loud\*\*"
    assert md("TP.HCM 18-24 (unknown)") == "TP.HCM 18-24 (unknown)"


def test_a_heatmap_cell_the_store_lacks_opens_no_drill_down(store_env):  # noqa: F811
    at = app("funnel_touchpoints", {"cell_tp": f"{LINK} {IMAGE}", "cell_group": DIRECTIVE})
    _assert_literal(at, shown=False)
    assert not any("×" in s.value for s in at.subheader)
    assert "cell_tp" not in at.query_params and "cell_group" not in at.query_params


@pytest.mark.parametrize("value", [LINK, f"{IMAGE} {DIRECTIVE}"])
def test_segment_path_from_the_url_is_literal_text(store_env, value):  # noqa: F811
    at = app("segments", {"seg_path": f"segment:{value}"})
    _assert_literal(at)


def test_a_drill_value_from_the_url_is_literal_in_the_caption(store_env):  # noqa: F811
    # a selection the store does not have is dropped, but a drill path still reaches words
    at = app("segments", {"seg_path": f"segment:{LINK}"})
    assert md(LINK) in at.caption[0].value
