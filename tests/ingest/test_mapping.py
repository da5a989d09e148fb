"""Column mappings, suggestions, derived events, and the Olist worked example."""

from __future__ import annotations

import tomllib
from pathlib import Path

import polars as pl
import pytest
import sqlalchemy as sa

from dashboard import db
from dashboard.ingest import import_directory, import_file
from dashboard.ingest.mapping import MappingError, load_mapping, parse_mapping
from dashboard.ingest.suggest import suggest_mapping, to_toml
from queries import schema
from tests.conftest import DATASETS

OLIST = DATASETS / "olist-sample"
OLIST_MAPPINGS = Path(__file__).resolve().parent.parent.parent / "mappings" / "olist"


def fetch(engine, table: str) -> pl.DataFrame:
    t = schema.TABLES[table]
    return db.fetch(sa.select(t).order_by(*t.primary_key.columns), engine)


def write_mapping(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "mapping.toml"
    path.write_text(text, encoding="utf-8")
    return path


SURVEY = """Submitted At,Response ID,Email,How likely are you to recommend us? (1-10),Why?,Channel
2024-03-01 10:00:00,T-1,a@x.vn,10,"Rất tốt",E-mail
2024-03-02 11:00:00,T-2,b@x.vn,1,"Tệ",SMS
2024-03-03 12:00:00,T-3,,,"Không ý kiến",E-mail
"""


def test_mapping_with_constants_value_map_and_explicit_scale(duck_store, tmp_path):
    data = tmp_path / "typeform.csv"
    data.write_text(SURVEY, encoding="utf-8")
    mapping = load_mapping(
        write_mapping(
            tmp_path,
            """
table = "feedback"
[columns]
response_id = "Response ID"
responded_at = "Submitted At"
nps = "How likely are you to recommend us? (1-10)"
comment = "Why?"
channel = "Channel"
[constants]
touchpoint = "Website"
[values.channel]
"E-mail" = "Email"
[scales.nps]
from = [1, 10]
""",
        )
    )
    report = import_file(data, "feedback", engine=duck_store, mapping=mapping)
    assert report.ok, report.render()
    stored = fetch(duck_store, "feedback")
    assert stored.get_column("nps").to_list() == [10, 0, None]  # 1-10 mapped onto 0-10
    assert stored.get_column("channel").to_list() == ["Email", "SMS", "Email"]
    assert stored.get_column("touchpoint").unique().to_list() == ["Website"]


def test_scale_is_never_implied(duck_store, tmp_path):
    data = tmp_path / "survey.csv"
    data.write_text(SURVEY.replace(",10,", ",0,"), encoding="utf-8")  # 0 is outside 1-10
    mapping = parse_mapping(
        {
            "table": "feedback",
            "columns": {
                "response_id": "Response ID",
                "responded_at": "Submitted At",
                "nps": "How likely are you to recommend us? (1-10)",
            },
            "constants": {"touchpoint": "Website"},
            "scales": {"nps": {"from": [1, 10]}},
        }
    )
    report = import_file(data, "feedback", engine=duck_store, mapping=mapping)
    assert report.error_lines(None)[0].startswith(
        "survey.csv:2: column nps: value '0' is out of range 1–10 in the source, converted to 0–10"
    )


def test_mapping_errors_are_clear(tmp_path):
    with pytest.raises(MappingError, match=r"\[columns\] names \['score'\], not columns"):
        parse_mapping({"table": "feedback", "columns": {"score": "x"}})
    with pytest.raises(MappingError, match="maps table 'events', but you import into 'feedback'"):
        parse_mapping({"table": "events"}, table="feedback")
    with pytest.raises(MappingError, match="not valid TOML"):
        load_mapping(write_mapping(tmp_path, "table = feedback"))
    with pytest.raises(MappingError, match=r"\[\[events\]\] only applies"):
        parse_mapping({"table": "feedback", "events": [{"stage": "a", "occurred_at": "b"}]})


def test_derived_events_one_per_stage_column(duck_store, tmp_path):
    orders = tmp_path / "orders.csv"
    orders.write_text(
        "order,client,placed,paid,shipped,total\n"
        "O1,C1,2024-01-01 10:00,2024-01-01 11:00,2024-01-03,150000\n"
        "O2,C2,2024-01-02 09:00,,,80000\n",
        encoding="utf-8",
    )
    mapping = parse_mapping(
        {
            "table": "events",
            "columns": {"event_id": "order", "customer_id": "client"},
            "events": [
                {"stage": "purchase", "occurred_at": "placed", "amount": "total"},
                {"stage": "paid", "occurred_at": "paid"},
                {"stage": "shipped", "occurred_at": "shipped"},
            ],
        }
    )
    report = import_file(orders, "events", engine=duck_store, mapping=mapping)
    assert report.ok and report.rows_read == 2 and report.would_insert == 4
    stored = fetch(duck_store, "events")
    assert stored.get_column("event_id").to_list() == [
        "O1:paid", "O1:purchase", "O1:shipped", "O2:purchase",
    ]  # fmt: skip
    assert stored.filter(pl.col("stage") == "purchase").get_column("amount").to_list() == [
        150000.0,
        80000.0,
    ]
    assert stored.filter(pl.col("stage") != "purchase").get_column("amount").is_null().all()


def test_suggest_known_export_names():
    qualtrics = ["StartDate", "EndDate", "ResponseId", "RecordedDate", "ExternalReference",
                 "DistributionChannel", "UserLanguage", "Q1_NPS_GROUP",
                 "How likely are you to recommend us?", "Tell us why"]  # fmt: skip
    s = suggest_mapping(qualtrics, "feedback")
    assert s.columns["response_id"][0] == "ResponseId"
    assert s.columns["responded_at"][0] == "RecordedDate"
    assert s.columns["customer_id"][0] == "ExternalReference"
    assert s.columns["nps"][0] == "How likely are you to recommend us?"
    assert s.missing_required() == ["touchpoint"]
    hubspot = ["Record ID", "First Name", "Email", "Phone Number", "Create Date",
               "Original Source", "State/Region"]  # fmt: skip
    s = suggest_mapping(hubspot, "customers")
    assert {k: v[0] for k, v in s.columns.items()} == {
        "customer_id": "Record ID",
        "email": "Email",
        "phone": "Phone Number",
        "signup_at": "Create Date",
        "channel": "Original Source",
        "region": "State/Region",
    }
    salesforce = ["Opportunity ID", "Account ID", "Stage", "Close Date", "Amount", "Lead Source"]
    s = suggest_mapping(salesforce, "events")
    assert {k: v[0] for k, v in s.columns.items()} == {
        "event_id": "Opportunity ID",
        "customer_id": "Account ID",
        "stage": "Stage",
        "occurred_at": "Close Date",
        "amount": "Amount",
        "channel": "Lead Source",
    }
    google_forms = ["Timestamp", "Email Address", "Customer Satisfation", "Coments"]
    s = suggest_mapping(google_forms, "feedback")
    assert s.columns["responded_at"][0] == "Timestamp"
    assert s.columns["csat"][0] == "Customer Satisfation"  # question wording
    assert s.columns["comment"] == ("Coments", "similar name (0.93)")


def test_suggested_toml_is_valid_and_imports_after_one_edit(duck_store, tmp_path):
    data = tmp_path / "typeform.csv"
    data.write_text(SURVEY.replace("(1-10)", ""), encoding="utf-8")
    text = to_toml(suggest_mapping(SURVEY.splitlines()[0].split(","), "feedback"))
    parsed = tomllib.loads(text)
    assert parsed["table"] == "feedback" and "touchpoint" not in parsed["columns"]
    assert '# touchpoint = "..."  # REQUIRED' in text
    edited = text.replace("(1-10)", "").replace("[constants]", '[constants]\ntouchpoint = "Web"')
    mapping = load_mapping(write_mapping(tmp_path, edited))
    report = import_file(data, "feedback", engine=duck_store, mapping=mapping)
    assert report.ok, report.render()


def test_cli_suggest_prints_toml(tmp_path, capsys):
    from dashboard.cli import main

    data = tmp_path / "survey.csv"
    data.write_text(SURVEY, encoding="utf-8")
    assert main(["import", "feedback", str(data), "--suggest"]) == 0
    out = capsys.readouterr().out
    assert tomllib.loads(out)["columns"]["response_id"] == "Response ID"


# -- the Olist worked example ----------------------------------------------------------------


def olist_counts(engine) -> dict[str, int]:
    return {name: fetch(engine, name).height for name in schema.TABLES}


def test_olist_example_end_to_end(store):
    reports = {r.table: r for r in import_directory(OLIST_MAPPINGS, OLIST, engine=store)}
    assert all(r.ok for r in reports.values()), [r.render() for r in reports.values()]
    assert olist_counts(store) == {
        "customers": 200,
        "events": 16_110,
        "feedback": 6_123,
        "stages": 4,
        "touchpoints": 1,
    }
    events, feedback = reports["events"], reports["feedback"]
    assert events.rows_read == 4_071
    # 9 orders have their customer in the sample; the other 4,062 orders are orphans
    assert (events.orphan_customers, events.orphan_rows) == (4_062, 16_074)
    assert any("3,893 rows have no match in olist_order_payments_dataset.csv" in n
               for n in events.notes)  # fmt: skip
    assert not events.warnings  # every stage is in stages.csv
    # 251 reviews join an order (none of whose customers is sampled); 5,872 join none
    assert (feedback.orphan_rows, feedback.anonymous_rows) == (251, 5_872)
    stored = fetch(store, "feedback")
    assert stored.get_column("touchpoint").unique().to_list() == ["Delivery"]
    assert set(stored.get_column("csat").unique().to_list()) <= {1, 2, 3, 4, 5}
    assert stored.get_column("nps").is_null().all()
    purchases = fetch(store, "events").filter(pl.col("stage") == "purchase")
    assert purchases.height == 4_071 and purchases.get_column("amount").drop_nulls().len() == 178
    # a multi-line Portuguese comment survives with its line break
    assert stored.get_column("comment").str.contains("\n").any()


def test_olist_reimport_changes_nothing(duck_store):
    import_directory(OLIST_MAPPINGS, OLIST, engine=duck_store)
    before = {name: fetch(duck_store, name) for name in schema.TABLES}
    reports = import_directory(OLIST_MAPPINGS, OLIST, engine=duck_store)
    assert all(r.would_insert == 0 and r.would_update == 0 for r in reports)
    for name, frame in before.items():
        assert fetch(duck_store, name).equals(frame), name


def test_olist_cli_dry_run_writes_nothing(tmp_path, monkeypatch, capsys):
    from dashboard.cli import main

    url = f"duckdb:///{tmp_path / 'olist.duckdb'}"
    monkeypatch.setenv("CXDASH_DATABASE_URL", url)
    code = main(["import-dir", str(OLIST_MAPPINGS), "--data", str(OLIST), "--dry-run"])
    assert code == 0
    out = capsys.readouterr().out
    assert "would insert: 16,110" in out and "anonymous (kept): 5,872 rows" in out
    engine = db.create_engine(url)
    assert olist_counts(engine) == dict.fromkeys(schema.TABLES, 0)
    engine.dispose()


def test_date_format_and_time_zones(duck_store, tmp_path):
    data = tmp_path / "f.csv"
    data.write_text("id,when,score\nA,01.02.2024 13:45,5\nB,2024-02-01,4\n", encoding="utf-8")
    mapping = parse_mapping(
        {
            "table": "feedback",
            "date_format": "%d.%m.%Y %H:%M",
            "columns": {"response_id": "id", "responded_at": "when", "csat": "score"},
            "constants": {"touchpoint": "Store"},
        }
    )
    report = import_file(data, "feedback", engine=duck_store, mapping=mapping)
    assert report.error_lines(None) == [
        "f.csv:3: column responded_at: value '2024-02-01' is not a date I can read "
        "(use the format '%d.%m.%Y %H:%M' of the mapping)"
    ]
    data.write_text(
        "response_id,responded_at,touchpoint,csat\n"
        "A,2024-02-01T10:00:00+07:00,Store,5\nB,2024-02-01T10:00:00Z,Store,4\n"
        "C,2024-02-01T10:00:00.250,Store,3\n",
        encoding="utf-8",
    )
    assert import_file(data, "feedback", engine=duck_store).ok
    stored = fetch(duck_store, "feedback").get_column("responded_at")
    assert [str(v) for v in stored] == [
        "2024-02-01 03:00:00",  # offsets are converted to UTC
        "2024-02-01 10:00:00",
        "2024-02-01 10:00:00.250000",
    ]
