"""Page types: whether a page is an article, a forum thread, a product, a listing...

What counts as a page's main content depends on its kind: a product page's content is
its description and specifications, a forum's its posts, a listing's its entries. The
seven types are WCXB's: article, collection, documentation, forum, listing, product
and service (:data:`PAGE_TYPES`).

A page is read as a few bags of tokens and a few numbers (:class:`PageSignals`):

- ``words``: the words of its text, lower-cased;
- ``url``: the words of its address (host labels, path and query), when it has one;
- ``markup`` (HTML pages only): the words of its elements' ``class`` and ``id``
  attributes, its schema.org types (JSON-LD ``@type``, ``itemtype``) and ``og:type``;
- numbers: the shape of its lines (how many, how long, how many end a sentence, how
  many prices, years and digits they hold) and, for HTML, how often each telling element occurs
  (forms, inputs, code, tables, articles, linked headings, the most repeated class).

:class:`PageTypeClassifier` fits one logistic regression per bag (TF-IDF of its
tokens) and stacks their probabilities, computed out of fold by site, with the numbers
in gradient-boosted trees. Four are bundled (:func:`bundled_page_types`): for text
lines and for HTML, each with words and without (``words=False``); :func:`classify`
gives a page to the one without words when the other knows under
:data:`MIN_WORD_COVERAGE` of its words (a language it did not learn). They are trained
by ``python -m training.pagetypes`` on wcxb_dev's training pages and newspaper4k's
(news, as articles); that command prints their accuracy on the held-out pages, and
how much of daniel's news in five languages they type as articles. A line's CJK
characters count :data:`CJK_WIDTH` times in its length. A page with no text has no
type (None). :func:`page_types` and :func:`html_page_types` are the entry points.
"""

from __future__ import annotations

import io
import json
import math
import re
from collections import Counter
from collections.abc import Sequence
from importlib import resources
from typing import NamedTuple

import numpy as np

from bpclass.base import Estimator, check_fitted
from bpclass.estimator import TREE_ARRAYS, _export_trees, perfect_layout, raw_scores
from bpclass.patterns import CJK, DIGIT, WORD

PAGE_TYPES = ("article", "collection", "documentation", "forum", "listing", "product", "service")

# The bags of tokens each kind of classifier reads.
TEXT_GROUPS = ("words", "url")
HTML_GROUPS = ("words", "url", "markup")

# A page's signals are read from at most this many characters of its text.
MAX_SIGNAL_CHARS = 50_000
# A page of whose words the classifier knows fewer than this share (a language it did
# not learn, for one) is typed by the classifier fitted without words, from its shape,
# address and markup (:func:`classify`). Read with words it does not know, a page went
# to whichever type its few known words leaned to: 0 to 6% of Polish, Greek and
# Chinese news typed as articles (docs/experiments.md, 2026-12-07).
MIN_WORD_COVERAGE = 0.5

TEXT_NUMBER_NAMES = (
    "log_lines",
    "log_chars",
    "log_mean_chars",
    "long_line_share",
    "short_line_share",
    "log_longest_line",
    "log_prices",
    "terminal_share",
    "log_years",
    "digit_line_share",
)
# Elements counted in an HTML page (log count, and share of its elements).
COUNTED_TAGS = (
    "article",
    "form",
    "input",
    "button",
    "select",
    "code",
    "pre",
    "time",
    "table",
    "li",
    "a",
    "img",
    "textarea",
    "nav",
    "aside",
    "iframe",
    "blockquote",
    "p",
)
MARKUP_NUMBER_NAMES = (
    "log_linked_headings",
    "linked_heading_share",
    "log_headings",
    "log_most_repeated_class",
) + tuple(f"{kind}_{tag}" for tag in COUNTED_TAGS for kind in ("log", "share"))

