"""Formats, encodings and delimiters: every variant reaches the same rows."""

from __future__ import annotations

import codecs
import datetime as dt
import unicodedata

import polars as pl
import pytest
import sqlalchemy as sa

from dashboard import db
from dashboard.ingest import import_file
from dashboard.ingest.read import FileRejected, detect_encoding, open_source, vietnamese_score
from queries import schema

HEADER = ["response_id", "responded_at", "touchpoint", "customer_id", "nps", "comment"]
VIETNAMESE = "Giao hàng rất nhanh, nhân viên thân thiện. Tôi sẽ mua lại ở Đà Nẵng"
PORTUGUESE = "Não recomendo: a entrega atrasou, péssimo serviço"
TONES = "\u0300\u0301\u0303\u0309\u0323"


def to_cp1258(text: str) -> bytes:
    """Windows-1258 bytes as Vietnamese Windows software writes them (base letter + tone)."""
    out = []
    for ch in unicodedata.normalize("NFC", text):
        try:
            out.append(ch.encode("cp1258"))
            continue
        except UnicodeEncodeError:
            pass
        parts = unicodedata.normalize("NFD", ch)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in TONES))
        out.append((base + "".join(c for c in parts if c in TONES)).encode("cp1258"))
    return b"".join(out)


def table_text(comment: str, sep: str = ",", newline: str = "\n") -> str:
    rows = [
        sep.join(HEADER),
        sep.join(["R1", "2024-03-01 10:00:00", "Store", "C1", "9", f'"{comment}"']),
        sep.join(["R2", "2024-03-02", "Website", "C2", "4", '"ok"']),
    ]
    return newline.join(rows) + newline


def stored_comments(engine) -> list[str]:
    frame = db.fetch(sa.select(schema.feedback.c.comment).order_by("response_id"), engine)
    return frame.get_column("comment").to_list()


@pytest.mark.parametrize(
    ("encoding", "encode", "expected"),
    [
        ("utf-8", lambda t: t.encode("utf-8"), VIETNAMESE),
        ("utf-8-sig", lambda t: codecs.BOM_UTF8 + t.encode("utf-8"), VIETNAMESE),
        ("utf-16", lambda t: t.encode("utf-16"), VIETNAMESE),
        ("cp1258", to_cp1258, VIETNAMESE),
        ("cp1252", lambda t: t.encode("cp1252"), PORTUGUESE),
    ],
)
def test_encodings_are_detected_and_reported(duck_store, tmp_path, encoding, encode, expected):
    path = tmp_path / "feedback.csv"
    path.write_bytes(encode(table_text(expected)))
    report = import_file(path, "feedback", engine=duck_store)
    assert report.ok, report.render()
    assert f"encoding {encoding}" in report.source
    assert stored_comments(duck_store)[0] == unicodedata.normalize("NFC", expected)
    # the BOM never leaks into the first column's name
    assert report.mapping.startswith("identity") and "ignored" not in report.mapping


def test_utf16_excel_unicode_text_is_tab_separated(duck_store, tmp_path):
    path = tmp_path / "export.txt"
    path.write_bytes(table_text(VIETNAMESE, sep="\t").encode("utf-16"))
    source = open_source(path)
    try:
        assert (source.encoding, source.delimiter) == ("utf-16", "\t")
    finally:
        source.close()


def test_explicit_encoding_overrides_detection(duck_store, tmp_path):
    path = tmp_path / "feedback.csv"
    path.write_bytes(table_text(PORTUGUESE).encode("cp1252"))
    report = import_file(path, "feedback", engine=duck_store, encoding="latin-1")
    assert report.ok and "encoding iso8859-1" in report.source
    path.write_bytes(table_text(VIETNAMESE, sep="\t").encode("utf-16"))
    with pytest.raises(FileRejected, match="NUL bytes"):
        import_file(path, "feedback", engine=duck_store, encoding="utf-8")


