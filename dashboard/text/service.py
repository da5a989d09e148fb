"""What customers say, against the store: analyse comments, label, train, activate.

Plain functions (no streamlit) that the pages, the CLI and the import call. Every
write runs in one transaction through ``dashboard.db`` (``db.begin`` + the frame
helpers), so a failure leaves the store as it was.

Where a comment's sentiment comes from (``comment_facts.sentiment_source``):

- ``label``    a person labelled it (``set_label``, ``import_label_rows``): always wins;
- ``model``    the active model trained from this store's labels scored it;
- ``baseline`` no model is active: the bilingual lexicon (``dashboard.text.lexicon``).

Its themes are the keyword matches of the taxonomy in force, except where a person
labelled its themes. The taxonomy in force is the latest one saved in the store
(``save_taxonomy``), else the default file shipped with cxdash.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import polars as pl
import sqlalchemy as sa

from dashboard import db
from dashboard.config import get_settings
from dashboard.metrics.sentiment import sentiment_heatmap_cells, with_net_sentiment
from dashboard.text import lexicon, themes
from dashboard.text.model import TrainedModel, train
from dashboard.text.normalize import (
    detect_normalised,
    fold,
    language_code,
    normalise,
    strip_diacritics,
)
from queries import text as q
from queries.filters import Filters
from queries.schema import (
    SENTIMENTS,
    comment_facts,
    comment_labels,
    comment_themes,
    sentiment_models,
    theme_taxonomies,
)

CHUNK = 5_000  # ids per IN (...) list: SQLite allows 32,766 bound values per statement
MAX_REPORTED_ERRORS = 20
NO_THEMES = "none"  # in a labels file: "this comment has none of the themes"


class LabelImportRejected(ValueError):
    """A labels file with bad rows; nothing was written. ``errors``: (line, message)."""

    def __init__(self, source: str, errors: list[tuple[int, str]]):
        self.errors = errors
        shown = "\n".join(f"  line {line}: {message}" for line, message in errors[:20])
        more = f"\n  ... and {len(errors) - 20} more" if len(errors) > 20 else ""
        super().__init__(
            f"{source}: {len(errors)} bad row(s); nothing was imported. Fix these and "
            f"import the file again:\n{shown}{more}"
        )


class LabelRejected(ValueError):
    """A label that cannot be stored (unknown response, sentiment or theme)."""


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


def _chunks(values: Sequence[str]) -> Iterator[list[str]]:
    values = list(values)
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


# -- the taxonomy in force --------------------------------------------------------------------


def current_taxonomy(engine: sa.Engine) -> themes.Taxonomy:
    """The latest taxonomy saved in the store, else the default file."""
    with db.begin(engine) as conn:
        return _taxonomy_in(conn)


def _taxonomy_in(conn: sa.Connection) -> themes.Taxonomy:
    saved = db.fetch_in(conn, q.latest_taxonomy())
    if saved.height == 0:
        return themes.default()
    row = saved.row(0, named=True)
    return themes.parse(row["source"], f"the store's taxonomy (version {row['version']})")


def taxonomy_saved(engine: sa.Engine) -> dict | None:
    """The taxonomy in force as saved in the store (version, source, saved_at, saved_by),
    or None: the default file applies."""
    saved = db.fetch(q.latest_taxonomy(), engine)
    return saved.row(0, named=True) if saved.height else None


def save_taxonomy(engine: sa.Engine, source: str, by: str) -> int:
    """Check a taxonomy (TOML text), store it as the one in force, and re-theme every
    analysed comment with it. Returns its version.

    Raises
    ------
    themes.TaxonomyError
        The text is not a valid taxonomy (line and fault in the message); nothing stored.
    """
    taxonomy = themes.parse(source, "the taxonomy")
    with db.begin(engine) as conn:
        version = int(db.fetch_in(conn, q.next_version(theme_taxonomies)).item())
        row = {"version": version, "source": source, "saved_at": _now(), "saved_by": by}
        db.append_frame(conn, theme_taxonomies, pl.DataFrame([row]))
        _retheme(conn, taxonomy)
    return version


def _all_facts(conn: sa.Connection) -> pl.DataFrame:
    return db.fetch_in(conn, q.all_facts()).select(FACT_COLUMNS)


def _rewrite_facts(conn: sa.Connection, frame: pl.DataFrame) -> None:
    """Replace every comment_facts row by ``frame`` (all columns). A bulk rewrite, not
    a partial upsert: SQLite checks NOT NULL columns before ON CONFLICT, and the bulk
    paths (Arrow on DuckDB, COPY on PostgreSQL) beat per-row UPDATEs."""
    db.empty_tables(conn, [comment_facts])
    db.append_frame(conn, comment_facts, frame.select(FACT_COLUMNS))


def _retheme(conn: sa.Connection, taxonomy: themes.Taxonomy) -> None:
    """Themes of every analysed comment again, from its stored words (no re-reading)."""
    facts = _all_facts(conn)
    if facts.height == 0:
        return
    labelled = db.fetch_in(conn, q.labels())
    if labelled.height == 0:
        labelled = pl.DataFrame(schema=_LABEL_SCHEMA)
    matched = themes.theme_matches(facts.select("response_id", "words", "words_folded"), taxonomy)
    long, joined = _effective_themes(facts.select("response_id"), matched, labelled)
    db.empty_tables(conn, [comment_themes])
    db.append_frame(conn, comment_themes, long)
    _rewrite_facts(conn, facts.drop("themes").join(joined, on="response_id", how="left"))


# -- the active model -------------------------------------------------------------------------

_loaded: dict[str, TrainedModel] = {}  # digest of the stored bytes -> unpickled model


def _active_model(conn: sa.Connection) -> tuple[int, TrainedModel] | None:
    stored = db.fetch_in(conn, q.model_bytes())
    if stored.height == 0:
        return None
    row = stored.row(0, named=True)
    blob = bytes(row["model"])
    digest = hashlib.sha256(blob).hexdigest()
    if digest not in _loaded:
        _loaded.clear()  # one active model at a time is all a process needs
        _loaded[digest] = TrainedModel.from_bytes(blob, json.loads(row["metrics"]))
    return int(row["version"]), _loaded[digest]


# -- analysis ---------------------------------------------------------------------------------

FACT_COLUMNS = [c.name for c in comment_facts.c]
_EMPTY_THEMES = {"response_id": pl.String, "theme": pl.String}


def _text_features(comments: list[str]) -> pl.DataFrame:
    """Per distinct comment: its normal forms, words and detected language."""
    norm = [normalise(c) for c in comments]
    words = [themes.words_of(n, normalised=True) for n in norm]
    return pl.DataFrame(
        {
            "comment": comments,
            "text_norm": norm,
            "text_folded": [strip_diacritics(n) for n in norm],
            "words": words,
            "words_folded": [strip_diacritics(w) for w in words],
            "detected": [detect_normalised(n) for n in norm],
        },
        schema={
            "comment": pl.String,
            "text_norm": pl.String,
            "text_folded": pl.String,
            "words": pl.String,
            "words_folded": pl.String,
            "detected": pl.String,
        },
    )


def _scored(
    texts: list[str], model: tuple[int, TrainedModel] | None
) -> tuple[list[str], list[float], str, int | None]:
    """(sentiments, margins, source, model version) of distinct normalised texts."""
    if model is None:
        labels, scores = lexicon.classify(texts, normalised=True)
        return labels, [abs(s) for s in scores], "baseline", None
    version, trained = model
    labels, margins = trained.score_with_margin(texts, normalised=True)
    return labels, [float(m) for m in margins], "model", version


def _effective_themes(
    ids: pl.DataFrame, matched: pl.DataFrame, labelled: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(long response_id/theme rows, response_id + ';'-joined themes): keyword matches,
    replaced by a person's themes wherever their label has themes."""
    own = labelled.filter(pl.col("themes").is_not_null()).select(
        pl.col("response_id").cast(pl.String), pl.col("themes").cast(pl.String)
    )
    from_labels = (
        own.with_columns(pl.col("themes").str.split(";").alias("theme"))
        .explode("theme")
        .filter(pl.col("theme").is_not_null() & (pl.col("theme") != ""))
        .select("response_id", "theme")
    )
    kept = matched.join(own.select("response_id"), on="response_id", how="anti")
    long = (
        pl.concat([kept.cast(_EMPTY_THEMES), from_labels.cast(_EMPTY_THEMES)])
        .join(ids.select(pl.col("response_id").cast(pl.String)), on="response_id", how="semi")
        .unique()
        .sort("response_id", "theme")
    )
    joined = ids.select(pl.col("response_id").cast(pl.String)).join(
        long.group_by("response_id").agg(pl.col("theme").sort().str.join(";").alias("themes")),
        on="response_id",
        how="left",
    )
    return long, joined.with_columns(pl.col("themes").fill_null(""))


