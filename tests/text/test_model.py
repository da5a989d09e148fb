from __future__ import annotations

import numpy as np
import pytest

from dashboard.text import model
from dashboard.text.normalize import fold, normalise
from tests.text.synthetic import comments


@pytest.fixture(scope="module")
def trained() -> model.TrainedModel:
    texts, labels, languages = comments(60)
    return model.train(texts, labels, languages)


def test_metrics_are_computed_before_the_model_is_offered(trained):
    m = trained.metrics
    assert m["n_labels"] == 60
    assert m["folds"] == 5
    assert m["class_counts"] == {"negative": 20, "neutral": 20, "positive": 20}
    assert set(m["per_language"]) == {"en", "vi"}
    assert m["per_language"]["vi"]["n"] == m["per_language"]["en"]["n"] == 30
    assert 0 <= m["macro_f1"] <= 1
    matrix = np.array(m["confusion"]["matrix"])
    assert m["confusion"]["labels"] == ["negative", "neutral", "positive"]
    assert matrix.sum() == 60 and list(matrix.sum(axis=1)) == [20, 20, 20]  # rows = truth
    assert m["augmented_copies"] == 30  # every Vietnamese example has a stripped copy


def test_training_is_deterministic(trained):
    texts, labels, languages = comments(60)
    again = model.train(texts, labels, languages)
    assert again.metrics == trained.metrics
    probe = ["giao hàng chậm quá", "staff were lovely", "giao hang nhanh"]
    _, first = trained.score_with_margin(probe)
    _, second = again.score_with_margin(probe)
    assert np.array_equal(first, second)


def test_it_learns_the_labels_and_reads_text_without_diacritics(trained):
    texts, labels, _ = comments(60)
    assert trained.score(texts) == labels
    vietnamese = [t for t, lang in zip(texts, comments(60)[2], strict=True) if lang == "vi"]
    assert trained.score([fold(t) for t in vietnamese]) == trained.score(vietnamese)


def test_bytes_round_trip(trained):
    blob = trained.to_bytes()
    loaded = model.TrainedModel.from_bytes(blob, trained.metrics)
    probe = ["rất hài lòng", "very disappointed", "app dùng tạm được"]
    assert loaded.score(probe) == trained.score(probe)
    assert loaded.classes == ("negative", "neutral", "positive")


def test_margin_is_top_minus_runner_up(trained):
    decision = trained.pipeline.decision_function(["rất hài lòng"])
    _, margins = trained.score_with_margin(["rất hài lòng"])
    ordered = np.sort(decision[0])
    assert margins[0] == pytest.approx(ordered[-1] - ordered[-2])


def test_too_few_labels_are_refused():
    texts, labels, languages = comments(20)
    with pytest.raises(model.NotEnoughLabels, match="at least 30"):
        model.train(texts, labels, languages)
    texts, labels, languages = comments(60)
    with pytest.raises(model.NotEnoughLabels, match="at least two sentiments"):
        model.train(texts, ["positive"] * 60, languages)
    one_neutral = ["positive", "negative"] * 29 + ["positive", "neutral"]
    with pytest.raises(model.NotEnoughLabels, match=r"neutral \(1\)"):
        model.train(texts, one_neutral, languages)
    with pytest.raises(ValueError, match="unknown sentiment 'good'"):
        model.train(texts, ["good"] * 60, languages)


def test_two_sentiments_are_enough_and_languages_are_detected():
    texts, labels, _ = comments(60)
    kept = [(t, lab) for t, lab in zip(texts, labels, strict=True) if lab != "neutral"]
    two = model.train([t for t, _ in kept], [lab for _, lab in kept])  # languages detected
    assert two.metrics["classes"] == ["negative", "positive"]
    assert set(two.metrics["per_language"]) == {"en", "vi"}
    labels_out, margins = two.score_with_margin(["rất hài lòng", "very disappointed"])
    assert labels_out == ["positive", "negative"] and (margins > 0).all()


def test_fold_features_equal_a_pipeline_fitted_on_the_fold():
    texts, labels, languages = comments(60)
    texts = [normalise(t) for t in texts]
    features = model._FoldFeatures(texts, languages)
    train_idx, test_idx = np.arange(0, 45), np.arange(45, 60)
    train_rows = features.train_rows(train_idx)
    x_train, x_test = features.fold(train_rows, test_idx)
    fitted = model._fit(
        [texts[i] for i in train_idx], [labels[i] for i in train_idx],
        [languages[i] for i in train_idx],
    )  # fmt: skip
    union = fitted.named_steps["features"]
    expected_train = union.transform(
        model._augmented([texts[i] for i in train_idx], [labels[i] for i in train_idx],
                         [languages[i] for i in train_idx])[0]
    )  # fmt: skip
    assert x_train.shape == expected_train.shape
    assert np.allclose(x_train.toarray(), expected_train.toarray(), atol=1e-6)
    assert np.allclose(x_test.toarray(), union.transform([texts[i] for i in test_idx]).toarray(),
                       atol=1e-6)  # fmt: skip


def test_fast_scoring_equals_the_pipeline(trained):
    texts, _, _ = comments(60, seed=11)
    probe = [normalise(t) for t in texts] + ["", "k", "ok ok ok", "hàng   đẹp", "x" * 40]
    expected = trained.pipeline.decision_function(probe)
    assert np.allclose(trained.decision_function(probe), expected, atol=1e-6)
    assert trained.score(probe) == [str(c) for c in trained.pipeline.predict(probe)]
