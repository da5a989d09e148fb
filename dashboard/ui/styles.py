"""Small style fixes Streamlit has no option for, injected once per run where needed."""

from __future__ import annotations

import streamlit as st

# Metric tiles cut their text with an ellipsis ("vs previous per…", "2.211.38…"): in a
# quarter of a laptop screen, and more in Vietnamese, whose words are longer. Let the
# label and the delta's words wrap, and the value shrink with the window instead. Page
# links (the Overview's at-risk headline) wrap too: on a phone they were cut mid-sentence.
METRIC_TEXT_WRAPS = """<style>
[data-testid="stMetric"] [data-testid="stMetricValue"] {
  font-size: clamp(1.35rem, 2.1vw, 2.25rem);
}
[data-testid="stMetric"] .stMarkdownEllipsis,
[data-testid="stMetric"] .stMarkdownEllipsis p,
[data-testid="stMetric"] [data-testid="stMetricDeltaDescription"] {
  white-space: normal !important; overflow: visible; text-overflow: clip;
}
[data-testid="stMetric"] label > div:first-child,
[data-testid="stMetric"] label .stMarkdownEllipsis,
[data-testid="stMetric"] [data-testid="stMetricDelta"],
[data-testid="stMetric"] [data-testid="stMetricDeltaDescription"] {
  min-width: 0;
}
[data-testid="stPageLink-NavLink"] span:has(> [data-testid="stMarkdownContainer"]),
[data-testid="stPageLink-NavLink"] [data-testid="stMarkdownContainer"],
[data-testid="stPageLink-NavLink"] [data-testid="stMarkdownContainer"] p {
  white-space: normal !important; overflow: visible; text-overflow: clip;
}
[data-testid="stMetric"] div:has(> [data-testid="stMetricDeltaDescription"]) {
  flex-wrap: wrap; row-gap: 0.15rem;
}
</style>"""


def metric_text_fits() -> None:
    """Let KPI tiles and page links show their whole text."""
    st.html(METRIC_TEXT_WRAPS)
