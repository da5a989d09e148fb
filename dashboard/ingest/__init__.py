"""Imports: read a source file, map its columns, validate, plan, write atomically.

The steps live in the modules of this package (``read``, ``mapping``, ``validate``,
``suggest``, ``pipeline``, ``upload``, ``health``); the names below are the API the
CLI, the Data page and the demo generator use.
"""

from __future__ import annotations

from dashboard.ingest.pipeline import (
    IMPORT_ORDER,
    ImportPlan,
    ImportRejected,
    ImportReport,
    import_directory,
    import_file,
    import_log,
    plan_directory,
    plan_import,
    resolve_file,
    write_plans,
)

__all__ = [
    "IMPORT_ORDER",
    "ImportPlan",
    "ImportRejected",
    "ImportReport",
    "import_directory",
    "import_file",
    "import_log",
    "plan_directory",
    "plan_import",
    "resolve_file",
    "write_plans",
]
