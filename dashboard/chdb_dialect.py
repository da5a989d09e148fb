"""chdb-sqlalchemy's dialect with the store's table layout and exact timestamps.

``dashboard.db`` registers it as ``chdb.cxdash`` and uses it for every ``chdb://`` URL.
Two things differ from the package's dialect:

- ``DateTime`` columns are ``DateTime64(6)``: ClickHouse's ``DateTime`` keeps whole
  seconds, the other stores keep microseconds, and the numbers must match theirs.
- ``CREATE TABLE`` ends with the layout of ``queries.clickhouse`` (partitioned by
  month, sorted for the views' filters) instead of "sorted by the primary key".

Spellings of functions (median, lower, lag, ...) are not here: they live with the
other dialects' in ``queries/dialect.py``.
"""

from __future__ import annotations

import base64

import sqlalchemy as sa
from chdb_sqlalchemy.compiler import ChdbDDLCompiler, ChdbTypeCompiler
from chdb_sqlalchemy.dialect import ChdbDialect
from chdb_sqlalchemy.types import DateTime64

from queries import clickhouse


class CxdashChdbTypeCompiler(ChdbTypeCompiler):
    def visit_datetime(self, type_, **kw) -> str:
        return "DateTime64(6)"

    visit_DATETIME = visit_datetime  # noqa: N815 - SQLAlchemy's visitor names
    visit_TIMESTAMP = visit_datetime  # noqa: N815

    def visit_large_binary(self, type_, **kw) -> str:
        return "String"


class CxdashChdbDDLCompiler(ChdbDDLCompiler):
    def post_create_table(self, table) -> str:
        return "\n" + clickhouse.engine_clause(table)


class MicrosecondDateTime(DateTime64):
    """``DateTime`` values bound as ``toDateTime64(?, 6)``: the package's type binds
    through ``toDateTime(?)``, which drops the microseconds."""

    def __init__(self, timezone=None):  # SQLAlchemy's adapt() passes timezone=False
        super().__init__(precision=6)

    def bind_expression(self, bindvalue):
        return sa.func.toDateTime64(bindvalue, 6)


class Base64Binary(sa.LargeBinary):
    """Bytes (a trained model) kept as base64 text: the driver decodes every String
    result as UTF-8, which arbitrary bytes are not."""

    def bind_processor(self, dialect):
        def process(value):
            return None if value is None else base64.b64encode(bytes(value)).decode("ascii")

        return process

    def result_processor(self, dialect, coltype):
        def process(value):
            return None if value is None else base64.b64decode(value)

        return process


class CxdashChdbDialect(ChdbDialect):
    colspecs = {  # noqa: RUF012
        **ChdbDialect.colspecs,
        sa.DateTime: MicrosecondDateTime,
        sa.LargeBinary: Base64Binary,
    }
    type_compiler_cls = CxdashChdbTypeCompiler
    ddl_compiler = CxdashChdbDDLCompiler
    supports_statement_cache = True
    # Column comments would cost one ALTER TABLE each (~30 ms) at every create_schema;
    # they document the schema in queries/, not in the store.
    supports_comments = False

    @classmethod
    def import_dbapi(cls):
        return ChdbDialect.import_dbapi()
