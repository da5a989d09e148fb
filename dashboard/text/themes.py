"""The editable bilingual theme taxonomy: loading, matching, and its quality.

A taxonomy is a TOML text (the default is ``themes.toml`` beside this module; a
business edits its own copy, which the store keeps). Each table is a theme with
Vietnamese and English keywords; see the default file's header for the format.

How a keyword matches a comment. Both sides are normalised (``normalize.normalise``:
case, Unicode form, tone placement) and split into words; a keyword matches a run of
whole words (``*`` at its end: the last word only has to start with it). Each word
of a keyword of two or more words matches the comment's word when they are equal
**or** when the comment's word was typed without diacritics and equals the keyword
word's fold: "giao hàng" matches "giao hàng", "Giao Hang", "GIAO HÀNG" and "giao
hang". Diacritics still tell words apart where they were typed: "giá" (price) does not
match "giả" (fake), and the English "chat" does not match "chất" (as in chất lượng).
A keyword of **one** marked word matches only as written (with marks, any case):
typed without marks, a single syllable is too often another word (thẻ/"the",
chờ/"cho", đắt/đặt). A Vietnamese keyword written *without* diacritics in the ``vi``
list matches every marked form ("shipper", "ship"; but "gia" would match "giá", "giả"
and "già"): write Vietnamese keywords with their marks.

A comment's words are stored twice (``words`` and ``words_folded``, space-padded so
that a keyword is a plain substring ``" giao hàng "``): the same substring tests run
vectorised in polars (:func:`theme_matches`) and as portable ``LIKE`` in SQL
(``queries.text.keyword_counts``).
"""

from __future__ import annotations

import itertools
import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import polars as pl

from dashboard.text.normalize import normalise, strip_diacritics

DEFAULT_PATH = Path(__file__).with_name("themes.toml")
THEME_ID = re.compile(r"^[a-z][a-z0-9_]*$")
KEYS = {"label", "vi", "en", "exclude"}
_WORD = re.compile(r"[^\W_]+")


class TaxonomyError(ValueError):
    """A taxonomy that cannot be used; ``str()`` names the file, the line and the fault."""


@dataclass(frozen=True)
class Keyword:
    """One keyword as written, and the substrings that find it.

    ``patterns`` are searched in a comment's ``words``, ``folded_patterns`` in its
    ``words_folded`` (only for Vietnamese keywords written without diacritics).
    """

    text: str
    language: str  # "vi" or "en"
    patterns: tuple[str, ...]
    folded_patterns: tuple[str, ...] = ()


@dataclass(frozen=True)
class Theme:
    id: str
    label: str
    keywords: tuple[Keyword, ...]
    excludes: tuple[Keyword, ...] = ()


@dataclass(frozen=True)
class Taxonomy:
    themes: tuple[Theme, ...]
    origin: str = "themes.toml"
    source: str = ""  # the TOML text it was read from

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(t.id for t in self.themes)

    def get(self, theme_id: str) -> Theme:
        for theme in self.themes:
            if theme.id == theme_id:
                return theme
        raise KeyError(theme_id)


# -- words ---------------------------------------------------------------------------------


def words_of(text: str | None, *, normalised: bool = False) -> str:
    """The normalised words of a text, space-padded: ``"Giao Hàng!"`` -> ``" giao hàng "``.
    ``normalised``: ``text`` is already ``normalise``d (skips that step)."""
    text = (text or "") if normalised else normalise(text)
    return " " + " ".join(_WORD.findall(text)) + " "


def folded_words_of(words: str) -> str:
    """:func:`words_of`'s result without diacritics (đ -> d)."""
    return strip_diacritics(words)


def _variants(words: list[str]) -> list[str]:
    """Each word as written or, when it has marks, as typed without them."""
    choices = [sorted({w, strip_diacritics(w)}) for w in words]
    return [" ".join(combo) for combo in itertools.product(*choices)]


def keyword(text: str, language: str, *, exclude: bool = False) -> Keyword:
    """The substrings that find ``text`` (see the module docstring); raises ValueError.

    An ``exclude`` phrase is removed from a comment before its theme's keywords are
    looked for, in every form it may be typed in (so also folded).
    """
    stripped = text.strip()
    prefix = stripped.endswith("*")
    body = stripped[:-1] if prefix else stripped
    if "*" in body:
        raise ValueError(f"keyword {text!r}: '*' may only end a keyword")
    words = _WORD.findall(normalise(body))
    if not words:
        raise ValueError(f"keyword {text!r} has no letters or digits")
    end = "" if prefix else " "
    folded = f" {' '.join(strip_diacritics(w) for w in words)}{end}"
    if exclude:
        return Keyword(text, language, tuple(f" {v}{end}" for v in _variants(words)), (folded,))
    if all(w.isascii() for w in words):
        if language == "vi":  # written without marks: every marked form matches
            return Keyword(text, language, (), (folded,))
        return Keyword(text, language, (folded,))
    if len(words) == 1:
        # One marked syllable typed without its marks is too often another word
        # (thẻ/the, chờ/cho, đắt/đặt): it matches only as written.
        return Keyword(text, language, (f" {words[0]}{end}",))
    return Keyword(text, language, tuple(f" {v}{end}" for v in _variants(words)))


