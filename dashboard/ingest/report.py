"""What an import found and would do (or did): counts, and every row error with its line."""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from dashboard.i18n import _
from dashboard.i18n.formats import fmt_int
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
        """``file:line: column c: value 'v' rule (fix)`` for the first ``limit`` errors.

        The frame is in the current language; the rule and the fix are the validator's.
        """
        rows = self.errors.head(limit) if limit is not None else self.errors
        out = []
        for r in rows.iter_rows(named=True):
            value = r["value"]
            where = (
                f"{self.file}:{r['line']}"
                if self.row_word == "line"
                else _("{file}: row {line}").format(file=self.file, line=r["line"])
            )
            column = _("column {column}").format(column=r["column"])
            if value is None:
                out.append(f"{where}: {column}: {r['rule']} ({r['fix']})")
            else:
                shown = _("value {value}").format(value=_quote(value))
                out.append(f"{where}: {column}: {shown} {r['rule']} ({r['fix']})")
        return out

    def render(self, limit: int = SHOWN_ERRORS) -> str:
        """The report as text for the terminal and the Data page, in the current language."""
        lines = [
            f"{self.file} -> {self.table}  ({self.source})",
            _("mapping: {mapping}").format(mapping=self.mapping),
            _("rows read: {n}").format(n=fmt_int(self.rows_read)),
        ]
        counts = {
            "insert": fmt_int(self.would_insert),
            "update": fmt_int(self.would_update),
            "unchanged": fmt_int(self.unchanged),
            "rejected": fmt_int(self.rejected_rows),
        }
        if self.status == "written":
            words = _(
                "insert: {insert} · update: {update} · unchanged: {unchanged} · "
                "rejected rows: {rejected}"
            )
        else:
            words = _(
                "would insert: {insert} · would update: {update} · unchanged: {unchanged} · "
                "rejected rows: {rejected}"
            )
        lines.append(words.format(**counts))
        if self.duplicates:
            lines.append(_("duplicate ids within the file: {n}").format(n=fmt_int(self.duplicates)))
        if self.orphan_rows:
            shown = ", ".join(self.orphan_ids[:5])
            rest = self.orphan_customers - min(5, len(self.orphan_ids))
            more = " " + _("and {n} more").format(n=fmt_int(rest)) if rest > 0 else ""
            lines.append(
                _(
                    "orphans (kept): {rows} rows name {customers} customer_id(s) that are not "
                    "among the customers: {ids}"
                ).format(
                    rows=fmt_int(self.orphan_rows),
                    customers=fmt_int(self.orphan_customers),
                    ids=shown + more,
                )
            )
        if self.anonymous_rows:
            lines.append(
                _("anonymous (kept): {n} rows have no customer_id").format(
                    n=fmt_int(self.anonymous_rows)
                )
            )
        lines += [_("note: {text}").format(text=n) for n in self.notes]
        lines += [_("warning: {text}").format(text=w) for w in self.warnings]
        if self.error_count:
            lines.append(
                _("errors ({shown} of {total} shown):").format(
                    shown=fmt_int(min(limit, self.error_count)), total=fmt_int(self.error_count)
                )
            )
            lines += ["  " + e for e in self.error_lines(limit)]
        lines.append(self.verdict())
        return "\n".join(lines)

    def verdict(self) -> str:
        if self.error_count:
            return _("REJECTED: nothing was written. Fix the rows above and import again.")
        if self.status == "written":
            return _("IMPORTED.")
        return _("OK: nothing written yet (dry run).") if self.status == "dry-run" else _("OK.")


def _quote(value: str) -> str:
    text = value if len(value) <= 60 else value[:57] + "..."
    return "'" + text.replace("\n", "\\n") + "'"
