"""BoilerplateClassifier: pages of text lines in, one 0/1 label per line out.

Prediction runs the first forest over each line's features, then (by default) the
second pass (:mod:`bpclass.context`) over the features plus the first pass's
probabilities around the line. A model with learned word weights (``lexicon=True``)
holds a second pair of forests, fitted without them, for the pages whose words the
weights do not cover; each page's lines walk one pair.

A model file is a numpy ``.npz`` archive of plain arrays (the trees of its forests,
see :mod:`bpclass.estimator`) plus one JSON document of metadata. It is read with
``allow_pickle=False`` and checked before use, so loading a file never runs code
from it. The metadata records the format version, the package versions, the ordered
feature names, the training data and the scores; a file whose features do not match
this version's :data:`~bpclass.features.FEATURE_NAMES` is refused.
"""

from __future__ import annotations

import copy
import functools
import io
import json
import logging
import os
import zipfile
import zlib
from collections.abc import Hashable, Sequence
from importlib import resources

import numpy as np
from sklearn.base import BaseEstimator, clone
from sklearn.utils.validation import check_is_fitted

from bpclass import features as _features
from bpclass.context import CONTEXT_FEATURE_NAMES, RISING_CONTEXT, add_context_columns
from bpclass.estimator import TREE_ARRAYS, LineClassifier, _logistic
from bpclass.features import (
    FEATURE_INDEX,
    FEATURE_NAMES,
    Lexicon,
    batch_features,
    features_and_comment_rows,
    set_lexical,
)
from bpclass.policy import drop_comment_sections, policy_boilerplate_rows
from bpclass.sites import check_sites, template_flags

# Lines per feature matrix when predicting (see _proba).
CHUNK_LINES = 8192
LOGGER = logging.getLogger(__name__)

FORMAT_NAME = "bpclass-model"
# 2 added the second pass (its forest's arrays are prefixed CONTEXT_PREFIX); 3 added
# first_pass_weight, which a file of the second pass must give (an older bpclass would
# ignore it and predict otherwise, so it refuses format 3); 4 added the lexicon (arrays
# LEXICON_WORDS and LEXICON_WEIGHTS); 5 added the trees of the pages a lexicon does not
# cover (arrays prefixed UNCOVERED_PREFIX, metadata uncovered_trees), which an older
# bpclass would not use. Files of formats 1 (one forest) and 2 (the second pass alone
# decides: weight 0) are still read.
FORMAT_VERSION = 5
OLDEST_FORMAT_VERSION = 1
CONTEXT_PREFIX = "context_"
UNCOVERED_PREFIX = "uncovered_"
# The lexicon's words (UTF-8, one per line) and their float32 weights.
LEXICON_WORDS = "lexicon_words"
LEXICON_WEIGHTS = "lexicon_weights"
# Groups of pages (by ``fit``'s ``groups``) whose first-pass probabilities the second
# pass learns from: each group's come from a forest fitted on the other groups.
CONTEXT_FOLDS = 2
DEFAULT_THRESHOLD = 0.5
DEFAULT_FIRST_PASS_WEIGHT = 0.25
# How much each labeled line counts in training (BoilerplateClassifier(line_weight=...)).
LINE_WEIGHTS = ("words", "uniform")
# The learned word weights (BoilerplateClassifier(lexicon=True)): a logistic
# regression (inverse regularisation LEXICON_C) on the words of the labeled lines,
# over words seen in at least LEXICON_MIN_GROUPS groups of pages; the training rows'
# scores come from LEXICON_FOLDS folds by group; weights below LEXICON_MIN_WEIGHT are
# not kept. One training page in LEXICON_BLIND_EVERY is shown without it (blind_pages).
# At most LEXICON_MAX_ROWS labeled lines (drawn at random) are learned from.
LEXICON_C = 1.0
LEXICON_MIN_GROUPS = 3
LEXICON_FOLDS = 5
LEXICON_MIN_WEIGHT = 1e-3
LEXICON_BLIND_EVERY = 4
LEXICON_MAX_ROWS = 150_000
DEFAULT_MODEL = "default.npz"
# A model file larger than this is refused before it is read.
MAX_MODEL_BYTES = 200 * 1024 * 1024
_METADATA_KEY = "metadata"


class ModelFileError(ValueError):
    """A model file that cannot be used: missing, corrupt, or made for other code."""


def _version() -> str:
    from bpclass import __version__

    return __version__


def _check_pages(pages) -> list[list[str]]:
    """Validate the pages argument; return it as a list of lists of str."""
    if isinstance(pages, (str, bytes)):
        raise TypeError(
            "pages must be a list of pages, each a list of lines (str); got a single "
            f"{type(pages).__name__}. For one page of text use [text.splitlines()] or bpclass.clean(text)."
        )
    if not isinstance(pages, Sequence):
        raise TypeError(f"pages must be a list of pages, each a list of lines (str); got {type(pages).__name__}.")
    checked = []
    for p, page in enumerate(pages):
        if isinstance(page, (str, bytes)) or not isinstance(page, Sequence):
            raise TypeError(
                f"page {p} must be a list of lines (str); got {type(page).__name__}. "
                "Wrap a single page in a list: predict([lines])."
            )
        page = page if type(page) is list else list(page)
        # The compiled scan checks each line itself, with the same message.
        if _features._speedups is None and not set(map(type, page)) <= {str}:  # subclasses of str and other types below
            for i, line in enumerate(page):
                if not isinstance(line, str):
                    raise TypeError(f"page {p}, line {i} must be a str; got {type(line).__name__}.")
        checked.append(page)
    return checked


_LABEL_CODES = {None: -1, 0: 0, 1: 1}