_ASCII_WORD = re.compile(r"[a-z]+")
_CLASS_WORD = re.compile(r"[A-Za-z][a-z]+|[A-Z]+(?![a-z])")
# How many Latin characters a CJK character counts as in the line shapes: a line of
# Chinese holds about as much as one of English three times its length.
CJK_WIDTH = 3
_PRICE = re.compile(r"[$€£¥₹]\s?\d|\d\s?(?:€|zł|руб|usd|eur|kr)\b", re.I)
_YEAR = re.compile(r"(?:19|20)\d\d\b")  # no \b before: three times faster, nearly the same count
_LD_TYPE = re.compile(r'"@type"\s*:\s*"([^"]{1,60})"')
_TERMINAL = (".", "!", "?", "。", "！", "？")
_HOST_SKIP = frozenset(("www", "com", "org", "net"))


class PageSignals(NamedTuple):
    """What a page type is read from: bags of tokens by group (each a Counter of its
    tokens), and numbers."""

    tokens: dict
    numbers: np.ndarray


def _url_tokens(url) -> list[str]:
    if not isinstance(url, str) or not url:
        return []
    url = url.lower()[:2000]
    rest = url.split("://", 1)[-1]
    host, _, path = rest.partition("/")
    host_words = [f"h_{w}" for w in _ASCII_WORD.findall(host) if w not in _HOST_SKIP]
    return host_words + _ASCII_WORD.findall(path)


def _text_numbers(lines: Sequence[str]) -> list[float]:
    stripped = [line.strip() for line in lines]
    stripped = [line for line in stripped if line] or [""]
    total = 0
    for n, line in enumerate(stripped):  # the lines within the first MAX_SIGNAL_CHARS
        total += len(line) + 1
        if total > MAX_SIGNAL_CHARS:
            stripped = stripped[: n + 1]
            break
    lengths = np.fromiter(map(len, stripped), dtype=np.float64, count=len(stripped))
    text = "\n".join(stripped)[:MAX_SIGNAL_CHARS]
    if CJK.search(text):  # a CJK character says about what a word and its space do
        lengths += np.fromiter((len(CJK.findall(line)) for line in stripped), np.float64, len(stripped)) * (
            CJK_WIDTH - 1
        )
    return [
        math.log1p(len(stripped)),
        math.log1p(lengths.sum()),
        math.log1p(lengths.mean()),
        float((lengths > 100).mean()),
        float((lengths < 30).mean()),
        math.log1p(lengths.max()),
        math.log1p(len(_PRICE.findall(text))),
        sum(line.endswith(_TERMINAL) for line in stripped) / len(stripped),
        math.log1p(len(_YEAR.findall(text))),
        sum(1 for line in stripped if DIGIT.search(line)) / len(stripped),
    ]


def _check_lines(lines) -> list[str]:
    if isinstance(lines, str) or not isinstance(lines, Sequence):
        raise TypeError(f"a page must be a list of lines (str); got {type(lines).__name__}.")
    if not all(isinstance(line, str) for line in lines):
        raise TypeError("a page's lines must all be str.")
    return list(lines)


def text_signals(lines: Sequence[str], url: str | None = None) -> PageSignals:
    """The signals of a page of text lines (and its address, when known)."""
    lines = _check_lines(lines)
    text = "\n".join(lines)[:MAX_SIGNAL_CHARS].lower()
    tokens = {"words": Counter(WORD.findall(text)), "url": Counter(_url_tokens(url))}
    return PageSignals(tokens, np.asarray(_text_numbers(lines), dtype=np.float64))


def _markup_signals(html) -> tuple[list[str], list[float]]:
    """The markup tokens and numbers of an HTML page (all zero for an empty one)."""
    from bpclass.html import parsed_tree

    return tree_signals(parsed_tree(html))


