"""``cxdash labels import``, ``cxdash sentiment train|activate|off|models`` and ``cxdash
query comments|sentiment|themes|theme-trend`` against real stores (the comments query on
DuckDB, SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import json

import polars as pl
import pytest

from dashboard import cli, db
from queries import schema
from tests.text.synthetic import comments
from tests.text.test_views import labelled_store

N = 90  # synthetic labelled comments: 30 per sentiment, half Vietnamese


def run(capsys, *argv) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _feedback_of(texts: list[str], languages: list[str]) -> pl.DataFrame:
    n = len(texts)
    return pl.DataFrame(
        {
            "response_id": [f"s{i:03d}" for i in range(n)],
            "responded_at": [dt.datetime(2025, 4, 1) + dt.timedelta(hours=i) for i in range(n)],
            "touchpoint": ["Delivery" if i % 2 else "Store" for i in range(n)],
            "comment": texts,
            "language": languages,
        }
    )


@pytest.fixture
def synthetic_url(tmp_path, monkeypatch) -> str:
    """A DuckDB store with N analysed synthetic comments, none labelled; labels.csv
    beside it labels every one of them."""
    from dashboard.text import service

    url = f"duckdb:///{tmp_path / 'comments.duckdb'}"
    engine = db.create_engine(url, external_access=True)
    db.create_schema(engine)
    texts, labels, languages = comments(N, seed=11)
    with db.begin(engine) as conn:
        db.upsert_frame(conn, schema.feedback, _feedback_of(texts, languages))
    service.analyse_comments(engine)
    engine.dispose()
    pl.DataFrame({"response_id": [f"s{i:03d}" for i in range(N)], "sentiment": labels}).write_csv(
        tmp_path / "labels.csv"
    )
    monkeypatch.setenv("CXDASH_DATABASE_URL", url)
    return url


def _labels(url: str) -> pl.DataFrame:
    engine = db.create_engine(url)
    try:
        return db.fetch(schema.comment_labels.select(), engine)
    finally:
        engine.dispose()


def _facts(url: str) -> pl.DataFrame:
    engine = db.create_engine(url)
    try:
        return db.fetch(schema.comment_facts.select().order_by("response_id"), engine)
    finally:
        engine.dispose()


# -- labels import ---------------------------------------------------------------------------


def test_label_import_rejects_bad_rows_by_line_and_writes_nothing(synthetic_url, tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "response_id,sentiment,themes\n"
        "s001,negative,delivery\n"  # line 2: fine
        "nope,positive,\n"  # line 3: unknown response
        "s002,angry,\n"  # line 4: not a sentiment
        "s003,neutral,delivery;teleport\n"  # line 5: unknown theme
        "s001,positive,\n",  # line 6: labelled twice
        encoding="utf-8",
    )
    code, out, err = run(capsys, "labels", "import", str(bad), "--as", "lan")
    assert code == 2 and out == ""
    assert "4 bad row(s); nothing was imported" in err
    assert "line 3: unknown response_id 'nope'" in err
    assert "line 4: sentiment 'angry' is not one of negative, neutral, positive" in err
    assert "line 5: unknown theme 'teleport'" in err
    assert "line 6: response_id 's001' is already labelled on line 2" in err
    assert "line 2" not in err.replace("on line 2", "")
    assert _labels(synthetic_url).height == 0


def test_label_import_without_the_sentiment_column_names_it(synthetic_url, tmp_path, capsys):
    bad = tmp_path / "no_sentiment.csv"
    bad.write_text("response_id,mood\ns001,negative\n", encoding="utf-8")
    code, _, err = run(capsys, "labels", "import", str(bad))
    assert code == 2 and "no column sentiment" in err
    assert _labels(synthetic_url).height == 0


def test_label_import_stores_labels_with_who_and_applies_them(synthetic_url, tmp_path, capsys):
    code, out, _ = run(capsys, "labels", "import", str(tmp_path / "labels.csv"), "--as", "lan")
    assert code == 0 and out.startswith(f"{N} labels imported")
    stored = _labels(synthetic_url)
    assert stored.height == N and set(stored["labelled_by"]) == {"lan"}
    assert set(_facts(synthetic_url)["sentiment_source"]) == {"label"}


# -- training --------------------------------------------------------------------------------


def _unlabel_half(url: str) -> None:
    """Keep the labels of the even rows only, so the model has comments to score."""
    engine = db.create_engine(url)
    with db.begin(engine) as conn:
        db.execute(
            conn,
            schema.comment_labels.delete().where(
                schema.comment_labels.c.response_id.in_([f"s{i:03d}" for i in range(1, N, 2)])
            ),
        )
    engine.dispose()
    from dashboard.text import service

    service.analyse_comments(db.create_engine(url))


def test_train_prints_quality_then_activates_and_rescores(synthetic_url, tmp_path, capsys):
    run(capsys, "labels", "import", str(tmp_path / "labels.csv"), "--as", "lan")
    code, out, err = run(capsys, "sentiment", "train", "--as", "lan")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == f"Model 1 trained on {N} labels."
    assert lines[1] == f"Cross-validated macro-F1 (5-fold, {N} labels):"
    assert [line.split()[0] for line in lines[3:6]] == ["all", "en", "vi"]
    confusion = lines.index(
        "Confusion matrix (rows: what people said, columns: what the model said):"
    )
    assert lines[confusion + 1].split() == ["negative", "neutral", "positive"]
    rows = lines[confusion + 2 : confusion + 5]
    matrix = [[int(v.replace(",", "")) for v in line.split()[1:]] for line in rows]
    assert sum(map(sum, matrix)) == N  # every label predicted once, out of fold
    assert sum(matrix[i][i] for i in range(3)) > N * 0.8  # the synthetic tones are easy
    assert lines[-1] == "Model 1 is now in use: 0 comments re-scored."  # all are labelled


def test_training_is_deterministic(synthetic_url, tmp_path, capsys):
    run(capsys, "labels", "import", str(tmp_path / "labels.csv"))
    _unlabel_half(synthetic_url)
    _, first, _ = run(capsys, "sentiment", "train", "--json", "--no-activate")
    _, second, _ = run(capsys, "sentiment", "train", "--json", "--no-activate")
    a, b = json.loads(first), json.loads(second)
    assert (a["version"], b["version"]) == (1, 2)
    for key in ("macro_f1", "per_language", "confusion", "baseline", "n_labels"):
        assert a[key] == b[key], key
    run(capsys, "sentiment", "activate", "1")
    scored_by_1 = _facts(synthetic_url).select("response_id", "sentiment", "margin")
    run(capsys, "sentiment", "activate", "2")
    scored_by_2 = _facts(synthetic_url).select("response_id", "sentiment", "margin")
    assert scored_by_1.equals(scored_by_2)


def test_no_activate_keeps_the_baseline_until_activated(synthetic_url, tmp_path, capsys):
    run(capsys, "labels", "import", str(tmp_path / "labels.csv"))
    _unlabel_half(synthetic_url)
    code, out, err = run(capsys, "sentiment", "train", "--no-activate")
    assert code == 0 and "Cross-validated macro-F1" in out
    assert "stored, not in use" in out
    facts = _facts(synthetic_url)
    assert set(facts["sentiment_source"]) == {"label", "baseline"}
    code, out, _ = run(capsys, "sentiment", "models", "--format", "json")
    (model,) = json.loads(out)
    assert (model["version"], model["active"], model["n_labels"]) == (1, False, N // 2)
    assert model["macro_f1"] >= model["baseline_macro_f1"]
    code, out, _ = run(capsys, "sentiment", "activate", "1")
    assert code == 0
    assert out.splitlines()[-1] == f"Model 1 is now in use: {N // 2} comments re-scored."
    assert set(_facts(synthetic_url)["sentiment_source"]) == {"label", "model"}
    code, out, _ = run(capsys, "query", "comments", "--period", "all_time", "--format", "json")
    assert {row["sentiment_source"] for row in json.loads(out)} == {"label", "model"}
    code, out, _ = run(capsys, "sentiment", "off")
    assert code == 0 and f"{N // 2} comments back on the lexicon baseline" in out
    code, _, err = run(capsys, "sentiment", "activate", "7")
    assert code == 2 and "no model version 7 (stored: 1)" in err


def test_train_with_too_few_labels_says_so(synthetic_url, tmp_path, capsys):
    few = tmp_path / "few.csv"
    pl.read_csv(tmp_path / "labels.csv").head(10).write_csv(few)
    run(capsys, "labels", "import", str(few))
    code, out, err = run(capsys, "sentiment", "train")
    assert code == 2 and "label at least 30" in err


# -- query comments on three backends --------------------------------------------------------


@pytest.fixture
def labelled_url(store, store_url, tmp_path, monkeypatch) -> str:
    labelled_store(store, tmp_path)
    store.dispose()  # DuckDB: the CLI opens the file with its own settings
    monkeypatch.setenv("CXDASH_DATABASE_URL", store_url)
    return store_url


ARGS = ("--from", "2025-03-01", "--to", "2025-03-31")


@pytest.mark.parametrize("search", ["giao hàng", "giao hang", "GIAO HANG"])
def test_query_comments_search_with_or_without_diacritics(labelled_url, capsys, search):
    code, out, err = run(capsys, "query", "comments", *ARGS, "--search", search, "--format", "json")
    assert code == 0, err
    rows = json.loads(out)
    assert code == 0 and len(rows) == 20
    assert {r["touchpoint"] for r in rows} == {"Delivery"}
    assert list(rows[0]) == ["response_id", "responded_at", "touchpoint", "nps", "csat", "ces",
                             "comment", "language", "segment", "sentiment", "sentiment_source",
                             "themes"]  # fmt: skip
    assert all(r["themes"] == ["delivery"] for r in rows)


def test_query_comments_filters_limit_and_formats(labelled_url, capsys):
    code, out, _ = run(capsys, "query", "comments", *ARGS, "--sentiment", "negative",
                       "--theme", "store", "--limit", "3", "--format", "csv")  # fmt: skip
    frame = pl.read_csv(out.encode())
    assert code == 0 and frame.height == 3
    assert set(frame["sentiment"]) == {"negative"}
    assert set(frame["themes"]) == {"staff_service;store"}
    code, out, _ = run(capsys, "query", "comments", *ARGS, "--segment", "Gold", "--format", "json")
    assert len(json.loads(out)) == 14  # Delivery 10 + Store 4 of the Gold customer
    code, out, _ = run(capsys, "query", "comments", *ARGS, "--limit", "2", "--format", "table")
    assert code == 0 and "sentiment_source" in out
    code, _, err = run(capsys, "query", "comments", *ARGS, "--theme", "nope")
    assert code == 2 and "unknown theme 'nope'" in err


def test_query_sentiment_and_theme_views(labelled_url, capsys):
    code, out, _ = run(capsys, "query", "sentiment", *ARGS, "--by", "segment", "--min-n", "9",
                       "--format", "json")  # fmt: skip
    cells = {(r["touchpoint"], r["segment"]): r for r in json.loads(out)}
    assert code == 0 and cells[("Delivery", "Gold")]["value"] == pytest.approx(-40.0)
    assert cells[("Store", "Gold")]["value"] is None  # 4 comments: hidden
    code, out, _ = run(capsys, "query", "heatmap", *ARGS, "--metric", "sentiment", "--by",
                       "segment", "--format", "json")  # fmt: skip
    assert code == 0 and len(json.loads(out)) == 4
    code, out, _ = run(capsys, "query", "themes", *ARGS, "--format", "csv")
    assert code == 0 and pl.read_csv(out.encode())["theme"].to_list()[0] == "delivery"
    code, out, _ = run(capsys, "query", "theme-trend", *ARGS, "--grain", "week", "--format", "json")
    assert code == 0 and {r["theme"] for r in json.loads(out)} >= {"delivery", "store"}


def test_export_comments_table_with_sentiment_and_theme_filters(labelled_url, tmp_path, capsys):
    out_file = tmp_path / "negative_store.csv"
    code, _, err = run(capsys, "export", "table", "comments", *ARGS, "--sentiment", "negative",
                       "--theme", "store", "--out", str(out_file), "--lang", "vi")  # fmt: skip
    assert code == 0, err
    frame = pl.read_csv(out_file)
    assert frame.height == 4
    assert "Cảm xúc" in frame.columns and "Các chủ đề" in frame.columns
