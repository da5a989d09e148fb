"""The view state, pure: periods and presets, the sidebar's ``View``, URL parameters,
filters in words (:mod:`dashboard.i18n.formats`, in the current language).

Tested without streamlit; the widgets that read and write it are
:mod:`dashboard.ui.url_state`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from dashboard.charts.labels import DIMENSION_LABELS
from dashboard.i18n import N_, formats
from queries.filters import COMPARISONS, Filters

# -- periods -------------------------------------------------------------------

# The presets' names, marked for translation: show them with _().
PRESETS: dict[str, str] = {
    "last_30_days": N_("Last 30 days"),
    # TRANSLATORS: the latest complete calendar quarter
    "last_quarter": N_("Last quarter"),
    "year_to_date": N_("Year to date"),
    "last_12_months": N_("Last 12 months"),
    "all_time": N_("All time"),
    "custom": N_("Custom range"),
}
DEFAULT_PRESET = "last_12_months"


def _month_end(day: dt.date) -> dt.date:
    first_next = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return first_next - dt.timedelta(days=1)


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    first = dt.date(year, month + 1, 1)
    return first.replace(day=min(day.day, _month_end(first).day))


def resolve_period(
    preset: str, latest: dt.date | None, earliest: dt.date | None = None
) -> tuple[dt.date | None, dt.date | None]:
    """The (from, to) days of a preset, relative to the latest date in the data.

    Anchoring on the data, not on today, makes demo and historical data look right.
    ``last_quarter`` is the latest *complete* calendar quarter (the quarter that
    ends on ``latest`` counts as complete). ``all_time`` spans the data.
    """
    if preset not in PRESETS or preset == "custom":
        raise ValueError(f"unknown period preset {preset!r}")
    if latest is None:
        return None, None
    if preset == "last_30_days":
        return latest - dt.timedelta(days=29), latest
    if preset == "year_to_date":
        return dt.date(latest.year, 1, 1), latest
    if preset == "last_12_months":
        return _add_months(latest, -12) + dt.timedelta(days=1), latest
    if preset == "last_quarter":
        start = dt.date(latest.year, 3 * ((latest.month - 1) // 3) + 1, 1)
        end = _month_end(_add_months(start, 2))
        if latest < end:  # the current quarter is incomplete: take the one before
            end = start - dt.timedelta(days=1)
            start = _add_months(start, -3)
        return start, end
    return earliest or latest, latest  # all_time


# -- filters in words: one implementation, in the current language (i18n.formats) --------

describe_period = formats.describe_period
describe_filters = formats.describe_filters
describe_comparison = formats.describe_comparison
COMPARISON_LABELS = formats.COMPARISON_LABELS  # marked for translation: show them with _()


# -- URL parameters <-> view ----------------------------------------------------------

FILTER_KEYS = ("segment", "region", "channel", "touchpoint")
MORE_FILTER_KEYS = ("age_band", "gender", "income_band", "survey_channel")
MULTISELECT_KEYS = FILTER_KEYS + MORE_FILTER_KEYS
LABELS = DIMENSION_LABELS  # marked for translation: show them with _()


@dataclass(frozen=True)
class View:
    """The sidebar's state: a period preset (or custom days), selections, comparison."""

    preset: str = DEFAULT_PRESET
    date_from: dt.date | None = None  # only for preset == "custom"
    date_to: dt.date | None = None
    selections: tuple[tuple[str, tuple[str, ...]], ...] = ()
    compare: bool = True
    against: str = COMPARISONS[0]  # what the comparison compares with (Filters.compare_with)

    def selected(self, key: str) -> tuple[str, ...]:
        return dict(self.selections).get(key, ())

    def to_filters(
        self,
        latest: dt.date | None,
        earliest: dt.date | None,
        min_n: int,
        known: Mapping[str, Iterable[str]] | None = None,
        closed: Iterable[str] = (),
    ) -> Filters:
        """The ``Filters`` this view shows, the preset resolved against the data's dates.

        With ``known`` (the data's values per filter, as the widgets list them), a filter
        whose every choice is selected is no filter (:meth:`Filters.without_full_selections`;
        ``closed``: the dimensions offered without ``(unknown)``).
        """
        if self.preset == "custom":
            date_from, date_to = self.date_from, self.date_to
        else:
            date_from, date_to = resolve_period(self.preset, latest, earliest)
        f = Filters(date_from=date_from, date_to=date_to, min_n=min_n, compare_with=self.against,
                    **dict(self.selections))  # fmt: skip
        return f.without_full_selections(known, closed) if known is not None else f

    def to_params(self) -> dict[str, list[str]]:
        """Non-default parts as URL parameters (custom days as ``from``/``to``)."""
        params: dict[str, list[str]] = {}
        if self.preset != DEFAULT_PRESET:
            params["period"] = [self.preset]
        if self.preset == "custom":
            custom = Filters(date_from=self.date_from, date_to=self.date_to)
            params.update(custom.to_params())
        for key, values in self.selections:
            if values:
                params[key] = list(values)
        if not self.compare:
            params["compare"] = ["0"]
        if self.against != COMPARISONS[0]:
            params["vs"] = [self.against]
        return params

    @classmethod
    def from_params(cls, params: Mapping[str, Iterable[str] | str]) -> View:
        """Inverse of :meth:`to_params`; bad values fall back to defaults, never raise.

        A shared link with ``from``/``to`` but no ``period`` is a custom range.
        """

        def values(key: str) -> list[str]:
            raw = params.get(key)
            if raw is None:
                return []
            return [raw] if isinstance(raw, str) else [str(v) for v in raw]

        preset = (values("period") or [""])[0]
        try:  # dates outside queries.definitions' range are refused here too
            dates = Filters.from_params({k: values(k) for k in ("from", "to")})
        except ValueError:
            dates = Filters()
        if preset not in PRESETS:
            preset = "custom" if (dates.date_from or dates.date_to) else DEFAULT_PRESET
        elif preset == "custom" and not (dates.date_from or dates.date_to):
            preset = DEFAULT_PRESET  # a custom range without usable days: the default
        selections = tuple(
            (key, tuple(sorted({v for v in values(key) if v}))) for key in MULTISELECT_KEYS
        )
        selections = tuple((k, v) for k, v in selections if v)
        compare = (values("compare") or ["1"])[0] not in {"0", "false", "no", "off"}
        against = (values("vs") or [COMPARISONS[0]])[0]
        against = against if against in COMPARISONS else COMPARISONS[0]
        if preset != "custom":
            return cls(preset=preset, selections=selections, compare=compare, against=against)
        return cls(
            preset=preset,
            date_from=dates.date_from,
            date_to=dates.date_to,
            selections=selections,
            compare=compare,
            against=against,
        )


