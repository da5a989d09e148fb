"""Start-up warming: what every first page needs, done before the first person asks.

``cxdash serve`` runs the dashboard through :mod:`dashboard.ui.serve`, which calls
:func:`warm` on a thread while Streamlit starts. Without it the first session of a fresh
server paid for importing Plotly, pandas and the pages' modules, opening the store,
deciding whether the summary tables are fresh, reading the option lists and drawing the
first figure (Plotly builds its validators on first use). The engine is the sessions' own
(``st.cache_resource``), and with sign-in off the Overview's results go into the shared
result cache under the key its first session will ask for.
"""

from __future__ import annotations

import logging
import time

log = logging.getLogger(__name__)


def warm() -> dict[str, float]:
    """Warm the process; returns seconds per step (logged). Never raises: a store that
    cannot answer yet is the first page's to say."""
    timings: dict[str, float] = {}

    def step(name: str, started: float) -> float:
        now = time.perf_counter()
        timings[name] = now - started
        return now

    t = time.perf_counter()
    from dashboard.ui.startup import warm_up

    warm_up()  # numpy, pandas and Plotly, under the lock the sessions' first runs wait on
    import plotly.graph_objects as go

    from dashboard import access, auth, charts, customers, db, service, state, views
    from dashboard.config import get_settings
    from dashboard.ui import cache
    from dashboard.views import Options

    go.Figure(go.Scatter(x=[0], y=[0])).to_dict()  # Plotly's validators, built once
    t = step("imports", t)
    try:
        engine = cache.engine()
        with access.system():
            version = db.data_version(engine)
            if not service.has_data(engine):
                return timings
            options = service.options(engine)
            earliest, latest = service.data_range(engine)
        t = step("engine and option lists", t)
        f = state.View().to_filters(latest, earliest, get_settings().min_n)
        first_page = [
            (f, views.KPIS, Options()),
            (f, views.KPIS, Options(compare=True)),
            (f, views.NPS_TREND, Options(grain="month")),
            (f, views.WHAT_MOVED, Options(metric="nps")),
            (f, views.WHAT_MOVED, Options(metric="nps", by_kind="segment")),
            # the KPI tiles' small trend lines: one KPI query per month of the period
            *((month, views.KPIS, Options()) for month in state.month_slices(f)),
        ]
        viewer = auth.LOCAL_VIEWER if auth.mode() == "none" else access.SYSTEM
        with access.acting_as(viewer):
            who = access.cache_key()
            url = cache.store_url()
            for period, view, opts in first_page:
                if viewer is auth.LOCAL_VIEWER and not view.localized:
                    # The very entry the first session looks up (same key as cache.run).
                    args = (period, opts)
                    cache._cached(url, f"view:{view.name}", args, who, version, view.run)
                else:
                    view.run(engine, period, opts)  # warms the store's buffers and plans
            if viewer is auth.LOCAL_VIEWER:
                lookups = [(service.options, ()), (service.data_range, ())]
                lookups.append((customers.risk_headline, (f,)))  # the Overview's headline
                for lookup, args in lookups:
                    name = f"{lookup.__module__}.{lookup.__qualname__}"
                    cache._cached(url, name, args, who, version, lookup)
            charts.nps_trend(views.NPS_TREND.run(engine, f, Options(grain="month")))
        step("first page", t)
        del options
    except Exception:  # the first page says what is wrong, in the person's language
        log.warning("start-up warming stopped", exc_info=True)
    log.info("warmed in %s", ", ".join(f"{k} {v:.2f} s" for k, v in timings.items()))
    return timings