def analyse_frame(
    rows: pl.DataFrame,
    labelled: pl.DataFrame,
    taxonomy: themes.Taxonomy,
    model: tuple[int, TrainedModel] | None = None,
    now: dt.datetime | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The comment_facts and comment_themes rows of some comments, without the store.

    ``rows``: response_id, comment, language (as imported); ``labelled``: response_id,
    sentiment, themes (the labels; any superset of these responses). Each distinct
    comment text is normalised, scored and matched once.
    """
    now = now or _now()
    rows = rows.select(
        pl.col("response_id").cast(pl.String),
        pl.col("comment").cast(pl.String),
        pl.col("language").cast(pl.String),
    )
    distinct = rows["comment"].unique(maintain_order=True).to_list()
    features = _text_features(distinct)
    sentiments, margins, source, version = _scored(features["text_norm"].to_list(), model)
    features = features.with_columns(
        pl.Series("scored", sentiments, dtype=pl.String),
        pl.Series("margin", margins, dtype=pl.Float64),
    )
    text_themes = themes.theme_matches(
        features.select(pl.col("text_norm").alias("response_id"), "words", "words_folded").unique(
            "response_id"
        ),
        taxonomy,
    ).rename({"response_id": "text_norm"})
    labels = labelled.select(
        pl.col("response_id").cast(pl.String),
        pl.col("sentiment").cast(pl.String).alias("label"),
        pl.col("themes").cast(pl.String),
    )
    imported = [language_code(v) for v in rows["language"].to_list()]
    facts = (
        rows.with_columns(pl.Series("imported", imported, dtype=pl.String))
        .join(features, on="comment", how="left")
        .join(labels.select("response_id", "label"), on="response_id", how="left")
        .with_columns(
            pl.coalesce("imported", "detected").alias("language"),
            pl.when(pl.col("imported").is_not_null())
            .then(pl.lit("import"))
            .when(pl.col("detected").is_not_null())
            .then(pl.lit("detected"))
            .alias("language_source"),
            pl.coalesce("label", "scored").alias("sentiment"),
            pl.when(pl.col("label").is_not_null())
            .then(pl.lit("label"))
            .otherwise(pl.lit(source))
            .alias("sentiment_source"),
            pl.lit(version, dtype=pl.Int32).alias("model_version"),
            pl.lit(now, dtype=pl.Datetime("us")).alias("analysed_at"),
        )
        .with_columns(pl.when(pl.col("sentiment_source") == "model").then(pl.col("model_version")))
    )
    matched = (
        facts.select("response_id", "text_norm")
        .join(text_themes, on="text_norm", how="inner")
        .select("response_id", "theme")
    )
    long, joined = _effective_themes(facts.select("response_id"), matched, labels)
    facts = facts.join(joined, on="response_id", how="left")
    return facts.select(FACT_COLUMNS), long


@dataclass(frozen=True)
class AnalysisResult:
    analysed: int  # comments (re)written
    removed: int  # analysis rows dropped because their comment is gone
    seconds: float


def _analyse_in(
    conn: sa.Connection, response_ids: Sequence[str] | None, new_only: bool = False
) -> AnalysisResult:
    started = time.perf_counter()
    taxonomy = _taxonomy_in(conn)
    model = _active_model(conn)
    rebuild = response_ids is None and not new_only
    if response_ids is None:
        rows = db.fetch_in(conn, q.comments_to_analyse(new_only=new_only))
        removed = 0
    else:
        ids = sorted(set(response_ids))
        parts = [
            db.fetch_in(conn, q.comments_to_analyse(c, new_only=new_only)) for c in _chunks(ids)
        ]
        parts = [p for p in parts if p.height]
        rows = pl.concat(parts, how="vertical_relaxed") if parts else None
        removed = 0
        if not new_only:  # new comments have no old rows to replace
            for chunk in _chunks(ids):
                # The old rows of these ids go: rewritten below, or gone with their comment.
                removed += db.fetch_in(conn, q.stale_facts(chunk)).height
                db.execute(conn, q.delete_analysis(comment_themes, chunk))
                db.execute(conn, q.delete_analysis(comment_facts, chunk))
    if rows is None or rows.height == 0:
        if rebuild:
            db.empty_tables(conn, [comment_facts, comment_themes])
        return AnalysisResult(0, removed, time.perf_counter() - started)
    labelled = db.fetch_in(conn, q.labels())
    if labelled.height == 0:
        labelled = pl.DataFrame(
            schema={"response_id": pl.String, "sentiment": pl.String, "themes": pl.String}
        )
    facts, long = analyse_frame(rows, labelled, taxonomy, model)
    if rebuild:
        db.empty_tables(conn, [comment_facts, comment_themes])
    db.append_frame(conn, comment_facts, facts)
    db.append_frame(conn, comment_themes, long)
    return AnalysisResult(facts.height, removed, time.perf_counter() - started)


def analyse_in(
    conn: sa.Connection, response_ids: Sequence[str] | None = None, *, new_only: bool = False
) -> AnalysisResult:
    """:func:`analyse_comments` inside the caller's transaction (an import's load)."""
    return _analyse_in(conn, response_ids, new_only)


def analyse_comments(
    engine: sa.Engine, response_ids: Sequence[str] | None = None, *, new_only: bool = False
) -> AnalysisResult:
    """Fill or refresh ``comment_facts`` and ``comment_themes``, in one transaction.

    - ``response_ids=None``: every comment, from scratch (after a model or taxonomy
      change, or to repair);
    - ``response_ids=[...]``: those responses (an import passes the ids it wrote:
      changed comments are re-analysed, emptied ones lose their analysis);
    - ``new_only=True``: only comments that have no analysis yet (with or without ids).

    Sentiment: a person's label, else the active model, else the lexicon baseline.
    """
    with db.begin(engine) as conn:
        return _analyse_in(conn, response_ids, new_only)


# -- labels -----------------------------------------------------------------------------------


def _check_themes(values: Sequence[str], taxonomy: themes.Taxonomy) -> list[str]:
    unknown = [v for v in values if v not in taxonomy.ids]
    if unknown:
        raise LabelRejected(f"unknown theme {unknown[0]!r}; themes are: {', '.join(taxonomy.ids)}")
    return list(values)


def set_label(
    engine: sa.Engine,
    response_id: str,
    sentiment: str,
    theme_ids: Sequence[str] | None = None,
    by: str = "",
) -> None:
    """Store what a person says one comment is, and apply it to the comment at once.

    ``theme_ids``: None leaves the comment's themes to the keywords; a list (possibly
    empty) is the person's answer and replaces them.

    Raises
    ------
    LabelRejected
        Unknown response, a response without a comment, an unknown sentiment or theme.
    """
    if sentiment not in SENTIMENTS:
        raise LabelRejected(f"sentiment must be one of {', '.join(SENTIMENTS)}, not {sentiment!r}")
    if not by:
        raise LabelRejected("say who labels (by=...)")
    with db.begin(engine) as conn:
        taxonomy = _taxonomy_in(conn)
        chosen = None if theme_ids is None else _check_themes(theme_ids, taxonomy)
        found = db.fetch_in(conn, q.responses_with_comments([response_id]))
        if found.height == 0:
            raise LabelRejected(f"no response {response_id!r}")
        if not bool(found["has_comment"][0]):
            raise LabelRejected(f"response {response_id!r} has no comment to label")
        row = {
            "response_id": response_id,
            "sentiment": sentiment,
            "themes": None if chosen is None else themes.join_themes(chosen),
            "labelled_by": by,
            "labelled_at": _now(),
        }
        db.upsert_frame(conn, comment_labels, pl.DataFrame([row], schema=_LABEL_SCHEMA))
        _analyse_in(conn, [response_id])


_LABEL_SCHEMA = {
    "response_id": pl.String,
    "sentiment": pl.String,
    "themes": pl.String,
    "labelled_by": pl.String,
    "labelled_at": pl.Datetime("us"),
}


def _label_errors(
    conn: sa.Connection, rows: pl.DataFrame, taxonomy: themes.Taxonomy
) -> list[tuple[int, str]]:
    errors: list[tuple[int, str]] = []
    first_line: dict[str, int] = {}
    ids = [r for r in rows["response_id"].to_list() if r]
    known: dict[str, bool] = {}
    for chunk in _chunks(sorted(set(ids))):
        found = db.fetch_in(conn, q.responses_with_comments(chunk))
        for rid, has in found.select("response_id", "has_comment").iter_rows():
            known[str(rid)] = bool(has)
    for line, rid, sentiment, theme_text in rows.select(
        "line", "response_id", "sentiment", "themes"
    ).iter_rows():
        if not rid:
            errors.append((line, "response_id is empty"))
        elif rid in first_line:
            errors.append(
                (line, f"response_id {rid!r} is already labelled on line {first_line[rid]}")
            )
        elif rid not in known:
            errors.append((line, f"unknown response_id {rid!r} (no such response in the store)"))
        elif not known[rid]:
            errors.append((line, f"response {rid!r} has no comment to label"))
        if rid and rid not in first_line:
            first_line[rid] = line
        value = (sentiment or "").lower()
        if value not in SENTIMENTS:
            errors.append((line, f"sentiment {sentiment!r} is not one of {', '.join(SENTIMENTS)}"))
        for theme in themes.split_themes((theme_text or "").lower()):
            if theme != NO_THEMES and theme not in taxonomy.ids:
                errors.append(
                    (line, f"unknown theme {theme!r}; themes are: {', '.join(taxonomy.ids)}")
                )
    return sorted(errors, key=lambda e: e[0])


def _label_themes(value: str | None) -> str | None:
    """A file's themes cell as stored: empty -> None (not labelled), 'none' -> ''."""
    parts = themes.split_themes((value or "").lower())
    if not parts:
        return None
    return themes.join_themes(p for p in parts if p != NO_THEMES)


