"""The second pass's context columns, and the model that uses them."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from conftest import rewrite_model_file
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression

from bpclass import BoilerplateClassifier, LineClassifier, ModelFileError, load_model
from bpclass.context import CONTEXT_DESCRIPTIONS, CONTEXT_FEATURE_NAMES, context_features
from bpclass.features import FEATURE_INDEX, FEATURE_NAMES, batch_features
from bpclass.passes import group_folds, passes_proba, rising_with_context
from bpclass.policy import lift_headlines, policy_boilerplate_rows, policy_kinds

C = {name: k for k, name in enumerate(CONTEXT_FEATURE_NAMES)}


def rows_with_chars(chars: list[int]) -> np.ndarray:
    X = np.zeros((len(chars), len(FEATURE_NAMES)))
    X[:, FEATURE_INDEX["log_chars"]] = np.log1p(chars)
    return X


def test_names_are_unique_and_documented():
    assert len(set(CONTEXT_FEATURE_NAMES)) == len(CONTEXT_FEATURE_NAMES)
    assert all(CONTEXT_DESCRIPTIONS[name].strip() for name in CONTEXT_FEATURE_NAMES)
    assert not set(CONTEXT_FEATURE_NAMES) & set(FEATURE_NAMES)


def test_columns_on_a_hand_made_batch():
    # Two pages: four rows, then two.
    proba = np.array([0.0, 0.5, 1.0, 0.25, 0.75, 0.5])
    out = context_features(proba, rows_with_chars([10, 30, 60, 100, 1, 3]), np.array([4, 2]))
    assert out.shape == (6, len(CONTEXT_FEATURE_NAMES))
    np.testing.assert_array_equal(out[:, C["first_pass"]], proba)
    # Neighbours never cross into the other page.
    np.testing.assert_array_equal(out[:, C["first_pass_prev_1"]], [-1, 0.0, 0.5, 1.0, -1, 0.75])
    np.testing.assert_array_equal(out[:, C["first_pass_next_1"]], [0.5, 1.0, 0.25, -1, 0.5, -1])
    np.testing.assert_array_equal(out[:, C["first_pass_next_2"]], [1.0, 0.25, -1, -1, -1, -1])
    np.testing.assert_array_equal(out[:, C["first_pass_prev_2"]], [-1, -1, 0.0, 0.5, -1, -1])
    # Windows are clipped at the page's ends: row 0 sees rows 0-3 of its page only.
    np.testing.assert_allclose(out[:, C["first_pass_window_3"]], [0.4375] * 4 + [0.625] * 2)
    np.testing.assert_allclose(out[:, C["first_pass_page_mean"]], [0.4375] * 4 + [0.625] * 2)
    np.testing.assert_array_equal(out[:, C["first_pass_page_max"]], [1.0] * 4 + [0.75, 0.75])
    # Probability-weighted characters: 0, 15, 60, 25 on page one (total 100).
    np.testing.assert_allclose(out[:4, C["first_pass_text_before"]], [0.0, 0.075, 0.45, 0.875])


def test_a_page_gets_the_same_columns_in_any_batch():
    rng = np.random.default_rng(0)
    pages = [
        [f"line {i} of page {k} " * int(rng.integers(1, 9)) for i in range(int(rng.integers(1, 60)))] for k in range(12)
    ]
    X, _ = batch_features(pages)
    per_page = np.array([len(p) for p in pages])
    proba = rng.random(len(X))
    together = context_features(proba, X, per_page)
    bounds = np.concatenate([[0], np.cumsum(per_page)])
    for k in range(len(pages)):
        rows = slice(bounds[k], bounds[k + 1])
        alone = context_features(proba[rows], X[rows], per_page[k : k + 1])
        np.testing.assert_array_equal(alone, together[rows])  # bit for bit


def test_empty_pages_and_wrong_sizes():
    out = context_features(np.array([0.9]), rows_with_chars([5]), np.array([0, 1, 0]))
    assert out[0, C["first_pass_prev_1"]] == -1 and out[0, C["first_pass_page_max"]] == 0.9
    assert context_features(np.zeros(0), rows_with_chars([]), np.array([0, 0])).shape == (0, len(C))
    with pytest.raises(ValueError, match="rows"):
        context_features(np.zeros(3), rows_with_chars([1, 2, 3]), np.array([2]))


def test_group_folds_keep_groups_together_and_use_every_fold():
    folds = group_folds(["a.com", "b.org", "a.com", "c.net", "b.org"], 5)
    assert folds[0] == folds[2] and folds[1] == folds[4]
    assert set(folds.tolist()) == {0, 1}
    assert set(group_folds(None, 4).tolist()) == {0, 1}
    # The same groups get the same folds whatever the order of the pages.
    assert group_folds(["x", "y", "z"], 3).tolist() == group_folds(["z", "y", "x"], 3).tolist()[::-1]
    with pytest.raises(ValueError, match="3 pages but 2 groups"):
        group_folds(["a", "b"], 3)
    with pytest.raises(TypeError, match="one group per page"):
        group_folds("ab", 2)
    with pytest.raises(TypeError, match="hashable"):
        group_folds([["a"], ["b"]], 2)


@pytest.fixture(scope="module")
def two_pass(example_pages):
    pages = example_pages * 2
    model = BoilerplateClassifier(estimator=LineClassifier(max_iter=10, min_samples_leaf=2, random_state=0))
    return model.fit([p.lines for p in pages], [p.labels for p in pages])


def _headlines_lifted(pages, rows: np.ndarray, non_blank: np.ndarray, threshold: float) -> np.ndarray:
    """Per-row probabilities with the headline rule (bpclass.policy.lift_headlines) applied."""
    full = np.zeros(len(non_blank))
    full[non_blank] = rows
    per_page = np.split(full, np.cumsum([len(p) for p in pages])[:-1])
    lift_headlines(pages, per_page, threshold)
    return np.concatenate(per_page)[non_blank]


def test_the_second_pass_reads_the_first(two_pass, example_pages):
    pages = [p.lines for p in example_pages]
    X, non_blank = batch_features(pages)
    first = two_pass.estimator_.predict_proba(X)[:, 1]
    per_page = np.array([sum(1 for line in p if line.strip()) for p in pages])
    second = two_pass.context_estimator_.decision_function(np.hstack([X, context_features(first, X, per_page)]))
    # The final log-odds blend both passes' (first_pass_weight, 0.25 by default).
    w = two_pass.first_pass_weight
    assert w == 0.25
    revised = 1.0 / (1.0 + np.exp(-(w * two_pass.estimator_.decision_function(X) + (1 - w) * second)))
    policy = policy_boilerplate_rows(X)
    expected = np.where(policy, np.minimum(first, revised), revised)
    # The comment-section policy (tested in test_comments.py) left out; the headline
    # rule (test_headlines.py) applied to the expected numbers too.
    expected = _headlines_lifted(pages, expected, non_blank, two_pass.threshold)
    got = np.concatenate(copy.copy(two_pass).set_params(keep_comments=True).predict_proba(pages))[non_blank]
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-12)
    assert policy.any() and (got[policy] <= first[policy]).all()  # context never raises a dateline
    assert two_pass.context_estimator_.n_features_in_ == len(FEATURE_NAMES) + len(CONTEXT_FEATURE_NAMES)


def test_the_second_pass_only_rises_with_the_first():
    # Rows whose label falls as the line's own first-pass probability rises: an
    # unconstrained forest learns that; the second pass's estimator may not.
    rng = np.random.default_rng(0)
    n_columns = len(FEATURE_NAMES) + len(CONTEXT_FEATURE_NAMES)
    own = len(FEATURE_NAMES) + C["first_pass"]
    X = rng.random((400, n_columns))
    y = (X[:, own] < 0.5).astype(int)
    plain = LineClassifier(max_iter=10, min_samples_leaf=2)
    rising = rising_with_context(plain)
    assert rising is not plain and plain.monotonic_cst is None
    assert [k for k, c in enumerate(rising.monotonic_cst) if c] == [own] and rising.monotonic_cst[own] == 1
    grid = np.repeat(X[:20], 11, axis=0)
    grid[:, own] = np.tile(np.linspace(0, 1, 11), 20)
    steps = lambda est: np.diff(est.fit(X, y).predict_proba(grid)[:, 1].reshape(20, 11), axis=1)  # noqa: E731
    assert (steps(clone(plain)) < 0).any()  # the data would show a missing constraint
    assert (steps(rising) >= 0).all()
    # Constraints of the user's own, or an estimator without the parameter, are left alone.
    own_choice = LineClassifier(monotonic_cst=[0] * n_columns)
    assert rising_with_context(own_choice) is own_choice
    other = LogisticRegression()
    assert rising_with_context(other) is other


def test_the_bundled_recipe_constrains_the_second_pass(two_pass):
    cst = two_pass.context_estimator_.monotonic_cst
    assert len(cst) == len(FEATURE_NAMES) + len(CONTEXT_FEATURE_NAMES)
    assert cst[len(FEATURE_NAMES) + C["first_pass"]] == 1 and sum(map(abs, cst)) == 1
    assert two_pass.estimator_.monotonic_cst is None


def test_first_pass_weight_blends_the_passes(two_pass, example_pages, tmp_path):
    # Two forests that disagree, on rows with room for the context columns.
    rng = np.random.default_rng(1)
    n = len(FEATURE_NAMES)
    X = np.zeros((300, n + len(CONTEXT_FEATURE_NAMES)))
    X[:, :n] = rng.random((300, n))
    first = LineClassifier(max_iter=5, min_samples_leaf=2).fit(X[:, :n], (X[:, 0] > 0.5).astype(int))
    second = LineClassifier(max_iter=5, min_samples_leaf=2).fit(rng.random(X.shape), (X[:, 1] > 0.5).astype(int))
    per_page = np.array([100, 200])
    s1 = first.decision_function(X[:, :n])
    for w in (0.0, 0.3, 1.0):
        got = passes_proba(first, second, X, per_page, w)
        s2 = second.decision_function(X)  # the context columns as passes_proba filled them
        expected = 1.0 / (1.0 + np.exp(-(w * s1 + (1 - w) * s2)))
        expected = np.where(policy_boilerplate_rows(X), np.minimum(1.0 / (1.0 + np.exp(-s1)), expected), expected)
        np.testing.assert_allclose(got, expected, rtol=0, atol=1e-12)
    assert not np.allclose(passes_proba(first, second, X, per_page, 0.0), passes_proba(first, second, X, per_page, 1.0))
    pages = [p.lines for p in example_pages]
    try:
        for bad in (-0.1, 1.5, "half", None, True):
            with pytest.raises(ValueError, match="first_pass_weight"):
                two_pass.set_params(first_pass_weight=bad).predict_proba(pages)
    finally:
        two_pass.set_params(first_pass_weight=0.25)
    with pytest.raises(ValueError, match="first_pass_weight"):
        BoilerplateClassifier(first_pass_weight=2).fit(pages, [p.labels for p in example_pages])
    # The weight travels in the file; a file without one (written before the blend) uses the second pass alone.
    two_pass.set_params(first_pass_weight=0.25).save(tmp_path / "w.npz")
    two_pass.set_params(first_pass_weight=0.25)
    assert load_model(tmp_path / "w.npz").first_pass_weight == 0.25
    # Format 3 must give the weight; a format-2 file (written before the blend) uses the second pass alone.
    rewrite_model_file(tmp_path / "w.npz", tmp_path / "bad.npz", change_meta=lambda m: m.pop("first_pass_weight"))
    with pytest.raises(ModelFileError, match="must give its first_pass_weight"):
        load_model(tmp_path / "bad.npz")

    def as_format_2(meta):
        meta.pop("first_pass_weight")
        meta["format_version"] = 2

    rewrite_model_file(tmp_path / "w.npz", tmp_path / "old.npz", change_meta=as_format_2)
    old = load_model(tmp_path / "old.npz")
    assert old.first_pass_weight == 0.0 and old.context_estimator_ is not None
    for bad in (1.5, "0.5", None):
        rewrite_model_file(
            tmp_path / "w.npz", tmp_path / "bad.npz", change_meta=lambda m, bad=bad: m.update(first_pass_weight=bad)
        )
        with pytest.raises(ModelFileError, match="first_pass_weight"):
            load_model(tmp_path / "bad.npz")


def test_one_pass_when_asked(example_pages):
    pages = [p.lines for p in example_pages]
    model = BoilerplateClassifier(
        estimator=LineClassifier(max_iter=5, min_samples_leaf=2), second_pass=False, keep_comments=True
    )
    model.fit(pages, [p.labels for p in example_pages])
    assert model.context_estimator_ is None
    X, non_blank = batch_features(pages)
    np.testing.assert_array_equal(
        np.concatenate(model.predict_proba(pages))[non_blank],
        _headlines_lifted(pages, model.estimator_.predict_proba(X)[:, 1], non_blank, model.threshold),
    )
    with pytest.raises(TypeError, match="second_pass"):
        BoilerplateClassifier(second_pass="yes").fit(pages, [p.labels for p in example_pages])


def test_one_group_cannot_feed_the_second_pass(example_pages):
    pages = [p.lines for p in example_pages]
    labels = [p.labels for p in example_pages]
    model = BoilerplateClassifier(estimator=LineClassifier(max_iter=3, min_samples_leaf=2))
    with pytest.raises(ValueError, match="second_pass=False"):
        model.fit(pages, labels, groups=["one site"] * len(pages))


def test_groups_decide_which_pages_score_which(example_pages):
    # Each group's first-pass probabilities come from a forest that never saw it: with
    # pages of one group repeated, the held-out forest differs from the in-sample one.
    pages = [p.lines for p in example_pages] * 2
    labels = [p.labels for p in example_pages] * 2
    est = LineClassifier(max_iter=5, min_samples_leaf=2, random_state=0)
    by_page = BoilerplateClassifier(estimator=est).fit(pages, labels)
    by_copy = BoilerplateClassifier(estimator=est).fit(pages, labels, groups=list(range(len(example_pages))) * 2)
    np.testing.assert_array_equal(by_page.estimator_.trees_["value"], by_copy.estimator_.trees_["value"])
    assert not np.array_equal(by_page.context_estimator_.trees_["value"], by_copy.context_estimator_.trees_["value"])


def test_file_round_trip_keeps_both_passes(two_pass, example_pages, tmp_path):
    path = tmp_path / "two.npz"
    two_pass.save(path)
    again = load_model(path)
    assert again.second_pass and again.context_estimator_ is not None
    pages = [p.lines for p in example_pages]
    for a, b in zip(again.predict_proba(pages), two_pass.predict_proba(pages)):
        np.testing.assert_array_equal(a, b)


def test_format_1_files_load_as_one_pass(example_pages, tmp_path):
    pages = [p.lines for p in example_pages]
    model = BoilerplateClassifier(estimator=LineClassifier(max_iter=5, min_samples_leaf=2), second_pass=False)
    model.fit(pages, [p.labels for p in example_pages]).save(tmp_path / "one.npz")

    def as_format_1(meta):
        meta["format_version"] = 1
        del meta["second_pass"]

    rewrite_model_file(tmp_path / "one.npz", tmp_path / "old.npz", as_format_1)
    old = load_model(tmp_path / "old.npz")
    assert old.context_estimator_ is None and not old.second_pass
    for a, b in zip(old.predict_proba(pages), model.predict_proba(pages)):
        np.testing.assert_array_equal(a, b)


def test_bad_second_pass_files_are_refused(two_pass, tmp_path):
    good = tmp_path / "good.npz"
    two_pass.save(good)
    bad = tmp_path / "bad.npz"
    rewrite_model_file(good, bad, change_arrays=lambda a: a.pop("context_value"))
    with pytest.raises(ModelFileError, match="context_value"):
        load_model(bad)

    def far_feature(arrays):
        inner = np.flatnonzero(arrays["context_feature"] >= 0)[0]
        arrays["context_feature"][inner] = len(FEATURE_NAMES) + len(CONTEXT_FEATURE_NAMES)

    rewrite_model_file(good, bad, change_arrays=far_feature)
    with pytest.raises(ModelFileError, match="feature that does not exist"):
        load_model(bad)
    rewrite_model_file(good, bad, lambda m: m.__setitem__("context_feature_names", ["first_pass"]))
    with pytest.raises(ModelFileError, match="context columns"):
        load_model(bad)
    rewrite_model_file(good, bad, lambda m: m.__setitem__("second_pass", "yes"))
    with pytest.raises(ModelFileError, match="second_pass"):
        load_model(bad)
    rewrite_model_file(good, bad, lambda m: m.__setitem__("format_version", 1))
    with pytest.raises(ModelFileError, match="second_pass"):
        load_model(bad)
    rewrite_model_file(good, bad, lambda m: m.__setitem__("context_estimator_params", ["not", "a", "dict"]))
    with pytest.raises(ModelFileError, match="JSON object"):
        load_model(bad)


def test_policy_lines():
    lines = [
        "Kamis, 14 Maret 2024 - 09:27 WIB",
        "8 menit yang lalu",
        "By Sarah Jones",
        "Photo: Reuters",
        "The minister said the plan will start in May, two years late.",
        "Banjir Rendam Ratusan Rumah di Medan",
        "On 14 March 2024 the river rose by two metres.",  # a date, but a sentence
    ]
    X, _ = batch_features([lines])
    kinds = policy_kinds(X)
    assert kinds["date"].tolist() == [True, True, False, False, False, False, False]
    assert kinds["byline"].tolist() == [False, False, True, False, False, False, False]
    assert kinds["caption"].tolist() == [False, False, False, True, False, False, False]
    assert policy_boilerplate_rows(X).tolist() == [True, True, True, True, False, False, False]
