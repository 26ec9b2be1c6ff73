"""Cross-validate model settings by site: a steadier yardstick than one validation split.

The training pages are cut into ``--folds`` groups by site (every page of a site, and
every training copy of a page, in one group). Each group is scored by a model fitted on
the others (with the same line weights and cropped, blank-free and content-span copies as
``training/train.py``), as laid out and without blank lines; with
``--content-span`` also cut to their content span; every fold model also
scores the first pages of the dev sets (dragnet, cleaneval, krdwrd_canola), and their
scores are averaged. Numbers are mean bag F1 over pages, of the text kept as the library
keeps it (the page rules of ``BoilerplateClassifier._page_rules`` applied at the threshold,
then its labels with the empty-page fallback; before 2026-12-08 only comment sections were
dropped). ``--score-layouts`` also scores daniel's pages as other tools lay them out.
Never touches a test split, scrapinghub_aeb or the seed page.

Fit-to-fit spread of the mean (different seeds, same setting): about +-0.0015, half that
of the single validation split of ``training/tune.py``; a change smaller than that is noise.

    python -m training.experiments.crossval --only default "150 trees, depth 4, rate 0.2"
    python -m training.experiments.crossval --seeds 0 1 --dev-pages 100
    python -m training.experiments.crossval --only default --second-pass 0 30   # without and with the second pass
    python -m training.experiments.crossval --only default --second-pass 30 --thresholds 0.4 0.45 0.5
    python -m training.experiments.crossval --only default --second-pass 30 --first-pass-weights 0 0.5 --content-span
    python -m training.experiments.crossval --only default --second-pass 30 --lexicon both --dev-sets dragnet
    python -m training.experiments.crossval --only default --second-pass 30 --lexicon on --extra-sets turku_text_quality
    python -m training.experiments.crossval --only default --second-pass 30 --lexicon on --by-language
    python -m training.experiments.crossval --only default --second-pass 30 --by-language --score-layouts soup
"""

from __future__ import annotations

import functools
import itertools
import statistics
import sys
import time
import zlib

import numpy as np

from bpclass import LineClassifier
from bpclass.context import CONTEXT_FEATURE_NAMES
from bpclass.features import features_and_comment_rows, set_lexical
from bpclass.lexicon import learn_lexical_columns, stripped_rows
from bpclass.model import BoilerplateClassifier, _labels
from bpclass.passes import blend_proba, fit_passes, group_folds, line_weights, lines_by_page, pass_scores, rows_per_page
from training import script_parser
from training.data import TRAIN_SETS, content_span, evaluation_pages, in_layout, training_pages, without_blank_lines
from training.evaluate import _kept_text
from training.experiments.tune import DEV_SETS, SETTINGS
from training.prepare import DEFAULT_OUT
from training.textmetrics import bag_f1
from training.train import (
    ESTIMATOR_PARAMS,
    FIRST_PASS_WEIGHT,
    THRESHOLD,
    TRAIN_LAYOUTS,
    training_copies,
)


def fold_of(site: str, folds: int) -> int:
    """The fold of a site: a hash, so that a site's pages always fall together."""
    return zlib.crc32(("cv" + site).encode("utf-8")) % folds


