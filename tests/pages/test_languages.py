"""Every page in Vietnamese and in English, through AppTest on the small demo store.

The Vietnamese run must leave no English UI word: every text the page sends to the
browser (titles, captions, Markdown, widget labels, help and options, metric labels,
table headers, chart titles, axes, legends, hover text and annotations) is compared with
the English messages of the catalog. Data values (segment, touchpoint names ...) and
NPS/CSAT/CES are the same in both languages and are not messages.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
from google.protobuf.message import Message
from streamlit.testing.v1 import AppTest

from dashboard import charts, service, state
from dashboard.i18n import catalog, language, translations
from dashboard.i18n.formats import describe_filters
from dashboard.ui.language import LANGUAGE_KEY
from queries.filters import UNKNOWN
from tests.pages.test_pages import (  # noqa: F401 -- fixtures
    APP,
    TIMEOUT,
    engine,
    filters_for,
    metrics,
    plotly_spec,
    small_store,
    store_env,
)

pytestmark = pytest.mark.usefixtures("store_env")

PAGES = {  # page -> its title (English msgid)
    "overview": "Overview",
    "funnel_touchpoints": "Funnel & touchpoints",
    "segments": "Segments",
    "nps_trends": "NPS trends",
    "feedback": "Feedback",
    "data": "Data",
}
# Proto fields whose strings people read (ids, icons, keys and raw values are not text).
TEXT_FIELDS = {"label", "help", "placeholder", "body", "options", "content", "caption", "text",
               "delta", "delta_description", "title"}  # fmt: skip
# Plotly keys whose strings people read.
PLOTLY_TEXT = {"text", "name", "hovertemplate", "ticktext", "texttemplate", "hovertext",
               "customdata"}  # fmt: skip


def open_app(page: str, params: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.query_params.update(params or {})
    if page != "overview":
        at.switch_page(f"../pages/{page}.py")
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


# -- what a page shows, as text -----------------------------------------------------------


def _proto_strings(message: Message, name: str = "") -> Iterator[str]:
    for field, value in message.ListFields():
        if field.type == field.TYPE_MESSAGE:
            for item in value if field.is_repeated else [value]:
                yield from _proto_strings(item, field.name)
        elif field.type == field.TYPE_STRING:
            if field.name == "spec":  # a plotly figure
                yield from _plotly_strings(json.loads(value))
            elif field.name == "columns":  # a dataframe's column config
                for config in json.loads(value or "{}").values():
                    yield from (config.get(k) for k in ("label", "help") if config.get(k))
            elif field.name in TEXT_FIELDS:
                yield from (value if field.is_repeated else [value])


def _plotly_strings(node, key: str = "") -> Iterator[str]:
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _plotly_strings(v, k)
    elif isinstance(node, list):
        for item in node:
            yield from _plotly_strings(item, key)
    # a heatmap cell's customdata carries the raw group for clicks ("(unknown)" is the
    # store's value there); what the hover shows of it is translated
    elif isinstance(node, str) and key in PLOTLY_TEXT and (key, node) != ("customdata", UNKNOWN):
        yield node


def page_texts(at: AppTest) -> list[str]:
    """Every string of the page people read (comment texts, which are data, excluded)."""

    def walk(node):
        children = getattr(node, "children", None)
        for child in (children or {}).values() if isinstance(children, dict) else []:
            yield child
            yield from walk(child)

    texts = []
    for element in walk(at._tree):
        proto = getattr(element, "proto", None)
        if isinstance(proto, Message) and getattr(element, "type", "") != "text":
            texts.extend(t for t in _proto_strings(proto) if t and t.strip())
    return texts


# -- English left over ----------------------------------------------------------------------


def _english_messages() -> tuple[set[str], set[str]]:
    """English messages whose Vietnamese differs: whole messages, and their literal parts
    of two words or more (a message with placeholders never appears whole)."""
    vi = translations("vi")
    whole, parts = set(), set()
    for message in catalog.extract():
        if not message.id:
            continue
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        for msgid in ids:
            if isinstance(message.id, str):
                translated = (
                    vi.pgettext(message.context, msgid) if message.context else vi.gettext(msgid)
                )
            else:
                translated = vi.ngettext(message.id[0], message.id[1], 1)
            if translated == msgid:
                continue  # the same in both languages (NPS, KPI, "±{moe} (95%) ...")
            whole.add(msgid)
            for part in re.split(r"\{[^{}]*\}", msgid):
                part = part.strip(" .,:;·–-()*“”")
                if len(re.findall(r"[A-Za-z]{2,}", part)) >= 2:
                    parts.add(part)
    return whole, parts


ENGLISH, ENGLISH_PARTS = _english_messages()


def english_left(texts: list[str]) -> list[str]:
    """The texts that are, or contain, an English message."""
    return [
        text
        for text in texts
        if text.strip() in ENGLISH or any(part in text for part in ENGLISH_PARTS)
    ]


def test_the_english_check_finds_english_and_passes_vietnamese():
    assert english_left(["Customers reaching each funnel step"])  # a whole message
    assert english_left(["Of 1.234 customers entering at “Visit”, ..."])  # a part of one
    assert english_left(["Revenue"])
    assert not english_left(["Số khách hàng đạt từng bước của phễu", "NPS", "Consumer", "SMB"])


# -- every page in both languages ---------------------------------------------------------


@pytest.mark.parametrize("page", list(PAGES))
def test_every_page_in_vietnamese_leaves_no_english(page):
    at = open_app(page, {"lang": "vi"})
    with language("vi"):
        title = translations("vi").gettext(PAGES[page])
    assert at.title[0].value.endswith(title) and title != PAGES[page]
    texts = page_texts(at)
    assert len(texts) > 20, texts  # the page was read, not an empty shell
    assert english_left(texts) == []
    assert at.query_params["lang"] == "vi"


@pytest.mark.parametrize("page", list(PAGES))
def test_every_page_in_english(page):
    at = open_app(page, {"lang": "en"})
    assert at.title[0].value.endswith(PAGES[page])
    assert at.query_params["lang"] == "en"
    switch = at.button_group(key=LANGUAGE_KEY) if hasattr(at, "button_group") else None
    if switch is not None:
        assert switch.value == "en"


def test_overview_numbers_and_words_follow_the_language():
    f = filters_for(state.View())
    kpis = service.get_kpis(engine(), f)
    vi = open_app("overview", {"lang": "vi"})
    shown = metrics(vi)
    assert shown["Khách hàng"] == charts.fmt_int(kpis["customers"], lang="vi")
    assert shown["Doanh thu"] == charts.fmt_vnd_short(kpis["revenue"], lang="vi")
    assert "tỷ ₫" in shown["Doanh thu"] or "triệu ₫" in shown["Doanh thu"]
    assert shown["CSAT"] == charts.fmt_pct(kpis["csat"], lang="vi") and "," in shown["CSAT"]
    with language("vi"):
        assert vi.caption[0].value == describe_filters(f)
    trend = plotly_spec(vi, "nps_by_month")
    assert trend["layout"]["separators"] == ",."
    assert all(t.startswith("thg ") for t in trend["layout"]["xaxis"]["ticktext"])
    assert "%{x|thg %-m %Y}" in trend["data"][-1]["hovertemplate"]

    en = open_app("overview", {"lang": "en"})
    assert metrics(en)["Customers"] == charts.fmt_int(kpis["customers"], lang="en")
    trend = plotly_spec(en, "nps_by_month")
    assert trend["layout"]["separators"] == ".,"
    assert re.fullmatch(r"[A-Z][a-z]{2} \d{4}", trend["layout"]["xaxis"]["ticktext"][0])


def test_tables_show_numbers_the_vietnamese_way_and_sort_as_numbers():
    from streamlit import dataframe_util

    at = open_app("funnel_touchpoints", {"lang": "vi"})
    table = at.dataframe[0]
    data = table.value  # the numbers underneath: sortable
    assert data["customers"].dtype.kind in "iu"
    shown = dataframe_util.convert_arrow_bytes_to_pandas_df(
        table.proto.arrow_data.styler.display_values
    )
    position = list(data.columns).index("customers")
    assert shown.iloc[0, position] == charts.fmt_int(int(data["customers"].iloc[0]), lang="vi")
    share = list(data.columns).index("conversion_overall")
    assert shown.iloc[1, share].endswith("%") and "," in shown.iloc[1, share]
    headers = json.loads(table.proto.columns)
    assert headers["customers"]["label"] == "Đạt bước (khách vào phễu)"  # the funnel's count
    assert headers["reached_in_period"]["label"] == "Trong kỳ"  # the KPI-style one beside it
    assert headers["step"]["label"] == "Bước"


# -- choosing the language ------------------------------------------------------------------


def switch_to(at: AppTest, lang: str, shown: str) -> None:
    """Press the sidebar's language switch. AppTest rebuilds the widgets' states on the
    test's thread with their ``format_func``: it must run in the language the page shows."""
    with language(shown):
        at.button_group(key=LANGUAGE_KEY).set_value(lang).run()
    assert not at.exception, [e.message for e in at.exception]