def _check_labels(pages: list[list[str]], labels) -> list[np.ndarray]:
    if isinstance(labels, (str, bytes)) or not isinstance(labels, Sequence):
        raise TypeError("labels must be a list with one sequence of 0/1 labels per page.")
    if len(labels) != len(pages):
        raise ValueError(f"got {len(pages)} pages but {len(labels)} label sequences.")
    out = []
    for p, (page, page_labels) in enumerate(zip(pages, labels)):
        if len(page_labels) != len(page):
            raise ValueError(f"page {p} has {len(page)} lines but {len(page_labels)} labels.")
        try:  # -1 for None (not trained on); True and 1.0 count as 1
            row = np.fromiter(map(_LABEL_CODES.__getitem__, page_labels), dtype=np.int64, count=len(page))
        except (KeyError, TypeError):
            for i, label in enumerate(page_labels):
                if label is not None and not (isinstance(label, Hashable) and label in _LABEL_CODES):
                    raise ValueError(f"page {p}, line {i}: label must be 0 or 1 (or None); got {label!r}.") from None
            raise
        out.append(row)
    return out


def _chunks(pages: list[list[str]]):
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


def _rows_per_page(pages: list[list[str]], non_blank: np.ndarray) -> np.ndarray:
    """How many feature rows (non-blank lines) each page of a batch has."""
    ends = np.cumsum([len(page) for page in pages], dtype=np.int64)
    running = np.concatenate([[0], np.cumsum(non_blank, dtype=np.int64)])
    return np.diff(np.concatenate([[0], running[ends]]))


def _group_names(groups, n_pages: int) -> list[str]:
    """The checked ``groups`` of ``fit`` (one per page; None: each page its own) as
    one name per page, equal for the pages of a group."""
    if groups is None:
        groups = range(n_pages)
    elif isinstance(groups, np.ndarray):
        groups = groups.tolist()
    if isinstance(groups, (str, bytes)) or not isinstance(groups, Sequence):
        raise TypeError(f"groups must be a list with one group per page, not {type(groups).__name__}.")
    elif len(groups) != n_pages:
        raise ValueError(f"{n_pages} pages but {len(groups)} groups.")
    for k, group in enumerate(groups):
        if not isinstance(group, Hashable):
            raise TypeError(f"group {k} must be hashable (a str or int), not {type(group).__name__}.")
    return [repr(group) for group in groups]


def _group_folds(groups, n_pages: int, folds: int = CONTEXT_FOLDS) -> np.ndarray:
    """The fold (0 .. folds - 1) of each page; the pages of a group share one."""
    return _folds_of(_group_names(groups, n_pages), folds)


def _folds_of(names: list[str], folds: int) -> np.ndarray:
    """The fold of each page named by :func:`_group_names`."""
    # Groups in the order of a hash of their repr (not of the pages), dealt out in turn:
    # every fold gets a group when there are enough, whatever the order of the pages.
    order = sorted(set(names), key=lambda name: (zlib.crc32(name.encode("utf-8")), name))
    fold_of = {name: k % folds for k, name in enumerate(order)}
    return np.array([fold_of[name] for name in names], dtype=np.int64)


def _word_matrix(tokens: list[list[str]]):
    """The rows' words as a sparse matrix of counts and the words of its columns."""
    from scipy import sparse

    ids: dict[str, int] = {}
    lens = np.fromiter(map(len, tokens), dtype=np.int64, count=len(tokens))
    indices = np.fromiter(
        (ids.setdefault(w, len(ids)) for words in tokens for w in words), dtype=np.int64, count=int(lens.sum())
    )
    indptr = np.zeros(len(tokens) + 1, dtype=np.int64)
    np.cumsum(lens, out=indptr[1:])
    matrix = sparse.csr_matrix((np.ones(len(indices)), indices, indptr), shape=(len(tokens), max(len(ids), 1)))
    matrix.sum_duplicates()
    return matrix, list(ids)


def _scaled(counts):
    """Counts of words over the square root of the row's words: Lexicon.read's score is the
    product of these rows with the weights."""
    from scipy import sparse

    lens = np.asarray(counts.sum(axis=1)).ravel()
    return sparse.diags(1.0 / np.sqrt(np.maximum(lens, 1))) @ counts


