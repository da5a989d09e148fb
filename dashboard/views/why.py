"""The registry entries of the "why" views: the funnel joined with satisfaction, and the
key drivers of NPS (as a quadrant and as ranked bars, one computation).

The computations are ``dashboard.why``'s; the charts ``dashboard.charts.funnel_satisfaction``
and ``dashboard.charts.drivers``. Titles are written when asked for, in the current
language.
"""

from __future__ import annotations

import polars as pl
import sqlalchemy as sa

from dashboard import why
from dashboard.charts import drivers as driver_charts
from dashboard.charts import funnel_satisfaction as fs_charts
from dashboard.charts.theme import METRIC_SHORT
from dashboard.i18n import N_, _
from dashboard.metrics import drivers as driver_metrics
from dashboard.views.base import Options, Rule, View
from dashboard.views.dashboard import window_words
from queries.filters import Filters

# -- funnel x satisfaction ----------------------------------------------------------------

FUNNEL_SATISFACTION_COLUMNS = (
    "step",
    "touchpoint",
    "n_converted",
    "value_converted",
    "moe_converted",
    "n_dropped",
    "value_dropped",
    "moe_dropped",
    "delta",
    "p",
    "q",
    "significant",
)
TWO_STEPS = N_("Pick at least two steps: converted and dropped customers need a step to pass.")


def _funnel_satisfaction(engine: sa.Engine, f: Filters, options: Options) -> pl.DataFrame:
    return why.funnel_satisfaction(engine, f, options.steps, options.window_days, options.metric)


def _funnel_satisfaction_title(options: Options) -> str:
    return fs_charts.default_title(options.metric)


FUNNEL_SATISFACTION = View(
    name="funnel-satisfaction",
    compute=_funnel_satisfaction,
    title=_funnel_satisfaction_title,
    table_title=lambda options: _("{metric} of converted vs dropped customers, per step").format(
        metric=METRIC_SHORT.get(options.metric, options.metric)
    ),
    figure=lambda frame, options: fs_charts.funnel_satisfaction(frame, metric=options.metric),
    columns=lambda options: FUNNEL_SATISFACTION_COLUMNS,
    rules=(Rule(lambda options: options.steps is None or len(options.steps) >= 2, TWO_STEPS),),
    describe=lambda options: (window_words(options),),
    exports=frozenset({"query", "chart", "table"}),
    help="converted vs dropped customers' score at each funnel step, per touchpoint",
)


# -- key drivers of NPS -------------------------------------------------------------------

DRIVER_COLUMNS = ("touchpoint", "importance", "direction", "n", "csat", "ci_low", "ci_high", "r2")


def _drivers(engine: sa.Engine, f: Filters, options: Options) -> pl.DataFrame:
    # Seeded: the same data gives the same intervals on the page, the CLI and the pack.
    return why.key_drivers(engine, f, intervals=True, seed=0)


def driver_notes(frame: pl.DataFrame, options: Options) -> tuple[str, ...]:
    """Why the table cannot be read as is (the verdict), when it cannot."""
    verdict = driver_metrics.verdict(frame)
    return () if verdict is None else (verdict.message,)


DRIVERS = View(
    name="drivers",
    compute=_drivers,
    title=lambda options: driver_charts.quadrant_title(),
    table_title=lambda options: _("Key drivers of NPS"),
    figure=lambda frame, options: driver_charts.quadrant(frame),
    columns=lambda options: DRIVER_COLUMNS,
    notes=driver_notes,
    exports=frozenset({"query", "chart", "table"}),
    help="which touchpoints' CSAT explains NPS (Johnson's relative weights, bootstrap 95%)",
)

# The same computation drawn as ranked bars (report packs share one run of it).
DRIVERS_RANKED = View(
    name="drivers-ranked",
    compute=_drivers,
    title=lambda options: driver_charts.ranked_title(),
    figure=lambda frame, options: driver_charts.ranked(frame),
    notes=driver_notes,
    exports=frozenset({"chart"}),
    help="the key drivers as ranked bars with their intervals",
)

VIEWS = (FUNNEL_SATISFACTION, DRIVERS, DRIVERS_RANKED)
