"""The sentiment model's panel: the model in use (or the baseline), the labels it learns
from, "Train from labels", and a trained candidate's cross-validated quality -- macro-F1
overall and per language beside the baseline's, the confusion matrix, the label counts --
shown *before* anything changes. Only "Switch it on" makes the candidate the model every
comment is scored with (``dashboard.text.service.activate_model``).

Read live (not cached): training and switching change what this panel shows.
"""

from __future__ import annotations

import json

import polars as pl
import streamlit as st

from dashboard import access, charts
from dashboard.i18n import _
from dashboard.text import service as text_service
from dashboard.text.model import MIN_LABELS, MIN_PER_CLASS, NotEnoughLabels
from dashboard.ui.cache import data_changed, engine
from dashboard.ui.comments import SENTIMENTS, sentiment_label, whole_store
from dashboard.ui.page import friendly_errors
from dashboard.ui.tables import datetime_column, styled

LANGUAGES = {"vi": "Tiếng Việt", "en": "English"}  # i18n: ok (each language in its own words)


def language_name(code: str | None) -> str:
    if not code or code == "unknown":
        return _("unknown language")
    return LANGUAGES.get(code, code)


def _f1(value) -> str:
    return "–" if value is None else charts.fmt_number(value, 2)


def stored_models() -> list[dict]:
    """Every stored model, newest first, metrics as a dict."""
    with friendly_errors():
        frame = text_service.models(engine())
    rows = frame.to_dicts() if frame.height else []
    for row in rows:
        row["metrics"] = json.loads(row["metrics"] or "{}")
        row["active"] = bool(row["active"])
    return rows


def active_and_candidate(models: list[dict]) -> tuple[dict | None, dict | None]:
    """(the model switched on, the newest trained model newer than it and not on)."""
    active = next((m for m in models if m["active"]), None)
    floor = active["version"] if active else 0
    candidate = next((m for m in models if not m["active"] and m["version"] > floor), None)
    return active, candidate


def in_use(active: dict | None) -> None:
    st.subheader(_("In use"), anchor=False)
    if active is None:
        st.info(_("No model is switched on: every comment nobody labelled is scored by the "
                  "**baseline**, a built-in Vietnamese and English word list with negation "
                  "(“không tốt”, “not good”). It is marked “baseline” wherever sentiment shows."),
                icon=":material/spellcheck:")  # fmt: skip
        return
    tiles = st.columns(4)
    tiles[0].metric(_("Model"), _("version {n}").format(n=active["version"]), border=True)
    tiles[1].metric(_("Macro-F1 (cross-validated)"), _f1(active["metrics"].get("macro_f1")),
                    border=True)  # fmt: skip
    tiles[2].metric(_("Trained on labels"), charts.fmt_int(active["n_labels"]), border=True)
    tiles[3].metric(_("Switched on"), charts.fmt_date(active["activated_at"]), border=True)
    st.caption(_("Trained by {who} on {day}; switched on by {by}.").format(
        who=active["created_by"], day=charts.fmt_datetime(active["created_at"]),
        by=active["activated_by"] or "–"))  # fmt: skip
    if whole_store() and st.button(_("Switch the model off (back to the baseline)"),
                                   icon=":material/power_settings_new:", key="sm_off"):  # fmt: skip
        with friendly_errors(), st.spinner(_("Re-scoring the comments…")):
            n = text_service.deactivate_models(engine())
        data_changed()
        st.toast(_("Model switched off; {n} comments re-scored by the baseline.").format(
            n=charts.fmt_int(n)), icon=":material/check:")  # fmt: skip
        st.rerun()


def label_table() -> tuple[pl.DataFrame, int, dict[str, int]]:
    """(labels per sentiment x language for people, total, per sentiment)."""
    with friendly_errors():
        counts = text_service.label_counts(engine())
    per_sentiment = {s: 0 for s in SENTIMENTS}
    languages: dict[str, dict[str, int]] = {}
    for row in counts.iter_rows(named=True) if counts.height else []:
        per_sentiment[row["sentiment"]] = per_sentiment.get(row["sentiment"], 0) + row["n"]
        by = languages.setdefault(language_name(row["language"]), {})
        by[row["sentiment"]] = by.get(row["sentiment"], 0) + int(row["n"])
    rows = [{_("Language"): lang, **{sentiment_label(s): by.get(s, 0) for s in SENTIMENTS},
             _("Total"): sum(by.values())} for lang, by in sorted(languages.items())]  # fmt: skip
    return pl.DataFrame(rows), sum(per_sentiment.values()), per_sentiment


