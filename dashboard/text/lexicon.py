"""The baseline sentiment until a model trained on the business's own labels is active.

A bilingual (Vietnamese + English) retail lexicon with negation, intensity and
contrast handling. Every word list is written here for this product (no public
lexicon or corpus is used). It reads text with diacritics and without: a span typed
in plain ASCII is looked up in the diacritic-free ("folded") lexicon, so "khong tot"
reads like "không tốt" -- except the folded forms that are ambiguous ("dat" is both
đắt, expensive, and đặt, to order), which only count when typed with their marks.

How a comment is scored (:func:`score`):

- Terms (longest match first, up to four words) carry a weight: positive ones
  (tốt, nhanh, friendly) > 0, negative ones (tệ, chậm, broken) < 0.
- A negator (không, chẳng, chưa, not, never, no, nobody ...) flips the next term
  within three words: a negated positive counts as a negative ("không tốt", "not
  good"); a negated negative as a positive of 3/4 its weight ("không tệ", "no
  problem", "không phải chờ lâu"). **Expected events** -- things that should happen (nhận được,
  trả lời, đăng nhập, arrived, answered, work) -- count nothing alone and
  clearly negative when negated ("chưa nhận được", "never arrived", "nobody answered",
  "không đăng nhập được").
- Intensifiers (rất, quá, very) multiply the next term by 1.5; softeners (hơi,
  a bit) by 0.5.
- Contrast (nhưng, tuy nhiên, but, however): what comes before counts half.
- Total ≥ 0.75 -> positive, ≤ -0.75 -> negative, else neutral.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from dashboard.text.normalize import normalise, strip_diacritics

POSITIVE_AT = 0.75
NEGATIVE_AT = -0.75
NEGATION_WINDOW = 3  # words after a negator that it may reach
INTENSITY_WINDOW = 2
MAX_PHRASE = 4
NEGATED_NEGATIVE = 0.75  # share of a negative term's weight that its negation praises

# weight: terms. Positive weights for praise, negative for complaints. Written in any
# tone convention: every term goes through ``normalise`` when the tables are built.
_POSITIVE = """
2: tuyệt vời, tuyệt, xuất sắc, hoàn hảo, quá tuyệt, rất tuyệt, đỉnh, 10 điểm
2: excellent, amazing, awesome, perfect, outstanding, fantastic, wonderful, best, superb
1.5: hài lòng, ưng ý, chu đáo, nhiệt tình, thân thiện, tận tâm, tận tình, chuyên nghiệp
1.5: đáng tiền, ủng hộ, yêu thích, rất thích, dễ thương, giới thiệu cho, tin tưởng
1.5: love, loved, happy, satisfied, pleased, friendly, helpful, recommend, recommended
1.5: professional, caring, attentive, delighted, worth it, value for money, well done
1: tốt, thích, ưng, nhanh, nhanh chóng, nhanh gọn, lịch sự, cẩn thận, rõ ràng, dễ dùng
1: dễ sử dụng, dễ dàng, dễ tìm, tiện lợi, tiện, mượt, mượt mà, đẹp, rẻ, giá rẻ, giá tốt
1: hợp lý, nguyên vẹn, đúng hẹn, đúng giờ, sạch sẽ, gọn gàng, cảm ơn, cám ơn, xịn, ngon
1: bền, chính hãng, vui vẻ, nhanh nhẹn, chất lượng tốt, hàng tốt, tuyệt đối, an tâm, yên tâm
1: good, great, nice, fast, quick, quickly, smooth, smoothly, easy, convenient, clear
1: clean, cheap, affordable, reasonable, polite, kind, reliable, carefully, well packed
1: on time, as promised, thanks, thank you, fresh, beautiful, comfortable, efficient
1: glad, enjoy, enjoyed, intact, tidy, right away, same day, genuine, handy
1: giải quyết, giải quyết ngay, solved, resolved, fixed, helped, sorted, mua lại, quay lại
1: buy again, order again, come back, tiếp tục mua
0.5: ổn, ok, oke, okay, fine, ưu đãi, miễn phí, khuyến mãi hấp dẫn, chi tiết, kỹ, đầy đủ
0.5: deal, deals, free, discount, detailed, decent, chuẩn, tạm được, không sao
"""
_NEGATIVE = """
2: tệ, quá tệ, tồi, tồi tệ, thất vọng, lừa đảo, gian lận, thô lỗ, vô dụng, vô trách nhiệm
2: kém chất lượng, hàng giả, rất tệ, cực kỳ tệ, không bao giờ quay lại
2: terrible, awful, horrible, worst, disappointed, disappointing, useless, rude, scam
2: charged twice, fraud, never again, waste of money, waste of time, unacceptable
1.5: kém, dở, chán, bực, bực mình, khó chịu, chậm trễ, hỏng, hư hỏng, vỡ, bẩn, dơ, lừa
1.5: qua loa, cẩu thả, thiếu nhiệt tình, thiếu thiện chí, hàng lỗi, bị trừ tiền, phàn nàn
1.5: đắt đỏ, quá đắt, giá quá cao, khiếu nại, không chuyên nghiệp
1.5: bad, poor, unhappy, angry, annoying, annoyed, frustrating, frustrated, unhelpful
1.5: broken, damaged, overpriced, overcharged, fake, dirty, complaint, complain, worse
1.5: mistake, careless, misleading, nightmare
1: chậm, trễ, muộn, lâu, chờ lâu, đợi lâu, lỗi, bị lỗi, báo lỗi, hư, bể, móp, rách, sai
1: nhầm, thiếu, đắt, mắc, giá cao, bừa bộn, phức tạp, rườm rà, khó dùng, khó khăn, văng
1: bị văng, đơ, treo, giật, lag, tốn pin, phiền, làm phiền, bị ngắt, ngắt, từ chối, hết hàng
1: mất, bị mất, hủy đơn, dời lịch, sai địa chỉ, kẹt, bị kẹt, không rõ, chật, ồn
1: slow, late, delay, delayed, long wait, wrong, missing, lost, error, errors, bug, buggy
1: crash, crashes, crashed, freeze, freezes, frozen, stuck, fail, fails, failing, failed
1: problem, problems, expensive, messy, cumbersome, complicated, confusing, difficult
1: refused, drains, dropped, cancelled, canceled, dented, not working, noisy, unclear
1: spam, rescheduling, rescheduled, out of stock, still waiting, vẫn chờ, vẫn đang chờ
1: vấn đề, trục trặc, sự cố, issue, issues
0.5: bị, chờ đợi, hơi chậm, wait, waiting, waited, crowded, tight, hard
0.5: khó, đông, on hold
"""
# Things that should happen: nothing alone (it is what a customer expects), clearly
# negative when negated.
_EXPECTED = """
nhận được, nhận, nhận hàng, trả lời, phản hồi, hỗ trợ, liên lạc, liên hệ
đăng nhập, áp dụng, hoạt động, gặp được, bắt máy, nghe máy, hoàn tiền, cập nhật
dùng được, sử dụng được, xử lý, được, báo, thông báo, đến, tới, giao
arrive, arrived, arrives, receive, received, work, works, worked, answer, answered
answers, reply, replied, replies, respond, responded, response, help, solve
resolve, fix, refund, refunded, deliver, delivered, log in
login, pick up, picked up, call back, called back, show up, showed up, update, updated
apply, applied, told, explain, explained, come, came, return
"""
_EXPECTED_ALONE = 0.0
_EXPECTED_NEGATED = -1.5
# Phrases that contain a term but are not about it, matched first so they block it
# ("chăm sóc" is care, not chậm; "ứng dụng" is an app, not ưng).
_NEUTRAL = """
chăm sóc, ứng dụng, đặt hàng, đặt lại, đặt trước, không những, không chỉ, không ngờ
không biết, bị chuyển, no way, not only, no matter, lost in, hold on, wait for
"""
_NEGATORS = """
không, chẳng, chả, chưa, không hề, chẳng hề, chưa hề, chả hề, không bao giờ, chưa bao giờ
đâu có, chẳng có, không có, không ai, chẳng ai, ko, k, kg, khg, hok, hông, vẫn chưa
not, no, never, nobody, nothing, none, neither, nor, without, hardly, cannot, no one
"""
_INTENSIFIERS = """
rất, quá, cực, cực kỳ, siêu, vô cùng, thật sự, thực sự, lắm, hết sức
very, really, so, extremely, super, too, absolutely, totally, highly, incredibly
"""
_SOFTENERS = """
hơi, khá, một chút, chút, hơi bị, tạm
a bit, a little, bit, slightly, somewhat, rather, kind of, fairly
"""
_CONTRAST = """
nhưng, nhưng mà, tuy nhiên, but, however, although, though
"""


def _word_set(block: str) -> frozenset[str]:
    return frozenset(block.split())


# Folded (diacritic-free) forms too ambiguous to trust when typed without marks:
# each is also another common Vietnamese or English word.
_AMBIGUOUS_FOLDED = _word_set(
    """
    on do muon vo be hu mat dat mac re ben loi kem tien ky ung hong nhan bao den toi
    cha bi kho dong chat giat treo