def import_label_rows(engine: sa.Engine, rows: pl.DataFrame, name: str, labelled_by: str) -> int:
    """Labels of rows already read (from a file: ``dashboard.ingest.labels``): columns
    response_id, sentiment, optionally themes and line (the row's line for error
    messages; default: the line it would have in a file with a header). All checked
    first; nothing written if any is bad (:class:`LabelImportRejected`). Returns the
    number of labels stored."""
    if not labelled_by:
        raise LabelRejected("say who labelled (labelled_by=...)")
    rows = rows.select(
        (pl.col("line") if "line" in rows.columns else pl.int_range(2, rows.height + 2))
        .cast(pl.Int64)
        .alias("line"),
        *(
            pl.col(c).cast(pl.String) if c in rows.columns else pl.lit(None, pl.String).alias(c)
            for c in ("response_id", "sentiment", "themes")
        ),
    )
    with db.begin(engine) as conn:
        taxonomy = _taxonomy_in(conn)
        errors = _label_errors(conn, rows, taxonomy)
        if errors:
            raise LabelImportRejected(name, errors)
        now = _now()
        frame = pl.DataFrame(
            {
                "response_id": rows["response_id"].to_list(),
                "sentiment": [s.lower() for s in rows["sentiment"].to_list()],
                "themes": [_label_themes(t) for t in rows["themes"].to_list()],
                "labelled_by": [labelled_by] * rows.height,
                "labelled_at": [now] * rows.height,
            },
            schema=_LABEL_SCHEMA,
        )
        db.upsert_frame(conn, comment_labels, frame)
        _analyse_in(conn, frame["response_id"].to_list())
    return frame.height


