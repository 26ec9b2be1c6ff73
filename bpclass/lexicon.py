"""Learned word weights (``BoilerplateClassifier(lexicon=True)``).

A logistic regression on the words of the labeled lines gives each word a weight;
:class:`~bpclass.features.Lexicon` reads a line's score with them, and that score
(the line's and its neighbours') fills the ``lexical`` feature columns. Training
rows are scored out of fold by group, and only words seen in several groups are
learned, so a site's own template words are not.
"""

from __future__ import annotations

import numpy as np

from bpclass import features as _features
from bpclass.checks import group_names
from bpclass.features import Lexicon, set_lexical
from bpclass.passes import folds_of

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
    names = group_names(groups, n_pages)
    ids: dict[str, int] = {}
    page_group = np.array([ids.setdefault(name, len(ids)) for name in names], dtype=np.int64)
    lexicon, rows = fit_lexicon(texts, y, page_of_row, folds_of(names, LEXICON_FOLDS), page_group)
    rows[blind_pages(n_pages)[page_of_row]] = 0.0
    set_lexical(X, rows, per_page)
    return lexicon
