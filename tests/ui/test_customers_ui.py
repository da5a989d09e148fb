"""The customer pages' words: SLA countdowns, statuses and headers, in English and
Vietnamese (the pure helpers of dashboard/ui/customers.py)."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from dashboard.i18n import language
from dashboard.ui import customers as cx

D = dt.datetime
NOW = D(2026, 11, 1, 12)


@pytest.mark.parametrize(
    "status, due, en, vi",
    [
        ("new", D(2026, 11, 1, 12, 45), "due in 45 min", "còn 45 phút"),
        ("contacted", D(2026, 11, 2, 23), "due in 35 h", "còn 35 giờ"),
        ("new", D(2026, 11, 4, 13), "due in 3 days", "còn 3 ngày"),
        ("new", D(2026, 10, 31, 11, 30), "overdue by 24 h", "quá hạn 24 giờ"),
        ("new", D(2026, 10, 30, 12), "overdue by 2 days", "quá hạn 2 ngày"),
        ("resolved", D(2026, 10, 1), "–", "–"),  # handled: no countdown
        ("closed", D(2026, 12, 1), "–", "–"),
    ],
)  # fmt: skip
def test_sla_words(status, due, en, vi):
    with language("en"):
        assert cx.sla_words(status, due, NOW) == en
    with language("vi"):
        assert cx.sla_words(status, due, NOW) == vi


def test_durations_switch_to_days_at_two_days():
    with language("en"):
        assert cx.duration_words(dt.timedelta(days=2)) == "2 days"
        assert cx.duration_words(dt.timedelta(hours=47, minutes=59)) == "47 h"


def test_labels_in_both_languages():
    with language("vi"):
        assert cx.label("overdue") == "Quá hạn"
        assert cx.label("contacted") == "Đã liên hệ"
        assert cx.label("lapsing") == "Lâu chưa mua lại"
        assert cx.label("promoters") == "Người ủng hộ"
    with language("en"):
        assert cx.label("value_at_risk") == "Value (12 months, ₫)"
        assert cx.label("unreachable") == "Unreachable"


def test_queue_rows_show_status_words_and_the_countdown():
    frame = pl.DataFrame(
        {
            "response_id": ["r1", "r2"], "customer_id": ["c1", "c2"],
            "touchpoint": ["Delivery", "Web"], "nps": [3, None], "csat": [None, 1],
            "status": ["new", "resolved"], "owner": [None, "lan"],
            "due_at": [D(2026, 11, 1, 10), D(2026, 11, 3)], "overdue": [True, False],
            "value_at_risk": [100.0, 0.0],
        }
    )  # fmt: skip
    with language("vi"):
        rows = cx.queue_rows(frame, NOW)
    assert rows["status"].to_list() == ["Mới", "Đã giải quyết"]
    assert rows["sla"].to_list() == ["quá hạn 2 giờ", "–"]
    assert rows["owner"].to_list() == ["–", "lan"]
    assert rows.columns == [
        "response_id", "customer_id", "touchpoint", "nps", "csat", "status", "owner",
        "due_at", "sla", "overdue", "value_at_risk",
    ]  # fmt: skip


def test_data_in_markdown_stays_literal():
    assert cx.md("Ng*** T** L**") == r"Ng\*\*\* T\*\* L\*\*"
    assert cx.md("[VIP](http://x) :smile: a_b `c`") == r"\[VIP\](http\://x) \:smile\: a\_b \`c\`"
    assert cx.md("TP.HCM 18-24 lan.nguyen") == "TP.HCM 18-24 lan.nguyen"  # nothing to escape