def labels_of(engine: sa.Engine, response_ids: Sequence[str]) -> pl.DataFrame:
    """The labels of these responses: response_id, sentiment, themes, labelled_by,
    labelled_at (responses without a label are absent)."""
    parts = [db.fetch(q.labels(chunk), engine) for chunk in _chunks(sorted(set(response_ids)))]
    parts = [p for p in parts if p.height]
    if not parts:
        return pl.DataFrame(schema=_LABEL_SCHEMA)
    return pl.concat(parts, how="vertical_relaxed")


def label_counts(engine: sa.Engine) -> pl.DataFrame:
    """Labels per sentiment and language (what training would read): sentiment,
    language, n."""
    return db.fetch(q.label_counts(), engine)


def label_queue(engine: sa.Engine, f: Filters, n: int = 20) -> pl.DataFrame:
    """The comments to label next: unlabelled, least sure first (smallest margin of the
    active model, or of the lexicon before there is one). Columns: see
    ``queries.text.label_queue``."""
    return db.fetch(q.label_queue(f, n), engine)


# -- training and activation ------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """A trained model stored inactive, with the quality to judge it by."""

    version: int
    metrics: dict


def _baseline_quality(frame: pl.DataFrame) -> dict:
    """The lexicon's macro-F1 on the same labels (it learns nothing from them)."""
    from dashboard.text.model import LABELS, _macro_f1

    truth = frame["sentiment"].to_list()
    predicted, _ = lexicon.classify(frame["text_norm"].to_list())
    classes = [label for label in LABELS if label in set(truth)]
    per_language = {}
    languages = [lang or "unknown" for lang in frame["language"].to_list()]
    for language in sorted(set(languages)):
        idx = [i for i, lang in enumerate(languages) if lang == language]
        per_language[language] = {
            "n": len(idx),
            "macro_f1": _macro_f1([truth[i] for i in idx], [predicted[i] for i in idx], classes),
        }
    return {"macro_f1": _macro_f1(truth, predicted, classes), "per_language": per_language}