def not_ready(total: int, per_sentiment: dict[str, int]) -> str | None:
    """Why training cannot start yet (the model's own rules), in words; None when it can."""
    if total < MIN_LABELS:
        return _("{n} comments labelled; label at least {min} to train a model.").format(
            n=charts.fmt_int(total), min=MIN_LABELS)  # fmt: skip
    used = [s for s, n in per_sentiment.items() if n]
    if len(used) < 2:
        return _("Every label says the same sentiment: label comments of at least two.")
    thin = [sentiment_label(s) for s, n in per_sentiment.items() if 0 < n < MIN_PER_CLASS]
    if thin:
        return _("Too few labels of {sentiments}: label at least {min} of each sentiment you "
                 "use.").format(sentiments=", ".join(thin), min=MIN_PER_CLASS)  # fmt: skip
    return None


def labels_and_training() -> None:
    st.subheader(_("Labels"), anchor=False)
    table, total, per_sentiment = label_table()
    if table.height:
        st.dataframe(table, hide_index=True, key="sm_labels", width="content")
    reason = not_ready(total, per_sentiment)
    if reason:
        st.info(reason + " " + _("Label comments on the Feedback page (Label a sample) or "
                                 "import a file with `cxdash labels import`."),
                icon=":material/label:")  # fmt: skip
    if not whole_store():
        st.caption(_("Training and switching the model change every comment's sentiment, so "
                     "only someone who sees the whole store may do it."))  # fmt: skip
        return
    if st.button(_("Train from labels"), type="primary", icon=":material/model_training:",
                 disabled=reason is not None, key="sm_train"):  # fmt: skip
        train(total)


def train(total: int) -> None:
    """Train a candidate (stored switched off) and show its progress."""
    with st.status(_("Training from {n} labels…").format(n=charts.fmt_int(total)),
                   expanded=True) as status:  # fmt: skip
        st.write(_("Reading the labelled comments and adding diacritic-free copies of the "
                   "Vietnamese ones."))  # fmt: skip
        st.write(_("Cross-validating: each fold is scored by a model that did not see it."))
        try:
            with friendly_errors():
                candidate = text_service.train_model(engine(), by=access.current_viewer().email)
        except NotEnoughLabels as exc:
            status.update(label=_("Not enough labels to train."), state="error")
            st.warning(str(exc), icon=":material/warning:")
            return
        st.write(_("Fitted on every label; stored as version {n}, switched off.").format(
            n=candidate.version))  # fmt: skip
        status.update(label=_("Trained version {n}: check its quality below.").format(
            n=candidate.version), state="complete", expanded=False)  # fmt: skip


def quality_table(metrics: dict) -> pl.DataFrame:
    """Per language and overall: labels, the model's and the baseline's macro-F1."""
    baseline = metrics.get("baseline") or {}
    base_langs = baseline.get("per_language") or {}
    rows = []
    for lang, q in sorted((metrics.get("per_language") or {}).items()):
        rows.append({_("Language"): language_name(lang), _("Labels"): q.get("n"),
                     _("Model"): q.get("macro_f1"),
                     _("Baseline"): (base_langs.get(lang) or {}).get("macro_f1")})  # fmt: skip
    rows.append({_("Language"): _("All"), _("Labels"): metrics.get("n_labels"),
                 _("Model"): metrics.get("macro_f1"),
                 _("Baseline"): baseline.get("macro_f1")})  # fmt: skip
    schema = {_("Language"): pl.String, _("Labels"): pl.Int64, _("Model"): pl.Float64,
              _("Baseline"): pl.Float64}  # fmt: skip
    return pl.DataFrame(rows, schema=schema)


