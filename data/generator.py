"""Deterministic demo data: a Vietnamese omnichannel retailer, two years of history.

``generate(engine, scale, seed)`` fills the five tables of the store; the same seed
always gives the same rows. The story (``data.story``) is told by who the customers
are (``data.people``), how they buy (``data.events``) and what they say
(``data.feedback``); this module draws them chunk by chunk and writes them.

Randomness comes from numpy's seeded ``Generator``, one stream per chunk of
customers (``SeedSequence(seed).spawn``), so memory stays bounded at any scale and
the same seed gives the same rows (numpy does not promise identical streams across
its own releases). Ids are stable strings:
customers ``C0000001``, events ``E0000000001``, responses ``R000000001``.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import polars as pl
import sqlalchemy as sa

from dashboard import db, rollup_store
from data.events import draw_history, events_frame, stages_frame
from data.feedback import draw_responses, feedback_frame, touchpoints_frame
from data.people import draw_people
from data.story import SCALES, Calendar, Scale
from queries import schema

Progress = Callable[[str, float], None]


def _chunk(
    seed_seq: np.random.SeedSequence, cal: Calendar, spec: Scale, first: int, n: int
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Customers, events and feedback of customers ``first`` .. ``first + n - 1``."""
    rng = np.random.default_rng(seed_seq)
    people = draw_people(rng, first, n)
    history = draw_history(rng, cal, people, spec)
    responses = draw_responses(rng, cal, people, history, spec)
    return (
        people.frame.with_columns(history.signed_up_at),
        events_frame(people, history.events),
        feedback_frame(rng, cal, people, responses),
    )


# -- writing -----------------------------------------------------------------------


_ID_COLUMNS = {"events": ("event_id", "E", 10), "feedback": ("response_id", "R", 9)}


def _numbered(name: str, frame: pl.DataFrame, before: int) -> pl.DataFrame:
    """Give events and responses ids that continue the previous chunks' numbering."""
    if name not in _ID_COLUMNS:
        return frame
    column, prefix, width = _ID_COLUMNS[name]
    numbers = pl.int_range(before + 1, before + frame.height + 1, dtype=pl.Int64)
    ident = pl.concat_str(pl.lit(prefix), numbers.cast(pl.String).str.zfill(width))
    return frame.select(ident.alias(column), pl.all())


class StoreNotEmpty(ValueError):
    """The store already holds data and replacing it was not asked for."""


def row_counts(engine: sa.Engine) -> dict[str, int]:
    """Rows per table of the store; empty dict when the schema is missing."""
    statement = sa.select(
        *(
            sa.select(sa.func.count()).select_from(t).scalar_subquery().label(name)
            for name, t in schema.TABLES.items()
        )
    )
    try:
        frame = db.fetch(statement, engine)
    except db.SchemaMissing:
        return {}
    return {name: int(frame[name][0]) for name in schema.TABLES}


def generate(
    engine: sa.Engine,
    scale: str = "medium",
    seed: int = 42,
    *,
    replace: bool = False,
    progress: Progress | None = None,
) -> dict[str, int]:
    """Fill the store with demo data; returns the rows written per table.

    Creates the schema if needed. All rows are written in one transaction, so a
    failure leaves the store as it was.

    Parameters
    ----------
    scale
        'small' (~2k customers), 'medium' (~20k customers, ~300k events, ~60k
        responses) or 'large' (~1M customers, ~10M events, ~2M responses).
    seed
        The same seed always gives the same rows.
    replace
        If the store already holds rows, ``replace=True`` deletes them (in the same
        transaction) and writes the demo data instead; otherwise
        :class:`StoreNotEmpty` is raised and nothing is written.
    progress
        Called as ``progress(message, fraction_done)`` while generating.
    """
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}; choose one of {', '.join(SCALES)}")
    spec = SCALES[scale]
    report = progress or (lambda message, fraction: None)
    with db.translate_errors(engine):
        schema.create_all(engine)
    existing = row_counts(engine)
    if any(existing.values()) and not replace:
        raise StoreNotEmpty(
            f"{db.describe_store(engine)} already holds data "
            f"({', '.join(f'{v:,} {k}' for k, v in existing.items() if v)}); "
            "pass replace=True (--replace) to overwrite it"
        )
    cal = Calendar()
    chunks = list(range(0, spec.customers, spec.chunk))
    seeds = np.random.SeedSequence(seed).spawn(len(chunks))
    counts = dict.fromkeys(schema.TABLES, 0)
    with db.begin(engine) as conn:
        if any(existing.values()):
            report("removing the existing data", 0.0)
            db.empty_tables(conn, schema.TABLES.values())
        for name, frame in (("stages", stages_frame()), ("touchpoints", touchpoints_frame())):
            db.append_frame(conn, schema.TABLES[name], frame)
            counts[name] = frame.height
        # One thread generates the next chunk while this one writes the last: numpy,
        # polars and DuckDB release the GIL, so the two cores both work.
        with ThreadPoolExecutor(max_workers=1) as pool:
            jobs = iter(zip(chunks, seeds, strict=True))
            pending = deque()

            def submit_next() -> None:
                for first, seed_seq in jobs:  # at most one: bounded memory
                    n = min(spec.chunk, spec.customers - first)
                    pending.append((first, n, pool.submit(_chunk, seed_seq, cal, spec, first, n)))
                    return

            submit_next()
            for i in range(len(chunks)):
                first, n, job = pending.popleft()
                frames = job.result()
                submit_next()
                report(
                    f"customers {first + 1:,}-{first + n:,} of {spec.customers:,}", i / len(chunks)
                )
                for name, frame in zip(("customers", "events", "feedback"), frames, strict=True):
                    frame = _numbered(name, frame, counts[name])
                    db.append_frame(conn, schema.TABLES[name], frame)
                    counts[name] += frame.height
        # Summaries are part of the same transaction: readers never see data without them.
        rollup_store.refresh(conn, lambda message, _: report(message, 1.0))
        report("committing", 1.0)
    return counts


def ensure_demo_data(
    engine: sa.Engine, scale: str = "medium", seed: int = 42, *, progress: Progress | None = None
) -> bool:
    """Generate demo data if the store holds no customers, events or feedback.

    Returns whether it generated. Used by ``cxdash demo``. Reference rows alone
    (stages, touchpoints) are replaced by the demo's; a store with any customers,
    events or feedback is left untouched.
    """
    counts = row_counts(engine)
    if any(counts.get(name) for name in ("customers", "events", "feedback")):
        return False
    generate(engine, scale=scale, seed=seed, replace=True, progress=progress)
    return True