def _fit_word_weights(matrix, y: np.ndarray, rows: np.ndarray, row_group: np.ndarray, min_groups: int):
    """Word weights (one per column of ``matrix``, 0 for words left out) of a logistic
    regression on the labeled ``rows``, over the words found in at least
    ``min_groups`` groups of those rows; None if the rows lack a class or words.
    Weights below LEXICON_MIN_WEIGHT are 0; the rest are rounded to float32, as a
    model file stores them."""
    from sklearn.linear_model import LogisticRegression

    if len(np.unique(y[rows])) < 2:
        return None
    sub = matrix[rows]
    n_groups = int(row_group.max(initial=0)) + 1
    word_of = sub.indices.astype(np.int64)
    group_of = np.repeat(row_group[rows], np.diff(sub.indptr))
    pairs = np.unique(word_of * n_groups + group_of)
    kept = np.flatnonzero(np.bincount(pairs // n_groups, minlength=matrix.shape[1]) >= min_groups)
    if not len(kept):
        return None
    model = LogisticRegression(C=LEXICON_C, solver="liblinear", max_iter=300)
    model.fit(_scaled(sub)[:, kept], y[rows])
    weights = np.zeros(matrix.shape[1])
    weights[kept] = model.coef_[0].astype(np.float32)
    weights[np.abs(weights) < LEXICON_MIN_WEIGHT] = 0.0
    return weights


def blind_pages(n_pages: int) -> np.ndarray:
    """The training pages shown without their lexicon (one in LEXICON_BLIND_EVERY),
    so that the trees also learn to read pages in a language the lexicon does not
    know (:data:`~bpclass.features.LEXICON_MIN_COVERAGE`)."""
    return np.arange(n_pages) % LEXICON_BLIND_EVERY == LEXICON_BLIND_EVERY - 1


def _lexicon(words: list[str], weights: np.ndarray | None):
    if weights is None:
        return None
    used = np.flatnonzero(weights)
    return _features.Lexicon([words[i] for i in used], weights[used])


def fit_lexicon(texts: list[str], y: np.ndarray, page_of_row: np.ndarray, page_fold, page_group, seed: int = 0):
    """The lexicon of labeled rows (``y`` >= 0; ``texts`` the stripped lines of all
    rows) and every row's out-of-fold (score, words known, words): rows of pages in
    fold k (``page_fold``) are read with the weights learned on the other folds.
    Words count only if seen in at least LEXICON_MIN_GROUPS groups (``page_group``):
    a site's own template words are not learned. Above LEXICON_MAX_ROWS labeled
    rows, that many are drawn at random (``seed``) to learn from.
    Returns ``(Lexicon or None, rows)``."""
    labeled = np.flatnonzero(y >= 0)
    if len(labeled) > LEXICON_MAX_ROWS:
        labeled = np.sort(np.random.default_rng(seed).choice(labeled, LEXICON_MAX_ROWS, replace=False))
    counts, words = _word_matrix([_features.line_words(texts[i]) for i in labeled.tolist()])
    sample_y = y[labeled]
    sample_fold = page_fold[page_of_row[labeled]]
    sample_group = page_group[page_of_row[labeled]]
    row_fold = page_fold[page_of_row]
    out = np.zeros((len(texts), 3))
    for k in np.unique(row_fold).tolist():
        mine = np.flatnonzero(row_fold == k)
        rows = np.flatnonzero(sample_fold != k)
        lexicon = _lexicon(words, _fit_word_weights(counts, sample_y, rows, sample_group, LEXICON_MIN_GROUPS))
        if lexicon is not None:
            out[mine] = lexicon.read_many([texts[i] for i in mine.tolist()])
        else:
            out[mine, 2] = [len(_features.line_words(texts[i])) for i in mine.tolist()]
    everything = np.arange(len(sample_y))
    return _lexicon(words, _fit_word_weights(counts, sample_y, everything, sample_group, LEXICON_MIN_GROUPS)), out


def stripped_rows(pages: list[list[str]]) -> list[str]:
    """The stripped non-blank lines of pages: the text of each feature row, in order."""
    return [t for page in pages for t in (line.strip() for line in page) if t]


def learn_lexical_columns(X: np.ndarray, texts: list[str], y: np.ndarray, per_page: np.ndarray, groups) -> Lexicon:
    """Learn word weights from the labeled rows (``y`` >= 0) of feature rows ``X`` of
    whole pages (``per_page`` rows each; ``texts`` their stripped lines) and fill in
    their lexical columns: each page's out of fold (LEXICON_FOLDS folds by ``groups``,
    as ``fit`` takes them), a blind page's (:func:`blind_pages`) 0. Returns the
    lexicon of all labeled rows, or None."""
    n_pages = len(per_page)
    page_of_row = np.repeat(np.arange(n_pages), per_page)
    names = _group_names(groups, n_pages)
    ids: dict[str, int] = {}
    page_group = np.array([ids.setdefault(name, len(ids)) for name in names], dtype=np.int64)
    lexicon, rows = fit_lexicon(texts, y, page_of_row, _folds_of(names, LEXICON_FOLDS), page_group)
    rows[blind_pages(n_pages)[page_of_row]] = 0.0
    set_lexical(X, rows, per_page)
    return lexicon


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
    # under a headline) about twice as often as the first (README, "Second pass").
    return np.where(policy_boilerplate_rows(X), np.minimum(proba, revised), revised)


def passes_proba(
    first, second, X: np.ndarray, per_page: np.ndarray | None, first_weight: float = 0.0, uncovered=None
) -> np.ndarray:
    """P(content) of feature rows of whole pages: :func:`pass_scores`, then
    :func:`blend_proba`."""
    return blend_proba(*pass_scores(first, second, X, per_page, uncovered), X, first_weight)


class BoilerplateClassifier(BaseEstimator):
    """Classify each line of a page as content (1) or boilerplate (0).

    Parameters
    ----------
    threshold : float, default=0.5
        A line is content when its probability of being content is at least this.
    estimator : LineClassifier or None, default=None
        The line-level model to fit on the feature rows; ``None`` means
        ``LineClassifier()`` with its defaults.
    line_weight : {"words", "uniform"}, default="words"
        How much each labeled line counts in training: as many words as it has
        (what a token-based score of the kept text counts; cross-validated by site
        on the bundled model's data: +0.003 to +0.004 mean bag F1, line F1 no
        worse), or one each.
    second_pass : bool, default=True
        Fit a second forest that also reads the first forest's probabilities of
        the lines around each line (:mod:`bpclass.context`). It learns from
        out-of-fold probabilities (see ``fit``'s ``groups``), so training takes
        about three times as long; prediction walks both forests.
    second_estimator : LineClassifier or None, default=None
        The second pass's line model; ``None`` means the same as ``estimator``.
        Its output is made to rise with the line's own first-pass probability
        (``monotonic_cst``, see :func:`rising_with_context`) unless it brings
        constraints of its own.
    first_pass_weight : float, default=0.25
        With a second pass, a line's log-odds are this share of the first pass's
        plus the rest of the second's (0: the second pass alone, 1: the first).
        Chosen in cross-validation by site on the bundled model's data (README,
        "Second pass").
    keep_comments : bool, default=False
        Keep what the model says below a comment section's heading ("12 Comments",
        "Leave a Reply"). By default readers' comments are boilerplate: from the
        heading down every line gets probability 0
        (:func:`bpclass.policy.drop_comment_sections`).
    lexicon : bool, default=False
        Also learn word weights (:class:`~bpclass.features.Lexicon`): a logistic
        regression on the words of the labeled lines, whose score of each line and
        of its neighbours are feature columns (``lexical``). The training lines'
        scores come out of fold (by ``fit``'s ``groups``), and only words seen in
        at least LEXICON_MIN_GROUPS groups are learned, so a site's own template
        words are not. Pages whose words the lexicon mostly does not know (another
        language) are read without it, as one training page in LEXICON_BLIND_EVERY
        is, and by a second set of forests fitted without word weights
        (``uncovered_estimator_``), so that training takes about twice as long.
        Off by default: it pays on pages in the training pages' languages (README,
        "Learned word weights"). False: those columns are 0.

    Attributes
    ----------
    estimator_ : LineClassifier
        The fitted first-pass model (the line's own and its neighbours' features).
    context_estimator_ : LineClassifier or None
        The fitted second pass (features plus first-pass context), or ``None``
        when ``second_pass`` is False.
    lexicon_ : Lexicon or None
        The learned word weights, or ``None`` (``lexicon=False``, or no word to learn).
    uncovered_estimator_, uncovered_context_estimator_ : LineClassifier or None
        With a lexicon, the two passes fitted without word weights, which read the
        pages the lexicon does not cover; else ``None``.
    feature_names_ : tuple of str
        The feature columns the model was fitted on.
    metadata_ : dict
        What a model file records: versions, training data, scores.

    Examples
    --------
    >>> pages = [["Big news today", "", "The minister said the plan will start in May.", "Share"]] * 20
    >>> labels = [[1, None, 1, 0]] * 20
    >>> model = BoilerplateClassifier(estimator=LineClassifier(max_iter=5, min_samples_leaf=1))
    >>> model.fit(pages, labels).predict([["The minister said the plan will start in May.", "Share"]])[0].tolist()
    [1, 0]
    """

    def __init__(
        self,
        threshold=DEFAULT_THRESHOLD,
        estimator=None,
        line_weight="words",
        second_pass=True,
        second_estimator=None,
        first_pass_weight=DEFAULT_FIRST_PASS_WEIGHT,
        keep_comments=False,
        lexicon=False,
    ):
        self.threshold = threshold
        self.estimator = estimator
        self.line_weight = line_weight
        self.second_pass = second_pass
        self.second_estimator = second_estimator
        self.first_pass_weight = first_pass_weight
        self.keep_comments = keep_comments
        self.lexicon = lexicon

    # -- training ---------------------------------------------------------------
    def fit(self, pages, labels, metadata=None, groups=None):
        """Fit on pages (lists of lines) and their labels (0, 1, or None per line).

        Blank lines and lines labeled ``None`` are left out of training (unlabeled
        lines still give the second pass their first-pass probabilities).
        ``metadata`` (a JSON-serialisable dict) is stored with the model, e.g. a
        summary of the training data. ``groups`` (one hashable per page, e.g. its
        site) keeps pages of a group together when the second pass's first-pass
        probabilities are computed out of fold; by default each page is its own group.
        """
        check_line_weight(self.line_weight)  # before the features are computed
        check_first_pass_weight(self.first_pass_weight)
        if not isinstance(self.second_pass, (bool, np.bool_)):
            raise TypeError(f"second_pass must be True or False, not {self.second_pass!r}.")
        if not isinstance(self.lexicon, (bool, np.bool_)):
            raise TypeError(f"lexicon must be True or False, not {self.lexicon!r}.")
        pages = _check_pages(pages)
        label_rows = _check_labels(pages, labels)
        fold = _group_folds(groups, len(pages))
        y_lines = np.concatenate(label_rows) if label_rows else np.zeros(0, dtype=np.int64)
        LOGGER.info("computing features of %d pages", len(pages))
        # Rows of every non-blank line (the second pass needs the unlabeled ones'
        # probabilities too), in one matrix with room for the second pass's columns;
        # blank lines are never trained on, whatever their label.
        spare = len(CONTEXT_FEATURE_NAMES) if self.second_pass else 0
        n_rows = sum(1 for page in pages for line in page if line.strip())
        X = np.zeros((n_rows, len(FEATURE_NAMES) + spare))
        y = np.empty(n_rows, dtype=np.int64)
        per_page = np.empty(len(pages), dtype=np.int64)
        done = 0
        for first, start, stop in _chunks(pages):
            rows, non_blank = batch_features(pages[start:stop])
            X[done : done + len(rows), : len(FEATURE_NAMES)] = rows
            y[done : done + len(rows)] = y_lines[first : first + len(non_blank)][non_blank]
            per_page[start:stop] = _rows_per_page(pages[start:stop], non_blank)
            done += len(rows)
        labeled = y >= 0
        if not labeled.any():
            raise ValueError("no labeled non-blank lines to train on.")
        if set(np.unique(y[labeled]).tolist()) != {0, 1}:
            raise ValueError("training needs both content (1) and boilerplate (0) lines.")
        estimator = self.estimator if self.estimator is not None else LineClassifier()
        weight = line_weights(X[:, : len(FEATURE_NAMES)], self.line_weight)
        fold = fold if self.second_pass else None
        # X's lexical columns are 0 until the lexicon fills them: first the forests
        # for the pages it will not cover, then (if it learns any word) the others.
        passes = fit_passes(estimator, X, y, weight, per_page, fold, self.second_estimator)
        self.lexicon_ = self.uncovered_estimator_ = self.uncovered_context_estimator_ = None
        if self.lexicon:
            LOGGER.info("learning word weights")
            self.lexicon_ = learn_lexical_columns(X, stripped_rows(pages), y, per_page, groups)
            if self.lexicon_ is not None:
                self.uncovered_estimator_, self.uncovered_context_estimator_ = passes
                LOGGER.info("fitting the forests of the pages the word weights cover")
                passes = fit_passes(estimator, X, y, weight, per_page, fold, self.second_estimator)
        self.estimator_, self.context_estimator_ = passes
        self.feature_names_ = FEATURE_NAMES
        self.metadata_ = copy.deepcopy(dict(metadata or {}))  # never change the caller's dict
        self.metadata_.setdefault("training_data", {})
        self.metadata_["training_data"].setdefault("pages", len(pages))
        self.metadata_["training_data"].setdefault("lines", int(labeled.sum()))
        return self

    # -- prediction -------------------------------------------------------------
    def _proba(self, pages, sites=None) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """P(content) per line and the non-blank mask of each page."""
        check_is_fitted(self, "estimator_")
        check_first_pass_weight(self.first_pass_weight)
        check_keep_comments(self.keep_comments)
        pages = _check_pages(pages)
        if sites is not None:
            sites = check_sites(sites, len(pages))
        second = getattr(self, "context_estimator_", None)
        lexicon = getattr(self, "lexicon_", None)
        uncovered = getattr(self, "uncovered_estimator_", None)
        if uncovered is not None:
            uncovered = (uncovered, self.uncovered_context_estimator_)
        ends = np.cumsum(np.fromiter(map(len, pages), dtype=np.int64, count=len(pages)))
        flat = np.zeros(int(ends[-1]) if len(ends) else 0)
        non_blank = np.zeros(len(flat), dtype=bool)
        spare = 0 if second is None else len(CONTEXT_FEATURE_NAMES)
        comment_lines: list[list[int]] = [[] for _ in pages]  # per page: lines holding a comment word
        for first, start, stop in _chunks(pages):
            # With a second pass, X has room for its columns: the first forest reads
            # the feature columns, the second all of them.
            X, chunk_non_blank, comment_rows = features_and_comment_rows(
                pages[start:stop], spare_columns=spare, lexicon=lexicon
            )
            rows = slice(first, first + len(chunk_non_blank))
            non_blank[rows] = chunk_non_blank
            if len(comment_rows):  # their line numbers in the batch, handed out to their pages
                lines_by_page(np.flatnonzero(chunk_non_blank)[comment_rows] + first, ends, comment_lines)
            if len(X):
                # Rows per page: only the second pass reads them.
                per_page = None if second is None else _rows_per_page(pages[start:stop], chunk_non_blank)
                flat[rows][chunk_non_blank] = passes_proba(
                    self.estimator_, second, X, per_page, self.first_pass_weight, uncovered
                )
        probas = np.split(flat, ends[:-1])
        if not self.keep_comments:
            drop_comment_sections(pages, probas, comment_lines)  # the split arrays are views of flat
        if sites is not None:
            for proba, template in zip(probas, template_flags(pages, sites)):
                proba[template] = 0.0
        return probas, np.split(non_blank, ends[:-1])

    def predict_proba(self, pages, sites=None) -> list[np.ndarray]:
        """P(content) for each line of each page; blank lines get 0.0.

        Returns one float array per page, as long as the page. ``sites`` (optional):
        one key per page naming its site (e.g. its host name; ``None`` for a page on
        its own); lines that recur on the site's other pages get 0.0 (see
        :mod:`bpclass.sites`).
        """
        return self._proba(pages, sites)[0]

    def predict(self, pages, threshold=None, sites=None) -> list[np.ndarray]:
        """0/1 label of each line of each page (blank lines always get 0); ``sites``
        as in :meth:`predict_proba`."""
        return self.predict_with_proba(pages, threshold, sites)[0]

    def predict_with_proba(self, pages, threshold=None, sites=None) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Labels and P(content) of each line of each page, computed once for both;
        ``sites`` as in :meth:`predict_proba`."""
        threshold = self.threshold if threshold is None else threshold
        check_threshold(threshold)
        probas, masks = self._proba(pages, sites)
        return [((p >= threshold) & mask).astype(np.int64) for p, mask in zip(probas, masks)], probas

    # -- files ------------------------------------------------------------------
    def save(self, path) -> None:
        """Write the fitted model to ``path`` (an ``.npz`` file of plain arrays + JSON)."""
        check_is_fitted(self, "estimator_")
        est = self.estimator_
        metadata = {
            **self.metadata_,
            "format": FORMAT_NAME,
            "format_version": FORMAT_VERSION,
            "bpclass_version": _version(),
            "library_versions": _library_versions(),
            "feature_names": list(self.feature_names_),
            "classes": est.classes_.tolist(),
            "threshold": float(self.threshold),
            "keep_comments": bool(self.keep_comments),
            "estimator_params": _saved_params(est),
        }
        second = getattr(self, "context_estimator_", None)
        metadata["second_pass"] = second is not None
        arrays = {name: est.trees_[name] for name in TREE_ARRAYS}
        if second is not None:
            metadata["context_feature_names"] = list(CONTEXT_FEATURE_NAMES)
            metadata["first_pass_weight"] = float(self.first_pass_weight)
            metadata["context_estimator_params"] = _saved_params(second)
            arrays.update({CONTEXT_PREFIX + name: second.trees_[name] for name in TREE_ARRAYS})
        lexicon = getattr(self, "lexicon_", None)
        metadata["lexicon"] = lexicon is not None
        uncovered = getattr(self, "uncovered_estimator_", None)
        metadata["uncovered_trees"] = uncovered is not None
        if uncovered is not None:
            arrays.update({UNCOVERED_PREFIX + name: uncovered.trees_[name] for name in TREE_ARRAYS})
            if second is not None:
                trees = self.uncovered_context_estimator_.trees_
                arrays.update({UNCOVERED_PREFIX + CONTEXT_PREFIX + name: trees[name] for name in TREE_ARRAYS})
        if lexicon is not None:
            arrays[LEXICON_WORDS] = np.frombuffer("\n".join(lexicon.words).encode("utf-8"), dtype=np.uint8)
            arrays[LEXICON_WEIGHTS] = lexicon.weights.astype(np.float32)
        arrays[_METADATA_KEY] = np.frombuffer(json.dumps(metadata, indent=1).encode("utf-8"), dtype=np.uint8)
        buffer = io.BytesIO()
        np.savez_compressed(buffer, **arrays)
        with open(path, "wb") as fh:
            fh.write(buffer.getvalue())


def _saved_params(estimator) -> dict:
    """An estimator's parameters as a model file records them (how chatty training
    was is not part of the model)."""
    return {k: v for k, v in estimator.get_params().items() if k != "verbose"}


def check_line_weight(how) -> None:
    """Raise ValueError unless ``how`` is one of LINE_WEIGHTS."""
    if how not in LINE_WEIGHTS:
        raise ValueError(f"line_weight must be one of {LINE_WEIGHTS}; got {how!r}.")


def line_weights(X: np.ndarray, how: str = "words") -> np.ndarray | None:
    """Training weights of feature rows: their words (at least 1) for ``"words"``, ``None`` (all
    alike) for ``"uniform"``."""
    check_line_weight(how)
    if how == "uniform":
        return None
    # log_words is log(1 + words): the count comes back exactly.
    return np.maximum(np.rint(np.expm1(X[:, FEATURE_INDEX["log_words"]])), 1.0)


def _check_share(value, what: str) -> None:
    """Raise ValueError unless ``value`` is a number between 0 and 1 (``what`` names it)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0.0 <= value <= 1.0:
        raise ValueError(f"{what} must be a number between 0 and 1; got {value!r}.")


def check_first_pass_weight(weight) -> None:
    """Raise ValueError unless ``weight`` is a number between 0 and 1."""
    _check_share(weight, "first_pass_weight")


def lines_by_page(at: np.ndarray, ends: np.ndarray, out: list[list[int]]) -> None:
    """Append each line number ``at`` (counted over a batch of pages, ascending) to its
    page's list in ``out``, as a line number within that page; ``ends`` holds where
    each page ends (the cumulative page lengths)."""
    page_of = np.searchsorted(ends, at, side="right")
    page_start = np.concatenate([[0], ends[:-1]])[page_of]
    for p, line in zip(page_of.tolist(), (at - page_start).tolist()):
        out[p].append(line)


def check_keep_comments(keep) -> None:
    if not isinstance(keep, (bool, np.bool_)):
        raise TypeError(f"keep_comments must be True or False, not {keep!r}.")


def with_keep_comments(model: BoilerplateClassifier, keep_comments: bool | None) -> BoilerplateClassifier:
    """``model``, or a shallow copy of it that keeps (or drops) comment sections as
    asked; ``None`` leaves the model's own setting. The given model is never changed
    (it may be the cached bundled one, shared by every caller)."""
    if keep_comments is None or keep_comments == model.keep_comments:
        return model
    return copy.copy(model).set_params(keep_comments=keep_comments)


def check_threshold(threshold) -> None:
    """Raise ValueError unless ``threshold`` is a number between 0 and 1."""
    _check_share(threshold, "threshold")


def _library_versions() -> dict:
    import sklearn

    return {"numpy": np.__version__, "scikit-learn": sklearn.__version__}


def _read_archive(data: bytes, name: str) -> tuple[dict, dict]:
    """Arrays and metadata from the bytes of an npz archive, refusing anything but plain arrays."""
    if not data.startswith(b"PK\x03\x04"):
        raise ModelFileError(f"{name} is not a bpclass model file (not an .npz archive).")
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as archive:
            arrays = {key: archive[key] for key in archive.files}
    except (zipfile.BadZipFile, EOFError, OSError, KeyError) as exc:
        raise ModelFileError(f"{name} is not a bpclass model file (not a readable .npz archive: {exc}).") from exc
    except ValueError as exc:
        # numpy raises ValueError for object arrays, which would need unpickling.
        raise ModelFileError(f"{name} holds data that could run code when loaded; refused ({exc}).") from exc
    if _METADATA_KEY not in arrays:
        raise ModelFileError(f"{name} is not a bpclass model file (no metadata).")
    try:
        metadata = json.loads(arrays.pop(_METADATA_KEY).astype(np.uint8).tobytes().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, TypeError, ValueError) as exc:
        raise ModelFileError(f"{name}: its metadata is not valid JSON ({exc}).") from exc
    if not isinstance(metadata, dict):
        raise ModelFileError(f"{name}: its metadata is not a JSON object.")
    return arrays, metadata


def _check_metadata(metadata: dict, name: str) -> None:
    if metadata.get("format") != FORMAT_NAME:
        raise ModelFileError(f"{name} is not a bpclass model file (format is {metadata.get('format')!r}).")
    version = metadata.get("format_version")
    if not isinstance(version, int):
        raise ModelFileError(f"{name}: format_version is missing or not an integer.")
    if version > FORMAT_VERSION:
        raise ModelFileError(
            f"{name} uses model format {version}, made by a newer bpclass "
            f"({metadata.get('bpclass_version')}); this bpclass ({_version()}) reads format "
            f"{FORMAT_VERSION}. Upgrade bpclass."
        )
    if version < OLDEST_FORMAT_VERSION:
        raise ModelFileError(
            f"{name} uses model format {version}, which this bpclass ({_version()}) no longer "
            f"reads (it reads formats {OLDEST_FORMAT_VERSION} to {FORMAT_VERSION}). Retrain the "
            "model with training/train.py."
        )
    names = metadata.get("feature_names")
    if not isinstance(names, list) or not names:
        raise ModelFileError(f"{name} does not list its feature names; refused.")
    if tuple(names) != FEATURE_NAMES:
        missing = [f for f in FEATURE_NAMES if f not in names]
        unexpected = [f for f in names if f not in FEATURE_NAMES]
        detail = []
        if missing:
            detail.append(f"missing {len(missing)} (e.g. {missing[:3]})")
        if unexpected:
            detail.append(f"unknown {len(unexpected)} (e.g. {unexpected[:3]})")
        if not detail:
            detail.append("same names in another order")
        raise ModelFileError(
            f"{name} was trained on features that do not match this bpclass ({_version()}): "
            f"{'; '.join(detail)}. Retrain it with this version (training/train.py)."
        )
    classes = metadata.get("classes")
    if classes != [0, 1]:
        raise ModelFileError(f"{name}: a line model must have classes [0, 1]; the file says {classes!r}.")
    threshold = metadata.get("threshold", DEFAULT_THRESHOLD)
    try:
        check_threshold(threshold)
    except ValueError as exc:
        raise ModelFileError(f"{name}: {exc}") from exc
    if not isinstance(metadata.get("lexicon", False), bool):
        raise ModelFileError(f"{name}: lexicon must be true or false; it is {metadata['lexicon']!r}.")
    uncovered = metadata.get("uncovered_trees", False)
    if not isinstance(uncovered, bool) or (uncovered and (version < 5 or metadata.get("lexicon") is not True)):
        raise ModelFileError(
            f"{name}: uncovered_trees must be true or false, and true only with a lexicon (format 5 and "
            f"later); it is {uncovered!r}."
        )
    if not isinstance(metadata.get("keep_comments", False), bool):
        raise ModelFileError(f"{name}: keep_comments must be true or false; it is {metadata['keep_comments']!r}.")
    second_pass = metadata.get("second_pass", False)
    if version >= 3 and second_pass is True and "first_pass_weight" not in metadata:
        raise ModelFileError(f"{name}: a format-{version} file with a second pass must give its first_pass_weight.")
    try:
        check_first_pass_weight(_file_first_pass_weight(metadata))
    except ValueError as exc:
        raise ModelFileError(f"{name}: {exc}") from exc
    if not isinstance(second_pass, bool) or (second_pass and version < 2):
        raise ModelFileError(f"{name}: second_pass must be true or false (format 2 and later); it is {second_pass!r}.")
    if second_pass and metadata.get("context_feature_names") != list(CONTEXT_FEATURE_NAMES):
        raise ModelFileError(
            f"{name}: its second pass reads other context columns than this bpclass ({_version()}); "
            "retrain it with this version (training/train.py)."
        )


_DTYPES = {
    "feature": np.integer,
    "left": np.integer,
    "right": np.integer,
    "roots": np.integer,
    "tree_class": np.integer,
    "threshold": np.floating,
    "value": np.floating,
    "baseline": np.floating,
}


def _file_first_pass_weight(metadata: dict):
    """The first-pass weight a model file gives (unchecked); files of format 2 and
    older predate the blend: their second pass alone decided (0)."""
    return metadata.get("first_pass_weight", 0.0) if metadata["format_version"] >= 3 else 0.0


def _check_trees(arrays: dict, name: str, prefix: str = "", n_features: int = len(FEATURE_NAMES)) -> dict:
    """Refuse tree arrays (those named ``prefix`` + a TREE_ARRAYS name) that are
    inconsistent, out of range, or cyclic."""
    missing = [prefix + key for key in TREE_ARRAYS if prefix + key not in arrays]
    if missing:
        raise ModelFileError(f"{name} lacks the arrays {missing}; refused.")
    trees = {}
    for key in TREE_ARRAYS:
        a = arrays[prefix + key]
        if a.ndim != 1 or not np.issubdtype(a.dtype, _DTYPES[key]):
            raise ModelFileError(f"{name}: array {key!r} has the wrong shape or type ({a.dtype}, {a.shape}).")
        trees[key] = a.astype(np.int64 if np.issubdtype(a.dtype, np.integer) else np.float64)
    n_nodes = len(trees["feature"])
    if any(len(trees[k]) != n_nodes for k in ("threshold", "left", "right", "value")):
        raise ModelFileError(f"{name}: node arrays differ in length.")
    if len(trees["roots"]) != len(trees["tree_class"]) or len(trees["baseline"]) != 1:
        raise ModelFileError(f"{name}: tree arrays are inconsistent.")
    if not all(np.isfinite(trees[k]).all() for k in ("value", "baseline")) or np.isnan(trees["threshold"]).any():
        raise ModelFileError(f"{name}: tree values are not finite.")
    inner = trees["feature"] >= 0
    idx = np.arange(n_nodes)
    if (trees["feature"] >= n_features).any() or (trees["feature"] < -1).any():
        raise ModelFileError(f"{name}: a split refers to a feature that does not exist.")
    # Children always come after their parent: this rules out cycles, so
    # prediction is sure to reach a leaf.
    for side in ("left", "right"):
        child = trees[side][inner]
        if ((child <= idx[inner]) | (child >= n_nodes)).any():
            raise ModelFileError(f"{name}: tree links are out of range or cyclic; refused.")
    if ((trees["roots"] < 0) | (trees["roots"] >= max(n_nodes, 1))).any() or (trees["tree_class"] != 0).any():
        raise ModelFileError(f"{name}: tree roots or classes are out of range.")
    return trees


def _estimator_from(trees: dict, params, n_features: int, name: str) -> LineClassifier:
    if not isinstance(params, dict):
        raise ModelFileError(f"{name}: estimator parameters must be a JSON object, not {type(params).__name__}.")
    known = LineClassifier().get_params()
    estimator = LineClassifier(**{k: v for k, v in params.items() if k in known})
    estimator.trees_ = trees
    estimator._prepare_walk()
    estimator.classes_ = np.array([0, 1])
    estimator.n_features_in_ = n_features
    estimator.n_iter_ = len(trees["roots"])
    return estimator


def _passes_from(arrays: dict, metadata: dict, name: str, prefix: str = "") -> tuple:
    """The checked ``(first, second)`` forests of a model file whose arrays are
    named ``prefix`` + a TREE_ARRAYS name (the second's also CONTEXT_PREFIX); second
    is None without a second pass."""
    params = metadata.get("estimator_params") or {}
    estimator = _estimator_from(_check_trees(arrays, name, prefix), params, len(FEATURE_NAMES), name)
    second = None
    if metadata.get("second_pass"):
        n_features = len(FEATURE_NAMES) + len(CONTEXT_FEATURE_NAMES)
        second_params = metadata.get("context_estimator_params") or params
        second = _estimator_from(
            _check_trees(arrays, name, prefix + CONTEXT_PREFIX, n_features), second_params, n_features, name
        )
    return estimator, second


def _from_arrays(arrays: dict, metadata: dict, name: str) -> BoilerplateClassifier:
    _check_metadata(metadata, name)
    estimator, second = _passes_from(arrays, metadata, name)
    uncovered = (None, None)
    if metadata.get("uncovered_trees"):
        uncovered = _passes_from(arrays, metadata, name, UNCOVERED_PREFIX)
    model = BoilerplateClassifier(
        threshold=float(metadata.get("threshold", DEFAULT_THRESHOLD)),
        second_pass=second is not None,
        first_pass_weight=float(_file_first_pass_weight(metadata)),
        keep_comments=metadata.get("keep_comments", False),
        lexicon=metadata.get("lexicon", False),
    )
    model.estimator_ = estimator
    model.context_estimator_ = second
    model.uncovered_estimator_, model.uncovered_context_estimator_ = uncovered
    model.lexicon_ = _lexicon_from(arrays, name) if metadata.get("lexicon") else None
    model.feature_names_ = FEATURE_NAMES
    # What the fitted model holds in its own attributes is not repeated in metadata_.
    held = ("feature_names", "estimator_params", "context_feature_names", "context_estimator_params")
    model.metadata_ = {k: v for k, v in metadata.items() if k not in held}
    return model


def _lexicon_from(arrays: dict, name: str) -> Lexicon:
    """The lexicon of a model file, checked: words and weights as many, words
    distinct and non-empty, weights finite."""
    missing = [key for key in (LEXICON_WORDS, LEXICON_WEIGHTS) if key not in arrays]
    if missing:
        raise ModelFileError(f"{name} says it has a lexicon but lacks the arrays {missing}; refused.")
    words, weights = arrays[LEXICON_WORDS], arrays[LEXICON_WEIGHTS]
    if words.ndim != 1 or words.dtype != np.uint8 or weights.ndim != 1 or weights.dtype != np.float32:
        raise ModelFileError(f"{name}: its lexicon arrays have the wrong shape or type.")
    try:
        text = words.tobytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ModelFileError(f"{name}: its lexicon's words are not UTF-8 ({exc}).") from exc
    try:
        return Lexicon(text.split("\n") if text else [], weights)
    except ValueError as exc:
        raise ModelFileError(f"{name}: {exc}") from exc


def _load_file(path) -> BoilerplateClassifier:
    name = os.fspath(path)
    if os.path.isdir(name):
        raise ModelFileError(f"model path {name} is a directory, not a model file.")
    try:
        size = os.path.getsize(name)
    except OSError as exc:
        raise ModelFileError(f"cannot read model file {name}: {exc.strerror or exc}.") from exc
    if size == 0:
        raise ModelFileError(f"model file {name} is empty.")
    if size > MAX_MODEL_BYTES:
        raise ModelFileError(f"model file {name} is {size} bytes, more than the {MAX_MODEL_BYTES} allowed.")
    try:
        with open(name, "rb") as fh:
            data = fh.read()
    except OSError as exc:
        raise ModelFileError(f"cannot read model file {name}: {exc.strerror or exc}.") from exc
    arrays, metadata = _read_archive(data, name)
    return _from_arrays(arrays, metadata, name)


@functools.lru_cache(maxsize=1)
def _default_model() -> BoilerplateClassifier:
    resource = resources.files("bpclass") / "models" / DEFAULT_MODEL
    try:
        data = resource.read_bytes()
    except (FileNotFoundError, OSError) as exc:
        raise ModelFileError(
            "the bundled default model is missing from this installation "
            "(bpclass/models/default.npz); reinstall bpclass or pass a model path."
        ) from exc
    arrays, metadata = _read_archive(data, "the bundled model")
    return _from_arrays(arrays, metadata, "the bundled model")


def load_model(path=None) -> BoilerplateClassifier:
    """Load a model file, or the bundled default model when ``path`` is None.

    The default model is loaded once and cached; treat it as read-only.

    Raises
    ------
    ModelFileError
        The file is missing, corrupt, not a bpclass model, from another format
        version, or was trained on other features.
    """
    if path is None:
        return _default_model()
    return _load_file(path)


def predict_page_of_site(model, lines: list[str], others: list[list[str]], threshold=None):
    """Labels and P(content) of one page's lines, as ``model.predict_with_proba`` with
    ``sites`` gives them when ``others`` are the other pages of its site; only the one
    page is scored (the others are read for their lines)."""
    labels, proba = (out[0] for out in model.predict_with_proba([lines], threshold))
    if others:
        template = template_flags([lines, *others], ["site"] * (1 + len(others)))[0]
        proba[template] = 0.0
        if (model.threshold if threshold is None else threshold) > 0:  # at 0 every line is kept
            labels[template] = 0
    return labels, proba


def clean(
    text: str,
    model: BoilerplateClassifier | None = None,
    threshold: float | None = None,
    keep_comments: bool | None = None,
    site_pages=None,
) -> str:
    """The content lines of one page of text, joined by newlines.

    ``text`` is split into lines at any line break (``\\n``, ``\\r\\n``, ``\\r``,
    Unicode line and paragraph separators). Uses the bundled model unless one is given;
    ``keep_comments`` overrides the model's setting (``None``: the model's; the bundled
    model drops comment sections). ``site_pages`` (optional): other pages (str) of
    the same site; lines of ``text`` that recur on them are dropped as the site's
    template (see :mod:`bpclass.sites`). To clean many pages of one site,
    ``model.predict(pages, sites=...)`` reads them all at once instead.

    Examples
    --------
    >>> clean("")
    ''
    """
    if not isinstance(text, str):
        raise TypeError(f"clean() takes the page as a str; got {type(text).__name__}.")
    others = []
    if site_pages is not None:
        if isinstance(site_pages, str) or not isinstance(site_pages, Sequence):
            raise TypeError(f"site_pages must be a list of pages (str); got {type(site_pages).__name__}.")
        for k, page in enumerate(site_pages):
            if not isinstance(page, str):
                raise TypeError(f"site_pages[{k}] must be a str (a page's text); got {type(page).__name__}.")
            others.append(page.splitlines())
    lines = text.splitlines()
    if not any(line.strip() for line in lines):
        return ""
    model = with_keep_comments(load_model() if model is None else model, keep_comments)
    labels = predict_page_of_site(model, lines, others, threshold)[0]
    return "\n".join(line for line, keep in zip(lines, labels) if keep)
