"""``cxdash labels import`` and ``cxdash sentiment train|activate|off|models``: what
customers say, from scripts.

Labels are what people say a comment is (sentiment, optionally themes); a model is
trained from them locally and its cross-validated quality is printed *before* it
replaces the sentiment in use: ``train`` activates the new model only when it beats the
lexicon baseline on the same labels (``--force`` to activate anyway, ``--no-activate``
to keep it stored, inactive, for ``cxdash sentiment activate VERSION`` later).
The comments themselves: ``cxdash query comments`` (the registry's ``comments`` view).
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys

from dashboard import db
from dashboard.cli.errors import CliError
from dashboard.ingest import labels as label_files
from dashboard.text import service


def _default_actor() -> str:
    """Who labels or trains when ``--as`` is not given: the logged-in user."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "cli"


def _import_labels(args: argparse.Namespace) -> int:
    engine = db.create_engine()
    try:
        who = args.actor or _default_actor()
        stored = label_files.import_labels(engine, args.file, labelled_by=who)
    except service.LabelImportRejected as exc:
        raise CliError(str(exc)) from None
    word = "label" if stored == 1 else "labels"
    print(f"{stored:,} {word} imported from {args.file}; those comments are re-analysed.")
    return 0


# -- training -------------------------------------------------------------------------------


def quality_lines(metrics: dict) -> list[str]:
    """The cross-validated quality of a model as people read it: macro-F1 overall and per
    language beside the lexicon baseline's on the same labels, then the confusion matrix."""
    baseline = metrics.get("baseline", {})
    base_languages = baseline.get("per_language", {})

    def base(value: float | None) -> str:
        return "   -  " if value is None else f"{value:6.3f}"

    lines = [
        f"Cross-validated macro-F1 ({metrics['folds']}-fold, {metrics['n_labels']:,} labels):",
        "  language       n   model  baseline (lexicon)",
        f"  {'all':<8}{metrics['n_labels']:>7,}  {metrics['macro_f1']:6.3f}  "
        f"{base(baseline.get('macro_f1'))}",
    ]
    for language, figures in sorted(metrics.get("per_language", {}).items()):
        other = base_languages.get(language, {}).get("macro_f1")
        lines.append(
            f"  {language:<8}{figures['n']:>7,}  {figures['macro_f1']:6.3f}  {base(other)}"
        )
    confusion = metrics["confusion"]
    labels = confusion["labels"]
    width = max(9, *(len(label) + 1 for label in labels))
    lines.append("Confusion matrix (rows: what people said, columns: what the model said):")
    lines.append("  " + " " * width + "".join(f"{label:>{width}}" for label in labels))
    for label, row in zip(labels, confusion["matrix"], strict=True):
        lines.append(f"  {label:<{width}}" + "".join(f"{count:>{width},}" for count in row))
    return lines


def beats_baseline(metrics: dict) -> bool:
    """Whether the model's cross-validated macro-F1 is at least the lexicon's on the same
    labels (the lexicon learns nothing from them: no cross-validation needed)."""
    baseline = metrics.get("baseline", {}).get("macro_f1")
    return baseline is None or metrics["macro_f1"] >= baseline


def _train(args: argparse.Namespace) -> int:
    engine = db.create_engine(timeout_seconds=db.NO_TIMEOUT)
    by = args.actor or _default_actor()
    candidate = service.train_model(engine, by=by, folds=args.folds)
    metrics = candidate.metrics
    if args.json:
        print(json.dumps({"version": candidate.version, **metrics}, ensure_ascii=False, indent=1))
    else:
        print(f"Model {candidate.version} trained on {metrics['n_labels']:,} labels.")
        print("\n".join(quality_lines(metrics)))
    say = (lambda text: print(text, file=sys.stderr)) if args.json else print
    if args.no_activate:
        say(
            f"Model {candidate.version} is stored, not in use: switch it on with "
            f"`cxdash sentiment activate {candidate.version}`."
        )
        return 0
    if not beats_baseline(metrics) and not args.force:
        say(
            f"Model {candidate.version} is worse than the lexicon baseline on these "
            "labels, so it is stored but not in use; label more comments, or activate it "
            f"anyway with `cxdash sentiment activate {candidate.version}` (or train --force)."
        )
        return 0
    rescored = service.activate_model(engine, candidate.version, by=by)
    say(f"Model {candidate.version} is now in use: {rescored:,} comments re-scored.")
    return 0


