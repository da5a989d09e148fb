"""Statistics on small aggregated frames (the results of ``queries/``), in Polars.

- :mod:`dashboard.metrics.scores`: NPS with margin of error, CSAT, CES, KPIs,
  significance tests and Benjamini-Hochberg.
- :mod:`dashboard.metrics.funnel`: step counts -> conversions, drop-off, timing.

No streamlit and no SQL execution here: every function takes and returns frames.
"""
