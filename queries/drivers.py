"""The per-customer aggregates behind the key drivers of NPS, and each touchpoint's CSAT.

DESIGN.md ("Key drivers of NPS"): the unit is a known customer (a customer_id present
in ``customers``) with at least one NPS response in the period; y = the customer's
mean NPS, x_t = the customer's mean CSAT at touchpoint t (missing where they gave
none). Everything per customer is summed here, in SQL; the weights and the bootstrap
(``dashboard.metrics.drivers``) run on the small customer x touchpoint result.

The filters apply as everywhere: the period and the touchpoint / survey-channel
filters select responses (for y and x alike), the dimension filters select customers.

Only customers with both an NPS and a CSAT score are units: pairwise-complete
correlations use nobody else (a customer with y only pairs with no x). The statistics
keep them, from the per-touchpoint sums this statement returns.
"""

from __future__ import annotations

import sqlalchemy as sa

from queries.aggregates import feedback_stats
from queries.common import customer_conditions, feedback_conditions
from queries.filters import Filters
from queries.schema import customers, feedback, touchpoints


def customer_scores(f: Filters) -> sa.Select:
    """Per known customer and touchpoint: the sums and counts of their CSAT and NPS
    scores there, in the period.

    Returns
    -------
    sqlalchemy.Select
        One row per (customer, touchpoint) where the customer has at least one CSAT or
        NPS score, in no particular order; columns:

        - ``customer_id``, ``touchpoint``;
        - ``csat_sum``, ``csat_n``: sum (NULL without scores) and number of the
          customer's CSAT scores (1-5) at the touchpoint -> x_t = csat_sum / csat_n;
        - ``nps_sum``, ``nps_n``: the same for their NPS scores (0-10) at the
          touchpoint; y = the sums over all the customer's rows
          (``dashboard.metrics.drivers`` adds them up).

    Grouping per (customer, touchpoint) is the only pass over ``feedback``; the
    customer's totals, the filter to customers with both scores and the order are the
    statistics' (polars), which is several times cheaper than a window function and a
    sort in SQL on a million responses (BENCHMARKS.md).
    """
    fb = feedback.c
    # Inner join: only customers present in `customers` are units (DESIGN.md), and the
    # dimension filters read their row.
    return (
        sa.select(
            fb.customer_id,
            fb.touchpoint,
            sa.cast(sa.func.sum(fb.csat), sa.Double).label("csat_sum"),
            sa.func.count(fb.csat).label("csat_n"),
            sa.cast(sa.func.sum(fb.nps), sa.Double).label("nps_sum"),
            sa.func.count(fb.nps).label("nps_n"),
        )
        .select_from(feedback.join(customers, customers.c.customer_id == fb.customer_id))
        .where(*feedback_conditions(f), *customer_conditions(f))
        .group_by(fb.customer_id, fb.touchpoint)
        .having(sa.or_(sa.func.count(fb.csat) > 0, sa.func.count(fb.nps) > 0))
    )


def touchpoint_csat(f: Filters, *, rollups: bool = False) -> sa.Select:
    """Each touchpoint's CSAT over the period, as the heatmap counts it (anonymous
    responses included when no dimension filter is set), with its target.

    Returns
    -------
    sqlalchemy.Select
        One row per touchpoint with responses; columns touchpoint, n_csat, csat_top2,
        target_csat (NULL where none is set).
    """
    summary = feedback_stats(f, ("touchpoint",), rollups=rollups).subquery("summary")
    return (
        sa.select(
            summary.c.touchpoint,
            summary.c.n_csat,
            summary.c.csat_top2,
            touchpoints.c.target_csat,
        )
        .select_from(
            summary.outerjoin(touchpoints, touchpoints.c.touchpoint == summary.c.touchpoint)
        )
        .order_by(summary.c.touchpoint)
    )
