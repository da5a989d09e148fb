"""Key drivers of NPS: Johnson's relative weights with a bootstrap interval.

DESIGN.md ("Key drivers of NPS"), on the per-customer frame of
``queries.drivers.customer_scores``:

- unit = known customer with an NPS score in the period; y = their mean NPS,
  x_t = their mean CSAT at touchpoint t (missing where they gave none);
- correlations pairwise-complete (each pair over the customers who have both, with
  that subset's means and standard deviations); touchpoints with fewer than
  ``min_n`` customers who have both x_t and y are left out (so are those whose x_t
  does not vary over them: no correlation exists);
- Johnson's relative weights: R_xx = Q Lambda Q', Lambda* = Q Lambda^(1/2) Q',
  beta = Lambda*^-1 r_xy, eps_j = sum_k Lambda*[j,k]^2 beta_k^2, R^2 = sum_j eps_j,
  importance_j = 100 eps_j / R^2; direction = sign(beta_j);
- if R_xx is not positive definite (pairwise correlations need not be), the same on
  the listwise-complete customers (every kept x and y present). Only R_xx is checked,
  as DESIGN.md says: with pairwise correlations the matrix including y can still be
  indefinite, and R^2 then exceeds 1 -- :func:`verdict` says so ("inconsistent");
- a bootstrap 95% percentile interval of each importance: customers resampled with
  replacement ``replicates`` times from a seeded generator, every replicate running
  the same estimator (pairwise, listwise where its pairwise R_xx is not positive
  definite); replicates where neither is defined are left out.

Speed: every statistic is a weighted sum over customers, and a bootstrap replicate
is a vector of customer weights (how often each was drawn), so no replicate passes
over the customers again. Customers with identical rows are merged first (scores are
small integers, so many are); rows are then taken a missingness pattern at a time,
where all pairs share their rows, and one matrix product per pattern (replicate
weights x [1, values, products of values]) gives every replicate's moments. The
weights themselves run on (replicates, p, p) arrays.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from dashboard.i18n import _
from dashboard.i18n.formats import fmt_int, fmt_number
from dashboard.metrics import scores

# Replicates of the bootstrap: 200 keeps the intervals within ~1.5 s on 300k customers
# x 7 touchpoints on 2 cores (benchmarks/why_bench.py --synthetic 300000); with 200,
# the interval bounds move by about half a point of importance between seeds (sd
# 0.2-0.9 on the medium demo).
REPLICATES = 200
CONFIDENCE = 0.95
WEAK_R2 = 0.05  # below this share of NPS variance explained, say so
CUSTOMERS_PER_DRIVER = 10  # fewer customers (with both scores) per driver: say so
_PD_TOLERANCE = 1e-10  # smallest eigenvalue of R_xx accepted as positive
_ROW_CHUNK = 25_000  # rows per block of the replicate matrix products (bounds memory)

TABLE_SCHEMA = {
    "touchpoint": pl.String,
    "importance": pl.Float64,
    "direction": pl.Int64,
    "n": pl.Int64,
    "csat": pl.Float64,
    "target_csat": pl.Float64,
    "ci_low": pl.Float64,
    "ci_high": pl.Float64,
    "r2": pl.Float64,
    "method": pl.String,
    "customers": pl.Int64,
}


@dataclass(frozen=True)
class Verdict:
    """Why the data cannot (fully) support a driver analysis: a code, the numbers its
    sentence quotes, and the sentence (:attr:`message`).

    The sentence is written when read, in the current language (``dashboard.i18n``), so
    a model computed once (and cached) speaks the language of whoever reads it.
    """

    # no_data | no_driver | not_estimable | too_few_customers | inconsistent | weak_model
    reason: str
    details: tuple[tuple[str, float], ...] = ()

    @property
    def message(self) -> str:
        return verdict_message(self.reason, **dict(self.details))


def verdict_message(reason: str, **details: float) -> str:
    """The sentence of a verdict ``reason`` in the current language, quoting ``details``
    (min_n for a model's no_driver; customers and drivers for too_few_customers; r2 for
    inconsistent and weak_model)."""
    if reason == "no_data":
        return _("No customer gave both an NPS and a CSAT score in this selection.")
    if reason == "no_driver" and "min_n" in details:
        return _(
            "No touchpoint has {min_n} customers who gave both an NPS score and a CSAT score "
            "there (that vary): too few to estimate a driver."
        ).format(min_n=fmt_int(details["min_n"]))
    if reason == "no_driver":
        return _(
            "Not enough customers gave both an NPS score and a touchpoint's CSAT score to "
            "estimate what drives NPS."
        )
    if reason == "not_estimable":
        return _(
            "The touchpoints' scores overlap too little to separate their effects (the "
            "correlations are inconsistent, and too few customers rated every touchpoint)."
        )
    if reason == "too_few_customers":
        return _(
            "Only {customers} customers gave both an NPS and a CSAT score for {drivers} "
            "touchpoints: fewer than {per} per touchpoint, so the importances are unreliable."
        ).format(
            customers=fmt_int(details["customers"]),
            drivers=fmt_int(details["drivers"]),
            per=fmt_int(CUSTOMERS_PER_DRIVER),
        )
    r2 = details["r2"]
    if reason == "inconsistent":
        return _(
            "The touchpoints were rated by different customers, so their correlations with "
            "NPS do not fit together (R² {r2} exceeds 1): read the ranking as a rough guide, "
            "not as shares of NPS explained."
        ).format(r2=fmt_number(r2, 2))
    if reason == "weak_model":
        return _(
            "Touchpoint CSAT explains only {share}% of the differences in customers' NPS "
            "(R² {r2}): NPS here depends on other things, so these importances say little."
        ).format(share=fmt_number(100 * r2, 0), r2=fmt_number(r2, 2))
    raise ValueError(f"unknown verdict {reason!r}")


@dataclass(frozen=True)
class DriverModel:
    """The drivers table and what the page says about it.

    ``method`` is "pairwise" or "listwise" (None when nothing could be estimated);
    ``customers`` the customers with an NPS and at least one kept CSAT score;
    ``verdict`` None when the analysis stands.
    """

    table: pl.DataFrame
    method: str | None
    customers: int
    r2: float | None
    verdict: Verdict | None


# -- Johnson's relative weights ------------------------------------------------------------


def relative_weights(r_xx: np.ndarray, r_xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """eps (raw relative weights, summing to R^2) and beta, exactly as DESIGN.md writes
    them; batched over leading axes (``r_xx`` (..., p, p), ``r_xy`` (..., p)).

    ``r_xx`` must be positive definite (see :func:`positive_definite`).
    """
    eigenvalues, q = np.linalg.eigh(r_xx)
    root = np.sqrt(np.clip(eigenvalues, 0.0, None))
    lam_star = (q * root[..., None, :]) @ np.swapaxes(q, -1, -2)  # Q Lambda^1/2 Q'
    beta = np.linalg.solve(lam_star, r_xy[..., None])[..., 0]
    eps = (lam_star**2) @ (beta**2)[..., None]
    return eps[..., 0], beta


def positive_definite(r_xx: np.ndarray) -> np.ndarray:
    """Whether each (..., p, p) matrix is finite with eigenvalues above a tolerance."""
    finite = np.isfinite(r_xx).all(axis=(-1, -2))
    safe = np.where(finite[..., None, None], r_xx, np.eye(r_xx.shape[-1]))
    return finite & (np.linalg.eigvalsh(safe)[..., 0] > _PD_TOLERANCE)


# -- sufficient statistics ------------------------------------------------------------------


@dataclass(frozen=True)
class _Moments:
    """Weighted moments of customer rows [y, x_1..x_p], one set per weighting (replicate).

    For every pair (a, b), over the rows where both are present: ``n`` (weight),
    ``first[a, b]`` (sum of a), ``second[a, b]`` (sum of a^2), ``cross`` (sum of a*b);
    all (replicates, v, v). ``complete_*``: the same over the rows with every value
    present (listwise): n (replicates,), first (replicates, v), cross (replicates, v, v).
    """

    n: np.ndarray
    first: np.ndarray
    second: np.ndarray
    cross: np.ndarray
    complete_n: np.ndarray
    complete_first: np.ndarray
    complete_cross: np.ndarray


def _pattern_order(values: np.ndarray) -> np.ndarray:
    """A row order that puts rows with the same missing values next to each other."""
    present = ~np.isnan(values)
    code = present.astype(np.int64) @ (1 << np.arange(values.shape[1], dtype=np.int64))
    return np.argsort(code, kind="stable")


def _moments(values: np.ndarray, weights: np.ndarray) -> _Moments:
    """:class:`_Moments` of ``values`` (rows, v) under ``weights`` (replicates, rows).

    Rows are taken a missingness pattern at a time: inside a pattern every present
    pair shares the same rows, so one small matrix product per pattern (weights x
    [1, values, products of values]) gives all its pairs' moments at once.
    """
    order = _pattern_order(values)
    if not np.array_equal(order, np.arange(len(order))):
        values, weights = values[order], weights[:, order]
    present = ~np.isnan(values)
    boundaries = np.flatnonzero(np.r_[True, (present[1:] != present[:-1]).any(axis=1), True])
    replicates, v = len(weights), values.shape[1]
    out = {name: np.zeros((replicates, v, v)) for name in ("n", "first", "second", "cross")}
    complete = (np.zeros(replicates), np.zeros((replicates, v)), np.zeros((replicates, v, v)))
    for start, stop in zip(boundaries[:-1], boundaries[1:], strict=True):
        columns = np.flatnonzero(present[start])
        total, sums, cross = _pattern_moments(
            values[start:stop][:, columns], weights[:, start:stop]
        )
        pair = np.ix_(np.arange(replicates), columns, columns)
        out["n"][pair] += total[:, None, None]
        out["first"][pair] += sums[:, :, None]
        out["second"][pair] += np.diagonal(cross, axis1=1, axis2=2)[:, :, None]
        out["cross"][pair] += cross
        if len(columns) == v:
            complete = (total, sums, cross)
    return _Moments(**out, complete_n=complete[0], complete_first=complete[1],
                    complete_cross=complete[2])  # fmt: skip


def _pattern_moments(
    z: np.ndarray, weights: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Weighted count (replicates,), sums (replicates, s) and cross products
    (replicates, s, s) of rows ``z`` (rows, s) with no missing value."""
    replicates, s = len(weights), z.shape[1]
    if replicates == 1:  # the point estimate: plain products, no feature matrix
        w = weights[0].astype(np.float64)
        return np.array([w.sum()]), (w @ z)[None, :], ((z.T * w) @ z)[None, :, :]
    upper = np.triu_indices(s)
    moments = np.zeros((replicates, 1 + s + len(upper[0])))
    for start in range(0, len(z), _ROW_CHUNK):
        block = z[start : start + _ROW_CHUNK]
        features = np.concatenate(
            [np.ones((len(block), 1)), block, block[:, upper[0]] * block[:, upper[1]]], axis=1
        )
        # One product per block: many small BLAS calls cost more than their work.
        moments += weights[:, start : start + _ROW_CHUNK].astype(np.float64) @ features
    cross = np.zeros((replicates, s, s))
    cross[:, upper[0], upper[1]] = moments[:, 1 + s :]
    cross[:, upper[1], upper[0]] = moments[:, 1 + s :]
    return moments[:, 0], moments[:, 1 : 1 + s], cross


