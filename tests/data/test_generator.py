"""The demo-data generator: determinism, the stated story, the CLI and ensure_demo_data.

Every property is checked with SQL on the generated store, not on the generator's
internals. The small scale is generated once per module on DuckDB.
"""

from __future__ import annotations

import unicodedata
from datetime import timedelta
from pathlib import Path

import polars as pl
import pytest
import sqlalchemy as sa

from dashboard import cli, db
from data import generator, story
from queries import schema


def _duck(path: Path) -> sa.Engine:
    return db.create_engine(f"duckdb:///{path}", external_access=True)


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> sa.Engine:
    engine = _duck(tmp_path_factory.mktemp("generator") / "small.duckdb")
    generator.generate(engine, scale="small", seed=42)
    yield engine
    engine.dispose()


def sql(engine: sa.Engine, text: str, **params) -> pl.DataFrame:
    return db.fetch(sa.text(text).bindparams(**params), engine)


def one(engine: sa.Engine, text: str, **params):
    return sql(engine, text, **params).row(0)[0]


def contents(engine: sa.Engine) -> dict[str, pl.DataFrame]:
    """Every table, rows sorted by key: what 'identical data' compares."""
    return {
        name: db.fetch(sa.select(table).order_by(*table.primary_key.columns), engine)
        for name, table in schema.TABLES.items()
    }


def assert_same(a: dict[str, pl.DataFrame], b: dict[str, pl.DataFrame]) -> None:
    for name in schema.TABLES:
        assert a[name].equals(b[name]), f"{name} differs"


# -- determinism and replacing -------------------------------------------------------


def test_same_seed_gives_identical_data_and_replace_overwrites(small, tmp_path):
    reference = contents(small)
    engine = _duck(tmp_path / "other.duckdb")
    try:
        generator.generate(engine, scale="small", seed=7)
        other_seed = contents(engine)
        assert not other_seed["customers"].equals(reference["customers"])
        assert not other_seed["feedback"].equals(reference["feedback"])

        with pytest.raises(generator.StoreNotEmpty, match="replace"):
            generator.generate(engine, scale="small", seed=42)
        assert_same(contents(engine), other_seed)  # refused: nothing written

        counts = generator.generate(engine, scale="small", seed=42, replace=True)
        assert_same(contents(engine), reference)
        assert counts == {name: frame.height for name, frame in reference.items()}
    finally:
        engine.dispose()


def test_a_failure_leaves_nothing_written(tmp_path, monkeypatch):
    engine = _duck(tmp_path / "fail.duckdb")
    real_append = db.append_frame

    def failing_append(conn, table, frame):
        if table.name == "feedback":
            raise RuntimeError("disk full")
        real_append(conn, table, frame)

    monkeypatch.setattr(db, "append_frame", failing_append)
    try:
        with pytest.raises(RuntimeError, match="disk full"):
            generator.generate(engine, scale="small", seed=42)
        assert generator.row_counts(engine) == dict.fromkeys(schema.TABLES, 0)
    finally:
        engine.dispose()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
def test_generates_the_same_data_on_other_backends(small, store):
    counts = generator.generate(store, scale="small", seed=42)
    assert counts == generator.row_counts(small)
    events, feedback = schema.events, schema.feedback

    def scalar(*columns, where=None):
        statement = sa.select(*columns)
        return (statement if where is None else statement.where(where)).scalar_subquery()

    summary = sa.select(
        scalar(sa.func.sum(events.c.amount)).label("revenue"),
        scalar(
            sa.func.count(sa.distinct(events.c.customer_id)),
            where=events.c.stage == "repeat_purchase",
        ).label("repeaters"),
        scalar(sa.func.sum(feedback.c.nps)).label("nps_sum"),
        scalar(sa.func.count(), where=feedback.c.customer_id.is_(None)).label("anonymous"),
        scalar(sa.func.max(feedback.c.responded_at)).label("last_response"),
        scalar(sa.func.min(events.c.occurred_at)).label("first_event"),
    )
    assert db.fetch(summary, store).row(0) == db.fetch(summary, small).row(0)
    # Replacing works on this backend too (TRUNCATE / DELETE inside the transaction).
    assert generator.generate(store, scale="small", seed=42, replace=True) == counts


def test_the_demo_load_is_logged_like_an_import(small):
    log = sql(
        small,
        "SELECT table_name, file, rows_read, rows_inserted, rows_updated FROM cxdash_imports",
    )
    counts = generator.row_counts(small)
    assert sorted(log.iter_rows()) == [
        (name, "demo-data small seed 42", counts[name], counts[name], 0) for name in sorted(counts)
    ]


