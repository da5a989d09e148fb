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


# Two charts side by side (the funnel and the heatmap) need room: in half of a laptop's
# content area (1,024 px with the sidebar open: ~280 px each) the heatmap's cell numbers
# overlap and its controls scroll. Below that width the halves stack, as on a phone.
HALVES_KEY = "halves"
HALVES_MIN_PX = 400  # 1,366 px laptops keep the halves side by side; 1,280 px stacks
_HALVES_ROW = (
    f'.st-key-{HALVES_KEY} > [data-testid="stLayoutWrapper"] > [data-testid="stHorizontalBlock"]'
)
HALVES_STACK = f"""<style>
{_HALVES_ROW} {{ flex-wrap: wrap !important; }}
{_HALVES_ROW} > [data-testid="stColumn"] {{ flex: 1 1 {HALVES_MIN_PX}px !important; }}
</style>"""


def halves(gap: str = "large"):
    """Two columns side by side where each gets at least ``HALVES_MIN_PX``, stacked below
    that; returns the two columns (only the pair's own row wraps, not rows inside it)."""
    st.html(HALVES_STACK)
    with st.container(key=HALVES_KEY):
        return st.columns(2, gap=gap)
