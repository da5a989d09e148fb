"""The Data page through AppTest: upload -> mapping -> report -> import, data health, and
rebuilding the summary tables."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from dashboard import db, rollup_store
from dashboard.ingest import import_file
from dashboard.ingest import upload as ingest_upload
from queries import rollups, schema

PAGE = Path(__file__).resolve().parent.parent.parent / "pages" / "data.py"
SURVEY = (
    "Response ID,Submitted At,Customer ID,How likely are you to recommend us?,Comments\n"
    "T-1,2024-03-01 10:00:00,C1,10,Rất tốt\n"
    "T-2,2024-03-02 11:00:00,,3,Chậm\n"
)


@pytest.fixture
def store_env(tmp_path, monkeypatch) -> str:
    url = f"duckdb:///{tmp_path / 'page.duckdb'}"
    monkeypatch.setenv("CXDASH_DATABASE_URL", url)
    db.engine_for.cache_clear()
    yield url
    db.engine_for.cache_clear()


# The page as the app runs it: after sign-in has set an admin as the run's viewer (the
# app's engine refuses statements of a run without one).
AS_ADMIN = f"""
from dashboard import access
access.set_viewer(access.Viewer("admin@example.vn", "admin"))
exec(compile(open({str(PAGE)!r}, encoding="utf-8").read(), {str(PAGE)!r}, "exec"))
"""


def run_page() -> AppTest:
    at = AppTest.from_string(AS_ADMIN, default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    return at


def upload(at: AppTest, name: str, content: bytes) -> AppTest:
    at.file_uploader(key="upload").set_value((name, content, "text/csv"))
    at.run()
    assert not at.exception, at.exception
    return at


def feedback_rows(url: str) -> list[tuple]:
    engine = db.engine_for(url)
    frame = db.fetch(sa.select(schema.feedback).order_by("response_id"), engine)
    return frame.select("response_id", "customer_id", "nps", "touchpoint").rows()


def test_upload_suggest_edit_check_import(store_env):
    at = run_page()
    assert "no tables yet" in at.info[0].value
    at.selectbox(key="table").set_value("feedback")
    upload(at, "typeform.csv", SURVEY.encode("utf-8"))
    mapping = at.text_area(key="mapping_text").value
    assert 'response_id = "Response ID"' in mapping
    assert 'nps = "How likely are you to recommend us?"' in mapping
    assert '# touchpoint = "..."  # REQUIRED' in mapping
    # Check before editing: the required touchpoint is missing
    at.button(key="check").click().run()
    assert "missing required column(s) touchpoint" in at.error[0].value
    edited = mapping.replace("[constants]", '[constants]\ntouchpoint = "Website"')
    at.text_area(key="mapping_text").set_value(edited)
    at.button(key="check").click().run()
    assert not at.exception, at.exception
    report = at.code[0].value
    assert "would insert: 2" in report and "anonymous (kept): 1 rows" in report
    assert at.dataframe[-1].value.shape[0] == 2
    assert feedback_rows(store_env) == []  # nothing written before Import
    at.button(key="import").click().run()
    assert not at.exception, at.exception
    assert "Imported typeform.csv into feedback" in at.success[0].value
    assert feedback_rows(store_env) == [
        ("T-1", "C1", 10, "Website"),
        ("T-2", None, 3, "Website"),
    ]
    # the health panel now counts the rows and knows the import time
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Feedback responses"] == "2"
    assert metrics["Anonymous feedback"] == "50.0%"
    assert metrics["Orphan feedback"] == "50.0%"  # C1 is not among the customers
    assert metrics["Last import"] != "never"


def test_rejected_upload_shows_errors_and_no_import_button(store_env, tmp_path):
    at = run_page()
    header = "response_id,responded_at,touchpoint,nps\n"
    upload(at, "feedback.csv", (header + "R1,2024-01-01,Store,11\n").encode())
    assert at.text_area(key="mapping_text").value.startswith('table = "feedback"')
    at.button(key="check").click().run()
    assert "feedback.csv:2: column nps: value '11' is out of range 0–10" in at.code[0].value
    assert "REJECTED: nothing was written" in at.code[0].value
    assert not [b for b in at.button if b.key == "import"]
    assert feedback_rows(store_env) == []


def test_upload_limit_is_enforced(store_env, monkeypatch):
    monkeypatch.setattr(ingest_upload, "UPLOAD_LIMIT_MB", 0.0001)  # about 100 bytes
    at = run_page()
    upload(at, "big.csv", b"response_id,responded_at,touchpoint,nps\n" + b"R,2024-01-01,S,5\n" * 20)
    assert "over the upload limit" in at.error[0].value
    assert not [b for b in at.button if b.key == "check"]


def test_health_panel_on_existing_data(store_env, tmp_path):
    engine = db.engine_for(store_env)
    db.create_schema(engine)
    path = tmp_path / "customers.csv"
    path.write_text("customer_id,signup_at\nC1,2024-01-01\nC2,2024-02-01\n", encoding="utf-8")
    assert import_file(path, "customers", engine=engine).ok
    engine.dispose()
    at = run_page()
    coverage = at.dataframe[0].value
    row = coverage[coverage["table"] == "customers"].iloc[0]
    assert row["rows"] == 2 and str(row["from"]).startswith("2024-01-01")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Feedback responses"] == "0" and metrics["Anonymous feedback"] == "–"


def test_data_page_opens_from_the_app_on_an_empty_store(store_env):
    app = Path(__file__).resolve().parent.parent.parent / "dashboard" / "app.py"
    at = AppTest.from_file(str(app), default_timeout=60)
    at.run()
    at.switch_page("../pages/data.py")
    at.run()
    assert not at.exception, at.exception
    assert at.title[0].value.endswith("Data")
    assert at.selectbox(key="table").value == "feedback"


def test_editing_the_mapping_after_a_check_asks_for_a_new_check(store_env):
    at = run_page()
    header = "response_id,responded_at,touchpoint,nps\n"
    upload(at, "feedback.csv", (header + "R1,2024-01-01,Store,9\n").encode())
    at.button(key="check").click().run()
    assert [b for b in at.button if b.key == "import"]
    at.text_area(key="mapping_text").set_value('table = "feedback"\n[constants]\nlanguage = "vi"')
    at.run()
    assert "press Check again" in at.warning[0].value
    assert not [b for b in at.button if b.key == "import"]


def write_without_refresh(engine: sa.Engine) -> None:
    """Data written the way another tool would: through ``db``, no summary refresh."""
    db.create_schema(engine)
    customers = pl.DataFrame(
        {
            "customer_id": ["C1", "C2"],
            "segment": ["Retail", "SME"],
            "signup_at": [dt.datetime(2024, 1, 1), dt.datetime(2024, 2, 1)],
        }
    )
    feedback = pl.DataFrame(
        {
            "response_id": ["R1", "R2"],
            "responded_at": [dt.datetime(2024, 3, 1, 10), dt.datetime(2024, 3, 2, 11)],
            "touchpoint": ["Store", "Website"],
            "customer_id": ["C1", None],
            "nps": [9, 3],
        }
    )
    with db.begin(engine) as conn:
        db.upsert_frame(conn, schema.customers, customers)
        db.upsert_frame(conn, schema.feedback, feedback)


def rebuild_buttons(at: AppTest) -> list:
    return [b for b in at.button if b.key == "rebuild_summaries"]


def summarised_feedback(engine: sa.Engine) -> int:
    return db.fetch(sa.select(sa.func.count()).select_from(rollups.feedback_facts), engine).item()


@pytest.mark.parametrize("state", ["missing", "stale"])
def test_outdated_summaries_are_rebuilt_from_the_page(store_env, state):
    engine = db.engine_for(store_env)
    write_without_refresh(engine)
    if state == "stale":  # built, then another tool wrote around cxdash
        rollup_store.refresh_store(engine)
        # db.writing: the embedded store's turn to write (its reads are read-only).
        with db.writing(engine), engine.begin() as conn:
            conn.execute(
                schema.feedback.insert().values(
                    response_id="R3", responded_at=dt.datetime(2024, 3, 3), touchpoint="Store",
                    nps=10,
                )
            )  # fmt: skip
    assert rollup_store.status(engine).state == state
    at = run_page()
    assert len(at.warning) == 1
    expected = "No summary tables yet" if state == "missing" else "The data changed after"
    assert at.warning[0].value.startswith(expected)
    [button] = rebuild_buttons(at)
    assert button.label == "Rebuild summary tables"
    assert "can take a minute on large data" in button.help.lower()
    button.click().run()
    assert not at.exception, at.exception
    assert not at.error
    summaries = rollup_store.status(engine)
    assert summaries.state == "fresh"
    assert summarised_feedback(engine) == (2 if state == "missing" else 3)
    assert [t.value for t in at.toast] == ["Summary tables rebuilt."]
    assert not at.warning and not rebuild_buttons(at)
    assert f":material/bolt: {summaries.message}" in [c.value for c in at.caption]


def test_fresh_summaries_show_no_warning_and_no_button(store_env):
    engine = db.engine_for(store_env)
    write_without_refresh(engine)
    rollup_store.refresh_store(engine)
    at = run_page()
    assert not at.warning and not rebuild_buttons(at)
    built = rollup_store.status(engine).refreshed_at
    expected = f":material/bolt: Summary tables are up to date (built {built:%Y-%m-%d %H:%M})."
    assert expected in [c.value for c in at.caption]


def test_a_failed_rebuild_is_explained_and_changes_nothing(store_env, monkeypatch):
    engine = db.engine_for(store_env)
    write_without_refresh(engine)

    def fail(engine, progress=None):
        raise db.QueryFailed("The query took too long on the test store and was cancelled.")

    monkeypatch.setattr(rollup_store, "refresh_store", fail)
    at = run_page()
    rebuild_buttons(at)[0].click().run()
    assert not at.exception, at.exception
    [error] = at.error
    assert "could not be rebuilt; nothing was changed" in error.value
    assert "took too long on the test store" in error.value
    assert "run `cxdash refresh`" in error.value
    assert rollup_store.status(engine).state == "missing"
    assert rebuild_buttons(at) and not at.toast
