"""Canonical import (`cxdash import TABLE FILE.csv`): validation, atomicity, idempotence."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
import sqlalchemy as sa

from dashboard import db
from dashboard.ingest import ImportRejected, import_file, plan_import, write_plans
from dashboard.ingest.read import FileRejected
from queries import schema
from tests.backends import (
    NO_TRANSACTIONS,
    backend_with_chdb,  # noqa: F401 - the chDB lane
    not_on_clickhouse,
)

FEEDBACK_HEADER = "response_id,responded_at,touchpoint,customer_id,nps,csat,ces,comment"
GOOD_FEEDBACK = f"""{FEEDBACK_HEADER}
R1,2024-03-01 10:00:00,Delivery,C1,9,5,,"Giao hàng nhanh"
R2,2024-03-02,Store,C2,3,2,6,"slow,
very slow"
R3,2024-03-03T08:30:00,Website,,,4,,
R4,2024-03-04,Website,C1,10,,,
"""
GOOD_CUSTOMERS = """customer_id,segment,region,channel,signup_at
C1,Consumer,Hà Nội,Zalo,2023-12-01
C2,SMB,TP.HCM,Website,2024-01-15 09:00:00
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def rows(engine: sa.Engine, table: str) -> pl.DataFrame:
    t = schema.TABLES[table]
    return db.fetch(sa.select(t).order_by(*t.primary_key.columns), engine)


def test_good_file_loads_on_every_backend(store, tmp_path):
    report = import_file(
        write(tmp_path, "customers.csv", GOOD_CUSTOMERS), "customers", engine=store
    )
    assert report.ok and report.would_insert == 2
    report = import_file(write(tmp_path, "feedback.csv", GOOD_FEEDBACK), "feedback", engine=store)
    assert report.ok, report.render()
    assert (report.rows_read, report.would_insert, report.orphan_rows) == (4, 4, 0)
    stored = rows(store, "feedback")
    assert stored.get_column("response_id").to_list() == ["R1", "R2", "R3", "R4"]
    assert stored.get_column("nps").to_list() == [9, 3, None, 10]
    assert stored.get_column("comment").to_list()[1] == "slow,\nvery slow"
    assert stored.get_column("customer_id").to_list()[2] is None  # anonymous
    assert str(stored.get_column("responded_at")[2]) == "2024-03-03 08:30:00"


def test_reimport_is_idempotent_and_later_file_updates(store, tmp_path):
    path = write(tmp_path, "feedback.csv", GOOD_FEEDBACK)
    import_file(path, "feedback", engine=store)
    before = rows(store, "feedback")
    again = import_file(path, "feedback", engine=store)
    assert (again.would_insert, again.would_update, again.unchanged) == (0, 0, 4)
    assert rows(store, "feedback").equals(before)
    changed = write(
        tmp_path, "later.csv", f"{FEEDBACK_HEADER}\nR2,2024-03-02,Store,C2,8,4,6,better now\n"
    )
    report = import_file(changed, "feedback", engine=store)
    assert (report.would_insert, report.would_update) == (0, 1)
    after = rows(store, "feedback")
    assert after.height == 4
    r2 = after.filter(pl.col("response_id") == "R2").row(0, named=True)
    assert (r2["nps"], r2["comment"]) == (8, "better now")


def test_rejected_file_writes_nothing_on_every_backend(store, tmp_path):
    import_file(write(tmp_path, "feedback.csv", GOOD_FEEDBACK), "feedback", engine=store)
    before = rows(store, "feedback")
    bad = GOOD_FEEDBACK.replace("R4,2024-03-04,Website,C1,10", "R4,2024-03-04,Website,C1,11")
    bad += "R5,2024-03-05,Store,C9,7,,,new row\n"
    report = import_file(write(tmp_path, "bad.csv", bad), "feedback", engine=store)
    assert not report.ok and report.status == "rejected"
    assert rows(store, "feedback").equals(before)


def _errors(tmp_path, duck_store, table: str, text: str) -> list[str]:
    report = import_file(write(tmp_path, "feedback.csv", text), table, engine=duck_store)
    assert not report.ok
    assert rows(duck_store, table).is_empty()
    return report.error_lines(None)