# -- shape of the data ---------------------------------------------------------------


def test_reference_tables(small):
    stages = sql(small, "SELECT stage, position, label FROM stages ORDER BY position")
    assert stages["stage"].to_list() == ["visit", "signup", "cart", "purchase", "repeat_purchase"]
    assert stages["position"].to_list() == [1, 2, 3, 4, 5]
    assert all(" / " in label for label in stages["label"])
    touchpoints = sql(small, "SELECT * FROM touchpoints ORDER BY touchpoint")
    assert set(touchpoints["touchpoint"]) == {
        "Website", "Mobile app", "Store", "Call center", "Delivery", "Billing", "Support"
    }  # fmt: skip
    assert touchpoints["journey_phase"].null_count() == 0
    assert touchpoints["target_csat"].is_between(0, 100).all()
    assert touchpoints["target_nps"].is_between(-100, 100).all()


def test_small_scale_size(small):
    counts = generator.row_counts(small)
    assert counts["customers"] == 2_000
    assert 10 * 2_000 <= counts["events"] <= 20 * 2_000
    assert 2 * 2_000 <= counts["feedback"] <= 4 * 2_000


def test_history_is_two_years_ending_on_a_fixed_date(small):
    bounds = sql(
        small,
        "SELECT MIN(occurred_at) AS first, MAX(occurred_at) AS last FROM events "
        "UNION ALL SELECT MIN(responded_at), MAX(responded_at) FROM feedback",
    )
    assert bounds["first"].min() >= story.HISTORY_START
    assert bounds["last"].max() < story.HISTORY_END
    assert bounds["last"].max() >= story.HISTORY_END - timedelta(days=7)
    assert bounds["first"].max() <= story.HISTORY_START + timedelta(days=14)


def test_customers_have_vietnamese_details_and_some_unknown_values(small):
    customers = sql(small, "SELECT * FROM customers")
    assert {"Hà Nội", "TP.HCM", "Đà Nẵng", "Hải Phòng", "Cần Thơ"} <= set(customers["region"])
    assert set(customers["age_band"].drop_nulls()) == {"18-24", "25-34", "35-44", "45-54", "55+"}
    assert set(customers["segment"]) == {"Consumer", "SMB", "Enterprise", "VIP"}
    assert set(customers["channel"].drop_nulls()) == {
        "Website", "Facebook", "Zalo", "TikTok", "Email", "Referral", "Store", "Cold call"
    }  # fmt: skip
    for dimension in ("region", "age_band", "gender", "income_band"):
        missing = customers[dimension].null_count()
        assert 0 < missing < 0.1 * customers.height, dimension
    assert customers["name"].str.starts_with("Nguyễn ").mean() > 0.25
    assert customers["email"].drop_nulls().str.contains(r"^[a-z]+\.[a-z]+\d*@[a-z.]+$").all()
    assert customers["phone"].drop_nulls().str.contains(r"^0\d{9}$").all()
    signed_up = one(small, "SELECT COUNT(DISTINCT customer_id) FROM events WHERE stage = 'signup'")
    assert customers["signup_at"].drop_nulls().len() == signed_up


# -- the funnel ----------------------------------------------------------------------


def test_stage_counts_never_increase_along_the_funnel(small):
    reached = sql(
        small,
        "SELECT s.position, COUNT(DISTINCT e.customer_id) AS customers FROM stages s "
        "JOIN events e ON e.stage = s.stage GROUP BY s.position ORDER BY s.position",
    )
    counts = reached["customers"].to_list()
    assert len(counts) == 5
    assert counts == sorted(counts, reverse=True)
    assert counts[0] == 2_000 and counts[-1] > 0


def test_each_customer_moves_through_the_funnel_in_order(small):
    out_of_order = one(
        small,
        """
        WITH firsts AS (
            SELECT e.customer_id, s.position, MIN(e.occurred_at) AS first_at
            FROM events e JOIN stages s ON s.stage = e.stage
            GROUP BY e.customer_id, s.position
        )
        SELECT COUNT(*) FROM firsts later
        LEFT JOIN firsts earlier
          ON earlier.customer_id = later.customer_id AND earlier.position = later.position - 1
        WHERE later.position > 1
          AND (earlier.first_at IS NULL OR earlier.first_at > later.first_at)
        """,
    )
    assert out_of_order == 0


