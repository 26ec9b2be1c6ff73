"""Train a bpclass model: the bundled default, or one on your own labeled pages.

The bundled model (``bpclass/models/default.npz``) is trained on the train split
(by site) of the shared sets in ``training.data.TRAIN_SETS`` (all of the sets in
``WHOLE_SETS``, which are scored by cross-validation by site), prepared first with
``python -m training.prepare``; the seed is fixed, so the same data give the same
model. Its held-out scores go into the model's metadata. The bundled model learns
word weights (``BoilerplateClassifier(lexicon=True)``); a model of your own pages does
only when asked (``--lexicon``), since the weights want pages of many sites.

    python -m training.prepare && python -m training.train          # the default model
    python -m training.train --no-lexicon --out plain.npz          # ... without word weights
    python -m training.train --site-share 0.5 --out half.npz       # half the training sites (learning curve)
    python -m training.train --permissive --out permissive.npz     # only the sets of permissive licences
    python -m training.train --whole-sets --out split.npz          # every set's test split held out (daniel's too)
    python -m training.train --pages data/labeled --out my.npz     # your own pages
    python -m training.train --pages data/labeled --out my.npz --lexicon   # ... also learning word weights
    python -m training.train --pages my_pages/ --with-bundled-data --out my.npz   # the bundled data plus yours

Your own pages alone: ``bpclass train`` does the same from anywhere (it scores the
recipe on held-out pages of yours, beside the bundled model, before it fits).

``--pages`` takes labeled pages in bpclass's formats (``.txt`` with ``+``/``-``
lines, ``.json``, ``.jsonl``, ``.jsonl.gz``, or a folder of them; see data/FORMAT.md).
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path

import bpclass
from bpclass import BoilerplateClassifier, LineClassifier, trainer
from bpclass.lexicon import LEXICON_BLIND_EVERY, LEXICON_MIN_GROUPS
from training import script_parser
from training.data import (
    MAX_SKIPPED_PROSE,
    MIN_LABELER_F1,
    PERMISSIVE_LICENCES,
    SET_LICENCES,
    TRAIN_SETS,
    content_span,
    in_layout,
    laid_out,
    site_share,
    training_pages,
    with_policy_labels,
    without_blank_lines,
)
from training.layouts import LAYOUTS
from training.prepare import ALL_SETS, DEFAULT_DATA, DEFAULT_OUT, TEST_SHARE_MOD

DEFAULT_MODEL_PATH = Path(__file__).resolve().parent.parent / "bpclass" / "models" / "default.npz"
SEED = 0
# Many users' pages start at the headline (the text of the article's container, not
# of the whole page). One in CROP_EVERY training pages is also shown that way: a
# copy cut to start at its first content line.
CROP_EVERY = 3
# Many scrapers give no blank lines between blocks. One in BLANK_FREE_EVERY training
# pages (not the cropped ones) is also shown without its blank lines. Chosen with
# training/tune.py-style runs on validation data: without such copies, bag F1 falls
# from 0.842 to 0.808 when the blank lines are removed; with one copy in 6: 0.840
# as laid out, 0.836 without blank lines (one in 3: 0.840 / 0.835; one in 2: 0.839 / 0.833).
BLANK_FREE_EVERY = 6
# Scrapers that take the article's container give its content lines and what lies
# between them, nothing above or below. One in SPAN_EVERY training pages is also shown
# cut to that span. Validation mean bag F1 (as laid out / no blank lines / content span
# only): without such copies 0.839 / 0.836 / 0.903; with one in 6: 0.840 / 0.835 / 0.937;
# with them instead of the cropped copies (one in 3): 0.832 / 0.836 / 0.941.
SPAN_EVERY = 6
# Users' lines come from many tools, not only an innerText-like layout: one text
# node per line (BeautifulSoup's get_text("\n")) splits a paragraph at every link.
# One in LAYOUT_EVERY training pages is also shown as each of TRAIN_LAYOUTS lays it
# out (every other such copy without its blank lines), when its labels reproduce the
# gold text as well as MIN_LABELER_F1 asks. Held out, one node per line 0.836 ->
# 0.854; cross-validated by site (the pages as laid out) 0.8783 without copies,
# 0.8765 with BeautifulSoup's, 0.8736 with inscriptis' as well, which gained nothing
# on its own layout (docs/experiments.md, 2026-12-06).
LAYOUT_EVERY = 3
TRAIN_LAYOUTS = ("soup",)
# Most training pages are English: each page in another language may be shown this
# many more times (exact copies). Daniel cross-validated by site: +0.005; but the
# bundled recipe with 1 lost 0.002 on the held-out sets, German -0.015
# (docs/experiments.md, 2026-12-07), so it stays 0.
OTHER_LANGUAGE_COPIES = 0
# Sets the bundled model trains on whole, test split too: daniel, the only news in
# Chinese, Polish, Russian and Greek, whose figures come from cross-validation by
# site over all its pages instead (``python -m training.experiments.setcv``, which
# trains each fold on the other folds' sites only); its test split is 184 pages of
# few sites, a quarter more sites to learn from.
WHOLE_SETS = ("daniel",)
# Chosen with training/tune.py on a validation split (by site) of the training pages
# and the dev sets (dragnet, cleaneval, krdwrd); never on scrapinghub_aeb or the seed
# page. 150 trees of depth 5 scored as well as 300 of depth 6 (validation mean bag F1
# 0.842 vs 0.840) and are 2.4 times less to walk per line. With the second pass, the
# first needs fewer: 5-fold cross-validation by site, mean of two seeds, one pass of
# 110 / 130 / 150 trees 0.8503 / 0.8501 / 0.8500; with a second pass of 30 trees
# 0.8520 / 0.8519 / 0.8517 (the second pass's own sizes below).
# (bpclass.trainer holds these settings, which `bpclass train` uses too.)
ESTIMATOR_PARAMS = {**trainer.ESTIMATOR_PARAMS, "random_state": SEED}

# The second pass (bpclass.context): a forest of this many trees, same settings, over
# the features plus the first pass's out-of-fold probabilities around each line.
# 5-fold cross-validation by site (training.experiments.crossval's folds; mean of two seeds), after
# 110 first-pass trees, second pass of 20 / 30 / 40 / 50 trees: 0.8520 / 0.8520 /
# 0.8519 / 0.8522 (one pass: 0.8503; without blank lines 0.859 -> 0.866). 110 + 30
# trees are fewer to walk than the 150 of one pass before. Through the library's code
# (python -m training.experiments.crossval --only default --second-pass 0 30 --seeds 0 1): mean
# 0.8505 -> 0.8505 and 0.8500 -> 0.8504; without blank lines +0.004, dragnet -0.007,
# cleaneval +0.003 in both seeds. Held out, paired: all pages +0.003 (docs/experiments.md).
SECOND_PASS_TREES = trainer.SECOND_PASS_TREES


# A line's final log-odds: this share of the first pass's plus the rest of the second
# pass's (BoilerplateClassifier's first_pass_weight). 5-fold cross-validation by site,
# seeds 0 and 1 (python -m training.experiments.crossval --only default --second-pass 30 --seeds 0 1
# --first-pass-weights 0 0.25 0.5 0.75 1): mean 0.8511 / 0.8526 / 0.8530 / 0.8516 / 0.8505
# and 0.8506 / 0.8515 / 0.8513 / 0.8507 / 0.8500. With pages cut to their content span
# in the mean as well (--content-span; 0 / 0.25 / 0.5): 0.8640 / 0.8649 / 0.8649 and
# 0.8637 / 0.8643 / 0.8639 -- the span alone prefers the second pass (0.928 / 0.927 /
# 0.926), so 0.25, tied best as laid out and best with spans.
FIRST_PASS_WEIGHT = trainer.FIRST_PASS_WEIGHT


def second_pass_estimator(params: dict, **extra) -> LineClassifier:
    """The second pass's forest: the first pass's settings with SECOND_PASS_TREES trees."""
    return LineClassifier(**{**params, "max_iter": SECOND_PASS_TREES, **extra})


# P(content) at which a line is kept, chosen on the validation data with the settings
# above (mean bag F1 of the validation split and dev sets, as laid out / without blank
# lines): 0.40: 0.838 / 0.840, 0.45: 0.840 / 0.838, 0.50: 0.840 / 0.836, 0.55: 0.837 / 0.830.
# Checked again with the content-span copies: 0.40: 0.838 / 0.841, 0.45: 0.841 / 0.840,
# 0.50: 0.842 / 0.836, 0.55: 0.840 / 0.832.
THRESHOLD = 0.45


def _say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def cropped_copies(pages: list[dict], every: int = CROP_EVERY) -> list[dict]:
    """Copies of every ``every``-th page, cut to start at its first content line."""
    out = []
    for page in pages[::every]:
        first = next((i for i, y in enumerate(page["labels"]) if y == 1), 0)
        if first > 0:
            out.append({**page, "lines": page["lines"][first:], "labels": page["labels"][first:]})
    return out


def span_copies(pages: list[dict], every: int = SPAN_EVERY) -> list[dict]:
    """Copies of every ``every``-th page (from the third on) cut to their content span."""
    return [content_span(page) for page in pages[2::every]]


def blank_free_copies(pages: list[dict], every: int = BLANK_FREE_EVERY) -> list[dict]:
    """Copies of every ``every``-th page (from the second on) without their blank lines."""
    return [without_blank_lines(page) for page in pages[1::every]]


def layout_copies(pages: list[dict], layouts=TRAIN_LAYOUTS, every: int = LAYOUT_EVERY) -> list[dict]:
    """Copies of every ``every``-th page as another tool lays it out: the k-th layout
    takes the pages from the k-th on; every other copy also loses its blank lines."""
    out = []
    for k, key in enumerate(layouts):
        for j, page in enumerate(pages[k::every]):
            copy = in_layout(page, key)
            if copy is None or copy["labeler_f1"] < MIN_LABELER_F1:
                continue
            out.append(without_blank_lines(copy) if j % 2 else copy)
    return with_policy_labels(out)


def training_copies(pages: list[dict], layouts=TRAIN_LAYOUTS) -> list[dict]:
    """The cropped, blank-free, content-span and other-layout copies of the pages laid
    out from HTML."""
    pages = laid_out(pages)
    return cropped_copies(pages) + blank_free_copies(pages) + span_copies(pages) + layout_copies(pages, layouts)


def train_default(
    prepared: Path,
    out: Path,
    evaluate_after: bool = True,
    lexicon: bool = True,
    share: float = 1.0,
    extra_sets=(),
    permissive: bool = False,
    layouts=TRAIN_LAYOUTS,
    own_pages=(),
    html_data: Path | None = None,
    other_language_copies: int = OTHER_LANGUAGE_COPIES,
    whole_sets=WHOLE_SETS,
) -> BoilerplateClassifier:
    """The bundled recipe; ``own_pages`` (LabeledPages, --with-bundled-data) are added
    to its training pages as they are, without copies. With ``html_data`` (the shared
    sets' folder), the HTML stage is fitted too (:func:`add_html_stage`). Of the sets
    in ``whole_sets`` every page trains, test split too."""
    sets = {k: v for k, v in TRAIN_SETS.items() if not permissive or v in PERMISSIVE_LICENCES}
    sets.update({name: SET_LICENCES.get(name, "unknown") for name in extra_sets})
    whole = tuple(name for name in whole_sets if name in sets)
    _say(
        f"reading the train split of {', '.join(sets)} from {prepared}"
        + (f" (all of {', '.join(whole)})" if whole else "")
    )
    pages = training_pages(prepared, sets=tuple(sets), whole=whole)
    if share < 1:
        all_pages = len(pages)
        pages = site_share(pages, share)
        _say(f"a share of {share} of the training sites: {len(pages)} of {all_pages} pages")
    copies = training_copies(pages, layouts)
    copies += [p for p in pages if (p.get("lang") or "en") != "en" for _ in range(other_language_copies)]
    per_set = {name: sum(p["set"] == name for p in pages) for name in sets}
    n_lines = sum(sum(y is not None for y in p["labels"]) for p in pages)
    _say(
        f"{len(pages)} pages (+{len(copies)} cropped, blank-free, content-span or other-layout copies), "
        f"{n_lines} labeled lines; "
        f"fitting {ESTIMATOR_PARAMS['max_iter']} + {SECOND_PASS_TREES} trees"
    )
    metadata = {
        "name": "bpclass-default",
        "training_data": {
            "sets": sets,
            "pages_per_set": per_set,
            "pages": len(pages),
            "lines": n_lines,
            "split": f"by site: crc32(site) % {TEST_SHARE_MOD} == 0 held out for testing"
            + (f"; all pages of {', '.join(whole)} (scored by cross-validation by site instead)" if whole else ""),
            **({"whole_sets": list(whole)} if whole else {}),
            "min_labeler_f1": MIN_LABELER_F1,
            "max_skipped_prose_lines": MAX_SKIPPED_PROSE,
            "labels": "HTML laid out as innerText-like lines, aligned in order with the gold text; "
            "the title line is content; short datelines, bylines and credits (no sentence end) are 0",
            "cropped_copies": f"every {CROP_EVERY}rd page also starts at its first content line",
            "blank_free_copies": f"every {BLANK_FREE_EVERY}th page also without its blank lines",
            "span_copies": f"every {SPAN_EVERY}th page also cut to run from its first to its last content line",
            "layout_copies": f"every {LAYOUT_EVERY}rd page also as each of {', '.join(layouts) or 'no other tool'} "
            "lays it out (training.layouts), every other such copy without blank lines",
            "line_weight": "words: each labeled line weighs as many words as it has",
            "second_pass": f"{SECOND_PASS_TREES} trees on out-of-fold first-pass probabilities, folds by site; "
            "rising with the line's own first-pass probability; log-odds blended with the first pass's",
            "lexicon": "word weights of a logistic regression on the labeled lines' words (words seen on at least "
            f"{LEXICON_MIN_GROUPS} sites), the training lines scored out of fold by site; one page in "
            f"{LEXICON_BLIND_EVERY} shown without them; pages they do not cover read by trees fitted without them"
            if lexicon
            else "none",
            "seed": SEED,
            **({"site_share": share} if share < 1 else {}),
            **({"other_language_copies": other_language_copies} if other_language_copies else {}),
            **({"own_pages": len(own_pages)} if own_pages else {}),
        },
    }
    start = time.time()
    # verbose=1: one line per boosting iteration, so a long fit shows its progress.
    model = BoilerplateClassifier(
        threshold=THRESHOLD,
        estimator=LineClassifier(**ESTIMATOR_PARAMS, verbose=1),
        second_estimator=second_pass_estimator(ESTIMATOR_PARAMS, verbose=1),
        first_pass_weight=FIRST_PASS_WEIGHT,
        lexicon=lexicon,
    )
    own_sites = trainer.page_groups(own_pages)[0] if own_pages else []
    train = (
        pages
        + copies
        + [{"lines": p.lines, "labels": p.labels, "site": f"yours:{site}"} for p, site in zip(own_pages, own_sites)]
    )
    # A site's pages (and their copies) stay on one side when the second pass's
    # first-pass probabilities are computed out of fold.
    model.fit(
        [p["lines"] for p in train], [p["labels"] for p in train], metadata=metadata, groups=[p["site"] for p in train]
    )
    _say(f"fitted in {time.time() - start:.1f} s")
    if evaluate_after:
        from training.evaluate import evaluate, format_table

        _say("scoring held-out pages of every set")
        scored = [s for s in ALL_SETS if (Path(prepared) / f"{s}.jsonl.gz").exists()]
        results = evaluate(model, scored, prepared, trained_on=tuple(sets), whole=whole)
        model.metadata_["scores"] = {
            name: {
                "pages": r["pages"],
                "line_f1": round(r["bpclass"]["line_f1"], 4),
                "bag_f1": round(r["bpclass"]["bag_f1"], 4),
            }
            for name, r in results.items()
        }
        print(format_table(results))
    if html_data is not None:
        model = add_html_stage(model, prepared, html_data)
    model.save(out)
    _say(f"saved {out} ({out.stat().st_size / 1e6:.2f} MB)")
    return model


def add_html_stage(model: BoilerplateClassifier, prepared: Path, data: Path) -> BoilerplateClassifier:
    """The model with an HTML stage fitted on the pages of the permissive sets that
    come as HTML (training/htmlstage.py); their pages' HTML is read from ``data``."""
    from training.htmlstage import fit_stage, training_stage_pages

    start = time.time()
    pages = training_stage_pages(model, prepared, data)
    _say(f"fitting the HTML stage on {len(pages)} pages of {', '.join(sorted({p['set'] for p in pages}))}")
    fitted = fit_stage(model, pages)
    fitted.metadata_["html_stage"] = {
        "pages": len(pages),
        "sets": sorted({p["set"] for p in pages}),
        "recipe": "training/htmlstage.py",
    }
    _say(f"HTML stage fitted in {time.time() - start:.1f} s")
    return fitted


def train_on_files(
    paths: list[Path], out: Path, keep_comments: bool = False, lexicon: bool = False, folds: int = trainer.DEFAULT_FOLDS
) -> BoilerplateClassifier:
    """``bpclass train``: your pages alone (bpclass.trainer)."""
    pages = trainer.read_pages(paths)
    metadata = {"files": [str(p) for p in paths]}
    return trainer.train_pages(pages, out, keep_comments, lexicon, folds, metadata)


def parse_args(argv=None):
    parser = script_parser(__doc__, "training.train")
    parser.add_argument("--pages", type=Path, nargs="+", help="your labeled pages (files or folders)")
    parser.add_argument("--prepared", type=Path, default=DEFAULT_OUT, help="prepared shared sets")
    parser.add_argument("--out", type=Path, default=None, help="model file to write")
    parser.add_argument("--no-eval", action="store_true", help="skip scoring held-out pages")
    parser.add_argument(
        "--with-bundled-data",
        action="store_true",
        help="with --pages: train the bundled recipe on its data (--prepared) plus your pages",
    )
    parser.add_argument(
        "--keep-comments",
        action="store_true",
        help="with --pages: the model keeps what it predicts below comment headings (your labels keep comments)",
    )
    parser.add_argument(
        "--lexicon",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="learn word weights (BoilerplateClassifier(lexicon=True)); default: yes for the bundled model, "
        "no with --pages (see docs/experiments.md, 'Learned word weights')",
    )
    parser.add_argument(
        "--permissive",
        action="store_true",
        help="bundled recipe only: leave out the training sets whose licence is not permissive (daniel, GPL-3.0)",
    )
    parser.add_argument(
        "--extra-sets",
        nargs="+",
        default=[],
        metavar="SET",
        help="bundled recipe only: also train on these prepared sets' train splits (their licences are recorded)",
    )
    parser.add_argument(
        "--layouts",
        nargs="*",
        default=list(TRAIN_LAYOUTS),
        choices=sorted(LAYOUTS),
        metavar="LAYOUT",
        help=f"bundled recipe only: other tools' layouts shown as copies (default: {' '.join(TRAIN_LAYOUTS)}; "
        "none: --layouts with no value)",
    )
    parser.add_argument(
        "--html",
        action="store_true",
        help="only add the HTML stage to --model (default: the bundled model) and write --out (default: the bundled "
        "model's file)",
    )
    parser.add_argument("--model", type=Path, default=None, help="with --html: the model to add the stage to")
    parser.add_argument(
        "--no-html", action="store_true", help="bundled recipe: leave out the HTML stage (text lines only)"
    )
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder of the shared sets' HTML")
    parser.add_argument(
        "--other-language-copies",
        type=int,
        default=OTHER_LANGUAGE_COPIES,
        help="bundled recipe only: show each training page that is not English this many more times",
    )
    parser.add_argument(
        "--whole-sets",
        nargs="*",
        default=list(WHOLE_SETS),
        metavar="SET",
        help="bundled recipe only: train on every page of these sets, test split too "
        f"(default: {' '.join(WHOLE_SETS)}; none: --whole-sets with no value, as cross-validation must)",
    )
    parser.add_argument(
        "--site-share",
        type=float,
        default=1.0,
        help="bundled recipe only: train on this share of the training sites (a learning curve; default 1)",
    )
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="[%(asctime)s] %(message)s", datefmt="%H:%M:%S")
    try:
        if args.html:
            model = add_html_stage(bpclass.load_model(args.model), args.prepared, args.data)
            out = args.out or DEFAULT_MODEL_PATH
            model.save(out)
            _say(f"saved {out} ({out.stat().st_size / 1e6:.2f} MB)")
            return 0
        if args.with_bundled_data and not args.pages:
            raise ValueError("--with-bundled-data adds your --pages to the bundled data: give --pages")
        if (
            args.pages
            and not args.with_bundled_data
            and (
                args.extra_sets
                or args.site_share != 1
                or args.permissive
                or args.layouts != list(TRAIN_LAYOUTS)
                or args.whole_sets != list(WHOLE_SETS)
            )
        ):
            raise ValueError(
                "--extra-sets, --permissive, --layouts, --whole-sets and --site-share go with the bundled recipe, "
                "not with --pages"
            )
        if args.pages and not args.with_bundled_data:
            train_on_files(args.pages, args.out or Path("model.npz"), args.keep_comments, bool(args.lexicon))
        elif args.keep_comments:
            raise ValueError("--keep-comments goes with --pages (the bundled model follows the comment policy)")
        else:
            lexicon = True if args.lexicon is None else args.lexicon
            if args.site_share != 1 and args.out is None:
                raise ValueError("--site-share needs --out (it must not overwrite the bundled model)")
            if args.with_bundled_data and args.out is None:
                raise ValueError("--with-bundled-data needs --out (it must not overwrite the bundled model)")
            out = args.out or DEFAULT_MODEL_PATH
            train_default(
                args.prepared,
                out,
                not args.no_eval,
                lexicon,
                args.site_share,
                args.extra_sets,
                args.permissive,
                tuple(args.layouts),
                trainer.read_pages(args.pages) if args.with_bundled_data else (),
                None if args.no_html or args.with_bundled_data else args.data,
                args.other_language_copies,
                tuple(args.whole_sets),
            )
    except (FileNotFoundError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
