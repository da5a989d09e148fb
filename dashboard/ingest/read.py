"""Reading source files for import: format, encoding, delimiter, structure.

A source file becomes a stream of all-text polars batches with one extra column,
``_line``: the physical line (CSV, header = line 1) or sheet row (XLSX) where the
record starts, or the row number (Parquet). Everything that makes a file unreadable
as a table (empty, header only, binary, NUL bytes, ragged rows, duplicate header)
raises :class:`FileRejected` with a message that says what to do.

Memory: CSV is read in batches (``scan_csv(...).collect_batches``); files that are
not UTF-8 are first transcoded to a temporary UTF-8 file in 1 MB chunks, so no step
holds the whole file in memory. Compressed CSV (gzip, bz2, xz) is decompressed the same
way. What a file expands to is bounded before it is materialised (:mod:`.limits`):
Parquet by its footer and dictionaries, XLSX by its ZIP directory and shared strings,
compressed CSV while it is decompressed.
"""

from __future__ import annotations

import bz2
import codecs
import contextlib
import csv
import gzip
import io
import lzma
import os
import re
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import polars as pl

from dashboard.i18n import N_, _
from dashboard.i18n.formats import fmt_int
from dashboard.ingest.limits import (
    ExpansionLimit,
    ExpansionRefused,
    row_overhead,
)

LINE = "_line"
BATCH_ROWS = 250_000  # XLSX / Parquet batches
BLOCK_BYTES = 16 << 20  # CSV: records are read and validated ~16 MB at a time
CHUNK_BYTES = 1 << 20
SAMPLE_BYTES = 1 << 16
DELIMITERS = (",", ";", "\t", "|")
DELIMITER_NAMES = {",": N_("comma"), ";": N_("semicolon"), "\t": N_("tab"), "|": N_("pipe")}
ENCODINGS = ("utf-8", "utf-8-sig", "utf-16", "cp1258", "cp1252")
_MAX_STRUCTURE_ERRORS = 20


class FileRejected(ValueError):
    """The file cannot be read as a table; ``str()`` says why and what to do."""


@dataclass
class Source:
    """A readable table file and what was detected about it."""

    path: Path
    name: str
    format: str  # "csv", "xlsx" or "parquet"
    columns: list[str]
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    header_lines: int = 1
    notes: list[str] = field(default_factory=list)
    # XLSX opened at its first sheet by default: other sheets that look like tables.
    data_sheets: list[str] = field(default_factory=list)
    _utf8_path: Path | None = None
    _cleanup: list[Path] = field(default_factory=list)
    _chunks: list = field(default_factory=list)

    @property
    def row_word(self) -> str:
        """How a position in this file is called in messages."""
        return "row" if self.format == "parquet" else "line"

    def describe(self) -> str:
        parts = [self.format.upper()]
        if self.encoding:
            parts.append(_("encoding {encoding}").format(encoding=self.encoding))
        if self.delimiter:
            name = (
                _(DELIMITER_NAMES[self.delimiter])
                if self.delimiter in DELIMITER_NAMES
                else repr(self.delimiter)
            )
            parts.append(_("{delimiter}-separated").format(delimiter=name))
        if self.sheet:
            parts.append(_("sheet {sheet!r}").format(sheet=self.sheet))
        return ", ".join(parts)

    def batches(self, batch_rows: int | None = None) -> Iterator[pl.DataFrame]:
        """All-text batches with the source's column names plus ``_line``; blank rows dropped."""
        batch_rows = batch_rows or BATCH_ROWS
        if self.format == "csv":
            yield from _csv_batches(self)
        elif self.format == "xlsx":
            yield _xlsx_frame(self)
        else:
            yield from _parquet_batches(self, batch_rows)

    def head(self, rows: int = 10_000) -> pl.DataFrame:
        """The first records (for sniffing date orders and for previews)."""
        if self.format == "csv":
            first = next(_csv_batches(self, limit=rows), None)
            return pl.DataFrame() if first is None else first
        return next(self.batches(rows)).head(rows)

    def sheet_hint(self) -> str:
        """Advice to choose another sheet, when the first one was taken by default."""
        if not self.data_sheets:
            return ""
        listed = ", ".join(repr(s) for s in self.data_sheets)
        return _(
            "The first sheet ({sheet!r}) was read; sheets that look like data: {sheets}. "
            'Choose one with --sheet NAME (or sheet = "NAME" in the mapping).'
        ).format(sheet=self.sheet, sheets=listed)

    def close(self) -> None:
        for path in self._cleanup:
            with contextlib.suppress(OSError):
                path.unlink()
        self._cleanup.clear()


