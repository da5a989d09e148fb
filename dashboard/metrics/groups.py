"""Breakdowns with many groups: the largest ``top`` groups and the rest as one "other".

Fifteen funnel lines or sixty heatmap columns cannot be read. Folding happens on the
sufficient statistics the store returns (counts and sums), before any score or test is
computed, so "other" is exact: its NPS is the NPS of all its responses together, not an
average of averages. Columns that cannot be added (a median) are null for "other".
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

OTHER = "(other)"  # the group that holds every group beyond the largest ``top``
TOP_GROUPS = 7  # breakdowns on pages and in report packs: 7 groups + "other" = 8 colours


def fold_groups(
    raw: pl.DataFrame,
    by: str,
    top: int | None,
    *,
    weight: str,
    keys: Sequence[str] = (),
    per_key: Sequence[str] = (),
    not_additive: Sequence[str] = (),
) -> pl.DataFrame:
    """``raw`` with the groups of ``by`` beyond the ``top`` largest (by total ``weight``)
    merged into one group :data:`OTHER`.

    Parameters
    ----------
    raw
        Sufficient statistics per (``keys``..., ``by``): every numeric column not named in
        ``keys``, ``per_key`` or ``not_additive`` is summed when groups merge.
    top
        How many groups to keep (None or 0: all). Nothing is folded when at most one
        group would go into "other".
    weight
        The column whose total ranks the groups (customers, responses, ...).
    keys
        Columns that are not groups (touchpoint, period): merging happens within each.
    per_key
        Columns that belong to the key and are the same in every group (a touchpoint's
        target): kept as they are.
    not_additive
        Columns that cannot be merged (medians): null for "other".

    Returns
    -------
    polars.DataFrame
        The same columns; ``by`` holds at most ``top`` + 1 distinct values.
    """
    if not top or raw.is_empty() or by not in raw.columns:
        return raw
    totals = (
        raw.group_by(by)
        .agg(pl.col(weight).cast(pl.Float64).fill_null(0).sum().alias("_weight"))
        .sort(["_weight", by], descending=[True, False], nulls_last=True)
    )
    if totals.height <= top + 1:
        return raw
    kept = set(totals.get_column(by).head(top).to_list())
    inside = raw.filter(pl.col(by).is_in(list(kept)))
    outside = raw.filter(~pl.col(by).is_in(list(kept)))
    fixed = set(keys) | set(per_key) | set(not_additive) | {by}
    summed = [c for c in raw.columns if c not in fixed and raw.schema[c].is_numeric()]
    other_text = [c for c in raw.columns if c not in fixed and c not in summed]
    aggregations = [
        *[pl.col(c).sum() for c in summed],
        *[pl.col(c).first() for c in per_key],
        *[pl.lit(None).alias(c) for c in (*not_additive, *other_text)],
    ]
    if keys:
        merged = outside.group_by(list(keys), maintain_order=True).agg(aggregations)
    else:
        merged = outside.select(aggregations)
    merged = merged.with_columns(pl.lit(OTHER).alias(by)).select(raw.columns).cast(raw.schema)
    return pl.concat([inside, merged], how="vertical")
