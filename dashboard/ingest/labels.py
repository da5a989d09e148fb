"""Labels from a file: a business's own sentiment and theme labels, read like any import
(CSV or XLSX through ``dashboard.ingest.read``) and stored all or nothing by
``dashboard.text.service.import_label_rows``. (Here, not in ``dashboard.text``: reading
files is the import layer's, which itself scores the comments it loads.)"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import sqlalchemy as sa

from dashboard.ingest.read import LINE, FileRejected, open_source
from dashboard.text import service as text_service


def import_labels(engine: sa.Engine, path: str | Path, labelled_by: str) -> int:
    """Import a labels file (CSV or XLSX): columns response_id, sentiment
    (negative | neutral | positive) and optionally themes (';'-separated theme ids;
    'none' = none of the themes; an empty cell leaves the themes to the keywords).

    All rows are checked first; if any is bad, nothing is written. Existing labels of
    the same responses are replaced. Returns the number of labels stored.

    Raises
    ------
    dashboard.text.service.LabelImportRejected
        With every bad row's line number and what is wrong (unknown response_id, a
        response without comment, a sentiment or theme that does not exist, a
        response_id given twice); nothing was written.
    """
    if not labelled_by:  # a caller's mistake (the CLI always says who), not a reader's
        raise text_service.LabelRejected("say who labelled the file (labelled_by=...)")  # i18n: ok
    name, rows = read_label_rows(Path(path))
    return text_service.import_label_rows(engine, rows, name, labelled_by)


def read_label_rows(path: Path) -> tuple[str, pl.DataFrame]:
    """(name, frame with _line, response_id, sentiment, themes) from a CSV/XLSX file."""
    try:
        source = open_source(path)
    except FileRejected as exc:
        raise text_service.LabelImportRejected(path.name, [(1, str(exc))]) from None
    try:
        columns = {c.strip().lower(): c for c in source.columns}
        missing = [c for c in ("response_id", "sentiment") if c not in columns]
        if missing:
            raise text_service.LabelImportRejected(
                source.name,
                [
                    (
                        1,
                        f"no column {', '.join(missing)}; the header must name response_id, "
                        "sentiment and optionally themes",
                    )
                ],
            )
        frame = pl.concat(list(source.batches()), how="vertical_relaxed")
        picked = [pl.col(LINE).cast(pl.Int64).alias("line")]
        for name in ("response_id", "sentiment", "themes"):
            if name in columns:
                picked.append(pl.col(columns[name]).cast(pl.String).str.strip_chars().alias(name))
            else:
                picked.append(pl.lit(None, dtype=pl.String).alias(name))
        return source.name, frame.select(picked)
    finally:
        source.close()
