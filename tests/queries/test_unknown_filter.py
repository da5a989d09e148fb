"""'(unknown)' is a value of every dimension filter, and "every value selected" is no
filter (issue 13, item 8): selecting all listed regions must not drop the customers
with no recorded region (the funnel's Visit count equals the unfiltered one).

Runs on DuckDB, SQLite and PostgreSQL (the ``store`` fixture).
"""

from __future__ import annotations

import argparse
import datetime as dt

import polars as pl
import pytest

from dashboard import db, service, state
from dashboard.cli import args as cli_args
from queries import schema
from queries.filters import UNKNOWN, Filters, choices
from queries.schema import DIMENSIONS

MARCH = Filters(date_from=dt.date(2025, 3, 1), date_to=dt.date(2025, 3, 31))
# c1, c2 have a region; c3 has none, c4 an empty one; c5 has events but no customer row.
CUSTOMERS = [("c1", "SMB", "North"), ("c2", "VIP", "South"), ("c3", "SMB", None),
             ("c4", None, "  "), ("c6", "SMB", "North")]  # fmt: skip
VISITS = ["c1", "c2", "c3", "c4", "c5", "c6"]
PURCHASES = ["c1", "c3", "c5"]


@pytest.fixture
def loaded(store):
    with db.begin(store) as conn:
        db.upsert_frame(conn, schema.customers, pl.DataFrame(
            CUSTOMERS, schema={"customer_id": pl.String, "segment": pl.String,
                               "region": pl.String}, orient="row"))  # fmt: skip
        rows = [(f"v{c}", c, "visit", dt.datetime(2025, 3, 2, 10), None) for c in VISITS]
        rows += [(f"p{c}", c, "purchase", dt.datetime(2025, 3, 3, 10), 100.0) for c in PURCHASES]
        db.upsert_frame(conn, schema.events, pl.DataFrame(
            rows, schema={"event_id": pl.String, "customer_id": pl.String, "stage": pl.String,
                          "occurred_at": pl.Datetime("us"), "amount": pl.Float64},
            orient="row"))  # fmt: skip
        feedback = [(f"r{i}", dt.datetime(2025, 3, 5, 9), "Website", cid, 10)
                    for i, cid in enumerate(["c1", "c2", "c3", None, "c5"])]  # fmt: skip
        db.upsert_frame(conn, schema.feedback, pl.DataFrame(
            feedback, schema={"response_id": pl.String, "responded_at": pl.Datetime("us"),
                              "touchpoint": pl.String, "customer_id": pl.String,
                              "nps": pl.Int64}, orient="row"))  # fmt: skip
    return store


def visits(engine, f: Filters) -> int:
    funnel = service.get_funnel(engine, f, steps=("visit", "purchase"))
    return int(funnel["customers"][0])


def test_every_dimension_offers_unknown():
    for dim in DIMENSIONS:
        assert choices(dim, ["A", "B"]) == ["A", "B", UNKNOWN]
    assert choices("touchpoint", ["Website"]) == ["Website"]  # not a customer dimension


def test_unknown_selects_customers_without_a_value_and_unknown_customers(loaded):
    assert visits(loaded, MARCH) == 6
    assert visits(loaded, MARCH.replace(region=(UNKNOWN,))) == 3  # c3, c4 (blank), c5
    assert visits(loaded, MARCH.replace(region=("North", "South"))) == 3
    kpis = service.get_kpis(loaded, MARCH.replace(region=(UNKNOWN,)))
    assert kpis["purchasers"] == 2  # c3, c5
    assert kpis["responses"] == 3  # c3, the anonymous one, c5 (no customer row)


def test_every_listed_value_selected_is_no_filter(loaded):
    options = service.options(loaded)
    listed = choices("region", options["region"])
    assert listed == ["North", "South", UNKNOWN]
    # the sidebar's widgets: every listed region selected
    view = state.View(preset="custom", date_from=MARCH.date_from, date_to=MARCH.date_to,
                      selections=(("region", tuple(listed)),))  # fmt: skip
    f = view.to_filters(None, None, MARCH.min_n, known=options)
    assert f == MARCH and not f.has_dimension_filter
    assert visits(loaded, f) == visits(loaded, MARCH) == 6
    assert service.get_kpis(loaded, f) == service.get_kpis(loaded, MARCH)
    # the statement itself agrees, even without the shortcut
    assert visits(loaded, MARCH.replace(region=tuple(listed))) == 6
    # all known values but not (unknown) is a real filter, and says so
    partial = state.View(preset="custom", date_from=MARCH.date_from, date_to=MARCH.date_to,
                         selections=(("region", ("North", "South")),))  # fmt: skip
    assert partial.to_filters(None, None, MARCH.min_n, known=options).region == ("North", "South")


def test_a_value_the_data_lacks_is_never_widened_to_everything():
    f = MARCH.replace(touchpoint=("Nowhere",))
    assert f.without_full_selections({"touchpoint": []}).touchpoint == ("Nowhere",)
    assert f.without_full_selections({}).touchpoint == ("Nowhere",)


def test_cli_every_value_is_no_filter(loaded, capsys):
    parser = argparse.ArgumentParser()
    cli_args.add_filter_arguments(parser)
    argv = ["--from", "2025-03-01", "--to", "2025-03-31",
            "--region", "North", "--region", "South", "--region", UNKNOWN]  # fmt: skip
    f = cli_args.resolve_filters(loaded, parser.parse_args(argv))
    assert f.region == () and visits(loaded, f) == 6
    assert "warning" not in capsys.readouterr().err


def test_unknown_in_the_filter_words_is_translated():
    from dashboard.i18n.formats import describe_filters

    f = MARCH.replace(region=(UNKNOWN, "Huế"))
    assert "(không rõ), Huế" in describe_filters(f, lang="vi")
    assert "(unknown), Huế" in describe_filters(f, lang="en")


def test_a_dimension_the_viewers_scope_restricts_offers_no_unknown():
    # a manager scoped to one region never sees customers without one
    assert choices("region", ["TP.HCM"], unknown=False) == ["TP.HCM"]
    f = MARCH.replace(region=("TP.HCM",))
    assert f.without_full_selections({"region": ["TP.HCM"]}, closed={"region"}).region == ()
    assert f.without_full_selections({"region": ["TP.HCM"]}).region == ("TP.HCM",)