def open_source(
    path: str | Path,
    *,
    encoding: str | None = None,
    sheet: str | None = None,
    delimiter: str | None = None,
    display_name: str | None = None,
) -> Source:
    """Inspect ``path`` and return a :class:`Source` ready to stream batches.

    Raises
    ------
    FileRejected
        The file is empty, binary, not the format its name says, has NUL bytes,
        ragged rows or a duplicate header.
    """
    path = Path(path)
    name = display_name or path.name
    if not path.exists():
        raise FileRejected(_("{name}: no such file").format(name=name))
    if path.stat().st_size == 0:
        raise FileRejected(
            _("{name}: the file is empty (0 bytes); export the data again").format(name=name)
        )
    kind = _sniff_kind(path)
    suffix = path.suffix.lower()
    limit = ExpansionLimit.from_settings()
    if kind in _DECOMPRESSORS:
        if sheet:
            raise FileRejected(
                _("{name}: --sheet applies to XLSX workbooks only").format(name=name)
            )
        plain = _decompressed(path, name, kind, limit)
        try:
            source = _open_csv(plain, name, encoding, delimiter, limit, path.stat().st_size)
        except BaseException:
            plain.unlink(missing_ok=True)
            raise
        source._cleanup.append(plain)
        source.notes.append(_("decompressed from {kind}").format(kind=kind))
        return source
    if kind == "damaged_xlsx":
        raise FileRejected(
            _(
                "{name}: this Excel workbook (XLSX) is damaged or truncated: its ZIP "
                "structure is incomplete (a download or copy cut short?). Export or copy "
                "it again."
            ).format(name=name)
        )
    if kind == "damaged_zip":
        raise FileRejected(
            _(
                "{name}: this ZIP file is damaged or truncated: its structure is "
                "incomplete. Copy it again; import the CSV inside it, unzipped."
            ).format(name=name)
        )
    if kind == "xlsx":
        if suffix in {".csv", ".txt", ".tsv"}:
            raise FileRejected(
                _(
                    "{name}: this is an Excel workbook (XLSX) with a {suffix} name; rename "
                    "it to .xlsx or save it from Excel as CSV"
                ).format(name=name, suffix=suffix)
            )
        return _open_xlsx(path, name, sheet, limit)
    if kind == "zip":
        raise FileRejected(
            _(
                "{name}: this is a ZIP archive, not a table; unzip it and import the CSV inside"
            ).format(name=name)
        )
    if kind == "xls":
        raise FileRejected(
            _(
                "{name}: this is an old Excel .xls workbook; save it as .xlsx or CSV "
                "and import that"
            ).format(name=name)
        )
    if kind == "parquet":
        if suffix in {".csv", ".txt", ".tsv"}:
            raise FileRejected(
                _("{name}: this is a Parquet file with a {suffix} name; rename it").format(
                    name=name, suffix=suffix
                )
            )
        return _open_parquet(path, name, limit)
    if sheet:
        raise FileRejected(_("{name}: --sheet applies to XLSX workbooks only").format(name=name))
    return _open_csv(path, name, encoding, delimiter, limit, path.stat().st_size)


# -- format and encoding -------------------------------------------------------------


_MAGIC = {b"\x1f\x8b": "gzip", b"BZh": "bz2", b"\xfd7zXZ\x00": "xz"}
_DECOMPRESSORS = {"gzip": gzip.open, "bz2": bz2.open, "xz": lzma.open}
# The entries an Office Open XML package starts with.
_OOXML_ENTRIES = (b"[Content_Types].xml", b"_rels/", b"docProps/", b"xl/")


def _sniff_kind(path: Path) -> str:
    with path.open("rb") as fh:
        head = fh.read(64)
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        try:
            with zipfile.ZipFile(path) as archive:
                names = set(archive.namelist())
        except zipfile.BadZipFile:
            # The directory at the end is missing: a cut-short copy. Say what it was.
            first_entry = head[30 : 30 + int.from_bytes(head[26:28], "little")]
            workbook = path.suffix.lower() == ".xlsx" or first_entry.startswith(_OOXML_ENTRIES)
            return "damaged_xlsx" if workbook else "damaged_zip"
        return "xlsx" if "xl/workbook.xml" in names else "zip"
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "xls"
    for magic, kind in _MAGIC.items():
        if head.startswith(magic):
            return kind
    return "text"


