"""``cxdash bench comments``: what customers say -- quality, speed, and the demo's model.

    cxdash bench comments                 # full run (~10-15 min on 2 shared cores)
    cxdash bench comments --quick         # smaller sizes, a smoke run (~2 min)

Figures (every one the median of ``--repeat`` runs in one process):

- **the demo's model**: the demo data (``--scale``, default medium) generated into a
  temporary DuckDB store, as ``cxdash demo-data`` does it: labels imported, model
  trained and put in use, comments analysed; the stored cross-validated macro-F1 of the
  model beside the lexicon baseline's on the same labels, overall and per language,
  and how long the comment steps took;
- **learning curve on the demo's comments**: cross-validated macro-F1 against the number
  of labels (drawn like the demo's labels: template tone, 8% disagreement), with the
  baseline on the same labels;
- **learning curve on unseen phrasing**: synthetic comments (below) where the model is
  trained on comments built from one half of the templates and tested on the other
  half -- phrasing it never saw, closer to what a business should expect;
- **speed**: scoring comments/s (normalisation included, one process), training time on
  20,000 labels (5-fold cross-validation + the final fit), ``analyse_comments`` end to
  end on DuckDB.

Synthetic comments: realistic labelled comments built from the demo generator's comment
templates (``data/vocab.py``: Vietnamese and English, per touchpoint and tone) -- one
or two sentences plus an optional closing, Vietnamese typed without diacritics 30% of
the time, random case, fillers and typos, and 8% of labels flipped (people disagree).
No public corpus is used. The demo's comments repeat a few hundred template sentences,
so cross-validated figures on them are optimistic for real comments; the unseen-phrasing
figure is the honest one.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
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
from dashboard.text.normalize import detect_language, normalise, strip_diacritics
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


def learning_curve(sizes, repeat: int, log=print) -> list[dict]:
    """Synthetic comments: cv (optimistic) and unseen-phrasing macro-F1, and the
    baseline, against the number of labels."""
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
        log(f"  {n:>6} labels: cv {rows[-1]['cv']:.3f}  unseen {rows[-1]['unseen']:.3f}  "
            f"baseline {rows[-1]['baseline']:.3f}")  # fmt: skip
    return rows


def training_time(n: int, repeat: int) -> dict:
    seconds, cpu, size = [], [], 0
    for r in range(repeat):
        texts, labels, languages = synthetic(n, seed=400 + r)
        started, cpu_started = time.perf_counter(), time.process_time()
        trained = model.train(texts, labels, languages)
        seconds.append(time.perf_counter() - started)
        cpu.append(time.process_time() - cpu_started)
        size = len(trained.to_bytes())
    return {"labels": n, "seconds": _median(seconds), "cpu_seconds": _median(cpu),
            "model_bytes": size}  # fmt: skip


def scoring_speed(n: int, repeat: int) -> dict:
    texts, labels, languages = synthetic(4000, seed=500)
    trained = model.train(texts, labels, languages, folds=2)
    probe, _, _ = synthetic(n, seed=501)
    rates, cpu_rates, lexicon_rates = [], [], []
    for _ in range(repeat):
        started, cpu_started = time.perf_counter(), time.process_time()
        trained.score(probe)  # normalisation included
        rates.append(n / (time.perf_counter() - started))
        cpu_rates.append(n / (time.process_time() - cpu_started))
        started = time.perf_counter()
        lexicon.classify(probe)
        lexicon_rates.append(n / (time.perf_counter() - started))
    return {"comments": n, "model_per_s": _median(rates), "model_per_cpu_s": _median(cpu_rates),
            "lexicon_per_s": _median(lexicon_rates)}  # fmt: skip


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
        db.create_schema(engine)
        with db.begin(engine) as conn:
            db.append_frame(conn, schema.feedback, frame)
        for _ in range(repeat):
            started = time.perf_counter()
            service.analyse_comments(engine)
            seconds.append(time.perf_counter() - started)
        engine.dispose()
    return {"comments": n, "seconds": _median(seconds), "per_s": n / _median(seconds)}


# -- the demo's model ---------------------------------------------------------------------------


def demo_model(scale: str, seed: int, log=print) -> dict:
    """Generate the demo (``scale``) into a temporary store as ``cxdash demo-data`` does;
    return its stored model's quality, the comment steps' time and the demo's comments
    (response_id, comment) for the learning curve."""
    import json

    from data import generator
    from queries.text import comments_to_analyse

    with tempfile.TemporaryDirectory() as tmp:
        engine = db.create_engine(f"duckdb:///{Path(tmp) / 'demo.duckdb'}", external_access=True)
        marks: dict[str, float] = {}

        def progress(message: str, fraction: float) -> None:
            marks.setdefault(message.split(" on ")[0], time.perf_counter())

        started = time.perf_counter()
        generator.generate(engine, scale=scale, seed=seed, progress=progress)
        total = time.perf_counter() - started
        comments_started = marks.get("comments: the demo team's labels", started)
        models = db.fetch(service.q.models(), engine)
        metrics = json.loads(models["metrics"][0])
        commented = db.fetch(comments_to_analyse(), engine).select("response_id", "comment")
        engine.dispose()
    comment_seconds = started + total - comments_started  # labels, training, analysis
    log(f"  demo {scale}: {commented.height:,} comments, model macro-F1 "
        f"{metrics['macro_f1']:.3f} vs baseline {metrics['baseline']['macro_f1']:.3f}, "
        f"demo-data {total:.1f} s of which comments {comment_seconds:.1f} s")  # fmt: skip
    return {
        "scale": scale,
        "comments": commented.height,
        "metrics": metrics,
        "seconds": total,
        "comment_seconds": comment_seconds,
        "frame": commented,
    }


def demo_learning_curve(commented: pl.DataFrame, sizes, repeat: int, log=print) -> list[dict]:
    """Cross-validated macro-F1 of the model and the baseline's on ``n`` of the demo's
    comments labelled as the demo's team labels them (different draws per repeat)."""
    from data.labels import demo_labels

    texts = dict(zip(commented["response_id"], commented["comment"], strict=True))
    rows = []
    for n in sizes:
        if n > commented.height:
            break
        cv, base = [], []
        for r in range(repeat):
            labelled = demo_labels(commented, seed=1000 + r, n=n)
            batch = [texts[rid] for rid in labelled["response_id"]]
            truth = labelled["sentiment"].to_list()
            # as train() does: normalised texts, languages detected
            prepared = [normalise(t) for t in batch]
            languages = [detect_language(t) for t in prepared]
            cv.append(model.cross_validate(prepared, truth, languages)["macro_f1"])
            base.append(_baseline_f1(batch, truth))
        rows.append({"labels": n, "cv": _median(cv), "baseline": _median(base)})
        log(f"  {n:>6} demo labels: cv {rows[-1]['cv']:.3f}  baseline {rows[-1]['baseline']:.3f}")
    return rows


