"""LineClassifier: gradient-boosted trees on the numeric feature matrix.

Training is done by scikit-learn's :class:`~sklearn.ensemble.HistGradientBoostingClassifier`
(imported on ``fit``: predicting does not need scikit-learn).
Once fitted, the trees are copied out into a handful of flat numpy arrays
(:attr:`LineClassifier.trees_`) and prediction walks those arrays. The arrays are
all a model file needs to hold: loading one never unpickles anything, and it
predicts exactly what the fitted estimator predicted.
"""

from __future__ import annotations

import numpy as np

from bpclass.base import Estimator, check_fitted
from bpclass.features import _speedups

# The arrays that describe a fitted forest, in the order a model file stores them.
TREE_ARRAYS = ("feature", "threshold", "left", "right", "value", "roots", "tree_class", "baseline")


def _export_trees(booster) -> dict:
    """Copy a fitted HistGradientBoostingClassifier's trees into flat arrays.

    Node ``i`` of the forest splits on ``feature[i]`` (``-1`` for a leaf): rows with
    ``x[feature] <= threshold`` go to ``left[i]``, others to ``right[i]``; a leaf adds
    ``value[i]`` to the raw score of class ``tree_class`` of its tree.
    """
    features, thresholds, lefts, rights, values, roots, classes = [], [], [], [], [], [], []
    offset = 0
    # HistGradientBoosting keeps its trees in ``_predictors`` (one list per
    # iteration, one tree per raw-score column); a test pins that our copy
    # predicts the same probabilities, so a change there fails loudly.
    for iteration in booster._predictors:
        for k, predictor in enumerate(iteration):
            nodes = predictor.nodes
            leaf = nodes["is_leaf"].astype(bool)
            features.append(np.where(leaf, -1, nodes["feature_idx"]).astype(np.int32))
            thresholds.append(nodes["num_threshold"].astype(np.float64))
            lefts.append(np.where(leaf, 0, nodes["left"] + offset).astype(np.int32))
            rights.append(np.where(leaf, 0, nodes["right"] + offset).astype(np.int32))
            values.append(np.where(leaf, nodes["value"], 0.0).astype(np.float64))
            roots.append(offset)
            classes.append(k)
            offset += len(nodes)
    baseline = np.asarray(booster._baseline_prediction, dtype=np.float64).ravel()
    return {
        "feature": np.concatenate(features),
        "threshold": np.concatenate(thresholds),
        "left": np.concatenate(lefts),
        "right": np.concatenate(rights),
        "value": np.concatenate(values),
        "roots": np.asarray(roots, dtype=np.int32),
        "tree_class": np.asarray(classes, dtype=np.int32),
        "baseline": baseline,
    }


def _logistic(scores: np.ndarray) -> np.ndarray:
    """P(class 1) from a binary model's raw scores (log-odds)."""
    return 1.0 / (1.0 + np.exp(-np.clip(scores, -500, 500)))


# Forests no deeper than this are also laid out as perfect binary trees (below),
# which the compiled walk descends with no branches; deeper ones are walked node by node.
MAX_PERFECT_DEPTH = 10

# Rows are walked down the trees in chunks of this many: small enough for the
# (rows x trees) index arrays to stay in the CPU cache.
CHUNK_ROWS = 256


def _walk_arrays(trees: dict) -> tuple:
    """Node arrays in which a leaf points to itself, plus the forest's depth.

    With self-pointing leaves, every row can take the same number of steps
    (the depth of the deepest tree) with no test for "reached a leaf yet".
    """
    feature = trees["feature"]
    leaf = feature < 0
    idx = np.arange(len(feature), dtype=np.int64)
    left = np.where(leaf, idx, trees["left"]).astype(np.int64)
    right = np.where(leaf, idx, trees["right"]).astype(np.int64)
    threshold = np.where(leaf, np.inf, trees["threshold"])
    safe_feature = np.where(leaf, 0, feature).astype(np.int64)
    depth = 0
    frontier = np.asarray(trees["roots"], dtype=np.int64)
    while frontier.size:
        frontier = frontier[~leaf[frontier]]
        if frontier.size:
            depth += 1
            frontier = np.concatenate([left[frontier], right[frontier]])
    return safe_feature, threshold, left, right, depth