def train_model(engine: sa.Engine, by: str, folds: int = 5) -> Candidate:
    """Train a model from every label of the store and store it **inactive**.

    Its cross-validated quality (``metrics``: see ``dashboard.text.model.TrainedModel``,
    plus ``baseline``: the lexicon's macro-F1 on the same labels) is what a person
    looks at before :func:`activate_model`.

    Raises
    ------
    dashboard.text.model.NotEnoughLabels
        Too few labels, or too few of a sentiment.
    """
    frame = db.fetch(q.labelled_comments(), engine)
    if frame.height == 0:
        frame = pl.DataFrame(
            schema={"text_norm": pl.String, "sentiment": pl.String, "language": pl.String}
        )
    trained = train(
        frame["text_norm"].to_list(),
        frame["sentiment"].to_list(),
        frame["language"].to_list(),
        folds=folds,
    )
    metrics = dict(trained.metrics)
    metrics["baseline"] = _baseline_quality(frame)
    with db.begin(engine) as conn:
        version = int(db.fetch_in(conn, q.next_version(sentiment_models)).item())
        row = {
            "version": version,
            "created_at": _now(),
            "created_by": by,
            "languages": ";".join(metrics.get("languages", [])),
            "n_labels": metrics["n_labels"],
            "metrics": json.dumps(metrics, ensure_ascii=False),
            "model": trained.to_bytes(),
            "active": False,
        }
        db.append_frame(conn, sentiment_models, pl.DataFrame([row]))
    return Candidate(version, metrics)


def models(engine: sa.Engine) -> pl.DataFrame:
    """Every stored model, newest first (no bytes); metrics is JSON text."""
    return db.fetch(q.models(), engine)


def _rescore(conn: sa.Connection, model: tuple[int, TrainedModel] | None) -> int:
    """Sentiment of every analysed, unlabelled comment from ``model`` (None: baseline).
    Returns how many comments were re-scored."""
    facts = _all_facts(conn)
    todo = facts.filter(pl.col("sentiment_source") != "label")
    if todo.height == 0:
        return 0
    distinct = todo["text_norm"].unique(maintain_order=True).to_list()
    sentiments, margins, source, version = _scored(distinct, model)
    scored = pl.DataFrame(
        {"text_norm": distinct, "_sentiment": sentiments, "_margin": margins},
        schema={"text_norm": pl.String, "_sentiment": pl.String, "_margin": pl.Float64},
    )
    unlabelled = pl.col("sentiment_source") != "label"
    rescored = facts.join(scored, on="text_norm", how="left").with_columns(
        pl.when(unlabelled).then(pl.col("_sentiment")).otherwise("sentiment").alias("sentiment"),
        pl.when(unlabelled)
        .then(pl.lit(source))
        .otherwise("sentiment_source")
        .alias("sentiment_source"),
        pl.when(unlabelled).then(pl.col("_margin")).otherwise("margin").alias("margin"),
        pl.when(unlabelled)
        .then(pl.lit(version, dtype=pl.Int32))
        .otherwise(pl.col("model_version").cast(pl.Int32))
        .alias("model_version"),
    )
    _rewrite_facts(conn, rescored)
    return todo.height