def _activate(args: argparse.Namespace) -> int:
    engine = db.create_engine(timeout_seconds=db.NO_TIMEOUT)
    stored = service.models(engine)
    rows = stored.filter(stored["version"] == args.version)
    if rows.height == 0:
        known = ", ".join(str(v) for v in stored["version"].to_list()) or "none yet"
        raise CliError(f"no model version {args.version} (stored: {known})")
    metrics = json.loads(rows["metrics"][0])
    print(f"Model {args.version}, trained on {metrics['n_labels']:,} labels:")
    print("\n".join(quality_lines(metrics)))
    rescored = service.activate_model(engine, args.version, by=args.actor or _default_actor())
    print(f"Model {args.version} is now in use: {rescored:,} comments re-scored.")
    return 0


def _off(args: argparse.Namespace) -> int:
    engine = db.create_engine(timeout_seconds=db.NO_TIMEOUT)
    rescored = service.deactivate_models(engine)
    print(f"No model in use: {rescored:,} comments back on the lexicon baseline.")
    return 0


def _models(args: argparse.Namespace) -> int:
    from dashboard.cli.query import render

    engine = db.create_engine()
    stored = service.models(engine)
    if stored.height == 0:
        print("No model trained yet: label comments, then `cxdash sentiment train`.")
        return 0
    import polars as pl

    f1 = [json.loads(m).get("macro_f1") for m in stored["metrics"].to_list()]
    base = [json.loads(m).get("baseline", {}).get("macro_f1") for m in stored["metrics"]]
    table = stored.select(
        "version", "created_at", "created_by", "n_labels", "languages", "active"
    ).with_columns(
        pl.Series("macro_f1", f1, dtype=pl.Float64),
        pl.Series("baseline_macro_f1", base, dtype=pl.Float64),
    )
    sys.stdout.write(render(table, args.format).rstrip("\n") + "\n")
    return 0


def register_cli(subparsers) -> None:
    labels = subparsers.add_parser(
        "labels",
        help="import what people say comments are (sentiment, themes)",
        description="Labels teach the sentiment model and measure the themes.",
    )
    actions = labels.add_subparsers(dest="action", required=True, metavar="ACTION")
    p = actions.add_parser(
        "import",
        help="import a labels file (CSV or XLSX)",
        description="Columns: response_id, sentiment (negative | neutral | positive), "
        "optionally themes (';'-separated theme ids; 'none' = none of them; empty = leave "
        "them to the keywords). Every row is checked first: with any bad row nothing is "
        "written and each bad row is named by its line. Labels of the same responses are "
        "replaced.",
    )
    p.add_argument("file", metavar="FILE")
    p.add_argument("--as", dest="actor", metavar="NAME",
                   help="who labelled (default: your login name)")  # fmt: skip
    p.set_defaults(handler=_import_labels)

    sentiment = subparsers.add_parser(
        "sentiment",
        help="train, switch on or off the sentiment model learned from the labels",
        description="Until a model is in use, sentiment is the bilingual lexicon baseline.",
    )
    actions = sentiment.add_subparsers(dest="action", required=True, metavar="ACTION")
    p = actions.add_parser(
        "train",
        help="train from the labels, print its quality, then switch it on",
        description="Train a model from every label, print its cross-validated macro-F1 "
        "(overall and per language, beside the lexicon baseline's) and confusion matrix, "
        "then put it in use and re-score every comment no person labelled -- only when it "
        "beats the baseline (--force: anyway; --no-activate: keep it stored, not in use).",
    )
    p.add_argument("--folds", type=int, default=5, help="cross-validation folds (default 5)")
    p.add_argument("--no-activate", action="store_true",
                   help="only measure: store the model without putting it in use")  # fmt: skip
    p.add_argument("--force", action="store_true",
                   help="put it in use even when it does not beat the baseline")  # fmt: skip
    p.add_argument("--json", action="store_true", help="print the quality as JSON")
    p.add_argument("--as", dest="actor", metavar="NAME", help="who trains (default: login)")
    p.set_defaults(handler=_train)

    p = actions.add_parser("activate", help="put a stored model in use (prints its quality)")
    p.add_argument("version", type=int, metavar="VERSION")
    p.add_argument("--as", dest="actor", metavar="NAME", help="who (default: login)")
    p.set_defaults(handler=_activate)

    p = actions.add_parser("off", help="stop using a model: back to the lexicon baseline")
    p.set_defaults(handler=_off)

    p = actions.add_parser("models", help="list the stored models and their quality")
    p.add_argument("--format", choices=("table", "csv", "json"), default="table")
    p.set_defaults(handler=_models)