def _decompressed(path: Path, name: str, kind: str, limit: ExpansionLimit) -> Path:
    """A temporary decompressed copy of ``path``, refused as soon as it grows past the limit.

    Streamed in 1 MB chunks: neither memory nor the disk ever holds more than the limit.
    """
    stored = path.stat().st_size
    allowed = limit.allowed(stored)
    fd, tmp = tempfile.mkstemp(prefix="cxdash_import_", suffix=".csv")
    written = 0
    try:
        with _DECOMPRESSORS[kind](path, "rb") as src, os.fdopen(fd, "wb") as dst:
            while chunk := src.read(CHUNK_BYTES):
                written += len(chunk)
                if allowed is not None and written > allowed:
                    raise FileRejected(limit.message(name, stored, written))
                dst.write(chunk)
    except (OSError, EOFError, lzma.LZMAError) as exc:
        Path(tmp).unlink(missing_ok=True)
        raise FileRejected(
            _("{name}: the {kind} file is damaged or truncated ({error}); copy it again").format(
                name=name, kind=kind, error=exc
            )
        ) from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


def detect_encoding(path: Path, name: str | None = None) -> str:
    """'utf-8', 'utf-8-sig', 'utf-16', 'cp1258' or 'cp1252'.

    BOMs first; then a strict UTF-8 decode of the whole file (streamed); otherwise a
    single-byte code page, Windows-1258 when the text reads as Vietnamese in it.

    Raises
    ------
    FileRejected
        Some lines are UTF-8 and others are not (a file pasted together from two
        exports): any single encoding would garble one part, so the lines are named
        instead of guessing.
    """
    with path.open("rb") as fh:
        head = fh.read(4)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    bom = head.startswith(codecs.BOM_UTF8)
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    try:
        with path.open("rb") as fh:
            while chunk := fh.read(CHUNK_BYTES):
                decoder.decode(chunk)
        decoder.decode(b"", final=True)
        return "utf-8-sig" if bom else "utf-8"
    except UnicodeDecodeError:
        pass
    utf8_lines, bad_lines, bad_count = _lines_by_encoding(path)
    if bom or utf8_lines:
        raise FileRejected(_mixed_message(name or path.name, utf8_lines, bad_lines, bad_count))
    with path.open("rb") as fh:
        sample = fh.read(CHUNK_BYTES)
    return "cp1258" if vietnamese_score(sample) > 0 else "cp1252"


def _lines_by_encoding(path: Path) -> tuple[int, list[tuple[int, bytes]], int]:
    """(lines with non-ASCII text that decode as UTF-8, the first lines that do not with
    their bytes, how many do not). Streamed line by line."""
    utf8_lines = bad_count = 0
    bad: list[tuple[int, bytes]] = []
    number = 0
    carry = b""
    with path.open("rb") as fh:
        while True:
            chunk = fh.read(CHUNK_BYTES)
            lines = (carry + chunk).split(b"\n")
            carry = lines.pop() if chunk else b""
            for line in lines:
                number += 1
                if line.isascii():
                    continue
                try:
                    line.decode("utf-8")
                    utf8_lines += 1
                except UnicodeDecodeError:
                    bad_count += 1
                    if len(bad) < _MAX_STRUCTURE_ERRORS:
                        bad.append((number, line))
            if not chunk:
                break
    return utf8_lines, bad, bad_count


def _mixed_message(name: str, utf8_lines: int, bad: list[tuple[int, bytes]], count: int) -> str:
    shown = "\n".join(
        f"{name}:{number}: {line.decode('utf-8', errors='replace').strip()[:80]!r}"
        for number, line in bad
    )
    more = _("\n... and {n} more").format(n=fmt_int(count - len(bad))) if count > len(bad) else ""
    return (
        _(
            "{name}: mixed text encodings: {ok} line(s) are UTF-8 but {bad} are not "
            "(probably pasted from an export in Windows-1252/1258). Reading the file in one "
            "encoding would garble the others, so nothing is guessed: save these lines as "
            "UTF-8 (or the whole file in one encoding), or pass --encoding if you are sure:"
        ).format(name=name, ok=fmt_int(utf8_lines), bad=fmt_int(count))
        + "\n"
        + shown
        + more
    )