def activate_model(engine: sa.Engine, version: int, by: str = "") -> int:
    """Make ``version`` the active model and re-score every comment no person labelled
    with it (source 'model'), in one transaction. Returns the comments re-scored.

    Raises
    ------
    LookupError
        No stored model has this version.
    """
    with db.begin(engine) as conn:
        if db.fetch_in(conn, q.model_bytes(version)).height == 0:
            raise LookupError(f"no model version {version}")
        for statement in q.activate(version, by, _now()):
            db.execute(conn, statement)
        return _rescore(conn, _active_model(conn))


def deactivate_models(engine: sa.Engine) -> int:
    """Switch the model off: comments go back to the lexicon baseline. Returns the
    comments re-scored."""
    with db.begin(engine) as conn:
        db.execute(conn, q.deactivate())
        return _rescore(conn, None)


# -- what people see ---------------------------------------------------------------------------


def comment_page(
    engine: sa.Engine,
    f: Filters,
    *,
    band: str | None = None,
    search: str | None = None,
    sentiment: str | tuple[str, ...] | None = None,
    theme: str | tuple[str, ...] | None = None,
    limit: int = 50,
    offset: int = 0,
) -> pl.DataFrame:
    """Comments with sentiment and themes; ``search`` as a person typed it (matched
    with or without diacritics, any case). Columns: see ``queries.text.comments``."""
    folded = fold(search) if search else None
    return db.fetch(q.comments(f, band, folded, sentiment, theme, limit, offset), engine)


def comment_total(
    engine: sa.Engine,
    f: Filters,
    *,
    band: str | None = None,
    search: str | None = None,
    sentiment: str | tuple[str, ...] | None = None,
    theme: str | tuple[str, ...] | None = None,
) -> int:
    """How many comments :func:`comment_page` pages through."""
    folded = fold(search) if search else None
    return int(db.fetch(q.comment_count(f, band, folded, sentiment, theme), engine).item())


def _specs(theme: themes.Theme) -> tuple[q.KeywordSpec, list[q.KeywordSpec]]:
    excludes = tuple(p for kw in theme.excludes for p in kw.patterns)
    folded_excludes = tuple(p for kw in theme.excludes for p in kw.folded_patterns)

    def spec(name: str, keywords: Sequence[themes.Keyword]) -> q.KeywordSpec:
        return q.KeywordSpec(
            name,
            tuple(p for kw in keywords for p in kw.patterns),
            tuple(p for kw in keywords for p in kw.folded_patterns),
            excludes,
            folded_excludes,
        )

    return spec(theme.id, theme.keywords), [spec(kw.text, [kw]) for kw in theme.keywords]


def keyword_report(
    engine: sa.Engine, taxonomy: themes.Taxonomy | None = None, f: Filters | None = None
) -> pl.DataFrame:
    """How many analysed comments each theme and each keyword of ``taxonomy`` (default:
    the one in force; pass an edited one to preview it) matches, in one scan.

    Returns columns theme, label, keyword (null on the theme's own row: any of its
    keywords), language, comments, share (of all analysed comments in the filter, 0-100).
    """
    taxonomy = taxonomy or current_taxonomy(engine)
    f = f or Filters()
    specs: list[q.KeywordSpec] = []
    rows: list[dict] = []
    for theme in taxonomy.themes:
        whole, per_keyword = _specs(theme)
        specs.append(whole)
        rows.append({"theme": theme.id, "label": theme.label, "keyword": None, "language": None})
        for kw, spec in zip(theme.keywords, per_keyword, strict=True):
            specs.append(spec)
            rows.append(
                {
                    "theme": theme.id,
                    "label": theme.label,
                    "keyword": kw.text,
                    "language": kw.language,
                }
            )
    counts = db.fetch(q.keyword_counts(f, tuple(specs)), engine).row(0, named=True)
    total = int(counts["comments"] or 0)
    out = pl.DataFrame(
        rows,
        schema={
            "theme": pl.String,
            "label": pl.String,
            "keyword": pl.String,
            "language": pl.String,
        },
    ).with_columns(pl.Series("comments", [int(counts[f"k{i}"] or 0) for i in range(len(specs))]))
    return out.with_columns(
        (pl.col("comments") * 100 / total if total else pl.lit(None, pl.Float64)).alias("share")
    )