def test_vietnamese_heuristic_against_western_text():
    assert vietnamese_score(to_cp1258(VIETNAMESE)) > 0
    for text in (PORTUGUESE, "Però così è più bello", "Très déçu, reçu en retard", "Größe"):
        assert vietnamese_score(text.encode("cp1252")) <= 0, text


def test_detect_encoding_streams_the_whole_file(tmp_path):
    path = tmp_path / "late.csv"
    # valid UTF-8 for 2 MB, then one Windows-1252 byte: the whole file is checked
    path.write_bytes(b"a,b\n" + b"x,y\n" * 500_000 + "é,z\n".encode("cp1252"))
    assert detect_encoding(path) == "cp1252"


def test_mixed_nfc_and_nfd_vietnamese_group_together(duck_store, tmp_path):
    nfc = unicodedata.normalize("NFC", "Hà Nội")
    nfd = unicodedata.normalize("NFD", "Hà Nội")
    assert nfc != nfd
    path = tmp_path / "customers.csv"
    path.write_text(f"customer_id,region\nC1,{nfc}\nC2,{nfd}\nC3,{nfc} \n", encoding="utf-8")
    assert import_file(path, "customers", engine=duck_store).ok
    regions = db.fetch(sa.select(schema.customers.c.region).distinct(), duck_store)
    assert regions.get_column("region").to_list() == [nfc]


@pytest.mark.parametrize("sep", [",", ";", "\t", "|"])
def test_delimiters_are_sniffed(duck_store, tmp_path, sep):
    path = tmp_path / "feedback.csv"
    path.write_text(table_text("a, b; c | d", sep=sep), encoding="utf-8")
    report = import_file(path, "feedback", engine=duck_store)
    assert report.ok, report.render()
    assert stored_comments(duck_store) == ["a, b; c | d", "ok"]


def test_crlf_and_line_breaks_inside_quotes_keep_line_numbers(duck_store, tmp_path):
    text = (
        ",".join(HEADER) + "\r\n"
        'R1,2024-03-01,Store,C1,9,"first\r\nsecond\r\nthird"\r\n'
        'R2,2024-03-01,Store,C1,10,"x"\r\n'
        "\r\n"
        'R3,2024-03-01,Store,C1,11,"y"\r\n'
    )
    path = tmp_path / "feedback.csv"
    path.write_bytes(text.encode("utf-8"))
    report = import_file(path, "feedback", engine=duck_store)
    assert [e.split(": value")[0] for e in report.error_lines(None)] == [
        "feedback.csv:7: column nps"
    ]
    fixed = text.replace(",11,", ",1,")
    path.write_bytes(fixed.encode("utf-8"))
    assert import_file(path, "feedback", engine=duck_store).ok
    assert stored_comments(duck_store)[0] == "first\r\nsecond\r\nthird"


def _frame() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "response_id": ["R1", "R2", "R3"],
            "responded_at": [dt.datetime(2024, 1, 2, 10), dt.datetime(2024, 1, 3), None],
            "touchpoint": ["Store", "Website", "Store"],
            "nps": [9, 10, 3],
        }
    )


def test_xlsx_first_sheet_or_named_sheet(duck_store, tmp_path):
    import xlsxwriter

    path = tmp_path / "survey.xlsx"
    with xlsxwriter.Workbook(path) as book:
        _frame().head(1).write_excel(book, worksheet="Notes")
        _frame().write_excel(book, worksheet="Responses")
    report = import_file(path, "feedback", engine=duck_store, sheet="Responses")
    # R3 has no date: the error names the sheet row (header = row 1)
    assert report.error_lines(None) == [
        "survey.xlsx:4: column responded_at: is empty (this column is required)"
    ]
    assert "sheet 'Responses'" in report.source
    with pytest.raises(FileRejected, match="no sheet named 'Nope'"):
        import_file(path, "feedback", engine=duck_store, sheet="Nope")
    first = import_file(path, "feedback", engine=duck_store)  # first sheet: Notes, 1 row
    assert first.ok and first.rows_read == 1