def test_nps_out_of_range_names_file_line_and_column(tmp_path, duck_store):
    text = GOOD_FEEDBACK + "R5,2024-03-05,Store,C2,11,,,\n"
    # R2's comment spans two lines, so R5 starts on physical line 7.
    assert _errors(tmp_path, duck_store, "feedback", text) == [
        "feedback.csv:7: column nps: value '11' is out of range 0–10 "
        "(NPS is 0–10; fix the source, values are never clamped)"
    ]


def test_csat_zero_is_rejected(tmp_path, duck_store):
    text = f"{FEEDBACK_HEADER}\nR1,2024-03-01,Store,C1,,0,,\n"
    [line] = _errors(tmp_path, duck_store, "feedback", text)
    assert line.startswith("feedback.csv:2: column csat: value '0' is out of range 1–5")


def test_bad_timestamp_is_rejected(tmp_path, duck_store):
    text = f"{FEEDBACK_HEADER}\nR1,2024-03-01,Store,C1,5,,,\nR2,yesterday,Store,C1,5,,,\n"
    [line] = _errors(tmp_path, duck_store, "feedback", text)
    assert line.startswith("feedback.csv:3: column responded_at: value 'yesterday' is not a date")


def test_duplicate_id_is_rejected_with_the_first_line(tmp_path, duck_store):
    text = (
        f"{FEEDBACK_HEADER}\nR1,2024-03-01,Store,C1,5,,,\n"
        "R2,2024-03-01,Store,C1,5,,,\nR1,2024-03-02,Store,C1,6,,,\n"
    )
    [line] = _errors(tmp_path, duck_store, "feedback", text)
    assert line.startswith(
        "feedback.csv:4: column response_id: value 'R1' duplicates the id on line 2"
    )


def test_missing_required_column_is_rejected(tmp_path, duck_store):
    text = "response_id,touchpoint,nps\nR1,Store,5\n"
    with pytest.raises(
        FileRejected, match=r"feedback.csv:1: missing required column\(s\) responded_at"
    ):
        import_file(write(tmp_path, "feedback.csv", text), "feedback", engine=duck_store)
    assert rows(duck_store, "feedback").is_empty()


def test_empty_file_is_rejected(tmp_path, duck_store):
    with pytest.raises(FileRejected, match="feedback.csv: the file is empty"):
        import_file(write(tmp_path, "feedback.csv", ""), "feedback", engine=duck_store)


def test_required_value_missing_and_no_content(tmp_path, duck_store):
    text = f"{FEEDBACK_HEADER}\nR1,,Store,C1,5,,,\nR2,2024-03-01,Store,C1,,,,\n"
    assert _errors(tmp_path, duck_store, "feedback", text) == [
        "feedback.csv:2: column responded_at: is empty (this column is required)",
        "feedback.csv:3: column nps/csat/ces/comment: has no score and no comment "
        "(a response needs at least one score (nps, csat, ces) or a comment)",
    ]


def test_stages_touchpoints_and_events_import(tmp_path, duck_store):
    stages = write(
        tmp_path, "stages.csv", "stage,position,label\nvisit,1,Visit\npurchase,2,Purchase\n"
    )
    touch = write(
        tmp_path, "tp.csv", "touchpoint,journey_phase,target_csat,target_nps\nStore,buy,80,30\n"
    )
    events = write(
        tmp_path,
        "events.csv",
        "customer_id,stage,occurred_at,amount\nC1,visit,2024-01-01 10:00,\nC1,purchase,2024-01-02,"
        "250000\nC1,refund,2024-01-03,\n",
    )
    assert import_file(stages, "stages", engine=duck_store).ok
    assert import_file(touch, "touchpoints", engine=duck_store).ok
    report = import_file(events, "events", engine=duck_store)
    assert report.ok and report.would_insert == 3
    assert report.orphan_rows == 3  # no customers imported: kept and counted
    assert any("refund" in w for w in report.warnings)
    stored = rows(duck_store, "events")
    assert stored.get_column("event_id").str.starts_with("ev_").all()
    assert sorted(stored.get_column("amount").drop_nulls().to_list()) == [250000.0]
    # derived ids are stable: importing again changes nothing
    again = import_file(events, "events", engine=duck_store)
    assert (again.would_insert, again.unchanged) == (0, 3)


