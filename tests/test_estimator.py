"""LineClassifier follows scikit-learn's estimator contract and predicts like the booster it copies."""

from __future__ import annotations

import pickle
import subprocess
import sys
import warnings

import joblib
import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.model_selection import GridSearchCV, GroupKFold, cross_val_score
from sklearn.utils.estimator_checks import parametrize_with_checks

from bpclass import LineClassifier

# LineClassifier keeps the estimator contract without inheriting scikit-learn's
# BaseEstimator (so that predicting never imports scikit-learn); the checks below are
# what say it keeps it, so the warning that it does not inherit is expected.
with warnings.catch_warnings():
    warnings.filterwarnings("ignore", "Estimator LineClassifier does not inherit", UserWarning)
    sklearn_checks = parametrize_with_checks([LineClassifier(max_iter=10)])


@sklearn_checks
def test_sklearn_compatible(estimator, check):
    check(estimator)


def test_loading_and_predicting_do_not_import_sklearn():
    # Importing scikit-learn takes over a second (SciPy); a loaded model's trees are
    # plain arrays, so `bpclass clean` and `bpclass.clean` must not pay for it.
    code = (
        "import sys, bpclass\n"
        "model = bpclass.load_model()\n"
        "labels = model.predict([['A headline about the council vote', 'Share this', "
        "'The council voted on Tuesday to close the old library, which opened in 1911.']])\n"
        "assert len(labels[0]) == 3\n"
        "bpclass.clean_html('<h1>Title</h1><p>Some body text of a page.</p>')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('sklearn', 'scipy')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_score_and_repr_as_sklearn_gives_them():
    X, y = make_classification(n_samples=200, n_features=5, random_state=4)
    clf = LineClassifier(max_iter=3).fit(X, y)
    assert clf.score(X, y) > 0.8
    assert "LineClassifier(max_iter=3)" == repr(clf)


def test_exported_trees_predict_like_the_booster():
    X, y = make_classification(n_samples=1500, n_features=12, n_informative=6, random_state=1)
    ours = LineClassifier(max_iter=40, random_state=0).fit(X, y)
    booster = HistGradientBoostingClassifier(max_iter=40, early_stopping=False, random_state=0).fit(X, y)
    np.testing.assert_allclose(ours.predict_proba(X), booster.predict_proba(X), atol=1e-10)


def test_multiclass_also_matches():
    X, y = make_classification(n_samples=900, n_features=8, n_informative=5, n_classes=3, random_state=2)
    ours = LineClassifier(max_iter=15).fit(X, y)
    booster = HistGradientBoostingClassifier(max_iter=15, early_stopping=False, random_state=0).fit(X, y)
    np.testing.assert_allclose(ours.predict_proba(X), booster.predict_proba(X), atol=1e-10)


def test_same_seed_same_model():
    X, y = make_classification(n_samples=500, random_state=3)
    a = LineClassifier(max_iter=10).fit(X, y).predict_proba(X)
    b = LineClassifier(max_iter=10).fit(X, y).predict_proba(X)
    np.testing.assert_array_equal(a, b)


def test_group_cross_validation_and_grid_search():
    X, y = make_classification(n_samples=600, random_state=4)
    groups = np.repeat(np.arange(30), 20)  # 30 "pages" of 20 lines
    scores = cross_val_score(LineClassifier(max_iter=10), X, y, groups=groups, cv=GroupKFold(n_splits=3))
    assert scores.shape == (3,) and (scores > 0.6).all()
    search = GridSearchCV(LineClassifier(max_iter=5), {"max_leaf_nodes": [4, 8]}, cv=GroupKFold(3))
    search.fit(X, y, groups=groups)
    assert search.best_params_["max_leaf_nodes"] in (4, 8)


def test_picklable_with_joblib(tmp_path):
    X, y = make_classification(n_samples=300, random_state=5)
    clf = LineClassifier(max_iter=5).fit(X, y)
    joblib.dump(clf, tmp_path / "clf.joblib")
    again = joblib.load(tmp_path / "clf.joblib")
    np.testing.assert_array_equal(again.predict_proba(X), clf.predict_proba(X))
    assert pickle.loads(pickle.dumps(clf)).get_params() == clf.get_params()


def test_max_samples_fits_on_a_seeded_subset_of_rows():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(400, 3))
    y = (X[:, 0] + 0.3 * rng.normal(size=400) > 0).astype(int)
    capped = LineClassifier(max_iter=5, max_samples=100, random_state=7).fit(X, y)
    rows = np.sort(np.random.default_rng(7).choice(400, 100, replace=False))
    by_hand = LineClassifier(max_iter=5, random_state=7).fit(X[rows], y[rows])
    np.testing.assert_array_equal(capped.decision_function(X), by_hand.decision_function(X))
    everything = LineClassifier(max_iter=5, max_samples=400, random_state=7).fit(X, y)
    assert not np.array_equal(everything.decision_function(X), capped.decision_function(X))
    with pytest.raises(ValueError, match="max_samples"):
        LineClassifier(max_samples=0).fit(X, y)
