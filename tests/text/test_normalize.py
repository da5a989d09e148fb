from __future__ import annotations

import unicodedata

import pytest

from dashboard.text.normalize import detect_language, fold, language_code, normalise


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


@pytest.mark.parametrize(
    "new_style, old_style",
    [
        ("hoà", "hòa"),
        ("thuý", "thúy"),
        ("khoẻ", "khỏe"),
        ("luỹ", "lũy"),
        ("xoè", "xòe"),
        ("uỷ ban", "ủy ban"),
        ("hoá đơn", "hóa đơn"),
        ("Biên Hoà", "biên hòa"),
    ],
)
def test_tone_placement_is_one_convention(new_style, old_style):
    assert normalise(new_style) == normalise(old_style) == old_style.lower()


@pytest.mark.parametrize(
    "word, expected",
    [
        ("hoàng", "hoàng"),  # closed syllable: the mark stays on the second vowel
        ("hòang", "hoàng"),  # ... and is moved there when typed on the first
        ("toán", "toán"),
        ("huỳnh", "huỳnh"),
        ("quý", "quý"),  # qu is a consonant: the mark belongs on y
        ("qúy", "quý"),
        ("quà", "quà"),
        ("thuế", "thuế"),  # uê is not one of the pairs
        ("của", "của"),
        ("khuya", "khuya"),
        ("hoa", "hoa"),  # no mark: nothing to move
    ],
)
def test_tone_placement_leaves_other_syllables_alone(word, expected):
    assert normalise(word) == expected


def test_nfd_input_becomes_nfc():
    text = "Giao hàng nhanh, nhân viên thân thiện"
    assert nfd(text) != text
    assert normalise(nfd(text)) == unicodedata.normalize("NFC", text).lower()
    assert normalise(nfd("Hoà")) == "hòa"


def test_case_whitespace_and_invisible_characters():
    assert normalise("  GIAO\tHÀNG \n\n NHANH\u200b ") == "giao hàng nhanh"
    assert normalise("ĐẶT HÀNG") == "đặt hàng"
    assert normalise(None) == ""
    assert normalise("") == ""


def test_normalise_is_idempotent():
    text = "Hoà KHOẺ, thuý   luỹ"
    assert normalise(normalise(text)) == normalise(text)


@pytest.mark.parametrize(
    "a, b",
    [
        ("giao hang", "Giao Hàng"),
        ("GIAO HANG", nfd("giao hàng")),
        ("dat hang", "Đặt hàng"),
        ("hoa don", "hoá đơn"),
        ("thuy", "Thúy"),
    ],
)
def test_fold_equates_with_and_without_diacritics(a, b):
    assert fold(a) == fold(b)


def test_fold_strips_every_mark():
    assert (
        fold("Nhân viên THÂN THIỆN, đóng gói cẩn thận") == "nhan vien than thien, dong goi can than"
    )
    assert fold("Café") == "cafe"


@pytest.mark.parametrize(
    "text, language",
    [
        ("Giao hàng nhanh, đóng gói cẩn thận.", "vi"),
        (nfd("Nhân viên nhiệt tình"), "vi"),
        ("giao hang nhanh, nhan vien khong nhiet tinh", "vi"),
        ("khong duoc", "vi"),
        ("Delivery was a week late and nobody told me.", "en"),
        ("THE APP CRASHES AT CHECKOUT", "en"),
        ("", None),
        (None, None),
        ("ok", None),
        ("10/10", None),
    ],
)
def test_detect_language(text, language):
    assert detect_language(text) == language


@pytest.mark.parametrize(
    "value, code",
    [("vi", "vi"), ("vi-VN", "vi"), ("Tiếng Việt", "vi"), ("EN", "en"), ("English", "en"),
     ("fr", "fr"), ("", None), (None, None)],
)  # fmt: skip
def test_language_code(value, code):
    assert language_code(value) == code