def test_parquet_with_typed_columns(duck_store, tmp_path):
    path = tmp_path / "feedback.parquet"
    _frame().with_columns(pl.col("responded_at").fill_null(dt.datetime(2024, 1, 4))).write_parquet(
        path
    )
    report = import_file(path, "feedback", engine=duck_store)
    assert report.ok, report.render()
    stored = db.fetch(sa.select(schema.feedback).order_by("response_id"), duck_store)
    assert stored.get_column("nps").to_list() == [9, 10, 3]
    bad = tmp_path / "bad.parquet"
    _frame().with_columns(pl.lit(11).alias("nps")).write_parquet(bad)
    lines = import_file(bad, "feedback", engine=duck_store).error_lines(None)
    assert lines[0].startswith("bad.parquet: row 1: column nps: value '11' is out of range")


def test_cli_sheet_and_encoding_options(tmp_path, monkeypatch, capsys):
    import xlsxwriter

    from dashboard.cli import main

    monkeypatch.setenv("CXDASH_DATABASE_URL", f"duckdb:///{tmp_path / 'cli.duckdb'}")
    book_path = tmp_path / "survey.xlsx"
    with xlsxwriter.Workbook(book_path) as book:
        _frame().head(1).write_excel(book, worksheet="Notes")
        _frame().head(2).write_excel(book, worksheet="Responses")
    assert main(["import", "feedback", str(book_path), "--sheet", "Responses", "--dry-run"]) == 0
    assert "would insert: 2" in capsys.readouterr().out
    text_path = tmp_path / "pt.csv"
    text_path.write_bytes(table_text(PORTUGUESE).encode("cp1252"))
    assert main(["import", "feedback", str(text_path), "--encoding", "cp1252"]) == 0
    assert "encoding cp1252" in capsys.readouterr().out


@pytest.mark.parametrize("block", [7, 64, 1 << 20])
def test_record_scanner_agrees_with_the_csv_module_at_any_block_size(
    duck_store, tmp_path, monkeypatch, block
):
    import csv
    import io

    from dashboard.ingest import read as ingest_read

    monkeypatch.setattr(ingest_read, "BLOCK_BYTES", block)
    body = (
        ",".join(HEADER) + "\r\n"
        'R1,2024-03-01,Store,C1,1,"a long ""quoted"" comment\r\nover two lines"\r\n'
        "\r\n"
        'R2,2024-03-01,Store,C1,12,"x, y"\n'
        f'R3,2024-03-01,Store,C1,3,"{"z" * 300}\n\n"\n'
        "R4,2024-03-01,Store,C1,13,no newline at the end"
    )
    path = tmp_path / "feedback.csv"
    path.write_bytes(body.encode("utf-8"))
    reader = csv.reader(io.StringIO(body, newline=""))
    starts, line = {}, 1
    for row in reader:
        if row:
            starts[row[0]] = line
        line = reader.line_num + 1
    report = import_file(path, "feedback", engine=duck_store)
    assert [e.split(": value")[0] for e in report.error_lines(None)] == [
        f"feedback.csv:{starts['R2']}: column nps",
        f"feedback.csv:{starts['R4']}: column nps",
    ]
    assert (starts["R2"], starts["R4"]) == (5, 9)
    ragged = body.replace("R3,2024-03-01,Store,C1,3,", "R3,2024-03-01,Store,3,")
    path.write_bytes(ragged.encode("utf-8"))
    with pytest.raises(FileRejected, match=r"feedback.csv:6: 5 fields, the header has 6"):
        import_file(path, "feedback", engine=duck_store)
    path.write_bytes((body + '\nR5,2024-03-01,Store,C1,3,"open').encode("utf-8"))
    with pytest.raises(FileRejected, match=r"feedback.csv:10: a quoted value opens here"):
        import_file(path, "feedback", engine=duck_store)
