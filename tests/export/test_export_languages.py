"""Exports in Vietnamese and English: `cxdash export ... --lang`, the PDF report pack, CSV/XLSX
headers and the "About" sheet; `cxdash query` stays English whatever the setting."""

from __future__ import annotations

import re

import fastexcel
import polars as pl
import pytest

from dashboard import cli
from tests.export import test_export
from tests.export.test_export import FILTERS, pdf_text

# The fixtures of the export tests (a small store, the demo store, the CLI, Chromium).
chromium, cxdash = test_export.chromium, test_export.cxdash
small_demo, store_env = test_export.small_demo, test_export.store_env

PACK_TITLES = (  # the overview pack's chart pages, in Vietnamese
    "NPS theo tháng, kèm biên sai số 95%",
    "Cơ cấu NPS theo tháng",
    "Điểm chạm: thay đổi NPS so với",
    "Phân khúc: thay đổi NPS so với",
)


def flat(text: str) -> str:
    """PDF text with its line breaks (wrapped captions, table cells) made spaces."""
    return re.sub(r"\s+", " ", text)


@pytest.mark.usefixtures("chromium")
def test_a_vietnamese_report_pack_reads_vietnamese(small_demo, monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("CXDASH_DATABASE_URL", small_demo)
    out = tmp_path / "tong-quan.pdf"
    code = cli.main(["export", "report", "--page", "overview", "--lang", "vi", "--out", str(out)])
    assert code == 0, capsys.readouterr().err
    pages = [flat(p) for p in pdf_text(out.read_bytes())]
    assert len(pages) == 6
    cover, kpis = pages[0], pages[1]
    for words in ("CX Insights — Tổng quan", "Kỳ báo cáo: tháng", "Bộ lọc:", "tất cả phân khúc",
                  "Tạo lúc", "Dữ liệu tính đến", "Nguồn: CX Insights"):  # fmt: skip
        assert words in cover, words
    assert "Số liệu chính" in kpis and "Doanh thu (VND)" in kpis and "Kỳ trước" in kpis
    assert re.search(r"\d+,\d tỷ ₫", kpis)  # money the Vietnamese way
    for page, title in zip(pages[2:], PACK_TITLES, strict=True):
        assert title in page
    assert "so với đầu phễu" not in pages[2] and "Tháng gần nhất" in pages[2]
    assert all(f"Trang {i}/6" in page for i, page in enumerate(pages, start=1))
    for english in ("Period:", "Filters:", "Key figures", "Page 1 of", "margin of error",
                    "Previous", "Revenue"):  # fmt: skip
        assert not any(english in page for page in pages), english


@pytest.mark.usefixtures("chromium")
def test_the_same_pack_in_english_has_english_words_and_numbers(small_demo, monkeypatch,
                                                                capsys, tmp_path):  # fmt: skip
    monkeypatch.setenv("CXDASH_DATABASE_URL", small_demo)
    monkeypatch.setenv("CXDASH_LANGUAGE", "vi")  # --lang wins over the setting
    out = tmp_path / "overview.pdf"
    code = cli.main(["export", "report", "--lang", "en", "--out", str(out)])
    assert code == 0, capsys.readouterr().err
    pages = [flat(p) for p in pdf_text(out.read_bytes())]
    assert "CX Insights — Overview" in pages[0] and "Period: " in pages[0]
    assert re.search(r"\d+\.\d bn ₫", pages[1]) and "Revenue (VND)" in pages[1]


def test_export_language_defaults_to_the_setting_and_auto_means_english(cxdash, monkeypatch,
                                                                       tmp_path):  # fmt: skip
    out = tmp_path / "funnel.html"
    monkeypatch.setenv("CXDASH_LANGUAGE", "vi")
    code, err = cxdash("export", "chart", "funnel", *FILTERS, "--out", str(out))
    assert code == 0, err
    html = out.read_text(encoding="utf-8")
    assert "Số khách hàng đạt từng bước của phễu" in html and "Bộ lọc: tháng 1–6" in html
    assert '"separators":",."' in html  # the figure's own, over the template's
    monkeypatch.setenv("CXDASH_LANGUAGE", "auto")
    code, err = cxdash("export", "chart", "funnel", *FILTERS, "--out", str(out))
    assert code == 0, err
    html = out.read_text(encoding="utf-8")
    assert "Customers reaching each funnel step" in html and "Filters: Jan–Jun 2025" in html
    code, err = cxdash("export", "chart", "funnel", "--lang", "fr", "--out", str(out))
    assert code == 2 and "--lang" in err


def test_tables_keep_numbers_and_translate_headers(cxdash, tmp_path):
    english, vietnamese = tmp_path / "en.csv", tmp_path / "vi.csv"
    args = ("export", "table", "segments", "--by", "region", *FILTERS)
    assert cxdash(*args, "--out", str(english))[0] == 0
    assert cxdash(*args, "--lang", "vi", "--out", str(vietnamese))[0] == 0
    en, vi = pl.read_csv(english), pl.read_csv(vietnamese)
    assert en.columns[:3] == ["region", "customers", "revenue"]  # as always: scripts read them
    assert vi.columns[:3] == ["Khu vực", "Khách hàng", "Doanh thu"]
    assert vi["Khách hàng"].to_list() == en["customers"].to_list()  # raw numbers
    assert vi["Doanh thu"].dtype.is_numeric()

    workbook = tmp_path / "vi.xlsx"
    assert cxdash(*args, "--lang", "vi", "--out", str(workbook))[0] == 0
    assert fastexcel.read_excel(str(workbook)).sheet_names == ["Phân khúc", "Thông tin"]
    sheet = pl.read_excel(workbook, sheet_name="Phân khúc")
    assert sheet["Khách hàng"].to_list() == en["customers"].to_list()  # numbers, not text
    about = pl.read_excel(workbook, sheet_name="Thông tin", has_header=False)
    about = dict(zip(about[:, 0].to_list(), about[:, 1].to_list(), strict=True))
    assert about["Tiêu đề"] == "KPI theo khu vực"
    assert about["Bộ lọc"].startswith("tháng 1–6/2025 · tất cả phân khúc")
    assert about["Bảng"].startswith("trang tính 'Phân khúc'")


def test_query_stays_machine_readable_english_whatever_the_setting(cxdash, monkeypatch, capsys):
    def query() -> str:
        assert cli.main(["query", "kpis", *FILTERS, "--compare", "--format", "json"]) == 0
        return capsys.readouterr().out

    monkeypatch.delenv("CXDASH_LANGUAGE", raising=False)
    cxdash("query", "kpis")  # sets the store
    capsys.readouterr()
    english = query()
    monkeypatch.setenv("CXDASH_LANGUAGE", "vi")
    assert query() == english
    assert '"revenue"' in english and "tỷ" not in english
    assert cli.main(["query", "funnel", *FILTERS]) == 0
    table = capsys.readouterr().out
    assert "conversion_from_previous" in table and "visit" in table


def test_the_kpi_table_writes_each_kpi_as_its_tile_does():
    from dashboard.i18n import language
    from dashboard.views.dashboard import kpi_table

    changes = pl.DataFrame(
        {"metric": ["revenue", "aov", "csat", "customers", "nps"],
         "value": [36.5e9, 1_984_827.8, 83.84, 19_962.0, -12.34],
         "previous": [30.0e9, 1_708_933.1, 79.5, 18_000.0, -10.0],
         "delta": [6.5e9, 275_894.7, 4.34, 1_962.0, -2.34],
         "p": [None, None, 0.0001, None, 0.2], "significant": [None, None, "up", None, None]}
    )  # fmt: skip
    with language("vi"):
        vi = kpi_table(changes)
    en = kpi_table(changes)
    assert vi.row(0) == ("Doanh thu (VND)", "36,5 tỷ ₫", "30,0 tỷ ₫", "+6,5 tỷ ₫", None, None)
    assert en.row(0) == ("Revenue (VND)", "36.5 bn ₫", "30.0 bn ₫", "+6.5 bn ₫", None, None)
    assert vi["value"].to_list()[1:] == ["1.984.828 ₫", "83,8%", "19.962", "-12,3"]
    assert en["delta"].to_list()[1:] == ["+275,895 ₫", "+4.3", "+1,962", "-2.3"]
    assert en["p"].to_list()[2] == 0.0001  # stays a number: the table writes it
