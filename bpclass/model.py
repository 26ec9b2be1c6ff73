"""BoilerplateClassifier: pages of text lines in, one 0/1 label per line out.

The model reads a page top to bottom in four steps, each in a module of its own:

1. :mod:`bpclass.checks` checks the pages (and labels) it is given;
2. :mod:`bpclass.features` turns each non-blank line into a row of numbers;
3. :mod:`bpclass.passes` runs the first forest over the rows, then (by default) the
   second pass over the rows plus the first pass's probabilities around each line
   (:mod:`bpclass.context`); a model with learned word weights
   (:mod:`bpclass.lexicon`) holds a second pair of forests for pages whose words the
   weights do not cover, and each page walks one pair;
4. :mod:`bpclass.policy` drops comment sections, and :mod:`bpclass.sites` a site's
   template lines when the pages' sites are given.

Model files are written and read by :mod:`bpclass.modelfile`.
"""

from __future__ import annotations

import copy
import functools
import logging
import math
from collections.abc import Sequence

import numpy as np

from bpclass.article import drop_far_lines
from bpclass.base import Estimator, check_fitted
from bpclass.checks import (
    DEFAULT_THRESHOLD,
    check_first_pass_weight,
    check_flag,
    check_labels,
    check_line_weight,
    check_markup_text_weight,
    check_pages,
    check_threshold,
)
from bpclass.columns import MIN_PADDED, PADDED, column_pieces, likely_columned, line_flags, line_proba
from bpclass.confidence import expected_bag_f1
from bpclass.context import CONTEXT_FEATURE_NAMES
from bpclass.estimator import LineClassifier, _logistic
from bpclass.features import FEATURE_INDEX, FEATURE_NAMES, batch_features, features_and_comment_rows
from bpclass.html import lay_out
from bpclass.lexicon import learn_lexical_columns, stripped_rows
from bpclass.markup import markup_features
from bpclass.modelfile import ModelFileError, read_bundled_model, read_model_file, write_model
from bpclass.passes import (
    DEFAULT_FIRST_PASS_WEIGHT,
    chunks,
    clone,
    fit_passes,
    group_folds,
    line_weights,
    lines_by_page,
    page_lines,
    passes_proba,
    rows_per_page,
)
from bpclass.policy import (
    HEADLINE_FREE_COLUMNS,
    RUN_MIN_CHARS,
    RUN_MIN_CJK_SHARE,
    code_rows,
    drop_comment_sections,
    drop_headline_runs,
    drop_kept_twins,
    drop_repeated_copies,
    lift_headlines,
    lift_whole_page_lines,
    notice_rows,
    policy_boilerplate_rows,
    wordless_rows,
)
from bpclass.sites import check_sites, template_flags
from bpclass.teasers import drop_teaser_lists
from bpclass.wrapping import (
    MIN_BREAKS,
    MIN_EDGES,
    cut_runs,
    joined_lines,
    likely_cut,
    likely_wrapped,
    merged_runs,
    wrapped_runs,
)

__all__ = ["BoilerplateClassifier", "ModelFileError", "clean", "load_model"]
LOGGER = logging.getLogger(__name__)
# The HTML stage's forest when none is given: a few thousand pages' lines, so
# shallower trees and bigger leaves than the passes'.
MARKUP_ESTIMATOR_PARAMS = {"max_iter": 150, "max_depth": 6, "min_samples_leaf": 50}
DEFAULT_MARKUP_TEXT_WEIGHT = 0.2
# A page on which no line reaches the threshold keeps its lines whose probability is
# at least this share of its best line's, when that best line has at least
# EMPTY_PAGE_MIN_PROBA: an article laid out unlike the training pages (a text
# browser's padded columns, a menu-first dump) is kept rather than lost. The shared
# sets' held-out pages all have a gold text; on them it turns 0 into 0.2-0.98 bag F1
# on the few pages it touches (docs/experiments.md, 2026-12-07).
EMPTY_PAGE_SHARE = 0.5
EMPTY_PAGE_MIN_PROBA = 0.1


def _labels(proba: np.ndarray, mask: np.ndarray, threshold: float, own: float) -> np.ndarray:
    """A page's 0/1 labels: the lines at or above the threshold (of those ``mask``
    lets be content), or on a page with none, even at the model's ``own`` threshold,
    those near its best line (EMPTY_PAGE_SHARE)."""
    keep = (proba >= threshold) & mask
    if not keep.any() and len(proba):
        best = float(np.max(np.where(mask, proba, 0.0)))
        if EMPTY_PAGE_MIN_PROBA <= best < own:
            keep = (proba >= EMPTY_PAGE_SHARE * best) & mask
    return keep.astype(np.int64)


