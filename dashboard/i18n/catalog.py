"""Catalog tooling: extract the messages of the code, update the Vietnamese catalog, check it.

The Vietnamese ``.po`` file is the source of truth (committed; compiled in memory at
load time, see :mod:`dashboard.i18n.core`). The workflow after changing messages::

    cxdash i18n update     # extract dashboard/ and pages/, merge into vi/cxdash.po
    (translate the new and fuzzy entries, remove the fuzzy flags)
    cxdash i18n check      # exit 1 while a message is missing, untranslated or fuzzy

``extract`` prints (or writes) the template (``.pot``) for tools that want one.
Messages are found by Babel's Python extractor with the keywords ``_``, ``N_``,
``ngettext``, ``pgettext`` and ``npgettext``; a ``# TRANSLATORS: ...`` comment just
above a call reaches the translator.
"""

from __future__ import annotations

import argparse
import string
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from dashboard.i18n.core import DOMAIN, catalog_path, read_catalogs

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SOURCE_DIRS = ("dashboard", "pages")
KEYWORDS = {
    "_": None,
    "N_": None,
    "ngettext": (1, 2),
    "pgettext": ((1, "c"), 2),
    "npgettext": ((1, "c"), 2, 3),
}
COMMENT_TAGS = ("TRANSLATORS:",)
VI_CATALOG = catalog_path("vi")
# What makes the check fail; "unused" (a catalog entry no code uses) is only reported.
ERROR_KINDS = frozenset({"missing", "untranslated", "fuzzy", "placeholders"})
PO_WIDTH = 100


@dataclass(frozen=True, order=True)
class Problem:
    """One finding of :func:`check`.

    ``kind`` is ``missing`` (used in code, absent from the catalog), ``untranslated``
    (empty translation), ``fuzzy`` (flagged for review), ``placeholders`` (the
    translation's ``{name}`` fields differ from the English) or ``unused``.
    """

    kind: str
    msgid: str
    context: str | None = None
    where: str = ""

    @property
    def is_error(self) -> bool:
        return self.kind in ERROR_KINDS

    def __str__(self) -> str:
        context = f" [{self.context}]" if self.context else ""
        where = f" ({self.where})" if self.where else ""
        return f"{self.kind}: {self.msgid!r}{context}{where}"


# -- extraction --------------------------------------------------------------------------


def extract(root: Path = PROJECT_ROOT, dirs: Iterable[str] = SOURCE_DIRS) -> Catalog:
    """The template: every message the Python files under ``root/<dirs>`` mark.

    Locations are ``<dir>/<file>`` paths relative to ``root``.
    """
    template = Catalog(domain=DOMAIN, project="cxdash", charset="utf-8", fuzzy=False)
    for folder in dirs:
        results = extract_from_dir(
            Path(root) / folder,
            method_map=[("**.py", "python")],
            keywords=KEYWORDS,
            comment_tags=COMMENT_TAGS,
            strip_comment_tags=True,
        )
        for filename, lineno, message, comments, context in results:
            location = (f"{folder}/{Path(filename).as_posix()}", lineno)
            template.add(message, None, [location], auto_comments=comments, context=context)
    return template


def write_template(template: Catalog, out) -> None:
    """Write the template as a ``.pot`` to a binary stream."""
    write_po(out, template, width=PO_WIDTH, include_lineno=False, omit_header=False)


# -- reading and updating the catalog ---------------------------------------------------------


def read_catalog(po_file: Path = VI_CATALOG) -> Catalog:
    with open(po_file, "rb") as handle:
        return read_po(handle, domain=DOMAIN)


def write_catalog(catalog: Catalog, po_file: Path = VI_CATALOG) -> None:
    """Write a catalog as the project writes it (no line numbers: fewer noisy diffs)."""
    with open(po_file, "wb") as handle:
        write_po(handle, catalog, width=PO_WIDTH, include_lineno=False, include_previous=True)


def update(po_file: Path = VI_CATALOG, template: Catalog | None = None) -> Catalog:
    """Merge the code's messages into ``po_file`` and write it back.

    New messages arrive untranslated; a message whose English changed slightly
    keeps its old translation flagged fuzzy (Babel's matching); messages no code
    uses any more are kept as obsolete (``#~``) entries and come back, translated,
    when the code uses them again.
    """
    template = extract() if template is None else template
    catalog = read_catalog(po_file)
    # Messages another area's file of the same language translates stay out of this one.
    elsewhere = {_key(m) for other in _siblings(po_file) for m in read_catalog(other) if m.id}
    template = _without(template, elsewhere)
    for message in list(catalog.obsolete.values()):  # revive: exact matches merge back
        catalog[message.id] = message
    catalog.obsolete.clear()
    catalog.update(template, update_header_comment=False, update_creation_date=False)
    write_catalog(catalog, po_file)
    return catalog


