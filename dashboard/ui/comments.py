"""Comments as cards: score badges, touchpoint, date, segment, language, then the text."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard import charts
from dashboard.ui.customers import customer_link
from dashboard.ui.markdown import md

BAND_BADGE = {"detractor": "orange", "passive": "gray", "promoter": "blue"}


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
        meta = [f"**{md(row['touchpoint'])}**", charts.fmt_date(row["responded_at"]),
                md(charts.group_label(row["segment"] or None)),
                md(row["language"] or "")]  # fmt: skip
        with st.container(border=True, gap="small"):
            st.markdown(" ".join(badges) + " " + " · ".join(m for m in meta if m))
            st.text(row["comment"] or "")
            customer_link(row.get("customer_id"))  # known customers: open their view


def _or_dash(value) -> str:
    return "–" if value is None else str(value)
