"""Training time for many pages: features + fit of the default settings, timed by phase.

The shared sets hold fewer than 10,000 trainable pages, so the train-split pages of
the training sets are cycled (each round in a new order) up to ``--pages``: the
work per page is that of real pages. Prints the time of each phase and in all.

    python -m training.train_speed                 # 10,000 pages
    python -m training.train_speed --pages 2000
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time

from bpclass import BoilerplateClassifier, LineClassifier
from training.data import training_pages
from training.prepare import DEFAULT_OUT
from training.train import ESTIMATOR_PARAMS, SEED


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--prepared", default=DEFAULT_OUT)
    parser.add_argument("--pages", type=int, default=10_000)
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
    model = BoilerplateClassifier(estimator=LineClassifier(**ESTIMATOR_PARAMS))
    # The estimator's own fit, timed apart from BoilerplateClassifier.fit's features.
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
        model.fit([p["lines"] for p in pages], [p["labels"] for p in pages])
    finally:
        LineClassifier.fit = fit
    done = time.perf_counter()
    total = done - loaded
    print(f"{len(pages):,} pages, {model.metadata_['training_data']['lines']:,} labeled lines, {os.cpu_count()} cores")
    print(f"reading the prepared pages: {loaded - start:6.1f} s")
    print(f"features:                   {total - fit_seconds[0]:6.1f} s")
    print(f"fit ({ESTIMATOR_PARAMS['max_iter']} trees):            {fit_seconds[0]:6.1f} s")
    print(f"BoilerplateClassifier.fit:  {total:6.1f} s (features + fit)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