def perfect_layout(trees: dict, tree_class: int = 0) -> dict | None:
    """The trees of one raw-score column as perfect binary trees of one depth.

    Node ``k`` of a tree splits on ``feature[t, k]`` at ``threshold[t, k]``; its
    children are ``2k + 1`` (``x <= threshold``) and ``2k + 2``. A leaf above the
    bottom level is padded with splits whose two sides end in copies of its value,
    so every row takes exactly ``depth`` steps and reaches ``leaf[t, j]``.
    ``None`` when the forest is deeper than :data:`MAX_PERFECT_DEPTH`.
    """
    feature, threshold, left, right = (trees[k] for k in ("feature", "threshold", "left", "right"))
    value = trees["value"]
    roots = np.asarray(trees["roots"])[np.asarray(trees["tree_class"]) == tree_class]
    depth = _walk_arrays({**trees, "roots": roots})[4]
    if depth > MAX_PERFECT_DEPTH:
        return None
    n_inner = (1 << depth) - 1
    out_feature = np.zeros((len(roots), n_inner), dtype=np.int32)
    out_threshold = np.zeros((len(roots), n_inner))
    out_leaf = np.zeros((len(roots), 1 << depth))
    for t, root in enumerate(roots.tolist()):
        stack = [(root, 0, 0)]  # node, index in the perfect tree, level
        while stack:
            node, k, level = stack.pop()
            if feature[node] < 0:
                first = k  # leftmost bottom descendant: the padded leaves are contiguous
                for _ in range(depth - level):
                    first = 2 * first + 1
                out_leaf[t, first - n_inner : first - n_inner + (1 << (depth - level))] = value[node]
            else:
                out_feature[t, k] = feature[node]
                out_threshold[t, k] = threshold[node]
                stack.append((int(left[node]), 2 * k + 1, level + 1))
                stack.append((int(right[node]), 2 * k + 2, level + 1))
    return {"feature": out_feature, "threshold": out_threshold, "leaf": out_leaf, "depth": depth}


def raw_scores(trees: dict, X: np.ndarray, layouts: list | None = None, rows: np.ndarray | None = None) -> np.ndarray:
    """The baseline plus the leaf value each row reaches in each tree, per raw-score column.

    Leaf values are added one tree after another, in training order, as
    scikit-learn does: both walks below give the very same numbers.
    ``layouts`` (one :func:`perfect_layout` per column) saves rebuilding them.
    ``rows`` (int64 row numbers): score only those rows of ``X``, as ``X[rows]``
    would, without copying them.
    """
    n_columns = len(trees["baseline"])
    n_rows = X.shape[0] if rows is None else len(rows)
    scores = np.tile(trees["baseline"], (n_rows, 1))
    n_trees = len(trees["roots"])
    if n_rows == 0 or n_trees == 0:
        return scores
    if _speedups is not None:
        if layouts is None:
            layouts = [perfect_layout(trees, k) for k in range(n_columns)]
        if all(layout is not None for layout in layouts):
            X = np.ascontiguousarray(X, dtype=np.float64)
            for k, layout in enumerate(layouts):
                column = np.ascontiguousarray(scores[:, k])
                _speedups.forest_scores(
                    X, X.shape[1], layout["feature"], layout["threshold"], layout["leaf"], layout["depth"], column, rows
                )
                scores[:, k] = column
            return scores
    if rows is not None:
        X = X[rows]
    feature, threshold, left, right, depth = _walk_arrays(trees)
    roots = np.asarray(trees["roots"], dtype=np.int64)
    tree_class = trees["tree_class"]
    n_features = X.shape[1]
    for start in range(0, X.shape[0], CHUNK_ROWS):
        flat = np.ascontiguousarray(X[start : start + CHUNK_ROWS], dtype=np.float64).ravel()
        n = len(flat) // n_features
        # Walk every (row, tree) pair down at once, one level per step; the row's
        # feature value is read from the flattened chunk at row * n_features + feature.
        row_base = (np.arange(n, dtype=np.int64) * n_features)[:, None]
        node = np.broadcast_to(roots, (n, n_trees)).copy()
        for _ in range(depth):
            go_left = np.take(flat, row_base + np.take(feature, node)) <= np.take(threshold, node)
            node = np.where(go_left, np.take(left, node), np.take(right, node))
        leaf_values = np.take(trees["value"], node)
        for k in range(n_columns):
            # The baseline, then one tree after another: cumsum adds in order.
            values = leaf_values if n_columns == 1 else leaf_values[:, tree_class == k]
            running = np.column_stack([scores[start : start + CHUNK_ROWS, k], values])
            scores[start : start + CHUNK_ROWS, k] = np.cumsum(running, axis=1)[:, -1]
    return scores


