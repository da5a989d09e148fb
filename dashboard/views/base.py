"""What a view is: one entry of the registry that every renderer uses.

A :class:`View` declares how to compute its result (``compute(engine, filters,
options)``: statement from ``queries/`` -> ``db`` -> statistics), how to draw it
(``figure(frame, options)``), its titles, the columns ``cxdash query`` prints, and its
rules (declared validators such as "a funnel needs at least two steps"). The pages,
``cxdash query``, ``cxdash export chart|table`` and the PDF report packs are renderers of
these entries, the way PostHog picks one runner per insight kind and datasette hands one
computed result to a renderer per format.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field

import plotly.graph_objects as go
import polars as pl
import sqlalchemy as sa

from dashboard.i18n import _
from queries.filters import Filters

Result = pl.DataFrame | dict


@dataclass(frozen=True)
class Options:
    """The per-view choices (same names as ``cxdash query``'s flags). Frozen and hashable:
    the dashboard keys its cache on ``(view, filters, options)``."""

    by: str | None = None
    metric: str = "nps"
    grain: str = "month"
    steps: tuple[str, ...] | None = None
    window_days: float | None = None
    band: str | None = None
    search: str | None = None
    compare: bool = False
    by_kind: str = "touchpoint"  # what moved: touchpoints or a dimension's groups
    top: int | None = None  # a breakdown's largest groups, the rest as "(other)"; None: all
    limit: int | None = None
    offset: int = 0
    sort: str | None = None  # a list's sort column (None: the view's default order)
    descending: bool | None = None  # None: the view's default direction
    customer_id: str | None = None  # the customer view
    sentiment: str | None = None  # comments: negative | neutral | positive
    theme: str | None = None  # comments: a theme of the taxonomy
    score: str = "net"  # sentiment: net sentiment or the share of negative comments
    status: str | None = None  # follow-up items
    owner: str | None = None
    overdue: bool | None = None

    def replace(self, **changes) -> Options:
        return dataclasses.replace(self, **changes)


@dataclass(frozen=True)
class Rule:
    """A declared validator: ``holds(options)`` must be true, else ``message`` (English,
    marked with ``N_``; translated when raised) is the error (``{view}`` is replaced by
    the view's name)."""

    holds: Callable[[Options], bool]
    message: str


@dataclass(frozen=True)
class View:
    """One view: compute, figure, titles, printed columns, rules, and where it can go.

    ``exports`` names the renderers beyond the page: ``"query"`` (``cxdash query``),
    ``"chart"`` and ``"table"`` (``cxdash export``). ``defaults`` fills options a
    renderer without widgets leaves open (an exported heatmap needs a dimension).
    ``title`` and ``table_title`` return text in the current language. ``localized``
    says the computed result itself holds words people read (then the dashboard's
    cache keeps one result per language); numbers and data values need not.
    """

    name: str
    compute: Callable[[sa.Engine, Filters, Options], Result]
    title: Callable[[Options], str]
    figure: Callable[[Result, Options], go.Figure] | None = None
    columns: Callable[[Options], tuple[str, ...]] | None = None
    table_title: Callable[[Options], str] | None = None
    rules: tuple[Rule, ...] = ()
    exports: frozenset[str] = frozenset()
    defaults: Callable[[Options], Options] = field(default=lambda options: options)
    describe: Callable[[Options], tuple[str, ...]] = field(default=lambda options: ())
    json_key: str | None = None  # print a frame as one JSON object keyed by this column
    help: str = ""
    localized: bool = False
    # What a reader must know about a result to read it (e.g. "the data cannot support
    # this"): ``cxdash query`` prints these on stderr, pages show them as warnings.
    notes: Callable[[Result, Options], tuple[str, ...]] = field(default=lambda result, options: ())
    # Whether the result compares with another period (Filters.comparison()): renderers
    # then name that period (on the page, in exported files, on the CLI's stderr).
    compares: Callable[[Options], bool] = field(default=lambda options: False)

    def check(self, options: Options) -> None:
        """Raise ValueError naming the first rule ``options`` break."""
        for rule in self.rules:
            if not rule.holds(options):
                raise ValueError(_(rule.message).format(view=self.name))

    def run(self, engine: sa.Engine, f: Filters, options: Options | None = None) -> Result:
        """The view's result for ``f`` and ``options`` (rules checked first)."""
        options = options or Options()
        self.check(options)
        return self.compute(engine, f, options)

    def printed(self, result: Result, options: Options) -> Result:
        """What ``cxdash query`` prints: the declared columns, a breakdown's after the
        first (a dict result keeps only the declared keys)."""
        if self.columns is None:
            return result
        columns = list(self.columns(options))
        if isinstance(result, dict):
            return {k: result[k] for k in columns}
        return result.select(*columns)

    def heading(self, options: Options) -> str:
        """The table's title where it differs from the chart's."""
        return (self.table_title or self.title)(options)


def needs(attribute: str, message: str) -> Rule:
    """A rule that ``options.<attribute>`` is set."""
    return Rule(lambda options: getattr(options, attribute) is not None, message)
