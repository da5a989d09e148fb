"""How far one source file may expand when read: checked before anything is materialised.

A compressed file can hold far more than its size suggests: a 5 KB Parquet file of
dictionary pages, a gzip of zeros, an XLSX whose cells all point at one huge shared
string. Each reader estimates what a file expands to -- the bytes of its values once
decompressed and decoded, plus a per-cell overhead for every row -- from what the file
itself declares (Parquet's footer and dictionaries, the ZIP directory and shared strings
of a workbook) or while streaming it (gzip/bz2/xz), and refuses the file before polars
or the Excel reader builds a single row when the estimate is over the limit:

- ``import_max_mb`` (``CXDASH_IMPORT_MAX_MB``): the most one file may expand to;
- ``import_max_ratio`` (``CXDASH_IMPORT_MAX_RATIO``): the most it may expand relative to
  its size on disk, once it expands beyond ``RATIO_FLOOR_BYTES`` (real exports compress
  10-50 times; a bomb a million times). 0 switches either rule off.
"""

from __future__ import annotations

from dataclasses import dataclass

from dashboard.config import get_settings
from dashboard.i18n import _
from dashboard.i18n.formats import fmt_int, fmt_number

MB = 1 << 20
# Small files may compress as well as they like: the ratio rule starts above this.
RATIO_FLOOR_BYTES = 64 * MB
# What polars keeps per cell besides the characters (a 16-byte string view).
CELL_OVERHEAD_BYTES = 16


class ExpansionRefused(ValueError):
    """The file would expand beyond the limits; ``str()`` says by how much and what to do.

    (The readers re-raise it as their ``FileRejected``: it names the file.)
    """


@dataclass(frozen=True)
class ExpansionLimit:
    """The bound on what one file may expand to."""

    max_bytes: int  # 0: no absolute bound
    max_ratio: float  # 0: no ratio bound

    @classmethod
    def from_settings(cls) -> ExpansionLimit:
        settings = get_settings()
        return cls(max_bytes=settings.import_max_mb * MB, max_ratio=settings.import_max_ratio)

    def allowed(self, stored_bytes: int) -> int | None:
        """The most a file of ``stored_bytes`` may expand to (None: no bound)."""
        bounds = []
        if self.max_bytes:
            bounds.append(self.max_bytes)
        if self.max_ratio:
            bounds.append(max(RATIO_FLOOR_BYTES, int(stored_bytes * self.max_ratio)))
        return min(bounds) if bounds else None

    def check(self, name: str, stored_bytes: int, expanded_bytes: int, rows: int = 0) -> None:
        """Raise :class:`ExpansionRefused` when ``expanded_bytes`` (+ rows' overhead) is over."""
        allowed = self.allowed(stored_bytes)
        if allowed is None or expanded_bytes <= allowed:
            return
        raise ExpansionRefused(self.message(name, stored_bytes, expanded_bytes, rows))

    def message(self, name: str, stored_bytes: int, expanded_bytes: int, rows: int = 0) -> str:
        ratio = expanded_bytes / max(stored_bytes, 1)
        by_ratio = self.max_ratio and (
            not self.max_bytes or self.allowed(stored_bytes) < self.max_bytes
        )
        if by_ratio:
            rule = _(
                "more than {ratio} times its size on disk (CXDASH_IMPORT_MAX_RATIO), "
                "which real exports never need"
            ).format(ratio=fmt_int(self.max_ratio))
        else:
            rule = _("over the limit of {limit} for one file (CXDASH_IMPORT_MAX_MB)").format(
                limit=_size(self.max_bytes)
            )
        rows_text = _(" in {rows} rows").format(rows=fmt_int(rows)) if rows else ""
        return _(
            "{name}: refused before reading: this {stored} file expands to at least "
            "{expanded}{rows_text} ({ratio}×), {rule}. If the file is genuine, split it "
            "or raise the limit; nothing was read or written."
        ).format(
            name=name,
            stored=_size(stored_bytes),
            expanded=_size(expanded_bytes),
            rows_text=rows_text,
            ratio=fmt_int(ratio),
            rule=rule,
        )


def _size(n: int) -> str:
    if n >= 1 << 30:
        return f"{fmt_number(n / (1 << 30), 1)} GB"
    if n >= MB:
        return f"{fmt_number(n / MB, 1)} MB"
    return f"{fmt_number(n / 1024, 1)} KB"


def row_overhead(rows: int, columns: int) -> int:
    """Bytes polars spends on the cells of ``rows`` × ``columns`` besides their characters."""
    return rows * (columns + 1) * CELL_OVERHEAD_BYTES