class Rows:
    """The feature rows of some pages, with each row's page and fold."""

    def __init__(self, pages: list[dict], folds: int):
        self.pages = pages
        self.X, non_blank, comment_rows = features_and_comment_rows([p["lines"] for p in pages])
        self.labels = np.array([-1 if y is None else y for p in pages for y in p["labels"]], dtype=np.int64)[non_blank]
        line_bounds = np.concatenate([[0], np.cumsum([len(p["lines"]) for p in pages])]).astype(np.int64)
        self.non_blank = [non_blank[a:b] for a, b in zip(line_bounds[:-1], line_bounds[1:])]
        # Per page, its lines that hold a comment word (found once, as the model finds them).
        self.comment_lines: list[list[int]] = [[] for _ in pages]
        lines_by_page(np.flatnonzero(non_blank)[comment_rows], line_bounds[1:], self.comment_lines)
        per_page = rows_per_page([p["lines"] for p in pages], non_blank)
        self.bounds = np.concatenate([[0], np.cumsum(per_page)])
        # A page of an --extra-sets set has fold -1: never held out, in every fold's fit.
        page_fold = np.array([p.get("cv_fold", fold_of(p["site"], folds)) for p in pages], dtype=np.int64)
        self.fold = np.repeat(page_fold, per_page)

    @functools.cached_property
    def wide(self) -> np.ndarray:
        """The rows with room for the second pass's columns."""
        return np.hstack([self.X, np.zeros((len(self.X), len(CONTEXT_FEATURE_NAMES)))])

    def page_scores(self, proba: np.ndarray, which=None, threshold: float = THRESHOLD) -> list[float]:
        """Bag F1 of each page (or of the pages ``which`` selects) at the threshold."""
        out = []
        for k, page in enumerate(self.pages):
            if which is not None and not which[k]:
                continue
            line_proba = np.zeros(len(page["lines"]))
            line_proba[self.non_blank[k]] = proba[self.bounds[k] : self.bounds[k + 1]]
            # As the model predicts: the rules that read the page in order, then the labels.
            _rules_at(threshold)._page_rules([page["lines"]], [line_proba], [self.comment_lines[k]])
            labels = _labels(line_proba, self.non_blank[k], threshold, threshold)
            out.append(bag_f1(_kept_text(page["lines"], labels), page["gold"])[2])
        return out


@functools.cache
def _rules_at(threshold: float) -> BoilerplateClassifier:
    """An unfitted model whose page rules (``_page_rules``) run at ``threshold``."""
    return BoilerplateClassifier(threshold=threshold)


def _fit_fold_lexicon(fit: Rows, labels, others: list[Rows]) -> None:
    """Fill the lexical columns as BoilerplateClassifier.fit does from the labeled
    rows (``labels`` >= 0) alone (folds by site), and the others' from the lexicon
    of all labeled rows."""
    if not hasattr(fit, "texts"):
        fit.texts = stripped_rows([p["lines"] for p in fit.pages])
    lexicon = learn_lexical_columns(fit.X, fit.texts, labels, np.diff(fit.bounds), [p["site"] for p in fit.pages])
    for rows in others:
        texts = stripped_rows([p["lines"] for p in rows.pages])
        lexical = lexicon.read_many(texts) if lexicon is not None else np.zeros((len(texts), 3))
        set_lexical(rows.X, lexical, np.diff(rows.bounds))
        rows.__dict__.pop("wide", None)  # rebuilt from X with the new columns


def _blended(passes, uncovered, rows: Rows, first_weights) -> dict[float, np.ndarray]:
    """P(content) of the rows at each first-pass weight (each forest walked once):
    from the ``(first, second)`` forests ``passes``, but on the pages the lexicon
    does not cover from the forests ``uncovered`` if given (as the model routes them)."""
    X = rows.wide if passes[1] is not None else rows.X
    scores = pass_scores(*passes, X, np.diff(rows.bounds), uncovered)
    return {w: blend_proba(*scores, X, w) for w in first_weights}