def keyword_examples(
    engine: sa.Engine,
    theme_id: str,
    taxonomy: themes.Taxonomy | None = None,
    f: Filters | None = None,
    n: int = 3,
) -> pl.DataFrame:
    """The ``n`` newest comments matching each keyword of one theme.

    Returns columns keyword, response_id, responded_at, touchpoint, comment.
    """
    taxonomy = taxonomy or current_taxonomy(engine)
    _, specs = _specs(taxonomy.get(theme_id))
    found = db.fetch(q.keyword_examples(f or Filters(), tuple(specs), n), engine)
    if found.height == 0:
        return pl.DataFrame(
            schema={"keyword": pl.String, "response_id": pl.String, "responded_at": pl.Datetime,
                    "touchpoint": pl.String, "comment": pl.String}
        )  # fmt: skip
    names = pl.DataFrame({"k": list(range(len(specs))), "keyword": [s.name for s in specs]})
    return (
        found.with_columns(pl.col("k").cast(pl.Int64))
        .join(names, on="k")
        .select("keyword", "response_id", "responded_at", "touchpoint", "comment")
    )


def theme_quality(engine: sa.Engine, taxonomy: themes.Taxonomy | None = None) -> pl.DataFrame:
    """Per theme, keyword matching against the themes people labelled (labels with
    themes only). Columns: see ``dashboard.text.themes.theme_quality``."""
    taxonomy = taxonomy or current_taxonomy(engine)
    labelled = db.fetch(q.label_facts(), engine)
    if labelled.height:
        labelled = labelled.filter(pl.col("themes").is_not_null())
    if labelled.height == 0:
        labelled = pl.DataFrame(
            schema={"response_id": pl.String, "themes": pl.String, "words": pl.String,
                    "words_folded": pl.String}
        )  # fmt: skip
    matched = themes.theme_matches(
        labelled.select("response_id", "words", "words_folded"), taxonomy
    )
    return themes.theme_quality(matched, labelled.select("response_id", "themes"), taxonomy.ids)


# -- the views: sentiment and themes per touchpoint, group and period --------------------------

BASES = ("baseline", "model", "label")  # what produced the sentiment a view shows


def sentiment_basis(engine: sa.Engine, f: Filters) -> str | None:
    """What produced the sentiment of the analysed comments inside ``f``: 'baseline'
    when the lexicon produced any of it (then every renderer says "baseline"), else
    'model' when the model scored any, else 'label'; None when nothing is analysed."""
    sources = set(db.fetch(q.sentiment_sources(f), engine)["sentiment_source"].to_list())
    return next((basis for basis in BASES if basis in sources), None)


def _privacy_n() -> int:
    return get_settings().privacy_n


def sentiment_cells(engine: sa.Engine, f: Filters, by: str, score: str = "net") -> pl.DataFrame:
    """Sentiment per touchpoint x ``by`` cell: net sentiment (``score='net'``) or the
    share of negative comments (``'negative'``), with the heatmap's n, privacy and
    significance rules (``dashboard.metrics.sentiment.sentiment_heatmap_cells``).

    Returns columns touchpoint, <by>, value, n, low_n, hidden, p, q, significant, moe,
    positive, neutral, negative, target (always null: no targets for sentiment),
    source (:func:`sentiment_basis`, the same on every row).
    """
    summary = db.fetch(q.sentiment_summary(f, ("touchpoint", by)), engine)
    if summary.height == 0:
        summary = pl.DataFrame(
            schema={"touchpoint": pl.String, by: pl.String, "n": pl.Int64, "positive": pl.Int64,
                    "neutral": pl.Int64, "negative": pl.Int64}
        )  # fmt: skip
    cells = sentiment_heatmap_cells(summary, by, score=score, min_n=f.min_n, privacy_n=_privacy_n())
    basis = sentiment_basis(engine, f)
    return (
        cells.filter(pl.col("n") > 0)
        .with_columns(_hidden_counts())
        .with_columns(
            pl.lit(None, dtype=pl.Float64).alias("target"),
            pl.lit(basis, dtype=pl.String).alias("source"),
        )
        .sort(["touchpoint", by])
    )


def _hidden_counts() -> list[pl.Expr]:
    """Sentiment counts of a hidden cell (under privacy_n comments) hidden too: two
    negative comments out of two would tell what the hidden value hides."""
    return [pl.when(~pl.col("hidden")).then(pl.col(c)).alias(c) for c in SENTIMENTS]


def _with_theme_statistics(frame: pl.DataFrame, f: Filters, taxonomy: themes.Taxonomy):
    """Theme rows with their label, net sentiment, share negative and privacy flags."""
    privacy_n = _privacy_n()
    labels = pl.DataFrame(
        {"theme": list(taxonomy.ids), "label": [t.label for t in taxonomy.themes]},
        schema={"theme": pl.String, "label": pl.String},
    )
    stats = with_net_sentiment(frame.rename({"comments": "n"}), min_n=f.min_n, privacy_n=privacy_n)
    return (
        stats.rename({"n": "comments"})
        .with_columns(_hidden_counts())
        .join(labels, on="theme", how="left")
        .with_columns(
            pl.coalesce("label", "theme").alias("label"),
            # The share's base is the touchpoint's (period's) comments: hidden below privacy_n.
            pl.when(pl.col("total") >= privacy_n).then(pl.col("share")).alias("share"),
        )
    )


THEME_COLUMNS = ("theme", "label", "touchpoint", "comments", "total", "share", "negative",
                 "neutral", "positive", "net_sentiment", "moe", "share_negative", "low_n",
                 "hidden", "source")  # fmt: skip


