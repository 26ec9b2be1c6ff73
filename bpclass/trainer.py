"""Train a model on your own labeled pages: ``bpclass train`` and :func:`train_pages`.

The recipe is the bundled model's (how its settings were chosen: ``training/train.py``
and ``docs/experiments.md``), with smaller leaves when there are few lines, and no
second pass below :data:`MIN_PAGES_SECOND_PASS` pages. Before it fits the model on
every page, :func:`held_out_scores` scores the recipe on pages it did not train on:
k-fold cross-validation in which a site's pages (a page's lines, when the sites are
not known) are all on one side, beside the bundled model on the same pages. So the
user sees whether their model beats the default before they use it.

Training needs scikit-learn (a core dependency) and no HTML library.
"""

from __future__ import annotations

import statistics
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np

from bpclass.estimator import LineClassifier
from bpclass.io import LabeledPage, read_labeled_pages
from bpclass.metrics import bag_f1
from bpclass.model import BoilerplateClassifier, load_model

# The bundled model's settings (training/train.py says how each was chosen).
ESTIMATOR_PARAMS = {
    "max_iter": 110,
    "learning_rate": 0.15,
    "max_leaf_nodes": 31,
    "max_depth": 5,
    "min_samples_leaf": 40,
    "l2_regularization": 1.0,
    "random_state": 0,
    "max_samples": 1_000_000,
}
SECOND_PASS_TREES = 30
FIRST_PASS_WEIGHT = 0.25
# With fewer pages than this, no second pass (its out-of-fold probabilities need
# pages on both sides).
MIN_PAGES_SECOND_PASS = 4
# With fewer labeled lines than this, leaves may hold 3 lines instead of 40, so that
# a handful of pages can still shape the trees.
FEW_LINES = 5000
# Below this many labeled pages, training warns: a model learns one site's layout
# from dozens of pages and other sites' from hundreds.
FEW_PAGES = 50
DEFAULT_FOLDS = 5


def page_groups(pages: Sequence[LabeledPage]) -> tuple[list[str], str]:
    """One group per page for splits that keep a group on one side, and what the
    groups are: sites (a page's ``site``, else its URL's host) when every page has
    one, else single pages."""
    sites = [page.site or (urlsplit(page.url).hostname if page.url else None) for page in pages]
    if all(sites):
        return [str(site) for site in sites], "site"
    return [f"page {k}" for k in range(len(pages))], "page"


def new_model(
    pages: Sequence[LabeledPage], keep_comments: bool = False, lexicon: bool = False, verbose: int = 0
) -> BoilerplateClassifier:
    """An unfitted model with the recipe's settings for these pages."""
    n_lines = sum(sum(y is not None for y in page.labels) for page in pages)
    params = {**ESTIMATOR_PARAMS, "min_samples_leaf": 20 if n_lines > FEW_LINES else 3}
    return BoilerplateClassifier(
        estimator=LineClassifier(**params, verbose=verbose),
        second_pass=len(pages) >= MIN_PAGES_SECOND_PASS,
        second_estimator=LineClassifier(**{**params, "max_iter": SECOND_PASS_TREES, "verbose": verbose}),
        first_pass_weight=FIRST_PASS_WEIGHT,
        keep_comments=keep_comments,
        lexicon=lexicon,
    )


@dataclass
class Scores:
    """Line precision, recall and F1 of the content class (all labeled lines pooled),
    and the mean over pages of the kept text's bag F1 against the content lines'."""

    line_precision: float
    line_recall: float
    line_f1: float
    bag_f1: float

    def __str__(self) -> str:
        line = f"line F1 {self.line_f1:.3f} (P {self.line_precision:.3f}, R {self.line_recall:.3f})"
        return f"{line}, bag F1 {self.bag_f1:.3f}"


def score_labels(pages: Sequence[LabeledPage], predicted: Sequence[np.ndarray]) -> Scores:
    """How well ``predicted`` (0/1 per line, one array per page) matches the pages' labels."""
    tp = n_pred = n_gold = 0
    bags = []
    for page, labels in zip(pages, predicted):
        kept, gold = [], []
        for line, y, label in zip(page.lines, page.labels, labels):
            if label:
                kept.append(line)
            if y == 1:
                gold.append(line)
            if y is not None:
                tp += int(y == 1 and label == 1)
                n_pred += int(label == 1)
                n_gold += int(y == 1)
        bags.append(bag_f1("\n".join(kept), "\n".join(gold))[2])
    precision, recall = tp / max(n_pred, 1), tp / max(n_gold, 1)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Scores(precision, recall, f1, statistics.fmean(bags) if bags else 0.0)


