"""Bad inputs: each is rejected with a message that names the problem, and writes nothing."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import polars as pl
import pytest
import sqlalchemy as sa

from dashboard import db
from dashboard.ingest import import_file
from dashboard.ingest.mapping import parse_mapping
from dashboard.ingest.read import FileRejected
from queries import schema

HEADER = "response_id,responded_at,touchpoint,customer_id,nps,csat,ces,comment"
SEED = f"{HEADER}\nS1,2024-01-05 09:00:00,Store,C1,8,4,,seed row\n"


@pytest.fixture
def seeded(duck_store, tmp_path):
    """A store holding one feedback row: a rejected import must leave exactly this."""
    seed = tmp_path / "seed.csv"
    seed.write_text(SEED, encoding="utf-8")
    assert import_file(seed, "feedback", engine=duck_store).ok
    return duck_store


def snapshot(engine: sa.Engine) -> dict[str, pl.DataFrame]:
    return {
        name: db.fetch(sa.select(t).order_by(*t.primary_key.columns), engine)
        for name, t in schema.TABLES.items()
    }


def rejected(engine, tmp_path: Path, content: str | bytes, *, name="feedback.csv", table="feedback",
             mapping=None) -> str:  # fmt: skip
    """Import ``content``; return the rejection text; assert the store did not change."""
    before = snapshot(engine)
    path = tmp_path / name
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    try:
        report = import_file(path, table, engine=engine, mapping=mapping)
    except FileRejected as exc:
        text = str(exc)
    else:
        assert not report.ok, "expected a rejection"
        assert report.status == "rejected"
        text = "\n".join(report.error_lines(None))
    after = snapshot(engine)
    for table_name in before:
        assert after[table_name].equals(before[table_name]), f"{table_name} changed"
    return text


def rows(n: int, bad_at: int | None = None, bad: str = "") -> str:
    """n good feedback rows; row number ``bad_at`` (1-based) gets ``bad`` as its nps."""
    out = [HEADER]
    for i in range(1, n + 1):
        nps = bad if i == bad_at else str(i % 11)
        out.append(f"R{i},2024-02-01 10:00:00,Website,C{i % 7},{nps},,,")
    return "\n".join(out) + "\n"


# -- whole-file problems ---------------------------------------------------------------------


def test_missing_required_column(seeded, tmp_path):
    text = rejected(seeded, tmp_path, "response_id,responded_at,nps\nR1,2024-01-01,5\n")
    assert "feedback.csv:1: missing required column(s) touchpoint for feedback" in text


def test_empty_file(seeded, tmp_path):
    assert "feedback.csv: the file is empty (0 bytes)" in rejected(seeded, tmp_path, b"")


def test_blank_lines_only(seeded, tmp_path):
    assert "only blank lines" in rejected(seeded, tmp_path, "\n\n  \n")


def test_header_only(seeded, tmp_path):
    assert "has a header but no data rows" in rejected(seeded, tmp_path, HEADER + "\n")


def _xlsx_bytes() -> bytes:
    buffer = io.BytesIO()
    pl.DataFrame({"response_id": ["R1"]}).write_excel(buffer)
    return buffer.getvalue()


def test_csv_that_is_really_xlsx(seeded, tmp_path):
    text = rejected(seeded, tmp_path, _xlsx_bytes())
    assert "feedback.csv: this is an Excel workbook (XLSX) with a .csv name" in text


def test_csv_that_is_really_zip(seeded, tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("feedback.csv", SEED)
    text = rejected(seeded, tmp_path, buffer.getvalue())
    assert "feedback.csv: this is a ZIP archive, not a table; unzip it" in text


def test_old_xls_workbook(seeded, tmp_path):
    content = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100
    assert "old Excel .xls workbook" in rejected(seeded, tmp_path, content, name="f.xls")


def test_nul_bytes(seeded, tmp_path):
    content = SEED.replace("S1", "R1").encode() + b"R2,2024-01-05,Store,C1,7,,,a\0b\n"
    text = rejected(seeded, tmp_path, content)
    assert text.startswith("feedback.csv:3: the file contains NUL bytes")


def test_ragged_rows_name_their_lines(seeded, tmp_path):
    content = (
        f'{HEADER}\nR1,2024-01-05,Store,C1,7,,,"multi\nline, with comma"\n'
        "R2,2024-01-05,Store,C1,7,,\n"  # 7 fields
        "R3,2024-01-05,Store,C1,7,,,,extra\n"  # 9 fields
    )
    text = rejected(seeded, tmp_path, content)
    assert "2 row(s) do not have 8 fields" in text
    assert "feedback.csv:4: 7 fields, the header has 8" in text
    assert "feedback.csv:5: 9 fields, the header has 8" in text


def test_unterminated_quote(seeded, tmp_path):
    content = f'{HEADER}\nR1,2024-01-05,Store,C1,7,,,ok\nR2,2024-01-05,Store,C1,7,,,"never closed\n'
    text = rejected(seeded, tmp_path, content)
    assert "feedback.csv:3: a quoted value opens here and never closes" in text


def test_duplicate_header(seeded, tmp_path):
    content = "response_id,responded_at,touchpoint,NPS,nps\nR1,2024-01-05,Store,5,6\n"
    text = rejected(seeded, tmp_path, content)
    assert "feedback.csv:1: duplicate column name 'nps' in the header (also 'NPS')" in text


# -- row problems --------------------------------------------------------------------------------


def test_duplicate_ids_exact(seeded, tmp_path):
    content = rows(3) + "R2,2024-02-02 10:00:00,Store,C1,5,,,\n"
    assert "feedback.csv:5: column response_id: value 'R2' duplicates the id on line 3" in (
        rejected(seeded, tmp_path, content)
    )


def test_duplicate_ids_case_and_space_variants(seeded, tmp_path):
    content = rows(3) + " r2 ,2024-02-02,Store,C1,5,,,\nR 3,2024-02-02,Store,C1,5,,,\n"
    text = rejected(seeded, tmp_path, content)
    assert "feedback.csv:5: column response_id: value 'r2' duplicates the id on line 3" in text
    assert "feedback.csv:6: column response_id: value 'R 3' duplicates the id on line 4" in text


def test_score_out_of_range_deep_in_the_file(seeded, tmp_path):
    text = rejected(seeded, tmp_path, rows(5000, bad_at=4321, bad="11"))
    assert text == (
        "feedback.csv:4322: column nps: value '11' is out of range 0–10 "
        "(NPS is 0–10; fix the source, values are never clamped)"
    )


def test_negative_score(seeded, tmp_path):
    text = rejected(seeded, tmp_path, rows(10, bad_at=4, bad="-1"))
    assert text.startswith("feedback.csv:5: column nps: value '-1' is out of range 0–10")


def test_fractional_score(seeded, tmp_path):
    text = rejected(seeded, tmp_path, rows(10, bad_at=9, bad="9.5"))
    assert text.startswith("feedback.csv:10: column nps: value '9.5' is not a whole number")


def test_non_numeric_score(seeded, tmp_path):
    text = rejected(seeded, tmp_path, rows(10, bad_at=2, bad="ten"))
    assert text.startswith("feedback.csv:3: column nps: value 'ten' is not a whole number")


def test_n_a_score_deep_in_the_file(seeded, tmp_path):
    text = rejected(seeded, tmp_path, rows(3000, bad_at=2999, bad="N/A"))
    assert text.startswith("feedback.csv:3000: column nps: value 'N/A' is not a whole number")
    assert "leave the cell blank for a skipped question" in text


def test_csat_and_ces_ranges(seeded, tmp_path):
    content = f"{HEADER}\nR1,2024-01-05,Store,C1,,0,,\nR2,2024-01-05,Store,C1,,,8,\n"
    text = rejected(seeded, tmp_path, content)
    assert "feedback.csv:2: column csat: value '0' is out of range 1–5" in text
    assert "feedback.csv:3: column ces: value '8' is out of range 1–7" in text


def test_ambiguous_dates_need_the_mapping(seeded, tmp_path):
    content = f"{HEADER}\nR1,03/04/2024,Store,C1,5,,,\nR2,05/06/2024 10:30,Store,C1,5,,,\n"
    text = rejected(seeded, tmp_path, content)
    assert "feedback.csv:2: column responded_at: value '03/04/2024' is ambiguous" in text
    assert "dayfirst = true" in text
    mapping = parse_mapping({"table": "feedback", "dayfirst": True})
    path = tmp_path / "ok.csv"
    path.write_text(content, encoding="utf-8")
    assert import_file(path, "feedback", engine=seeded, mapping=mapping).ok
    stored = db.fetch(
        sa.select(schema.feedback.c.responded_at).where(schema.feedback.c.response_id == "R1"),
        seeded,
    )
    assert str(stored.item()) == "2024-04-03 00:00:00"


def test_unambiguous_rows_decide_the_date_order(duck_store, tmp_path):
    path = tmp_path / "f.csv"
    path.write_text(f"{HEADER}\nR1,03/04/2024,Store,C1,5,,,\nR2,25/04/2024,Store,C1,5,,,\n")
    report = import_file(path, "feedback", engine=duck_store)
    assert report.ok and any("day/month/year" in n for n in report.notes)


def test_future_dates_beyond_tolerance(seeded, tmp_path):
    text = rejected(seeded, tmp_path, f"{HEADER}\nR1,2999-01-01,Store,C1,5,,,\n")
    assert "feedback.csv:2: column responded_at: value '2999-01-01' is in the future" in text


def test_unreadable_date(seeded, tmp_path):
    text = rejected(seeded, tmp_path, f"{HEADER}\nR1,31/02/2024,Store,C1,5,,,\n")
    assert "value '31/02/2024' is not a date I can read" in text


def test_semicolon_file_with_decimal_comma(duck_store, tmp_path):
    content = (
        "customer_id;stage;occurred_at;amount\n"
        "C1;purchase;2024-01-02;1.234,50\nC2;purchase;2024-01-03;99,9\nC3;visit;2024-01-03;\n"
    )
    path = tmp_path / "events.csv"
    path.write_text(content, encoding="utf-8")
    report = import_file(path, "events", engine=duck_store)
    assert report.ok, report.render()
    assert "semicolon-separated" in report.source
    amounts = db.fetch(sa.select(schema.events.c.amount).order_by("customer_id"), duck_store)
    assert amounts.get_column("amount").to_list()[:2] == pytest.approx([1234.5, 99.9])
    bad = content + "C4;purchase;2024-01-04;12,3,4\n"
    text = rejected(duck_store, tmp_path, bad, name="events.csv", table="events")
    assert "events.csv:5: column amount: value '12,3,4' is not a number" in text


def test_required_value_blank(seeded, tmp_path):
    text = rejected(seeded, tmp_path, f"{HEADER}\nR1,2024-01-05,,C1,5,,,\n")
    assert text == "feedback.csv:2: column touchpoint: is empty (this column is required)"


def test_response_without_score_or_comment(seeded, tmp_path):
    text = rejected(seeded, tmp_path, f"{HEADER}\nR1,2024-01-05,Store,C1,,,,   \n")
    assert "feedback.csv:2: column nps/csat/ces/comment: has no score and no comment" in text


def test_mapping_names_a_column_the_file_lacks(seeded, tmp_path):
    mapping = parse_mapping(
        {"table": "feedback", "columns": {"nps": "Likelihood"}, "constants": {}}, origin="m.toml"
    )
    text = rejected(seeded, tmp_path, f"{HEADER}\nR1,2024-01-05,Store,C1,5,,,\n", mapping=mapping)
    assert "the mapping (m.toml) names column(s) 'Likelihood' that the file does not have" in text


def test_stage_position_and_touchpoint_targets(duck_store, tmp_path):
    text = rejected(duck_store, tmp_path, "stage,position\nvisit,first\n", name="s.csv",
                    table="stages")  # fmt: skip
    assert "s.csv:2: column position: value 'first' is not a whole number" in text
    text = rejected(duck_store, tmp_path, "touchpoint,target_csat\nStore,150\n", name="t.csv",
                    table="touchpoints")  # fmt: skip
    assert "t.csv:2: column target_csat: value '150' is out of range 0–100" in text


def test_many_errors_are_counted_and_capped(seeded, tmp_path):
    content = HEADER + "\n" + "".join(f"R{i},2024-01-05,Store,C1,99,,,\n" for i in range(3000))
    path = tmp_path / "many.csv"
    path.write_text(content, encoding="utf-8")
    report = import_file(path, "feedback", engine=seeded)
    assert report.error_count == 3000 and report.errors.height == 1000
    assert "errors (20 of 3,000 shown)" in report.render()
    assert snapshot(seeded)["feedback"].height == 1


# -- accepted oddities (kept and reported, not rejected) -----------------------------------------


def test_orphans_are_kept_counted_and_named(seeded, tmp_path):
    path = tmp_path / "f.csv"
    path.write_text(
        f"{HEADER}\nR1,2024-01-05,Store,C1,5,,,\nR2,2024-01-05,Store,GHOST,5,,,\n"
        "R3,2024-01-05,Store,,5,,,\n",
        encoding="utf-8",
    )
    customers = tmp_path / "c.csv"
    customers.write_text("customer_id\nC1\n", encoding="utf-8")
    assert import_file(customers, "customers", engine=seeded).ok
    report = import_file(path, "feedback", engine=seeded)
    assert report.ok
    assert (report.orphan_rows, report.orphan_ids, report.anonymous_rows) == (1, ["GHOST"], 1)
    assert "orphans (kept): 1 rows name 1 customer_id(s)" in report.render()
    assert snapshot(seeded)["feedback"].height == 4


def test_one_megabyte_comment(duck_store, tmp_path):
    comment = ("Giao hàng chậm, " * 70_000)[:1_000_000]
    path = tmp_path / "f.csv"
    path.write_text(
        f'{HEADER}\nR1,2024-01-05,Store,C1,5,,,"{comment}"\nR2,2024-01-05,Store,C1,12,,,\n'
    )
    report = import_file(path, "feedback", engine=duck_store)
    assert report.error_lines(None) == [
        "f.csv:3: column nps: value '12' is out of range 0–10 "
        "(NPS is 0–10; fix the source, values are never clamped)"
    ]
    path.write_text(f'{HEADER}\nR1,2024-01-05,Store,C1,5,,,"{comment}"\n')
    assert import_file(path, "feedback", engine=duck_store).ok
    stored = db.fetch(sa.select(schema.feedback.c.comment), duck_store).item()
    assert stored == comment.strip()


def test_excel_serial_dates(duck_store, tmp_path):
    path = tmp_path / "f.csv"
    path.write_text(f"{HEADER}\nR1,45292,Store,C1,5,,,\nR2,45292.5,Store,C1,5,,,\n")
    assert import_file(path, "feedback", engine=duck_store).ok
    stored = db.fetch(sa.select(schema.feedback.c.responded_at).order_by("response_id"), duck_store)
    assert [str(v) for v in stored.get_column("responded_at")] == [
        "2024-01-01 00:00:00",
        "2024-01-01 12:00:00",
    ]


def test_error_messages_follow_the_documented_form(seeded, tmp_path):
    text = rejected(seeded, tmp_path, rows(20, bad_at=16, bad="11"))
    assert re.fullmatch(r"feedback\.csv:17: column nps: value '11' .+ \(.+\)", text)


def test_unnamed_trailing_column_from_a_spreadsheet_is_ignored(duck_store, tmp_path):
    path = tmp_path / "f.csv"
    path.write_text(f"{HEADER},\nR1,2024-01-05,Store,C1,5,,,,\n", encoding="utf-8")
    report = import_file(path, "feedback", engine=duck_store)
    assert report.ok and "ignored columns: (unnamed 9)" in report.mapping
