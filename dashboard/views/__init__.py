"""The registry of views: one entry per view, used by every renderer.

Pages run an entry through ``ui.run(views.FUNNEL, filters, Options(...))``; ``cxdash
query`` and ``cxdash export chart|table`` offer the entries whose ``exports`` name them;
the PDF report packs (:mod:`dashboard.views.reports`) are lists of entries. Adding a view
means: its statement in ``queries/``, its statistics if any, one entry in a module of this
package (listed in ``_FAMILIES``), its chart function, and its place on a page.
"""

from __future__ import annotations

from dashboard.views import comments as _comments
from dashboard.views import customers as _customers
from dashboard.views import dashboard as _dashboard
from dashboard.views import why as _why
from dashboard.views.base import Options, Result, Rule, View, needs
from dashboard.views.comments import COMMENTS, SENTIMENT, THEME_TREND, THEMES
from dashboard.views.customers import AT_RISK, CUSTOMER, FOLLOWUPS, PROMOTERS
from dashboard.views.dashboard import (
    FEEDBACK,
    FUNNEL,
    FUNNEL_COUNTS_NOTE,
    FUNNEL_IN_PERIOD,
    HEATMAP,
    KPIS,
    NPS_MIX,
    NPS_TREND,
    SEGMENTS,
    WHAT_MOVED,
)
from dashboard.views.why import DRIVERS, DRIVERS_RANKED, FUNNEL_SATISFACTION

_FAMILIES = (_dashboard, _why, _customers, _comments)

REGISTRY: dict[str, View] = {view.name: view for family in _FAMILIES for view in family.VIEWS}


def get(name: str) -> View:
    """The view called ``name`` (ValueError listing the known ones otherwise)."""
    try:
        return REGISTRY[name]
    except KeyError:
        raise ValueError(f"unknown view {name!r}; choose one of {', '.join(REGISTRY)}") from None


def exported_as(kind: str) -> tuple[str, ...]:
    """Names of the views a renderer offers: ``"query"``, ``"chart"`` or ``"table"``."""
    return tuple(name for name, view in REGISTRY.items() if kind in view.exports)


__all__ = [
    "AT_RISK",
    "COMMENTS",
    "SENTIMENT",
    "THEMES",
    "THEME_TREND",
    "CUSTOMER",
    "FOLLOWUPS",
    "PROMOTERS",
    "DRIVERS",
    "DRIVERS_RANKED",
    "FEEDBACK",
    "FUNNEL",
    "FUNNEL_COUNTS_NOTE",
    "FUNNEL_IN_PERIOD",
    "FUNNEL_SATISFACTION",
    "HEATMAP",
    "KPIS",
    "NPS_MIX",
    "NPS_TREND",
    "REGISTRY",
    "SEGMENTS",
    "WHAT_MOVED",
    "Options",
    "Result",
    "Rule",
    "View",
    "exported_as",
    "get",
    "needs",
]