def theme_touchpoint_table(
    engine: sa.Engine, f: Filters, by_touchpoint: bool = True
) -> pl.DataFrame:
    """Per theme and touchpoint (or overall): the comments carrying the theme, their
    share of the touchpoint's analysed comments (0-100) and their sentiment.

    Returns columns theme, label (the taxonomy's), [touchpoint], comments, total, share,
    negative, neutral, positive, net_sentiment, moe, share_negative, low_n (comments <
    min_n), hidden (comments < privacy_n: sentiment hidden), source (see
    :func:`sentiment_basis`). Themes no comment carries are absent.
    """
    raw = db.fetch(q.theme_touchpoints(f, by_touchpoint), engine)
    if raw.height == 0:
        raw = pl.DataFrame(
            schema={"theme": pl.String, **({"touchpoint": pl.String} if by_touchpoint else {}),
                    "comments": pl.Int64, "total": pl.Int64, "share": pl.Float64,
                    "negative": pl.Int64, "neutral": pl.Int64, "positive": pl.Int64}
        )  # fmt: skip
    frame = _with_theme_statistics(raw, f, current_taxonomy(engine)).with_columns(
        pl.lit(sentiment_basis(engine, f), dtype=pl.String).alias("source")
    )
    columns = [c for c in THEME_COLUMNS if by_touchpoint or c != "touchpoint"]
    return frame.select(columns).sort(["theme", *(["touchpoint"] if by_touchpoint else [])])


THEME_TREND_COLUMNS = ("period", "theme", "label", "comments", "total", "share", "negative",
                       "neutral", "positive", "net_sentiment", "moe", "share_negative", "low_n",
                       "hidden", "source")  # fmt: skip


def theme_trend_table(
    engine: sa.Engine, f: Filters, grain: str, theme: str | tuple[str, ...] | None = None
) -> pl.DataFrame:
    """Per period and theme: comments carrying the theme, the period's analysed
    comments, the share (0-100) and their sentiment; ``theme`` limits the themes.

    Returns columns period ('YYYY-MM-DD', the period's first day), theme, label,
    comments, total, share, negative, neutral, positive, net_sentiment, moe,
    share_negative, low_n, hidden, source.
    """
    taxonomy = current_taxonomy(engine)
    wanted = (theme,) if isinstance(theme, str) else tuple(theme or ())
    unknown = [t for t in wanted if t not in taxonomy.ids]
    if unknown:
        raise ValueError(f"unknown theme {unknown[0]!r}; themes are: {', '.join(taxonomy.ids)}")
    raw = db.fetch(q.theme_trend(f, grain, wanted or None), engine)
    if raw.height == 0:
        raw = pl.DataFrame(
            schema={"period": pl.String, "theme": pl.String, "comments": pl.Int64,
                    "total": pl.Int64, "share": pl.Float64, "negative": pl.Int64,
                    "neutral": pl.Int64, "positive": pl.Int64}
        )  # fmt: skip
    frame = raw.with_columns(pl.col("period").cast(pl.String).str.slice(0, 10))
    frame = _with_theme_statistics(frame, f, taxonomy).with_columns(
        pl.lit(sentiment_basis(engine, f), dtype=pl.String).alias("source")
    )
    return frame.select(THEME_TREND_COLUMNS).sort(["period", "theme"])


COMMENT_COLUMNS = ("response_id", "responded_at", "touchpoint", "nps", "csat", "ces", "comment",
                   "language", "segment", "sentiment", "sentiment_source", "themes")  # fmt: skip


def comment_list(
    engine: sa.Engine,
    f: Filters,
    *,
    band: str | None = None,
    search: str | None = None,
    sentiment: str | tuple[str, ...] | None = None,
    theme: str | tuple[str, ...] | None = None,
    limit: int | None = 50,
    offset: int = 0,
) -> pl.DataFrame:
    """:func:`comment_page` with ``themes`` as a list of theme ids; ``limit=None``: every
    matching comment. An unknown theme is an error naming the known ones.

    Returns columns response_id, responded_at, touchpoint, nps, csat, ces, comment,
    language, segment, sentiment, sentiment_source (label | model | baseline; null while
    a comment is not analysed), themes (list of theme ids).
    """
    if theme:
        ids = current_taxonomy(engine).ids
        wanted = (theme,) if isinstance(theme, str) else tuple(theme)
        unknown = [t for t in wanted if t not in ids]
        if unknown:
            raise ValueError(f"unknown theme {unknown[0]!r}; themes are: {', '.join(ids)}")
    kwargs = {"band": band, "search": search, "sentiment": sentiment, "theme": theme}
    if limit is None:
        limit = max(comment_total(engine, f, **kwargs), 1)
    page = comment_page(engine, f, limit=limit, offset=offset, **kwargs)
    themes_list = (
        pl.col("themes")
        .cast(pl.String)
        .fill_null("")
        .str.split(";")
        .list.eval(pl.element().filter(pl.element() != ""))
    )
    return page.with_columns(themes_list.alias("themes")).select(COMMENT_COLUMNS)