@dataclass
class HeldOut:
    """Cross-validated scores of the recipe on the user's pages, and the bundled model's
    on the same held-out pages."""

    folds: int
    grouped_by: str
    yours: Scores
    bundled: Scores


def held_out_scores(
    pages: Sequence[LabeledPage],
    folds: int = DEFAULT_FOLDS,
    keep_comments: bool = False,
    lexicon: bool = False,
    bundled: BoilerplateClassifier | None = None,
    say: Callable[[str], None] | None = None,
) -> HeldOut | None:
    """Cross-validate the recipe by site (or by page): every page is predicted by a
    model that never saw its site. ``None`` when there are fewer than 2 groups."""
    from sklearn.model_selection import GroupKFold

    groups, grouped_by = page_groups(pages)
    n_folds = min(folds, len(set(groups)))
    if n_folds < 2:
        return None
    bundled = bundled or load_model()
    ours: list = [None] * len(pages)
    theirs: list = [None] * len(pages)
    splits = GroupKFold(n_splits=n_folds).split(np.zeros(len(pages)), groups=groups)
    for fold, (train, test) in enumerate(splits, start=1):
        if say is not None:
            say(f"  fold {fold} of {n_folds}: fitting on {len(train)} pages, scoring {len(test)}")
        fold_train = [pages[k] for k in train]
        model = new_model(fold_train, keep_comments, lexicon)
        model.fit([p.lines for p in fold_train], [p.labels for p in fold_train], groups=[groups[k] for k in train])
        test_lines = [pages[k].lines for k in test]
        for k, a, b in zip(test, model.predict(test_lines), bundled.predict(test_lines)):
            ours[k], theirs[k] = a, b
    return HeldOut(n_folds, grouped_by, score_labels(pages, ours), score_labels(pages, theirs))


def read_pages(paths: Sequence[Path]) -> list[LabeledPage]:
    """Every labeled page in ``paths`` (files or folders, bpclass's labeled formats)."""
    pages: list[LabeledPage] = []
    for path in paths:
        if not Path(path).exists():
            raise ValueError(f"{path}: no such file or folder")
        pages += read_labeled_pages(path)
    if not pages:
        raise ValueError("no labeled pages found in " + ", ".join(map(str, paths)))
    return pages


def train_pages(
    pages: Sequence[LabeledPage],
    out: Path,
    keep_comments: bool = False,
    lexicon: bool = False,
    folds: int = DEFAULT_FOLDS,
    metadata: dict | None = None,
    say: Callable[[str], None] = lambda message: print(message, file=sys.stderr),
) -> BoilerplateClassifier:
    """Score the recipe on held-out pages (unless ``folds`` is 0), warn when the pages
    are few, fit a model on every page, save it to ``out``; returns the model."""
    groups, grouped_by = page_groups(pages)
    n_lines = sum(sum(y is not None for y in page.labels) for page in pages)
    say(f"{len(pages)} pages ({len(set(groups))} {grouped_by}s), {n_lines} labeled lines")
    if n_lines == 0:
        raise ValueError("the pages have no labeled lines")
    held_out = None
    if folds:
        say(f"scoring on held-out pages: {min(folds, len(set(groups)))}-fold cross-validation by {grouped_by}")
        held_out = held_out_scores(pages, folds, keep_comments, lexicon, say=say)
        if held_out is None:
            say(f"no held-out score: the pages come from one {grouped_by} (2 are needed)")
        else:
            say(f"  your model:    {held_out.yours}")
            say(f"  bundled model: {held_out.bundled}  (on the same pages)")
    if len(pages) < FEW_PAGES:
        say(
            f"warning: {len(pages)} labeled pages are few. A model learns one site's layout from dozens of pages "
            f"and other sites' from hundreds (at least {FEW_PAGES} pages, from several sites, before it is likely "
            "to beat the bundled model on sites it did not see)."
        )
    if held_out is not None and held_out.yours.bag_f1 < held_out.bundled.bag_f1:
        say(
            "warning: on these held-out pages the bundled model scores higher than yours; label more pages, "
            "or keep the bundled model."
        )
    model = new_model(pages, keep_comments, lexicon, verbose=0)
    summary = {"pages": len(pages), "labeled_lines": n_lines, "grouped_by": grouped_by}
    if held_out is not None:
        summary["held_out"] = {
            "folds": held_out.folds,
            "yours": vars(held_out.yours),
            "bundled": vars(held_out.bundled),
        }
    say("fitting on every page")
    model.fit(
        [p.lines for p in pages],
        [p.labels for p in pages],
        metadata={"name": Path(out).stem, "training_data": {**summary, **(metadata or {})}},
        groups=groups,
    )
    model.save(out)
    say(f"saved {out}")
    return model