# Windows-1258 writes most Vietnamese tones as combining marks after the vowel; the
# same bytes are Ì ì Ò Þ ò in Windows-1252, which Western words put after consonants
# ("però", "così") if at all. ư Ư đ Đ (ý Ý ð Ð in 1252) are Vietnamese too.
_CP1258_TONE_AFTER_VOWEL = re.compile(
    rb"[aeiouyAEIOUY\xe2\xea\xf4\xe3\xf5\xfd\xc2\xca\xd4\xc3\xd5\xdd][\xcc\xec\xd2\xde\xf2]"
)
_CP1258_TONE_AFTER_OTHER = re.compile(
    rb"[^aeiouyAEIOUY\xe2\xea\xf4\xe3\xf5\xfd\xc2\xca\xd4\xc3\xd5\xdd][\xcc\xec\xd2\xde\xf2]"
)
_CP1258_LETTERS = re.compile(rb"[\xfd\xdd\xf0\xd0]")


def vietnamese_score(sample: bytes) -> int:
    """Positive when ``sample`` reads as Vietnamese in Windows-1258 rather than as 1252 text.

    Counts tone marks placed after vowels and the letters ư/đ (evidence for 1258)
    against the same bytes after consonants (evidence for 1252 words like "però").
    """
    vietnamese = len(_CP1258_TONE_AFTER_VOWEL.findall(sample)) + len(
        _CP1258_LETTERS.findall(sample)
    )
    western = len(_CP1258_TONE_AFTER_OTHER.findall(sample))
    return vietnamese - 2 * western if vietnamese else 0


def _check_nul(path: Path, name: str, encoding: str) -> None:
    if encoding == "utf-16":
        return
    with path.open("rb") as fh:
        offset = 0
        line = 1
        while chunk := fh.read(CHUNK_BYTES):
            at = chunk.find(b"\0")
            if at >= 0:
                line += chunk.count(b"\n", 0, at)
                raise FileRejected(
                    _(
                        "{name}:{line}: the file contains NUL bytes (byte {byte}); it is binary "
                        "or a broken export. Export it again as CSV (UTF-8)"
                    ).format(name=name, line=line, byte=offset + at)
                )
            line += chunk.count(b"\n")
            offset += len(chunk)


def _transcode(path: Path, encoding: str, name: str | None = None) -> Path:
    """A temporary UTF-8 copy of ``path``, written in chunks."""
    fd, tmp = tempfile.mkstemp(prefix="cxdash_import_", suffix=".csv")
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    offset = 0
    try:
        with path.open("rb") as src, os.fdopen(fd, "wb") as dst:
            while chunk := src.read(CHUNK_BYTES):
                try:
                    dst.write(decoder.decode(chunk).encode("utf-8"))
                except UnicodeDecodeError as exc:
                    raise UnicodeDecodeError(
                        exc.encoding, exc.object, offset + exc.start, offset + exc.end, exc.reason
                    ) from None
                offset += len(chunk)
            dst.write(decoder.decode(b"", final=True).encode("utf-8"))
    except UnicodeDecodeError as exc:
        Path(tmp).unlink(missing_ok=True)
        line = _line_of_byte(path, max(exc.start, 0))
        raise FileRejected(
            _(
                "{name}:{line}: not valid {encoding} text ({reason} at byte {start}); "
                "pass the right --encoding"
            ).format(
                name=name or path.name,
                line=line,
                encoding=encoding,
                reason=exc.reason,
                start=exc.start,
            )
        ) from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


def _line_of_byte(path: Path, offset: int) -> int:
    line = 1
    with path.open("rb") as fh:
        while offset > 0 and (chunk := fh.read(min(CHUNK_BYTES, offset))):
            line += chunk.count(b"\n")
            offset -= len(chunk)
    return line


# -- CSV -------------------------------------------------------------------------------


def _open_csv(
    path: Path,
    name: str,
    encoding: str | None,
    delimiter: str | None,
    limit: ExpansionLimit,
    stored_bytes: int,
) -> Source:
    """``stored_bytes``: the size of the file as given (before any decompression)."""
    _check_expansion(limit, name, stored_bytes, path.stat().st_size)
    if encoding:
        try:
            encoding = codecs.lookup(encoding).name
        except LookupError:
            raise FileRejected(
                _("unknown encoding {encoding!r}; try one of {encodings}").format(
                    encoding=encoding, encodings=ENCODINGS
                )
            ) from None
    else:
        encoding = detect_encoding(path, name)
    if encoding not in {"utf-16", "utf-16-le", "utf-16-be"}:
        _check_nul(path, name, encoding)
    cleanup: list[Path] = []
    utf8_path = path
    if encoding not in {"utf-8", "utf-8-sig"}:
        utf8_path = _transcode(path, encoding, name)
        cleanup.append(utf8_path)
    try:
        sample = _read_text_sample(utf8_path)
        if not sample.strip():
            raise FileRejected(
                _("{name}: the file has no text (only blank lines)").format(name=name)
            )
        delimiter = delimiter or sniff_delimiter(sample)
        header, header_lines = _header(sample, delimiter, name)
        chunks, records = _scan_records(utf8_path, name, delimiter, len(header))
        # Counted without building a row: the text itself, and a view per cell.
        expanded = utf8_path.stat().st_size + row_overhead(records, len(header))
        _check_expansion(limit, name, stored_bytes, expanded, records)
    except BaseException:
        for tmp in cleanup:
            tmp.unlink(missing_ok=True)
        raise
    return Source(
        path=path,
        name=name,
        format="csv",
        columns=header,
        encoding=encoding,
        delimiter=delimiter,
        header_lines=header_lines,
        _utf8_path=utf8_path,
        _cleanup=cleanup,
        _chunks=chunks,
    )


