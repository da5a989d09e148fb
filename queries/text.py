"""Statements about what customers say: comments with sentiment and themes, theme and
sentiment aggregates, the labelling queue, and the reads and writes of the analysis.

Built, never executed (``dashboard.db`` runs them; ``dashboard.text.service`` drives
the analysis). The tables are ``queries.schema``'s comment tables:
``comment_facts`` (one row per analysed comment), ``comment_themes`` (its themes, long),
``comment_labels`` (what people said), ``sentiment_models`` and ``theme_taxonomies``.

Filters follow DESIGN.md like every other view: period, touchpoint and survey
channel on feedback; dimension filters select customers, and anonymous feedback
counts only when no dimension filter is set (``queries.common``).

Search compares the folded comment with a *folded* query: this layer does not import
``dashboard.text``, so callers pass ``folded_search`` = ``dashboard.text.normalize.fold``
of what a person typed (``dashboard.text.service.comment_page`` does).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa

from queries.aggregates import FEEDBACK_GROUPS
from queries.common import customer_conditions, feedback_conditions, group_value
from queries.definitions import NPS_BANDS
from queries.dialect import period_start
from queries.filters import Filters
from queries.schema import (
    DIMENSIONS,
    SENTIMENTS,
    comment_facts,
    comment_labels,
    comment_themes,
    customers,
    feedback,
    sentiment_models,
    theme_taxonomies,
)

_memoized = functools.lru_cache(maxsize=256)
cf, ct, lb, fb = comment_facts.c, comment_themes.c, comment_labels.c, feedback.c


def _count_if(condition: sa.ColumnElement[bool]) -> sa.ColumnElement[int]:
    return sa.func.count(sa.case((condition, 1)))


def _sentiment_counts(sentiment: sa.ColumnElement) -> list[sa.ColumnElement]:
    return [_count_if(sentiment == s).label(s) for s in ("negative", "neutral", "positive")]


def _as_tuple(value: str | Sequence[str] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(value)


def check_sentiments(values: tuple[str, ...]) -> None:
    bad = [v for v in values if v not in SENTIMENTS]
    if bad:
        raise ValueError(f"sentiment must be one of {', '.join(SENTIMENTS)}, not {bad[0]!r}")


def like_escape(text: str) -> str:
    """``text`` with LIKE's wildcards and the escape character escaped (escape '\\')."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _has_comment() -> sa.ColumnElement[bool]:
    return sa.func.length(sa.func.trim(sa.func.coalesce(fb.comment, ""))) > 0


# -- the comments page -------------------------------------------------------------------


def _page_conditions(
    f: Filters,
    band: str | None,
    folded_search: str | None,
    sentiment: tuple[str, ...],
    theme: tuple[str, ...],
) -> list[sa.ColumnElement[bool]]:
    conditions = [*feedback_conditions(f), *customer_conditions(f), _has_comment()]
    if band is not None:
        if band not in NPS_BANDS:
            raise ValueError(f"score band must be one of {', '.join(NPS_BANDS)}, not {band!r}")
        low, high = NPS_BANDS[band]
        conditions.append(fb.nps.between(low, high))
    if folded_search:
        pattern = sa.bindparam("search", f"%{like_escape(folded_search)}%")
        # A comment not analysed yet is still found by its lower-cased text.
        searched = sa.func.coalesce(cf.text_folded, sa.func.lower(fb.comment))
        conditions.append(searched.like(pattern, escape="\\"))
    if sentiment:
        check_sentiments(sentiment)
        conditions.append(cf.sentiment.in_(sentiment))
    if theme:
        themed = sa.select(ct.response_id).where(
            ct.response_id == fb.response_id, ct.theme.in_(theme)
        )
        conditions.append(themed.exists())
    return conditions


def _page_source() -> sa.FromClause:
    return feedback.outerjoin(comment_facts, cf.response_id == fb.response_id).outerjoin(
        customers, customers.c.customer_id == fb.customer_id
    )


def _page_columns() -> list[sa.ColumnElement]:
    return [
        fb.response_id,
        fb.responded_at,
        fb.touchpoint,
        fb.nps,
        fb.csat,
        fb.ces,
        fb.comment,
        sa.func.coalesce(cf.language, fb.language).label("language"),
        customers.c.segment,
        cf.sentiment,
        cf.sentiment_source,
        cf.themes,
        customers.c.customer_id,  # the known customer (NULL: anonymous or unknown id)
    ]


