"""BoilerplateClassifier: pages of text lines in, one 0/1 label per line out.

A model file is a numpy ``.npz`` archive of plain arrays (the trees, see
:mod:`bpclass.estimator`) plus one JSON document of metadata. It is read with
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
from collections.abc import Hashable, Sequence
from importlib import resources

import numpy as np
from sklearn.base import BaseEstimator, clone
from sklearn.utils.validation import check_is_fitted

from bpclass import features as _features
from bpclass.estimator import TREE_ARRAYS, LineClassifier
from bpclass.features import FEATURE_INDEX, FEATURE_NAMES, batch_features

# Lines per feature matrix when predicting (see _proba).
CHUNK_LINES = 8192
LOGGER = logging.getLogger(__name__)

FORMAT_NAME = "bpclass-model"
FORMAT_VERSION = 1
DEFAULT_THRESHOLD = 0.5
# How much each labeled line counts in training (BoilerplateClassifier(line_weight=...)).
LINE_WEIGHTS = ("words", "uniform")
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

    Attributes
    ----------
    estimator_ : LineClassifier
        The fitted line-level model.
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

    def __init__(self, threshold=DEFAULT_THRESHOLD, estimator=None, line_weight="words"):
        self.threshold = threshold
        self.estimator = estimator
        self.line_weight = line_weight

    # -- training ---------------------------------------------------------------
    def fit(self, pages, labels, metadata=None):
        """Fit on pages (lists of lines) and their labels (0, 1, or None per line).

        Blank lines and lines labeled ``None`` are left out of training.
        ``metadata`` (a JSON-serialisable dict) is stored with the model, e.g. a
        summary of the training data.
        """
        check_line_weight(self.line_weight)  # before the features are computed
        pages = _check_pages(pages)
        label_rows = _check_labels(pages, labels)
        y_lines = np.concatenate(label_rows) if label_rows else np.zeros(0, dtype=np.int64)
        LOGGER.info("computing features of %d pages", len(pages))
        # Blank lines are never trained on, whatever their label. Only the rows of
        # labeled lines are kept, chunk by chunk, in one preallocated matrix.
        X = np.empty((int((y_lines >= 0).sum()), len(FEATURE_NAMES)))
        y = np.empty(len(X), dtype=np.int64)
        done = 0
        for first, start, stop in _chunks(pages):
            rows, non_blank = batch_features(pages[start:stop])
            chunk_y = y_lines[first : first + len(non_blank)][non_blank]
            keep = chunk_y >= 0
            n_keep = int(keep.sum())
            X[done : done + n_keep] = rows[keep]
            y[done : done + n_keep] = chunk_y[keep]
            done += n_keep
        X, y = X[:done], y[:done]
        if not done:
            raise ValueError("no labeled non-blank lines to train on.")
        if set(np.unique(y).tolist()) != {0, 1}:
            raise ValueError("training needs both content (1) and boilerplate (0) lines.")
        estimator = self.estimator if self.estimator is not None else LineClassifier()
        weight = line_weights(X, self.line_weight)
        LOGGER.info("fitting %s on %d lines", type(estimator).__name__, len(X))
        self.estimator_ = clone(estimator).fit(X, y, sample_weight=weight)
        self.feature_names_ = FEATURE_NAMES
        self.metadata_ = copy.deepcopy(dict(metadata or {}))  # never change the caller's dict
        self.metadata_.setdefault("training_data", {})
        self.metadata_["training_data"].setdefault("pages", len(pages))
        self.metadata_["training_data"].setdefault("lines", len(X))
        return self

    # -- prediction -------------------------------------------------------------
    def _proba(self, pages) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """P(content) per line and the non-blank mask of each page."""
        check_is_fitted(self, "estimator_")
        pages = _check_pages(pages)
        ends = np.cumsum([len(page) for page in pages])
        flat = np.zeros(int(ends[-1]) if len(ends) else 0)
        non_blank = np.zeros(len(flat), dtype=bool)
        for first, start, stop in _chunks(pages):
            X, chunk_non_blank = batch_features(pages[start:stop])
            rows = slice(first, first + len(chunk_non_blank))
            non_blank[rows] = chunk_non_blank
            if len(X):
                flat[rows][chunk_non_blank] = self.estimator_.predict_proba(X)[:, 1]
        return np.split(flat, ends[:-1]), np.split(non_blank, ends[:-1])

    def predict_proba(self, pages) -> list[np.ndarray]:
        """P(content) for each line of each page; blank lines get 0.0.

        Returns one float array per page, as long as the page.
        """
        return self._proba(pages)[0]

    def predict(self, pages, threshold=None) -> list[np.ndarray]:
        """0/1 label of each line of each page (blank lines always get 0)."""
        return self.predict_with_proba(pages, threshold)[0]

    def predict_with_proba(self, pages, threshold=None) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Labels and P(content) of each line of each page, computed once for both."""
        threshold = self.threshold if threshold is None else threshold
        check_threshold(threshold)
        probas, masks = self._proba(pages)
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
            # How chatty training was is not part of the model.
            "estimator_params": {k: v for k, v in est.get_params().items() if k != "verbose"},
        }
        arrays = {name: est.trees_[name] for name in TREE_ARRAYS}
        arrays[_METADATA_KEY] = np.frombuffer(json.dumps(metadata, indent=1).encode("utf-8"), dtype=np.uint8)
        buffer = io.BytesIO()
        np.savez_compressed(buffer, **arrays)
        with open(path, "wb") as fh:
            fh.write(buffer.getvalue())


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