def _read_text_sample(utf8_path: Path) -> str:
    with utf8_path.open("rb") as fh:
        raw = fh.read(SAMPLE_BYTES)
    text = raw.decode("utf-8", errors="ignore")
    return text.removeprefix("\ufeff")


def sniff_delimiter(sample: str) -> str:
    """The delimiter among comma, semicolon, tab and pipe that splits the sample most evenly."""
    lines = sample.splitlines()
    if len(sample) >= SAMPLE_BYTES and len(lines) > 1:
        lines = lines[:-1]  # the last line may be cut
    text = "\n".join(lines[:200])
    best, best_score = ",", (-1.0, 0)
    for candidate in DELIMITERS:
        rows = [r for r in csv.reader(io.StringIO(text), delimiter=candidate) if r]
        if not rows or len(rows[0]) < 2:
            continue
        width = len(rows[0])
        consistent = sum(len(r) == width for r in rows) / len(rows)
        score = (consistent, width)
        if score > best_score:
            best, best_score = candidate, score
    return best


def _header(sample: str, delimiter: str, name: str) -> tuple[list[str], int]:
    reader = csv.reader(io.StringIO(sample), delimiter=delimiter)
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue
        header = [cell.strip() for cell in row]
        lines = reader.line_num
        break
    else:
        raise FileRejected(_("{name}: the file has no header row").format(name=name))
    if lines != 1:
        raise FileRejected(
            _(
                "{name}: the header must be on line 1 (found it ending on line "
                "{lines}); remove blank lines or line breaks above or inside the header"
            ).format(name=name, lines=lines)
        )
    return check_header(header, name), lines


def check_header(header: list[str], name: str) -> list[str]:
    """The header to use; duplicate names make a table ambiguous and are rejected.

    Columns without a name (spreadsheets often export an empty last column) are
    called ``(unnamed N)``: they can be mapped by that name but are otherwise ignored.
    """
    if not any(header):
        raise FileRejected(_("{name}: the header row is empty").format(name=name))
    header = [h or f"(unnamed {i + 1})" for i, h in enumerate(header)]
    seen: dict[str, str] = {}
    for h in header:
        key = h.casefold()
        if key in seen:
            raise FileRejected(
                _(
                    "{name}:1: duplicate column name {column!r} in the header (also {other!r}); "
                    "each column needs its own name"
                ).format(name=name, column=h, other=seen[key])
            )
        seen[key] = h
    return header


@dataclass(frozen=True)
class _Chunk:
    """A run of whole records: bytes [start, end) of the UTF-8 file, from ``first_line``."""

    start: int
    end: int
    first_line: int


