"""Literal text inside Markdown: the one helper every page uses to show a data value (a
touchpoint, a segment, a name, a comment) or a URL value (``cell_tp``, ``seg_path`` ...)
in a caption, a subheader, a button label or a card.

Streamlit renders those as Markdown, so ``[x](https://…)`` would become a link,
``![](https://…)`` a remote image, ``:red[…]`` a directive. Escaped, they stay as typed.
"""

from __future__ import annotations

import re

# What Markdown (and Streamlit's :directives[...]) would read as formatting inline.
_MARKDOWN_SPECIALS = re.compile(r"([\\`*_\[\]<>#|~$:])")


def md(value: object) -> str:
    """``value`` as literal text inside Markdown: its punctuation escaped, so ``[``, ``*``,
    ``!`` or ``:smile:`` in the data stay as typed."""
    return _MARKDOWN_SPECIALS.sub(r"\\\1", str(value))
