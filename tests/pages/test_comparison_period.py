"""The comparison period is named, and year over year is a choice (issue 13, item 12).

"vs previous period" compared Q3 with 1 Apr–30 Jun without saying so, and a business
whose seasons move (Tết) needs the same period last year. Named on the page (caption,
tile help), in exported files (their filters line) and on the CLI (stderr), chosen in
the sidebar (URL ``vs``) and with ``--vs`` on the CLI.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest

from dashboard import cli, service, state
from dashboard.export.views import chart_for
from dashboard.i18n.formats import describe_comparison
from dashboard.metrics import scores
from dashboard.views import KPIS, WHAT_MOVED, Options
from queries.filters import Filters
from tests.pages.test_pages import app, engine, filters_for, metrics, small_store, store_env  # noqa: F401

Q3 = Filters(date_from=dt.date(2026, 7, 1), date_to=dt.date(2026, 9, 30))


# -- the periods --------------------------------------------------------------------------


def test_previous_period_and_same_period_last_year():
    # of equal length (92 days), ending the day before: the "31 Mar–30 Jun"
    previous = Q3.comparison()
    assert (previous.date_from, previous.date_to) == (dt.date(2026, 3, 31), dt.date(2026, 6, 30))
    year = Q3.replace(compare_with="year")
    other = year.comparison()
    assert (other.date_from, other.date_to) == (dt.date(2025, 7, 1), dt.date(2025, 9, 30))
    leap = Filters(date_from=dt.date(2024, 2, 1), date_to=dt.date(2024, 2, 29), compare_with="year")
    assert leap.comparison().date_to == dt.date(2023, 2, 28)  # 29 Feb -> 28 Feb
    with pytest.raises(ValueError, match="compare with one of previous, year"):
        Filters(compare_with="week")


def test_the_comparison_round_trips_through_the_url():
    year = Q3.replace(compare_with="year")
    assert year.to_params()["vs"] == ["year"] and "vs" not in Q3.to_params()
    assert Filters.from_params(year.to_params()) == year
    with pytest.raises(ValueError, match="'vs' must be one of"):
        Filters.from_params({"vs": "decade"})
    view = state.View.from_params({"vs": "year"})
    assert view.against == "year" and view.to_params()["vs"] == ["year"]
    assert view.to_filters(dt.date(2026, 9, 30), None, 30).compare_with == "year"
    assert state.View.from_params({"vs": "nonsense"}).against == "previous"  # falls back


def test_the_comparison_in_words_in_both_languages():
    assert describe_comparison(Q3, "en") == "vs 31 Mar – 30 Jun 2026 (previous period)"
    assert describe_comparison(Q3, "vi") == "so với 31/3 – 30/6/2026 (kỳ trước)"
    year = Q3.replace(compare_with="year")
    assert describe_comparison(year, "en") == "vs Jul–Sep 2025 (same period last year)"
    assert describe_comparison(year, "vi") == "so với tháng 7–9/2025 (cùng kỳ năm trước)"
    odd = Filters(date_from=dt.date(2026, 7, 10), date_to=dt.date(2026, 9, 30))
    assert describe_comparison(odd, "en") == "vs 18 Apr – 9 Jul 2026 (previous period)"
    assert describe_comparison(Filters(), "en") == ""


# -- the numbers -------------------------------------------------------------------------


def test_year_over_year_compares_with_the_same_days_a_year_earlier(store_env):  # noqa: F811
    f = filters_for(state.View(preset="last_quarter")).replace(compare_with="year")
    got = service.compare_kpis(engine(), f)
    now, before = (
        service._kpi_record(engine(), f),
        service._kpi_record(engine(), f.same_period_last_year()),
    )
    assert got.equals(scores.compare_records(now, before))
    previous = service.compare_kpis(engine(), f.replace(compare_with="previous"))
    assert not got.equals(previous)  # a different period, different numbers
    moved = service.what_moved(engine(), f, "nps", "touchpoint")
    assert moved.height and not moved.equals(
        service.what_moved(engine(), f.replace(compare_with="previous"), "nps", "touchpoint")
    )


# -- the page -----------------------------------------------------------------------------


def test_the_overview_names_the_period_and_offers_year_over_year(store_env):  # noqa: F811
    at = app("overview")
    f = filters_for(state.View())
    words = describe_comparison(f)
    assert words.startswith("vs ") and "(previous period)" in words
    assert any(c.value == words for c in at.caption)
    nps_tile = next(m for m in at.metric if m.label == "NPS")
    assert words in nps_tile.help
    # choose the same period last year in the sidebar
    at.radio(key="vs").set_value("year").run()
    assert not at.exception
    assert at.query_params["vs"] == "year"
    year = f.replace(compare_with="year")
    assert any(c.value == describe_comparison(year) for c in at.caption)
    deltas = {r["metric"]: r for r in service.compare_kpis(engine(), year).iter_rows(named=True)}
    nps_tile = next(m for m in at.metric if m.label == "NPS")
    assert nps_tile.delta == f"{deltas['nps']['delta']:+.1f}"
    customers = next(m for m in at.metric if m.label == "Customers")
    assert customers.delta_description == "vs same period last year"
    assert metrics(at)  # tiles still drawn
    # a shared link opens on the same comparison
    again = app("overview", {"vs": "year"})
    assert again.radio(key="vs").value == "year"


# -- exports and the CLI -----------------------------------------------------------------


def test_exports_state_the_comparison(store_env):  # noqa: F811
    f = filters_for(state.View()).replace(compare_with="year")
    _, context = chart_for(engine(), "kpis", f, Options())
    assert describe_comparison(f) in context.filters_words
    assert "same period last year" in context.filters_words
    assert WHAT_MOVED.compares(Options())
    assert KPIS.compares(Options(compare=True)) and not KPIS.compares(Options())


def test_cli_vs_year_and_the_note(store_env, capsys):  # noqa: F811
    f = filters_for(state.View())
    period = ("--from", f.date_from.isoformat(), "--to", f.date_to.isoformat())
    code = cli.main(["query", "kpis", *period, "--compare", "--vs", "year", "--format", "json"])
    out, err = capsys.readouterr()
    assert code == 0
    year = f.replace(compare_with="year")
    assert f"note: {describe_comparison(year)}" in err
    got = json.loads(out)
    expected = service.compare_kpis(engine(), year)
    nps = expected.filter(expected["metric"] == "nps").row(0, named=True)
    assert got["nps"]["previous"] == pytest.approx(nps["previous"])


# -- item 13: what the funnel counts, and the KPI-style count beside it -------------------


def test_the_funnel_says_what_it_counts_and_shows_the_period_count(store_env):  # noqa: F811
    at = app("funnel_touchpoints")
    f = filters_for(state.View())
    table = at.dataframe[0].value
    funnel = service.get_funnel(engine(), f)
    reach = service.get_reached_in_period(engine(), f)
    assert table["customers"].tolist() == funnel["customers"].to_list()
    assert table["reached_in_period"].tolist() == reach["reached_in_period"].to_list()
    purchase = reach.filter(reach["step"] == "purchase")["reached_in_period"][0]
    assert purchase != funnel.filter(funnel["step"] == "purchase")["customers"][0]
    assert any("entered" in c.value and "KPI tiles" in c.value for c in at.caption)


def test_report_packs_name_the_compared_period():
    from dashboard.views import reports

    year = Q3.replace(compare_with="year")
    sections = reports.REPORTS["overview"].sections(year, Options())
    titles = [s.title(year) for s in sections if callable(s.title)]
    assert any("Jul–Sep 2025" in t for t in titles), titles  # not "31 Mar – 30 Jun"
    import polars as pl

    moved = pl.DataFrame({"significant": [None, "up"]})
    caption = reports.moved_caption(moved, Options(by_kind="touchpoint"), year)
    assert "Jul–Sep 2025" in caption


def test_export_accepts_vs():
    import argparse

    from dashboard.cli import args as cli_args

    parser = argparse.ArgumentParser()
    cli_args.add_filter_arguments(parser)
    f = cli_args.filters_from_args(parser.parse_args(["--vs", "year"]))
    assert f.compare_with == "year"
    with pytest.raises(SystemExit):
        parser.parse_args(["--vs", "decade"])
