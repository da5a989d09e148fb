"""What an import found and would do (or did): counts, and every row error with its line."""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from dashboard.ingest.validate import (
    empty_errors,
)

MAX_KEPT_ERRORS = 1000
SHOWN_ERRORS = 20


class ImportRejected(ValueError):
    """Some rows were rejected; nothing was written. ``str()`` is the report."""


@dataclass
class ImportReport:
    """What an import found and would do (or did)."""

    file: str
    table: str
    source: str = ""
    mapping: str = "identity"
    row_word: str = "line"
    rows_read: int = 0
    rows_valid: int = 0
    rejected_rows: int = 0
    error_count: int = 0
    errors: pl.DataFrame = field(default_factory=empty_errors)
    duplicates: int = 0
    would_insert: int = 0
    would_update: int = 0
    unchanged: int = 0
    orphan_rows: int = 0
    orphan_customers: int = 0
    orphan_ids: list[str] = field(default_factory=list)
    anonymous_rows: int = 0
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    status: str = "checked"  # checked | written | rejected

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def error_lines(self, limit: int | None = SHOWN_ERRORS) -> list[str]:
        """``file:line: column c: value 'v' rule (fix)`` for the first ``limit`` errors."""
        rows = self.errors.head(limit) if limit is not None else self.errors
        out = []
        for r in rows.iter_rows(named=True):
            value = r["value"]
            shown = "empty" if value is None else f"value {_quote(value)}"
            where = (
                f"{self.file}:{r['line']}"
                if self.row_word == "line"
                else (f"{self.file}: row {r['line']}")
            )
            if value is None:
                out.append(f"{where}: column {r['column']}: {r['rule']} ({r['fix']})")
            else:
                out.append(f"{where}: column {r['column']}: {shown} {r['rule']} ({r['fix']})")
        return out

    def render(self, limit: int = SHOWN_ERRORS) -> str:
        """The report as text for the terminal and the Data page."""
        lines = [f"{self.file} -> {self.table}  ({self.source})", f"mapping: {self.mapping}"]
        lines.append(f"rows read: {self.rows_read:,}")
        verb = {"written": ""}.get(self.status, "would ")
        lines.append(
            f"{verb}insert: {self.would_insert:,} · {verb}update: {self.would_update:,} · "
            f"unchanged: {self.unchanged:,} · rejected rows: {self.rejected_rows:,}"
        )
        if self.duplicates:
            lines.append(f"duplicate ids within the file: {self.duplicates:,}")
        if self.orphan_rows:
            shown = ", ".join(self.orphan_ids[:5])
            rest = self.orphan_customers - min(5, len(self.orphan_ids))
            more = f" and {rest:,} more" if rest > 0 else ""
            lines.append(
                f"orphans (kept): {self.orphan_rows:,} rows name {self.orphan_customers:,} "
                f"customer_id(s) that are not among the customers: {shown}{more}"
            )
        if self.anonymous_rows:
            lines.append(f"anonymous (kept): {self.anonymous_rows:,} rows have no customer_id")
        lines += [f"note: {n}" for n in self.notes]
        lines += [f"warning: {w}" for w in self.warnings]
        if self.error_count:
            lines.append(f"errors ({min(limit, self.error_count)} of {self.error_count:,} shown):")
            lines += ["  " + e for e in self.error_lines(limit)]
        lines.append(self.verdict())
        return "\n".join(lines)

    def verdict(self) -> str:
        if self.error_count:
            return "REJECTED: nothing was written. Fix the rows above and import again."
        if self.status == "written":
            return "IMPORTED."
        return "OK: nothing written yet (dry run)." if self.status == "dry-run" else "OK."


def _quote(value: str) -> str:
    text = value if len(value) <= 60 else value[:57] + "..."
    return "'" + text.replace("\n", "\\n") + "'"