@_memoized
def comments(
    f: Filters,
    band: str | None = None,
    folded_search: str | None = None,
    sentiment: str | tuple[str, ...] | None = None,
    theme: str | tuple[str, ...] | None = None,
    limit: int = 50,
    offset: int = 0,
) -> sa.Select:
    """Comments behind the numbers with their sentiment and themes, newest first.

    ``band``: detractor / passive / promoter (NPS); ``folded_search``: the folded
    query (see the module docstring); ``sentiment``, ``theme``: one value or a tuple.

    Columns: response_id, responded_at, touchpoint, nps, csat, ces, comment, language
    (the import's, else the detected one), segment, sentiment, sentiment_source
    (label | model | baseline; NULL with sentiment while a comment is not analysed),
    themes (';'-joined, '' for none), customer_id (the known customer; NULL for anonymous
    feedback or an id not in customers).
    """
    conditions = _page_conditions(f, band, folded_search, _as_tuple(sentiment), _as_tuple(theme))
    return (
        sa.select(*_page_columns())
        .select_from(_page_source())
        .where(*conditions)
        .order_by(fb.responded_at.desc(), fb.response_id)
        .limit(sa.bindparam("limit", limit))
        .offset(sa.bindparam("offset", offset))
    )


@_memoized
def comment_count(
    f: Filters,
    band: str | None = None,
    folded_search: str | None = None,
    sentiment: str | tuple[str, ...] | None = None,
    theme: str | tuple[str, ...] | None = None,
) -> sa.Select:
    """One row, column ``n``: how many comments :func:`comments` pages through."""
    conditions = _page_conditions(f, band, folded_search, _as_tuple(sentiment), _as_tuple(theme))
    return sa.select(sa.func.count().label("n")).select_from(_page_source()).where(*conditions)


@_memoized
def label_queue(f: Filters, n: int = 20) -> sa.Select:
    """The ``n`` analysed, unlabelled comments the sentiment source is least sure of
    (smallest margin first, then response_id): what a person should label next.

    Columns: :func:`comments`' columns, then margin.
    """
    unlabelled = ~sa.select(lb.response_id).where(lb.response_id == fb.response_id).exists()
    return (
        sa.select(*_page_columns(), cf.margin)
        .select_from(
            feedback.join(comment_facts, cf.response_id == fb.response_id).outerjoin(
                customers, customers.c.customer_id == fb.customer_id
            )
        )
        .where(*feedback_conditions(f), *customer_conditions(f), unlabelled)
        .order_by(sa.func.coalesce(cf.margin, 1e9), fb.response_id)
        .limit(sa.bindparam("limit", n))
    )


# -- aggregates ----------------------------------------------------------------------------


def _analysed(f: Filters, by: Sequence[str] = ()) -> tuple[sa.FromClause, list]:
    """FROM clause and conditions of the analysed comments inside the filter."""
    source = feedback.join(comment_facts, cf.response_id == fb.response_id)
    if f.has_dimension_filter or any(name in DIMENSIONS for name in by):
        source = source.outerjoin(customers, customers.c.customer_id == fb.customer_id)
    return source, [*feedback_conditions(f), *customer_conditions(f)]


@_memoized
def sentiment_summary(f: Filters, by: tuple[str, ...] = (), grain: str | None = None) -> sa.Select:
    """Sentiment counts of the analysed comments, grouped by ``by`` (touchpoint and/or
    customer dimensions; '(unknown)' for anonymous feedback and empty values) and a
    trend period.

    Columns: [period], [each name in ``by``], n (comments), positive, neutral, negative.
    ``dashboard.metrics.sentiment`` turns these into net sentiment ± margin of error.
    """
    for name in by:
        if name not in FEEDBACK_GROUPS:
            raise ValueError(f"cannot group comments by {name!r}")
    source, conditions = _analysed(f, by)
    groups: list[sa.ColumnElement] = []
    if grain is not None:
        groups.append(period_start(grain, fb.responded_at).label("period"))
    groups += [
        (fb.touchpoint if name == "touchpoint" else group_value(customers.c[name])).label(name)
        for name in by
    ]
    stmt = (
        sa.select(
            *groups,
            sa.func.count().label("n"),
            _count_if(cf.sentiment == "positive").label("positive"),
            _count_if(cf.sentiment == "neutral").label("neutral"),
            _count_if(cf.sentiment == "negative").label("negative"),
        )
        .select_from(source)
        .where(*conditions)
    )
    if groups:
        stmt = stmt.group_by(*groups).order_by(*groups)
    return stmt


