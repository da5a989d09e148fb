"""The demo's comments arrive labelled by a (synthetic) CX team, with a trained model in
use: its labels, its model and its analysis, checked on the generated store."""

from __future__ import annotations

import json

import polars as pl
import pytest
import sqlalchemy as sa

from dashboard import db
from data import generator, labels
from queries import schema
from queries.text import comments_to_analyse
from tests.data.test_generator import _duck


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> sa.Engine:
    engine = _duck(tmp_path_factory.mktemp("demo_comments") / "small.duckdb")
    generator.generate(engine, scale="small", seed=42)
    yield engine
    engine.dispose()


def table(engine, t: sa.Table) -> pl.DataFrame:
    return db.fetch(sa.select(t), engine)


def test_the_demo_ships_labels_and_a_model_in_use(demo):
    commented = db.fetch(comments_to_analyse(), demo)
    stored = table(demo, schema.comment_labels)
    assert stored.height == labels.label_count(commented.height) >= labels.MIN_LABELS
    assert set(stored["labelled_by"]) == {labels.LABELLED_BY}
    models = table(demo, schema.sentiment_models)
    assert models.height == 1 and models["active"].to_list() == [True]
    metrics = json.loads(models["metrics"][0])
    assert metrics["n_labels"] == stored.height
    assert set(metrics["per_language"]) == {"en", "vi"}
    assert metrics["macro_f1"] > metrics["baseline"]["macro_f1"]  # worth switching on
    facts = table(demo, schema.comment_facts)
    assert facts.height == commented.height  # every comment analysed
    assert set(facts["sentiment_source"]) == {"label", "model"}
    assert (facts["sentiment_source"] == "label").sum() == stored.height
    assert set(facts.filter(pl.col("sentiment_source") == "model")["model_version"]) == {1}


def test_labels_follow_the_templates_tone_but_people_disagree_sometimes(demo):
    stored = table(demo, schema.comment_labels).join(
        db.fetch(comments_to_analyse(), demo), on="response_id"
    )
    tones = labels.template_tones()
    agree = [tones[c] == s for c, s in zip(stored["comment"], stored["sentiment"], strict=True)]
    disagreement = 1 - sum(agree) / len(agree)
    assert 0.04 < disagreement < 0.12  # DISAGREE = 8%
    assert set(stored["sentiment"]) == {"negative", "neutral", "positive"}


def test_demo_labels_are_seeded():
    comments = pl.DataFrame(
        {
            "response_id": [f"R{i:09d}" for i in range(2000)],
            "comment": [list(labels.template_tones())[i % 500] for i in range(2000)],
        }
    )
    first = labels.demo_labels(comments, seed=42)
    assert first.equals(labels.demo_labels(comments, seed=42))
    assert not first.equals(labels.demo_labels(comments, seed=43))
    assert first.height == labels.label_count(2000) == 666
    # a comment the demo did not write (an import's) is never labelled
    other = comments.with_columns(pl.lit("một bình luận khác").alias("comment"))
    assert labels.demo_labels(other, seed=42).height == 0


def test_every_demo_comment_has_a_known_tone(demo):
    commented = db.fetch(comments_to_analyse(), demo)
    unknown = commented.filter(~pl.col("comment").is_in(list(labels.template_tones())))
    assert unknown.height == 0


def test_replacing_the_demo_replaces_its_labels_and_model(tmp_path):
    engine = _duck(tmp_path / "twice.duckdb")
    try:
        generator.generate(engine, scale="small", seed=7)
        first = table(engine, schema.comment_labels).drop("labelled_at").sort("response_id")
        generator.generate(engine, scale="small", seed=7, replace=True)
        again = table(engine, schema.comment_labels).drop("labelled_at").sort("response_id")
        assert again.equals(first)
        assert table(engine, schema.sentiment_models)["version"].to_list() == [1]
    finally:
        engine.dispose()
