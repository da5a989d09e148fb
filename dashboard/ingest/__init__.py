"""Imports: read a source file, map its columns, validate, plan, write atomically.

The steps live in the modules of this package (``read``, ``mapping``, ``validate``,
``suggest``, ``plan``, ``write``, ``upload``, ``health``); the names below are the API
the CLI, the Data page and the demo generator use (``load`` is the one write path).
"""

from __future__ import annotations

from dashboard.ingest.plan import (
    IMPORT_ORDER,
    ImportPlan,
    plan_directory,
    plan_import,
    resolve_file,
)
from dashboard.ingest.report import ImportRejected, ImportReport
from dashboard.ingest.write import (
    Loader,
    LogEntry,
    import_directory,
    import_file,
    import_log,
    load,
    write_plans,
)

__all__ = [
    "IMPORT_ORDER",
    "ImportPlan",
    "ImportRejected",
    "ImportReport",
    "Loader",
    "LogEntry",
    "import_directory",
    "import_file",
    "import_log",
    "load",
    "plan_directory",
    "plan_import",
    "resolve_file",
    "write_plans",
]
