"""The demo's labelled comments: what a CX team would have labelled in an afternoon or two.

Synthetic, generated here from the demo's own comments (``data.vocab``'s templates; no
public corpus): a seeded sample of the commented responses, each labelled with the tone
of the template it was written from, except that people disagree now and then
(``DISAGREE`` of the labels are another sentiment, as real labellers are not unanimous).
Only sentiment is labelled: themes stay with the keywords.

``cxdash demo-data`` imports these labels through the one label-import path
(``dashboard.text.service.import_label_rows``), trains a model from them and puts it in
use, so the demo shows a trained model with its cross-validated quality.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import polars as pl

from data import vocab

LABELLED_BY = "demo: CX team"
DISAGREE = 0.08  # share of labels on which the labeller disagrees with the template's tone
MIN_LABELS, MAX_LABELS = 300, 1500  # a few hundred on the small demo, 1,500 at most
SHARE = 1 / 3  # of the commented responses, up to MAX_LABELS


@lru_cache(maxsize=1)
def template_tones() -> dict[str, str]:
    """Every comment text the demo writes -> the tone it was written with.

    A demo comment is a sentence, a sentence and a closing of the same tone, or a
    closing alone (``data.feedback._comments``).
    """
    tones: dict[str, str] = {}
    for language, touchpoints in vocab.COMMENTS.items():
        closings = vocab.CLOSINGS[language]
        sentences = {tone: [s for tp in touchpoints.values() for s in tp[tone]]
                     for tone in vocab.TONES}  # fmt: skip
        sentences["negative"] = sentences["negative"] + list(vocab.INCIDENT_COMMENTS[language])
        for tone in vocab.TONES:
            for closing in closings[tone]:
                tones[closing] = tone
            for sentence in sentences[tone]:
                tones[sentence] = tone
                for closing in closings[tone]:
                    tones[f"{sentence} {closing}"] = tone
    return tones


def label_count(commented: int) -> int:
    """How many of ``commented`` comments the demo's team labelled."""
    return min(commented, MAX_LABELS, max(MIN_LABELS, int(commented * SHARE)))


def demo_labels(comments: pl.DataFrame, seed: int, n: int | None = None) -> pl.DataFrame:
    """The demo's labels of some of ``comments`` (columns response_id, comment): ``n``
    of them (default :func:`label_count`; the benchmark's learning curve asks for more).

    Returns columns response_id, sentiment, in response_id order; the same comments and
    seed give the same labels. Comments not written from a template (an import's) are
    not labelled.
    """
    tones = template_tones()
    known = comments.filter(pl.col("comment").is_in(list(tones))).sort("response_id")
    rng = np.random.default_rng([seed, 16])  # its own stream: the rest of the demo is unchanged
    size = label_count(known.height) if n is None else min(n, known.height)
    picked = np.sort(rng.choice(known.height, size=size, replace=False))
    sample = known[picked]
    truth = [tones[c] for c in sample["comment"].to_list()]
    disagree = rng.random(sample.height) < DISAGREE
    shift = rng.integers(1, len(vocab.TONES), sample.height)  # to one of the other two
    sentiments = [
        vocab.TONES[(vocab.TONES.index(t) + s) % len(vocab.TONES)] if d else t
        for t, d, s in zip(truth, disagree, shift, strict=True)
    ]
    return pl.DataFrame(
        {"response_id": sample["response_id"], "sentiment": sentiments},
        schema={"response_id": pl.String, "sentiment": pl.String},
    )