def cross_validate(
    params: dict,
    fit: Rows,
    held: dict[str, Rows],
    dev: dict[str, Rows],
    folds: int,
    second_trees: int = 0,
    thresholds=(THRESHOLD,),
    first_weights=(FIRST_PASS_WEIGHT,),
    lexicon: bool = False,
) -> dict:
    """Mean bag F1 per group for one setting (see the module's docstring), for each
    ``(first_weight, threshold)`` of ``first_weights`` x ``thresholds``; with
    ``second_trees``, a second pass of that many trees as in training/train.py (its
    out-of-fold first-pass probabilities from folds by site inside the training part),
    its log-odds blended with the first pass's by each of ``first_weights``."""
    if not second_trees:
        first_weights = (0.0,)  # nothing to blend
    proba = {(w, name): np.zeros(len(rows.X)) for w in first_weights for name, rows in held.items()}
    dev_proba: dict[tuple, list[np.ndarray]] = {(w, name): [] for w in first_weights for name in dev}
    weight = line_weights(fit.X)  # lines weigh their words, as in training/train.py
    if not lexicon:  # lexical columns of an earlier run with a lexicon
        for rows in [fit, *held.values(), *dev.values()]:
            set_lexical(rows.X, np.zeros((len(rows.X), 3)), np.diff(rows.bounds))
            rows.__dict__.pop("wide", None)
    page_fold = group_folds([p["site"] for p in fit.pages], len(fit.pages)) if second_trees else None
    second = LineClassifier(**{**params, "max_iter": second_trees}) if second_trees else None
    for f in range(folds):
        # The held-out fold's rows stay in X (the second pass reads whole pages) unlabeled.
        labels = np.where(fit.fold != f, fit.labels, -1)
        # Both passes on fit.X as it stands (its lexical columns are filled in place).
        fit_fold = functools.partial(
            fit_passes, LineClassifier(**params), fit.X, labels, weight, np.diff(fit.bounds), page_fold, second
        )
        uncovered = None
        if lexicon:
            # As BoilerplateClassifier.fit does: the forests for the pages the lexicon
            # will not cover (lexical columns 0), then the lexicon, learned from the
            # training part only, and the forests that read it.
            set_lexical(fit.X, np.zeros((len(fit.X), 3)), np.diff(fit.bounds))
            uncovered = fit_fold()
            _fit_fold_lexicon(fit, labels, [*held.values(), *dev.values()])
        passes = fit_fold()
        for name, rows in held.items():
            mine = rows.fold == f
            if mine.any():
                for w, p in _blended(passes, uncovered, rows, first_weights).items():
                    proba[w, name][mine] = p[mine]
        for name, rows in dev.items():
            for w, p in _blended(passes, uncovered, rows, first_weights).items():
                dev_proba[w, name].append(p)
    out = {}
    for w, t in itertools.product(first_weights, thresholds):
        out[w, t] = {
            name: statistics.fmean(rows.page_scores(proba[w, name], threshold=t)) for name, rows in held.items()
        }
        # Each fold model scores the dev pages; the mean of their mean scores.
        for name, rows in dev.items():
            out[w, t][name] = statistics.fmean(
                statistics.fmean(rows.page_scores(p, threshold=t)) for p in dev_proba[w, name]
            )
    return out