def confusion_table(metrics: dict) -> pl.DataFrame:
    """Rows: what people labelled; columns: what the model said (out of fold)."""
    confusion = metrics.get("confusion") or {}
    labels, matrix = confusion.get("labels") or [], confusion.get("matrix") or []
    truth = _("Labelled as")
    rows = [{truth: sentiment_label(label),
             **{_("Model says {sentiment}").format(sentiment=sentiment_label(p).lower()): n
                for p, n in zip(labels, line, strict=True)}}
            for label, line in zip(labels, matrix, strict=True)]  # fmt: skip
    return pl.DataFrame(rows)


def candidate_panel(candidate: dict, active: dict | None) -> None:
    """A trained model's quality, then the one button that switches it on."""
    metrics = candidate["metrics"]
    st.subheader(_("Trained, not switched on: version {n}").format(n=candidate["version"]),
                 anchor=False)  # fmt: skip
    st.caption(_("Trained by {who} on {day} from {n} labels. Quality is cross-validated over "
                 "{folds} folds: every label is predicted by a model that did not see it.").format(
        who=candidate["created_by"], day=charts.fmt_datetime(candidate["created_at"]),
        n=charts.fmt_int(metrics.get("n_labels")), folds=metrics.get("folds", "–")))  # fmt: skip
    tiles = st.columns(3)
    model_f1, base_f1 = metrics.get("macro_f1"), (metrics.get("baseline") or {}).get("macro_f1")
    now_f1 = active["metrics"].get("macro_f1") if active else base_f1
    delta = None if model_f1 is None or now_f1 is None else model_f1 - now_f1
    shown_delta = None if delta is None else charts.fmt_number(delta, 2, signed=True)
    tiles[0].metric(_("Macro-F1 (cross-validated)"), _f1(model_f1), border=True,
                    delta=shown_delta)  # fmt: skip
    tiles[1].metric(_("Baseline on the same labels"), _f1(base_f1), border=True)
    tiles[2].metric(_("Model in use"), _f1(active["metrics"].get("macro_f1")) if active
                    else _("baseline"), border=True)  # fmt: skip
    left, right = st.columns(2, gap="large")
    with left:
        st.markdown("**" + _("Macro-F1 per language") + "**")
        quality = quality_table(metrics)
        st.dataframe(styled(quality, {_("Model"): _f1, _("Baseline"): _f1}), hide_index=True,
                     key="sm_quality")  # fmt: skip
        counts = metrics.get("class_counts") or {}
        per = [f"{sentiment_label(s)} {charts.fmt_int(counts.get(s, 0))}" for s in SENTIMENTS]
        st.markdown("**" + _("Labels per sentiment") + "** " + " · ".join(per))
    with right:
        st.markdown("**" + _("Confusion matrix") + "**")
        st.dataframe(confusion_table(metrics), hide_index=True, key="sm_confusion")
        st.caption(_("Rows: what people labelled. Columns: what the model predicted. The "
                     "diagonal is right."))  # fmt: skip
    if model_f1 is not None and now_f1 is not None and model_f1 < now_f1:
        st.warning(_("This model scores lower than the sentiment in use. Label more comments "
                     "(especially the sentiment it confuses) and train again."),
                   icon=":material/trending_down:")  # fmt: skip
    if not whole_store():
        return
    if st.button(_("Switch it on"), type="primary", icon=":material/power_settings_new:",
                 key=f"sm_on_{candidate['version']}"):  # fmt: skip
        with friendly_errors(), st.spinner(_("Re-scoring every comment…")):
            n = text_service.activate_model(engine(), candidate["version"],
                                            by=access.current_viewer().email)  # fmt: skip
        data_changed()
        st.toast(_("Version {v} switched on; {n} comments re-scored.").format(
            v=candidate["version"], n=charts.fmt_int(n)), icon=":material/check:")  # fmt: skip
        st.rerun()


def history(models: list[dict]) -> None:
    if not models:
        return
    rows = [{_("Version"): m["version"], _("Trained"): m["created_at"], _("By"): m["created_by"],
             _("Labels"): m["n_labels"], _("Macro-F1"): m["metrics"].get("macro_f1"),
             _("In use"): m["active"]} for m in models]  # fmt: skip
    with st.expander(_("Every trained model ({n})").format(n=len(models))):
        frame = pl.DataFrame(rows)
        st.dataframe(styled(frame, {_("Macro-F1"): _f1}), hide_index=True, key="sm_history",
                     column_config={_("Trained"): datetime_column(_("Trained"))})  # fmt: skip
