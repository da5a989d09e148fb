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

from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import closing

import numpy as np
import polars as pl
import sqlalchemy as sa

from dashboard import db, followup
from dashboard.ingest.write import load
from data.events import draw_history, events_frame, stages_frame
from data.feedback import draw_responses, feedback_frame, touchpoints_frame
from data.people import draw_people
from data.story import SCALES, Calendar, Scale
from queries import schema

Progress = Callable[[str, float], None]


# The customers, events and feedback rows of one chunk of customers.
ChunkFrames = tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]


def _chunk(
    seed_seq: np.random.SeedSequence, cal: Calendar, spec: Scale, first: int, n: int
) -> ChunkFrames:
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

    Creates the schema if needed. All rows are written through the one write path of
    imports (:func:`dashboard.ingest.write.load`): one transaction, so a failure leaves
    the store as it was, with the summary tables rebuilt and one import-log row per
    table (origin ``"demo-data <scale> seed <seed>"``) before it commits. The follow-up
    queue is replaced by a simulated one in the same transaction
    (``dashboard.followup.seed_demo_queue_in``).

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
        db.create_schema(engine)
    existing = row_counts(engine)
    if any(existing.values()) and not replace:
        raise StoreNotEmpty(
            f"{db.describe_store(engine)} already holds data "
            f"({', '.join(f'{v:,} {k}' for k, v in existing.items() if v)}); "
            "pass replace=True (--replace) to overwrite it"
        )
    origin = f"{followup.DEMO_ORIGIN_PREFIX}{scale} seed {seed}"  # the queue clock reads it
    replacing = any(existing.values())
    with (
        # analysed after the load: once, by the model trained on the demo's labels
        load(
            engine, origin=origin, replace=replacing, progress=report, analyse_comments=False
        ) as loader,
        closing(_drawn_chunks(spec, seed)) as chunks,
    ):
        loader.append("stages", stages_frame())
        loader.append("touchpoints", touchpoints_frame())
        count = len(_chunk_starts(spec))
        for i, (first, n, frames) in enumerate(chunks):
            report(f"customers {first + 1:,}-{first + n:,} of {spec.customers:,}", i / count)
            for name, frame in zip(("customers", "events", "feedback"), frames, strict=True):
                loader.append(name, _numbered(name, frame, loader.rows.get(name, 0)))
        _seed_queue(loader.connection, seed, report)
        if replacing:  # the old demo's comment analysis, labels and models go with it
            db.empty_tables(loader.connection, COMMENT_TABLES)
    _comments_and_model(engine, seed, report)
    return {name: loader.rows.get(name, 0) for name in schema.TABLES}


# What the store knows about its comments (the taxonomy in force is the business's: kept).
COMMENT_TABLES = (schema.comment_facts, schema.comment_themes, schema.comment_labels,
                  schema.sentiment_models)  # fmt: skip


def _comments_and_model(engine: sa.Engine, seed: int, report: Progress) -> None:
    """The demo's comments analysed by a model trained on the demo's labels.

    The labels (``data.labels``) go through the one label-import path; the model is
    trained from them (its cross-validated quality stored with it) and put in use; then
    every other comment is analysed once, by that model. Each step is one transaction.
    """
    from dashboard.text import service as text
    from data.labels import LABELLED_BY, demo_labels
    from queries.text import comments_to_analyse

    report("comments: the demo team's labels", 1.0)
    labels = demo_labels(db.fetch(comments_to_analyse(), engine), seed)
    text.import_label_rows(engine, labels, "the demo's labels", LABELLED_BY)
    report(f"comments: training the sentiment model on {labels.height:,} labels", 1.0)
    candidate = text.train_model(engine, by=LABELLED_BY)
    text.activate_model(engine, candidate.version, by=LABELLED_BY)
    report("comments: sentiment and themes", 1.0)
    text.analyse_comments(engine, new_only=True)


def _seed_queue(conn: sa.Connection, seed: int, report: Progress) -> None:
    """A lived-in follow-up queue in the load's transaction (replacing any earlier one):
    its history is simulated up to the end of the demo's last day, where the store's
    queue clock starts (``dashboard.followup.clock``), so the queue page has items due
    soon, overdue, contacted and resolved on first start."""
    report("follow-up queue", 1.0)
    followup.seed_demo_queue_in(conn, seed, as_of=followup.demo_start_in(conn))


def _chunk_starts(spec: Scale) -> range:
    """The first customer (0-based) of each chunk."""
    return range(0, spec.customers, spec.chunk)


def _drawn_chunks(spec: Scale, seed: int) -> Iterator[tuple[int, int, ChunkFrames]]:
    """(first customer, customers, frames) of each chunk, in order.

    One thread draws the next chunk while the caller writes this one: numpy, polars and
    DuckDB release the GIL, so the two cores both work. At most one chunk waits, so
    memory stays bounded. Close the iterator (``contextlib.closing``) when stopping early.
    """
    cal = Calendar()
    chunks = [(first, min(spec.chunk, spec.customers - first)) for first in _chunk_starts(spec)]
    seeds = np.random.SeedSequence(seed).spawn(len(chunks))
    with ThreadPoolExecutor(max_workers=1) as pool:

        def submit(i: int) -> Future[ChunkFrames]:
            first, n = chunks[i]
            return pool.submit(_chunk, seeds[i], cal, spec, first, n)

        pending = submit(0) if chunks else None
        for i, (first, n) in enumerate(chunks):
            frames = pending.result()
            if i + 1 < len(chunks):
                pending = submit(i + 1)
            yield first, n, frames


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
