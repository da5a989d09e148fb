"""Comments as cards: score badges, touchpoint, date, segment, language, then the text."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard import charts
from dashboard.i18n import _
from dashboard.ui.customers import customer_link

BAND_BADGE = {"detractor": "orange", "passive": "gray", "promoter": "blue"}
# A card shows this much of a comment; "Show more" this much more. A pasted log or a
# 20 MB comment would otherwise be sent to the browser on every rerun of the page; the
# table exports (CSV) keep the whole text.
SHORT_CHARS = 600
MORE_CHARS = 20_000


def comment_cards(frame: pl.DataFrame) -> None:
    """Comments as cards: score badges, touchpoint, date, segment, language, then the text.

    Reads response_id, responded_at, touchpoint, nps, csat, ces, comment, language, segment
    and, when present, customer_id (a known customer: a link opens their view).
    """
    for row in frame.iter_rows(named=True):
        band = charts.nps_band(row["nps"])
        badges = [
            f":{BAND_BADGE[band]}-badge[NPS {row['nps']}]" if band else ":gray-badge[NPS –]",
            f":gray-badge[CSAT {_or_dash(row['csat'])}]",
            f":gray-badge[CES {_or_dash(row['ces'])}]",
        ]
        meta = [f"**{row['touchpoint']}**", charts.fmt_date(row["responded_at"]),
                charts.group_label(row["segment"] or None), row["language"] or ""]  # fmt: skip
        with st.container(border=True, gap="small"):
            st.markdown(" ".join(badges) + " " + " · ".join(m for m in meta if m))
            comment_text(row["comment"])
            customer_link(row.get("customer_id"))  # known customers: open their view


def shorten(text: str, limit: int) -> tuple[str, bool]:
    """``text`` cut to ``limit`` characters at a word boundary with "…", and whether it was
    cut."""
    if len(text) <= limit:
        return text, False
    cut = text[:limit]
    space = cut.rfind(" ", int(limit * 0.8))
    return (cut[:space] if space > 0 else cut).rstrip() + "…", True


def comment_text(comment: str | None) -> None:
    """A comment's text: long ones shortened, the rest behind "Show more" (up to
    ``MORE_CHARS``; beyond that the CSV export has it)."""
    text = comment or ""
    short, cut = shorten(text, SHORT_CHARS)
    if not cut:
        st.text(text)
        return
    st.text(short)
    size = charts.fmt_int(len(text))
    with st.expander(_("Show more ({chars} characters)").format(chars=size)):
        more, still_cut = shorten(text, MORE_CHARS)
        st.text(more)
        if still_cut:
            st.caption(
                _("The first {shown} of {chars} characters. The CSV export has the whole text.")
                .format(shown=charts.fmt_int(MORE_CHARS), chars=size)
            )  # fmt: skip


def _or_dash(value) -> str:
    return "–" if value is None else str(value)