def check_threshold(threshold) -> None:
    """Raise ValueError unless ``threshold`` is a number between 0 and 1."""
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float)) or not 0.0 <= threshold <= 1.0:
        raise ValueError(f"threshold must be a number between 0 and 1; got {threshold!r}.")


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
    if version < FORMAT_VERSION:
        raise ModelFileError(
            f"{name} uses model format {version}, which this bpclass ({_version()}) no longer "
            f"reads (it reads format {FORMAT_VERSION}). Retrain the model with training/train.py."
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


def _check_trees(arrays: dict, name: str) -> dict:
    """Refuse tree arrays that are inconsistent, out of range, or cyclic."""
    missing = [key for key in TREE_ARRAYS if key not in arrays]
    if missing:
        raise ModelFileError(f"{name} lacks the arrays {missing}; refused.")
    trees = {}
    for key in TREE_ARRAYS:
        a = arrays[key]
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
    if (trees["feature"] >= len(FEATURE_NAMES)).any() or (trees["feature"] < -1).any():
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


def _from_arrays(arrays: dict, metadata: dict, name: str) -> BoilerplateClassifier:
    _check_metadata(metadata, name)
    trees = _check_trees(arrays, name)
    params = metadata.get("estimator_params") or {}
    known = LineClassifier().get_params()
    estimator = LineClassifier(**{k: v for k, v in params.items() if k in known})
    estimator.trees_ = trees
    estimator._prepare_walk()
    estimator.classes_ = np.array([0, 1])
    estimator.n_features_in_ = len(FEATURE_NAMES)
    estimator.n_iter_ = len(trees["roots"])
    model = BoilerplateClassifier(threshold=float(metadata.get("threshold", DEFAULT_THRESHOLD)))
    model.estimator_ = estimator
    model.feature_names_ = FEATURE_NAMES
    model.metadata_ = {k: v for k, v in metadata.items() if k not in ("feature_names", "estimator_params")}
    return model


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


def clean(text: str, model: BoilerplateClassifier | None = None, threshold: float | None = None) -> str:
    """The content lines of one page of text, joined by newlines.

    ``text`` is split into lines at any line break (``\\n``, ``\\r\\n``, ``\\r``,
    Unicode line and paragraph separators). Uses the bundled model unless one is given.

    Examples
    --------
    >>> clean("")
    ''
    """
    if not isinstance(text, str):
        raise TypeError(f"clean() takes the page as a str; got {type(text).__name__}.")
    lines = text.splitlines()
    if not any(line.strip() for line in lines):
        return ""
    model = load_model() if model is None else model
    labels = model.predict([lines], threshold=threshold)[0]
    return "\n".join(line for line, keep in zip(lines, labels) if keep)
