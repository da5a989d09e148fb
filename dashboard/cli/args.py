"""Arguments shared by ``cxdash query`` and ``cxdash export``: filters and view options."""

from __future__ import annotations

import argparse
import datetime as dt
import difflib
import re
import sys
from collections.abc import Mapping

import sqlalchemy as sa

from dashboard import db, state
from dashboard.config import get_settings
from dashboard.i18n import _
from dashboard.metrics.scores import METRICS
from dashboard.views import Options
from queries.common import BREAKDOWNS
from queries.definitions import EARLIEST_DATE, LATEST_DATE, NPS_BANDS, date_in_range
from queries.dialect import GRAINS
from queries.filters import COMPARISONS, DEFAULT_MIN_N, UNKNOWN, Filters

DIMENSION_FLAGS = {
    "segment": "--segment",
    "region": "--region",
    "channel": "--channel",
    "age_band": "--age-band",
    "gender": "--gender",
    "income_band": "--income-band",
}
# Every flag that selects values of the data, for the unknown-value warnings.
VALUE_FLAGS = {
    **DIMENSION_FLAGS,
    "touchpoint": "--touchpoint",
    "survey_channel": "--survey-channel",
}
PERIODS = tuple(p for p in state.PRESETS if p != "custom")
PERIOD_HELP = (
    "the period when --from/--to are not given: one of the dashboard's presets, relative to "
    "the newest data (default: last_12_months, as the dashboard opens; all_time for all the "
    "data). With only one of --from/--to, the other end is the data's first or last day."
)
MAX_LISTED = 15


def _date(text: str) -> dt.date:
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date YYYY-MM-DD") from None
    if not date_in_range(day):
        raise argparse.ArgumentTypeError(
            _("{day} is outside the dates cxdash works with ({first} … {last})").format(
                day=text, first=EARLIEST_DATE.isoformat(), last=LATEST_DATE.isoformat()
            )
        )
    return day


def _window(text: str) -> float:
    """'30d', '12h', '45m', '90s' or a bare number of days -> days."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([dhms]?)\s*", text)
    if not match:
        raise argparse.ArgumentTypeError(f"{text!r} is not a window like 30d, 12h or 45m")
    value, unit = float(match.group(1)), match.group(2) or "d"
    days = value / {"d": 1, "h": 24, "m": 1440, "s": 86400}[unit]
    if days <= 0:
        raise argparse.ArgumentTypeError("the conversion window must be positive")
    return days


def _positive(text: str) -> int:
    try:
        number = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if number < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return number


def _steps(text: str) -> tuple[str, ...]:
    steps = tuple(s.strip() for s in text.split(",") if s.strip())
    if not steps:
        raise argparse.ArgumentTypeError("--steps needs at least one stage, e.g. visit,cart")
    return steps


def add_filter_arguments(parser: argparse.ArgumentParser) -> None:
    """The filters of every view: period, dimensions, touchpoints, min_n."""
    parser.add_argument("--from", dest="date_from", type=_date, help="first day (YYYY-MM-DD)")
    parser.add_argument("--to", dest="date_to", type=_date, help="last day, included")
    parser.add_argument("--period", choices=PERIODS, default=state.DEFAULT_PRESET,
                        help=PERIOD_HELP)  # fmt: skip
    for dim, flag in DIMENSION_FLAGS.items():
        parser.add_argument(flag, dest=dim, action="append", default=[], metavar="V",
                            help=f"keep customers whose {dim} is V (repeatable; \"{UNKNOWN}\": "
                                 "none recorded)")  # fmt: skip
    parser.add_argument("--touchpoint", action="append", default=[], metavar="V")
    parser.add_argument("--survey-channel", action="append", default=[], metavar="V")
    parser.add_argument("--vs", choices=COMPARISONS, default=COMPARISONS[0],
                        help="what comparisons (kpis --compare, what-moved, report packs) "
                             "compare with: the previous period of equal length (default) or "
                             "the same period last year")  # fmt: skip
    parser.add_argument("--min-n", type=int, default=None,
                        help=f"minimum scored responses before a value is trusted "
                             f"(default {DEFAULT_MIN_N} or CXDASH_MIN_N)")  # fmt: skip


def add_view_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of the individual views (breakdown, funnel steps, grain, metric)."""
    parser.add_argument("--by", choices=BREAKDOWNS, help="break down by a customer dimension")
    parser.add_argument("--steps", type=_steps, help="funnel steps in order, e.g. visit,cart")
    parser.add_argument("--window", type=_window, help="conversion window, e.g. 30d (default)")
    parser.add_argument("--grain", choices=GRAINS, default="month")
    parser.add_argument(
        "--metric",
        choices=(*METRICS, "sentiment"),
        default="nps",
        help="score; heatmap also: sentiment (net sentiment of the comments)",
    )
    parser.add_argument(
        "--score",
        choices=("net", "negative"),
        default="net",
        help="sentiment: net sentiment or the share of negative comments",
    )
    parser.add_argument("--top", type=int, metavar="N",
                        help="breakdowns: the N largest groups and the rest as (other); "
                        "0 = every group (default: every group; report packs: 7)")  # fmt: skip
    parser.add_argument("--band", choices=tuple(NPS_BANDS), help="comments: only this NPS band")
    parser.add_argument("--search", help="comments: only those containing this text")
    parser.add_argument("--sentiment", choices=("negative", "neutral", "positive"),
                        help="comments: only this sentiment")  # fmt: skip
    parser.add_argument("--theme", help="comments: only this theme")
    parser.add_argument("--id", dest="customer_id", help="customer: the customer's id")
    parser.add_argument("--limit", type=_positive, help="lists: at most this many rows")
    parser.add_argument("--sort", help="lists: sort by this column")
    parser.add_argument("--ascending", action="store_true", help="lists: smallest first")
    parser.add_argument("--status", help="follow-up: only items with this status")
    parser.add_argument("--owner", help="follow-up: only items of this owner")
    parser.add_argument("--overdue", action="store_true", default=None,
                        help="follow-up: only overdue items")  # fmt: skip