@_memoized
def sentiment_sources(f: Filters) -> sa.Select:
    """Where the sentiment of the analysed comments inside the filter comes from.

    Columns: sentiment_source (label | model | baseline), n. Renderers say "baseline"
    wherever the lexicon produced any of the sentiment they show.
    """
    source, conditions = _analysed(f)
    return (
        sa.select(cf.sentiment_source, sa.func.count().label("n"))
        .select_from(source)
        .where(*conditions)
        .group_by(cf.sentiment_source)
        .order_by(cf.sentiment_source)
    )


def _share(part: sa.ColumnElement, whole: sa.ColumnElement) -> sa.ColumnElement[float]:
    return sa.cast(part, sa.Double) * 100 / sa.func.nullif(whole, 0)


@_memoized
def theme_touchpoints(f: Filters, by_touchpoint: bool = True) -> sa.Select:
    """Per theme (and touchpoint): how many analysed comments carry it, their share of
    the touchpoint's (or all) analysed comments, and their sentiment.

    Columns: theme, [touchpoint], comments, total (analysed comments of the touchpoint,
    or of the filter), share (100 * comments / total), negative, neutral, positive.
    Themes with no comment are absent.
    """
    source, conditions = _analysed(f)
    base = (
        sa.select(fb.response_id, fb.touchpoint, cf.sentiment)
        .select_from(source)
        .where(*conditions)
        .cte("analysed")
    )
    keys = [base.c.touchpoint] if by_touchpoint else []
    totals = sa.select(*keys, sa.func.count().label("total")).select_from(base)
    if keys:
        totals = totals.group_by(*keys)
    totals = totals.subquery("totals")
    themed = (
        sa.select(
            ct.theme,
            *keys,
            sa.func.count().label("comments"),
            *_sentiment_counts(base.c.sentiment),
        )
        .select_from(base.join(comment_themes, ct.response_id == base.c.response_id))
        .group_by(ct.theme, *keys)
        .subquery("themed")
    )
    on = themed.c.touchpoint == totals.c.touchpoint if by_touchpoint else sa.true()
    touchpoint = [themed.c.touchpoint] if by_touchpoint else []
    return (
        sa.select(
            themed.c.theme,
            *touchpoint,
            themed.c.comments,
            totals.c.total,
            _share(themed.c.comments, totals.c.total).label("share"),
            themed.c.negative,
            themed.c.neutral,
            themed.c.positive,
        )
        .select_from(themed.join(totals, on))
        .order_by(themed.c.theme, *touchpoint)
    )


@_memoized
def theme_trend(f: Filters, grain: str, theme: str | tuple[str, ...] | None = None) -> sa.Select:
    """Per period and theme: comments carrying the theme, the period's analysed
    comments, the share, and the sentiment counts. ``theme`` limits the themes.

    Columns: period, theme, comments, total, share, negative, neutral, positive.
    """
    source, conditions = _analysed(f)
    base = (
        sa.select(
            fb.response_id, period_start(grain, fb.responded_at).label("period"), cf.sentiment
        )
        .select_from(source)
        .where(*conditions)
        .cte("analysed")
    )
    totals = (
        sa.select(base.c.period, sa.func.count().label("total"))
        .group_by(base.c.period)
        .subquery("totals")
    )
    themes = _as_tuple(theme)
    themed = (
        sa.select(
            base.c.period,
            ct.theme,
            sa.func.count().label("comments"),
            *_sentiment_counts(base.c.sentiment),
        )
        .select_from(base.join(comment_themes, ct.response_id == base.c.response_id))
        .where(*([ct.theme.in_(themes)] if themes else []))
        .group_by(base.c.period, ct.theme)
        .subquery("themed")
    )
    return (
        sa.select(
            themed.c.period,
            themed.c.theme,
            themed.c.comments,
            totals.c.total,
            _share(themed.c.comments, totals.c.total).label("share"),
            themed.c.negative,
            themed.c.neutral,
            themed.c.positive,
        )
        .select_from(themed.join(totals, themed.c.period == totals.c.period))
        .order_by(themed.c.period, themed.c.theme)
    )