def tree_signals(tree) -> tuple[list[str], list[float]]:
    """The markup tokens and numbers of a parsed page (:func:`bpclass.html.parsed_tree`;
    None, an empty page, has all numbers zero)."""
    tags: Counter = Counter()
    classes: Counter = Counter()
    tokens: list[str] = []
    root = tree.root if tree is not None else None
    if root is not None:
        for node in root.traverse():
            tag = node.tag
            tags[tag] += 1
            attrs = node.attributes
            for key in ("class", "id"):
                value = attrs.get(key)
                if value:
                    tokens += [w.lower() for w in _CLASS_WORD.findall(value[:200])]
                    if key == "class" and tag in ("div", "li", "article", "section"):
                        classes[value] += 1
            if tag == "meta" and (attrs.get("property") or "").lower() == "og:type":
                tokens.append("og_" + (attrs.get("content") or "").strip().lower().replace(" ", "")[:40])
            elif tag == "script" and (attrs.get("type") or "").lower() == "application/ld+json":
                tokens += ["ld_" + t.replace(" ", "").lower() for t in _LD_TYPE.findall((node.text() or "")[:100_000])]
            itemtype = attrs.get("itemtype")
            if itemtype:
                tokens.append("ld_" + itemtype.rstrip("/").rsplit("/", 1)[-1].replace(" ", "").lower()[:60])
    n = max(sum(tags.values()), 1)
    headings = tags["h2"] + tags["h3"] + tags["h4"]
    linked = len(root.css("h2 a, h3 a, h4 a")) if root is not None else 0
    numbers = [
        math.log1p(linked),
        linked / max(headings, 1),
        math.log1p(headings),
        math.log1p(max(classes.values(), default=0)),
    ]
    for tag in COUNTED_TAGS:
        numbers += [math.log1p(tags[tag]), tags[tag] / n]
    return tokens, numbers


def html_signals(html, url: str | None = None, lines: Sequence[str] | None = None, markup=None) -> PageSignals:
    """The signals of an HTML page (str or bytes); ``lines``: its lines as
    :func:`bpclass.html_lines` lays it out, and ``markup``: its markup's signals as
    :func:`tree_signals` reads them, when the caller has them (one parse for both:
    ``bpclass.html.lay_out(html, on_tree=...)``)."""
    if lines is None:
        from bpclass.html import html_lines

        lines = html_lines(html)
    text = text_signals(lines, url)
    markup_tokens, markup_numbers = _markup_signals(html) if markup is None else markup
    tokens = {**text.tokens, "markup": Counter(markup_tokens)}
    return PageSignals(tokens, np.concatenate([text.numbers, np.asarray(markup_numbers, dtype=np.float64)]))


