"""XLSX exports never cut a long comment silently: Excel's 32,767-character cell limit is
marked in the cell and stated on the About sheet; the CSV keeps the whole text."""

from __future__ import annotations

import io

import polars as pl

from dashboard.export.charts import ExportContext
from dashboard.export.tables import table_csv, table_xlsx

EXCEL_MAX_CELL_CHARS = 32_767  # Excel's limit of characters per cell

LONG = "Giao hàng chậm. " * 2_600  # 41,600 characters


def test_a_comment_over_excels_cell_limit_is_cut_visibly_and_said_so():
    frame = pl.DataFrame({"response_id": ["r1", "r2"], "comment": [LONG, "short"]})
    context = ExportContext(title="Comments", filters_words="all time")
    data = table_xlsx(frame, sheet="Feedback", context=context)
    sheets = pl.read_excel(io.BytesIO(data), sheet_id=0, engine="calamine")
    cell = sheets["Feedback"]["comment"][0]
    assert len(cell) == EXCEL_MAX_CELL_CHARS
    assert cell.startswith(LONG[:1000])
    assert cell.endswith("[cut: Excel holds 32,767 characters per cell; the CSV export has it all]")
    assert sheets["Feedback"]["comment"][1] == "short"
    about = dict(sheets["About"].rows())  # label -> value (the first row is read as header)
    about.update({sheets["About"].columns[0]: sheets["About"].columns[1]})
    assert about["Cut cells"].startswith("1 text cell(s) were longer than the 32,767")
    assert LONG in table_csv(frame).decode("utf-8-sig")


def test_no_note_when_nothing_is_cut():
    frame = pl.DataFrame({"comment": ["x" * EXCEL_MAX_CELL_CHARS]})  # exactly the limit fits
    data = table_xlsx(frame, context=ExportContext(title="t", filters_words="f"))
    sheets = pl.read_excel(io.BytesIO(data), sheet_id=0, engine="calamine")
    assert sheets["Data"]["comment"][0] == "x" * EXCEL_MAX_CELL_CHARS
    assert "Cut cells" not in str(sheets["About"])
