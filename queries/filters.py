"""The one ``Filters`` value every query is built from.

Frozen and hashable so the dashboard can key its cache on it, and convertible
to and from flat string parameters so a URL reproduces a view.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from queries.definitions import DEFAULT_MIN_N, EARLIEST_DATE, LATEST_DATE, date_in_range
from queries.schema import DIMENSIONS

UNKNOWN = "(unknown)"  # the group of anonymous / orphan feedback and empty dimension values
# What a comparison compares with (URL ``vs``, CLI ``--vs``); the first is the default.
COMPARISONS = ("previous", "year")
SELECTABLE = (*DIMENSIONS, "touchpoint", "survey_channel")  # the filters that select values


def choices(name: str, known: Iterable[str], unknown: bool = True) -> list[str]:
    """What a filter on ``name`` can select: the values the data has and, for a customer
    dimension, ``(unknown)`` -- customers with no recorded value, anonymous and orphan
    feedback -- so that selecting every choice leaves nobody out. ``unknown=False``
    leaves it out (a viewer whose scope names values of the dimension never sees those)."""
    values = [v for v in known if v != UNKNOWN]
    return [*values, UNKNOWN] if unknown and name in DIMENSIONS else values


def _clean(values: Iterable[str] | None) -> tuple[str, ...]:
    """Sorted, de-duplicated, stripped values: equal selections give equal (hashable) filters."""
    if values is None:
        return ()
    if isinstance(values, str):
        values = [values]
    return tuple(sorted({str(v).strip() for v in values if str(v).strip()}))


@dataclass(frozen=True)
class Filters:
    """What a view shows. Empty tuples mean "no restriction".

    ``date_from`` and ``date_to`` are whole days, both included; ``None`` leaves the
    period open on that side.
    """

    date_from: dt.date | None = None
    date_to: dt.date | None = None
    segment: tuple[str, ...] = ()
    region: tuple[str, ...] = ()
    channel: tuple[str, ...] = ()
    age_band: tuple[str, ...] = ()
    gender: tuple[str, ...] = ()
    income_band: tuple[str, ...] = ()
    touchpoint: tuple[str, ...] = ()
    survey_channel: tuple[str, ...] = ()
    min_n: int = DEFAULT_MIN_N
    compare_with: str = "previous"  # what comparisons compare with: one of COMPARISONS

    def __post_init__(self):
        for name in (*DIMENSIONS, "touchpoint", "survey_channel"):
            object.__setattr__(self, name, _clean(getattr(self, name)))
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise ValueError(f"the period starts ({self.date_from}) after it ends ({self.date_to})")
        if self.min_n < 1:
            raise ValueError(f"min_n must be at least 1, got {self.min_n}")
        if self.compare_with not in COMPARISONS:
            raise ValueError(
                f"compare with one of {', '.join(COMPARISONS)}, got {self.compare_with!r}"
            )

    # -- derived views -------------------------------------------------------
    @property
    def start(self) -> dt.datetime | None:
        """Inclusive lower bound: 00:00 of ``date_from``."""
        return dt.datetime.combine(self.date_from, dt.time()) if self.date_from else None

    @property
    def end(self) -> dt.datetime | None:
        """Exclusive upper bound: 00:00 of the day after ``date_to``."""
        if self.date_to is None:
            return None
        return dt.datetime.combine(self.date_to + dt.timedelta(days=1), dt.time())

    def dimension_filters(self) -> dict[str, tuple[str, ...]]:
        """The customer dimensions that restrict the view, with their values."""
        return {d: getattr(self, d) for d in DIMENSIONS if getattr(self, d)}

    @property
    def has_dimension_filter(self) -> bool:
        return bool(self.dimension_filters())

    def without_full_selections(
        self, known: Mapping[str, Iterable[str]], closed: Iterable[str] = ()
    ) -> Filters:
        """The same view with every filter that selects all of its :func:`choices` (the
        data's values of ``known``, plus ``(unknown)`` for a dimension not in ``closed``)
        removed: "all values selected" is no filter, never "everyone with a recorded
        value"."""
        changes = {}
        closed = set(closed)
        for name in SELECTABLE:
            selected = getattr(self, name)
            offered = choices(name, known.get(name, ()), unknown=name not in closed)
            every = set(offered) if name in known else set()
            if selected and every and every <= set(selected):
                changes[name] = ()
        return self.replace(**changes) if changes else self

    def replace(self, **changes) -> Filters:
        return dataclasses.replace(self, **changes)

    def previous_period(self) -> Filters:
        """The period of equal length ending the day before ``date_from``."""
        if self.date_from is None or self.date_to is None:
            raise ValueError("a comparison needs a closed period (both from and to)")
        length = self.date_to - self.date_from + dt.timedelta(days=1)
        prev_to = self.date_from - dt.timedelta(days=1)
        return self.replace(date_from=prev_to - length + dt.timedelta(days=1), date_to=prev_to)

    def same_period_last_year(self) -> Filters:
        """The same days one year earlier (29 February becomes the 28th): what a business
        whose seasons move (Tết in January or February) compares with."""
        if self.date_from is None or self.date_to is None:
            raise ValueError("a comparison needs a closed period (both from and to)")
        return self.replace(
            date_from=_year_earlier(self.date_from), date_to=_year_earlier(self.date_to)
        )

    def comparison(self) -> Filters:
        """The period comparisons compare with: :meth:`previous_period` or, with
        ``compare_with="year"``, :meth:`same_period_last_year`."""
        if self.compare_with == "year":
            return self.same_period_last_year()
        return self.previous_period()

    # -- flat parameters (URL query string, CLI) ---------------------------
    def to_params(self) -> dict[str, list[str]]:
        """Only the non-default fields, as lists of strings (``st.query_params`` friendly)."""
        params: dict[str, list[str]] = {}
        if self.date_from:
            params["from"] = [self.date_from.isoformat()]
        if self.date_to:
            params["to"] = [self.date_to.isoformat()]
        for name in (*DIMENSIONS, "touchpoint", "survey_channel"):
            if getattr(self, name):
                params[name] = list(getattr(self, name))
        if self.min_n != DEFAULT_MIN_N:
            params["min_n"] = [str(self.min_n)]
        if self.compare_with != COMPARISONS[0]:
            params["vs"] = [self.compare_with]
        return params

    @classmethod
    def from_params(cls, params: Mapping[str, Iterable[str] | str]) -> Filters:
        """Inverse of :meth:`to_params`; unknown keys are ignored, bad values raise ValueError."""

        def values(key: str) -> list[str]:
            raw = params.get(key)
            if raw is None:
                return []
            return [raw] if isinstance(raw, str) else list(raw)

        def one_date(key: str) -> dt.date | None:
            got = values(key)
            if not got or not got[0]:
                return None
            try:
                day = dt.date.fromisoformat(got[0])
            except ValueError:
                raise ValueError(f"{key!r} must be a date YYYY-MM-DD, got {got[0]!r}") from None
            if not date_in_range(day):  # 0001-01-01 or 9999-12-31 would overflow later
                raise ValueError(
                    f"{key!r} must lie within {EARLIEST_DATE.isoformat()} … "
                    f"{LATEST_DATE.isoformat()}, got {got[0]!r}"
                )
            return day

        kwargs: dict = {
            name: values(name) for name in (*DIMENSIONS, "touchpoint", "survey_channel")
        }
        min_n = values("min_n")
        if min_n:
            try:
                kwargs["min_n"] = int(min_n[0])
            except ValueError:
                raise ValueError(f"'min_n' must be a whole number, got {min_n[0]!r}") from None
        vs = values("vs")
        if vs:
            if vs[0] not in COMPARISONS:
                raise ValueError(f"'vs' must be one of {', '.join(COMPARISONS)}, got {vs[0]!r}")
            kwargs["compare_with"] = vs[0]
        return cls(date_from=one_date("from"), date_to=one_date("to"), **kwargs)


def _year_earlier(day: dt.date) -> dt.date:
    if day.year <= dt.MINYEAR:
        raise ValueError(f"no year before {day.isoformat()} to compare with")
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)