def _scan_records(
    utf8_path: Path, name: str, delimiter: str, width: int
) -> tuple[list[_Chunk], int]:
    """Cut the file into chunks of whole records and check every record's field count.

    One streamed pass over the bytes, vectorised with numpy: a newline ends a record
    when an even number of quote characters came before it in the record; the
    record's fields are its delimiters outside quotes + 1. Memory holds one block
    (``BLOCK_BYTES``) at a time; the chunks are what the data batches read later.
    """
    quote, newline, sep = ord('"'), ord("\n"), ord(delimiter)
    chunks: list[_Chunk] = []
    problems: list[str] = []
    bad_count = records = 0
    with utf8_path.open("rb") as fh:
        header = fh.readline()
        offset, line = len(header), 2
        carry = b""
        while True:
            block = fh.read(BLOCK_BYTES)
            data = carry + block
            if not data:
                break
            arr = np.frombuffer(data, dtype=np.uint8)
            quotes = np.flatnonzero(arr == quote)
            newlines = np.flatnonzero(arr == newline)
            closed = (np.searchsorted(quotes, newlines) % 2) == 0
            ends = newlines[closed]
            if not block:  # end of file: the last record may lack its newline
                if len(quotes) % 2:
                    start_line = line + int(np.searchsorted(newlines, _last_start(ends)))
                    raise FileRejected(
                        _(
                            "{name}:{start_line}: a quoted value opens here and never closes; "
                            "check the quote characters in this record"
                        ).format(name=name, start_line=start_line)
                    )
                if not len(ends) or ends[-1] != len(arr) - 1:
                    ends = np.append(ends, len(arr))
            elif not len(ends):
                carry = data  # one record longer than a block: read on
                continue
            cut = min(int(ends[-1]) + 1, len(arr))
            starts = np.concatenate(([0], ends[:-1] + 1))
            lengths = ends - starts
            blank = (lengths == 0) | (
                (lengths == 1) & (arr[np.minimum(starts, len(arr) - 1)] == 13)
            )
            seps = np.flatnonzero(arr[:cut] == sep)
            seps = seps[(np.searchsorted(quotes, seps) % 2) == 0]
            fields = np.diff(np.searchsorted(seps, np.concatenate(([0], ends)))) + 1
            start_lines = line + np.searchsorted(newlines, starts)
            wrong = (fields != width) & ~blank
            records += int((~blank).sum())
            bad_count += int(wrong.sum())
            for ln, n in zip(
                start_lines[wrong][:_MAX_STRUCTURE_ERRORS], fields[wrong], strict=False
            ):
                if len(problems) < _MAX_STRUCTURE_ERRORS:
                    problems.append(
                        _("{name}:{line}: {n} fields, the header has {width}").format(
                            name=name, line=ln, n=n, width=width
                        )
                    )
            chunks.append(_Chunk(offset, offset + cut, line))
            line += int(np.searchsorted(newlines, cut))
            offset += cut
            carry = data[cut:]
            if not block:
                break
    if records == 0:
        raise FileRejected(_("{name}: the file has a header but no data rows").format(name=name))
    if bad_count:
        more = ""
        if bad_count > len(problems):
            more = "\n" + _("... and {n} more").format(n=bad_count - len(problems))
        head = _(
            "{name}: {count} row(s) do not have {width} fields like the header (ragged "
            "rows; a delimiter inside a value must be quoted):"
        ).format(name=name, count=bad_count, width=width)
        raise FileRejected(head + "\n" + "\n".join(problems) + more)
    return chunks, records


def _last_start(ends: np.ndarray) -> int:
    return int(ends[-1]) + 1 if len(ends) else 0


def _csv_batches(source: Source, limit: int | None = None) -> Iterator[pl.DataFrame]:
    """One text frame per chunk of records, each with the line where its records start."""
    names = [f"c{i}" for i in range(len(source.columns))]
    with source._utf8_path.open("rb") as fh:
        for chunk in source._chunks:
            fh.seek(chunk.start)
            raw = fh.read(chunk.end - chunk.start)
            try:
                batch = pl.read_csv(
                    io.BytesIO(raw),
                    has_header=False,
                    separator=source.delimiter or ",",
                    schema=dict.fromkeys(names, pl.String),
                    truncate_ragged_lines=True,
                    missing_columns="insert",
                    raise_if_empty=False,
                    n_rows=limit,
                )
            except pl.exceptions.PolarsError as exc:
                raise FileRejected(
                    _("{name}: cannot be read as CSV: {exc}").format(name=source.name, exc=exc)
                ) from None
            # A record spans 1 line plus one per line break inside its quoted values.
            spans = pl.sum_horizontal(
                pl.col(n).str.count_matches("\n", literal=True).fill_null(0) for n in names
            ) + pl.lit(1, pl.Int64)
            batch = batch.with_columns(spans.cast(pl.Int64).alias("_span"))
            batch = batch.with_columns(
                (pl.col("_span").cum_sum() - pl.col("_span") + chunk.first_line).alias(LINE)
            )
            batch = batch.drop("_span").rename(dict(zip(names, source.columns, strict=True)))
            yield _drop_blank(batch, source.columns)
            if limit is not None:
                return


def _drop_blank(batch: pl.DataFrame, columns: list[str]) -> pl.DataFrame:
    blank = pl.all_horizontal(
        pl.col(c).is_null() | (pl.col(c).str.strip_chars() == "") for c in columns
    )
    return batch.filter(~blank)


# -- XLSX and Parquet ------------------------------------------------------------------------


