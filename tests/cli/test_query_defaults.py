"""``cxdash query`` and ``cxdash export``: one default period (the dashboard's last 12
months of data), dates within the range cxdash works with, and a warning for selected
values that match nothing in the data."""

from __future__ import annotations

import datetime as dt
import json

import polars as pl
import pytest

from dashboard import cli, db
from dashboard.cli import args as cli_args
from queries import schema
from queries.filters import Filters
from tests.cli.test_query import cli_store, run  # noqa: F401


@pytest.fixture
def old_response(cli_store):  # noqa: F811
    """One response 18 months before the newest data (2025-02-01): outside the default."""
    engine = db.create_engine(cli_store)
    row = {"response_id": "old", "responded_at": dt.datetime(2023, 8, 1), "touchpoint": "Web",
           "nps": 10, "comment": "from long ago"}  # fmt: skip
    frame = pl.DataFrame([row]).with_columns(pl.col("nps").cast(pl.Int16))
    with db.begin(engine) as conn:
        db.upsert_frame(conn, schema.feedback, frame)
    engine.dispose()
    return cli_store


def responses(capsys, *argv) -> int:
    code, out, err = run(capsys, "query", "kpis", "--format", "json", *argv)
    assert code == 0, err
    return json.loads(out)["responses"]


def test_query_defaults_to_the_last_12_months_like_the_dashboard(old_response, capsys):
    assert responses(capsys) == 10  # 2024-02-02 .. 2025-02-01: the old one is out
    assert responses(capsys, "--period", "all_time") == 11
    assert responses(capsys, "--from", "2023-01-01") == 11  # to: the newest day
    assert responses(capsys, "--period", "last_30_days") == 7  # 2025-01-03 .. 2025-02-01


def test_export_uses_the_same_default(old_response, tmp_path, capsys):
    out = tmp_path / "feedback.csv"
    code, _, err = run(capsys, "export", "table", "feedback", "--out", str(out))
    assert code == 0, err
    assert "from long ago" not in out.read_text(encoding="utf-8-sig")
    code, _, err = run(capsys, "export", "table", "feedback", "--out", str(out),
                       "--period", "all_time")  # fmt: skip
    assert code == 0, err
    assert "from long ago" in out.read_text(encoding="utf-8-sig")


def test_compare_without_dates_compares_the_default_period(cli_store, capsys):  # noqa: F811
    code, out, err = run(capsys, "query", "kpis", "--compare", "--format", "json")
    assert code == 0, err
    assert "responses" in json.loads(out)


def test_help_of_both_commands_states_the_default(capsys):
    for argv in (["query", "kpis", "--help"], ["export", "table", "--help"], ["export", "--help"]):
        assert cli.main(argv) == 0
        text = " ".join(capsys.readouterr().out.split())
        assert "default: last_12_months, as the dashboard opens" in text, argv


def test_unknown_values_are_warned_with_a_case_insensitive_suggestion(cli_store, capsys):  # noqa: F811
    code, out, err = run(capsys, "query", "kpis", "--segment", "smb", "--segment", "Enterprise",
                         "--touchpoint", "Delivry", "--format", "json")  # fmt: skip
    assert code == 0
    assert err.splitlines() == [
        "cxdash: warning: --segment 'smb' matches nothing in the data, so it selects no rows; "
        "known values: Enterprise, SMB. Did you mean SMB?",
        "cxdash: warning: --touchpoint 'Delivry' matches nothing in the data, so it selects "
        "no rows; known values: Delivery, Web. Did you mean Delivery?",
    ]
    code, _, err = run(capsys, "query", "kpis", "--segment", "SMB", "--region", "Hà Nội")
    assert code == 0 and err == ""  # known values: no warning


def test_warnings_cover_every_value_flag():
    known = {"gender": ["F", "M"], "survey_channel": ["Zalo"], "income_band": []}
    f = Filters(gender=("f",), survey_channel=("zalo", "SMS"), income_band=("high",),
                region=("(unknown)",))  # fmt: skip
    lines = cli_args.unknown_value_warnings(f, known)
    assert [line.split(" matches")[0] for line in lines] == [
        "--gender 'f'",
        "--income-band 'high'",
        "--survey-channel 'SMS'",
        "--survey-channel 'zalo'",
    ]
    assert lines[0].endswith("Did you mean F?") and "known values: none." in lines[1]
    assert lines[3].endswith("Did you mean Zalo?")
