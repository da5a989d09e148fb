"""duckdb_engine's dialect with SQLAlchemy's compiled-statement cache switched on.

duckdb_engine declares ``supports_statement_cache = False``, so every query was
compiled afresh: 2-4 ms per view on top of a 30-50 ms query. Its SQL compiler is
PostgreSQL's, which SQLAlchemy caches on PostgreSQL itself; the statements of
``queries/`` are cache-safe (tests alternate statements that differ only in options
on one engine, on all three databases). ``dashboard.db`` registers this dialect as
``duckdb+cxdash`` and uses it for every ``duckdb://`` URL.
"""

from __future__ import annotations

from duckdb_engine import Dialect


class CachingDuckDBDialect(Dialect):
    supports_statement_cache = True