def _check_expansion(
    limit: ExpansionLimit, name: str, stored: int, expanded: int, rows: int = 0
) -> None:
    try:
        limit.check(name, stored, expanded, rows)
    except ExpansionRefused as exc:
        raise FileRejected(str(exc)) from None


def _open_xlsx(path: Path, name: str, sheet: str | None, limit: ExpansionLimit) -> Source:
    _check_xlsx_expansion(path, name, limit)
    try:
        import fastexcel

        reader = fastexcel.read_excel(str(path))
        sheets = reader.sheet_names
    except Exception as exc:
        raise FileRejected(
            _("{name}: cannot open the workbook: {exc}").format(name=name, exc=exc)
        ) from None
    chosen = sheet or sheets[0]
    if chosen not in sheets:
        raise FileRejected(
            _("{name}: no sheet named {chosen!r}; sheets are {sheets}").format(
                name=name, chosen=chosen, sheets=sheets
            )
        )
    source = Source(path=path, name=name, format="xlsx", columns=[], sheet=chosen)
    if sheet is None:
        source.data_sheets = _data_like_sheets(reader, sheets[1:])
    try:
        frame = _read_xlsx(source)
        source.columns = [c for c in frame.columns if c != LINE]
        if frame.is_empty():
            raise FileRejected(
                _("{name}: sheet {chosen!r} has a header but no data rows").format(
                    name=name, chosen=chosen
                )
            )
    except FileRejected as exc:
        hint = source.sheet_hint()
        raise FileRejected(f"{exc}\n{hint}" if hint else str(exc)) from None
    return source


def _data_like_sheets(reader, names: list[str]) -> list[str]:
    """Sheets whose first rows look like a table: two or more named columns and a row."""
    found = []
    for sheet_name in names:
        try:
            head = reader.load_sheet(sheet_name, n_rows=3).to_polars()
        except Exception:  # an empty or odd sheet is simply not a candidate
            continue
        named = [c for c in head.columns if not str(c).startswith("__UNNAMED__")]
        if len(named) >= 2 and head.height:
            found.append(sheet_name)
    return found


_SHARED_REF = re.compile(rb'<c\b[^>]*?\bt="s"[^>]*>\s*<v>(\d+)</v>')
_CELL = re.compile(rb"<c\b")
_CARRY_MAX = 16 << 20


def _check_xlsx_expansion(path: Path, name: str, limit: ExpansionLimit) -> None:
    """Refuse a workbook whose sheets would expand beyond the limit, before reading them.

    First the ZIP directory's declared sizes (nothing decompressed); then what the cells
    of the sheets hold: inline values are at most the sheet's XML, and every reference to
    a shared string costs that string's length again (one 1 MB string referenced by a
    million cells is a terabyte).
    """
    stored = path.stat().st_size
    with zipfile.ZipFile(path) as archive:
        infos = archive.infolist()
        _check_expansion(limit, name, stored, sum(i.file_size for i in infos))
        lengths = _shared_string_lengths(archive)
        sheets = [
            i
            for i in infos
            if i.filename.startswith("xl/worksheets/") and i.filename.endswith(".xml")
        ]
        expanded = sum(i.file_size for i in sheets)
        cells = 0
        for info in sheets:
            referenced, counted = _sheet_references(archive, info, lengths)
            expanded += referenced
            cells += counted
            _check_expansion(limit, name, stored, expanded + row_overhead(cells, 0))


def _shared_string_lengths(archive: zipfile.ZipFile) -> np.ndarray:
    """UTF-8 length of each shared string of the workbook (streamed XML)."""
    from xml.etree.ElementTree import iterparse

    entry = next((n for n in archive.namelist() if n.lower().endswith("sharedstrings.xml")), None)
    if entry is None:
        return np.zeros(0, dtype=np.int64)
    lengths: list[int] = []
    with archive.open(entry) as fh:
        size = 0
        for _event, element in iterparse(fh, events=("end",)):
            tag = element.tag.rsplit("}", 1)[-1]
            if tag == "t":
                size += len((element.text or "").encode("utf-8"))
            elif tag == "si":
                lengths.append(size)
                size = 0
                element.clear()
    return np.asarray(lengths, dtype=np.int64)