def _tfidf_row(bag: Counter, vocabulary: dict, idf: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """A bag's sublinear TF-IDF (1 + log count, times idf), of unit length: the columns
    of its known tokens and their values; and how many of its tokens are known."""
    counts = {t: c for t, c in bag.items() if t in vocabulary}
    columns = np.fromiter((vocabulary[t] for t in counts), dtype=np.int64, count=len(counts))
    known = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
    values = (1.0 + np.log(known)) * idf[columns]
    norm = np.linalg.norm(values)
    return columns, values / norm if norm else values, int(known.sum())


def _tfidf_matrix(bags: list[Counter], vocabulary: dict, idf: np.ndarray):
    """The bags' TF-IDF rows as a sparse matrix (for fitting)."""
    from scipy import sparse

    rows = [_tfidf_row(bag, vocabulary, idf)[:2] for bag in bags]
    indptr = np.cumsum([0] + [len(c) for c, _ in rows])
    columns = np.concatenate([c for c, _ in rows]) if rows else np.zeros(0, dtype=np.int64)
    values = np.concatenate([v for _, v in rows]) if rows else np.zeros(0)
    return sparse.csr_matrix((values, columns, indptr), shape=(len(bags), len(vocabulary)))


def _softmax(scores: np.ndarray) -> np.ndarray:
    scores = scores - scores.max(axis=1, keepdims=True)
    e = np.exp(scores)
    return e / e.sum(axis=1, keepdims=True)


class _Bag:
    """One group's fitted logistic regression over its TF-IDF: its words, their idf,
    and the coefficients (types x words) and intercepts (types)."""

    def __init__(self, words: list, idf: np.ndarray, coef: np.ndarray, intercept: np.ndarray):
        self.words, self.idf, self.coef, self.intercept = words, idf, coef, intercept
        self.vocabulary = {w: i for i, w in enumerate(words)}

    def proba(self, bags: list[Counter]) -> np.ndarray:
        """Each bag's probabilities."""
        scores = np.tile(self.intercept, (len(bags), 1))
        for i, bag in enumerate(bags):
            columns, values, _ = _tfidf_row(bag, self.vocabulary, self.idf)
            scores[i] += self.coef[:, columns] @ values
        return _softmax(scores)

    def coverage(self, bag: Counter) -> float:
        """The share of the bag's tokens that are known (1 for an empty bag)."""
        total = sum(bag.values())
        return sum(c for t, c in bag.items() if t in self.vocabulary) / total if total else 1.0


def _fit_bag(bags: list[Counter], y: np.ndarray, min_docs: int, C: float, n_types: int) -> _Bag:
    from sklearn.linear_model import LogisticRegression

    docs = Counter(t for bag in bags for t in bag)  # a bag counts each of its tokens once
    words = sorted(t for t, d in docs.items() if d >= min_docs)
    if not words:
        return _Bag([], np.zeros(0), np.zeros((n_types, 0)), np.zeros(n_types))
    vocabulary = {w: i for i, w in enumerate(words)}
    idf = np.log((1.0 + len(bags)) / (1.0 + np.array([docs[w] for w in words], dtype=np.float64))) + 1.0
    X = _tfidf_matrix(bags, vocabulary, idf)
    present = np.unique(y)
    fitted = LogisticRegression(C=C, max_iter=3000, class_weight="balanced").fit(X, y)
    coef = np.zeros((n_types, len(words)))
    intercept = np.full(n_types, -50.0)  # a type the training pages lack is never predicted
    if len(present) == 2:  # a binary fit gives one row: the log-odds of the second class
        coef[present[1]], intercept[present[1]] = fitted.coef_[0], fitted.intercept_[0]
        intercept[present[0]] = 0.0
    else:
        coef[present], intercept[present] = fitted.coef_, fitted.intercept_
    return _Bag(words, idf, coef, intercept)


def _group_folds(groups: np.ndarray, folds: int) -> list[np.ndarray]:
    """Row numbers of each fold, every group's rows in one fold (groups dealt in turn,
    largest first, to the fold with the fewest rows)."""
    names, sizes = np.unique(groups, return_counts=True)
    fold_rows = [[] for _ in range(folds)]
    fold_size = np.zeros(folds)
    for k in np.argsort(-sizes, kind="stable"):
        f = int(np.argmin(fold_size))
        fold_rows[f].append(names[k])
        fold_size[f] += sizes[k]
    return [np.flatnonzero(np.isin(groups, chosen)) for chosen in fold_rows if chosen]


class PageTypeClassifier(Estimator):
    """Tells a page's type (one of :data:`PAGE_TYPES`) from its :class:`PageSignals`.

    Parameters
    ----------
    markup : bool
        Read HTML pages' markup too (signals from :func:`html_signals`); else text
        pages' (:func:`text_signals`).
    C : float
        Inverse regularisation of each bag's logistic regression.
    min_docs : int
        A token is learned only if this many training pages hold it.
    folds : int
        Folds (by group) in which the bags' probabilities are computed out of fold
        for the trees.
    max_iter, learning_rate, max_leaf_nodes : gradient-boosted trees' settings.
    words : bool
        Read the page's words (else only its address, markup and numbers: the
        classifier for pages in languages the words do not cover).
    """

    _estimator_kind = "classifier"

    def __init__(
        self, markup=False, C=10.0, min_docs=3, folds=5, max_iter=200, learning_rate=0.05, max_leaf_nodes=15, words=True
    ):
        self.markup = markup
        self.words = words
        self.C = C
        self.min_docs = min_docs
        self.folds = folds
        self.max_iter = max_iter
        self.learning_rate = learning_rate
        self.max_leaf_nodes = max_leaf_nodes

    @property
    def groups(self) -> tuple:
        groups = HTML_GROUPS if self.markup else TEXT_GROUPS
        return groups if self.words else tuple(g for g in groups if g != "words")

    @property
    def n_numbers(self) -> int:
        return len(TEXT_NUMBER_NAMES) + (len(MARKUP_NUMBER_NAMES) if self.markup else 0)

    def _check_signals(self, signals) -> list:
        signals = list(signals)
        for s in signals:
            if not isinstance(s, PageSignals) or len(s.numbers) != self.n_numbers:
                raise TypeError(
                    f"expected PageSignals from {'html_signals' if self.markup else 'text_signals'}() "
                    f"with {self.n_numbers} numbers."
                )
        return signals

    def fit(self, signals, page_types, groups):
        """Fit on pages' signals, their types (names from :data:`PAGE_TYPES`) and their
        groups (sites: a site's pages are never on both sides of a fold)."""
        from sklearn.ensemble import HistGradientBoostingClassifier

        signals = self._check_signals(signals)
        unknown = sorted(set(page_types) - set(PAGE_TYPES))
        if unknown:
            raise ValueError(f"unknown page types {unknown}; the types are {PAGE_TYPES}.")
        y = np.array([PAGE_TYPES.index(t) for t in page_types])
        groups = np.asarray(groups)
        if not len(signals) == len(y) == len(groups):
            raise ValueError("signals, page_types and groups must be as many.")
        n = len(PAGE_TYPES)
        stacked = []
        self.bags_ = {}
        for group in self.groups:
            bags = [s.tokens[group] for s in signals]
            out_of_fold = np.zeros((len(y), n))
            for rows in _group_folds(groups, self.folds):
                train = np.setdiff1d(np.arange(len(y)), rows)
                out_of_fold[rows] = _fit_bag([bags[i] for i in train], y[train], self.min_docs, self.C, n).proba(
                    [bags[i] for i in rows]
                )
            stacked.append(out_of_fold)
            self.bags_[group] = _fit_bag(bags, y, self.min_docs, self.C, n)
        X = np.hstack([*stacked, np.vstack([s.numbers for s in signals])])
        booster = HistGradientBoostingClassifier(
            max_iter=self.max_iter,
            learning_rate=self.learning_rate,
            max_leaf_nodes=self.max_leaf_nodes,
            class_weight="balanced",
            early_stopping=False,
            random_state=0,
        ).fit(X, y)
        trees = _export_trees(booster)
        if len(booster.classes_) != n:  # the trees' columns are the types the pages hold
            trees["tree_class"] = booster.classes_[trees["tree_class"]].astype(np.int32)
            baseline = np.full(n, -50.0)
            baseline[booster.classes_] = trees["baseline"]
            trees["baseline"] = baseline
        self.trees_ = trees
        self.classes_ = np.array(PAGE_TYPES)
        return self

    def predict_proba(self, signals) -> np.ndarray:
        """Each page's probability of each type (columns in :data:`PAGE_TYPES` order)."""
        check_fitted(self, "trees_")
        signals = self._check_signals(signals)
        if not signals:
            return np.zeros((0, len(PAGE_TYPES)))
        parts = [self.bags_[g].proba([s.tokens[g] for s in signals]) for g in self.groups]
        X = np.hstack([*parts, np.vstack([s.numbers for s in signals])])
        if getattr(self, "_layouts", None) is None or self._layouts[0] is not self.trees_:
            self._layouts = (self.trees_, [perfect_layout(self.trees_, k) for k in range(len(PAGE_TYPES))])
        return _softmax(raw_scores(self.trees_, X, self._layouts[1]))

    def predict(self, signals) -> list[str]:
        """Each page's most likely type."""
        return [PAGE_TYPES[k] for k in np.argmax(self.predict_proba(signals), axis=1)]


# --- the page-type file ---------------------------------------------------------------

PAGE_TYPES_FORMAT = "bpclass-page-types"
PAGE_TYPES_FORMAT_VERSION = 1
BUNDLED_PAGE_TYPES = "page_types.npz"
# The classifiers of a page-type file: for text pages and HTML pages, each with words
# and (``_blind``) without them, for pages in a language the words do not cover.
KINDS = ("text", "html", "text_blind", "html_blind")


def write_page_types(classifiers: dict, path, metadata: dict | None = None) -> None:
    """Write fitted classifiers (``{"text": ..., "html": ...}``) to one ``.npz`` file
    of plain arrays and a JSON document."""
    from bpclass.modelfile import _METADATA_KEY

    arrays = {}
    meta = {
        **(metadata or {}),
        "format": PAGE_TYPES_FORMAT,
        "format_version": PAGE_TYPES_FORMAT_VERSION,
        "page_types": list(PAGE_TYPES),
        "kinds": {},
    }
    for kind, clf in classifiers.items():
        check_fitted(clf, "trees_")
        meta["kinds"][kind] = {"params": clf.get_params(), "groups": list(clf.groups)}
        for group, bag in clf.bags_.items():
            prefix = f"{kind}_{group}_"
            arrays[prefix + "words"] = np.frombuffer("\n".join(bag.words).encode("utf-8"), dtype=np.uint8)
            arrays[prefix + "idf"] = bag.idf.astype(np.float64)
            # the intercepts as the coefficients' last column: a file holds at most 64 arrays
            arrays[prefix + "coef"] = np.column_stack([bag.coef, bag.intercept]).astype(np.float32)
        arrays.update({f"{kind}_trees_{name}": clf.trees_[name] for name in TREE_ARRAYS})
    arrays[_METADATA_KEY] = np.frombuffer(json.dumps(meta, indent=1).encode("utf-8"), dtype=np.uint8)
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    with open(path, "wb") as fh:
        fh.write(buffer.getvalue())


def _bag_from(arrays: dict, prefix: str, name: str) -> _Bag:
    from bpclass.modelfile import ModelFileError

    keys = [prefix + k for k in ("words", "idf", "coef")]
    missing = [k for k in keys if k not in arrays]
    if missing:
        raise ModelFileError(f"{name} lacks the arrays {missing}; refused.")
    words, idf, coef = (arrays[k] for k in keys)
    if words.dtype != np.uint8 or words.ndim != 1:
        raise ModelFileError(f"{name}: {prefix}words is not text.")
    try:
        text = words.tobytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ModelFileError(f"{name}: {prefix}words are not UTF-8.") from exc
    word_list = text.split("\n") if text else []
    n = len(PAGE_TYPES)
    if (
        idf.shape != (len(word_list),)
        or coef.shape != (n, len(word_list) + 1)
        or not all(np.issubdtype(a.dtype, np.floating) and np.isfinite(a).all() for a in (idf, coef))
    ):
        raise ModelFileError(f"{name}: the arrays of {prefix[:-1]} have the wrong shape or type, or are not finite.")
    coef = coef.astype(np.float64)
    return _Bag(word_list, idf.astype(np.float64), coef[:, :-1], coef[:, -1].copy())


def read_page_types(data: bytes, name: str) -> dict:
    """The checked classifiers (by kind) of a page-type file's bytes."""
    from bpclass.modelfile import ModelFileError, _check_trees, _read_archive

    arrays, metadata = _read_archive(data, name)
    if metadata.get("format") != PAGE_TYPES_FORMAT:
        raise ModelFileError(f"{name} is not a bpclass page-type file.")
    if metadata.get("format_version") != PAGE_TYPES_FORMAT_VERSION:
        version = metadata.get("format_version")
        raise ModelFileError(f"{name}: page-type format {version!r} is not one this bpclass reads.")
    if metadata.get("page_types") != list(PAGE_TYPES):
        raise ModelFileError(f"{name}: its page types are not {PAGE_TYPES}.")
    kinds = metadata.get("kinds")
    if not isinstance(kinds, dict) or not set(kinds) <= set(KINDS):
        raise ModelFileError(f"{name}: its kinds must be among {KINDS}.")
    out = {}
    for kind in kinds:
        clf = PageTypeClassifier(markup=kind.startswith("html"), words=not kind.endswith("_blind"))
        n_features = len(clf.groups) * len(PAGE_TYPES) + clf.n_numbers
        clf.trees_ = _check_trees(arrays, name, f"{kind}_trees_", n_features, n_classes=len(PAGE_TYPES))
        clf.bags_ = {g: _bag_from(arrays, f"{kind}_{g}_", name) for g in clf.groups}
        clf.classes_ = np.array(PAGE_TYPES)
        out[kind] = clf
    out["metadata"] = metadata
    return out


_BUNDLED: dict = {}


def bundled_page_types() -> dict:
    """The bundled classifiers by kind (:data:`KINDS`), and ``"metadata"`` (read once
    per process)."""
    if not _BUNDLED:
        data = resources.files("bpclass").joinpath("models", BUNDLED_PAGE_TYPES).read_bytes()
        _BUNDLED.update(read_page_types(data, f"bundled {BUNDLED_PAGE_TYPES}"))
    return _BUNDLED


def classify(signals: list, html: bool = False, classifiers: dict | None = None) -> list:
    """Each page's type from its signals (of :func:`html_signals` with ``html``, else of
    :func:`text_signals`), by the classifier with words where they know at least
    MIN_WORD_COVERAGE of its words, else by the one without (``classifiers``: by kind,
    as :func:`read_page_types` gives them; default the bundled ones); None for a page
    with no text."""
    classifiers = bundled_page_types() if classifiers is None else classifiers
    kind = "html" if html else "text"
    sighted, blind = classifiers[kind], classifiers.get(kind + "_blind")
    signals = list(signals)
    out: list = [None] * len(signals)
    covered = [
        blind is None or sighted.bags_["words"].coverage(s.tokens["words"]) >= MIN_WORD_COVERAGE for s in signals
    ]
    empty = [s.numbers[1] == 0 for s in signals]  # no text (log_chars 0): no type
    for clf, chosen in ((sighted, True), (blind, False)):
        rows = [k for k, c in enumerate(covered) if c == chosen and not empty[k]]
        if rows:
            for k, t in zip(rows, clf.predict([signals[k] for k in rows])):
                out[k] = t
    return out


def _bundled_types(html: bool, pages, urls, signals_of) -> list:
    if isinstance(pages, (str, bytes)):
        raise TypeError("pages must be a list of pages, not one page.")
    pages = list(pages)
    urls = [None] * len(pages) if urls is None else list(urls)
    if len(urls) != len(pages):
        raise ValueError("urls must be as many as pages.")
    return classify([signals_of(page, url) for page, url in zip(pages, urls)], html)


def page_types(pages, urls=None) -> list:
    """The type of each page of text lines (``urls``: their addresses, or None); None
    for a page with no text."""
    return _bundled_types(False, pages, urls, text_signals)


def html_page_types(htmls, urls=None) -> list:
    """The type of each HTML page (str or bytes; ``urls``: their addresses, or None);
    None for a page with no text."""
    return _bundled_types(True, htmls, urls, html_signals)