class BoilerplateClassifier(Estimator):
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
        Chosen in cross-validation by site on the bundled model's data (docs/experiments.md,
        "Second pass").
    keep_comments : bool, default=False
        Keep what the model says below a comment section's heading ("12 Comments",
        "Leave a Reply"). By default readers' comments are boilerplate: from the
        heading down every line gets probability 0
        (:func:`bpclass.policy.drop_comment_sections`).
    drop_repeats : bool, default=False
        Keep one copy of an article that a page's text holds twice (a print, mobile
        or hidden copy): of two runs of long lines with the same texts in the same
        order, the one the model is less sure of gets probability 0
        (:func:`bpclass.policy.drop_repeated_copies`). Off by default: many gold
        texts keep both copies, and a forum quotes whole posts.
    markup_estimator : LineClassifier or None, default=None
        The HTML stage's line model (see :meth:`fit_markup`); ``None`` means
        ``LineClassifier`` with MARKUP_ESTIMATOR_PARAMS.
    markup_text_weight : float, default=0.2
        With an HTML stage, a line of an HTML page gets log-odds this share of the
        passes' plus the rest of the stage's: the stage learned from English pages
        mostly, and keeping some of the passes' say cost nothing overall and
        helped Chinese, Polish and Greek pages (docs/experiments.md, 2026-12-06).
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
        Off by default: it pays on pages in the training pages' languages (docs/experiments.md,
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
    markup_estimator_ : LineClassifier or None
        The HTML stage (:meth:`fit_markup`), which re-scores the lines of HTML pages
        from their markup and the passes' probabilities; ``None`` until fitted
        (HTML pages are then scored from their lines alone).
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
        drop_repeats=False,
        lexicon=False,
        markup_estimator=None,
        markup_text_weight=DEFAULT_MARKUP_TEXT_WEIGHT,
    ):
        self.threshold = threshold
        self.estimator = estimator
        self.line_weight = line_weight
        self.second_pass = second_pass
        self.second_estimator = second_estimator
        self.first_pass_weight = first_pass_weight
        self.keep_comments = keep_comments
        self.drop_repeats = drop_repeats
        self.lexicon = lexicon
        self.markup_estimator = markup_estimator
        self.markup_text_weight = markup_text_weight

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
        pages = check_pages(pages)
        label_rows = check_labels(pages, labels)
        fold = group_folds(groups, len(pages))
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
        for first, start, stop in chunks(pages):
            rows, non_blank = batch_features(pages[start:stop])
            X[done : done + len(rows), : len(FEATURE_NAMES)] = rows
            y[done : done + len(rows)] = y_lines[first : first + len(non_blank)][non_blank]
            per_page[start:stop] = rows_per_page(pages[start:stop], non_blank)
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
        self.markup_estimator_ = None  # a new text model voids an HTML stage fitted on the old one
        self.feature_names_ = FEATURE_NAMES
        self.metadata_ = copy.deepcopy(dict(metadata or {}))  # never change the caller's dict
        self.metadata_.setdefault("training_data", {})
        self.metadata_["training_data"].setdefault("pages", len(pages))
        self.metadata_["training_data"].setdefault("lines", int(labeled.sum()))
        return self

    # -- prediction -------------------------------------------------------------
    def _proba(self, pages, sites=None, policy: list | None = None) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """P(content) per line and the non-blank mask of each page; given a list as
        ``policy``, each page's mask of the lines the label policy calls boilerplate
        (a short dateline, byline or credit) is appended to it. A page whose
        paragraphs come in pieces (wrapped at a fixed width, or cut at every inline
        element) is read with them joined (:mod:`bpclass.wrapping`), each line getting
        its paragraph's numbers; a page whose lines hold blocks side by side (a text
        browser's table) is read with its lines cut at their gaps, each line getting
        its likeliest piece's number (:mod:`bpclass.columns`)."""
        check_fitted(self, "estimator_")
        check_first_pass_weight(self.first_pass_weight)
        check_flag(self.keep_comments, "keep_comments")
        check_flag(self.drop_repeats, "drop_repeats")
        pages = check_pages(pages)
        if sites is not None:
            sites = check_sites(sites, len(pages))
        start = len(policy) if policy is not None else 0
        wrapped: dict[int, np.ndarray] = {}  # page -> its runs of wrapped lines
        columned: dict[int, tuple] = {}  # page -> its pieces and the line of each
        probas, masks = self._line_proba(pages, sites, policy, wrapped, columned)
        for k in columned:
            wrapped.pop(k, None)
        if columned:  # read those pages again, their lines cut at their gaps
            ks = sorted(columned)
            flags = None if policy is None else []
            read = [columned[k][0] for k in ks]
            # The page's rules read its lines in their order, not the pieces' column order
            # (a comment form in the first column read would end the article in the next).
            again, _ = self._line_proba(
                read, None if sites is None else [sites[k] for k in ks], flags, None, page_rules=False
            )
            for j, k in enumerate(ks):
                pieces, owner = columned[k]
                probas[k][:] = line_proba(again[j], owner, len(pages[k]))
                if flags is not None:
                    policy[start + k] = line_flags(flags[j], pieces, owner, len(pages[k])) & masks[k]
            self._page_rules([[line.strip() for line in pages[k]] for k in ks], [probas[k] for k in ks])
        if wrapped:  # read those pages again, their wrapped paragraphs joined
            ks = sorted(wrapped)
            flags: list | None = None if policy is None else []
            read = [joined_lines(pages[k], wrapped[k]) for k in ks]
            again, _ = self._line_proba(read, None if sites is None else [sites[k] for k in ks], flags, None)
            for j, k in enumerate(ks):
                runs, blank = wrapped[k], ~masks[k]
                probas[k][:] = np.where(blank, 0.0, again[j][runs])
                if flags is not None:
                    policy[start + k] = flags[j][runs] & ~blank
        return probas, masks

    def _line_proba(
        self,
        pages,
        sites,
        policy: list | None,
        wrapped: dict | None,
        columned: dict | None = None,
        page_rules: bool = True,
    ) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """:meth:`_proba` of checked pages, line by line as they come; the pages found
        wrapped go into ``wrapped`` (page number -> its runs), when it is a dict, and
        those in columns into ``columned`` (page number -> its pieces and their lines).
        ``page_rules=False`` leaves out the rules that read a page's lines in order
        (:meth:`_page_rules`); a site's template lines are dropped either way."""
        second = getattr(self, "context_estimator_", None)
        lexicon = getattr(self, "lexicon_", None)
        uncovered = getattr(self, "uncovered_estimator_", None)
        if uncovered is not None:
            uncovered = (uncovered, self.uncovered_context_estimator_)
        ends = np.cumsum(np.fromiter(map(len, pages), dtype=np.int64, count=len(pages)))
        flat = np.zeros(int(ends[-1]) if len(ends) else 0)
        non_blank = np.zeros(len(flat), dtype=bool)
        policy_flat = np.zeros(len(flat), dtype=bool) if policy is not None else None
        free = np.zeros(len(flat), dtype=bool)  # free of the patterns a headline has not (bpclass.policy)
        log_chars = np.zeros(len(flat))  # each line's log(1 + characters), stripped (the teaser rule's)
        twin = np.zeros(len(flat), dtype=bool)  # a truncated twin of another line (the twin rule's)
        spare = 0 if second is None else len(CONTEXT_FEATURE_NAMES)
        comment_lines: list[list[int]] = [[] for _ in pages]  # per page: lines holding a comment word
        run_lines: list[list[int]] = [[] for _ in pages]  # per page: long lines with CJK (headline runs?)
        shown: dict[int, list[str]] = {}  # page -> the plain lines of a page read as Markdown
        for first, start, stop in chunks(pages):
            # With a second pass, X has room for its columns: the first forest reads
            # the feature columns, the second all of them.
            edges: list | None = [] if wrapped is not None else None  # lines' single-space edges
            chunk_shown: dict[int, list[str]] = {}
            X, chunk_non_blank, comment_rows = features_and_comment_rows(
                pages[start:stop], spare_columns=spare, lexicon=lexicon, edges=edges, shown=chunk_shown
            )
            shown.update((start + p, lines) for p, lines in chunk_shown.items())
            rows = slice(first, first + len(chunk_non_blank))
            non_blank[rows] = chunk_non_blank
            if len(comment_rows):  # their line numbers in the batch, handed out to their pages
                lines_by_page(np.flatnonzero(chunk_non_blank)[comment_rows] + first, ends, comment_lines)
            if len(X):
                # Rows per page: only the second pass reads them.
                per_page = None if second is None else rows_per_page(pages[start:stop], chunk_non_blank)
                chunk_proba = passes_proba(self.estimator_, second, X, per_page, self.first_pass_weight, uncovered)
                chunk_proba[wordless_rows(X)] = 0.0
                lines_of = functools.partial(_lines_at, pages, ends, chunk_non_blank, first)
                chunk_proba[code_rows(X, chunk_proba, lines_of)] = 0.0
                chunk_proba[notice_rows(X, chunk_proba, lines_of)] = 0.0
                flat[rows][chunk_non_blank] = chunk_proba
                if wrapped is not None:
                    wrapped.update(
                        _wrapped_pages(pages, start, stop, X, chunk_non_blank, edges[0], per_page, chunk_shown)
                    )
                if columned is not None:
                    columned.update(_columned_pages(pages, start, stop, chunk_non_blank, edges[0], per_page))
                if policy_flat is not None:
                    policy_flat[rows][chunk_non_blank] = policy_boilerplate_rows(X)
                free[rows][chunk_non_blank] = ~X[:, HEADLINE_FREE_COLUMNS].any(axis=1)
                log_chars[rows][chunk_non_blank] = X[:, _CHARS]
                twin[rows][chunk_non_blank] = X[:, _TWIN] > 0
                long_cjk = np.flatnonzero((X[:, _CJK] >= RUN_MIN_CJK_SHARE) & (X[:, _CHARS] >= _RUN_LOG_CHARS))
                if len(long_cjk):
                    lines_by_page(np.flatnonzero(chunk_non_blank)[long_cjk] + first, ends, run_lines)
        probas = np.split(flat, ends[:-1])  # views of flat
        templates = None if sites is None else template_flags(pages, sites)
        if page_rules:
            lengths = np.split(np.rint(np.expm1(log_chars)).astype(np.int64), ends[:-1])
            # The rules read what a Markdown page's lines show ("### Comments" is "Comments").
            read = [shown.get(k, page) for k, page in enumerate(pages)] if shown else pages
            self._page_rules(
                read,
                probas,
                comment_lines,
                np.split(free, ends[:-1]),
                templates,
                lengths,
                np.split(twin, ends[:-1]),
                run_lines,
            )
        elif templates is not None:
            for proba, template in zip(probas, templates):
                proba[template] = 0.0
        if policy is not None:
            policy.extend(np.split(policy_flat, ends[:-1]))
        return probas, np.split(non_blank, ends[:-1])

    def _page_rules(
        self,
        pages,
        probas: list[np.ndarray],
        comment_lines=None,
        free=None,
        templates=None,
        lengths=None,
        twins=None,
        run_lines=None,
    ) -> None:
        """The rules that read a page's lines in order, in place on ``probas``: comment
        sections, repeated copies (when asked for), then a site's template lines (per
        page, the mask ``templates``, when given), runs of Chinese or Japanese headlines
        joined into one line, kept truncated twins of kept lines, the headline, teaser
        lists, a page's one line that holds most of its text as prose
        (:func:`~bpclass.policy.lift_whole_page_lines`), and last the kept lines far
        from the article (:mod:`bpclass.article`). ``comment_lines``, ``free``,
        ``lengths``, ``twins`` and ``run_lines`` (per page: the lines holding a comment
        word, whether each line is free of the patterns a headline has not, each line's
        length stripped, whether it is a truncated twin, the long lines with CJK
        characters) when the features found them; else the rules find them."""
        if not self.keep_comments:
            drop_comment_sections(pages, probas, comment_lines)
        if self.drop_repeats:
            drop_repeated_copies(pages, probas)
        for proba, template in zip(probas, templates or ()):
            proba[template] = 0.0
        drop_headline_runs(pages, probas, run_lines)
        drop_kept_twins(pages, probas, self.threshold, twins)
        lift_headlines(pages, probas, self.threshold, free)
        if lengths is None:  # measured once, for both rules that read them
            lengths = [np.fromiter((len(line.strip()) for line in page), np.int64, len(page)) for page in pages]
        drop_teaser_lists(pages, probas, self.threshold, lengths)
        lift_whole_page_lines(pages, probas, self.threshold, lengths)
        drop_far_lines(pages, probas, self.threshold, lengths)

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
        as in :meth:`predict_proba`. A line is content when its probability is at
        least ``threshold``. A page with no such line, and none at the model's own
        threshold either, keeps the lines whose probability is at least half its
        best line's (EMPTY_PAGE_SHARE), when that is at least EMPTY_PAGE_MIN_PROBA,
        so that an article laid out unlike the training pages is not lost whole."""
        return self.predict_with_proba(pages, threshold, sites)[0]

    def predict_with_proba(
        self, pages, threshold=None, sites=None, markup=None
    ) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Labels and P(content) of each line of each page, computed once for both;
        ``sites`` as in :meth:`predict_proba`. ``markup`` (optional): for each page,
        its lines' markup (:func:`bpclass.html.html_markup`'s second part) or None;
        with an HTML stage fitted, the pages that have it are re-scored by it."""
        threshold = self.threshold if threshold is None else threshold
        check_threshold(threshold)
        staged = markup is not None and reads_markup(self)
        if staged:
            check_markup_text_weight(self.markup_text_weight)
        policy: list | None = [] if staged else None
        probas, masks = self._proba(pages, sites, policy)
        if staged:
            if len(markup) != len(probas):
                raise ValueError(f"markup for {len(markup)} pages, but {len(probas)} pages.")
            probas = [
                p if infos is None else self._markup_proba(page, infos, p, flags)
                for page, infos, p, flags in zip(pages, markup, probas, policy)
            ]
        return [_labels(p, mask, threshold, self.threshold) for p, mask in zip(probas, masks)], probas

    # -- HTML -------------------------------------------------------------------
    def _markup_proba(self, lines, infos, proba: np.ndarray, policy: np.ndarray | None = None) -> np.ndarray:
        """P(content) of a page's lines from the HTML stage; lines the passes gave 0
        (a comment section, a site's template) keep 0, and those the label policy
        calls boilerplate (``policy``) keep at most the passes' probability, as the
        second pass's do (bpclass.passes.blend_proba)."""
        if len(infos) != len(lines):
            raise ValueError(f"markup for {len(infos)} lines, but the page has {len(lines)}.")
        X = markup_features(lines, infos, proba)
        out = np.zeros(len(lines))
        if len(X):
            rows = np.fromiter((k for k, line in enumerate(lines) if line.strip()), dtype=np.int64, count=len(X))
            score = self.markup_estimator_._content_score(X)
            weight = self.markup_text_weight
            if weight:
                text = np.clip(proba[rows], 1e-9, 1 - 1e-9)
                score = (1.0 - weight) * score + weight * np.log(text / (1.0 - text))
            out[rows] = np.where(proba[rows] > 0, _logistic(score), 0.0)
        if policy is not None:
            out = np.where(policy, np.minimum(out, proba), out)
        return out

    def _laid_out(self, pages, markup: bool | None = None) -> tuple[list, list]:
        """HTML pages (str or bytes) as lines, and their markup when ``markup`` asks
        (by default, when the model has an HTML stage)."""
        if isinstance(pages, (str, bytes)) or not isinstance(pages, Sequence):
            raise TypeError(f"pages must be a list of HTML pages (str or bytes); got {type(pages).__name__}.")
        markup = reads_markup(self) if markup is None else markup
        laid = [lay_out(page, markup=markup) for page in pages]
        return [page.lines for page in laid], [page.markup for page in laid]

    def predict_html(self, pages, threshold=None) -> list[np.ndarray]:
        """0/1 label of each line of each HTML page (str or bytes), the lines being
        :func:`bpclass.html.html_lines`'s; with an HTML stage, read with the markup."""
        lines, markup = self._laid_out(pages)
        return self.predict_with_proba(lines, threshold, markup=markup)[0]

    def predict_proba_html(self, pages) -> list[np.ndarray]:
        """P(content) of each line of each HTML page, as :meth:`predict_html` reads them."""
        lines, markup = self._laid_out(pages)
        return self.predict_with_proba(lines, markup=markup)[1]

    def fit_markup(self, pages, labels, text_proba=None):
        """Fit the HTML stage of a fitted model on HTML pages and their labels.

        The stage is a forest over :data:`bpclass.markup.MARKUP_FEATURE_NAMES`: what
        the markup says about each line (links, enclosing elements, class and id
        names, the block that holds the likely text) beside the passes' P(content).
        ``pages`` are HTML (str or bytes), ``labels`` one list per page of 0, 1 or
        None per line of :func:`bpclass.html.html_lines`. ``text_proba`` (optional):
        the passes' P(content) of those lines; by default this model's. Fit it on
        pages the passes never trained on (or give out-of-fold probabilities), or
        the stage learns to trust them more than it should.
        """
        check_fitted(self, "estimator_")
        lines, markup = self._laid_out(pages, markup=True)
        label_rows = check_labels(lines, labels)
        if text_proba is None:
            saved, self.markup_estimator_ = getattr(self, "markup_estimator_", None), None  # the passes alone
            try:
                text_proba = self.predict_proba(lines)
            finally:
                self.markup_estimator_ = saved
        if len(text_proba) != len(lines) or any(len(p) != len(page) for p, page in zip(text_proba, lines)):
            raise ValueError("text_proba must give one probability per line of each page.")
        X_parts, y_parts, w_parts = [], [], []
        for page, infos, page_labels, proba in zip(lines, markup, label_rows, text_proba):
            non_blank = [k for k, line in enumerate(page) if line.strip()]
            if not non_blank:
                continue
            X_parts.append(markup_features(page, infos, np.asarray(proba, dtype=np.float64)))
            y_parts.append(np.asarray(page_labels)[non_blank])
            w_parts.append([max(len(page[k].split()), 1) for k in non_blank])
        if not X_parts:
            raise ValueError("no non-blank lines to train the HTML stage on.")
        X, y, weight = np.vstack(X_parts), np.concatenate(y_parts), np.concatenate(w_parts).astype(np.float64)
        labeled = y >= 0
        if set(np.unique(y[labeled]).tolist()) != {0, 1}:
            raise ValueError("the HTML stage needs both content (1) and boilerplate (0) lines.")
        estimator = self.markup_estimator
        if estimator is None:
            estimator = LineClassifier(**MARKUP_ESTIMATOR_PARAMS)
        weight = weight if self.line_weight == "words" else None
        LOGGER.info("fitting the HTML stage on %d lines of %d pages", int(labeled.sum()), len(lines))
        self.markup_estimator_ = clone(estimator).fit(
            X[labeled], y[labeled], sample_weight=None if weight is None else weight[labeled]
        )
        return self

    def page_confidence(self, pages, threshold=None, sites=None) -> np.ndarray:
        """For each page, the bag F1 the model expects its kept text to score against
        the page's real content (0 to 1; see :mod:`bpclass.confidence`): route pages
        with a low one to a slower extractor or a person. ``threshold`` and ``sites``
        as in :meth:`predict`."""
        pages = check_pages(pages)
        labels, probas = self.predict_with_proba(pages, threshold, sites)
        return np.array([expected_bag_f1(page, p, y) for page, p, y in zip(pages, probas, labels)], dtype=np.float64)

    # -- files ------------------------------------------------------------------
    def save(self, path) -> None:
        """Write the fitted model to ``path`` (an ``.npz`` file of plain arrays + JSON,
        see :mod:`bpclass.modelfile`)."""
        check_fitted(self, "estimator_")
        write_model(self, path)


