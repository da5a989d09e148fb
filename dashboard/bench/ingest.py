"""Import speed check: N feedback rows from CSV into a fresh embedded DuckDB store.

    python -m dashboard.bench.ingest --rows 1000000

Writes a realistic feedback CSV (Vietnamese and English comments, some multi-line,
anonymous responses, skipped questions) to a temporary folder, then times the same
path as ``cxdash import feedback FILE``: read, validate, compare, write in one
transaction. Prints the wall time per phase and the peak memory of the process.
The target is 1M rows in at most 30 s end to end.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from datetime import datetime
from pathlib import Path

import polars as pl

from dashboard import db
from dashboard.ingest import plan_import, write_plans
from queries import schema

COMMENTS = (
    "Giao hàng nhanh, nhân viên thân thiện",
    "Đóng gói cẩn thận, sẽ mua lại",
    'Slow delivery, the parcel was "damaged"',
    "Great app, easy checkout",
    "Tổng đài chờ lâu quá\nmãi mới gặp được nhân viên",
    "",
)
TOUCHPOINTS = ("Website", "Mobile app", "Store", "Call center", "Delivery", "Billing", "Support")


def write_feedback_csv(path: Path, rows: int, chunk: int = 200_000) -> None:
    """A canonical feedback CSV of ``rows`` rows, written in chunks (bounded memory)."""
    with path.open("wb") as fh:
        for start in range(0, rows, chunk):
            _chunk(start, min(chunk, rows - start)).write_csv(fh, include_header=start == 0)


def _chunk(start: int, n: int) -> pl.DataFrame:
    frame = pl.DataFrame({"i": pl.int_range(start, start + n, eager=True)})
    i = pl.col("i")
    return frame.select(
        ("R" + i.cast(pl.String)).alias("response_id"),
        (pl.lit(datetime(2024, 1, 1)) + pl.duration(minutes=i % 500_000))
        .dt.strftime("%Y-%m-%d %H:%M:%S")
        .alias("responded_at"),
        pl.lit(pl.Series(TOUCHPOINTS)).gather(i % len(TOUCHPOINTS)).alias("touchpoint"),
        pl.when(i % 10 == 0).then(None).otherwise("C" + (i % 200_000).cast(pl.String))
        .alias("customer_id"),
        pl.when(i % 13 == 0).then(None).otherwise(i % 11).alias("nps"),
        (1 + i % 5).alias("csat"),
        pl.when(i % 3 == 0).then(None).otherwise(1 + i % 7).alias("ces"),
        pl.lit(pl.Series(COMMENTS)).gather(i % len(COMMENTS)).alias("comment"),
        pl.when(i % 2 == 0).then(pl.lit("Email")).otherwise(pl.lit("SMS")).alias("channel"),
        pl.when(i % 6 < 2).then(pl.lit("vi")).otherwise(pl.lit("en")).alias("language"),
    )  # fmt: skip


def run(rows: int, folder: Path) -> dict[str, float]:
    """Seconds per phase of importing ``rows`` feedback rows into a fresh DuckDB store."""
    csv_path = folder / "feedback.csv"
    t0 = time.perf_counter()
    write_feedback_csv(csv_path, rows)
    timings = {"generate CSV (not timed)": time.perf_counter() - t0}
    start = time.perf_counter()
    engine = db.create_engine(f"duckdb:///{folder / 'bench.duckdb'}")
    db.create_schema(engine)
    plan = plan_import(csv_path, "feedback", engine=engine)
    timings["read + validate + compare"] = time.perf_counter() - start
    timings["peak MB after validation"] = _peak_mb()
    if not plan.report.ok:
        raise SystemExit(plan.report.render())
    t1 = time.perf_counter()
    write_plans([plan], engine)
    timings["write (one transaction)"] = time.perf_counter() - t1
    timings["end to end"] = time.perf_counter() - start
    count = db.fetch(schema.feedback.select().with_only_columns(
        schema.feedback.c.response_id), engine).height  # fmt: skip
    engine.dispose()
    if count != rows:
        raise SystemExit(f"expected {rows} rows in the store, found {count}")
    timings["file MB"] = csv_path.stat().st_size / 1_048_576
    return timings


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="cxdash_bench_") as folder:
        timings = run(args.rows, Path(folder))
    peak_mb = _peak_mb()
    peak_validation = timings.pop("peak MB after validation")
    print(f"{args.rows:,} feedback rows, CSV of {timings.pop('file MB'):,.0f} MB")
    for phase, seconds in timings.items():
        print(f"  {phase:<28} {seconds:6.1f} s")
    print(f"  peak memory after validation {peak_validation:6.0f} MB")
    print(f"  peak memory (whole process)  {peak_mb:6.0f} MB (includes DuckDB's write buffers)")
    rate = args.rows / timings["end to end"]
    print(f"  rate                         {rate:8,.0f} rows/s (target: 1M rows in <= 30 s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
