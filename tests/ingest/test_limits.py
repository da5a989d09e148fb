"""Compression bombs: every format is refused before it expands beyond the import limit.

The bombs are built here, small (a few KB on disk), and the limits are lowered through
the settings so the tests stay fast; one test runs the default limits in a subprocess
and measures its peak memory.
"""

from __future__ import annotations

import gzip
import io
import json
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from dashboard.ingest import import_file
from dashboard.ingest.read import FileRejected, open_source

ROOT = Path(__file__).resolve().parents[2]
MIB = 1 << 20
HEADER = "response_id,responded_at,touchpoint,nps,comment\n"


def _feedback_columns(n: int) -> dict[str, list[str]]:
    return {
        "response_id": [f"R{i}" for i in range(n)],
        "responded_at": ["2024-01-05"] * n,
        "touchpoint": ["Store"] * n,
        "nps": ["9"] * n,
    }


def parquet_dictionary_bomb(path: Path, rows: int) -> Path:
    """``rows`` rows pointing at one 1 MiB dictionary entry: ~2 KB on disk."""
    comment = pa.DictionaryArray.from_arrays(pa.array([0] * rows, pa.int32()), ["a" * MIB])
    table = pa.table({**_feedback_columns(rows), "comment": comment})
    pq.write_table(table, path, compression="zstd", use_dictionary=True)
    return path


def parquet_row_group_bomb(path: Path, groups: int) -> Path:
    """``groups`` row groups, each a distinct 1 MiB value in its own dictionary page."""
    schema = pa.schema([(c, pa.string()) for c in [*_feedback_columns(0), "comment"]])
    with pq.ParquetWriter(path, schema, compression="zstd", use_dictionary=True) as writer:
        for g in range(groups):
            row = {k: [v[0].replace("R0", f"R{g}")] for k, v in _feedback_columns(1).items()}
            writer.write_table(pa.table({**row, "comment": [f"{g:06d}" + "a" * MIB]}, schema))
    return path