# -- checking ------------------------------------------------------------------------------------


def _forms(value: str | Sequence[str] | None) -> tuple[str, ...]:
    if value is None:
        return ("",)
    return (value,) if isinstance(value, str) else tuple(value)


def _fields(text: str) -> set[str] | None:
    """The ``{name}`` fields of a str.format template (None when it is malformed)."""
    try:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    except ValueError:
        return None


def _placeholders_match(message: Message) -> bool:
    expected: set[str] = set()
    for form in _forms(message.id):
        fields = _fields(form)
        if fields is None:
            return True  # not a format template (e.g. literal braces); nothing to compare
        expected |= fields
    return all(_fields(form) == expected for form in _forms(message.string))


def _where(message: Message) -> str:
    return ", ".join(sorted({path for path, _ in message.locations}))


def _key(message: Message) -> tuple[str, str | None]:
    msgid = message.id if isinstance(message.id, str) else message.id[0]
    return msgid, message.context


def _siblings(po_file: Path) -> list[Path]:
    """The other ``.po`` files of the same language (one per feature area)."""
    return [p for p in sorted(Path(po_file).parent.glob("*.po")) if p != Path(po_file)]


def _without(template: Catalog, keys: set) -> Catalog:
    kept = Catalog(domain=template.domain, locale=template.locale)
    for message in template:
        if message.id and _key(message) not in keys:
            kept[message.id] = message
    return kept


def check(po_file: Path = VI_CATALOG, template: Catalog | None = None) -> list[Problem]:
    """Everything wrong between the code's messages (``template``, default: extracted)
    and the language's catalogs (``po_file`` and the other area files beside it), sorted;
    errors are those with :attr:`Problem.is_error`."""
    template = extract() if template is None else template
    catalog = read_catalogs([*_siblings(po_file), Path(po_file)])  # po_file has the last word
    problems = []
    used = set()
    for wanted in template:
        if not wanted.id:
            continue
        msgid, context = _key(wanted)
        used.add((msgid, context))
        where = _where(wanted)
        message = catalog.get(msgid, context=context)
        if message is None:
            problems.append(Problem("missing", msgid, context, where))
        elif not all(_forms(message.string)):
            problems.append(Problem("untranslated", msgid, context, where))
        elif message.fuzzy:
            problems.append(Problem("fuzzy", msgid, context, where))
        elif not _placeholders_match(message):
            problems.append(Problem("placeholders", msgid, context, where))
    for message in catalog:
        if message.id and _key(message) not in used:
            problems.append(Problem("unused", *_key(message), _where(message)))
    return sorted(problems)


def errors(problems: Iterable[Problem]) -> list[Problem]:
    """The problems that fail the check."""
    return [p for p in problems if p.is_error]


# -- command line ------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None, prog: str = "cxdash i18n") -> int:
    """``extract [-o FILE]``, ``update [--po FILE]``, ``check [--po FILE] [--strict]``.

    Returns the exit code (1 when the check finds errors, or with ``--strict`` any
    problem), so a CLI can ``sys.exit(main(args))``.
    """
    parser = argparse.ArgumentParser(prog=prog, description="Translation catalogs of cxdash.")
    commands = parser.add_subparsers(dest="command", required=True)
    extract_cmd = commands.add_parser("extract", help="print the message template (.pot)")
    extract_cmd.add_argument("-o", "--output", type=Path, help="write to this file instead")
    for name, text in (
        ("update", "merge the code's messages into the Vietnamese catalog"),
        ("check", "fail when a message is missing, untranslated or fuzzy"),
    ):
        command = commands.add_parser(name, help=text)
        command.add_argument("--po", type=Path, default=VI_CATALOG, help="catalog file")
    commands.choices["check"].add_argument(
        "--strict", action="store_true", help="also fail on unused catalog entries"
    )
    args = parser.parse_args(argv)

    if args.command == "extract":
        template = extract()
        if args.output is None:
            write_template(template, sys.stdout.buffer)
        else:
            with open(args.output, "wb") as handle:
                write_template(template, handle)
        return 0
    if args.command == "update":
        catalog = update(args.po)
        todo = [m for m in catalog if m.id and (m.fuzzy or not all(_forms(m.string)))]
        print(f"{args.po}: {len(todo)} message(s) to translate or review")
        return 0
    problems = check(args.po)
    failing = problems if args.strict else errors(problems)
    for problem in problems:
        print(problem)
    print(f"{args.po}: {len(failing)} error(s), {len(problems) - len(failing)} note(s)")
    return 1 if failing else 0


if __name__ == "__main__":
    sys.exit(main())