def test_the_sidebar_switch_changes_the_language_and_the_url():
    at = open_app("overview", {"lang": "en", "segment": "SMB"})
    assert at.title[0].value == "Overview"
    switch_to(at, "vi", shown="en")
    assert at.title[0].value == "Tổng quan"
    assert at.query_params["lang"] == "vi"
    assert at.query_params["segment"] == "SMB"  # the view is kept
    switch_to(at, "en", shown="vi")
    assert at.title[0].value == "Overview" and at.query_params["lang"] == "en"


def test_the_setting_decides_without_a_link_and_a_link_overrides_it(monkeypatch):
    monkeypatch.setenv("CXDASH_LANGUAGE", "vi")
    assert open_app("overview").title[0].value == "Tổng quan"
    assert open_app("overview", {"lang": "en"}).title[0].value == "Overview"
    assert open_app("overview", {"lang": "klingon"}).title[0].value == "Tổng quan"
    monkeypatch.setenv("CXDASH_LANGUAGE", "auto")  # no browser locale here: English
    at = open_app("overview")
    assert at.title[0].value == "Overview" and at.query_params["lang"] == "en"


def test_one_session_switching_leaves_another_in_its_language():
    english = open_app("overview", {"lang": "en"})
    vietnamese = open_app("overview", {"lang": "vi"})
    english.run()  # a rerun of the first session after the second one chose Vietnamese
    with language("vi"):
        vietnamese.run()
    assert english.title[0].value == "Overview"
    assert vietnamese.title[0].value == "Tổng quan"
