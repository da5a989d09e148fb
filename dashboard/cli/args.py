"""Arguments shared by ``cxdash query`` and ``cxdash export``: filters and view options."""

from __future__ import annotations

import argparse
import datetime as dt
import re

from dashboard.config import get_settings
from dashboard.metrics.scores import METRICS
from dashboard.views import Options
from queries.common import BREAKDOWNS
from queries.definitions import NPS_BANDS
from queries.dialect import GRAINS
from queries.filters import DEFAULT_MIN_N, Filters

DIMENSION_FLAGS = {
    "segment": "--segment",
    "region": "--region",
    "channel": "--channel",
    "age_band": "--age-band",
    "gender": "--gender",
    "income_band": "--income-band",
}


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date YYYY-MM-DD") from None


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
    for dim, flag in DIMENSION_FLAGS.items():
        parser.add_argument(flag, dest=dim, action="append", default=[], metavar="V",
                            help=f"keep customers whose {dim} is V (repeatable)")  # fmt: skip
    parser.add_argument("--touchpoint", action="append", default=[], metavar="V")
    parser.add_argument("--survey-channel", action="append", default=[], metavar="V")
    parser.add_argument("--min-n", type=int, default=None,
                        help=f"minimum scored responses before a value is trusted "
                             f"(default {DEFAULT_MIN_N} or CXDASH_MIN_N)")  # fmt: skip


def add_view_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of the individual views (breakdown, funnel steps, grain, metric)."""
    parser.add_argument("--by", choices=BREAKDOWNS, help="break down by a customer dimension")
    parser.add_argument("--steps", type=_steps, help="funnel steps in order, e.g. visit,cart")
    parser.add_argument("--window", type=_window, help="conversion window, e.g. 30d (default)")
    parser.add_argument("--grain", choices=GRAINS, default="month")
    parser.add_argument("--metric", choices=METRICS, default="nps")
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
        **{dim: tuple(getattr(args, dim)) for dim in DIMENSION_FLAGS},
    )


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
        status=getattr(args, "status", None),
        owner=getattr(args, "owner", None),
        overdue=getattr(args, "overdue", None),
    )
