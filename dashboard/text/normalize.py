"""One canonical form per comment, its diacritic-free fold, and the comment's language.

DESIGN.md ("Comments"): every comment is normalised before any analysis -- Unicode
NFC, lower case, collapsed whitespace, one tone-placement convention -- and search
matches with or without Vietnamese diacritics.

Tone placement. Vietnamese writes the syllables whose vowels are ``oa``, ``oe`` and
``uy`` (with no final consonant) in two conventions: the traditional ("old") one puts
the tone mark on the first vowel -- hòa, khỏe, thúy, lũy -- and the 1980s reform
("new") one on the second -- hoà, khoẻ, thuý, luỹ. Keyboards (Unikey, phone layouts)
differ in which they type, so the same word arrives in both. :func:`normalise` writes
every such syllable in the **old style** (tone on ``o``/``u``): it is what most
Vietnamese text uses, including the demo data. The rule applies only to open
syllables: with a final consonant both conventions put the tone on the second vowel
(hoàng, toán, huỳnh), and a mark typed on the first vowel there is moved back
(``hòang`` -> ``hoàng``). ``qu`` is a consonant, so ``quý`` keeps its mark on ``y``
(``qúy`` -> ``quý``).
"""

from __future__ import annotations

import re
import unicodedata

# The five tone marks (combining): grave (huyền), acute (sắc), tilde (ngã),
# hook above (hỏi), dot below (nặng). Circumflex, breve and horn are not tones.
TONE_MARKS = ("\u0300", "\u0301", "\u0303", "\u0309", "\u0323")
_TONE_SET = frozenset(TONE_MARKS)

_CONSONANTS = "bcdđghklmnpqrstvx"
_V1 = "oòóỏõọuùúủũụ"  # o / u, bare or toned
_V2 = "aàáảãạeèéẻẽẹyỳýỷỹỵ"  # a / e / y, bare or toned
# Only candidates reach the Python callback: onset consonants, o|u, a|e|y, an
# optional final consonant, as a whole word (no letter on either side).
_CANDIDATE = re.compile(
    rf"(?<![^\W\d_])([{_CONSONANTS}]*)([{_V1}])([{_V2}])(ch|ng|nh|[cmnpt])?(?![^\W\d_])"
)
_PAIRS = frozenset({"oa", "oe", "uy"})
# Characters that change nothing visible but split words or defeat comparisons.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))


def _split_tone(char: str) -> tuple[str, str | None]:
    """('ọ' -> ('o', dot below)); the base keeps non-tone marks (ô, ơ, ă...)."""
    decomposed = unicodedata.normalize("NFD", char)
    tones = [c for c in decomposed if c in _TONE_SET]
    base = "".join(c for c in decomposed if c not in _TONE_SET)
    return unicodedata.normalize("NFC", base), (tones[0] if tones else None)


def _with_tone(base: str, tone: str | None) -> str:
    return unicodedata.normalize("NFC", base + tone) if tone else base


def _place_tone(match: re.Match) -> str:
    onset, first, second, final = match.group(1), match.group(2), match.group(3), match.group(4)
    base1, tone1 = _split_tone(first)
    base2, tone2 = _split_tone(second)
    tone = tone1 or tone2
    if tone is None or (tone1 and tone2) or base1 + base2 not in _PAIRS:
        return match.group(0)
    if onset.endswith("q") and base1 == "u":
        # "qu" is the consonant: the mark belongs on the vowel after it (quý, quỳ).
        return onset + base1 + _with_tone(base2, tone) + (final or "")
    if final:  # closed syllable: the mark is on the second vowel in every convention
        return onset + base1 + _with_tone(base2, tone) + final
    return onset + _with_tone(base1, tone) + base2  # open syllable: old style, hòa / thúy


def normalise(text: str | None) -> str:
    """The canonical form every analysis works on.

    Unicode NFC, lower case, invisible characters removed, whitespace runs collapsed
    to one space (trimmed), and the ``oa``/``oe``/``uy`` tone marks in the old style
    (see the module docstring): ``"Hoà  KHOẺ"`` -> ``"hòa khỏe"``. ``None`` -> ``""``.
    """
    if not text:
        return ""
    text = unicodedata.normalize("NFC", text).lower().translate(_INVISIBLE)
    text = " ".join(text.split())
    return _CANDIDATE.sub(_place_tone, text)


