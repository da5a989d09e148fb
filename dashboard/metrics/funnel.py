"""Funnel step counts -> conversions, drop-off and timing, per group.

Takes the wide result of :func:`queries.funnel.funnel` (one row per group) and
returns the long table the dashboard, the CLI and the exports show.

Step 1 has no previous step: its ``conversion_from_previous``, ``dropoff`` and
``median_seconds_from_previous`` are null; its ``conversion_overall`` is 100
when anyone entered and null when nobody did ("no data" is null, never 0).
A conversion whose denominator is 0 is null likewise.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

LONG_SCHEMA = {
    "step": pl.String,
    "position": pl.Int64,
    "customers": pl.Int64,
    "conversion_from_previous": pl.Float64,
    "conversion_overall": pl.Float64,
    "dropoff": pl.Int64,
    "median_seconds_from_previous": pl.Float64,
}


def _percent(numerator: pl.Expr, denominator: pl.Expr) -> pl.Expr:
    """numerator / denominator * 100, null when the denominator is 0 (or null)."""
    return (
        pl.when(denominator > 0)
        .then(numerator.cast(pl.Float64) * 100.0 / denominator.cast(pl.Float64))
        .otherwise(None)
    )


def _check_columns(wide: pl.DataFrame, steps: Sequence[str], by: str | None) -> None:
    expected = [f"reached_{i}" for i in range(1, len(steps) + 1)]
    expected += [f"median_seconds_{i}" for i in range(2, len(steps) + 1)]
    if by is not None:
        expected.insert(0, by)
    missing = [c for c in expected if c not in wide.columns]
    if missing:
        raise ValueError(
            f"the funnel result lacks {', '.join(missing)} for {len(steps)} steps"
            + (f" by {by}" if by else "")
        )


def funnel_table(wide: pl.DataFrame, steps: Sequence[str], by: str | None = None) -> pl.DataFrame:
    """One row per (group, step), steps in funnel order.

    Parameters
    ----------
    wide
        The result of :func:`queries.funnel.funnel` for the same ``steps`` and ``by``.
    steps
        The step names S1..Sk, in order.
    by
        The breakdown dimension, when the query had one.

    Returns
    -------
    polars.DataFrame
        Columns:

        - ``<by>`` (only with ``by``): the group;
        - ``step``: stage name; ``position``: 1..k;
        - ``customers``: customers who reached the step;
        - ``conversion_from_previous``: customers / previous step's customers * 100
          (null for step 1 and when the previous step has none);
        - ``conversion_overall``: customers / step 1's customers * 100 (so 100 for
          step 1; null when nobody entered);
        - ``dropoff``: previous step's customers - customers (null for step 1);
        - ``median_seconds_from_previous``: median seconds from the previous step
          over those who reached this one (null for step 1 and when nobody did).

        Groups are ordered by their step-1 customers (descending), then by name.
    """
    steps = list(steps)
    if not steps:
        raise ValueError("a funnel needs at least one step")
    _check_columns(wide, steps, by)
    group_columns = [by] if by is not None else []
    schema = {**({by: pl.String} if by is not None else {}), **LONG_SCHEMA}
    if wide.is_empty():
        return pl.DataFrame(schema=schema)

    wide = wide.with_columns(
        [pl.col(f"reached_{i}").cast(pl.Int64) for i in range(1, len(steps) + 1)]
        + [pl.col(f"median_seconds_{i}").cast(pl.Float64) for i in range(2, len(steps) + 1)]
        + ([pl.col(by).cast(pl.String)] if by is not None else [])
    )
    first = pl.col("reached_1")
    parts = []
    for position, step in enumerate(steps, start=1):
        reached = pl.col(f"reached_{position}")
        if position == 1:
            previous_columns = [
                pl.lit(None, pl.Float64).alias("conversion_from_previous"),
                _percent(reached, first).alias("conversion_overall"),
                pl.lit(None, pl.Int64).alias("dropoff"),
                pl.lit(None, pl.Float64).alias("median_seconds_from_previous"),
            ]
        else:
            previous = pl.col(f"reached_{position - 1}")
            previous_columns = [
                _percent(reached, previous).alias("conversion_from_previous"),
                _percent(reached, first).alias("conversion_overall"),
                (previous - reached).alias("dropoff"),
                pl.col(f"median_seconds_{position}").alias("median_seconds_from_previous"),
            ]
        parts.append(
            wide.select(
                *group_columns,
                first.alias("_entered"),
                pl.lit(step, pl.String).alias("step"),
                pl.lit(position, pl.Int64).alias("position"),
                reached.alias("customers"),
                *previous_columns,
            )
        )
    long = pl.concat(parts, how="vertical")
    order = ["_entered", *group_columns, "position"]
    descending = [True, *([False] * len(group_columns)), False]
    return (
        long.sort(order, descending=descending, nulls_last=True).select(list(schema)).cast(schema)
    )