# -- loading -------------------------------------------------------------------------------


def _line_of(source: str, theme_id: str, key: str | None = None) -> int:
    """Line number of ``[theme_id]`` (or of ``key =`` inside it) in the TOML text."""
    lines = source.splitlines()
    header = re.compile(rf"^\s*\[\s*\"?{re.escape(theme_id)}\"?\s*\]")
    start = next((i for i, line in enumerate(lines) if header.match(line)), None)
    if start is None:
        return 1
    if key is None:
        return start + 1
    key_line = re.compile(rf"^\s*\"?{re.escape(key)}\"?\s*=")
    for i in range(start + 1, len(lines)):
        if lines[i].lstrip().startswith("["):
            break
        if key_line.match(lines[i]):
            return i + 1
    return start + 1


def _string_list(value, what: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{what} must be a list of strings in double quotes")
    if any(not v.strip() for v in value):
        raise ValueError(f"{what} has an empty keyword")
    return value


def _theme(theme_id: str, table, source: str, origin: str) -> Theme:
    def fail(message: str, key: str | None = None) -> TaxonomyError:
        return TaxonomyError(
            f"{origin}, line {_line_of(source, theme_id, key)}: theme {theme_id!r}: {message}"
        )

    if not THEME_ID.match(theme_id):
        raise fail("a theme id is lower-case letters, digits and _, starting with a letter")
    if not isinstance(table, dict):
        raise TaxonomyError(
            f"{origin}, line {_line_of(source, theme_id)}: {theme_id!r} must be a [table] "
            "with label, vi and en"
        )
    unknown = sorted(set(table) - KEYS)
    if unknown:
        raise fail(f"unknown key {unknown[0]!r}; use {', '.join(sorted(KEYS))}", key=unknown[0])
    label = table.get("label", theme_id)
    if not isinstance(label, str) or not label.strip():
        raise fail("label must be a non-empty string", key="label")
    keywords: list[Keyword] = []
    seen: dict[tuple[str, ...], str] = {}
    for language in ("vi", "en"):
        try:
            texts = _string_list(table.get(language, []), language)
            for text in texts:
                kw = keyword(text, language)
                key = kw.patterns + kw.folded_patterns
                if key in seen:
                    raise ValueError(f"keyword {text!r} repeats {seen[key]!r}")
                seen[key] = text
                keywords.append(kw)
        except ValueError as exc:
            raise fail(str(exc), key=language) from None
    if not keywords:
        raise fail("needs at least one keyword in vi or en")
    try:
        excludes = tuple(
            keyword(t, "vi", exclude=True)
            for t in _string_list(table.get("exclude", []), "exclude")
        )
    except ValueError as exc:
        raise fail(str(exc), key="exclude") from None
    return Theme(theme_id, label.strip(), tuple(keywords), excludes)


_TOML_AT = re.compile(r"\s*\(at line (\d+), column \d+\)$|\s*\(at end of document\)$")


def _toml_position(message: str, source: str) -> tuple[int, str]:
    """(line, message without its position) of a tomllib error (Python 3.11 gives the
    position only inside the message)."""
    found = _TOML_AT.search(message)
    if found is None:
        return 1, message
    line = int(found.group(1)) if found.group(1) else max(len(source.splitlines()), 1)
    return line, message[: found.start()]


def parse(source: str, origin: str = "themes.toml") -> Taxonomy:
    """A taxonomy from TOML text.

    Raises
    ------
    TaxonomyError
        "<origin>, line N: what is wrong" -- for TOML syntax, unknown keys, bad ids,
        keywords that are not strings, empty themes.
    """
    try:
        data = tomllib.loads(source)
    except tomllib.TOMLDecodeError as exc:
        line, message = _toml_position(str(exc), source)
        raise TaxonomyError(f"{origin}, line {line}: not valid TOML: {message}") from None
    if not data:
        raise TaxonomyError(f"{origin}: no themes; add a [theme_id] table with keywords")
    themes = tuple(_theme(tid, table, source, origin) for tid, table in data.items())
    return Taxonomy(themes, origin, source)


def load_file(path: str | Path) -> Taxonomy:
    """A taxonomy from a TOML file (errors name the file)."""
    path = Path(path)
    try:
        source = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise TaxonomyError(f"{path}: cannot read the taxonomy: {exc}") from None
    return parse(source, str(path))


@lru_cache(maxsize=1)
def default() -> Taxonomy:
    """The taxonomy shipped with cxdash (``themes.toml`` beside this module)."""
    return load_file(DEFAULT_PATH)


# -- matching ------------------------------------------------------------------------------


def _theme_expr(theme: Theme, words: pl.Expr, folded: pl.Expr) -> pl.Expr:
    exact = [p for kw in theme.excludes for p in kw.patterns]
    folded_excl = [p for kw in theme.excludes for p in kw.folded_patterns]
    if exact:
        words = words.str.replace_many(exact, [" "] * len(exact), leftmost=True)
    if folded_excl:
        folded = folded.str.replace_many(folded_excl, [" "] * len(folded_excl), leftmost=True)
    patterns = [p for kw in theme.keywords for p in kw.patterns]
    folded_patterns = [p for kw in theme.keywords for p in kw.folded_patterns]
    found = pl.lit(False)
    if patterns:
        found = found | words.str.contains_any(patterns)
    if folded_patterns:
        found = found | folded.str.contains_any(folded_patterns)
    return found


def theme_matches(frame: pl.DataFrame, taxonomy: Taxonomy) -> pl.DataFrame:
    """Long frame of the themes whose keywords occur in each comment.

    ``frame`` has columns response_id, words, words_folded (see :func:`words_of`).
    Returns columns response_id, theme -- one row per comment and matching theme,
    sorted by response_id then the taxonomy's order.
    """
    if frame.is_empty():
        return pl.DataFrame(schema={"response_id": pl.String, "theme": pl.String})
    words, folded = pl.col("words"), pl.col("words_folded")
    # One filter per theme, concatenated in the taxonomy's order; the stable sort keeps
    # that order within each comment.
    per_theme = [
        frame.lazy()
        .filter(_theme_expr(theme, words, folded))
        .select(pl.col("response_id").cast(pl.String), pl.lit(theme.id).alias("theme"))
        for theme in taxonomy.themes
    ]
    return pl.concat(per_theme).collect().sort("response_id", maintain_order=True)


def themes_of(text: str | None, taxonomy: Taxonomy | None = None) -> list[str]:
    """The themes of one comment, in the taxonomy's order."""
    taxonomy = taxonomy or default()
    words = words_of(text)
    frame = pl.DataFrame(
        {"response_id": ["-"], "words": [words], "words_folded": [folded_words_of(words)]}
    )
    return theme_matches(frame, taxonomy)["theme"].to_list()


# -- quality against people's labels --------------------------------------------------------


def split_themes(value: str | None) -> list[str]:
    """'delivery; price' -> ['delivery', 'price']; None / '' -> []."""
    if not value:
        return []
    return [part.strip() for part in value.split(";") if part.strip()]


def join_themes(themes: Iterable[str]) -> str:
    """Sorted, de-duplicated, ';'-joined: the stored form of a set of themes."""
    return ";".join(sorted({t.strip() for t in themes if t and t.strip()}))


def theme_quality(
    matched: pl.DataFrame, labelled: pl.DataFrame, theme_ids: Sequence[str]
) -> pl.DataFrame:
    """Per theme: how well keyword matching agrees with the themes people labelled.

    ``matched``: response_id, theme (keyword matches, :func:`theme_matches`) for the
    labelled comments; ``labelled``: response_id, themes (';'-joined) for the comments
    whose themes a person set (an empty string means "none of them").

    Returns columns theme, labelled (comments people gave the theme), matched (labelled
    comments the keywords gave it), true_positives, precision, recall, f1 (0-100; null
    where undefined: no match, or nobody gave the theme).
    """
    ids = labelled["response_id"].cast(pl.String)
    truth = (
        labelled.select(
            pl.col("response_id").cast(pl.String),
            pl.col("themes").fill_null("").str.split(";").alias("theme"),
        )
        .explode("theme")
        .with_columns(pl.col("theme").str.strip_chars())
        .filter(pl.col("theme") != "")
        .unique()
    )
    guess = matched.filter(pl.col("response_id").is_in(ids.implode())).unique()
    hits = truth.join(guess, on=["response_id", "theme"], how="inner")
    base = pl.DataFrame({"theme": list(theme_ids)}, schema={"theme": pl.String})

    def count(frame: pl.DataFrame, name: str) -> pl.DataFrame:
        return frame.group_by("theme").agg(pl.len().cast(pl.Int64).alias(name))

    out = (
        base.join(count(truth, "labelled"), on="theme", how="left")
        .join(count(guess, "matched"), on="theme", how="left")
        .join(count(hits, "true_positives"), on="theme", how="left")
        .with_columns(pl.col("labelled", "matched", "true_positives").fill_null(0))
    )
    precision = pl.when(pl.col("matched") > 0).then(
        pl.col("true_positives") / pl.col("matched") * 100
    )
    recall = pl.when(pl.col("labelled") > 0).then(
        pl.col("true_positives") / pl.col("labelled") * 100
    )
    out = out.with_columns(precision.alias("precision"), recall.alias("recall"))
    f1 = (
        pl.when((pl.col("precision") + pl.col("recall")) > 0)
        .then(2 * pl.col("precision") * pl.col("recall") / (pl.col("precision") + pl.col("recall")))
        .when(pl.col("precision").is_not_null() & pl.col("recall").is_not_null())
        .then(0.0)
    )
    return out.with_columns(f1.alias("f1"))