def filters_from_args(args: argparse.Namespace) -> Filters:
    """The Filters value the arguments describe (ValueError with a clear message if bad)."""
    min_n = args.min_n if args.min_n is not None else get_settings().min_n
    return Filters(
        date_from=args.date_from,
        date_to=args.date_to,
        touchpoint=tuple(args.touchpoint),
        survey_channel=tuple(args.survey_channel),
        min_n=min_n,
        compare_with=getattr(args, "vs", COMPARISONS[0]),
        **{dim: tuple(getattr(args, dim)) for dim in DIMENSION_FLAGS},
    )


def resolve_filters(engine: sa.Engine, args: argparse.Namespace) -> Filters:
    """The filters of the arguments as ``query`` and ``export`` run them: the period
    closed as the dashboard would (:data:`PERIOD_HELP`), and a warning on stderr for
    each selected value that the data does not have."""
    from dashboard.export.views import with_period

    f = with_period(engine, filters_from_args(args), getattr(args, "period", None))
    known = _known_values(engine, f)
    for line in unknown_value_warnings(f, known):
        print(f"cxdash: warning: {line}", file=sys.stderr)
    return f.without_full_selections(known)  # every value and (unknown): no filter


def _known_values(engine: sa.Engine, f: Filters) -> dict[str, list[str]]:
    """The values the data has, for the flags that select some."""
    from queries import views as statements

    return {
        name: db.fetch(statements.dimension_values(name), engine)["value"].to_list()
        for name in VALUE_FLAGS
        if getattr(f, name)
    }


def unknown_value_warnings(f: Filters, known: Mapping[str, list[str]]) -> list[str]:
    """One line per selected value that matches nothing in the data, with the known
    values and a suggestion (the same value in other case, else the closest spelling)."""
    lines = []
    for name, flag in VALUE_FLAGS.items():
        values = known.get(name, [])
        for value in getattr(f, name):
            if value in values or value == UNKNOWN:
                continue
            same = [v for v in values if v.casefold() == value.casefold()]
            close = same or difflib.get_close_matches(value, values, n=1, cutoff=0.6)
            listed = ", ".join(values[:MAX_LISTED]) + (" …" if len(values) > MAX_LISTED else "")
            line = _(
                "{flag} {value!r} matches nothing in the data, so it selects no rows; "
                "known values: {known}."
            ).format(flag=flag, value=value, known=listed or _("none"))
            if close:
                line += " " + _("Did you mean {suggestion}?").format(suggestion=close[0])
            lines.append(line)
    return lines


def options_from_args(args: argparse.Namespace) -> Options:
    """The view options the arguments describe (flags a command lacks keep their default)."""
    return Options(
        by=args.by,
        metric=args.metric,
        grain=args.grain,
        steps=args.steps,
        window_days=args.window,
        band=getattr(args, "band", None),
        search=getattr(args, "search", None),
        compare=getattr(args, "compare", False),
        limit=getattr(args, "limit", None),
        sort=getattr(args, "sort", None),
        descending=False if getattr(args, "ascending", False) else None,
        customer_id=getattr(args, "customer_id", None),
        sentiment=getattr(args, "sentiment", None),
        theme=getattr(args, "theme", None),
        score=getattr(args, "score", "net"),
        status=getattr(args, "status", None),
        owner=getattr(args, "owner", None),
        overdue=getattr(args, "overdue", None),
        top=getattr(args, "top", None),
    )
