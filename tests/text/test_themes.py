from __future__ import annotations

import unicodedata

import polars as pl
import pytest

from dashboard.text import themes

TAXONOMY = """
# a comment line
[delivery]
label = "Delivery"
vi = ["giao hàng", "shipper"]
en = ["deliver*", "courier"]
exclude = ["giao diện"]

[price]
label = "Price"
vi = ["giá"]
en = ["price"]

[app]
vi = ["ứng dụng"]
en = ["app"]
"""


@pytest.fixture
def taxonomy() -> themes.Taxonomy:
    return themes.parse(TAXONOMY, "test.toml")


@pytest.mark.parametrize(
    "comment",
    [
        "Giao hàng nhanh",
        "giao hang nhanh",  # typed without diacritics
        "GIAO HÀNG NHANH",
        unicodedata.normalize("NFD", "Giao hàng nhanh"),
        "giao hàng nhanh",  # half with, half without
        "Shipper thân thiện",
        "The parcel was delivered late",  # deliver* is a prefix
        "Courier never came",
    ],
)
def test_delivery_matches_with_and_without_diacritics(taxonomy, comment):
    assert themes.themes_of(comment, taxonomy) == ["delivery"]


@pytest.mark.parametrize(
    "comment, expected",
    [
        ("Giá hơi cao", ["price"]),
        ("GIÁ hơi cao", ["price"]),
        ("gia hoi cao", []),  # one marked word typed without marks: too ambiguous
        ("Hàng giả", []),  # giả (fake) is not giá (price)
        ("the price was fine", ["price"]),
        ("prices", []),  # whole words only; "price" has no *
        ("Giao diện ứng dụng đẹp", ["app"]),  # "giao diện" is excluded from delivery
        ("giao dien ung dung dep", ["app"]),  # ... also typed without marks
        ("Apply the code", []),  # "app" is a whole word
        ("Giao diện đẹp, giao hàng nhanh", ["delivery"]),
    ],
)
def test_word_boundaries_marks_and_excludes(taxonomy, comment, expected):
    assert themes.themes_of(comment, taxonomy) == expected


def test_several_themes_in_taxonomy_order(taxonomy):
    assert themes.themes_of("App giao hàng, giá rẻ", taxonomy) == ["delivery", "price", "app"]


def test_theme_matches_is_vectorised_over_a_frame(taxonomy):
    comments = {"a": "Giao hàng chậm", "b": "giá tốt, app ok", "c": "không có gì"}
    words = {k: themes.words_of(v) for k, v in comments.items()}
    frame = pl.DataFrame(
        {
            "response_id": list(words),
            "words": list(words.values()),
            "words_folded": [themes.folded_words_of(w) for w in words.values()],
        }
    )
    got = themes.theme_matches(frame, taxonomy)
    assert got.rows() == [("a", "delivery"), ("b", "price"), ("b", "app")]


def test_words_are_normalised_and_padded():
    assert themes.words_of("  Hoà!! KHOẺ, e-invoice ") == " hòa khỏe e invoice "
    assert themes.folded_words_of(themes.words_of("Đặt hàng")) == " dat hang "


def test_default_taxonomy_loads_and_covers_the_retail_themes():
    ids = themes.default().ids
    retail = ("delivery", "price", "staff_service", "product_quality", "app_website",
              "payment", "store", "returns_refunds", "promotions", "waiting_time")  # fmt: skip
    assert set(retail) <= set(ids)
    assert themes.themes_of("Thanh toán thẻ bị lỗi", themes.default()) == ["payment"]
    assert "delivery" in themes.themes_of("giao hang tre ca tuan", themes.default())


BAD = [
    # (TOML text, line, what the message says after "test.toml, line N: ")
    ('[delivery]\nvi = ["giao"\n', 2, "not valid TOML: Unclosed array"),
    ('[a]\nen = ["x"]\n[b]\nvi = giao\n', 4, "not valid TOML: Invalid value"),
    ('[delivery]\nvi = ["giao"]\ncolour = "red"\n', 3, "theme 'delivery': unknown key 'colour'"),
    ('[Delivery]\nvi = ["giao"]\n', 1, "theme 'Delivery': a theme id is"),
    ('[delivery]\nlabel = "D"\n', 1, "theme 'delivery': needs at least one keyword"),
    ('[delivery]\nlabel = "D"\nen = ["ship", 3]\n', 3, "theme 'delivery': en must be a list"),
    ('[delivery]\nen = ["ship", "SHIP"]\n', 2, "theme 'delivery': keyword 'SHIP' repeats 'ship'"),
    ('[delivery]\nen = ["sh*ip"]\n', 2, "theme 'delivery': keyword 'sh*ip': '*' may only end"),
    ('[delivery]\nen = ["!!"]\n', 2, "theme 'delivery': keyword '!!' has no letters"),
    ('[a]\nen = ["x"]\n\n[b]\nvi = "giao"\n', 5, "theme 'b': vi must be a list"),
    ("delivery = 3\n", 1, "'delivery' must be a [table]"),
]


@pytest.mark.parametrize("text, line, fault", BAD)
def test_loading_errors_name_file_line_and_fault(text, line, fault):
    with pytest.raises(themes.TaxonomyError) as error:
        themes.parse(text, "test.toml")
    assert str(error.value).startswith(f"test.toml, line {line}: {fault}")


def test_an_empty_taxonomy_is_an_error():
    with pytest.raises(themes.TaxonomyError, match="^test.toml: no themes"):
        themes.parse("# nothing\n", "test.toml")


def test_load_file_names_the_file(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text("[x]\nen = 1\n", encoding="utf-8")
    with pytest.raises(themes.TaxonomyError, match=r"mine\.toml, line 2: theme 'x'"):
        themes.load_file(path)
    with pytest.raises(themes.TaxonomyError, match="cannot read"):
        themes.load_file(tmp_path / "missing.toml")


def test_theme_quality_precision_and_recall():
    matched = pl.DataFrame(
        {"response_id": ["1", "2", "3", "3", "9"], "theme": ["a", "a", "a", "b", "a"]}
    )
    labelled = pl.DataFrame({"response_id": ["1", "2", "3", "4"], "themes": ["a", "b", "a;b", ""]})
    got = themes.theme_quality(matched, labelled, ["a", "b", "c"]).sort("theme")
    # a: people said 1, 3; keywords said 1, 2, 3 (9 is not labelled) -> P 2/3, R 2/2
    # b: people said 2, 3; keywords said 3 -> P 1/1, R 1/2; c: nobody, nothing
    assert got.select("theme", "labelled", "matched", "true_positives").rows() == [
        ("a", 2, 3, 2),
        ("b", 2, 1, 1),
        ("c", 0, 0, 0),
    ]
    a, b, c = got.rows(named=True)
    assert a["precision"] == pytest.approx(200 / 3) and a["recall"] == 100
    assert a["f1"] == pytest.approx(80.0)
    assert b["precision"] == 100 and b["recall"] == 50 and b["f1"] == pytest.approx(200 / 3)
    assert c["precision"] is None and c["recall"] is None and c["f1"] is None


def test_split_and_join_themes():
    assert themes.split_themes(" price ; delivery;;") == ["price", "delivery"]
    assert themes.split_themes(None) == []
    assert themes.join_themes(["price", "delivery", "price"]) == "delivery;price"
