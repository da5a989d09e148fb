"""Validation catches everything the write would refuse: every CHECK, NOT NULL, UNIQUE and
primary key of queries/schema.py, digits other than 0-9 in every converted column, and
dates outside the range cxdash works with -- each rejected at *Check* with its line and
column, never at *Import* with a raw constraint error."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest
import sqlalchemy as sa

from dashboard import db
from dashboard.ingest import import_file, validate
from dashboard.ingest.validate import _kind, required_columns
from queries import schema

VALID = {
    "customers": {"customer_id": "C1", "segment": "SMB", "signup_at": "2024-01-01"},
    "events": {"event_id": "E1", "customer_id": "C1", "stage": "visit",
               "occurred_at": "2024-01-05 10:00:00", "amount": "10.5"},
    "feedback": {"response_id": "R1", "responded_at": "2024-01-05", "touchpoint": "Store",
                 "nps": "9", "csat": "4", "ces": "3", "comment": "ok"},
    "stages": {"stage": "visit", "position": "1", "label": "Visit"},
    "touchpoints": {"touchpoint": "Store", "target_csat": "80", "target_nps": "30"},
}  # fmt: skip

# One violating row per CHECK constraint of the five tables (the test below fails when a
# constraint is added to the schema without a case here).
CHECK_CASES = {
    "ck_feedback_nps": ("feedback", {"nps": "11"}, "nps"),
    "ck_feedback_csat": ("feedback", {"csat": "0"}, "csat"),
    "ck_feedback_ces": ("feedback", {"ces": "8"}, "ces"),
    "ck_feedback_has_content": (
        "feedback", {"nps": "", "csat": "", "ces": "", "comment": ""}, "nps/csat/ces/comment"
    ),
    "ck_touchpoints_target_csat": ("touchpoints", {"target_csat": "101"}, "target_csat"),
    "ck_touchpoints_target_nps": ("touchpoints", {"target_nps": "-101"}, "target_nps"),
}  # fmt: skip


def csv_of(rows: list[dict[str, str]]) -> str:
    header = list(rows[0])
    return "\n".join([",".join(header), *(",".join(r[c] for c in header) for r in rows)]) + "\n"


def check(engine, tmp_path: Path, table: str, rows: list[dict[str, str]]):
    path = tmp_path / f"{table}.csv"
    path.write_text(csv_of(rows), encoding="utf-8")
    return import_file(path, table, engine=engine, dry_run=True)


def errors_of(report) -> list[tuple[int, str, str]]:
    return [(r["line"], r["column"], r["rule"]) for r in report.errors.iter_rows(named=True)]


def test_every_check_constraint_of_the_schema_has_a_case():
    declared = {
        c.name
        for t in schema.TABLES.values()
        for c in t.constraints
        if isinstance(c, sa.CheckConstraint)
    }
    assert declared == set(CHECK_CASES)


@pytest.mark.parametrize("name", sorted(CHECK_CASES))
def test_check_constraints_are_caught_at_check(store, tmp_path, name):
    table, change, column = CHECK_CASES[name]
    report = check(store, tmp_path, table, [{**VALID[table], **change}])
    assert not report.ok
    assert [(line, col) for line, col, _ in errors_of(report)] == [(2, column)]
    # ...and the store would indeed refuse the row: the case is a real constraint.
    typed = {k: (None if v == "" else v) for k, v in {**VALID[table], **change}.items()}
    typed = {k: float(v) if k.startswith("target_") and v else v for k, v in typed.items()}
    typed = {k: int(v) if k in ("nps", "csat", "ces") and v else v for k, v in typed.items()}
    typed["responded_at" if table == "feedback" else "touchpoint"] = (
        dt.datetime(2024, 1, 5) if table == "feedback" else typed["touchpoint"]
    )
    with pytest.raises(db.StoreError), db.begin(store) as conn:
        db.append_frame(conn, schema.TABLES[table], pl.DataFrame([typed]))


@pytest.mark.parametrize("table", sorted(schema.TABLES))
def test_every_required_column_left_blank_is_caught(duck_store, tmp_path, table):
    for column in required_columns(table):
        report = check(duck_store, tmp_path, table, [{**VALID[table], column: ""}])
        assert (2, column, "is empty") in errors_of(report), (table, column)


@pytest.mark.parametrize("table", sorted(schema.TABLES))
def test_every_key_repeated_in_the_file_is_caught(duck_store, tmp_path, table):
    key = schema.KEYS[table][0]
    second = {**VALID[table], key: VALID[table][key].lower() + " "}  # same id: case, spaces
    if table == "stages":
        second["position"] = "2"
    report = check(duck_store, tmp_path, table, [VALID[table], second])
    assert [(line, col) for line, col, _ in errors_of(report)] == [(3, key)]


def test_unique_columns_are_known():
    unique = {t: validate.unique_columns(t) for t in schema.TABLES}
    assert {t: columns for t, columns in unique.items() if columns} == {"stages": ["position"]}


def test_two_stages_at_one_position_are_caught_in_the_file_and_against_the_store(store, tmp_path):
    rows = [VALID["stages"], {"stage": "signup", "position": "2", "label": "Sign-up"},
            {"stage": "cart", "position": "2", "label": "Cart"}]  # fmt: skip
    report = check(store, tmp_path, "stages", rows)
    assert errors_of(report) == [(4, "position", "repeats the position of line 3")]
    assert import_file(tmp_path / "stages.csv", "stages", engine=store).status == "rejected"
    assert import_file(_write(tmp_path, rows[:2]), "stages", engine=store).ok
    # a new stage at a stored stage's position: the write would fail on the UNIQUE
    report = check(store, tmp_path, "stages", [{"stage": "basket", "position": "2", "label": ""}])
    assert errors_of(report) == [
        (2, "position", "is already the position of stage 'signup' in the store")
    ]
    # ...but stages may trade positions in one file, on every backend
    swapped = [{**rows[0], "position": "2"}, {"stage": "signup", "position": "1", "label": ""}]
    report = import_file(_write(tmp_path, swapped), "stages", engine=store)
    assert report.ok and report.status == "written"
    stored = db.fetch(sa.select(schema.stages).order_by("position"), store)
    assert stored.select("stage", "position", "label").rows() == [
        ("signup", 1, None),
        ("visit", 2, "Visit"),
    ]


def _write(tmp_path: Path, rows) -> Path:
    path = tmp_path / "stages_ok.csv"
    path.write_text(csv_of(rows), encoding="utf-8")
    return path


def _converted_columns() -> list[tuple[str, str, str]]:
    """(table, column, kind) of every column that validation converts from text."""
    return [
        (name, str(c.name), _kind(c))
        for name, t in schema.TABLES.items()
        for c in t.c
        if _kind(c) != "text"
    ]


@pytest.mark.parametrize(("digits", "label"), [("١٠", "arabic-indic"), ("１０", "full-width")])
def test_digits_other_than_ascii_are_rejected_in_every_converted_column(
    duck_store, tmp_path, digits, label
):
    for table, column, kind in _converted_columns():
        value = f"{digits}" if kind != "timestamp" else f"20{digits[:2]}-01-05"
        if kind == "score":
            value = digits[0] if column != "nps" else digits  # ٩-style single digits too
        report = check(duck_store, tmp_path, table, [{**VALID[table], column: value}])
        errors = errors_of(report)
        assert errors == [(2, column, "has digits other than 0–9 (e.g. Arabic-Indic ٩ or "
                           "full-width １０)")], (table, column, errors)  # fmt: skip


def test_a_unicode_digit_score_is_rejected_not_stored_as_null(duck_store, tmp_path):
    """The reported defect: '٩' passed validation and became NULL (or a raw CHECK error)."""
    row = {**VALID["feedback"], "nps": "٩", "csat": "", "ces": "", "comment": ""}
    path = tmp_path / "feedback.csv"
    path.write_text(csv_of([row]), encoding="utf-8")
    report = import_file(path, "feedback", engine=duck_store)
    assert report.status == "rejected"
    assert report.error_lines() == [
        "feedback.csv:2: column nps: value '٩' has digits other than 0–9 (e.g. Arabic-Indic ٩ "
        "or full-width １０) (write the value with the digits 0–9; nothing is converted "
        "silently)"
    ]
    assert db.fetch(sa.select(schema.feedback), duck_store).is_empty()


@pytest.mark.parametrize("day", ["1900-01-01", "1999-12-31 23:59:59", "21010101"])
def test_dates_outside_the_range_are_rejected_in_every_timestamp_column(duck_store, tmp_path, day):
    for table, column, kind in _converted_columns():
        if kind != "timestamp":
            continue
        report = check(duck_store, tmp_path, table, [{**VALID[table], column: day}])
        rules = [rule for _, col, rule in errors_of(report) if col == column]
        if day == "21010101":  # not a date shape at all
            assert rules == ["is not a date I can read"]
        else:
            assert rules == ["is outside the dates cxdash accepts (2000-01-01 … 2100-12-31)"]


def test_unknown_touchpoints_are_warned_about_when_the_table_has_rows(store, tmp_path):
    row = {**VALID["feedback"], "touchpoint": "Stor"}
    report = check(store, tmp_path, "feedback", [row])
    assert report.ok and not report.warnings  # no touchpoints table yet: nothing to compare
    assert import_file(_touchpoints(tmp_path), "touchpoints", engine=store).ok
    report = check(store, tmp_path, "feedback", [row, {**VALID["feedback"], "response_id": "R2"}])
    assert report.ok
    assert report.warnings == [
        "touchpoint(s) Stor are not in the touchpoints table (kept): they have no journey "
        "phase or targets; check the spelling, or import them into touchpoints"
    ]
    assert "warning: touchpoint(s) Stor are not in the touchpoints table" in report.render()


def _touchpoints(tmp_path: Path) -> Path:
    path = tmp_path / "touchpoints.csv"
    path.write_text(csv_of([VALID["touchpoints"]]), encoding="utf-8")
    return path
