"""Row-level scope: a statement rewritten so that every protected table it reads holds only
the rows of a scope (allowed values per customer dimension, DESIGN.md "Access").

``dashboard.db`` calls :func:`scoped` on every statement it runs for a scoped viewer; no
other module applies scopes, so a new view is scoped without doing anything.

How: each protected table the statement reads is replaced by a subquery of itself that
keeps the scope's rows and bears the table's own name, e.g. ``customers`` becomes
``(SELECT customers.* FROM customers WHERE customers.region IN ('TP.HCM')) AS customers``,
and every column that pointed at the table points at the subquery. The statement's own
joins, filters and aggregates are untouched: a scoped result is exactly the statement's
result over a store that holds only the scope's customers, whatever the statement does.

Which rows a protected table keeps (``RULES``):

- ``customers``: its own dimension columns are in the scope;
- summary tables that carry the customer's dimensions (copied from ``customers`` whenever
  it changes): their own copies, no join;
- tables with a ``customer_id``: the id is one of the scope's customers -- so anonymous
  feedback (no customer_id) and orphans (an id not in customers) never show;
- tables keyed by a feedback response (comment analysis, labels) or a follow-up item:
  responses (items) of the scope's customers.

Configuration and bookkeeping tables (``OPEN``) are read as they are. A table in neither
list gets a rule from its columns when it has one (``customer_id``, ``response_id`` or
every dimension); otherwise :func:`scoped` raises :class:`ScopeError`: a table nobody
classified is refused to scoped viewers, never shown whole (fail closed).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.sql import visitors

from queries import rollups, schema
from queries.schema import DIMENSIONS

Allowed = Mapping[str, tuple[str, ...]]


class ScopeError(ValueError):
    """A statement reads a table with no scope rule (or cannot be scoped at all)."""


@dataclass(frozen=True)
class Rule:
    """How a protected table keeps the scope's rows.

    ``kind``: "dimensions" (its own dimension columns), "customer" (``column`` is a
    customer_id), or "via" (``column`` is among ``parent.key`` of the parent's scoped rows).
    """

    kind: str
    column: str = ""
    parent: str = ""
    key: str = ""


BY_DIMENSIONS = Rule("dimensions")
BY_CUSTOMER = Rule("customer", "customer_id")
BY_RESPONSE = Rule("via", "response_id", parent="feedback", key="response_id")

RULES: dict[str, Rule] = {
    "customers": BY_DIMENSIONS,
    "events": BY_CUSTOMER,
    "feedback": BY_CUSTOMER,
    "followups": BY_CUSTOMER,
    "followup_events": Rule("via", "response_id", parent="followups", key="response_id"),
    "comment_facts": BY_RESPONSE,
    "comment_themes": BY_RESPONSE,
    "comment_labels": BY_RESPONSE,
    rollups.customer_days.name: BY_DIMENSIONS,
    rollups.feedback_facts.name: BY_DIMENSIONS,
    rollups.funnel_events.name: BY_DIMENSIONS,
    rollups.customer_keys.name: BY_CUSTOMER,
}

# Read as they are by everyone: no customer rows in them.
OPEN = frozenset(
    {
        "stages",
        "touchpoints",
        "cxdash_imports",
        "cxdash_data_version",
        "sentiment_models",
        "theme_taxonomies",
        "cxdash_users",
        "cxdash_user_scopes",
        "cxdash_audit",
        rollups.funnel_stages.name,
        rollups.state.name,
    }
)

_TABLES = {**schema.metadata.tables, **rollups.metadata.tables}


def rule_for(table: sa.Table) -> Rule | None:
    """The table's rule; None for an open table; ScopeError for one nobody classified."""
    if table.name in OPEN:
        return None
    if table.name in RULES:
        return RULES[table.name]
    if "customer_id" in table.c:
        return BY_CUSTOMER
    if "response_id" in table.c:
        return BY_RESPONSE
    if all(d in table.c for d in DIMENSIONS):
        return BY_DIMENSIONS
    raise ScopeError(
        f"the table {table.name!r} has no access rule: add it to queries.scope.RULES "
        "(or OPEN when it holds no customer rows)"
    )


class _Scoper:
    """One rewrite: the scoped stand-in of each table, built once per statement."""

    def __init__(self, allowed: Allowed):
        self.allowed = {d: tuple(v) for d, v in allowed.items() if v}
        unknown = [d for d in self.allowed if d not in DIMENSIONS]
        if unknown:
            raise ScopeError(f"unknown dimension {unknown[0]!r} in a scope")
        self.stand_ins: dict[sa.Table, sa.Subquery] = {}

    def scoped_ids(self, name: str, key: str) -> sa.Select:
        """``key`` of the scope's rows of table ``name`` (a subquery for IN)."""
        table = _TABLES[name]
        return sa.select(table.c[key]).where(*self.conditions(table))

    def conditions(self, table: sa.Table) -> list[sa.ColumnElement[bool]]:
        rule = rule_for(table)
        if rule is None:
            return []
        if rule.kind == "dimensions":
            return [table.c[d].in_(values) for d, values in self.allowed.items()]
        if rule.kind == "customer":
            return [table.c[rule.column].in_(self.scoped_ids("customers", "customer_id"))]
        return [table.c[rule.column].in_(self.scoped_ids(rule.parent, rule.key))]

    def stand_in(self, table: sa.Table) -> sa.Subquery | None:
        if table not in self.stand_ins:
            conditions = self.conditions(table)
            if not conditions:
                return None
            self.stand_ins[table] = sa.select(table).where(*conditions).subquery(table.name)
        return self.stand_ins[table]

    def replace(self, element):
        if isinstance(element, sa.Table):
            return self.stand_in(element)
        if isinstance(element, (sa.TextClause, sa.sql.selectable.TextualSelect)):
            # Text hides the tables it reads from the rewrite: refused, never run whole.
            raise ScopeError("textual SQL cannot be scoped; build the statement in queries/")
        if type(element) is sa.sql.expression.TableClause and element.name not in OPEN:
            # A lightweight sa.table() is not declared anywhere: nothing says how to scope it.
            raise ScopeError(f"cannot scope the undeclared table {element.name!r}")
        if isinstance(element, sa.BindParameter):
            # Keep each parameter's key, so that a later statement of the same shape can
            # run this rewrite with its own values (see ``for_execution``).
            return element._clone(maintain_key=True)
        table = getattr(element, "table", None)
        if isinstance(element, sa.Column) and isinstance(table, sa.Table):
            stand_in = self.stand_in(table)
            return None if stand_in is None else stand_in.c[element.key]
        return None


def _frozen(allowed: Allowed) -> tuple[tuple[str, tuple[str, ...]], ...]:
    return tuple(sorted((d, tuple(v)) for d, v in allowed.items() if v))


def scoped(statement: sa.Executable, allowed: Allowed) -> sa.Executable:
    """``statement`` reading only the rows of the scope ``allowed`` (dimension -> allowed
    values); unchanged for an empty scope.

    Raises
    ------
    ScopeError
        The statement reads a table with no rule, or is textual SQL (which cannot be
        rewritten: refused rather than run unscoped).
    """
    if not _frozen(allowed):
        return statement
    return visitors.replacement_traverse(statement, {}, _Scoper(allowed).replace)


# -- the rewrite once per shape of statement -------------------------------------------------
# Rewriting clones the whole statement (milliseconds for a funnel's CTEs), and the views
# build a new statement object on every call. SQLAlchemy's own statement cache works by
# shape: a statement's cache key is its structure plus its bound parameters in a fixed
# order. The rewrite of the first statement of a shape is kept with the keys of its
# parameters (which the rewrite keeps); a later statement of the same shape and scope runs
# that rewrite with its own parameter values, matched by position -- the same values
# SQLAlchemy would have extracted for it. Statements without a cache key are rewritten
# every time.

_MEMO_SIZE = 512
_memo: OrderedDict[tuple, tuple[sa.Executable, tuple[str, ...]]] = OrderedDict()
_memo_lock = threading.Lock()


def clear_memo() -> None:
    """Forget the kept rewrites (tests)."""
    with _memo_lock:
        _memo.clear()


def for_execution(
    statement: sa.Executable, allowed: Allowed
) -> tuple[sa.Executable, dict[str, object] | None]:
    """(statement to execute, parameter values to execute it with) for the scope
    ``allowed``: :func:`scoped` of ``statement``, the rewrite reused for statements of the
    same shape. The values (None: the statement's own) must be passed to ``execute``."""
    frozen = _frozen(allowed)
    if not frozen:
        return statement, None
    cache_key = statement._generate_cache_key()
    if cache_key is None:
        return scoped(statement, allowed), None
    memo_key = (cache_key.key, frozen)
    with _memo_lock:
        hit = _memo.get(memo_key)
        if hit is not None:
            _memo.move_to_end(memo_key)
    if hit is None:
        rewritten = scoped(statement, allowed)
        keys = tuple(bind.key for bind in cache_key.bindparams)
        with _memo_lock:
            _memo[memo_key] = (rewritten, keys)
            while len(_memo) > _MEMO_SIZE:
                _memo.popitem(last=False)
        return rewritten, None
    rewritten, keys = hit
    options = statement.get_execution_options()
    if options != rewritten.get_execution_options():  # not part of the shape
        rewritten = rewritten.execution_options(**options)
    values = {
        key: bind.effective_value for key, bind in zip(keys, cache_key.bindparams, strict=True)
    }
    return rewritten, values