def _sheet_references(archive: zipfile.ZipFile, info: zipfile.ZipInfo, lengths: np.ndarray):
    """(bytes the sheet's shared-string cells expand to, number of cells), streamed."""
    referenced = cells = 0
    carry = b""
    with archive.open(info) as fh:
        while True:
            chunk = fh.read(CHUNK_BYTES)
            data = carry + chunk
            cut = len(data) if not chunk else data.rfind(b"</c>") + 4
            if cut < 4 and len(data) < _CARRY_MAX:
                carry = data  # no whole cell yet
                continue
            part, carry = data[:cut], data[cut:]
            cells += len(_CELL.findall(part))
            refs = np.asarray([int(i) for i in _SHARED_REF.findall(part)], dtype=np.int64)
            refs = refs[refs < len(lengths)]
            referenced += int(lengths[refs].sum()) if len(refs) else 0
            if not chunk:
                return referenced, cells


def _read_xlsx(source: Source) -> pl.DataFrame:
    try:
        frame = pl.read_excel(
            source.path, sheet_name=source.sheet, engine="calamine", infer_schema_length=0
        )
    except Exception as exc:  # fastexcel raises several of its own types
        raise FileRejected(
            _("{name}: cannot read sheet {sheet!r}: {exc}").format(
                name=source.name, sheet=source.sheet, exc=exc
            )
        ) from None
    if frame.width == 0:
        raise FileRejected(
            _("{name}: sheet {sheet!r} is empty").format(name=source.name, sheet=source.sheet)
        )
    header = [str(c).strip() for c in frame.columns]
    header = ["" if h.startswith("__UNNAMED__") else h for h in header]
    header = check_header(header, source.name)
    frame.columns = header
    frame = frame.with_columns(pl.all().cast(pl.String))
    # Sheet row numbers: the header is row 1.
    frame = frame.with_row_index(LINE, offset=2).with_columns(pl.col(LINE).cast(pl.Int64))
    return _drop_blank(frame, header)


def _xlsx_frame(source: Source) -> pl.DataFrame:
    return _read_xlsx(source)


def _open_parquet(path: Path, name: str, limit: ExpansionLimit) -> Source:
    try:
        schema = pl.read_parquet_schema(path)
        rows = _check_parquet_expansion(path, name, limit)
    except FileRejected:
        raise
    except Exception as exc:
        raise FileRejected(
            _("{name}: cannot read the Parquet file: {exc}").format(name=name, exc=exc)
        ) from None
    header = list(schema)
    check_header(header, name)
    if rows == 0:
        raise FileRejected(_("{name}: the Parquet file has no rows").format(name=name))
    return Source(path=path, name=name, format="parquet", columns=header)


def _check_parquet_expansion(path: Path, name: str, limit: ExpansionLimit) -> int:
    """Refuse a Parquet file that would expand beyond the limit; its row count otherwise.

    From the footer: rows, and the uncompressed size of every column chunk. A chunk
    with a dictionary expands to the lengths of the entries its rows point at (one
    1 MB entry pointed at by 3,000 rows is 3 GB): those are counted from the indices,
    which pyarrow reads without expanding them, one row group and column at a time.
    """
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    stored = path.stat().st_size
    meta = pq.ParquetFile(path).metadata
    rows, columns = meta.num_rows, meta.num_columns
    chunks = [
        (g, meta.row_group(g).column(c)) for g in range(meta.num_row_groups) for c in range(columns)
    ]
    expanded = sum(chunk.total_uncompressed_size for _g, chunk in chunks)
    expanded += row_overhead(rows, columns)
    _check_expansion(limit, name, stored, expanded, rows)
    dictionaries = [
        (g, chunk)
        for g, chunk in chunks
        if chunk.has_dictionary_page
        and chunk.physical_type == "BYTE_ARRAY"
        and "." not in chunk.path_in_schema
    ]
    if not dictionaries:
        return rows
    names = sorted({chunk.path_in_schema for _g, chunk in dictionaries})
    encoded = pq.ParquetFile(path, read_dictionary=names)
    for g, chunk in dictionaries:
        column = encoded.read_row_group(g, columns=[chunk.path_in_schema]).column(0)
        for array in column.chunks:
            if hasattr(array, "dictionary"):
                lengths = pc.binary_length(array.dictionary).take(array.indices)
                expanded += (pc.sum(lengths).as_py() or 0) - chunk.total_uncompressed_size
        _check_expansion(limit, name, stored, expanded, rows)
    return rows


def _parquet_batches(source: Source, batch_rows: int) -> Iterator[pl.DataFrame]:
    lazy = pl.scan_parquet(source.path).with_row_index(LINE, offset=1)
    for batch in lazy.collect_batches(chunk_size=batch_rows):
        batch = batch.with_columns(
            pl.col(source.columns).cast(pl.String), pl.col(LINE).cast(pl.Int64)
        )
        yield _drop_blank(batch, source.columns)