def gzip_bomb(path: Path, megabytes: int) -> Path:
    line = b"R,2024-01-05,Store,9," + b"a" * 1000 + b"\n"
    block = line * (MIB // len(line))
    with gzip.open(path, "wb", compresslevel=1) as fh:
        fh.write(HEADER.encode())
        for _ in range(megabytes):
            fh.write(block)
    return path


def xlsx_shared_string_bomb(path: Path, cells: int) -> Path:
    """A workbook whose ``cells`` comment cells all point at one 1 MiB shared string."""
    import xlsxwriter

    plain = io.BytesIO()
    with xlsxwriter.Workbook(plain) as book:
        sheet = book.add_worksheet("Responses")
        sheet.write_row(0, 0, ["response_id", "responded_at", "touchpoint", "nps", "comment"])
        for i in range(cells):
            sheet.write_row(i + 1, 0, [f"R{i}", "2024-01-05", "Store", "9", "BIG"])
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/sharedStrings.xml":
                data = data.replace(b"<t>BIG</t>", b"<t>" + b"a" * MIB + b"</t>")
            dst.writestr(info.filename, data)
    return path


@pytest.fixture
def small_limit(monkeypatch):
    """An import limit of 8 MB (the ratio rule stays at its default)."""
    monkeypatch.setenv("CXDASH_IMPORT_MAX_MB", "8")


def _refusal(path: Path) -> str:
    with pytest.raises(FileRejected) as caught:
        open_source(path)
    return str(caught.value)


def test_parquet_dictionary_bomb_is_refused_from_its_footer_and_indices(tmp_path):
    path = parquet_dictionary_bomb(tmp_path / "bomb.parquet", rows=200)
    assert path.stat().st_size < 10_000
    text = _refusal(path)
    assert "bomb.parquet: refused before reading" in text
    assert "expands to at least 200.0 MB in 200 rows" in text
    assert "CXDASH_IMPORT_MAX_RATIO" in text


def test_parquet_row_group_bomb_is_refused_by_the_absolute_limit(tmp_path, monkeypatch):
    monkeypatch.setenv("CXDASH_IMPORT_MAX_RATIO", "0")  # only the absolute limit
    monkeypatch.setenv("CXDASH_IMPORT_MAX_MB", "16")
    text = _refusal(parquet_row_group_bomb(tmp_path / "groups.parquet", groups=20))
    assert "over the limit of 16.0 MB for one file (CXDASH_IMPORT_MAX_MB)" in text


def test_gzip_csv_is_read_and_a_gzip_bomb_refused_while_decompressing(
    small_limit, duck_store, tmp_path, monkeypatch
):
    scratch = tmp_path / "scratch"  # where the decompressed copies go
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    fine = tmp_path / "feedback.csv.gz"
    fine.write_bytes(gzip.compress((HEADER + "R1,2024-01-05,Store,9,good\n").encode()))
    report = import_file(fine, "feedback", engine=duck_store)
    assert report.ok and report.would_insert == 1
    source = open_source(fine)
    assert "decompressed from gzip" in source.notes
    source.close()

    text = _refusal(gzip_bomb(tmp_path / "bomb.csv.gz", megabytes=20))
    assert "bomb.csv.gz: refused before reading" in text and "8.0 MB" in text
    assert list(scratch.iterdir()) == []  # the partial copy is gone too


def test_truncated_gzip_is_called_damaged(tmp_path):
    path = tmp_path / "cut.csv.gz"
    whole = gzip.compress((HEADER + "R1,2024-01-05,Store,9,x\n" * 1000).encode())
    path.write_bytes(whole[: len(whole) // 2])
    assert "cut.csv.gz: the gzip file is damaged or truncated" in _refusal(path)


def test_plain_csv_over_the_limit_is_refused_before_it_is_parsed(small_limit, tmp_path):
    path = tmp_path / "big.csv"
    path.write_bytes(HEADER.encode() + b"R,2024-01-05,Store,9," + b"a" * (9 * MIB) + b"\n")
    assert "big.csv: refused before reading: this 9.0 MB file" in _refusal(path)


def test_xlsx_shared_string_bomb_is_refused(small_limit, tmp_path):
    path = xlsx_shared_string_bomb(tmp_path / "bomb.xlsx", cells=12)
    assert path.stat().st_size < 50_000
    text = _refusal(path)
    assert "bomb.xlsx: refused before reading" in text and "12.0 MB" in text


def test_xlsx_zip_directory_sizes_are_checked_first(small_limit, tmp_path):
    path = tmp_path / "huge.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b" " * (10 * MIB))
    assert "huge.xlsx: refused before reading" in _refusal(path)


BOMB_SCRIPT = """
import json, resource, sys
from dashboard.ingest.plan import plan_import
from dashboard.ingest.read import FileRejected
import sqlalchemy as sa
from dashboard import db
engine = sa.create_engine("duckdb:///:memory:")
db.create_schema(engine)
outcomes = []
for path in sys.argv[1:]:
    try:
        plan_import(path, "feedback", engine=engine)
        outcomes.append("accepted")
    except FileRejected as exc:
        outcomes.append(str(exc))
# This process's own peak: ru_maxrss would also count the parent it was forked from.
with open("/proc/self/status") as fh:
    hwm = [line for line in fh if line.startswith("VmHWM:")]
peak = (int(hwm[0].split()[1]) if hwm else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
peak /= 1024
print(json.dumps({"peak_mb": peak, "outcomes": outcomes}))
"""


def test_bombs_under_the_default_limits_keep_memory_bounded(tmp_path):
    """Without the limits these two files (300 MB each once expanded) took the process
    past 2 GB; with them it stays near its start-up size."""
    files = [
        parquet_dictionary_bomb(tmp_path / "dictionary.parquet", rows=300),
        parquet_row_group_bomb(tmp_path / "groups.parquet", groups=300),
    ]
    done = subprocess.run(
        [sys.executable, "-c", BOMB_SCRIPT, *map(str, files)],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
        cwd=ROOT,
        timeout=300,
        check=True,
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["peak_mb"] < 500, result
    assert all("refused before reading" in o for o in result["outcomes"]), result["outcomes"]
