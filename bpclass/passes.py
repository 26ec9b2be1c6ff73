"""The two passes of the line model, over feature rows of whole pages.

The first pass is a forest on each line's own features (and its neighbours'); the
second pass is a forest on those plus the first pass's probabilities around the
line (:mod:`bpclass.context`). Fitting: :func:`fit_passes`, the second pass learning
from out-of-fold first-pass probabilities. Predicting: :func:`passes_proba`, which
also routes the pages a lexicon does not cover to their own pair of forests and
blends the two passes' log-odds.
"""

from __future__ import annotations

import logging
import zlib

import numpy as np

from bpclass import features as _features
from bpclass.checks import check_line_weight, group_names
from bpclass.context import CONTEXT_FEATURE_NAMES, RISING_CONTEXT, add_context_columns
from bpclass.estimator import _logistic
from bpclass.features import FEATURE_INDEX, FEATURE_NAMES
from bpclass.policy import policy_boilerplate_rows

LOGGER = logging.getLogger(__name__)
# Lines per feature matrix when predicting (see chunks).
CHUNK_LINES = 8192
# Groups of pages (by ``fit``'s ``groups``) whose first-pass probabilities the second
# pass learns from: each group's come from a forest fitted on the other groups.
CONTEXT_FOLDS = 2
DEFAULT_FIRST_PASS_WEIGHT = 0.25


def clone(estimator):
    """scikit-learn's ``clone`` (imported here: only fitting clones, and predicting
    must not import scikit-learn)."""
    from sklearn.base import clone as sklearn_clone

    return sklearn_clone(estimator)


def chunks(pages: list[list[str]]):
    """(first line, first page, end page) of runs of pages of about CHUNK_LINES lines.

    Features are computed one run at a time: one matrix for many pages, small
    enough to stay in the CPU cache (a page longer than CHUNK_LINES is a run alone).
    """
    start = first = 0
    while start < len(pages):
        stop, lines = start, 0
        while stop < len(pages) and (stop == start or lines + len(pages[stop]) <= CHUNK_LINES):
            lines += len(pages[stop])
            stop += 1
        yield first, start, stop
        first += lines
        start = stop


def rows_per_page(pages: list[list[str]], non_blank: np.ndarray) -> np.ndarray:
    """How many feature rows (non-blank lines) each page of a batch has."""
    ends = np.cumsum([len(page) for page in pages], dtype=np.int64)
    running = np.concatenate([[0], np.cumsum(non_blank, dtype=np.int64)])
    return np.diff(np.concatenate([[0], running[ends]]))


