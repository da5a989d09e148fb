"""Row-level scopes, applied where SQL runs (``dashboard.db`` with ``queries.scope``).

The reference for every scoped result is the same view computed without a scope for the
scope's filters: a viewer limited to region TP.HCM must see exactly what the dashboard
shows anyone who filters on region TP.HCM -- on DuckDB, SQLite and PostgreSQL, from the
source tables and from the summary tables.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
import sqlalchemy as sa
from polars.testing import assert_frame_equal

from dashboard import access, db, followup, rollup_store, service, views
from dashboard.views import Options
from queries import rollups, schema, scope
from queries import views as statements
from queries.filters import UNKNOWN, Filters
from tests.queries.test_rollups import summaries
from tests.stores import build_store

YEAR = Filters(date_from=dt.date(2024, 6, 1), date_to=dt.date(2025, 5, 31))
STEPS = ("visit", "signup", "cart", "purchase")

# Every registry view, in the shapes the pages use.
CASES = {
    "kpis": (views.KPIS, Options(compare=True)),
    "funnel": (views.FUNNEL, Options(steps=STEPS, window_days=30)),
    "funnel-by-segment": (views.FUNNEL, Options(steps=STEPS, by="segment")),
    "funnel-in-period": (views.FUNNEL_IN_PERIOD, Options(steps=STEPS, by="segment")),
    "heatmap": (views.HEATMAP, Options(metric="csat", by="segment")),
    "nps-trend": (views.NPS_TREND, Options(grain="month", by="channel")),
    "nps-mix": (views.NPS_MIX, Options(grain="month")),
    "segments": (views.SEGMENTS, Options(by="region")),
    "what-moved": (views.WHAT_MOVED, Options(metric="nps", by_kind="segment")),
    "feedback": (views.FEEDBACK, Options(band="detractor", limit=50)),
    "funnel-satisfaction": (views.FUNNEL_SATISFACTION, Options(steps=STEPS, metric="nps")),
    "drivers": (views.DRIVERS, Options()),
    "drivers-ranked": (views.DRIVERS_RANKED, Options()),
    "at-risk": (views.AT_RISK, Options()),
    "promoters": (views.PROMOTERS, Options()),
    "followups": (views.FOLLOWUPS, Options()),
}
# Not a filtered view: one customer by id (a scoped viewer's out-of-scope customer is
# unknown to them, tested below).
NOT_FILTERED = {"customer"}


def viewer(**allowed) -> access.Viewer:
    return access.Viewer("m@example.vn", "manager", access.Scope.of(allowed))


def assert_same(scoped, reference) -> None:
    if isinstance(reference, pl.DataFrame):
        assert_frame_equal(scoped, reference, check_dtypes=False)
    else:
        assert scoped == pytest.approx(reference, nan_ok=True)


@pytest.fixture
def demo(store_url):
    """The tiny hand-made store of the page tests (3 regions, anonymous feedback)."""
    build_store(store_url, prefer_generator=False)
    engine = db.create_engine(store_url)
    followup.sync(engine)  # the follow-up items of its detractors (imports would make them)
    yield engine
    engine.dispose()


def test_every_view_is_covered():
    assert {view.name for view, _ in CASES.values()} | NOT_FILTERED == set(views.REGISTRY)


@pytest.mark.parametrize("path", ["sources", "rollups"])
def test_a_scoped_viewer_sees_exactly_the_view_filtered_on_the_scope(demo, path):
    if path == "rollups":
        rollup_store.refresh_store(demo)
    rollup_store.forget_decisions()
    cases = [
        ({"region": ["TP.HCM"]}, YEAR.replace(region=("TP.HCM",))),
        (
            {"region": ["TP.HCM", "Đà Nẵng"], "segment": ["SMB", "VIP"]},
            YEAR.replace(region=("TP.HCM", "Đà Nẵng"), segment=("SMB", "VIP")),
        ),
    ]
    with summaries(path == "rollups"):
        assert rollup_store.reader(demo).rollups == (path == "rollups")
        for allowed, reference_filters in cases:
            for name, (view, options) in CASES.items():
                reference = view.run(demo, reference_filters, options)
                with access.acting_as(viewer(**allowed)):
                    seen = view.run(demo, YEAR, options)
                assert_same(seen, reference)
                # ... and the scope made a difference: the whole store's view is another
                assert not _equal(seen, view.run(demo, YEAR, options)), name


def _equal(a, b) -> bool:
    try:
        assert_same(a, b)
    except AssertionError:
        return False
    return True


def test_filters_narrow_a_scope_and_never_widen_it(demo):
    with access.acting_as(viewer(region=["TP.HCM"])):
        assert service.options(demo)["region"] == ["TP.HCM"]  # the sidebar's choices
        other = service.get_kpis(demo, YEAR.replace(region=("Hà Nội",)))
        unknown = service.get_kpis(demo, YEAR.replace(region=(UNKNOWN,)))
        inside = service.get_kpis(demo, YEAR.replace(segment=("Enterprise",)))
    assert other["customers"] == 0 and other["n_nps"] == 0
    assert unknown["customers"] == 0 and unknown["n_nps"] == 0
    expected = service.get_kpis(demo, YEAR.replace(region=("TP.HCM",), segment=("Enterprise",)))
    assert inside == pytest.approx(expected, nan_ok=True) and inside["customers"] > 0


def test_a_scoped_viewer_never_sees_anonymous_feedback(demo):
    anonymous = sa.select(sa.func.count()).where(schema.feedback.c.customer_id.is_(None))
    assert db.fetch(anonymous, demo).item() > 0
    with access.acting_as(viewer(region=["TP.HCM", "Hà Nội", "Đà Nẵng"])):  # every region
        assert db.fetch(anonymous, demo).item() == 0
        comments = service.get_comments(demo, Filters(), None, None, 5000, 0)
        counted = service.get_kpis(demo, Filters())["responses"]
    everyone = service.get_kpis(demo, Filters(region=("TP.HCM", "Hà Nội", "Đà Nẵng")))
    assert counted == everyone["responses"] < service.get_kpis(demo, Filters())["responses"]
    ids = set(comments["response_id"].to_list())
    known = db.fetch(
        sa.select(schema.feedback.c.response_id).where(schema.feedback.c.customer_id.is_not(None)),
        demo,
    )
    assert ids and ids <= set(known["response_id"].to_list())


def test_every_protected_table_is_limited_to_the_scope(demo):
    """Direct reads of each table with a rule, including the comment and follow-up tables
    (filled here by hand) and every summary table."""
    rollup_store.refresh_store(demo)
    tp_customers = set(
        db.fetch(
            sa.select(schema.customers.c.customer_id).where(schema.customers.c.region == "TP.HCM"),
            demo,
        )["customer_id"].to_list()
    )
    responses = db.fetch(
        sa.select(schema.feedback.c.response_id, schema.feedback.c.customer_id), demo
    )
    now = dt.datetime(2025, 1, 1)
    facts = responses.head(300).select(
        "response_id",
        text_norm=pl.lit("x"), text_folded=pl.lit("x"), words=pl.lit(" x "),
        words_folded=pl.lit(" x "), sentiment=pl.lit("neutral"),
        sentiment_source=pl.lit("baseline"), themes=pl.lit(""), analysed_at=pl.lit(now),
    )  # fmt: skip
    with db.begin(demo) as conn:
        db.upsert_frame(conn, schema.comment_facts, facts)
        db.upsert_frame(conn, schema.comment_themes, facts.select("response_id", theme=pl.lit("t")))
    in_scope_responses = set(
        responses.filter(pl.col("customer_id").is_in(list(tp_customers)))["response_id"]
    )
    with access.acting_as(viewer(region=["TP.HCM"])):
        got = {
            name: db.fetch(sa.select(table), demo)
            for name, table in {
                "customers": schema.customers,
                "events": schema.events,
                "feedback": schema.feedback,
                "comment_facts": schema.comment_facts,
                "comment_themes": schema.comment_themes,
                "keys": rollups.customer_keys,
                "days": rollups.customer_days,
                "fb": rollups.feedback_facts,
                "funnel": rollups.funnel_events,
            }.items()
        }
        touchpoints = db.fetch(sa.select(schema.touchpoints), demo)
    assert set(got["customers"]["customer_id"]) == tp_customers
    assert set(got["events"]["customer_id"]) <= tp_customers and got["events"].height
    assert set(got["feedback"]["customer_id"]) <= tp_customers
    assert set(got["feedback"]["response_id"]) == in_scope_responses
    assert set(got["comment_facts"]["response_id"]) == in_scope_responses & set(
        facts["response_id"]
    )
    assert set(got["comment_themes"]["response_id"]) == set(got["comment_facts"]["response_id"])
    assert set(got["keys"]["customer_id"]) <= tp_customers and got["keys"].height
    for name in ("days", "fb", "funnel"):
        assert got[name].height and set(got[name]["region"]) == {"TP.HCM"}, name
    assert touchpoints.height == 4  # configuration is open to everyone


def test_the_whole_store_and_writes_are_unchanged():
    statement = statements.kpis(Filters())
    assert scope.scoped(statement, {}) is statement
    with access.acting_as(access.Viewer("a@x.vn", "analyst")):
        assert db.for_viewer(statement, db.create_engine("sqlite://")) == (statement, None)
    insert = schema.customers.insert().values(customer_id="x")
    with access.acting_as(viewer(region=["TP.HCM"])):
        assert db.for_viewer(insert, db.create_engine("sqlite://")) == (insert, None)


def test_statements_that_cannot_be_scoped_are_refused_not_run_whole():
    unknown = sa.Table("partners", sa.MetaData(), sa.Column("partner_id", sa.String))
    lightweight = sa.table("customers", sa.column("customer_id"))
    engine = db.create_engine("sqlite://")
    with access.acting_as(viewer(region=["TP.HCM"])):
        for statement in (
            sa.select(unknown),
            sa.select(lightweight),
            sa.text("SELECT * FROM customers"),
            sa.select(sa.text("customer_id")).select_from(sa.text("customers")),
        ):
            with pytest.raises(db.AccessDenied, match="scope"):
                db.fetch(statement, engine)
    # the same statements run as they are for an unscoped viewer
    assert db.fetch(sa.select(sa.literal(1).label("one")), engine).item() == 1


def test_a_new_table_gets_a_rule_from_its_columns():
    metadata = sa.MetaData()
    notes = sa.Table("customer_notes", metadata, sa.Column("customer_id", sa.String))
    labels = sa.Table("response_tags", metadata, sa.Column("response_id", sa.String))
    assert scope.rule_for(notes) == scope.BY_CUSTOMER
    assert scope.rule_for(labels) == scope.BY_RESPONSE


def test_every_declared_table_is_classified():
    declared = {*schema.metadata.tables, *rollups.metadata.tables}
    assert declared == set(scope.RULES) | set(scope.OPEN), "classify new tables in queries/scope.py"


def test_a_rewrite_is_reused_for_statements_of_the_same_shape_with_their_own_values(demo):
    """The second statement of a shape runs the first one's rewrite with its own values:
    each period, segment list and scope gives its own, correct numbers."""
    scope.clear_memo()
    periods = [
        YEAR,
        YEAR.replace(date_from=YEAR.date_from.replace(month=9), channel=("Website", "Zalo")),
        Filters(date_from=YEAR.date_from, date_to=YEAR.date_from.replace(month=7)),
    ]
    for allowed in ({"region": ["TP.HCM"]}, {"region": ["Hà Nội"]}, {"segment": ["SMB"]}):
        for f in periods:
            statement = statements.segments(f, "channel")
            rewritten, values = scope.for_execution(statement, allowed)
            reference = db.fetch(
                statements.segments(f.replace(**{d: tuple(v) for d, v in allowed.items()}),
                                    "channel"),
                demo,
            )  # fmt: skip
            with access.acting_as(viewer(**allowed)):
                seen = db.fetch(statement, demo)
            assert_same(seen, reference)
        assert values is not None  # the later ones were served from the memo
    assert len(scope._memo) >= 3


def test_planner_settings_survive_the_rewrite():
    statement = statements.kpis(Filters()).execution_options(postgresql_settings=(("a", "b"),))
    rewritten = scope.scoped(statement, {"region": ("TP.HCM",)})
    assert rewritten.get_execution_options()["postgresql_settings"] == (("a", "b"),)
    # a later statement of the same shape brings its own options
    scope.clear_memo()
    scope.for_execution(statement, {"region": ("TP.HCM",)})
    other = statements.kpis(Filters()).execution_options(postgresql_settings=(("c", "d"),))
    reused, values = scope.for_execution(other, {"region": ("TP.HCM",)})
    assert values is not None
    assert reused.get_execution_options()["postgresql_settings"] == (("c", "d"),)


# -- fail closed: the app's engine refuses statements without a viewer -------------------


def test_a_guarded_engine_refuses_every_statement_without_a_viewer(tmp_path):
    url = f"duckdb:///{tmp_path / 'guarded.duckdb'}"
    build_store(url, prefer_generator=False)
    engine = db.app_engine(url)
    assert db.is_guarded(engine) and not db.is_guarded(db.create_engine(url))
    select = sa.select(sa.func.count()).select_from(schema.customers)
    with pytest.raises(db.AccessDenied, match="sign in"):
        db.fetch(select, engine)
    with pytest.raises(db.AccessDenied), db.begin(engine):
        pass
    with pytest.raises(db.AccessDenied):
        db.create_schema(engine)
    with access.acting_as(viewer(region=["TP.HCM"])):
        scoped_count = db.fetch(select, engine).item()
        with db.begin(engine) as conn:
            assert db.scalar_in(conn, select) == scoped_count
            assert db.fetch_in(conn, select).item() == scoped_count
    with access.acting_as(access.Viewer("a@x.vn", "admin")):
        assert db.fetch(select, engine).item() == 400 > scoped_count > 0
    engine.dispose()


def test_the_summary_tables_serve_scoped_viewers_too(demo):
    """Their freshness is the whole store's, whoever asks first: a scoped viewer's counts
    must not make every viewer fall back to the slower source tables."""
    rollup_store.refresh_store(demo)
    rollup_store.forget_decisions()
    with access.acting_as(viewer(region=["TP.HCM"])):
        assert rollup_store.status(demo).state == "fresh"
        assert rollup_store.reader(demo).rollups


def test_a_customer_outside_the_scope_is_unknown_to_the_viewer(demo):
    regions = db.fetch(sa.select(schema.customers.c.customer_id, schema.customers.c.region), demo)
    inside = regions.filter(pl.col("region") == "TP.HCM")["customer_id"][0]
    outside = regions.filter(pl.col("region") == "Hà Nội")["customer_id"][0]
    with access.acting_as(viewer(region=["TP.HCM"])):
        assert views.CUSTOMER.run(demo, YEAR, Options(customer_id=inside))["customer_id"] == inside
        with pytest.raises(ValueError, match="no customer with id"):  # as if it did not exist
            views.CUSTOMER.run(demo, YEAR, Options(customer_id=outside))