# The feature columns the first test for pieced-up paragraphs reads (bpclass.wrapping).
_CHARS = FEATURE_INDEX["log_chars"]
_TWIN = FEATURE_INDEX["is_truncated_twin"]
_CJK = FEATURE_INDEX["share_cjk"]
_RUN_LOG_CHARS = math.log1p(RUN_MIN_CHARS) - 1e-9
_STARTS_LOWER = FEATURE_INDEX["starts_lower"]
_ENDS_TERMINAL = FEATURE_INDEX["ends_terminal"]


def _lines_at(pages, ends: np.ndarray, non_blank: np.ndarray, first: int, rows: np.ndarray) -> list[str]:
    """The lines of feature rows ``rows`` of a chunk whose lines start at line ``first``
    of the batch (``ends``: where each page's lines end in it; ``non_blank``: the
    chunk's lines that have rows)."""
    page_of, line = page_lines(np.flatnonzero(non_blank)[rows] + first, ends)
    return [pages[p][k] for p, k in zip(page_of.tolist(), line.tolist())]


def _wrapped_pages(
    pages, start: int, stop: int, X: np.ndarray, non_blank: np.ndarray, edges: np.ndarray, per_page=None, markdown=()
) -> dict:
    """The pages of a chunk (``pages[start:stop]``, feature rows ``X``, ``per_page``
    rows each if known) whose paragraphs come in pieces, wrapped at a fixed width or
    cut at every inline element, with their runs (:mod:`bpclass.wrapping`); first
    tests on what the features found (``edges``: the rows' single-space edges) spare
    the other pages any cost. The pages numbered in ``markdown`` (counted in the
    chunk) were read as Markdown: their rows hold the lengths of the text the lines
    show, not of the lines a converter wrapped, so they get the full test at once."""
    found = {}
    for p in markdown:
        runs = wrapped_runs(pages[start + p])
        if runs is not None:
            found[start + p] = runs
    # Most pages have neither enough lines going on in lower case mid sentence nor
    # enough single-space edges: a count settles it, for a batch as for one page.
    lower, ends = X[:, _STARTS_LOWER], X[:, _ENDS_TERMINAL]
    edges = np.fmod(edges, PADDED)  # the single-space edges alone
    if np.count_nonzero((lower[1:] > 0) & (ends[:-1] == 0)) < MIN_BREAKS and np.count_nonzero(edges) < MIN_EDGES:
        return found
    n_pages, row_page = _row_pages(pages, start, stop, non_blank, per_page)
    for p in likely_wrapped(X[:, _CHARS], lower, ends, np.flatnonzero(non_blank), row_page, n_pages).tolist():
        if p in markdown:
            continue
        runs = wrapped_runs(pages[start + p])
        if runs is not None:
            found[start + p] = runs
    # A page may be both: BeautifulSoup cuts at every inline element the paragraphs an
    # HTML source wrapped by hand.
    for p in likely_cut(edges, row_page, n_pages).tolist():
        runs = cut_runs(pages[start + p])
        if runs is not None:
            found[start + p] = merged_runs(found[start + p], runs) if start + p in found else runs
    return found