def _purchase_rate(engine: sa.Engine, dimension: str) -> dict[str, float]:
    rates = sql(
        engine,
        f"SELECT c.{dimension} AS grp, "
        "100.0 * COUNT(DISTINCT CASE WHEN e.stage = 'purchase' THEN c.customer_id END) "
        "/ COUNT(DISTINCT c.customer_id) AS rate "
        f"FROM customers c JOIN events e ON e.customer_id = c.customer_id GROUP BY c.{dimension}",
    )
    return dict(rates.iter_rows())


def test_conversion_differs_by_channel_and_segment(small):
    by_channel = _purchase_rate(small, "channel")
    for good in ("Store", "Referral"):
        for poor in ("TikTok", "Cold call"):
            assert by_channel[good] > by_channel[poor] + 15, (good, poor, by_channel)
    by_segment = _purchase_rate(small, "segment")
    assert by_segment["VIP"] > by_segment["Consumer"] + 20


def test_transactions_carry_realistic_vnd_amounts(small):
    amounts = sql(
        small,
        "SELECT stage, amount, channel FROM events "
        "WHERE amount IS NOT NULL OR stage IN ('purchase', 'repeat_purchase')",
    )
    assert set(amounts["stage"]) == {"purchase", "repeat_purchase"}
    assert amounts["amount"].null_count() == 0
    assert (amounts["amount"] % 1000 == 0).all()
    assert 150_000 <= amounts["amount"].median() <= 5_000_000
    assert amounts["amount"].quantile(0.9) > 3 * amounts["amount"].quantile(0.1)
    assert one(small, "SELECT COUNT(*) FROM events WHERE channel IS NULL") == 0
    by_segment = sql(
        small,
        "SELECT c.segment, MEDIAN(e.amount) AS median FROM events e "
        "JOIN customers c ON c.customer_id = e.customer_id WHERE e.amount IS NOT NULL "
        "GROUP BY c.segment",
    )
    medians = dict(by_segment.iter_rows())
    assert medians["Enterprise"] > medians["SMB"] > medians["Consumer"]
    assert one(small, "SELECT COUNT(*) FROM events WHERE stage = 'repeat_purchase'") > one(
        small, "SELECT COUNT(*) FROM events WHERE stage = 'purchase'"
    )  # some customers buy several times


def test_weekly_and_tet_seasonality(small):
    per_day = sql(
        small,
        "SELECT CAST(occurred_at AS DATE) AS day, COUNT(*) AS n FROM events "
        "WHERE occurred_at >= :start GROUP BY 1",
        start=story.HISTORY_START + timedelta(days=180),  # past the CRM's first weeks
    ).with_columns(weekend=pl.col("day").dt.weekday() >= 6)
    weekend = per_day.filter("weekend")["n"].mean()
    weekday = per_day.filter(~pl.col("weekend"))["n"].mean()
    assert weekend > 1.1 * weekday
    tet = story.TET[1]
    before = per_day.filter(pl.col("day").is_between(tet - timedelta(days=14), tet, closed="left"))
    holiday = per_day.filter(pl.col("day").is_between(tet, tet + timedelta(days=5)))
    assert before["n"].mean() > 2 * holiday["n"].mean()


# -- feedback ------------------------------------------------------------------------


def test_scores_in_range_with_skips_anonymous_and_both_languages(small):
    row = sql(
        small,
        """
        SELECT MIN(nps) AS nps_min, MAX(nps) AS nps_max, MIN(csat) AS csat_min,
               MAX(csat) AS csat_max, MIN(ces) AS ces_min, MAX(ces) AS ces_max,
               SUM(CASE WHEN nps IS NULL THEN 1 ELSE 0 END) AS nps_skipped,
               SUM(CASE WHEN ces IS NULL THEN 1 ELSE 0 END) AS no_ces,
               SUM(CASE WHEN customer_id IS NULL THEN 1 ELSE 0 END) AS anonymous,
               SUM(CASE WHEN nps IS NULL AND csat IS NULL AND ces IS NULL
                        AND comment IS NULL THEN 1 ELSE 0 END) AS empty,
               COUNT(*) AS n
        FROM feedback
        """,
    ).row(0, named=True)
    assert (row["nps_min"], row["nps_max"]) == (0, 10)
    assert (row["csat_min"], row["csat_max"]) == (1, 5)
    assert (row["ces_min"], row["ces_max"]) == (1, 7)
    assert 0.05 * row["n"] < row["nps_skipped"] < 0.25 * row["n"]
    assert row["no_ces"] > 0
    assert 0.02 * row["n"] < row["anonymous"] < 0.15 * row["n"]
    assert row["empty"] == 0
    languages = dict(sql(small, "SELECT language, COUNT(*) FROM feedback GROUP BY 1").iter_rows())
    assert set(languages) == {"vi", "en"} and languages["vi"] > languages["en"] > 0
    channels = set(sql(small, "SELECT DISTINCT channel FROM feedback")["channel"])
    assert channels == {"Email", "SMS", "Zalo", "In-app", "Web"}
    dangling = one(
        small,
        "SELECT COUNT(*) FROM feedback f LEFT JOIN customers c ON c.customer_id = f.customer_id "
        "WHERE f.customer_id IS NOT NULL AND c.customer_id IS NULL",
    )
    assert dangling == 0


