"""The product's own names in the current language: dimensions, metrics, funnel stages,
table columns and the ``(unknown)`` group.

Data values (segment, region, touchpoint names from the store) are shown as they are;
these are the names the product gives to its own things. Constants are marked with
``N_`` and translated when shown, so a module-level dict stays valid in every language.
"""

from __future__ import annotations

from dashboard.i18n import N_, _, pgettext
from dashboard.metrics.groups import OTHER
from queries.filters import UNKNOWN

# A dimension as a label (widgets, table headers): capitalised.
DIMENSION_LABELS = {
    "segment": N_("Segment"),
    "region": N_("Region"),
    "channel": N_("Acquisition channel"),
    "touchpoint": N_("Touchpoint"),
    "age_band": N_("Age band"),
    "gender": N_("Gender"),
    "income_band": N_("Income band"),
    "survey_channel": N_("Survey channel"),
}

# Metric names on axes; NPS, CSAT and CES stay as they are.
METRIC_LABELS = {
    "nps": "NPS",
    "csat": N_("CSAT (% satisfied)"),
    "ces": N_("CES (1–7, higher = easier)"),
}

# The default funnel's stages (CXDASH_FUNNEL_STAGES): other stages read as their id.
STAGE_LABELS = {
    "visit": N_("Visit"),
    "signup": N_("Signup"),
    "cart": N_("Cart"),
    "purchase": N_("Purchase"),
    "repeat_purchase": N_("Repeat purchase"),
}

# Table columns (screen headers, the KPI table of the report packs, and the headers of
# CSV/XLSX exports in languages other than English, whose headers stay the column names).
COLUMN_LABELS = {
    **DIMENSION_LABELS,
    "metric": N_("Metric"),
    "value": N_("Value"),
    "previous": N_("Previous"),
    "delta": N_("Delta"),
    "p": N_("p-value"),
    "q": N_("q-value"),
    "significant": N_("Significant"),
    "n": "n",
    "moe": N_("± MoE"),
    "nps": "NPS",
    "csat": "CSAT",
    "ces": "CES",
    "n_nps": N_("NPS n"),
    "low_n": N_("Low sample"),
    "hidden": N_("Hidden"),
    "target": N_("Target"),
    "customers": N_("Customers"),
    "revenue": N_("Revenue"),
    "orders": N_("Orders"),
    "purchasers": N_("Purchasers"),
    "aov": N_("AOV"),
    "repeat_rate": N_("Repeat rate"),
    "responses": N_("Responses"),
    "step": N_("Step"),
    "position": N_("Position"),
    "conversion_from_previous": N_("Step conversion"),
    "conversion_overall": N_("Overall"),
    "dropoff": N_("Drop-off"),
    "median_seconds_from_previous": N_("Median time from previous"),
    "period": N_("Period (first day)"),
    "promoters": N_("Promoters"),
    "passives": N_("Passives"),
    "detractors": N_("Detractors"),
    "response_id": N_("Response"),
    "responded_at": N_("Responded at"),
    "comment": N_("Comment"),
    "language": N_("Language"),
    "table": N_("Table"),
    "rows": N_("Rows"),
    "from": N_("From"),
    "to": N_("To"),
    "imported_at": N_("Imported at"),
    "table_name": N_("Table"),
    "file": N_("File"),
    "rows_read": N_("Rows read"),
    "rows_inserted": N_("Rows inserted"),
    "rows_updated": N_("Rows updated"),
    "encoding": N_("Encoding"),
    "mapping": N_("Mapping"),
    # what customers say
    "sentiment": N_("Sentiment"),
    "sentiment_source": N_("Sentiment source"),
    "themes": N_("Themes"),
    "theme": N_("Theme"),
    "label": N_("Name"),
    "comments": N_("Comments"),
    "total": N_("All comments"),
    "share": N_("Share of comments (%)"),
    "negative": N_("Negative"),
    "neutral": N_("Neutral"),
    "positive": N_("Positive"),
    "net_sentiment": N_("Net sentiment"),
    "share_negative": N_("Negative (%)"),
    "source": N_("Sentiment from"),
}


def dimension_label(name: str) -> str:
    """``"Acquisition channel"`` / ``"Kênh thu hút khách hàng"`` for ``channel``."""
    label = DIMENSION_LABELS.get(name)
    return _(label) if label else name.replace("_", " ").capitalize()


def dimension_noun(name: str) -> str:
    """A dimension as a lower-case noun inside a sentence ("NPS by *age band*")."""
    nouns = {
        "segment": pgettext("dimension", "segment"),
        "region": pgettext("dimension", "region"),
        "channel": pgettext("dimension", "channel"),
        "touchpoint": pgettext("dimension", "touchpoint"),
        "age_band": pgettext("dimension", "age band"),
        "gender": pgettext("dimension", "gender"),
        "income_band": pgettext("dimension", "income band"),
        "survey_channel": pgettext("dimension", "survey channel"),
    }
    return nouns.get(name, name.replace("_", " "))


def metric_label(metric: str) -> str:
    """A metric's axis label: ``NPS``, ``CSAT (% satisfied)``, ``CES (1–7, ...)``."""
    label = METRIC_LABELS.get(metric)
    return _(label) if label else metric


def step_label(step: str | None) -> str:
    """A funnel stage for people: the default stages in words, others as their id."""
    if step is None:
        return ""
    label = STAGE_LABELS.get(str(step))
    return _(label) if label else str(step).replace("_", " ").capitalize()


def group_label(value: object) -> str:
    """A breakdown group as shown: the data value, or "(unknown)" / "(other)" in words."""
    if value == OTHER:
        return _("(other)")
    return _("(unknown)") if value is None or value == UNKNOWN else str(value)


def column_label(name: str) -> str:
    """A table column's header in the current language (unknown columns: capitalised)."""
    label = COLUMN_LABELS.get(name)
    if label is not None:
        return _(label)
    return name.replace("_", " ").capitalize()