def main(argv=None) -> int:
    parser = script_parser(__doc__, "training.experiments.crossval")
    parser.add_argument("--prepared", default=DEFAULT_OUT)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0], help="one fit per seed and setting")
    parser.add_argument("--dev-pages", type=int, default=250, help="pages per dev set")
    parser.add_argument(
        "--dev-sets", nargs="+", default=list(DEV_SETS), help=f"sets scored by every fold model (default: {DEV_SETS})"
    )
    parser.add_argument(
        "--second-pass",
        type=int,
        nargs="+",
        default=[0],
        metavar="TREES",
        help="trees of the second pass (0: none); one run per value and setting",
    )
    parser.add_argument(
        "--thresholds",
        type=float,
        nargs="+",
        default=[THRESHOLD],
        help=f"score at each of these thresholds (default: the bundled model's {THRESHOLD})",
    )
    parser.add_argument(
        "--first-pass-weights",
        type=float,
        nargs="+",
        default=[FIRST_PASS_WEIGHT],
        metavar="W",
        help=f"with a second pass, the first pass's share of the log-odds; one score per value "
        f"(default {FIRST_PASS_WEIGHT})",
    )
    parser.add_argument(
        "--content-span",
        action="store_true",
        help="also score the held-out pages cut to their content span (a column of its own, in the mean)",
    )
    parser.add_argument(
        "--lexicon",
        choices=("on", "off", "both"),
        default="off",
        help="learn word weights (BoilerplateClassifier(lexicon=True)), not (the bundled model's default), or both",
    )
    parser.add_argument(
        "--extra-sets",
        nargs="+",
        default=[],
        metavar="SET",
        help="also fit every fold on the train split of these sets (never scored: see what more data buys)",
    )
    parser.add_argument(
        "--layouts",
        nargs="*",
        default=list(TRAIN_LAYOUTS),
        metavar="LAYOUT",
        help=f"other tools' layouts shown as training copies (default: {' '.join(TRAIN_LAYOUTS)}; none: no value)",
    )
    parser.add_argument(
        "--by-language",
        action="store_true",
        help="also score the cross-validated pages of each language of the multilingual set (daniel) apart",
    )
    parser.add_argument(
        "--score-layouts",
        nargs="*",
        default=[],
        metavar="LAYOUT",
        help="also score the multilingual set's (daniel's) cross-validated pages as each of these tools lays them out",
    )
    parser.add_argument(
        "--only", nargs="*", help=f"names of training.experiments.tune.SETTINGS to run (default: all {len(SETTINGS)})"
    )
    args = parser.parse_args(argv)
    if args.folds < 2:
        parser.error("--folds must be at least 2")
    if any(trees < 0 for trees in args.second_pass):
        parser.error("--second-pass takes a number of trees >= 0")
    if any(not 0.0 <= t <= 1.0 for t in args.thresholds):
        parser.error("--thresholds must lie between 0 and 1")
    if any(not 0.0 <= w <= 1.0 for w in args.first_pass_weights):
        parser.error("--first-pass-weights must lie between 0 and 1")
    unknown = sorted(set(args.only or ()) - set(SETTINGS))
    if unknown:
        parser.error(f"unknown settings {unknown}; known: {sorted(SETTINGS)}")
    clash = sorted(set(args.extra_sets) & (set(args.dev_sets) | set(TRAIN_SETS)))
    if clash:
        parser.error(f"--extra-sets {clash} are dev sets or trained on already")
    try:  # every set read before any work, so that one not prepared stops the run at once
        pages = training_pages(args.prepared)
        extra = training_pages(args.prepared, sets=args.extra_sets) if args.extra_sets else []
        dev_pages = {name: evaluation_pages(name, args.prepared) for name in args.dev_sets}
    except FileNotFoundError as exc:  # a set not prepared
        print(f"error: {exc}", file=sys.stderr)
        return 2
    extra = [{**p, "cv_fold": -1} for p in extra + training_copies(extra, args.layouts)]
    fit = Rows(pages + training_copies(pages, args.layouts) + extra, args.folds)
    held = {
        "cross-validated": Rows(pages, args.folds),
        "without blank lines": Rows([without_blank_lines(p) for p in pages], args.folds),
    }
    if args.content_span:
        held["content span"] = Rows([content_span(p) for p in pages], args.folds)
    if args.by_language:
        for lang in sorted({p.get("lang") for p in pages if p["set"] == "daniel"} - {None}):
            mine = [p for p in pages if p["set"] == "daniel" and p.get("lang") == lang]
            held[f"daniel {lang}"] = Rows(mine, args.folds)
    for layout in args.score_layouts:
        laid = [q for q in (in_layout(p, layout) for p in pages if p["set"] == "daniel") if q]
        held[f"daniel {layout}"] = Rows(laid, args.folds)
    dev = {}
    for name in args.dev_sets:
        chosen = [p for p in dev_pages[name] if p.get("gold")][: args.dev_pages]
        dev[name] = Rows([{**p, "site": p.get("site") or str(p["id"])} for p in chosen], args.folds)
    print(
        f"{args.folds} folds by site over {len(pages)} training pages ({len(fit.X)} rows with copies"
        + (f" and {len(extra)} pages of {', '.join(args.extra_sets)} in every fold's fit" if extra else "")
        + "); dev sets: "
        + ", ".join(f"{k} {len(v.pages)}" for k, v in dev.items())
    )
    header = [
        "setting",
        "lexicon",
        "second pass",
        "first-pass weight",
        "seed",
        "threshold",
        "fit s",
        *held,
        *dev,
        "mean",
    ]
    print("| " + " | ".join(header) + " |\n|" + "---|" * len(header))
    for name, change in SETTINGS.items():
        if args.only and name not in args.only:
            continue
        lexicons = {"on": (True,), "off": (False,), "both": (False, True)}[args.lexicon]
        for seed, trees, lexicon in itertools.product(args.seeds, args.second_pass, lexicons):
            start = time.perf_counter()
            params = {**ESTIMATOR_PARAMS, **change, "random_state": seed}
            results = cross_validate(
                params, fit, held, dev, args.folds, trees, args.thresholds, args.first_pass_weights, lexicon
            )
            seconds = f"{time.perf_counter() - start:.0f}"
            for (weight, threshold), scores in results.items():
                cells = [name, "on" if lexicon else "off", f"{trees} trees" if trees else "none"]
                cells += [f"{weight:g}" if trees else "-", str(seed)]
                cells += [f"{threshold:g}", seconds]
                cells += [f"{v:.4f}" for v in scores.values()]
                cells.append(f"{statistics.fmean(scores.values()):.4f}")
                print("| " + " | ".join(cells) + " |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