# -- report -------------------------------------------------------------------------------------


def markdown(
    demo: dict, demo_curve, curve, speed, timing, analysis, repeat: int, load: str = ""
) -> str:
    m = demo["metrics"]
    base = m["baseline"]
    lines = [
        "| what | result | target |",
        "|---|---:|---|",
        f"| demo model ({demo['scale']}): cross-validated macro-F1 on its "
        f"{m['n_labels']:,} labels ({m['folds']}-fold) | {m['macro_f1']:.3f} | > baseline |",
        f"| lexicon baseline on the same labels | {base['macro_f1']:.3f} | |",
    ]
    for language, figures in sorted(m["per_language"].items()):
        other = base["per_language"].get(language, {}).get("macro_f1")
        lines.append(
            f"| &nbsp;&nbsp;{language} ({figures['n']:,} labels): model / baseline | "
            f"{figures['macro_f1']:.3f} / {other:.3f} | |"
        )
    lines += [
        f"| scoring, model (one process, normalisation included; {speed['comments']:,} "
        f"comments) | {speed['model_per_s']:,.0f} comments/s "
        f"({speed.get('model_per_cpu_s', 0):,.0f} per CPU-second) | ≥ 5,000/s |",
        f"| scoring, lexicon baseline | {speed['lexicon_per_s']:,.0f} comments/s | |",
        f"| training on {timing['labels']:,} labels (5-fold CV + final fit) | "
        f"{timing['seconds']:.1f} s ({timing.get('cpu_seconds', 0):.1f} s CPU; model "
        f"{timing['model_bytes'] / 1e6:.2f} MB) | ≤ 60 s |",
        f"| `analyse_comments` on DuckDB, {analysis['comments']:,} comments (baseline) | "
        f"{analysis['seconds']:.1f} s ({analysis['per_s']:,.0f} comments/s) | |",
        f"| demo-data {demo['scale']} ({demo['comments']:,} comments): whole run / the "
        f"comment steps (labels, training, analysis) | {demo['seconds']:.1f} s / "
        f"{demo['comment_seconds']:.1f} s | |",
        "",
        "Learning curve on the demo's comments (labels drawn as the demo's team labels them; "
        "cross-validated, optimistic: the demo's comments repeat their templates):",
        "",
        "| labels | model macro-F1 (CV) | baseline macro-F1 |",
        "|---:|---:|---:|",
        *(f"| {r['labels']:,} | {r['cv']:.3f} | {r['baseline']:.3f} |" for r in demo_curve),
        "",
        "Learning curve on unseen phrasing (synthetic comments; trained on one half of the "
        "templates, tested on 2,000 comments of the other half):",
        "",
        "| labels | model macro-F1 (CV) | model macro-F1 (unseen phrasing) | baseline |",
        "|---:|---:|---:|---:|",
        *(
            f"| {r['labels']:,} | {r['cv']:.3f} | {r['unseen']:.3f} | {r['baseline']:.3f} |"
            for r in curve
        ),  # fmt: skip
        "",
        f"Medians of {repeat} runs in one process; load average while measuring "
        f"{load or '?'} on {os.cpu_count()} cores (a shared machine: wall-clock figures "
        "are pessimistic, the CPU-time ones are what the work itself costs).",
    ]
    return "\n".join(lines)