def _row_pages(pages, start: int, stop: int, non_blank: np.ndarray, per_page=None) -> tuple[int, np.ndarray]:
    """The number of pages of a chunk and the page (counted in the chunk) of each row."""
    n_pages = stop - start
    if per_page is None:
        per_page = rows_per_page(pages[start:stop], non_blank)
    return n_pages, np.repeat(np.arange(n_pages), per_page)


def _columned_pages(pages, start: int, stop: int, non_blank: np.ndarray, edges: np.ndarray, per_page=None) -> dict:
    """The pages of a chunk whose lines hold blocks side by side, with their pieces
    (:mod:`bpclass.columns`); a count of padded lines (``edges``) spares the others
    any cost."""
    if np.count_nonzero(edges >= PADDED) < MIN_PADDED:
        return {}
    n_pages, row_page = _row_pages(pages, start, stop, non_blank, per_page)
    found = {}
    for p in likely_columned(edges, row_page, n_pages).tolist():
        cut = column_pieces(pages[start + p])
        if cut is not None:
            found[start + p] = cut
    return found


def reads_markup(model) -> bool:
    """Whether a model reads HTML pages' markup too: it has an HTML stage
    (:meth:`BoilerplateClassifier.fit_markup`)."""
    return getattr(model, "markup_estimator_", None) is not None


