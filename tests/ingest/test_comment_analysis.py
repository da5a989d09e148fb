"""Imports are scored as they land: the load that writes feedback analyses its comments
(language, sentiment, themes) in the same transaction, on every backend."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from dashboard import db
from dashboard.ingest import labels as label_files
from dashboard.ingest.write import load
from dashboard.text import service
from queries import schema
from tests.text.synthetic import comments


def feedback(rows: list[tuple[str, str | None]]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "response_id": [r for r, _ in rows],
            "responded_at": [dt.datetime(2025, 5, 1, 9) + dt.timedelta(hours=i)
                             for i in range(len(rows))],
            "touchpoint": ["Delivery"] * len(rows),
            "nps": [5] * len(rows),
            "comment": [c for _, c in rows],
        },
        schema_overrides={"nps": pl.Int16},
    )  # fmt: skip


def facts(engine) -> dict[str, dict]:
    frame = db.fetch(schema.comment_facts.select(), engine)
    return {row["response_id"]: row for row in frame.iter_rows(named=True)}


def test_an_import_analyses_the_comments_it_writes(store):
    with load(store, origin="test") as loader:
        rows = [("a1", "Giao hàng rất chậm, thất vọng"), ("a2", None), ("a3", "Great, fast")]
        loader.append("feedback", feedback(rows))
    got = facts(store)
    assert sorted(got) == ["a1", "a3"]
    assert (got["a1"]["sentiment"], got["a1"]["language"], got["a1"]["themes"]) == (
        "negative", "vi", "delivery;waiting_time",
    )  # fmt: skip
    assert got["a3"]["sentiment"] == "positive"
    assert {row["sentiment_source"] for row in got.values()} == {"baseline"}


def test_a_reimport_reanalyses_changed_and_emptied_comments_only(store):
    with load(store, origin="first") as loader:
        loader.append("feedback", feedback([("a1", "Giao hàng rất chậm"), ("a2", "Great"),
                                            ("a3", "Nhân viên thân thiện")]))  # fmt: skip
    before = facts(store)
    with load(store, origin="second") as loader:
        loader.upsert("feedback", feedback([("a1", "Giao hàng nhanh, rất tốt"), ("a2", None)]))
    after = facts(store)
    assert sorted(after) == ["a1", "a3"]  # a2's comment is gone, and so is its analysis
    assert after["a1"]["sentiment"] == "positive"
    assert after["a3"] == before["a3"]  # not written by the second load: untouched


def test_replacing_the_feedback_replaces_the_analysis(store):
    with load(store, origin="first") as loader:
        loader.append("feedback", feedback([("old", "Giao hàng rất chậm")]))
    with load(store, origin="again", replace=["feedback"]) as loader:
        loader.append("feedback", feedback([("new", "Rất hài lòng")]))
    assert sorted(facts(store)) == ["new"]


def test_a_failed_import_leaves_no_analysis(store):
    with pytest.raises(RuntimeError, match="boom"), load(store, origin="x") as loader:
        loader.append("feedback", feedback([("a1", "Giao hàng rất chậm")]))
        raise RuntimeError("boom")
    assert facts(store) == {}


def test_new_imports_are_scored_by_the_model_in_use(store, tmp_path):
    texts, labels, languages = comments(60, seed=5)
    rows = [(f"t{i:02d}", t) for i, t in enumerate(texts)]
    with load(store, origin="labelled") as loader:
        loader.append("feedback", feedback(rows))
    path = tmp_path / "labels.csv"
    pl.DataFrame({"response_id": [r for r, _ in rows], "sentiment": labels}).write_csv(path)
    label_files.import_labels(store, path, labelled_by="test")
    service.activate_model(store, service.train_model(store, by="test").version, by="test")
    with load(store, origin="later") as loader:
        loader.append("feedback", feedback([("later", "delivery was very late, rude staff")]))
    later = facts(store)["later"]
    assert (later["sentiment"], later["sentiment_source"], later["model_version"]) == (
        "negative", "model", 1,
    )  # fmt: skip


def test_the_demo_generator_can_leave_the_analysis_for_later(store):
    with load(store, origin="demo", analyse_comments=False) as loader:
        loader.append("feedback", feedback([("d1", "Giao hàng rất chậm")]))
    assert facts(store) == {}
