"""The Overview's KPI tiles: value, change against the comparison period (previous period or
same period last year, named in the help) with its verdict, the explanation in the help, a
sparkline of the last months."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard import charts
from dashboard.i18n import N_, _, pgettext
from dashboard.i18n.formats import describe_comparison
from dashboard.ui.styles import metric_text_fits
from queries.filters import Filters

TILES = (  # (KPI, name, formatter, explanation); words marked, translated when drawn
    ("customers", N_("Customers"), charts.fmt_int,
     N_("Distinct customers with any event in the period.")),
    ("revenue", N_("Revenue"), charts.fmt_vnd_short, N_("Sum of transaction amounts (VND).")),
    ("orders", N_("Orders"), charts.fmt_int, N_("Number of transactions.")),
    ("aov", N_("Average order value"), charts.fmt_vnd, N_("Revenue / orders.")),
    ("repeat_rate", N_("Repeat rate"), charts.fmt_pct, N_("Purchasers with 2+ transactions.")),
    ("nps", "NPS", charts.fmt_score, N_("% promoters (9–10) − % detractors (0–6).")),
    ("csat", "CSAT", charts.fmt_pct, N_("% of CSAT answers scoring 4 or 5.")),
    ("ces", "CES", charts.fmt_score, N_("Mean effort score 1–7 (higher = easier).")),
)  # fmt: skip
DELTA_FORMAT = {  # an ASCII sign first: st.metric reads the direction from it
    "revenue": lambda d: ("+" if d >= 0 else "-") + charts.fmt_vnd_short(abs(d)),
    "aov": lambda d: ("+" if d >= 0 else "-") + charts.fmt_vnd(abs(d)),
    "repeat_rate": lambda d: _("{delta} pts").format(delta=charts.fmt_number(d, 1, signed=True)),
    "csat": lambda d: _("{delta} pts").format(delta=charts.fmt_number(d, 1, signed=True)),
    "nps": lambda d: charts.fmt_number(d, 1, signed=True),
    "ces": lambda d: charts.fmt_number(d, 2, signed=True),
}


# The tile's own short words for the comparison (the full period is in the help).
SHORT_VERSUS = {"previous": N_("vs previous period"), "year": N_("vs same period last year")}


def _tile(column, kpis: dict, changes: dict, monthly: list[dict], spec, versus) -> None:
    key, label, fmt, help_text = spec
    value = kpis.get(key)
    change = changes.get(key) or {}
    delta, description, colour, help_text = None, None, "normal", _(help_text)
    if change.get("delta") is not None:
        write = DELTA_FORMAT.get(key, lambda d: charts.fmt_number(d, 0, signed=True))
        delta = write(change["delta"])
        if key in ("nps", "csat", "ces"):  # the p-value in the help: the tile has no room
            significant = change.get("significant") is not None
            verdict = _("significant") if significant else _("not significant")
            help_text += " " + _("Change {versus}: {verdict} ({p}).").format(
                versus=versus[1], verdict=verdict, p=charts.fmt_test(change.get("p"))
            )
            short = pgettext("KPI tile", "significant"), pgettext("KPI tile", "not significant")
            description = short[0] if significant else short[1]
            colour = "normal" if significant else "off"
        else:
            description = _(SHORT_VERSUS[versus[0]])
            help_text += " " + _("Change {versus}.").format(versus=versus[1])
    if key == "nps" and value is not None:
        help_text += " " + _("±{moe} (95%), n = {n}.").format(
            moe=charts.fmt_score(kpis.get("moe") or 0), n=charts.fmt_int(kpis.get("n_nps"))
        )
        if kpis.get("low_n"):
            help_text += " " + _("Low sample: read with care.")
    chart_data = [m[key] for m in monthly if m.get(key) is not None]
    column.metric(
        _(label), fmt(value), delta, delta_color=colour, help=help_text, border=True,
        delta_description=description, chart_data=chart_data if len(chart_data) > 1 else None,
    )  # fmt: skip


def kpi_tiles(kpis: dict, deltas: pl.DataFrame | None, monthly: list[dict], f: Filters) -> None:
    """Two rows of four tiles; ``deltas`` is the KPI view's comparison (None: off) of the
    filters ``f`` (whose comparison period the tiles name)."""
    versus = (f.compare_with, describe_comparison(f))
    metric_text_fits()  # no "vs previous per…": the words wrap instead
    changes = {} if deltas is None else {r["metric"]: r for r in deltas.iter_rows(named=True)}
    for row in (TILES[:4], TILES[4:]):
        for column, spec in zip(st.columns(4), row, strict=True):
            _tile(column, kpis, changes, monthly, spec, versus)
