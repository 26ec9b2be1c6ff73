"""Training time for many pages: features + fits of the default settings, timed by phase.

The shared sets hold fewer than 10,000 trainable pages, so the train-split pages of
the training sets are cycled (each round in a new order) up to ``--pages``: the
work per page is that of real pages. Prints the time of each phase and in all.

    python -m training.experiments.train_speed                 # 10,000 pages
    python -m training.experiments.train_speed --pages 2000
    python -m training.experiments.train_speed --lexicon       # with word weights, as the bundled model
"""

from __future__ import annotations

import os
import random
import sys
import time

from bpclass import BoilerplateClassifier, LineClassifier
from training import script_parser
from training.data import training_pages
from training.prepare import DEFAULT_OUT
from training.train import ESTIMATOR_PARAMS, SECOND_PASS_TREES, SEED, second_pass_estimator


def main(argv=None) -> int:
    parser = script_parser(__doc__, "training.experiments.train_speed")
    parser.add_argument("--prepared", default=DEFAULT_OUT)
    parser.add_argument("--pages", type=int, default=10_000)
    parser.add_argument(
        "--lexicon",
        action="store_true",
        help="also learn word weights, and the trees of the pages they do not cover (as the bundled model)",
    )
    args = parser.parse_args(argv)
    start = time.perf_counter()
    source = training_pages(args.prepared)
    rng = random.Random(SEED)
    pages = []
    while len(pages) < args.pages:
        batch = source[:]
        rng.shuffle(batch)
        pages += batch[: args.pages - len(pages)]
    loaded = time.perf_counter()
    # As training/train.py fits the bundled model: two passes, folds by site.
    model = BoilerplateClassifier(
        estimator=LineClassifier(**ESTIMATOR_PARAMS),
        second_estimator=second_pass_estimator(ESTIMATOR_PARAMS),
        lexicon=args.lexicon,
    )
    # The estimator's own fits, timed apart from BoilerplateClassifier.fit's features.
    fit_seconds = []
    fit = LineClassifier.fit

    def timed_fit(self, X, y, sample_weight=None):
        begin = time.perf_counter()
        try:
            return fit(self, X, y, sample_weight)
        finally:
            fit_seconds.append(time.perf_counter() - begin)

    LineClassifier.fit = timed_fit
    try:
        model.fit([p["lines"] for p in pages], [p["labels"] for p in pages], groups=[p["site"] for p in pages])
    finally:
        LineClassifier.fit = fit
    done = time.perf_counter()
    total = done - loaded
    print(f"{len(pages):,} pages, {model.metadata_['training_data']['lines']:,} labeled lines, {os.cpu_count()} cores")
    print(f"reading the prepared pages: {loaded - start:6.1f} s")
    names = [
        f"first pass ({ESTIMATOR_PARAMS['max_iter']} trees)",
        "out-of-fold first pass, half 1",
        "out-of-fold first pass, half 2",
        f"second pass ({SECOND_PASS_TREES} trees)",
    ]
    if args.lexicon:  # first the trees of the pages the weights do not cover, then the others
        names = [f"{name}, {which}" for which in ("no word weights", "word weights") for name in names]
        print(f"features, context columns, word weights: {total - sum(fit_seconds):6.1f} s")
    else:
        print(f"features and context columns: {total - sum(fit_seconds):6.1f} s")
    for name, seconds in zip(names, fit_seconds):
        print(f"fit, {name + ':':48s} {seconds:6.1f} s")
    print(f"BoilerplateClassifier.fit:     {total:6.1f} s (features + fits)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