"""
)

_CONTRACTIONS = (
    (re.compile(r"\bcan[’']t\b"), "can not"),
    (re.compile(r"\bwon[’']t\b"), "will not"),
    (re.compile(r"n[’']t\b"), " not"),
)
_TOKEN = re.compile(r"[^\W_]+|[.,;:!?()]")
_BOUNDARY = frozenset(".,;:!?()")


@dataclass(frozen=True)
class Term:
    """What a matched span is: a weighted term, or a negator / intensity / contrast word."""

    kind: str  # "term", "negator", "intensity", "contrast"
    alone: float = 0.0  # weight as written
    negated: float = 0.0  # weight after a negator
    factor: float = 1.0  # for intensity words


def _phrases(block: str) -> list[str]:
    return [p.strip() for p in block.replace("\n", ",").split(",") if p.strip()]


def _weighted(block: str) -> list[tuple[str, float]]:
    out = []
    for line in block.strip().splitlines():
        weight, _, terms = line.partition(":")
        out += [(phrase, float(weight)) for phrase in _phrases(terms)]
    return out


def _tokens(text: str) -> list[str]:
    """Words and clause punctuation of normalised text, English contractions opened."""
    for pattern, replacement in _CONTRACTIONS:
        text = pattern.sub(replacement, text)
    return _TOKEN.findall(text)


def _entries() -> dict[str, Term]:
    entries: dict[str, Term] = {}
    for phrase, weight in _weighted(_POSITIVE):
        entries[phrase] = Term("term", weight, -weight)
    for phrase, weight in _weighted(_NEGATIVE):
        # "not bad", "no problem", "không tệ": praise, if less than the word's weight.
        entries[phrase] = Term("term", -weight, weight * NEGATED_NEGATIVE)
    for phrase in _phrases(_EXPECTED):
        entries[phrase] = Term("term", _EXPECTED_ALONE, _EXPECTED_NEGATED)
    for phrase in _phrases(_NEUTRAL):
        entries[phrase] = Term("term", 0.0, 0.0)
    for phrase in _phrases(_NEGATORS):
        entries[phrase] = Term("negator")
    for phrase in _phrases(_INTENSIFIERS):
        entries[phrase] = Term("intensity", factor=1.5)
    for phrase in _phrases(_SOFTENERS):
        entries[phrase] = Term("intensity", factor=0.5)
    for phrase in _phrases(_CONTRAST):
        entries[phrase] = Term("contrast")
    return entries


def _build_tables() -> tuple[dict[tuple[str, ...], Term], dict[tuple[str, ...], Term]]:
    """(lexicon keyed by normalised words, lexicon keyed by folded words)."""
    exact: dict[tuple[str, ...], Term] = {}
    for phrase, term in _entries().items():
        exact[tuple(_tokens(normalise(phrase)))] = term
    folded: dict[tuple[str, ...], Term] = {}
    clashes: set[tuple[str, ...]] = set()
    for key, term in exact.items():
        plain = tuple(strip_diacritics(w) for w in key)
        if len(plain) == 1 and plain[0] in _AMBIGUOUS_FOLDED and plain != key:
            continue
        if plain in folded and folded[plain] != term:
            # Two entries fold alike with different meanings: an exact ASCII entry
            # (English, or typed that way here) wins, otherwise neither is trusted.
            if plain in exact:
                folded[plain] = exact[plain]
            else:
                clashes.add(plain)
            continue
        folded[plain] = term
    for plain in clashes:
        folded.pop(plain, None)
    return exact, folded


_EXACT, _FOLDED = _build_tables()


def _longest(table: dict[tuple[str, ...], Term]) -> dict[str, int]:
    """First word -> the longest entry starting with it (most words start none)."""
    out: dict[str, int] = {}
    for key in table:
        out[key[0]] = max(out.get(key[0], 0), len(key))
    return out


_EXACT_FIRST, _FOLDED_FIRST = _longest(_EXACT), _longest(_FOLDED)


def _match(words: list[str], plain: list[bool], start: int) -> tuple[int, Term] | None:
    """The longest lexicon entry at ``start``: (length, term), or None. ``plain[i]``:
    word i was typed without diacritics (so the folded lexicon may read it)."""
    first = words[start]
    longest = max(_EXACT_FIRST.get(first, 0), _FOLDED_FIRST.get(first, 0) if plain[start] else 0)
    for length in range(min(longest, len(words) - start), 0, -1):
        span = tuple(words[start : start + length])
        term = _EXACT.get(span)
        if term is None and all(plain[start : start + length]):
            term = _FOLDED.get(span)
        if term is not None:
            return length, term
    return None


@dataclass(frozen=True)
class Hit:
    """One counted term: its words and what it contributed (before contrast halving)."""

    words: str
    weight: float
    negated: bool


def analyse(text: str | None, *, normalised: bool = False) -> tuple[float, list[Hit]]:
    """(score, the counted terms) of a comment; see the module docstring for the rules.
    ``normalised``: ``text`` is already ``normalise``d (skips that step)."""
    words = _tokens(text or "" if normalised else normalise(text))
    plain = [w.isascii() for w in words]
    clauses: list[float] = [0.0]
    hits: list[Hit] = []
    negation_left = 0
    factor, factor_left = 1.0, 0
    i = 0
    while i < len(words):
        if words[i] in _BOUNDARY:
            negation_left, factor_left = 0, 0
            i += 1
            continue
        found = _match(words, plain, i)
        if found is None:
            negation_left = max(negation_left - 1, 0)
            factor_left = max(factor_left - 1, 0)
            i += 1
            continue
        length, term = found
        if term.kind == "negator":
            negation_left = NEGATION_WINDOW
        elif term.kind == "intensity":
            factor, factor_left = term.factor, INTENSITY_WINDOW
        elif term.kind == "contrast":
            clauses.append(0.0)
            negation_left, factor_left = 0, 0
        else:
            negated = negation_left > 0
            weight = (term.negated if negated else term.alone) * (factor if factor_left else 1.0)
            if weight:
                clauses[-1] += weight
                hits.append(Hit(" ".join(words[i : i + length]), weight, negated))
            negation_left, factor_left = 0, 0
        i += length
    # Before a "but", what was said counts half: the point comes after it.
    total = sum(clauses[:-1]) / 2 + clauses[-1]
    return total, hits


def score(text: str | None, *, normalised: bool = False) -> float:
    """The lexicon score of a comment (> 0 positive, < 0 negative)."""
    return analyse(text, normalised=normalised)[0]


def label_for(value: float) -> str:
    """'positive', 'negative' or 'neutral' for a lexicon score."""
    if value >= POSITIVE_AT:
        return "positive"
    if value <= NEGATIVE_AT:
        return "negative"
    return "neutral"


def sentiment(text: str | None) -> str:
    """'negative', 'neutral' or 'positive' for one comment."""
    return label_for(score(text))


def classify(
    texts: Iterable[str | None], *, normalised: bool = False
) -> tuple[list[str], list[float]]:
    """(labels, scores) for many comments; the score's magnitude is the baseline's
    confidence (``label_queue`` asks about the comments nearest 0 first).
    ``normalised``: the texts are already ``normalise``d."""
    scores = [score(t, normalised=normalised) for t in texts]
    return [label_for(s) for s in scores], scores
