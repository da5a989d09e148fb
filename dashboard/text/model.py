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


def _pipeline():
    # Imported here: scikit-learn takes ~1 s to import and only training needs it.
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import FeatureUnion, Pipeline
    from sklearn.svm import LinearSVC

    words = TfidfVectorizer(
        analyzer="word",
        ngram_range=(1, 2),
        token_pattern=r"(?u)\b\w+\b",  # keep one-letter words: "k" (không), "ok"
        sublinear_tf=True,
        min_df=1,
        dtype=np.float32,
    )
    chars = TfidfVectorizer(
        analyzer="char_wb",
        ngram_range=(2, 5),
        sublinear_tf=True,
        min_df=2,  # a character n-gram seen once is noise and bloats the model
        dtype=np.float32,
    )
    return Pipeline(
        [
            ("features", FeatureUnion([("words", words), ("chars", chars)])),
            ("svm", LinearSVC(C=0.5, class_weight="balanced", random_state=SEED)),
        ]
    )


def _augmented(
    texts: Sequence[str], labels: Sequence[str], languages: Sequence[str | None]
) -> tuple[list[str], list[str]]:
    """The training set plus a diacritic-stripped copy of every Vietnamese example
    whose text has marks (a copy equal to its original would only double its weight)."""
    out_texts, out_labels = list(texts), list(labels)
    for text, label, language in zip(texts, labels, languages, strict=True):
        if language == "vi":
            plain = strip_diacritics(text)
            if plain != text:
                out_texts.append(plain)
                out_labels.append(label)
    return out_texts, out_labels


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


@dataclass
class TrainedModel:
    """A fitted pipeline and the quality measured before anyone uses it.

    ``metrics`` (JSON-ready): n_labels, folds, classes, class_counts, macro_f1,
    per_language {lang: {n, macro_f1}}, confusion {labels, matrix (rows = truth,
    columns = prediction)}, augmented_copies, sklearn_version.
    """

    pipeline: object
    metrics: dict = field(default_factory=dict)

    @property
    def classes(self) -> tuple[str, ...]:
        return tuple(str(c) for c in self.pipeline.classes_)

    def score(self, texts: Sequence[str | None]) -> list[str]:
        """The sentiment of each text (normalised here; idempotent on normalised text)."""
        return self.score_with_margin(texts)[0]

    def score_with_margin(self, texts: Sequence[str | None]) -> tuple[list[str], np.ndarray]:
        """(labels, margins): margin = top decision score minus the runner-up."""
        if len(texts) == 0:
            return [], np.zeros(0)
        prepared = [normalise(t) for t in texts]
        decision = self.pipeline.decision_function(prepared)
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


def cross_validate(
    texts: Sequence[str],
    labels: Sequence[str],
    languages: Sequence[str | None],
    folds: int = FOLDS,
) -> dict:
    """Out-of-fold quality of the model :func:`train` would build (see TrainedModel)."""
    from sklearn.metrics import confusion_matrix
    from sklearn.model_selection import StratifiedKFold

    counts = _check(labels)
    smallest = min(n for n in counts.values() if n)
    k = max(2, min(folds, smallest))
    texts, labels, languages = list(texts), np.asarray(labels), list(languages)
    predicted = np.empty(len(labels), dtype=object)
    splitter = StratifiedKFold(n_splits=k, shuffle=True, random_state=SEED)
    for train_idx, test_idx in splitter.split(np.zeros(len(labels)), labels):
        pipeline = _fit(
            [texts[i] for i in train_idx],
            labels[train_idx].tolist(),
            [languages[i] for i in train_idx],
        )
        predicted[test_idx] = pipeline.predict([texts[i] for i in test_idx])
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