def with_options(
    model: BoilerplateClassifier, keep_comments: bool | None = None, drop_repeats: bool | None = None
) -> BoilerplateClassifier:
    """``model``, or a shallow copy of it that keeps (or drops) comment sections and
    repeated copies as asked; ``None`` leaves the model's own setting. The given model
    is never changed (it may be the cached bundled one, shared by every caller)."""
    asked = {"keep_comments": keep_comments, "drop_repeats": drop_repeats}
    changed = {k: v for k, v in asked.items() if v is not None and v != getattr(model, k, False)}
    if not changed:
        return model
    return copy.copy(model).set_params(**changed)


def _from_parts(parts: dict) -> BoilerplateClassifier:
    """A fitted model from the checked parts of a model file (:mod:`bpclass.modelfile`)."""
    model = BoilerplateClassifier(**parts["params"])
    for name, value in parts["fitted"].items():
        setattr(model, name, value)
    return model


@functools.lru_cache(maxsize=1)
def _default_model() -> BoilerplateClassifier:
    return _from_parts(read_bundled_model())


def load_model(path=None) -> BoilerplateClassifier:
    """Load a model file, or the bundled default model when ``path`` is None.

    The default model's file is read once and cached; each call returns its own
    shallow copy, so ``load_model().set_params(threshold=0.6)`` changes that copy
    only, never the model other callers (``bpclass.clean``, the CLI) get. The copies
    share the fitted forests, which nothing changes in place.

    Raises
    ------
    ModelFileError
        The file is missing, corrupt, not a bpclass model, from another format
        version, or was trained on other features.
    """
    if path is None:
        return copy.copy(_default_model())
    return _from_parts(read_model_file(path))


