"""Small synthetic labelled comments for the model tests (written here, no corpus)."""

from __future__ import annotations

import random

PIECES = {
    "vi": {
        "negative": ["giao hàng quá chậm", "nhân viên thô lỗ", "hàng bị vỡ", "rất thất vọng",
                     "app lỗi liên tục", "hoàn tiền mãi chưa xong"],
        "neutral": ["giao hàng bình thường", "giá cũng tạm", "nhân viên bình thường",
                    "app dùng tạm được", "cửa hàng hơi đông"],
        "positive": ["giao hàng rất nhanh", "nhân viên nhiệt tình", "hàng đẹp, đóng gói kỹ",
                     "rất hài lòng", "app dễ dùng"],
    },
    "en": {
        "negative": ["delivery was very late", "rude staff", "the item arrived broken",
                     "very disappointed", "the app keeps crashing"],
        "neutral": ["delivery was okay", "prices are average", "staff were fine",
                    "the app is usable", "the store was a bit busy"],
        "positive": ["super fast delivery", "friendly helpful staff", "great product, well packed",
                     "very happy", "the app is easy to use"],
    },
}  # fmt: skip


def comments(n: int, seed: int = 7) -> tuple[list[str], list[str], list[str]]:
    """(texts, labels, languages): two pieces of one tone per comment, seeded."""
    rng = random.Random(seed)
    texts, labels, languages = [], [], []
    for i in range(n):
        language = ("vi", "en")[i % 2]
        tone = ("negative", "neutral", "positive")[(i // 2) % 3]
        first, second = rng.sample(PIECES[language][tone], 2)
        texts.append(f"{first}, {second}")
        labels.append(tone)
        languages.append(language)
    return texts, labels, languages
