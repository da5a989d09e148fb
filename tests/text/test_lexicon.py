from __future__ import annotations

import pytest

from dashboard.text import lexicon
from dashboard.text.normalize import fold


@pytest.mark.parametrize(
    "text, expected",
    [
        # Vietnamese, with diacritics
        ("Sản phẩm tốt", "positive"),
        ("không tốt", "negative"),
        ("chẳng hài lòng chút nào", "negative"),
        ("chưa nhận được hàng", "negative"),
        ("Không đăng nhập được", "negative"),
        ("không ai trả lời", "negative"),
        ("không tệ", "positive"),
        ("không phải chờ lâu", "positive"),
        ("không có vấn đề gì", "positive"),
        ("Sẽ không mua lại nữa", "negative"),
        ("giao hàng rất chậm", "negative"),
        # English
        ("good", "positive"),
        ("not good", "negative"),
        ("The parcel never arrived", "negative"),
        ("no problem at all", "positive"),
        ("not bad", "positive"),
        ("nobody answered the phone", "negative"),
        ("It didn't work", "negative"),
        ("can't log in", "negative"),
        ("I won't buy again", "negative"),
        ("Will buy again", "positive"),
        # no sentiment words
        ("Tôi mua áo", "neutral"),
        ("I bought a shirt", "neutral"),
    ],
)
def test_negation_both_languages(text, expected):
    assert lexicon.sentiment(text) == expected


@pytest.mark.parametrize(
    "text",
    ["không tốt", "chẳng hài lòng", "chưa nhận được hàng", "không tệ", "giao hàng nhanh",
     "nhân viên nhiệt tình", "không phải chờ lâu"],
)  # fmt: skip
def test_folded_text_reads_like_text_with_diacritics(text):
    assert lexicon.score(fold(text)) == lexicon.score(text)
    assert lexicon.score(text.upper()) == lexicon.score(text)


def test_ambiguous_folded_words_need_their_marks():
    # "đắt" (expensive) and "đặt" (to order) both fold to "dat": only the marked form counts.
    assert lexicon.sentiment("đắt quá") == "negative"
    assert lexicon.sentiment("dat hang") == "neutral"


def test_negation_reaches_three_words_and_stops_at_punctuation():
    within = "không " + "xyz " * (lexicon.NEGATION_WINDOW - 1) + "tốt"
    beyond = "không " + "xyz " * lexicon.NEGATION_WINDOW + "tốt"
    assert lexicon.sentiment(within) == "negative"
    assert lexicon.sentiment(beyond) == "positive"
    assert lexicon.sentiment("không. tốt") == "positive"


def test_contrast_weighs_what_follows():
    score, hits = lexicon.analyse("nice staff but slow")
    assert [h.words for h in hits] == ["nice", "slow"]
    assert score == pytest.approx(1.0 / 2 - 1.0)  # nice counts half, then slow
    assert lexicon.sentiment("Website ổn nhưng giao hàng rất chậm") == "negative"


def test_intensity():
    assert lexicon.score("rất tốt") == pytest.approx(1.5 * lexicon.score("tốt"))
    assert lexicon.score("hơi chậm") == pytest.approx(0.5 * lexicon.score("chậm"))


def test_classify_returns_labels_and_scores():
    labels, scores = lexicon.classify(["tốt", "tệ", None])
    assert labels == ["positive", "negative", "neutral"]
    assert scores[0] > 0 > scores[1] and scores[2] == 0