def page_lines(at: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each line number ``at`` (counted over a batch of pages), its page and its
    line number within that page; ``ends`` holds where each page ends (the cumulative
    page lengths)."""
    page_of = np.searchsorted(ends, at, side="right")
    return page_of, at - np.concatenate([[0], ends[:-1]])[page_of]


def lines_by_page(at: np.ndarray, ends: np.ndarray, out: list[list[int]]) -> None:
    """Append each line number ``at`` (counted over a batch of pages, ascending) to its
    page's list in ``out``, as a line number within that page (:func:`page_lines`)."""
    for p, line in zip(*(a.tolist() for a in page_lines(at, ends))):
        out[p].append(line)


def group_folds(groups, n_pages: int, folds: int = CONTEXT_FOLDS) -> np.ndarray:
    """The fold (0 .. folds - 1) of each page; the pages of a group share one."""
    return folds_of(group_names(groups, n_pages), folds)


def folds_of(names: list[str], folds: int) -> np.ndarray:
    """The fold of each page named by :func:`~bpclass.checks.group_names`."""
    # Groups in the order of a hash of their repr (not of the pages), dealt out in turn:
    # every fold gets a group when there are enough, whatever the order of the pages.
    order = sorted(set(names), key=lambda name: (zlib.crc32(name.encode("utf-8")), name))
    fold_of = {name: k % folds for k, name in enumerate(order)}
    return np.array([fold_of[name] for name in names], dtype=np.int64)


def line_weights(X: np.ndarray, how: str = "words") -> np.ndarray | None:
    """Training weights of feature rows: their words (at least 1) for ``"words"``, ``None`` (all
    alike) for ``"uniform"``."""
    check_line_weight(how)
    if how == "uniform":
        return None
    # log_words is log(1 + words): the count comes back exactly.
    return np.maximum(np.rint(np.expm1(X[:, FEATURE_INDEX["log_words"]])), 1.0)


def _fit_rows(estimator, X: np.ndarray, y: np.ndarray, weight: np.ndarray | None, rows: np.ndarray, columns=None):
    """A fresh clone of ``estimator`` fitted on the selected rows (and their first ``columns`` columns)."""
    return clone(estimator).fit(X[rows, :columns], y[rows], sample_weight=None if weight is None else weight[rows])


def fit_passes(estimator, X, y, weight, per_page, page_fold=None, second_estimator=None):
    """Fit the first pass and, if ``page_fold`` is given, the second pass on feature rows.

    ``X`` holds the feature rows of whole pages (``per_page`` rows each), ``y`` their
    labels (-1: not trained on), ``weight`` the rows' weights or None. The second pass
    (``second_estimator``, else a copy of ``estimator``) learns from ``X`` plus the
    context columns of out-of-fold first-pass probabilities: the rows of pages in
    fold k (``page_fold``, one fold per page) are scored by a forest fitted on the
    other folds (with at most 1/CONTEXT_FOLDS of the estimator's ``max_samples``
    rows, so that these fits cost about one more). If ``X`` has room for the context
    columns, they are filled in place. Returns the fitted ``(first, second)``;
    ``second`` is None without ``page_fold``.
    """
    n_features = len(FEATURE_NAMES)
    labeled = y >= 0
    LOGGER.info("fitting %s on %d lines", type(estimator).__name__, int(labeled.sum()))
    first = _fit_rows(estimator, X, y, weight, labeled, n_features)
    if page_fold is None:
        return first, None
    out_of_fold = clone(estimator)
    if getattr(out_of_fold, "max_samples", None):
        out_of_fold.set_params(max_samples=max(1, out_of_fold.max_samples // CONTEXT_FOLDS))
    row_fold = np.repeat(page_fold, per_page)
    first_pass = np.zeros(len(X))
    for k in range(CONTEXT_FOLDS):
        mine = row_fold == k
        rest = labeled & ~mine
        if not mine.any():
            continue
        if set(np.unique(y[rest]).tolist()) != {0, 1}:
            raise ValueError(
                "the second pass needs both content and boilerplate lines in each of "
                f"{CONTEXT_FOLDS} groups of pages; give more pages (or other groups), or "
                "use second_pass=False."
            )
        LOGGER.info("second pass: first-pass probabilities of page group %d of %d", k + 1, CONTEXT_FOLDS)
        first_pass[mine] = _fit_rows(out_of_fold, X, y, weight, rest, n_features)._content_proba(X[mine])
    if X.shape[1] == n_features:
        X = np.hstack([X, np.zeros((len(X), len(CONTEXT_FEATURE_NAMES)))])
    add_context_columns(X, first_pass, per_page)
    second = rising_with_context(second_estimator if second_estimator is not None else estimator, n_features)
    LOGGER.info("second pass: fitting %s on %d lines", type(second).__name__, int(labeled.sum()))
    return first, _fit_rows(second, X, y, weight, labeled)


def rising_with_context(estimator, n_features: int = len(FEATURE_NAMES)):
    """The second pass's estimator with its output made to rise with the columns of
    RISING_CONTEXT (the line's own first-pass probability): a copy whose
    ``monotonic_cst`` says so. An estimator without that parameter, or with
    constraints of its own, is returned as it is."""
    params = estimator.get_params()
    if "monotonic_cst" not in params or params["monotonic_cst"] is not None:
        return estimator
    constraints = [0] * (n_features + len(CONTEXT_FEATURE_NAMES))
    for name in RISING_CONTEXT:
        constraints[n_features + CONTEXT_FEATURE_NAMES.index(name)] = 1
    return clone(estimator).set_params(monotonic_cst=constraints)


def pass_scores(first, second, X: np.ndarray, per_page: np.ndarray | None, uncovered=None) -> tuple:
    """``(score, proba, revised)`` of feature rows of whole pages (``per_page`` rows
    each; only the second pass needs them): the first pass's log-odds of content and
    probability, and the second pass's log-odds if there is one (else None); with a
    second pass, ``X`` has room for its columns (``spare_columns`` of
    :func:`~bpclass.features.batch_features`) and they are filled in. Given the
    ``(first, second)`` forests ``uncovered``, those score the rows of the pages the
    lexicon does not cover (:func:`covered_rows`) instead."""
    route, other_first, other_second = None, None, None
    if uncovered is not None:
        covered = covered_rows(X)
        if not covered.any():
            first, second = uncovered
        elif not covered.all():
            route = (np.flatnonzero(covered), np.flatnonzero(~covered))
            other_first, other_second = uncovered
    score = _routed_score(first, other_first, X, route)
    proba = _logistic(score)
    if second is None:
        return score, proba, None
    add_context_columns(X, proba, per_page)
    return score, proba, _routed_score(second, other_second, X, route)


def _routed_score(forest, other, X: np.ndarray, route) -> np.ndarray:
    """``forest``'s log-odds of the rows of X; with ``route`` (the row numbers of
    covered and of uncovered pages), ``other``'s of the latter. Each row walks one forest."""
    if route is None:
        return forest._content_score(X)
    score = np.empty(len(X))
    for rows, which in zip(route, (forest, other)):
        if len(rows):
            score[rows] = which._content_score(X, rows)
    return score


def covered_rows(X: np.ndarray) -> np.ndarray:
    """The feature rows of pages whose words the lexicon covers (``lexicon_coverage``
    is 0 on the others, and on every page without a lexicon: see
    :data:`~bpclass.features.LEXICON_MIN_COVERAGE`)."""
    return X[:, _features.FEATURE_INDEX["lexicon_coverage"]] > 0


def blend_proba(score, proba, revised, X: np.ndarray, first_weight: float = 0.0) -> np.ndarray:
    """P(content) from :func:`pass_scores`: log-odds ``first_weight`` times the first
    pass's plus the rest times the second's. The policy's own boilerplate lines (rows
    of ``X``) keep at most their first-pass probability."""
    if revised is None:
        return proba
    if first_weight:
        revised = first_weight * score + (1.0 - first_weight) * revised
    revised = _logistic(revised)
    # Context may not overrule the label policy: a short dateline, byline or credit
    # (bpclass.policy) keeps at most its first-pass probability. Without this, the
    # second pass keeps such lines between kept lines (comment headers, datelines
    # under a headline) about twice as often as the first (docs/experiments.md, "Second pass").
    return np.where(policy_boilerplate_rows(X), np.minimum(proba, revised), revised)


def passes_proba(
    first, second, X: np.ndarray, per_page: np.ndarray | None, first_weight: float = 0.0, uncovered=None
) -> np.ndarray:
    """P(content) of feature rows of whole pages: :func:`pass_scores`, then
    :func:`blend_proba`."""
    return blend_proba(*pass_scores(first, second, X, per_page, uncovered), X, first_weight)
