"""A mapping may only name files in scope: beside it or the data on the command line, the
files uploaded together on the Data page. Uploaded files never stay on the server."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
import sqlalchemy as sa

from dashboard import db
from dashboard.cli import main
from dashboard.ingest import import_directory, import_file, upload
from dashboard.ingest.mapping import load_mapping
from dashboard.ingest.read import FileRejected
from dashboard.ingest.upload import Upload, commit, plan_upload, starting_mapping
from queries import schema

SURVEY = "Response ID,Date,Order,Score\nT-1,2024-03-01,O1,9\nT-2,2024-03-02,O2,3\n"
ORDERS = "order_id,customer_id\nO1,C1\nO2,C2\n"
SECRET = "order_id,customer_id\nO1,root:x:0:0\nO2,daemon:x:1:1\n"  # a server file's lines


def mapping_text(lookup_file: str) -> str:
    return f"""table = "feedback"

[columns]
response_id = "Response ID"
responded_at = "Date"
nps = "Score"
customer_id = "customer_id"

[constants]
touchpoint = "Delivery"

[[lookups]]
file = "{lookup_file}"
on = "Order"
right_on = "order_id"
columns = ["customer_id"]
"""


@pytest.fixture
def layout(tmp_path) -> dict[str, Path]:
    """mappings/ with the survey and its orders; a secret file outside it."""
    folder = tmp_path / "mappings"
    folder.mkdir()
    (folder / "survey.csv").write_text(SURVEY)
    (folder / "orders.csv").write_text(ORDERS)
    secret = tmp_path / "secret.csv"
    secret.write_text(SECRET)
    return {"folder": folder, "secret": secret}


def write_mapping(folder: Path, lookup_file: str) -> Path:
    path = folder / "survey.toml"
    path.write_text(mapping_text(lookup_file))
    return path


def stored_customers(engine) -> list:
    frame = db.fetch(sa.select(schema.feedback.c.customer_id).order_by("response_id"), engine)
    return frame.get_column("customer_id").to_list()


def test_a_lookup_beside_the_mapping_is_read(duck_store, layout):
    mapping = load_mapping(write_mapping(layout["folder"], "orders.csv"))
    report = import_file(layout["folder"] / "survey.csv", "feedback", engine=duck_store,
                         mapping=mapping)  # fmt: skip
    assert report.ok, report.render()
    assert stored_customers(duck_store) == ["C1", "C2"]


@pytest.mark.parametrize("how", ["absolute", "climbing"])
def test_a_lookup_outside_the_mapping_folder_is_refused_naming_the_line(duck_store, layout, how):
    name = str(layout["secret"]) if how == "absolute" else "../secret.csv"
    mapping = load_mapping(write_mapping(layout["folder"], name))
    with pytest.raises(FileRejected) as caught:
        import_file(layout["folder"] / "survey.csv", "feedback", engine=duck_store,
                    mapping=mapping)  # fmt: skip
    text = str(caught.value)
    # line 13 of survey.toml is `file = "..."` of the [[lookups]]
    assert text.startswith(f"survey.toml:13: lookup file {name!r}")
    assert ("is an absolute path" if how == "absolute" else "leads outside") in text
    assert "--allow-lookups-outside" in text
    assert stored_customers(duck_store) == []


def test_the_cli_refuses_unless_allowed(duck_store, layout, monkeypatch, capsys):
    monkeypatch.setattr(db, "create_engine", lambda **_: duck_store)
    mapping = write_mapping(layout["folder"], str(layout["secret"]))
    args = ["import", "feedback", str(layout["folder"] / "survey.csv"), "--mapping", str(mapping)]
    assert main(args) == 1
    assert "survey.toml:13: lookup file" in capsys.readouterr().err
    assert stored_customers(duck_store) == []
    assert main([*args, "--allow-lookups-outside"]) == 0
    assert stored_customers(duck_store) == ["root:x:0:0", "daemon:x:1:1"]


def test_import_dir_data_files_stay_in_scope_too(duck_store, layout, tmp_path):
    (tmp_path / "outside.csv").write_text(SURVEY)
    text = mapping_text("orders.csv").replace(
        'table = "feedback"', 'table = "feedback"\nfile = "../outside.csv"'
    )
    (layout["folder"] / "survey.toml").write_text(text)
    with pytest.raises(FileRejected, match=r"^survey.toml:2: data file '../outside.csv' leads"):
        import_directory(layout["folder"], engine=duck_store)
    reports = import_directory(layout["folder"], engine=duck_store, allow_outside=True)
    assert all(r.ok for r in reports)


# -- the Data page ---------------------------------------------------------------------------


@pytest.fixture
def scratch(tmp_path, monkeypatch) -> Path:
    """The temporary folder uploads and spilled rows go to: must be empty after each step."""
    folder = tmp_path / "scratch"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def test_the_page_may_look_up_only_files_uploaded_with_it(duck_store, layout, scratch):
    survey = Upload("survey.csv", SURVEY.encode())
    with pytest.raises(FileRejected) as caught:
        plan_upload(survey, "feedback", mapping_text(str(layout["secret"])), duck_store)
    text = str(caught.value)
    assert text.startswith("the mapping:13: lookup file") and "is an absolute path" in text
    assert "upload it together with the main file" in text
    assert str(scratch) not in text  # the server's folders are not shown
    for name in ("../secret.csv", "orders.csv"):  # climbing out; or not uploaded
        with pytest.raises(FileRejected, match="the mapping:13: lookup file"):
            plan_upload(survey, "feedback", mapping_text(name), duck_store)
    orders = Upload("orders.csv", ORDERS.encode())
    plan = plan_upload(survey, "feedback", mapping_text("orders.csv"), duck_store, [orders])
    assert plan.report.ok, plan.report.render()
    commit(plan, duck_store)
    assert stored_customers(duck_store) == ["C1", "C2"]
    assert list(scratch.iterdir()) == []


def test_uploads_are_removed_after_every_step_whatever_happens(duck_store, scratch, monkeypatch):
    good = Upload("survey.csv", (SURVEY.replace("Score", "nps")).encode())
    mapping = 'table = "feedback"\n[columns]\nresponse_id = "Response ID"\nresponded_at = "Date"\n'
    mapping += '[constants]\ntouchpoint = "Delivery"\n'
    assert "response_id" in starting_mapping(good, "feedback")
    assert list(scratch.iterdir()) == []
    plan = plan_upload(good, "feedback", mapping, duck_store)
    assert plan.report.ok
    assert list(scratch.iterdir()) == []
    bad = Upload("bad.csv", SURVEY.replace(",9\n", ",11\n").replace("Score", "nps").encode())
    assert not plan_upload(bad, "feedback", mapping, duck_store).report.ok  # rejected rows
    assert list(scratch.iterdir()) == []
    with pytest.raises(FileRejected):  # an unreadable file
        plan_upload(Upload("empty.csv", b""), "feedback", mapping, duck_store)
    assert list(scratch.iterdir()) == []

    def crash(*args, **kwargs):
        raise RuntimeError("the store went away")

    monkeypatch.setattr(upload, "plan_import", crash)
    with pytest.raises(RuntimeError):
        plan_upload(good, "feedback", mapping, duck_store)
    assert list(scratch.iterdir()) == []


def test_spilled_rows_of_a_big_upload_go_once_written(duck_store, scratch, monkeypatch):
    from dashboard.ingest import read

    monkeypatch.setattr(read, "BLOCK_BYTES", 64)  # several batches: rows are spilled
    rows = "".join(f"R{i},2024-03-01,{i % 11}\n" for i in range(40))
    big = Upload("big.csv", ("response_id,responded_at,nps\n" + rows).encode())
    mapping = 'table = "feedback"\n[constants]\ntouchpoint = "Delivery"\n'
    plan = plan_upload(big, "feedback", mapping, duck_store)
    assert plan.spill is not None and any(scratch.iterdir())
    commit(plan, duck_store)
    assert list(scratch.iterdir()) == []
    assert upload.preview(plan).height == 20  # the page still shows what was imported
    assert (
        db.fetch(sa.select(sa.func.count()).select_from(schema.feedback), duck_store).item() == 40
    )