def _strip_table() -> dict[int, str | None]:
    """Precomposed Latin letters -> their base letter; combining marks -> nothing."""
    table: dict[int, str | None] = {ord("đ"): "d", ord("Đ"): "D"}
    for code in [*range(0x00C0, 0x0250), *range(0x1E00, 0x1F00)]:
        char = chr(code)
        base = "".join(
            c for c in unicodedata.normalize("NFD", char) if not unicodedata.combining(c)
        )
        if base and base != char:
            table[code] = base
    for code in range(0x0300, 0x0370):  # combining diacritical marks (NFD input)
        table[code] = None
    return table


_STRIP = _strip_table()


def strip_diacritics(text: str) -> str:
    """Every diacritic of Latin letters removed (precomposed or combining), đ -> d."""
    if text.isascii():
        return text
    stripped = text.translate(_STRIP)
    if stripped.isascii():
        return stripped
    # Rare: a letter outside the table's ranges, or a mark it does not list.
    decomposed = unicodedata.normalize("NFD", stripped)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def fold(text: str | None) -> str:
    """:func:`normalise`, then every diacritic stripped and đ -> d.

    ``fold("Giao Hàng")`` == ``fold("giao hang")`` == ``"giao hang"``: the form search and
    theme keywords compare on.
    """
    return strip_diacritics(normalise(text))


# -- language ---------------------------------------------------------------------------


def _word_set(block: str) -> frozenset[str]:
    return frozenset(block.split())


# Letters that (among the languages a Vietnamese retailer hears) only Vietnamese writes:
# hook above, dot below, horn, breve, and the circumflex vowels carrying a tone.
_VI_ONLY = frozenset("ảạăằắẳẵặầấẩẫậđẻẽẹềếểễệỉĩịỏọồốổỗộơờớởỡợủũụưừứửữựỳỷỹỵ")
# Vietnamese words commonly typed without diacritics that are not English words.
_VI_WORDS = _word_set(
    """
    khong ko k hok hong duoc dc rat cua toi minh nhung chua bi se thi nay voi mot nhieu
    qua lam roi luon nua lai het cung thay biet muon phai nen neu khi sau truoc ngay gio
    phut lan nguoi ai gi sao vay nhe nha a ạ oi shop sp nv giao nhan vien san pham dat
    tot nhanh cham tien mua tu ve duoc cho den tre giup hai long thanh toan tong dai dich
    vu chat luong khach hang cua hang don hoan doi tra loi ung dung trang web gia re dat
    qua tuyet voi te thai do nhiet tinh hu hong vo moi cu ban be lien he cam on xin
"""
) - {"a", "to", "the", "can", "do", "me", "an", "ban", "so", "hang", "web", "shop", "gio"}
_EN_WORDS = _word_set(
    """
    the a an and or is are was were be been being it its i my me we our you your they
    their this that these those not no never very but with for of to in on at from by
    have has had did does do would could should will can cannot can't didn't don't
    doesn't wasn't isn't won't after before too so just all again still really
    order ordered delivery delivered staff good bad great slow fast please price service
    store product app website payment refund received arrived waiting waited nobody
"""
)
_TOKEN = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")


def detect_language(text: str | None) -> str | None:
    """'vi', 'en' or None, offline, from the text alone.

    Vietnamese when the text has a letter only Vietnamese writes (ư, ơ, đ, ạ, ả ...);
    otherwise the common words of each language are counted -- Vietnamese ones as
    typed without diacritics ("khong", "duoc", "nhan vien"), plus words carrying any
    other accent -- and the larger count wins. None for empty text and for a tie
    (including no evidence at all: "ok", "10/10").
    """
    return detect_normalised(normalise(text))


def detect_normalised(normalised: str) -> str | None:
    """:func:`detect_language` of text that is already ``normalise``d."""
    if not normalised:
        return None
    if not normalised.isascii() and any(c in _VI_ONLY for c in normalised):
        return "vi"
    vi = en = 0
    for word in _TOKEN.findall(normalised):
        if word in _EN_WORDS:
            en += 1
        elif word in _VI_WORDS or strip_diacritics(word) != word:
            vi += 1
    if vi == en:
        return None
    return "vi" if vi > en else "en"


def language_code(value: str | None) -> str | None:
    """An import's language value as a short code: 'vi-VN' -> 'vi', 'English' -> 'en',
    'Tiếng Việt' -> 'vi'; other values lower-cased; empty -> None."""
    if value is None:
        return None
    code = fold(value).strip()
    if not code:
        return None
    if code.startswith(("vi", "tieng viet")):
        return "vi"
    if code.startswith(("en", "tieng anh")):
        return "en"
    return code
