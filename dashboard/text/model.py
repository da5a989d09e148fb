"""The local sentiment model, learned from the business's own labels.

What it is (the facts measured for issue 16): TF-IDF over word 1-2-grams plus
character 2-5-grams (``char_wb``) feeding a class-balanced linear SVM. Its input is
``normalise``d text (NFC: un-normalised NFD input costs a third of the quality), and
every Vietnamese training example is also given as a diacritic-stripped copy, so that
comments typed without marks score as well as those typed with them.

Honesty about quality: :func:`train` computes stratified k-fold cross-validated
macro-F1 (overall and per language) and the confusion matrix *before* the model is
offered; the copies of a held-out example never sit in its training folds. Everything
is deterministic: fixed fold shuffling and solver seeds.

No public labelled corpus is used or shipped: a model is trained only from the labels
of the store it lives in.
"""

from __future__ import annotations

import io
import pickle
import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from dashboard.text.normalize import detect_language, normalise, strip_diacritics

LABELS = ("negative", "neutral", "positive")
SEED = 0
FOLDS = 5
MIN_LABELS = 30  # fewer labels teach nothing that a lexicon does not already know
MIN_PER_CLASS = 2  # a class needs two examples to sit on both sides of a fold


class NotEnoughLabels(ValueError):
    """Too few labels to train or to measure a model; ``str()`` says what is missing."""


# The two feature blocks: (analyzer, n-gram range, min_df). Words keep one-letter
# tokens ("k" = không, "ok"); a character n-gram seen in one comment only is noise and
# bloats the model.
WORD_BLOCK = {"analyzer": "word", "ngram_range": (1, 2), "token_pattern": r"(?u)\b\w+\b"}
CHAR_BLOCK = {"analyzer": "char_wb", "ngram_range": (2, 5)}
BLOCKS = ((WORD_BLOCK, 1), (CHAR_BLOCK, 2))
# Regularisation: on comments of phrasings unseen in training (dashboard/bench/comments.py,
# "unseen") C = 0.1 generalised as well as or better than 0.3-1.0, and converges 3-4x
# faster.
SVM_C = 0.1


def _svm():
    from sklearn.svm import LinearSVC

    return LinearSVC(C=SVM_C, class_weight="balanced", random_state=SEED)


def _pipeline():
    # Imported here: scikit-learn takes ~1 s to import and only training needs it.
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import FeatureUnion, Pipeline

    blocks = [
        (name, TfidfVectorizer(**block, min_df=min_df, sublinear_tf=True, dtype=np.float32))
        for name, (block, min_df) in zip(("words", "chars"), BLOCKS, strict=True)
    ]
    return Pipeline([("features", FeatureUnion(blocks)), ("svm", _svm())])


def _augmented(
    texts: Sequence[str], labels: Sequence[str], languages: Sequence[str | None]
) -> tuple[list[str], list[str]]:
    """The training set plus a diacritic-stripped copy of every Vietnamese example
    whose text has marks (a copy equal to its original would only double its weight)."""
    copies = _copies(texts, languages)
    return (
        list(texts) + [strip_diacritics(texts[i]) for i in copies],
        list(labels) + [labels[i] for i in copies],
    )


def _fit(texts, labels, languages):
    pipeline = _pipeline()
    x, y = _augmented(texts, labels, languages)
    pipeline.fit(x, y)
    return pipeline


def _margins(decision: np.ndarray) -> np.ndarray:
    """How sure the SVM is: top score minus runner-up (|score| with two classes)."""
    if decision.ndim == 1:
        return np.abs(decision)
    ordered = np.sort(decision, axis=1)
    return ordered[:, -1] - ordered[:, -2]


def _macro_f1(truth: Sequence[str], predicted: Sequence[str], labels: Sequence[str]) -> float:
    from sklearn.metrics import f1_score

    return float(f1_score(truth, predicted, labels=list(labels), average="macro", zero_division=0))