def _correlations(n, first_a, first_b, second_a, second_b, cross) -> np.ndarray:
    """Pearson correlations from moments (NaN where n < 2 or a side does not vary)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        mean_a, mean_b = first_a / n, first_b / n
        var_a = second_a / n - mean_a**2
        var_b = second_b / n - mean_b**2
        r = (cross / n - mean_a * mean_b) / np.sqrt(var_a * var_b)
    r = np.where((n >= 2) & (var_a > 0) & (var_b > 0), np.clip(r, -1.0, 1.0), np.nan)
    v = r.shape[-1]
    r[..., np.arange(v), np.arange(v)] = 1.0
    return r


def _pairwise_correlations(m: _Moments) -> np.ndarray:
    """Pairwise-complete correlations (replicates, v, v): each pair over the rows having
    both, with that subset's means and variances."""
    swap = lambda a: np.swapaxes(a, -1, -2)  # noqa: E731 - the (b, a) view of a moment
    return _correlations(m.n, m.first, swap(m.first), m.second, swap(m.second), m.cross)


def _listwise_correlations(m: _Moments) -> np.ndarray:
    """Correlations (replicates, v, v) over the rows with every value present."""
    n = m.complete_n[:, None, None]
    first = m.complete_first
    second = np.diagonal(m.complete_cross, axis1=1, axis2=2)
    return _correlations(
        n, first[:, :, None], first[:, None, :], second[:, :, None], second[:, None, :],
        m.complete_cross,
    )  # fmt: skip