def run(scale: str = "medium", seed: int = 42, repeat: int = 3, quick: bool = False,
        log=print) -> str:  # fmt: skip
    """Every figure of the module docstring, as a Markdown table (progress to ``log``)."""
    sizes = (100, 300, 1000) if quick else (100, 250, 500, 1000, 2000, 5000)
    demo_sizes = (100, 300, 1000) if quick else (100, 250, 500, 1000, 1500, 3000, 6000)
    train_n = 2000 if quick else 20_000
    score_n = 5000 if quick else 20_000
    analyse_n = 10_000 if quick else 100_000
    log(f"the demo's model ({scale}) ...")
    demo = demo_model(scale, seed, log)
    log(f"scoring ({score_n:,} comments, one process) ...")
    speed = scoring_speed(score_n, max(repeat, 3))
    log(f"  model {speed['model_per_s']:,.0f} comments/s, "
        f"lexicon {speed['lexicon_per_s']:,.0f} comments/s")  # fmt: skip
    log(f"training on {train_n:,} labels (5-fold CV + final fit) ...")
    timing = training_time(train_n, repeat)
    log(f"  {timing['seconds']:.1f} s, model {timing['model_bytes'] / 1e6:.2f} MB")
    log(f"analyse_comments on DuckDB ({analyse_n:,} comments, baseline) ...")
    analysis = analysis_speed(analyse_n, repeat)
    log(f"  {analysis['seconds']:.1f} s, {analysis['per_s']:,.0f} comments/s")
    log("learning curve on the demo's comments ...")
    demo_curve = demo_learning_curve(demo["frame"], demo_sizes, repeat, log)
    log("learning curve on unseen phrasing ...")
    curve = learning_curve(sizes, repeat, log)
    load = "{:.1f} / {:.1f} / {:.1f}".format(*os.getloadavg())  # 1, 5, 15 minutes
    return markdown(demo, demo_curve, curve, speed, timing, analysis, repeat, load)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes (a smoke run)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure (median)")
    parser.add_argument("--scale", default="medium", choices=("small", "medium", "large"))
    args = parser.parse_args(argv)
    print(run(args.scale, 42, args.repeat, args.quick,
              lambda m: print(m, file=sys.stderr, flush=True)))  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