# -- keywords of a (proposed) taxonomy: the admin view ---------------------------------------


@dataclass(frozen=True)
class KeywordSpec:
    """How one keyword (or a whole theme: all its keywords) is looked for in SQL.

    Substrings of ``comment_facts.words`` / ``words_folded`` (see
    ``dashboard.text.themes``); ``excludes`` / ``folded_excludes`` are removed first.
    """

    name: str
    patterns: tuple[str, ...]
    folded_patterns: tuple[str, ...] = ()
    excludes: tuple[str, ...] = ()
    folded_excludes: tuple[str, ...] = ()


def _without(column: sa.ColumnElement, phrases: tuple[str, ...]) -> sa.ColumnElement:
    for phrase in phrases:
        column = sa.func.replace(column, phrase, " ")
    return column


def keyword_match(spec: KeywordSpec) -> sa.ColumnElement[bool]:
    """True where a comment's words contain the keyword (whole words, as themes match)."""
    words = _without(cf.words, spec.excludes)
    folded = _without(cf.words_folded, spec.folded_excludes)
    tests = [words.like(f"%{like_escape(p)}%", escape="\\") for p in spec.patterns]
    tests += [folded.like(f"%{like_escape(p)}%", escape="\\") for p in spec.folded_patterns]
    return sa.or_(*tests) if tests else sa.false()


def keyword_counts(f: Filters, specs: tuple[KeywordSpec, ...]) -> sa.Select:
    """One row: for each spec, how many analysed comments inside the filter it matches
    (column ``k<i>`` for ``specs[i]``), and ``comments``, all analysed comments."""
    source, conditions = _analysed(f)
    return (
        sa.select(
            sa.func.count().label("comments"),
            *(_count_if(keyword_match(s)).label(f"k{i}") for i, s in enumerate(specs)),
        )
        .select_from(source)
        .where(*conditions)
    )


def keyword_examples(f: Filters, specs: tuple[KeywordSpec, ...], n: int = 3) -> sa.Select:
    """Up to ``n`` newest comments matching each spec.

    Columns: k (index of the spec), response_id, responded_at, touchpoint, comment.
    """
    source, conditions = _analysed(f)
    parts = []
    for i, spec in enumerate(specs):
        newest = (
            sa.select(
                sa.literal(i).label("k"),
                fb.response_id,
                fb.responded_at,
                fb.touchpoint,
                fb.comment,
            )
            .select_from(source)
            .where(*conditions, keyword_match(spec))
            .order_by(fb.responded_at.desc(), fb.response_id)
            .limit(n)
            .subquery(f"k{i}")
        )
        parts.append(sa.select(*newest.c))
    if not parts:
        raise ValueError("no keyword to find examples of")
    union = sa.union_all(*parts).subquery("examples")
    return sa.select(*union.c).order_by(union.c.k, union.c.responded_at.desc(), union.c.response_id)


# -- reads and writes of the analysis (dashboard.text.service) -------------------------------


def comments_to_analyse(
    response_ids: Sequence[str] | None = None, *, new_only: bool = False
) -> sa.Select:
    """Responses with a non-empty comment: all, those in ``response_ids``, and/or (with
    ``new_only``) those without a ``comment_facts`` row yet.

    Columns: response_id, comment, language (the import's, as stored).
    """
    stmt = sa.select(fb.response_id, fb.comment, fb.language).where(_has_comment())
    if response_ids is not None:
        stmt = stmt.where(fb.response_id.in_(list(response_ids)))
    if new_only:
        analysed = sa.select(cf.response_id).where(cf.response_id == fb.response_id)
        stmt = stmt.where(~analysed.exists())
    return stmt.order_by(fb.response_id)


def stale_facts(response_ids: Sequence[str]) -> sa.Select:
    """Of ``response_ids``, those with analysis rows but no comment any more
    (column response_id)."""
    has_comment = sa.select(fb.response_id).where(fb.response_id == cf.response_id, _has_comment())
    return sa.select(cf.response_id).where(
        cf.response_id.in_(list(response_ids)), ~has_comment.exists()
    )


def all_facts() -> sa.Select:
    """Every comment_facts row, all columns (for bulk rewrites after a model or taxonomy
    change)."""
    return sa.select(comment_facts).order_by(cf.response_id)


