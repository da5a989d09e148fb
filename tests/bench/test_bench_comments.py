"""The comments benchmark measures what it says: the demo's stored model quality, a
learning curve on the demo's own comments, and the report carries every figure."""

from __future__ import annotations

import polars as pl

from dashboard.bench import comments as bench
from data.labels import template_tones


def test_synthetic_comments_are_seeded_and_split_by_template_half():
    a = bench.synthetic(200, seed=1)
    assert a == bench.synthetic(200, seed=1) and a != bench.synthetic(200, seed=2)
    texts, labels, languages = bench.synthetic(300, seed=3, half=0)
    assert len(texts) == 300 and set(labels) == {"negative", "neutral", "positive"}
    assert set(languages) == {"vi", "en"}


def test_demo_learning_curve_stops_at_the_comments_there_are():
    tones = list(template_tones())
    commented = pl.DataFrame(
        {"response_id": [f"R{i:04d}" for i in range(400)], "comment": tones[:400]}
    )
    rows = bench.demo_learning_curve(commented, (100, 300, 1000), repeat=1, log=lambda m: None)
    assert [r["labels"] for r in rows] == [100, 300]
    assert all(0 <= r["cv"] <= 1 and 0 <= r["baseline"] <= 1 for r in rows)


def test_the_report_has_every_figure():
    demo = {
        "scale": "small", "comments": 1826, "seconds": 8.5, "comment_seconds": 6.3,
        "metrics": {
            "n_labels": 608, "folds": 5, "macro_f1": 0.891,
            "per_language": {"en": {"n": 71, "macro_f1": 0.76}, "vi": {"n": 537, "macro_f1": 0.9}},
            "baseline": {"macro_f1": 0.816, "per_language": {"en": {"macro_f1": 0.86},
                                                             "vi": {"macro_f1": 0.81}}},
        },
    }  # fmt: skip
    text = bench.markdown(
        demo,
        [{"labels": 100, "cv": 0.64, "baseline": 0.85}],
        [{"labels": 100, "cv": 0.71, "unseen": 0.51, "baseline": 0.83}],
        {"comments": 5000, "model_per_s": 8794.0, "lexicon_per_s": 13499.0},
        {"labels": 20000, "seconds": 31.2, "model_bytes": 2_900_000},
        {"comments": 10000, "seconds": 0.9, "per_s": 11066.0},
        repeat=3,
    )
    figures = ["0.891", "0.816", "0.760 / 0.860", "8,794 comments/s", "31.2 s", "6.3 s",
               "| 100 | 0.640 | 0.850 |", "| 100 | 0.710 | 0.510 | 0.830 |"]  # fmt: skip
    for figure in figures:
        assert figure in text, figure
