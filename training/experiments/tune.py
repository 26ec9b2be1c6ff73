"""Compare model settings on validation data only: never on a test split, aeb or the seed.

Validation = the training pages of one site in five (crc32("v" + site) % 5 == 0, a
split of the train split, by site) plus the first pages of the dev sets (dragnet,
cleaneval, krdwrd_canola; never trained on). Each setting is fitted on the other
training pages (with the same cropped copies as ``training/train.py``) and scored
by mean bag F1 per validation group, with its fit time and prediction speed.

    python -m training.experiments.tune                       # the settings in SETTINGS
    python -m training.experiments.tune --dev-pages 100       # quicker
"""

from __future__ import annotations

import statistics
import sys
import time
import zlib

import numpy as np

from bpclass import BoilerplateClassifier, LineClassifier
from bpclass.features import batch_features
from bpclass.passes import line_weights
from training import script_parser
from training.data import evaluation_pages, laid_out, training_pages
from training.evaluate import page_bag_f1s
from training.prepare import DEFAULT_OUT
from training.train import ESTIMATOR_PARAMS, cropped_copies

DEV_SETS = ("dragnet", "cleaneval", "krdwrd_canola")
# name -> changes to ESTIMATOR_PARAMS
SETTINGS = {
    "default": {},
    "150 trees, rate 0.2": {"max_iter": 150, "learning_rate": 0.2},
    "100 trees, rate 0.3": {"max_iter": 100, "learning_rate": 0.3},
    "100 trees, rate 0.2": {"max_iter": 100, "learning_rate": 0.2},
    "200 trees, rate 0.15": {"max_iter": 200, "learning_rate": 0.15},
    "100 trees, depth 8, 63 leaves, rate 0.2": {
        "max_iter": 100,
        "learning_rate": 0.2,
        "max_depth": 8,
        "max_leaf_nodes": 63,
    },
    "150 trees, depth 5, rate 0.15": {"max_iter": 150, "learning_rate": 0.15, "max_depth": 5},
    "100 trees, depth 5, rate 0.2": {"max_iter": 100, "learning_rate": 0.2, "max_depth": 5},
    "150 trees, depth 4, rate 0.2": {"max_iter": 150, "learning_rate": 0.2, "max_depth": 4},
    "200 trees, depth 5, rate 0.1": {"max_iter": 200, "learning_rate": 0.1, "max_depth": 5},
    "120 trees, depth 5, rate 0.15": {"max_iter": 120, "learning_rate": 0.15, "max_depth": 5},
}


def is_validation(page: dict) -> bool:
    return zlib.crc32(("v" + page["site"]).encode("utf-8")) % 5 == 0


def score(model, groups: dict) -> dict:
    return {name: statistics.mean(page_bag_f1s(model, pages)) for name, pages in groups.items()}


def main(argv=None) -> int:
    parser = script_parser(__doc__, "training.experiments.tune")
    parser.add_argument("--prepared", default=DEFAULT_OUT)
    parser.add_argument("--dev-pages", type=int, default=250, help="pages per dev set")
    parser.add_argument("--only", nargs="*", help="names of SETTINGS to run")
    args = parser.parse_args(argv)
    pages = training_pages(args.prepared)
    fit_pages = [p for p in pages if not is_validation(p)]
    fit_pages += cropped_copies(laid_out(fit_pages))
    groups = {"validation": [p for p in pages if is_validation(p)]}
    for name in DEV_SETS:
        groups[name] = [p for p in evaluation_pages(name, args.prepared) if p.get("gold")][: args.dev_pages]
    X, non_blank = batch_features([p["lines"] for p in fit_pages])
    labels = np.array([-1 if y is None else y for p in fit_pages for y in p["labels"]])[non_blank]
    X, labels = X[labels >= 0], labels[labels >= 0]
    print(f"fit on {len(fit_pages)} pages ({len(X)} lines); " + ", ".join(f"{k} {len(v)}" for k, v in groups.items()))
    header = ["setting", "fit s", "trees", *groups, "mean"]
    print("| " + " | ".join(header) + " |\n|" + "---|" * len(header))
    for name, change in SETTINGS.items():
        if args.only and name not in args.only:
            continue
        start = time.perf_counter()
        estimator = LineClassifier(**{**ESTIMATOR_PARAMS, **change}).fit(X, labels, sample_weight=line_weights(X))
        seconds = time.perf_counter() - start
        # One pass, no word weights: settings of the first forest alone (training.experiments.crossval
        # --second-pass and --lexicon add the rest).
        model = BoilerplateClassifier(estimator=LineClassifier(), second_pass=False)
        model.estimator_, model.context_estimator_, model.feature_names_, model.metadata_ = estimator, None, None, {}
        scores = score(model, groups)
        cells = [name, f"{seconds:.0f}", str(estimator.n_iter_), *(f"{v:.4f}" for v in scores.values())]
        cells.append(f"{statistics.mean(scores.values()):.4f}")
        print("| " + " | ".join(cells) + " |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
