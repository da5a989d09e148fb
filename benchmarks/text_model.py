"""Comment sentiment: scoring speed, training time, and quality against the number of labels.

    PYTHONPATH=. python benchmarks/text_model.py            # full run (~10 min on 2 cores)
    PYTHONPATH=. python benchmarks/text_model.py --quick    # smaller sizes, for a smoke run

Data: synthetic but realistic labelled comments built from the demo generator's comment
templates (``data/vocab.py``: Vietnamese and English, per touchpoint and tone) -- one
or two sentences plus an optional closing, Vietnamese typed without diacritics 30% of
the time, random case, fillers and typos, and 8% of labels flipped (people disagree).
No public corpus is used.

Two quality figures, because the templates repeat:

- ``cv``: stratified 5-fold cross-validated macro-F1, what the product shows before a
  model is activated. The same template sentences occur in training and test folds,
  so this is optimistic for real comments.
- ``unseen``: train on comments built from one half of the templates, test on
  comments built from the other half -- phrasing the model never saw. Closer to what a
  business should expect from a few hundred of its own labels.

Every figure is the median over ``--repeat`` runs (different seeds for the data).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

from dashboard import db
from dashboard.text import lexicon, model, service
from dashboard.text.model import LABELS, _macro_f1
from dashboard.text.normalize import strip_diacritics
from data import vocab
from queries import schema

FILLERS = {
    "vi": ["mình thấy", "nói chung là", "thật sự", "shop ơi", "lần này", "ad ơi"],
    "en": ["honestly", "overall", "to be fair", "this time", "tbh", "well"],
}


def _templates(half: int | None) -> dict[str, dict[str, list[str]]]:
    """Sentences per language and tone; ``half`` 0 or 1 keeps every other one."""
    out: dict[str, dict[str, list[str]]] = {}
    for language, touchpoints in vocab.COMMENTS.items():
        for tone in LABELS:
            sentences = [s for tp in touchpoints.values() for s in tp[tone]]
            if half is not None:
                sentences = sentences[half::2]
            out.setdefault(language, {})[tone] = sentences
    return out


def _typo(word: str, rng: random.Random) -> str:
    if len(word) < 4:
        return word
    i = rng.randrange(len(word) - 1)
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]  # swap two letters


def synthetic(n: int, seed: int, half: int | None = None):
    """(texts, labels, languages) of ``n`` comments (see the module docstring)."""
    rng = random.Random(seed)
    sentences = _templates(half)
    texts, labels, languages = [], [], []
    for _ in range(n):
        language = "vi" if rng.random() < 0.6 else "en"
        tone = rng.choice(LABELS)
        parts = rng.sample(sentences[language][tone], rng.choice((1, 1, 2)))
        if rng.random() < 0.4:
            parts.append(rng.choice(vocab.CLOSINGS[language][tone]))
        if rng.random() < 0.3:
            parts.insert(0, rng.choice(FILLERS[language]))
        text = " ".join(parts)
        words = [_typo(w, rng) if rng.random() < 0.03 else w for w in text.split()]
        text = " ".join(words)
        if language == "vi" and rng.random() < 0.3:
            text = strip_diacritics(text)
        if rng.random() < 0.1:
            text = text.upper() if rng.random() < 0.3 else text.lower()
        label = rng.choice(LABELS) if rng.random() < 0.08 else tone
        texts.append(text)
        labels.append(label)
        languages.append(language)
    return texts, labels, languages


def _median(values):
    return statistics.median(values)


def _baseline_f1(texts, labels) -> float:
    predicted, _ = lexicon.classify(texts)
    return _macro_f1(labels, predicted, LABELS)


def learning_curve(sizes, repeat: int) -> list[dict]:
    rows = []
    for n in sizes:
        cv, unseen, base = [], [], []
        for r in range(repeat):
            texts, labels, languages = synthetic(n, seed=100 + r)
            cv.append(model.cross_validate(texts, labels, languages)["macro_f1"])
            base.append(_baseline_f1(texts, labels))
            train_texts, train_labels, train_langs = synthetic(n, seed=200 + r, half=0)
            test_texts, test_labels, _ = synthetic(2000, seed=300 + r, half=1)
            trained = model.train(train_texts, train_labels, train_langs, folds=2)
            unseen.append(_macro_f1(test_labels, trained.score(test_texts), LABELS))
        rows.append(
            {"labels": n, "cv": _median(cv), "unseen": _median(unseen), "baseline": _median(base)}
        )
        print(f"  {n:>6} labels: cv {rows[-1]['cv']:.3f}  unseen {rows[-1]['unseen']:.3f}  "
              f"baseline {rows[-1]['baseline']:.3f}", flush=True)  # fmt: skip
    return rows


def training_time(n: int, repeat: int) -> dict:
    seconds, size = [], 0
    for r in range(repeat):
        texts, labels, languages = synthetic(n, seed=400 + r)
        started = time.perf_counter()
        trained = model.train(texts, labels, languages)
        seconds.append(time.perf_counter() - started)
        size = len(trained.to_bytes())
    return {"labels": n, "seconds": _median(seconds), "model_bytes": size}


def scoring_speed(n: int, repeat: int) -> dict:
    texts, labels, languages = synthetic(4000, seed=500)
    trained = model.train(texts, labels, languages, folds=2)
    probe, _, _ = synthetic(n, seed=501)
    rates, lexicon_rates = [], []
    for _ in range(repeat):
        started = time.perf_counter()
        trained.score(probe)  # normalisation included
        rates.append(n / (time.perf_counter() - started))
        started = time.perf_counter()
        lexicon.classify(probe)
        lexicon_rates.append(n / (time.perf_counter() - started))
    return {"comments": n, "model_per_s": _median(rates), "lexicon_per_s": _median(lexicon_rates)}


def analysis_speed(n: int, repeat: int) -> dict:
    """End to end on a DuckDB store: ``analyse_comments`` over n feedback comments."""
    texts, _, languages = synthetic(n, seed=600)
    # Make most comments distinct, as real ones are (the demo's repeat a lot).
    texts = [f"{t} #{i % (n // 2)}" if i % 4 else t for i, t in enumerate(texts)]
    frame = pl.DataFrame(
        {
            "response_id": [f"r{i}" for i in range(n)],
            "responded_at": [dt.datetime(2025, 1, 1) + dt.timedelta(minutes=i) for i in range(n)],
            "touchpoint": ["Web"] * n,
            "comment": texts,
            "language": [lang if i % 3 else None for i, lang in enumerate(languages)],
        }
    )
    seconds = []
    with tempfile.TemporaryDirectory() as tmp:
        engine = db.create_engine(f"duckdb:///{Path(tmp) / 'bench.duckdb'}", external_access=True)
        schema.create_all(engine)
        with db.begin(engine) as conn:
            db.append_frame(conn, schema.feedback, frame)
        for _ in range(repeat):
            started = time.perf_counter()
            service.analyse_comments(engine)
            seconds.append(time.perf_counter() - started)
        engine.dispose()
    return {"comments": n, "seconds": _median(seconds), "per_s": n / _median(seconds)}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes (a smoke run)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure (median)")
    args = parser.parse_args(argv)
    sizes = (100, 300, 1000) if args.quick else (100, 250, 500, 1000, 2000, 5000)
    train_n = 2000 if args.quick else 20_000
    score_n = 5000 if args.quick else 20_000
    analyse_n = 10_000 if args.quick else 100_000

    print(f"scoring ({score_n} comments, one process):", flush=True)
    speed = scoring_speed(score_n, max(args.repeat, 3))
    print(f"  model {speed['model_per_s']:,.0f} comments/s, "
          f"lexicon {speed['lexicon_per_s']:,.0f} comments/s", flush=True)  # fmt: skip
    print(f"training on {train_n} labels (5-fold CV + final fit):", flush=True)
    timing = training_time(train_n, args.repeat)
    print(f"  {timing['seconds']:.1f} s, model {timing['model_bytes'] / 1e6:.2f} MB", flush=True)
    print(f"analyse_comments on DuckDB ({analyse_n} comments, baseline):", flush=True)
    analysis = analysis_speed(analyse_n, args.repeat)
    print(f"  {analysis['seconds']:.1f} s, {analysis['per_s']:,.0f} comments/s", flush=True)
    print("macro-F1 against the number of labels (median of runs):", flush=True)
    learning_curve(sizes, args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
