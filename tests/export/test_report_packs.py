"""Report packs for every dashboard page that has charts (issue 13, item 17): Segments, NPS
trends and Feedback beside Overview, Funnel and Key drivers; numbers in their tables and
captions written as the app writes them, in Vietnamese and English; a heatmap that explains
its grey and blank cells; group breakdowns limited to the largest groups and "(other)".
Text is read back from the PDF with pypdf."""

from __future__ import annotations

import re

import pytest

from dashboard import access, cli, db, service
from dashboard.charts.labels import column_label
from dashboard.export.views import report_sections, with_period
from dashboard.i18n import language
from dashboard.i18n.formats import fmt_int, fmt_month
from dashboard.views import Options
from dashboard.views.reports import REPORTS
from queries.filters import Filters
from tests.export import test_export
from tests.export.test_export import pdf_text, squashed

chromium = test_export.chromium
small_demo = test_export.small_demo

# A float written with a decimal that the app never shows for counts or money:
# "2,480.0", "5.418.555.000,0" ...
RAW_FLOAT = re.compile(r"\d[\d.,]*[.,]0\b(?! ?%)")


def _engine(url: str):
    return db.create_engine(url)


def _table_cells(section) -> list[str]:
    return [v for column in _table_columns(section).values() for v in column]


def _table_columns(section) -> dict[str, list[str]]:
    """Header (in words) -> the cells' text, of the section's table."""
    tables = [t for t in section.figure.data if t.type == "table"]
    assert tables, "a table page"
    headers = [h.removeprefix("<b>").removesuffix("</b>") for h in tables[0].header.values]
    return dict(zip(headers, ([str(v) for v in c] for c in tables[0].cells.values), strict=True))


def test_every_page_with_charts_has_a_pack():
    assert {"overview", "funnel", "drivers", "segments", "nps_trends", "feedback"} <= set(REPORTS)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_segments_pack_tables_write_counts_and_money_like_the_app(small_demo, lang):
    engine = _engine(small_demo)
    try:
        f = with_period(engine, Filters())
        with language(lang):
            sections = report_sections(engine, "segments", f, Options(by="region"))
            frame = service.get_segments(engine, f, "region", top=7)
            customers = [fmt_int(v) for v in frame["customers"].to_list()]
    finally:
        engine.dispose()
    tables = [s for s in sections if any(t.type == "table" for t in s.figure.data)]
    assert tables
    cells = [c for s in tables for c in _table_cells(s)]
    columns = _table_columns(tables[0])
    with language(lang):
        words = {k: column_label(k) for k in ("customers", "orders", "revenue", "aov")}
    assert columns[words["customers"]] == customers  # "2.480" / "2,480", as the tiles
    for count in ("customers", "orders"):  # whole numbers, never "2,480.0"
        assert not [c for c in columns[words[count]] if RAW_FLOAT.fullmatch(c)]
    for money in ("revenue", "aov"):  # in đồng, never "5,418,555,000.0"
        assert all(c.endswith("₫") for c in columns[words[money]]), columns[words[money]]
    # the largest groups and "(other)"
    other = "(khác)" if lang == "vi" else "(other)"
    assert other in cells
    heatmap = next(s for s in sections if any(t.type == "heatmap" for t in s.figure.data))
    legend = {t.name for t in heatmap.figure.data if t.type == "scatter" and t.name != "cells"}
    grey = "xám: mẫu nhỏ (đọc thận trọng)" if lang == "vi" else "grey: low sample (read with care)"
    assert grey in legend


@pytest.mark.parametrize(
    ("grain", "lang", "latest"),
    [("month", "vi", "Tháng gần nhất ({period})"), ("week", "en", "Week of {period}")],
)
def test_trend_pack_follows_the_grain_in_ticks_titles_and_captions(small_demo, grain, lang, latest):
    engine = _engine(small_demo)
    try:
        f = with_period(engine, Filters())
        with language(lang):
            sections = report_sections(engine, "nps_trends", f, Options(grain=grain, by="channel"))
            trend = service.get_nps_trend(engine, f, grain)
    finally:
        engine.dispose()
    first = sections[0]
    last = trend.filter(trend["nps"].is_not_null())["period"].to_list()[-1]
    with language(lang):
        period = fmt_month(last) if grain == "month" else _date(last, lang)
    assert latest.format(period=period) in first.caption
    ticks = list(first.figure.layout.xaxis.tickvals)
    if grain == "month":
        assert all(t.endswith("-01") for t in ticks)  # months, never Jun 28, Jul 12 ...
    assert ticks[-1] == last  # ticks are the periods themselves
    by_group = sections[1]
    names = {
        t.name for t in by_group.figure.data if t.mode == "lines" and t.showlegend is not False
    }
    assert len(names) <= 8  # 7 channels at most and "(other)"


def _date(day: str, lang: str) -> str:
    from dashboard.i18n.formats import fmt_date

    return fmt_date(day, lang)


def test_feedback_pack_lists_the_newest_comments_shortened(small_demo):
    engine = _engine(small_demo)
    try:
        f = with_period(engine, Filters())
        with language("en"):
            sections = report_sections(engine, "feedback", f, Options(band="detractor"))
    finally:
        engine.dispose()
    assert sections and "Score band: detractors (0–6)." in sections[0].caption
    assert "The 40 newest comments" in sections[0].caption
    cells = [c for s in sections for c in _table_cells(s)]
    assert all(len(c) <= 400 for c in cells)
    assert any(s.figure.layout.title.text.endswith("(1 of 5)") for s in sections)


def test_feedback_pack_needs_the_right_to_read_comments(small_demo):
    engine = _engine(small_demo)
    executive = access.Viewer(email="exec@example.vn", role="executive")
    try:
        with access.acting_as(executive), pytest.raises(PermissionError, match="comments"):
            report_sections(engine, "feedback", with_period(engine, Filters()), Options())
    finally:
        engine.dispose()


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("page", ["segments", "nps_trends", "feedback"])
def test_cli_renders_the_new_packs(chromium, small_demo, monkeypatch, capsys, tmp_path, page, lang):
    monkeypatch.setenv("CXDASH_DATABASE_URL", small_demo)
    out = tmp_path / f"{page}-{lang}.pdf"
    args = ["export", "report", "--page", page, "--lang", lang, "--out", str(out)]
    code = cli.main([*args, "--by", "region"] if page != "feedback" else args)
    assert code == 0, capsys.readouterr().err
    pages = pdf_text(out.read_bytes())
    title = {"segments": ("Phân khúc", "Segments"), "nps_trends": ("Xu hướng NPS", "NPS trends"),
             "feedback": ("Phản hồi", "Feedback")}[page][lang == "en"]  # fmt: skip
    assert squashed(title) in squashed(pages[0])
    assert "repeat_purchase" not in " ".join(pages)  # stage ids read as words
    footer = "Trang {i}/{n}" if lang == "vi" else "Page {i} of {n}"
    assert len(pages) >= 3
    assert squashed(footer.format(i=len(pages), n=len(pages))) in squashed(pages[-1])