def split_pairs(values: Iterable[str], separator: str = ":") -> list[tuple[str, str]]:
    """``["segment:SMB", "region:Hà Nội"]`` -> pairs (values may contain the separator)."""
    pairs = []
    for value in values:
        key, sep, rest = str(value).partition(separator)
        if sep and key and rest:
            pairs.append((key, rest))
    return pairs


def join_pairs(pairs: Iterable[tuple[str, str]], separator: str = ":") -> list[str]:
    return [f"{key}{separator}{value}" for key, value in pairs]


def one_of(choices: Iterable[str]) -> Callable[[list[str]], str]:
    """A :func:`url_value` parser accepting only ``choices`` (first URL value)."""
    allowed = list(choices)

    def parse(values: list[str]) -> str:
        if values[0] not in allowed:
            raise ValueError(f"{values[0]!r} is not one of {allowed}")
        return values[0]

    return parse


def month_slices(f: Filters, max_months: int = 12) -> list[Filters]:
    """The calendar months of ``f``'s period (the last ``max_months``), each clipped to it.

    Small trend lines on the KPI tiles are the KPIs of these slices.
    """
    if f.date_from is None or f.date_to is None:
        return []
    slices = []
    start = f.date_to.replace(day=1)
    while len(slices) < max_months and _month_end(start) >= f.date_from:
        slices.append(
            f.replace(date_from=max(start, f.date_from), date_to=min(_month_end(start), f.date_to))
        )
        start = _add_months(start, -1)
    return slices[::-1]


def int_between(low: int, high: int) -> Callable[[list[str]], int]:
    """A :func:`url_value` parser for a whole number in ``[low, high]`` (first URL value)."""

    def parse(values: list[str]) -> int:
        number = int(values[0])
        if not low <= number <= high:
            raise ValueError(f"{number} is not between {low} and {high}")
        return number

    return parse