class LineClassifier(Estimator):
    """Gradient-boosted trees that classify feature rows (lines) as content or not.

    A scikit-learn estimator on a numeric matrix, so it works with ``clone``,
    ``GridSearchCV`` and ``cross_val_score`` (use ``GroupKFold`` with one group per
    page, so lines of one page never sit on both sides of a split).

    Parameters
    ----------
    max_iter : int, default=200
        Boosting iterations (trees per class).
    learning_rate : float, default=0.1
        Shrinkage applied to each tree.
    max_leaf_nodes : int, default=31
        Leaves per tree.
    max_depth : int or None, default=None
        Depth limit of each tree.
    min_samples_leaf : int, default=20
        Fewest training rows in a leaf.
    l2_regularization : float, default=0.0
        L2 penalty on leaf values.
    class_weight : dict, "balanced" or None, default=None
        Weights of the classes during training.
    random_state : int or None, default=0
        Seed; training is deterministic for a fixed seed.
    max_samples : int or None, default=None
        Fit on at most this many rows, drawn at random (with ``random_state``) when
        there are more: training time grows with the rows, and depth-limited trees
        gain little from millions of them. ``None``: every row.
    monotonic_cst : array-like of int or None, default=None
        One of -1, 0, 1 per column: the output may only fall, move freely, or only
        rise as that column grows (scikit-learn's ``monotonic_cst``; binary labels
        only). ``None``: no constraint.
    verbose : int, default=0
        1 prints one line per boosting iteration while fitting (progress).

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The class labels seen in ``fit``.
    n_features_in_ : int
        Number of columns seen in ``fit``.
    n_iter_ : int
        Boosting iterations done.
    trees_ : dict of str to ndarray
        The fitted forest as flat arrays (see :data:`TREE_ARRAYS`).

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0], [1.0], [2.0], [3.0]] * 10)
    >>> y = np.array([0, 0, 1, 1] * 10)
    >>> clf = LineClassifier(max_iter=5, min_samples_leaf=1).fit(X, y)
    >>> clf.predict([[0.0], [3.0]]).tolist()
    [0, 1]
    """

    _estimator_kind = "classifier"

    def __init__(
        self,
        max_iter=200,
        learning_rate=0.1,
        max_leaf_nodes=31,
        max_depth=None,
        min_samples_leaf=20,
        l2_regularization=0.0,
        class_weight=None,
        random_state=0,
        max_samples=None,
        monotonic_cst=None,
        verbose=0,
    ):
        self.max_iter = max_iter
        self.learning_rate = learning_rate
        self.max_leaf_nodes = max_leaf_nodes
        self.max_depth = max_depth
        self.min_samples_leaf = min_samples_leaf
        self.l2_regularization = l2_regularization
        self.class_weight = class_weight
        self.random_state = random_state
        self.max_samples = max_samples
        self.monotonic_cst = monotonic_cst
        self.verbose = verbose

    def fit(self, X, y, sample_weight=None):
        """Fit the trees on feature rows ``X`` and labels ``y``; returns ``self``."""
        from sklearn.ensemble import HistGradientBoostingClassifier
        from sklearn.utils.multiclass import check_classification_targets
        from sklearn.utils.validation import validate_data

        X, y = validate_data(self, X, y, dtype=np.float64)
        check_classification_targets(y)
        self.classes_, encoded = np.unique(y, return_inverse=True)
        if len(self.classes_) < 2:
            raise ValueError(
                f"LineClassifier needs 2 classes to learn from, but y has only 1 class: {self.classes_.tolist()}."
            )
        if self.max_samples is not None:
            if not isinstance(self.max_samples, (int, np.integer)) or self.max_samples < 1:
                raise ValueError(f"max_samples must be a positive int or None; got {self.max_samples!r}.")
            if len(X) > self.max_samples:
                rows = np.sort(np.random.default_rng(self.random_state).choice(len(X), self.max_samples, replace=False))
                X, encoded = X[rows], encoded[rows]
                sample_weight = None if sample_weight is None else np.asarray(sample_weight)[rows]
        booster = HistGradientBoostingClassifier(
            max_iter=self.max_iter,
            learning_rate=self.learning_rate,
            max_leaf_nodes=self.max_leaf_nodes,
            max_depth=self.max_depth,
            min_samples_leaf=self.min_samples_leaf,
            l2_regularization=self.l2_regularization,
            class_weight=self.class_weight,
            early_stopping=False,
            random_state=self.random_state,
            monotonic_cst=self.monotonic_cst,
            verbose=self.verbose,
        )
        booster.fit(X, encoded, sample_weight=sample_weight)
        self.n_iter_ = booster.n_iter_
        self.trees_ = _export_trees(booster)
        self._prepare_walk()
        return self

    def _prepare_walk(self) -> None:
        """Lay the trees out for the compiled walk once, not on every predict call."""
        self._layouts = [perfect_layout(self.trees_, k) for k in range(len(self.trees_["baseline"]))]

    def decision_function(self, X):
        """Raw scores: log-odds of the last class (binary) or one column per class."""
        from sklearn.utils.validation import validate_data

        check_fitted(self, "trees_")
        X = validate_data(self, X, dtype=np.float64, reset=False)
        scores = raw_scores(self.trees_, X, getattr(self, "_layouts", None))
        return scores[:, 0] if scores.shape[1] == 1 else scores

    def _content_score(self, X: np.ndarray, rows: np.ndarray | None = None) -> np.ndarray:
        """Log-odds of class 1 of a binary model for rows that bpclass computed itself:
        no input checks, and ``X`` may have more columns than the trees read (the second
        pass's matrix, walked by both forests). Same numbers as ``decision_function(X)``;
        given ``rows`` (int64 row numbers), as ``decision_function(X[rows])``."""
        return raw_scores(self.trees_, X, getattr(self, "_layouts", None), rows)[:, 0]

    def _content_proba(self, X: np.ndarray) -> np.ndarray:
        """P(class 1), as :meth:`_content_score` (same numbers as ``predict_proba(X)[:, 1]``)."""
        return _logistic(self._content_score(X))

    def predict_proba(self, X):
        """Class probabilities, one column per class in ``classes_`` order."""
        scores = self.decision_function(X)
        if scores.ndim == 1:
            p = _logistic(scores)
            return np.column_stack([1.0 - p, p])
        scores = scores - scores.max(axis=1, keepdims=True)
        e = np.exp(scores)
        return e / e.sum(axis=1, keepdims=True)

    def predict(self, X):
        """The most probable class of each row."""
        check_fitted(self, "trees_")
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]

    def score(self, X, y, sample_weight=None) -> float:
        """Accuracy of :meth:`predict` on ``X`` against ``y``."""
        from sklearn.metrics import accuracy_score

        return accuracy_score(y, self.predict(X), sample_weight=sample_weight)
