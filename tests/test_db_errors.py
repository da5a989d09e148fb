"""A full disk is reported as a full disk (not "refused a statement"), on every backend and
for the operating system's own error; driver errors from the bulk paths are translated."""

from __future__ import annotations

import errno

import duckdb
import polars as pl
import psycopg
import pytest
import sqlalchemy as sa

from dashboard import db
from dashboard.cli import main
from dashboard.ingest import import_file, plan_import
from dashboard.ingest.read import FileRejected
from queries import schema

HEADER = "response_id,responded_at,touchpoint,nps,comment\n"


def _full(exc: Exception) -> str:
    engine = sa.create_engine("duckdb:///:memory:")
    translated = db._translated(engine, exc)
    assert isinstance(translated, db.DiskFull), translated
    return str(translated)


def test_out_of_space_errors_of_each_backend_and_the_os_are_disk_full():
    pg = psycopg.errors.DiskFull('could not extend file "base/16384/2619": No space left')
    assert pg.sqlstate == "53100"
    assert "is full, so nothing was written" in _full(sa.exc.OperationalError("COPY", {}, pg))
    _full(duckdb.IOException('IO Error: Could not write file "x.wal": No space left on device'))
    _full(sa.exc.OperationalError("INSERT", {}, Exception("database or disk is full")))
    _full(OSError(errno.ENOSPC, "No space left on device"))


def test_a_full_sqlite_store_refuses_the_import_with_disk_full(tmp_path):
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'small.db'}")
    db.create_schema(engine)

    @sa.event.listens_for(engine, "connect")
    def _small_disk(dbapi_connection, _record):  # the file may not grow any more
        dbapi_connection.execute("PRAGMA max_page_count = 60")

    engine.dispose()
    path = tmp_path / "feedback.csv"
    rows = "".join(f"R{i},2024-01-05,Store,9,{'long comment ' * 40}\n" for i in range(2000))
    path.write_text(HEADER + rows, encoding="utf-8")
    with pytest.raises(db.DiskFull, match="The disk of the sqlite file .* is full"):
        import_file(path, "feedback", engine=engine)
    assert db.fetch(sa.select(sa.func.count()).select_from(schema.feedback), engine).item() == 0


def test_enospc_inside_a_write_is_disk_full_on_the_command_line(
    duck_store, tmp_path, monkeypatch, capsys
):
    def no_space(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(db, "append_frame", no_space)
    monkeypatch.setattr(db, "create_engine", lambda **_: duck_store)
    path = tmp_path / "feedback.csv"
    path.write_text(HEADER + "R1,2024-01-05,Store,9,ok\n", encoding="utf-8")
    assert main(["import", "feedback", str(path)]) == 2
    err = capsys.readouterr().err
    assert "is full, so nothing was written" in err and "refused a statement" not in err


def test_a_full_temporary_disk_while_checking_a_big_file_is_said(duck_store, tmp_path, monkeypatch):
    from dashboard.ingest import read

    monkeypatch.setattr(read, "BLOCK_BYTES", 64)  # several batches: valid rows are spilled
    original = pl.DataFrame.write_parquet
    monkeypatch.setattr(
        pl.DataFrame, "write_parquet", lambda self, path, **kw: original(self, "/dev/full", **kw)
    )
    path = tmp_path / "feedback.csv"
    path.write_text(HEADER + "".join(f"R{i},2024-01-05,Store,9,ok\n" for i in range(50)))
    with pytest.raises(FileRejected, match="the disk of the temporary folder .* is full"):
        plan_import(path, "feedback", engine=duck_store)
