"""The naive baseline of ``cxdash bench``: raw rows from SQLite into pandas, then Python.

This is what a quick notebook does: read whole tables, filter, join and aggregate in
memory. It computes the same definitions as the query layer (and the benchmark
checks a few of its numbers against it), so the comparison is like for like.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from dashboard import db
from queries.bench import rows_of
from queries.definitions import CSAT_SATISFIED_MIN, DETRACTOR_MAX, PROMOTER_MIN
from queries.filters import Filters
from queries.schema import TABLES


def copy_to_sqlite(engine: sa.Engine, path: Path) -> None:
    """Copy every table of the DuckDB store into a new SQLite file (same schema)."""
    db.copy_to_sqlite(engine, path, list(TABLES.values()))  # the five tables of the contract


def _read(engine: sa.Engine, table: str, columns: list[str]) -> pd.DataFrame:
    return db.fetch_pandas(rows_of(TABLES[table], columns), engine)


def _period(frame: pd.DataFrame, column: str, f: Filters) -> pd.DataFrame:
    keep = pd.Series(True, index=frame.index)
    if f.start is not None:
        keep &= frame[column] >= f.start
    if f.end is not None:
        keep &= frame[column] < f.end
    return frame[keep]


def _customers(engine: sa.Engine) -> pd.DataFrame:
    return _read(engine, "customers", ["customer_id", "segment", "region"])


def _scoped(frame: pd.DataFrame, customers: pd.DataFrame, f: Filters) -> pd.DataFrame:
    merged = frame.merge(customers, on="customer_id", how="left")
    for dim, values in f.dimension_filters().items():
        merged = merged[merged[dim].isin(values)]
    return merged


def _events(engine: sa.Engine, f: Filters) -> tuple[pd.DataFrame, pd.DataFrame]:
    events = _read(engine, "events", ["customer_id", "stage", "occurred_at", "amount"])
    return events, _customers(engine)


def _feedback(engine: sa.Engine, f: Filters) -> pd.DataFrame:
    columns = ["customer_id", "responded_at", "touchpoint", "nps", "csat", "ces"]
    feedback = _read(engine, "feedback", columns)
    return _scoped(_period(feedback, "responded_at", f), _customers(engine), f)


def _nps(frame: pd.DataFrame) -> float | None:
    scored = frame["nps"].dropna()
    if scored.empty:
        return None
    return ((scored >= PROMOTER_MIN).mean() - (scored <= DETRACTOR_MAX).mean()) * 100


def kpis(engine: sa.Engine, f: Filters) -> dict:
    events, customers = _events(engine, f)
    events = _scoped(_period(events, "occurred_at", f), customers, f)
    per_customer = events.groupby("customer_id")["amount"].count()
    feedback = _feedback(engine, f)
    return {
        "customers": events["customer_id"].nunique(),
        "revenue": events["amount"].sum(),
        "orders": int(events["amount"].notna().sum()),
        "purchasers": int((per_customer > 0).sum()),
        "repeat_rate": (per_customer >= 2).sum() / max((per_customer > 0).sum(), 1) * 100,
        "nps": _nps(feedback),
        "csat": (feedback["csat"].dropna() >= CSAT_SATISFIED_MIN).mean() * 100,
        "ces": feedback["ces"].mean(),
    }


STEPS = ("visit", "signup", "cart", "purchase", "repeat_purchase")


def funnel(engine: sa.Engine, f: Filters, steps=STEPS, window_days: float = 30) -> list[int]:
    events, customers = _events(engine, f)
    events = _scoped(events, customers, f)
    first = _period(events[events["stage"] == steps[0]], "occurred_at", f)
    reached = first.groupby("customer_id")["occurred_at"].min().rename("t").reset_index()
    entry = reached.rename(columns={"t": "t1"})
    counts = [len(reached)]
    for step in steps[1:]:
        candidates = events[events["stage"] == step].merge(reached, on="customer_id")
        candidates = candidates.merge(entry, on="customer_id")
        ok = (candidates["occurred_at"] >= candidates["t"]) & (
            candidates["occurred_at"] <= candidates["t1"] + pd.Timedelta(days=window_days)
        )
        reached = candidates[ok].groupby("customer_id")["occurred_at"].min().rename("t")
        reached = reached.reset_index()
        counts.append(len(reached))
    return counts


def heatmap(engine: sa.Engine, f: Filters, by: str = "region") -> pd.DataFrame:
    feedback = _feedback(engine, f)
    feedback[by] = feedback[by].fillna("(unknown)")
    return feedback.groupby(["touchpoint", by]).apply(_nps, include_groups=False)


def nps_trend(engine: sa.Engine, f: Filters) -> pd.Series:
    feedback = _feedback(engine, f)
    week = feedback["responded_at"].dt.to_period("W-SUN").dt.start_time
    return feedback.groupby(week).apply(_nps, include_groups=False)


def segments(engine: sa.Engine, f: Filters, by: str = "region") -> pd.DataFrame:
    events, customers = _events(engine, f)
    events = _scoped(_period(events, "occurred_at", f), customers, f)
    revenue = events.groupby(events[by].fillna("(unknown)"))["amount"].sum()
    feedback = _feedback(engine, f)
    nps = feedback.groupby(feedback[by].fillna("(unknown)")).apply(_nps, include_groups=False)
    return pd.concat([revenue, nps], axis=1)