def delete_analysis(table: sa.Table, response_ids: Sequence[str]) -> sa.Delete:
    """Remove the rows of ``comment_facts`` or ``comment_themes`` of these responses."""
    return table.delete().where(table.c.response_id.in_(list(response_ids)))


def labels(response_ids: Sequence[str] | None = None) -> sa.Select:
    """Columns response_id, sentiment, themes, labelled_by, labelled_at."""
    stmt = sa.select(lb.response_id, lb.sentiment, lb.themes, lb.labelled_by, lb.labelled_at)
    if response_ids is not None:
        stmt = stmt.where(lb.response_id.in_(list(response_ids)))
    return stmt.order_by(lb.response_id)


def label_counts() -> sa.Select:
    """How many labels there are per sentiment and language of the labelled comment
    (analysed comments only: what training would read).

    Columns: sentiment, language (NULL when unknown), n.
    """
    return (
        sa.select(lb.sentiment, cf.language, sa.func.count().label("n"))
        .select_from(comment_labels.join(comment_facts, cf.response_id == lb.response_id))
        .group_by(lb.sentiment, cf.language)
        .order_by(lb.sentiment, cf.language)
    )


def labelled_comments() -> sa.Select:
    """Labels with the analysed text they label (training data, theme quality).

    Columns: response_id, text_norm, language, words, words_folded, sentiment, themes.
    """
    return (
        sa.select(
            lb.response_id,
            cf.text_norm,
            cf.language,
            cf.words,
            cf.words_folded,
            lb.sentiment,
            lb.themes,
        )
        .select_from(comment_labels.join(comment_facts, cf.response_id == lb.response_id))
        .order_by(lb.response_id)
    )


def responses_with_comments(response_ids: Sequence[str]) -> sa.Select:
    """Of ``response_ids``, those that exist, with whether they have a comment.

    Columns: response_id, has_comment (boolean).
    """
    return sa.select(fb.response_id, _has_comment().label("has_comment")).where(
        fb.response_id.in_(list(response_ids))
    )


def label_facts() -> sa.Select:
    """Analysed comments that carry a label: response_id, sentiment, themes (the label's,
    NULL when the label has no themes), words, words_folded."""
    return (
        sa.select(cf.response_id, lb.sentiment, lb.themes, cf.words, cf.words_folded)
        .select_from(comment_facts.join(comment_labels, lb.response_id == cf.response_id))
        .order_by(cf.response_id)
    )


# -- models and taxonomies -------------------------------------------------------------------

sm, tt = sentiment_models.c, theme_taxonomies.c


def models() -> sa.Select:
    """Every stored model, newest first, without its bytes.

    Columns: version, created_at, created_by, languages, n_labels, metrics (JSON text),
    active, activated_at, activated_by.
    """
    return sa.select(
        sm.version,
        sm.created_at,
        sm.created_by,
        sm.languages,
        sm.n_labels,
        sm.metrics,
        sm.active,
        sm.activated_at,
        sm.activated_by,
    ).order_by(sm.version.desc())


def model_bytes(version: int | None = None) -> sa.Select:
    """The model of ``version`` (None: the active one). Columns: version, model, metrics."""
    stmt = sa.select(sm.version, sm.model, sm.metrics)
    if version is None:
        return stmt.where(sm.active.is_(True))
    return stmt.where(sm.version == version)


def next_version(table: sa.Table) -> sa.Select:
    """One row, column ``version``: 1 + the highest version stored (1 when none)."""
    return sa.select((sa.func.coalesce(sa.func.max(table.c.version), 0) + 1).label("version"))


def activate(version: int, by: str, at: dt.datetime) -> list[sa.Update]:
    """Statements that make ``version`` the only active model."""
    return [
        deactivate(),
        sentiment_models.update()
        .where(sm.version == version)
        .values(active=True, activated_at=at, activated_by=by),
    ]


def deactivate() -> sa.Update:
    """The statement that leaves no model active (the lexicon baseline applies)."""
    return sentiment_models.update().where(sm.active.is_(True)).values(active=False)


def latest_taxonomy() -> sa.Select:
    """The taxonomy in force, if the business saved one: version, source, saved_at,
    saved_by (no row: the default file applies)."""
    return (
        sa.select(tt.version, tt.source, tt.saved_at, tt.saved_by)
        .order_by(tt.version.desc())
        .limit(1)
    )