def test_write_refuses_a_rejected_plan(tmp_path, duck_store):
    text = f"{FEEDBACK_HEADER}\nR1,2024-03-01,Store,C1,12,,,\n"
    plan = plan_import(write(tmp_path, "feedback.csv", text), "feedback", engine=duck_store)
    with pytest.raises(ImportRejected, match="nothing was written"):
        write_plans([plan], duck_store)
    assert rows(duck_store, "feedback").is_empty()


def test_cli_import_exit_codes(tmp_path, monkeypatch, capsys):
    from dashboard.cli import main

    url = f"duckdb:///{tmp_path / 'cli.duckdb'}"
    monkeypatch.setenv("CXDASH_DATABASE_URL", url)
    good = write(tmp_path, "feedback.csv", GOOD_FEEDBACK)
    assert main(["import", "feedback", str(good), "--dry-run"]) == 0
    assert "would insert: 4" in capsys.readouterr().out
    bad = write(tmp_path, "bad.csv", f"{FEEDBACK_HEADER}\nR1,2024-03-01,Store,C1,11,,,\n")
    assert main(["import", "feedback", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "bad.csv:2: column nps: value '11' is out of range 0–10" in err
    assert main(["import", "feedback", str(good)]) == 0
    engine = db.create_engine(url)
    assert rows(engine, "feedback").height == 4
    engine.dispose()


def test_big_files_are_validated_in_batches_and_spilled(duck_store, tmp_path, monkeypatch):
    from dashboard.ingest import read as ingest_read

    monkeypatch.setattr(ingest_read, "BLOCK_BYTES", 4096)
    lines = [FEEDBACK_HEADER]
    for i in range(1, 1001):
        comment = '"two\nlines"' if i % 50 == 0 else "ok"  # shifts later line numbers
        lines.append(f"R{i},2024-03-01,Store,C{i % 9},{i % 11},,,{comment}")
    path = write(tmp_path, "feedback.csv", "\n".join(lines) + "\n")
    plan = plan_import(path, "feedback", engine=duck_store)
    assert plan.report.ok and plan.spill is not None and len(plan.parts) >= 5
    write_plans([plan], duck_store)
    assert rows(duck_store, "feedback").height == 1000
    # a duplicate of an id from the first batch, and a bad score, both in a late batch
    lines[950] = lines[950].replace("R950,", "r1,")
    lines[990] = lines[990].replace(",Store,C0,0,", ",Store,C0,12,")
    path = write(tmp_path, "feedback.csv", "\n".join(lines) + "\n")
    report = plan_import(path, "feedback", engine=duck_store).report
    # record i starts on line i + 1 + (number of two-line comments before it)
    assert [line.split(": value")[0] for line in report.error_lines(None)] == [
        "feedback.csv:969: column response_id",
        "feedback.csv:1010: column nps",
    ]
    assert "duplicates the id on line 2" in report.error_lines(None)[0]


def test_a_failure_while_writing_rolls_back_every_table(store, tmp_path, monkeypatch):
    not_on_clickhouse(store, NO_TRANSACTIONS)
    from dashboard.ingest import write as ingest

    customers = plan_import(write(tmp_path, "c.csv", GOOD_CUSTOMERS), "customers", engine=store)
    feedback = plan_import(write(tmp_path, "f.csv", GOOD_FEEDBACK), "feedback", engine=store)
    real_append = db.append_frame
    calls = []

    def failing_append(conn, table, frame):
        calls.append(table.name)
        if table.name == "feedback":
            raise db.QueryFailed("disk full (simulated)")
        real_append(conn, table, frame)

    monkeypatch.setattr(ingest.db, "append_frame", failing_append)
    with pytest.raises(db.QueryFailed, match="simulated"):
        write_plans([customers, feedback], store)
    assert calls == ["customers", "feedback"]  # customers were written, then rolled back
    monkeypatch.undo()
    assert rows(store, "customers").is_empty() and rows(store, "feedback").is_empty()
    write_plans([customers, feedback], store)
    assert rows(store, "customers").height == 2 and rows(store, "feedback").height == 4