class _FastScorer:
    """The fitted pipeline's decision function, ~3x faster, for scoring many comments.

    scikit-learn generates every character n-gram of every comment in Python and looks
    each up in the vocabulary. ``char_wb`` n-grams never cross a word, so here each
    distinct word's known n-gram indexes are computed once and cached; a comment's
    counts are the concatenation of its words' indexes. TF-IDF (sublinear tf, idf, L2
    per block) and the SVM are then applied to the whole batch with sparse matrix
    operations. Tests check that the decision values equal the pipeline's.
    """

    MAX_CACHED_WORDS = 200_000

    def __init__(self, pipeline):
        (_, words), (_, chars) = pipeline.named_steps["features"].transformer_list
        svm = pipeline.named_steps["svm"]
        self.word_vocabulary = words.vocabulary_
        self.word_pattern = re.compile(words.token_pattern)
        self.char_vocabulary = chars.vocabulary_
        self.char_range = chars.ngram_range
        self.idf = (words.idf_.astype(np.float64), chars.idf_.astype(np.float64))
        self.width = (len(words.idf_), len(chars.idf_))
        self.coef = np.asarray(svm.coef_, dtype=np.float64)
        self.intercept = np.asarray(svm.intercept_, dtype=np.float64)
        self.word_cache: dict[str, list[int]] = {}

    def _char_indexes(self, word: str) -> list[int]:
        cached = self.word_cache.get(word)
        if cached is None:
            if len(self.word_cache) >= self.MAX_CACHED_WORDS:
                self.word_cache.clear()
            padded = f" {word} "
            vocabulary, out = self.char_vocabulary, []
            low, high = self.char_range
            for n in range(low, high + 1):
                grams = [padded[i : i + n] for i in range(max(len(padded) - n + 1, 1))]
                out += [vocabulary[g] for g in grams if g in vocabulary]
                if len(padded) <= n:  # a short word counts once (as scikit-learn does)
                    break
            cached = self.word_cache[word] = out
        return cached

    def _word_indexes(self, text: str) -> list[int]:
        tokens = self.word_pattern.findall(text)
        vocabulary = self.word_vocabulary
        grams = tokens + [f"{a} {b}" for a, b in zip(tokens, tokens[1:], strict=False)]
        return [vocabulary[g] for g in grams if g in vocabulary]

    def _block(self, rows: list[list[int]], block: int):
        import scipy.sparse as sp

        lengths = np.fromiter((len(r) for r in rows), dtype=np.int64, count=len(rows))
        indices = np.fromiter(
            (i for r in rows for i in r), dtype=np.int64, count=int(lengths.sum())
        )
        indptr = np.concatenate([[0], np.cumsum(lengths)])
        counts = sp.csr_matrix(
            (np.ones(len(indices)), indices, indptr), shape=(len(rows), self.width[block])
        )
        counts.sum_duplicates()
        counts.data = (1.0 + np.log(counts.data)) * self.idf[block][counts.indices]
        norms = np.sqrt(np.asarray(counts.multiply(counts).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        return sp.diags(1.0 / norms) @ counts

    def decision_function(self, texts: Sequence[str]) -> np.ndarray:
        import scipy.sparse as sp

        word_rows = [self._word_indexes(t) for t in texts]
        char_rows = []
        for text in texts:
            row: list[int] = []
            for word in text.split():
                row += self._char_indexes(word)
            char_rows.append(row)
        features = sp.hstack([self._block(word_rows, 0), self._block(char_rows, 1)], "csr")
        decision = features @ self.coef.T + self.intercept
        return decision.ravel() if decision.shape[1] == 1 else decision


@dataclass
class TrainedModel:
    """A fitted pipeline and the quality measured before anyone uses it.

    ``metrics`` (JSON-ready): n_labels, folds, classes, class_counts, macro_f1,
    per_language {lang: {n, macro_f1}}, confusion {labels, matrix (rows = truth,
    columns = prediction)}, augmented_copies, sklearn_version.
    """

    pipeline: object
    metrics: dict = field(default_factory=dict)
    _fast: _FastScorer | None = field(default=None, repr=False, compare=False)

    def decision_function(self, texts: Sequence[str]) -> np.ndarray:
        """The SVM's decision values of normalised texts (fast path, same numbers)."""
        if self._fast is None:
            self._fast = _FastScorer(self.pipeline)
        return self._fast.decision_function(texts)

    @property
    def classes(self) -> tuple[str, ...]:
        return tuple(str(c) for c in self.pipeline.classes_)

    def score(self, texts: Sequence[str | None]) -> list[str]:
        """The sentiment of each text (normalised here; idempotent on normalised text)."""
        return self.score_with_margin(texts)[0]

    def score_with_margin(
        self, texts: Sequence[str | None], *, normalised: bool = False
    ) -> tuple[list[str], np.ndarray]:
        """(labels, margins): margin = top decision score minus the runner-up.
        ``normalised``: the texts are already ``normalise``d (skips that step)."""
        if len(texts) == 0:
            return [], np.zeros(0)
        prepared = list(texts) if normalised else [normalise(t) for t in texts]
        decision = self.decision_function(prepared)
        classes = np.asarray(self.pipeline.classes_)
        if decision.ndim == 1:
            chosen = classes[(decision > 0).astype(int)]
        else:
            chosen = classes[decision.argmax(axis=1)]
        return [str(c) for c in chosen], _margins(decision)

    def to_bytes(self) -> bytes:
        """The pipeline pickled and compressed, for the store's sentiment_models table."""
        buffer = io.BytesIO()
        pickle.dump(self.pipeline, buffer, protocol=pickle.HIGHEST_PROTOCOL)
        return zlib.compress(buffer.getvalue(), 6)

    @classmethod
    def from_bytes(cls, blob: bytes, metrics: dict | None = None) -> TrainedModel:
        """Load a model saved by :meth:`to_bytes`.

        Unpickling runs code named in the bytes: only models that this store trained
        itself (its own sentiment_models table, written by ``train_model``) are ever
        loaded here; never load a model file from elsewhere.
        """
        return cls(pickle.loads(zlib.decompress(bytes(blob))), metrics or {})  # noqa: S301


def _check(labels: Sequence[str]) -> dict[str, int]:
    counts = {label: 0 for label in LABELS}
    for label in labels:
        if label not in counts:
            raise ValueError(f"unknown sentiment {label!r}; use {', '.join(LABELS)}")
        counts[label] += 1
    if len(labels) < MIN_LABELS:
        raise NotEnoughLabels(
            f"{len(labels)} labelled comments; label at least {MIN_LABELS} to train a model"
        )
    present = [label for label, n in counts.items() if n]
    if len(present) < 2:
        raise NotEnoughLabels(
            "every label says the same sentiment; label comments of at least two sentiments"
        )
    thin = [f"{label} ({n})" for label, n in counts.items() if 0 < n < MIN_PER_CLASS]
    if thin:
        raise NotEnoughLabels(
            f"too few labels for {', '.join(thin)}: label at least {MIN_PER_CLASS} of each "
            "sentiment you use"
        )
    return counts


def _copies(texts: Sequence[str], languages: Sequence[str | None]) -> list[int]:
    """Indexes of the examples :func:`_augmented` copies, in the order it appends them."""
    return [
        i
        for i, (text, language) in enumerate(zip(texts, languages, strict=True))
        if language == "vi" and strip_diacritics(text) != text
    ]


class _FoldFeatures:
    """The features of every cross-validation fold from one counting pass.

    Counting n-grams is most of the cost of a fit and does not depend on the fold; what
    does -- which n-grams reach min_df, their IDF, the L2 norms -- is computed per fold
    from its training rows only. The result equals fitting the TF-IDF blocks on the
    fold's training texts (same vocabulary, weights and norms), so the cross-validated
    figures are those of the pipeline :func:`train` fits; tests check that equality.
    """

    def __init__(self, texts: Sequence[str], languages: Sequence[str | None]):
        from sklearn.feature_extraction.text import CountVectorizer

        self.copies = _copies(texts, languages)
        docs = list(texts) + [strip_diacritics(texts[i]) for i in self.copies]
        self.counts = [
            CountVectorizer(**block, dtype=np.float32).fit_transform(docs) for block, _ in BLOCKS
        ]
        self.n = len(texts)

    def train_rows(self, train_idx: np.ndarray) -> np.ndarray:
        """The fold's training rows: its examples, then the copies of its Vietnamese ones."""
        chosen = np.zeros(self.n, dtype=bool)
        chosen[train_idx] = True
        copy_rows = [self.n + j for j, i in enumerate(self.copies) if chosen[i]]
        return np.concatenate([np.sort(train_idx), np.asarray(copy_rows, dtype=int)])

    def fold(self, train_rows: np.ndarray, test_rows: np.ndarray):
        """(training matrix, test matrix) as the fitted pipeline would produce them."""
        import scipy.sparse as sp
        from sklearn.feature_extraction.text import TfidfTransformer

        train_parts, test_parts = [], []
        for counts, (_, min_df) in zip(self.counts, BLOCKS, strict=True):
            train, test = counts[train_rows], counts[test_rows]
            kept = np.flatnonzero(np.asarray((train > 0).sum(axis=0)).ravel() >= min_df)
            weights = TfidfTransformer(sublinear_tf=True)
            train_parts.append(weights.fit_transform(train[:, kept]))
            test_parts.append(weights.transform(test[:, kept]))
        return sp.hstack(train_parts, format="csr"), sp.hstack(test_parts, format="csr")


def cross_validate(
    texts: Sequence[str],
    labels: Sequence[str],
    languages: Sequence[str | None],
    folds: int = FOLDS,
) -> dict:
    """Out-of-fold quality of the model :func:`train` would build (see TrainedModel).

    ``texts`` are normalised. Stratified k-fold (k = ``folds``, fewer when a sentiment
    has fewer labels); a Vietnamese example's stripped copy trains only in the folds
    where the example itself trains.
    """
    from sklearn.metrics import confusion_matrix
    from sklearn.model_selection import StratifiedKFold

    counts = _check(labels)
    smallest = min(n for n in counts.values() if n)
    k = max(2, min(folds, smallest))
    texts, labels, languages = list(texts), np.asarray(labels), list(languages)
    features = _FoldFeatures(texts, languages)
    copy_labels = labels[features.copies] if features.copies else np.asarray([], dtype=labels.dtype)
    all_labels = np.concatenate([labels, copy_labels])
    predicted = np.empty(len(labels), dtype=object)
    splitter = StratifiedKFold(n_splits=k, shuffle=True, random_state=SEED)
    for train_idx, test_idx in splitter.split(np.zeros(len(labels)), labels):
        train_rows = features.train_rows(train_idx)
        x_train, x_test = features.fold(train_rows, test_idx)
        predicted[test_idx] = _svm().fit(x_train, all_labels[train_rows]).predict(x_test)
    classes = [label for label in LABELS if counts[label]]
    per_language = {}
    for language in sorted({lang or "unknown" for lang in languages}):
        idx = [i for i, lang in enumerate(languages) if (lang or "unknown") == language]
        per_language[language] = {
            "n": len(idx),
            "macro_f1": _macro_f1(labels[idx], predicted[idx], classes),
        }
    matrix = confusion_matrix(labels, predicted.astype(str), labels=classes)
    return {
        "n_labels": len(labels),
        "folds": k,
        "classes": classes,
        "class_counts": counts,
        "macro_f1": _macro_f1(labels, predicted, classes),
        "per_language": per_language,
        "confusion": {"labels": classes, "matrix": matrix.tolist()},
    }


def train(
    texts: Sequence[str | None],
    labels: Sequence[str],
    languages: Sequence[str | None] | None = None,
    folds: int = FOLDS,
) -> TrainedModel:
    """Measure (cross-validated) and then fit a model on all the labels.

    ``languages``: 'vi' / 'en' / None per text (None: detected from the text); the
    Vietnamese ones are augmented with a diacritic-stripped copy.

    Raises
    ------
    NotEnoughLabels
        Fewer than MIN_LABELS labels, a single sentiment, or a sentiment with one label.
    """
    import sklearn

    if len(texts) != len(labels):
        raise ValueError(f"{len(texts)} texts but {len(labels)} labels")
    prepared = [normalise(t) for t in texts]
    if languages is None:
        languages = [None] * len(prepared)
    langs = [lang or detect_language(text) for text, lang in zip(prepared, languages, strict=True)]
    metrics = cross_validate(prepared, list(labels), langs, folds)
    pipeline = _fit(prepared, list(labels), langs)
    metrics["augmented_copies"] = len(_augmented(prepared, list(labels), langs)[0]) - len(prepared)
    metrics["languages"] = sorted({lang for lang in langs if lang})
    metrics["sklearn_version"] = sklearn.__version__
    return TrainedModel(pipeline, metrics)
