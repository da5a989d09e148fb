"""``cxdash import`` and ``cxdash import-dir``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from dashboard import audit, db
from dashboard.ingest.mapping import (
    load_mapping,
)
from dashboard.ingest.plan import IMPORT_ORDER
from dashboard.ingest.read import FileRejected
from dashboard.ingest.report import SHOWN_ERRORS
from dashboard.ingest.write import import_directory, import_file

# -- CLI ---------------------------------------------------------------------------------------


def register_cli(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "import",
        help="validate and load a CSV/XLSX/Parquet file into one table",
        description="Validate FILE and load it into TABLE in one transaction. Any rejected "
        "row means nothing is written; the report lists each error with its line.",
    )
    p.add_argument("table", choices=IMPORT_ORDER)
    p.add_argument("file", type=Path)
    p.add_argument("--mapping", type=Path, help="TOML column mapping (see mappings/README.md)")
    p.add_argument("--sheet", help="XLSX sheet name (default: the first)")
    p.add_argument("--encoding", help="text encoding (default: detected)")
    p.add_argument("--dry-run", action="store_true", help="print the report, write nothing")
    p.add_argument("--suggest", action="store_true", help="print a suggested mapping TOML")
    _add_outside_flag(p)
    p.add_argument("--max-errors", type=int, default=SHOWN_ERRORS, help="errors to print")
    p.set_defaults(handler=_cli_import)

    p = subparsers.add_parser(
        "import-dir",
        help="import several files described by a directory of mappings, in one transaction",
        description="Each *.toml in MAPPINGS names its table and file; all files are "
        "validated, then written together or not at all. Example: cxdash import-dir "
        "mappings/olist --data ../shared/datasets/olist-sample",
    )
    p.add_argument("mappings", type=Path)
    p.add_argument("--data", type=Path, help="folder of the data files (default: MAPPINGS)")
    p.add_argument("--dry-run", action="store_true", help="print the reports, write nothing")
    p.add_argument("--max-errors", type=int, default=SHOWN_ERRORS, help="errors to print per file")
    _add_outside_flag(p)
    p.set_defaults(handler=_cli_import_dir)


def _add_outside_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--allow-lookups-outside",
        action="store_true",
        help="let the mapping name files anywhere (absolute paths, '..'); by default its "
        "[[lookups]] (and import-dir's data files) must be in the mapping's folder or the "
        "data's folder",
    )


def _cli_import(args: argparse.Namespace) -> int:
    if args.suggest:
        from dashboard.ingest.suggest import suggest_for_file

        print(suggest_for_file(args.file, args.table, encoding=args.encoding, sheet=args.sheet))
        return 0
    engine = db.create_engine(timeout_seconds=db.NO_TIMEOUT)  # a big load may take minutes
    with db.translate_errors(engine):
        db.create_schema(engine)
    mapping = load_mapping(args.mapping, table=args.table) if args.mapping else None
    try:
        report = import_file(
            args.file,
            args.table,
            engine=engine,
            mapping=mapping,
            dry_run=args.dry_run,
            encoding=args.encoding,
            sheet=args.sheet,
            allow_lookups_outside=args.allow_lookups_outside,
        )
    except FileRejected as exc:
        print(f"REJECTED: {exc}\nNothing was written.", file=sys.stderr)
        return 1
    audit.record_import(report, engine=engine)
    text = report.render(limit=args.max_errors)
    print(text, file=sys.stdout if report.ok else sys.stderr)
    return 0 if report.ok else 1


def _cli_import_dir(args: argparse.Namespace) -> int:
    engine = db.create_engine(timeout_seconds=db.NO_TIMEOUT)
    with db.translate_errors(engine):
        db.create_schema(engine)
    try:
        reports = import_directory(
            args.mappings,
            args.data,
            engine=engine,
            dry_run=args.dry_run,
            allow_outside=args.allow_lookups_outside,
        )
    except FileRejected as exc:
        print(f"REJECTED: {exc}\nNothing was written.", file=sys.stderr)
        return 1
    for report in reports:
        audit.record_import(report, engine=engine)
    ok = all(r.ok for r in reports)
    text = "\n\n".join(r.render(limit=args.max_errors) for r in reports)
    print(text, file=sys.stdout if ok else sys.stderr)
    return 0 if ok else 1