def test_comments_match_language_and_tone(small):
    comments = sql(small, "SELECT nps, language, comment FROM feedback WHERE comment IS NOT NULL")
    assert comments.height > 0.2 * one(small, "SELECT COUNT(*) FROM feedback")
    assert all(unicodedata.is_normalized("NFC", c) for c in comments["comment"])
    vietnamese = comments.filter(pl.col("language") == "vi")["comment"]
    english = comments.filter(pl.col("language") == "en")["comment"]
    assert (
        vietnamese.str.contains("[ăâđêôơưạảấầẩậắằẵặẹẻẽếềểễệịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]").mean() > 0.9
    )
    assert english.str.contains("^[\\x00-\\x7f]+$").all()
    angry = ("thất vọng", "Quá tệ", "Terrible", "disappointed", "không mua lại", "not buy again")
    happy = ("Rất hài lòng", "Tuyệt vời", "Very satisfied", "Great.", "Will recommend")
    detractors = comments.filter(pl.col("nps") <= 6)["comment"]
    promoters = comments.filter(pl.col("nps") >= 9)["comment"]
    assert not promoters.str.contains_any(list(angry)).any()
    assert not detractors.str.contains_any(list(happy)).any()
    assert detractors.str.contains_any(list(angry)).any()


def test_delivery_incident_drags_delivery_scores_down(small):
    by_window = sql(
        small,
        """
        SELECT responded_at >= :start AND responded_at < :end AS incident,
               100.0 * SUM(CASE WHEN csat >= 4 THEN 1 ELSE 0 END) / COUNT(csat) AS csat,
               100.0 * SUM(CASE WHEN nps >= 9 THEN 1 ELSE 0 END) / COUNT(nps)
             - 100.0 * SUM(CASE WHEN nps <= 6 THEN 1 ELSE 0 END) / COUNT(nps) AS nps,
               100.0 * SUM(CASE WHEN nps <= 6 THEN 1 ELSE 0 END) / COUNT(nps) AS detractors,
               COUNT(csat) AS n
        FROM feedback WHERE touchpoint = 'Delivery' GROUP BY 1
        """,
        start=story.INCIDENT_START,
        end=story.INCIDENT_END,
    )
    inside = by_window.filter("incident").row(0, named=True)
    outside = by_window.filter(~pl.col("incident")).row(0, named=True)
    assert inside["n"] >= 30
    assert inside["csat"] <= outside["csat"] - 15
    assert inside["nps"] <= outside["nps"] - 25
    assert inside["detractors"] >= outside["detractors"] + 10
    incident_length = story.INCIDENT_END - story.INCIDENT_START
    assert incident_length == timedelta(weeks=6)


def test_detractors_repeat_purchase_less_than_promoters(small):
    shares = sql(
        small,
        """
        WITH opinion AS (
            SELECT customer_id, AVG(nps) AS mean_nps FROM feedback
            WHERE nps IS NOT NULL AND customer_id IS NOT NULL GROUP BY customer_id
        ), buyers AS (
            SELECT customer_id,
                   MAX(CASE WHEN stage = 'repeat_purchase' THEN 1 ELSE 0 END) AS repeated
            FROM events WHERE stage IN ('purchase', 'repeat_purchase') GROUP BY customer_id
        )
        SELECT CASE WHEN mean_nps >= 9 THEN 'promoter' WHEN mean_nps <= 6 THEN 'detractor'
               ELSE 'passive' END AS kind,
               100.0 * AVG(repeated) AS repeat_share, COUNT(*) AS n
        FROM opinion JOIN buyers ON buyers.customer_id = opinion.customer_id
        GROUP BY 1
        """,
    )
    share = {kind: s for kind, s, _ in shares.iter_rows()}
    assert shares["n"].min() >= 30
    assert share["detractor"] < share["passive"] < share["promoter"]
    assert share["detractor"] <= share["promoter"] - 20