def _estimate(m: _Moments) -> dict[str, np.ndarray]:
    """The estimator on each replicate's moments.

    Returns eps and beta (replicates, p; NaN where not estimable) and method
    (replicates,: 1 pairwise, 2 listwise, 0 neither).
    """
    r = _pairwise_correlations(m)
    method = np.where(positive_definite(r[:, 1:, 1:]), 1, 0)
    fallback = np.flatnonzero(method == 0)
    if len(fallback):
        listwise = _listwise_correlations(m)[fallback]
        r[fallback] = listwise
        method[fallback] = np.where(positive_definite(listwise[:, 1:, 1:]), 2, 0)
    method = np.where(np.isfinite(r[:, 0, 1:]).all(axis=1), method, 0)
    p = r.shape[-1] - 1
    eps = np.full((len(r), p), np.nan)
    beta = np.full((len(r), p), np.nan)
    ok = np.flatnonzero(method > 0)
    if len(ok):
        eps[ok], beta[ok] = relative_weights(r[ok][:, 1:, 1:], r[ok][:, 1:, 0])
    return {"eps": eps, "beta": beta, "method": method}


def _distinct_rows(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(distinct rows, how many customers each), in an order that depends only on the
    rows' values. Scores are small integers, so many customers share a row, and the
    bootstrap's matrix product shrinks by as much.

    Rows are grouped by a 64-bit hash of their bits (a sort of integers, far cheaper
    than sorting rows); every row is then checked equal to its group's first, and a
    collision -- which would merge different rows -- falls back to an exact sort.
    """
    bits = np.where(np.isnan(values), np.nan, values).view(np.uint64)  # one NaN pattern
    key = np.zeros(len(values), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for column in bits.T:
            key = (key ^ column) * np.uint64(0x100000001B3)  # FNV-style mixing
            key ^= key >> np.uint64(29)
    _, first, inverse, counts = np.unique(
        key, return_index=True, return_inverse=True, return_counts=True
    )
    if not np.array_equal(bits, bits[first][inverse]):
        _, first, counts = np.unique(bits, axis=0, return_index=True, return_counts=True)
    rows = values[first]
    # Grouped by missingness pattern, so that the bootstrap's weights need no reordering.
    order = _pattern_order(rows)
    return rows[order], counts[order].astype(np.int64)


def _bootstrap_weights(counts: np.ndarray, replicates: int, seed: int) -> np.ndarray:
    """(replicates, rows): how often each distinct row is drawn when the customers are
    resampled with replacement, i.e. multinomial(customers, counts / customers)."""
    rng = np.random.default_rng(seed)
    total = int(counts.sum())
    if len(counts) * 4 < total:
        # Few distinct rows: one multinomial draw over them is cheapest.
        return rng.multinomial(total, counts / total, size=replicates).astype(np.int32)
    # Nearly one row per customer: draw customers, count them by row.
    row_of_customer = np.repeat(np.arange(len(counts)), counts)
    out = np.empty((replicates, len(counts)), dtype=np.int32)
    for b in range(replicates):
        drawn = row_of_customer[rng.integers(0, total, total, dtype=np.int32)]
        out[b] = np.bincount(drawn, minlength=len(counts))
    return out


# -- from the SQL result to the table -------------------------------------------------------


def customer_matrix(scores_frame: pl.DataFrame, keep: list[str]) -> np.ndarray:
    """(customers, 1 + len(keep)): [y, x_keep...] per customer with y and at least one
    kept x (NaN where they gave no CSAT there), customers in the order of their ids.

    ``scores_frame`` as :func:`units` returns it: the rows with a CSAT score, each
    carrying the customer's NPS totals."""
    long = (
        _clean(scores_frame)
        .filter(pl.col("touchpoint").is_in(keep))
        .select(
            (pl.col("customer_id").rank("dense") - 1).cast(pl.Int64).alias("row"),
            pl.col("touchpoint")
            .replace_strict({name: i + 1 for i, name in enumerate(keep)}, return_dtype=pl.Int64)
            .alias("column"),
            (pl.col("nps_sum") / pl.col("nps_n")).alias("y"),
            (pl.col("csat_sum") / pl.col("csat_n")).alias("x"),
        )
    )
    row, column = long["row"].to_numpy(), long["column"].to_numpy()
    values = np.full((int(row.max()) + 1 if len(row) else 0, len(keep) + 1), np.nan)
    values[row, column] = long["x"].to_numpy()
    values[row, 0] = long["y"].to_numpy()
    return values


def units(scores_frame: pl.DataFrame) -> pl.DataFrame:
    """The rows of ``queries.drivers.customer_scores`` that make units: those with a
    CSAT score, of customers with an NPS score, each row carrying the customer's NPS
    totals over all their rows (y = nps_sum / nps_n)."""
    frame = _clean(scores_frame)
    customer = {"partition_by": "customer_id"}
    return frame.with_columns(
        pl.col("nps_sum").fill_null(0.0).sum().over(**customer),
        pl.col("nps_n").sum().over(**customer),
    ).filter(pl.col("csat_n") > 0, pl.col("nps_n") > 0)


def _clean(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(
        pl.col("customer_id").cast(pl.String),
        pl.col("touchpoint").cast(pl.String),
        pl.col("csat_sum").cast(pl.Float64),
        pl.col("csat_n").cast(pl.Int64).fill_null(0),
        pl.col("nps_sum").cast(pl.Float64),
        pl.col("nps_n").cast(pl.Int64).fill_null(0),
    )


def _kept_columns(values: np.ndarray, min_n: int) -> tuple[np.ndarray, np.ndarray]:
    """(pairs per touchpoint, which to keep) for the x columns of a customer matrix:
    kept when at least ``min_n`` customers have x_t and y and both vary over them
    (else there is no correlation)."""
    y, x = values[:, :1], values[:, 1:]
    present = ~np.isnan(x)
    pairs = present.sum(axis=0)

    def spread(column_values: np.ndarray) -> np.ndarray:
        high = np.where(present, column_values, -np.inf).max(axis=0)
        low = np.where(present, column_values, np.inf).min(axis=0)
        return high > low

    return pairs, (pairs >= min_n) & spread(x) & spread(np.broadcast_to(y, x.shape))


def _current_csat(csat_frame: pl.DataFrame, privacy_n: int) -> pl.DataFrame:
    """touchpoint, csat (top-2-box %, null below privacy_n), target_csat."""
    frame = csat_frame.with_columns(
        pl.col("touchpoint").cast(pl.String),
        pl.col("n_csat").cast(pl.Int64).fill_null(0),
        pl.col("csat_top2").cast(pl.Int64).fill_null(0),
        pl.col("target_csat").cast(pl.Float64),
    )
    return frame.select(
        "touchpoint",
        pl.when(pl.col("n_csat") >= privacy_n).then(scores.csat_expr()).alias("csat"),
        "target_csat",
    )


def _empty(verdict: Verdict, customers: int = 0) -> DriverModel:
    return DriverModel(pl.DataFrame(schema=TABLE_SCHEMA), None, customers, None, verdict)


def key_drivers(
    scores_frame: pl.DataFrame,
    csat_frame: pl.DataFrame,
    *,
    min_n: int,
    privacy_n: int = scores.PRIVACY_N,
    intervals: bool = True,
    seed: int = 0,
    replicates: int = REPLICATES,
) -> DriverModel:
    """Relative importance of each touchpoint's CSAT for customers' NPS.

    Parameters
    ----------
    scores_frame
        ``queries.drivers.customer_scores``: customer_id, touchpoint, csat_sum, csat_n,
        nps_sum, nps_n per customer and touchpoint (rows may come in any order; a
        frame whose rows already carry the customer's NPS totals gives the same y).
    csat_frame
        ``queries.drivers.touchpoint_csat``: touchpoint, n_csat, csat_top2, target_csat.
    min_n
        Fewest customers with both x_t and y for touchpoint t to be kept.
    intervals
        Compute the bootstrap intervals (else ci_low / ci_high are null).
    seed, replicates
        The bootstrap's generator seed and number of resamples.

    Returns
    -------
    DriverModel
        ``table`` has one row per kept touchpoint, by importance (descending), with
        columns:

        - ``touchpoint``;
        - ``importance``: share of the explained NPS variance, 0-100 (sums to 100);
        - ``direction``: +1 or -1, the sign of the standardised coefficient beta_j;
        - ``n``: customers with both x_t and y (pairs);
        - ``csat``: the touchpoint's CSAT over the period (top-2-box %, as the
          heatmap; null below privacy_n); ``target_csat``: its target (or null);
        - ``ci_low``, ``ci_high``: bootstrap 95% percentile interval of importance;
        - ``r2``: R^2 of NPS on the kept touchpoints (the same on every row);
        - ``method``: "pairwise" or "listwise" correlations (the same on every row);
        - ``customers``: customers with an NPS and at least one kept CSAT score.
    """
    frame = units(scores_frame)
    if frame.is_empty():
        return _empty(Verdict("no_data"))
    touchpoints = sorted(frame["touchpoint"].unique().to_list())
    everyone = customer_matrix(frame, touchpoints)
    n_pairs, kept = _kept_columns(everyone, min_n)
    if not kept.any():
        return _empty(Verdict("no_driver", (("min_n", min_n),)), customers=len(everyone))
    keep = [t for t, k in zip(touchpoints, kept, strict=True) if k]
    pairs = pl.DataFrame({"touchpoint": touchpoints, "n": n_pairs.astype(np.int64)})
    values = everyone[:, np.r_[0, 1 + np.flatnonzero(kept)]]
    values = values[~np.isnan(values[:, 1:]).all(axis=1)]  # no kept x: not a unit here
    customers = len(values)
    point = _estimate(_moments(values, np.ones((1, customers))))
    method = int(point["method"][0])
    if method == 0:
        return _empty(Verdict("not_estimable"), customers=customers)
    eps, beta = point["eps"][0], point["beta"][0]
    r2 = float(eps.sum())
    importance = 100 * eps / r2 if r2 > 0 else np.full(len(keep), np.nan)
    low = high = np.full(len(keep), np.nan)
    if intervals:
        low, high = _intervals(values, replicates, seed)
    table = (
        pl.DataFrame(
            {
                "touchpoint": keep,
                "importance": importance,
                "direction": np.where(beta < 0, -1, 1),
                "ci_low": low,
                "ci_high": high,
            }
        )
        .join(pairs, on="touchpoint", how="left")
        .join(_current_csat(csat_frame, privacy_n), on="touchpoint", how="left")
        .with_columns(
            pl.lit(r2).alias("r2"),
            pl.lit("pairwise" if method == 1 else "listwise").alias("method"),
            pl.lit(customers).alias("customers"),
        )
        .select(list(TABLE_SCHEMA))
        .cast(TABLE_SCHEMA)
        .with_columns(pl.col("importance", "ci_low", "ci_high").fill_nan(None))  # no data: null
        .sort(["importance", "touchpoint"], descending=[True, False], nulls_last=True)
    )
    return DriverModel(table, table["method"][0], customers, r2, verdict(table))


def _intervals(values: np.ndarray, replicates: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Bootstrap percentile interval of each importance (NaN when fewer than half the
    replicates could be estimated)."""
    rows, counts = _distinct_rows(values)
    eps = _estimate(_moments(rows, _bootstrap_weights(counts, replicates, seed)))["eps"]
    with np.errstate(divide="ignore", invalid="ignore"):
        importance = 100 * eps / eps.sum(axis=1, keepdims=True)
    usable = np.isfinite(importance).all(axis=1)
    p = values.shape[1] - 1
    if usable.sum() * 2 < replicates:
        return np.full(p, np.nan), np.full(p, np.nan)
    tail = (1 - CONFIDENCE) / 2 * 100
    low, high = np.percentile(importance[usable], [tail, 100 - tail], axis=0)
    return low, high


# -- plain words ------------------------------------------------------------------------------


def gap_to_target(row: dict) -> float | None:
    """CSAT points under the touchpoint's target (positive = under), None without both."""
    if row.get("csat") is None or row.get("target_csat") is None:
        return None
    return row["target_csat"] - row["csat"]


def fix_first(table: pl.DataFrame) -> dict | None:
    """The row (of a :func:`key_drivers` table, by importance) of the most important
    touchpoint under its CSAT target whose CSAT moves NPS up: what to fix first (high
    importance, low performance), or None."""
    for row in table.iter_rows(named=True):
        gap = gap_to_target(row)
        if gap is not None and gap > 0 and row["direction"] > 0:
            return row
    return None


def verdict(table: pl.DataFrame) -> Verdict | None:
    """Why a drivers table (as :func:`key_drivers` returns it) cannot be read as is, or
    None. Reads only the table, so any renderer can call it."""
    if table.is_empty():
        return Verdict("no_driver")
    customers, drivers = int(table["customers"][0]), table.height
    if customers < CUSTOMERS_PER_DRIVER * drivers:
        return Verdict("too_few_customers", (("customers", customers), ("drivers", drivers)))
    r2 = float(table["r2"][0])
    if r2 > 1 + 1e-9:
        # Possible only with pairwise correlations from different customers (R_xx is
        # positive definite, the matrix with NPS is not): e.g. most customers rated one
        # touchpoint, in the same response as their NPS.
        return Verdict("inconsistent", (("r2", r2),))
    if r2 < WEAK_R2:
        return Verdict("weak_model", (("r2", r2),))
    return None