def predict_page_of_site(model, lines: list[str], others: list[list[str]], threshold=None, markup=None):
    """Labels and P(content) of one page's lines, as ``model.predict_with_proba`` with
    ``sites`` gives them when ``others`` are the other pages of its site; only the one
    page is scored (the others are read for their lines). ``markup``: the page's
    markup (an HTML page, for a model with an HTML stage), or None."""
    told = {} if markup is None else {"markup": [markup]}
    labels, proba = (out[0] for out in model.predict_with_proba([lines], threshold, **told))
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
    drop_repeats: bool | None = None,
) -> str:
    """The content lines of one page of text, joined by newlines.

    ``text`` is split into lines at any line break (``\\n``, ``\\r\\n``, ``\\r``,
    Unicode line and paragraph separators). Uses the bundled model unless one is given;
    ``keep_comments`` overrides the model's setting (``None``: the model's; the bundled
    model drops comment sections); ``drop_repeats=True`` keeps one copy of an article
    the page holds twice (see :class:`BoilerplateClassifier`). ``site_pages`` (optional): other pages (str) of
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
    model = with_options(load_model() if model is None else model, keep_comments, drop_repeats)
    labels = predict_page_of_site(model, lines, others, threshold)[0]
    return "\n".join(line for line, keep in zip(lines, labels) if keep)


# What clean_html and clean_pages can write: the kept lines, or them as Markdown.
OUTPUTS = ("text", "markdown")


def clean_html(
    html,
    model: BoilerplateClassifier | None = None,
    threshold: float | None = None,
    keep_comments: bool | None = None,
    output: str = "text",
    drop_repeats: bool | None = None,
) -> str:
    """The content lines of one HTML page, joined by newlines.

    The page is laid out as text lines the way a browser's ``innerText`` does
    (:func:`bpclass.html.html_lines`; ``bytes`` are decoded with the charset the page
    declares or a detected one), then cleaned as :func:`clean` cleans text.
    ``output="markdown"`` writes the kept lines as Markdown instead: headings, list
    items, quotes, preformatted text and tables as the markup had them
    (:func:`bpclass.html.markdown`).

    Examples
    --------
    >>> clean_html("<html></html>")
    ''
    >>> print(clean_html("<h1>Storm</h1><ul><li>It rained all night.</li></ul>", output="markdown"))
    # Storm
    <BLANKLINE>
    - It rained all night.
    """
    return clean_pages([html], model, threshold, keep_comments, html=True, output=output, drop_repeats=drop_repeats)[0]


def clean_pages(
    pages,
    model: BoilerplateClassifier | None = None,
    threshold: float | None = None,
    keep_comments: bool | None = None,
    html: bool = False,
    output: str = "text",
    drop_repeats: bool | None = None,
) -> list[str]:
    """The content lines of many pages at once, one str per page: what :func:`clean`
    (or, with ``html=True``, :func:`clean_html`) gives each, scored in one batch.
    ``output="markdown"``: as :func:`clean_html` says (text pages: each kept line a
    paragraph).

    Made for batch pipelines, e.g. Hugging Face datasets::

        ds = ds.map(lambda batch: {"clean": bpclass.clean_pages(batch["text"])}, batched=True)

    Examples
    --------
    >>> clean_pages(["", "  "])
    ['', '']
    """
    if isinstance(pages, (str, bytes)) or not isinstance(pages, Sequence):
        raise TypeError(f"clean_pages() takes a list of pages; got {type(pages).__name__}.")
    if output not in OUTPUTS:
        raise ValueError(f"output must be one of {', '.join(map(repr, OUTPUTS))}; got {output!r}.")
    kinds = markup = None
    model = with_options(load_model() if model is None else model, keep_comments, drop_repeats)
    if html:
        with_markup = reads_markup(model)
        laid = [lay_out(page, markup=with_markup) for page in pages]
        lines = [page.lines for page in laid]
        kinds = [page.kinds for page in laid]
        markup = [page.markup for page in laid] if with_markup else None
    else:
        for k, page in enumerate(pages):
            if not isinstance(page, str):
                raise TypeError(f"pages[{k}] must be a str (a page's text); got {type(page).__name__}.")
        lines = [page.splitlines() for page in pages]
    if not any(line.strip() for page in lines for line in page):
        return [""] * len(lines)
    if markup is not None:
        labels = model.predict_with_proba(lines, threshold, markup=markup)[0]
    else:
        labels = model.predict(lines, threshold)
    if output == "markdown":
        from bpclass.html import markdown

        kinds = kinds or [[""] * len(page) for page in lines]
        return [
            markdown([(line, kind) for line, kind, keep in zip(page, page_kinds, page_labels) if keep])
            for page, page_kinds, page_labels in zip(lines, kinds, labels)
        ]
    return [
        "\n".join(line for line, keep in zip(page, page_labels) if keep) for page, page_labels in zip(lines, labels)
    ]