NPS_SQL = (
    "100.0 * SUM(CASE WHEN nps >= 9 THEN 1 ELSE 0 END) / COUNT(nps) "
    "- 100.0 * SUM(CASE WHEN nps <= 6 THEN 1 ELSE 0 END) / COUNT(nps)"
)


def test_touchpoints_differ_in_satisfaction(small):
    nps = dict(
        sql(
            small,
            f"SELECT touchpoint, {NPS_SQL} FROM feedback WHERE responded_at < :start GROUP BY 1",
            start=story.INCIDENT_START,
        ).iter_rows()
    )
    assert len(nps) == 7
    assert max(nps.values()) - min(nps.values()) >= 10
    assert nps["Store"] > nps["Website"]


def test_mobile_app_improves_after_its_release(small):
    nps = dict(
        sql(
            small,
            f"SELECT responded_at >= :release, {NPS_SQL} FROM feedback "
            "WHERE touchpoint = 'Mobile app' GROUP BY 1",
            release=story.APP_RELEASE,
        ).iter_rows()
    )
    assert nps[True] >= nps[False] + 10


# -- ensure_demo_data and the CLI ----------------------------------------------------


def test_ensure_demo_data_generates_once(tmp_path):
    engine = _duck(tmp_path / "fresh.duckdb")  # no tables at all
    try:
        assert generator.ensure_demo_data(engine, scale="small", seed=3) is True
        before = contents(engine)
        assert before["feedback"].height > 0
        assert generator.ensure_demo_data(engine, scale="small", seed=4) is False
        assert_same(contents(engine), before)
    finally:
        engine.dispose()


def test_ensure_demo_data_fills_a_store_with_only_reference_tables(tmp_path):
    engine = _duck(tmp_path / "reference.duckdb")
    try:
        db.create_schema(engine)
        with db.begin(engine) as conn:
            db.append_frame(conn, schema.stages, generator.stages_frame())
        assert generator.ensure_demo_data(engine, scale="small") is True
        assert generator.row_counts(engine)["events"] > 0
    finally:
        engine.dispose()


def test_ensure_demo_data_leaves_imported_customers_alone(tmp_path):
    engine = _duck(tmp_path / "imported.duckdb")
    try:
        db.create_schema(engine)
        with db.begin(engine) as conn:
            db.append_frame(conn, schema.customers, pl.DataFrame({"customer_id": ["mine"]}))
        assert generator.ensure_demo_data(engine, scale="small") is False
        assert generator.row_counts(engine) == {**dict.fromkeys(schema.TABLES, 0), "customers": 1}
    finally:
        engine.dispose()


def test_cli_refuses_a_non_empty_store_without_replace(tmp_path, monkeypatch, capsys):
    path = tmp_path / "cli.duckdb"
    monkeypatch.setenv("CXDASH_DATABASE_URL", f"duckdb:///{path}")
    engine = _duck(path)
    db.create_schema(engine)
    with db.begin(engine) as conn:
        db.append_frame(conn, schema.touchpoints, generator.touchpoints_frame())
    engine.dispose()

    assert cli.main(["demo-data", "--scale", "small"]) == 2
    err = capsys.readouterr().err
    assert "already holds data" in err and "--replace" in err
    assert len(err.strip().splitlines()) == 1

    assert cli.main(["demo-data", "--scale", "small", "--seed", "5", "--replace"]) == 0
    captured = capsys.readouterr()
    assert "customers 1-2,000 of 2,000" in captured.err and "committing" in captured.err
    assert "2,000 customers" in captured.out and " s: " in captured.out
    engine = _duck(path)
    try:
        assert generator.row_counts(engine)["customers"] == 2_000
    finally:
        engine.dispose()


def test_unknown_scale_is_refused(tmp_path):
    engine = _duck(tmp_path / "x.duckdb")
    try:
        with pytest.raises(ValueError, match="unknown scale"):
            generator.generate(engine, scale="huge")
    finally:
        engine.dispose()


def test_progress_is_reported_in_order(tmp_path):
    engine = _duck(tmp_path / "progress.duckdb")
    seen: list[tuple[str, float]] = []
    try:
        generator.generate(engine, scale="small", seed=1, progress=lambda m, f: seen.append((m, f)))
    finally:
        engine.dispose()
    fractions = [f for _, f in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert all(0.0 <= f <= 1.0 for f in fractions)
