"""Small vectorised draws shared by the demo's parts (one numpy ``Generator`` each)."""

from __future__ import annotations

import numpy as np
import polars as pl


def pick(rng: np.random.Generator, n: int, weights) -> np.ndarray:
    cdf = np.cumsum(np.asarray(weights, dtype=float))
    return np.searchsorted(cdf / cdf[-1], rng.random(n), side="right").clip(max=len(cdf) - 1)


def pick_by(rng: np.random.Generator, rows: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    """One draw per element of ``rows`` from that row of a probability ``matrix``."""
    cdf = np.cumsum(matrix / matrix.sum(axis=1, keepdims=True), axis=1)
    u = rng.random(len(rows))
    picked = np.zeros(len(rows), dtype=np.int64)
    for j in range(matrix.shape[1] - 1):  # few columns, many rows: stay vectorised
        picked += u >= cdf[rows, j]
    return picked


def with_missing(rng: np.random.Generator, codes: np.ndarray, share: float) -> np.ndarray:
    return np.where(rng.random(len(codes)) < share, -1, codes)


def labels(names, codes: np.ndarray) -> pl.Series:
    """Codes -> labels; code -1 -> null."""
    table = pl.Series([*names, None], dtype=pl.String)
    return table.gather(np.where(codes < 0, len(names), codes))


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def lognormal(rng: np.random.Generator, n: int, median: float, sigma: float) -> np.ndarray:
    return median * np.exp(sigma * rng.standard_normal(n))
