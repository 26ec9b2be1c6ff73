"""BoilerplateClassifier: pages in, labels out; model files that are safe to load."""

from __future__ import annotations

import io
import json
import os
import pickle

import numpy as np
import pytest
from conftest import fit_on_examples, line_accuracy, rewrite_model_file

import bpclass
from bpclass import BoilerplateClassifier, LineClassifier, ModelFileError, load_model
from bpclass.context import CONTEXT_FEATURE_NAMES
from bpclass.estimator import TREE_ARRAYS
from bpclass.features import FEATURE_INDEX, FEATURE_NAMES, batch_features

PAGE = [
    "Banjir Rendam Ratusan Rumah di Medan",
    "",
    "Kamis, 14 Maret 2024 - 09:27 WIB",
    "MEDAN - Hujan deras yang mengguyur Kota Medan sejak Rabu malam membuat Sungai Deli meluap.",
    "Copyright © 2024 KabarHarian.id",
]


def test_predict_shapes_and_blank_lines(small_model):
    labels = small_model.predict([PAGE, ["only one line"], []])
    assert [len(x) for x in labels] == [5, 1, 0]
    assert labels[0][1] == 0  # blank line
    proba = small_model.predict_proba([PAGE])[0]
    assert proba.shape == (5,) and proba[1] == 0.0
    assert ((proba >= 0) & (proba <= 1)).all()


def test_learns_the_example_pages(small_model, example_pages):
    # Trained on these pages, the model reproduces most of their labels.
    right, total = line_accuracy(small_model, example_pages)
    assert right / total > 0.9


def test_threshold_moves_the_decision(small_model):
    proba = small_model.predict_proba([PAGE])[0]
    none_kept = small_model.predict([PAGE], threshold=1.0)[0]
    all_kept = small_model.predict([PAGE], threshold=0.0)[0]
    assert none_kept.sum() == (proba >= 1.0).sum()
    assert all_kept.tolist() == [1, 0, 1, 1, 1]  # every non-blank line, never the blank one
    with pytest.raises(ValueError, match="threshold"):
        small_model.predict([PAGE], threshold=1.5)


def test_a_page_with_no_line_above_the_threshold_keeps_its_best_lines(small_model):
    import copy

    from bpclass.model import EMPTY_PAGE_MIN_PROBA, EMPTY_PAGE_SHARE

    proba = small_model.predict_proba([PAGE])[0]
    best = proba.max()
    assert best >= EMPTY_PAGE_MIN_PROBA
    unsure = copy.deepcopy(small_model)
    unsure.threshold = best + 0.01  # no line of the page reaches the model's own threshold
    kept = unsure.predict([PAGE])[0]
    assert kept.any()
    assert kept.tolist() == [int(p >= EMPTY_PAGE_SHARE * best and line.strip() != "") for p, line in zip(proba, PAGE)]
    # A threshold the caller asks for above the model's own keeps what it says, on a
    # page the model's own threshold keeps lines of.
    assert best >= small_model.threshold
    assert not small_model.predict([PAGE], threshold=min(1.0, best + 0.01))[0].any()


def test_the_empty_page_fallback_rule():
    from bpclass.model import EMPTY_PAGE_MIN_PROBA, _labels

    mask = np.array([True, True, False, True])
    proba = np.array([0.3, 0.1, 0.35, 0.16])
    assert _labels(proba, mask, 0.5, 0.5).tolist() == [1, 0, 0, 1]  # the blank line (mask) never
    assert _labels(proba, mask, 0.2, 0.5).tolist() == [1, 0, 0, 0]  # a line reaches the threshold
    low = np.full(4, EMPTY_PAGE_MIN_PROBA / 2)
    assert _labels(low, mask, 0.5, 0.5).tolist() == [0, 0, 0, 0]  # too unsure to keep anything
    assert _labels(proba, mask, 0.5, 0.25).tolist() == [0, 0, 0, 0]  # the model's own threshold keeps one


@pytest.mark.parametrize("page", [[], [""], ["   ", "\t"], ["one line"]])
def test_small_pages(small_model, page):
    labels = small_model.predict([page])[0]
    assert len(labels) == len(page)
    if not any(line.strip() for line in page):
        assert not labels.any()


def test_wrong_types_get_clear_errors(small_model):
    with pytest.raises(TypeError, match="list of pages"):
        small_model.predict("a bare string")
    with pytest.raises(TypeError, match="list of pages"):
        small_model.predict(b"bytes")
    with pytest.raises(TypeError, match="page 0 must be a list of lines"):
        small_model.predict(["a page as one string"])
    with pytest.raises(TypeError, match="page 0, line 1 must be a str"):
        small_model.predict([["ok", None]])
    with pytest.raises(TypeError, match="must be a str"):
        small_model.predict([[["nested"]]])
    with pytest.raises(TypeError, match="list of pages"):
        small_model.predict(None)


def test_fit_checks_labels():
    model = BoilerplateClassifier()
    with pytest.raises(ValueError, match="2 lines but 1 labels"):
        model.fit([["a", "b"]], [[1]])
    with pytest.raises(ValueError, match="0 or 1"):
        model.fit([["a", "b"]], [[1, 2]])
    with pytest.raises(ValueError, match="both content"):
        model.fit([["a", "b"]], [[1, 1]])


def test_unfitted_model_refuses_to_predict():
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        BoilerplateClassifier().predict([PAGE])


def test_save_load_round_trip(small_model, tmp_path):
    path = tmp_path / "m.npz"
    small_model.save(path)
    again = load_model(path)
    np.testing.assert_array_equal(again.predict_proba([PAGE])[0], small_model.predict_proba([PAGE])[0])
    assert again.feature_names_ == FEATURE_NAMES
    assert again.metadata_["bpclass_version"] == bpclass.__version__
    assert again.threshold == small_model.threshold


def test_saved_metadata_records_what_it_should(small_model, tmp_path):
    path = tmp_path / "m.npz"
    small_model.save(path)
    with np.load(path, allow_pickle=False) as archive:
        meta = json.loads(archive["metadata"].tobytes())
    assert meta["feature_names"] == list(FEATURE_NAMES)
    assert meta["format_version"] == 6
    assert meta["lexicon"] is False  # word weights are learned only when asked
    assert meta["markup_trees"] is False  # an HTML stage only after fit_markup
    assert meta["second_pass"] is True
    assert meta["context_feature_names"] == list(CONTEXT_FEATURE_NAMES)
    assert meta["training_data"]["pages"] > 0
    assert "scikit-learn" in meta["library_versions"]


@pytest.fixture
def saved(small_model, tmp_path):
    path = tmp_path / "good.npz"
    small_model.save(path)
    return path


def test_mismatched_features_are_refused(saved, tmp_path):
    bad = tmp_path / "bad.npz"
    renamed = lambda m: m.__setitem__("feature_names", m["feature_names"][:-1] + ["not_a_feature"])  # noqa: E731
    rewrite_model_file(saved, bad, renamed)
    with pytest.raises(ModelFileError, match="features that do not match"):
        load_model(bad)
    rewrite_model_file(saved, bad, lambda m: m.__setitem__("feature_names", list(reversed(m["feature_names"]))))
    with pytest.raises(ModelFileError, match="another order"):
        load_model(bad)


def test_missing_features_are_refused(saved, tmp_path):
    bad = tmp_path / "bad.npz"
    rewrite_model_file(saved, bad, lambda m: m.pop("feature_names"))
    with pytest.raises(ModelFileError, match="feature names"):
        load_model(bad)


def test_other_format_versions_are_refused(saved, tmp_path):
    bad = tmp_path / "bad.npz"
    rewrite_model_file(saved, bad, lambda m: m.__setitem__("format_version", 99))
    with pytest.raises(ModelFileError, match="newer bpclass"):
        load_model(bad)
    rewrite_model_file(saved, bad, lambda m: m.__setitem__("format_version", 0))
    with pytest.raises(ModelFileError, match="no longer"):
        load_model(bad)


def test_cyclic_or_out_of_range_trees_are_refused(saved, tmp_path):
    bad = tmp_path / "bad.npz"

    def cycle(arrays):
        inner = np.flatnonzero(arrays["feature"] >= 0)[0]
        arrays["left"][inner] = inner  # points back at itself: would never reach a leaf

    rewrite_model_file(saved, bad, change_arrays=cycle)
    with pytest.raises(ModelFileError, match="cyclic"):
        load_model(bad)

    def far_feature(arrays):
        inner = np.flatnonzero(arrays["feature"] >= 0)[0]
        arrays["feature"][inner] = 10_000

    rewrite_model_file(saved, bad, change_arrays=far_feature)
    with pytest.raises(ModelFileError, match="feature that does not exist"):
        load_model(bad)


@pytest.mark.parametrize(
    "content,message",
    [
        (b"", "empty"),
        (b"this is not a zip file at all", "not a bpclass model file"),
        (b"PK\x03\x04" + b"\x00" * 40, "not a bpclass model file"),
    ],
)
def test_corrupt_files_are_refused(tmp_path, content, message):
    path = tmp_path / "m.npz"
    path.write_bytes(content)
    with pytest.raises(ModelFileError, match=message):
        load_model(path)


def test_truncated_file_is_refused(saved, tmp_path):
    data = saved.read_bytes()
    path = tmp_path / "cut.npz"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ModelFileError):
        load_model(path)


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(ModelFileError, match="cannot read"):
        load_model(tmp_path / "nope.npz")
    with pytest.raises(ModelFileError, match="directory"):
        load_model(tmp_path)


class _Payload:
    """Pickling this object makes unpickling create a file: proof that code ran."""

    def __init__(self, target):
        self.target = target

    def __reduce__(self):
        return (open, (self.target, "w"))


def test_pickle_payload_is_refused_and_never_runs(tmp_path):
    marker = tmp_path / "pwned"
    # A raw pickle file posing as a model ...
    raw = tmp_path / "raw.npz"
    raw.write_bytes(pickle.dumps(_Payload(str(marker))))
    with pytest.raises(ModelFileError):
        load_model(raw)
    # ... and an npz whose metadata entry is an object array (needs unpickling).
    obj = tmp_path / "obj.npz"
    payload = np.empty(1, dtype=object)
    payload[0] = _Payload(str(marker))
    buffer = io.BytesIO()
    np.savez(buffer, metadata=payload, feature=payload)
    obj.write_bytes(buffer.getvalue())
    with pytest.raises(ModelFileError, match="could run code"):
        load_model(obj)
    assert not marker.exists()
    assert not os.path.exists("pwned")


def test_bundled_model_loads_and_is_cached():
    model = load_model()
    other = load_model()
    assert other is not model and other.estimator_ is model.estimator_  # the file is read once
    default = other.threshold
    model.set_params(threshold=0.9)  # a caller's settings stay its own
    assert other.threshold == default and load_model().threshold == default
    assert model.feature_names_ == FEATURE_NAMES
    sets = model.metadata_["training_data"]["sets"]
    assert set(sets) == {"wcxb_dev", "newspaper4k_aed", "daniel"}
    assert "scrapinghub_aeb" not in sets


def test_every_training_set_and_licence_is_named_where_users_read():
    from conftest import ROOT

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    licence_section = readme[readme.index("## Licence") :]
    card = (ROOT / "docs" / "model-card.md").read_text(encoding="utf-8")
    for name, licence in load_model().metadata_["training_data"]["sets"].items():
        assert name in licence_section and licence in licence_section, name
        assert f"| {name} |" in card and licence in card, name


def test_clean_uses_the_bundled_model():
    assert bpclass.clean("") == ""
    assert bpclass.clean("  \n \n") == ""
    with pytest.raises(TypeError, match="str"):
        bpclass.clean(["a list"])
    text = "\r\n".join(PAGE)
    kept = bpclass.clean(text).split("\n")
    assert set(kept) <= set(PAGE)
    assert PAGE[3] in kept  # the body sentence
    assert PAGE[4] not in kept  # the copyright line


def test_a_page_of_100k_lines(small_model):
    page = [f"Line number {i} of a very long page." if i % 7 else "" for i in range(100_000)]
    labels = small_model.predict([page])[0]
    assert len(labels) == 100_000
    assert not labels[::7].any()  # the blank lines


def test_predict_with_proba_agrees_with_predict_and_predict_proba(small_model):
    labels, proba = small_model.predict_with_proba([PAGE, ["x"]], threshold=0.3)
    for a, b in zip(labels, small_model.predict([PAGE, ["x"]], threshold=0.3)):
        np.testing.assert_array_equal(a, b)
    for a, b in zip(proba, small_model.predict_proba([PAGE, ["x"]])):
        np.testing.assert_array_equal(a, b)


def test_fit_leaves_the_callers_metadata_alone(example_pages):
    from bpclass import LineClassifier

    metadata = {"training_data": {"source": "examples"}}
    model = BoilerplateClassifier(estimator=LineClassifier(max_iter=3, min_samples_leaf=2))
    model.fit([p.lines for p in example_pages], [p.labels for p in example_pages], metadata=metadata)
    assert metadata == {"training_data": {"source": "examples"}}
    assert model.metadata_["training_data"]["pages"] == len(example_pages)


class _RecordingClassifier(LineClassifier):
    """A LineClassifier that remembers the sample weights it was fitted with."""

    seen = []

    def fit(self, X, y, sample_weight=None):
        _RecordingClassifier.seen.append(None if sample_weight is None else np.asarray(sample_weight).tolist())
        return super().fit(X, y, sample_weight)


def test_training_lines_weigh_their_words():
    pages = [["Big news today", "", "The minister said the plan will start in May.", "Share"]] * 5
    labels = [[1, None, 1, 0]] * 5
    estimator = _RecordingClassifier(max_iter=3, min_samples_leaf=1)
    _RecordingClassifier.seen.clear()
    BoilerplateClassifier(estimator=estimator).fit(pages, labels)
    assert _RecordingClassifier.seen[-1] == [3.0, 9.0, 1.0] * 5  # words per labeled line
    BoilerplateClassifier(estimator=estimator, line_weight="uniform").fit(pages, labels)
    assert _RecordingClassifier.seen[-1] is None
    with pytest.raises(ValueError, match="line_weight"):
        BoilerplateClassifier(estimator=estimator, line_weight="tokens").fit(pages, labels)


# -- the lexicon (learned word weights) -------------------------------------------

WORD_PAGES = [
    ["Flood hits the city", "", "The minister said the river rose after heavy rain on Tuesday.", "Share this"],
    ["Storm closes schools", "", "Officials said the schools would reopen when the roads were clear.", "Share this"],
    ["New bridge opens", "", "The mayor said the bridge would carry ten thousand cars a day.", "Share this"],
    ["Zyxwv only here", "", "Zyxwv said the zyxwv rose after rain and zyxwv stayed.", "Share this"],
] * 3
WORD_LABELS = [[1, None, 1, 0]] * len(WORD_PAGES)


def test_the_lexicon_learns_words_seen_in_several_groups():
    model = BoilerplateClassifier(estimator=LineClassifier(max_iter=5, min_samples_leaf=1), lexicon=True)
    groups = [k % 4 for k in range(len(WORD_PAGES))]  # the same four pages, three times: four groups
    model.fit(WORD_PAGES, WORD_LABELS, groups=groups)
    weights = dict(zip(model.lexicon_.words, model.lexicon_.weights.tolist()))
    assert weights["share"] < 0 < weights["said"]
    assert "zyxwv" not in weights  # in one group only: a site's own words are not learned
    # Each group's pages are its own site: with every page its own group, it is learned.
    per_page = BoilerplateClassifier(estimator=LineClassifier(max_iter=5, min_samples_leaf=1), lexicon=True)
    assert "zyxwv" in per_page.fit(WORD_PAGES, WORD_LABELS).lexicon_.words


def test_the_lexical_columns_hold_the_lexicon_score():
    from bpclass.features import FEATURE_INDEX, LEXICON_MIN_COVERAGE, Lexicon, batch_features

    lexicon = Lexicon(["share", "said", "this", "he", "so", "nothing", "known"], [-2.0, 1.0, 0, 0, 0, 0, 0])
    page = ["Share this", "", "He said so", "Nothing known here"]  # 7 of its 8 words known
    X, _ = batch_features([page], lexicon=lexicon)
    np.testing.assert_allclose(X[:, FEATURE_INDEX["lexical"]], [-2 / np.sqrt(2), 1 / np.sqrt(3), 0.0])
    np.testing.assert_allclose(X[:, FEATURE_INDEX["lexical@-1"]], [-1.0, -2 / np.sqrt(2), 1 / np.sqrt(3)])
    np.testing.assert_allclose(X[:, FEATURE_INDEX["lexicon_coverage"]], 7 / 8)
    X0, _ = batch_features([page])
    assert not X0[:, FEATURE_INDEX["lexical"]].any()
    # A page in a language the lexicon hardly knows is read without it (in any batch).
    other = ["Partager cet article", "Il a dit que la rivière est montée", "Share"]
    assert 1 / 9 < LEXICON_MIN_COVERAGE
    X2, _ = batch_features([page, other], lexicon=lexicon)
    assert not X2[3:, [FEATURE_INDEX["lexical"], FEATURE_INDEX["lexicon_coverage"]]].any()
    np.testing.assert_array_equal(X2[:3], X)


def test_without_a_lexicon_the_columns_are_zero():
    model = BoilerplateClassifier(estimator=LineClassifier(max_iter=5, min_samples_leaf=1))  # the default
    model.fit(WORD_PAGES, WORD_LABELS)
    assert model.lexicon_ is None
    with pytest.raises(TypeError, match="lexicon must be True or False"):
        BoilerplateClassifier(lexicon="yes").fit(WORD_PAGES, WORD_LABELS)


@pytest.fixture(scope="module")
def word_model(example_pages):
    """small_model with a lexicon."""
    return fit_on_examples(example_pages, lexicon=True)


def test_a_lexicon_survives_save_load_and_pickle(word_model, tmp_path):
    assert word_model.lexicon_ is not None and len(word_model.lexicon_) > 0
    path = tmp_path / "m.npz"
    word_model.save(path)
    again = load_model(path)
    assert again.lexicon is True and again.lexicon_.words == word_model.lexicon_.words
    np.testing.assert_array_equal(again.lexicon_.weights, word_model.lexicon_.weights)
    np.testing.assert_array_equal(again.predict_proba([PAGE])[0], word_model.predict_proba([PAGE])[0])
    copied = pickle.loads(pickle.dumps(word_model))
    np.testing.assert_array_equal(copied.predict_proba([PAGE])[0], word_model.predict_proba([PAGE])[0])


# Pages whose content and boilerplate lines differ only in their words.
_CONTENT = ["river rose after rain", "water came over road", "people left their home", "rain fell all night"]
_BOILER = ["share like post here", "tap next page link", "sign into your feed", "rate this news item"]
# A page whose words no lexicon of those pages knows.
FOREIGN_PAGE = ["joki nousi sateen jälkeen", "jaa tykkää julkaise tässä", "vesi tuli tien yli", "kirjaudu sisään nyt"]


def _word_only_pages(n: int = 40):
    rng = np.random.default_rng(0)
    pages, labels = [], []
    for _ in range(n):
        lines = [(line, 1) for line in rng.choice(_CONTENT, 3, replace=False)]
        lines += [(line, 0) for line in rng.choice(_BOILER, 3, replace=False)]
        order = rng.permutation(len(lines))
        pages.append([str(lines[k][0]) for k in order])
        labels.append([lines[k][1] for k in order])
    return pages, labels


def test_pages_the_lexicon_does_not_cover_are_read_by_forests_fitted_without_it():
    pages, labels = _word_only_pages()
    fit = lambda **p: BoilerplateClassifier(  # noqa: E731
        estimator=LineClassifier(max_iter=20, min_samples_leaf=2, random_state=0), **p
    ).fit(pages, labels)
    routed, plain = fit(lexicon=True), fit()
    # The forests for those pages are the ones the same fit grows without word weights.
    for mine, theirs in (
        (routed.uncovered_estimator_, plain.estimator_),
        (routed.uncovered_context_estimator_, plain.context_estimator_),
    ):
        for key in TREE_ARRAYS:
            np.testing.assert_array_equal(mine.trees_[key], theirs.trees_[key])
    covered = ["rain fell all night", "share like post here", "water came over road", "tap next page link"]
    coverage = FEATURE_INDEX["lexicon_coverage"]
    assert batch_features([FOREIGN_PAGE], lexicon=routed.lexicon_)[0][0, coverage] == 0
    assert batch_features([covered], lexicon=routed.lexicon_)[0][0, coverage] == 1
    # In one batch (with an empty page between), each page is read by its own forests:
    # the covered page by the words, which alone tell its lines apart.
    together = routed.predict_proba([covered, ["", " "], FOREIGN_PAGE])
    np.testing.assert_array_equal(together[2], plain.predict_proba([FOREIGN_PAGE])[0])
    np.testing.assert_array_equal(together[0], routed.predict_proba([covered])[0])
    assert min(together[0][[0, 2]]) > 0.8 > 0.2 > max(together[0][[1, 3]])
    assert not np.allclose(together[0], plain.predict_proba([covered])[0])
    assert not together[1].any()


def test_uncovered_trees_survive_save_load_and_need_a_lexicon(word_model, tmp_path):
    path = tmp_path / "m.npz"
    word_model.save(path)
    again = load_model(path)
    for key in TREE_ARRAYS:
        np.testing.assert_array_equal(
            again.uncovered_estimator_.trees_[key], word_model.uncovered_estimator_.trees_[key]
        )
    np.testing.assert_array_equal(again.predict_proba([FOREIGN_PAGE])[0], word_model.predict_proba([FOREIGN_PAGE])[0])
    bad = tmp_path / "bad.npz"
    rewrite_model_file(path, bad, lambda m: m.__setitem__("lexicon", False))
    with pytest.raises(ModelFileError, match="true only with a lexicon"):
        load_model(bad)
    rewrite_model_file(path, bad, change_arrays=lambda a: a.pop("uncovered_context_value"))
    with pytest.raises(ModelFileError, match="lacks the arrays"):
        load_model(bad)
    rewrite_model_file(path, bad, lambda m: m.__setitem__("format_version", 4))
    with pytest.raises(ModelFileError, match="format 5 and later"):
        load_model(bad)


@pytest.fixture
def saved_words(word_model, tmp_path):
    path = tmp_path / "words.npz"
    word_model.save(path)
    return path


@pytest.mark.parametrize(
    "change,message",
    [
        (lambda a: a.__setitem__("lexicon_weights", a["lexicon_weights"][:-1]), "one weight per word"),
        (lambda a: a["lexicon_weights"].__setitem__(0, np.nan), "finite"),
        (lambda a: a.__setitem__("lexicon_words", np.frombuffer(b"a\nb\na", np.uint8)), "distinct|one weight"),
        (lambda a: a.__setitem__("lexicon_words", np.frombuffer(b"\xff\xfe", np.uint8)), "UTF-8"),
        (lambda a: a.__setitem__("lexicon_weights", a["lexicon_weights"].astype(np.float64)), "wrong shape or type"),
        (lambda a: a.pop("lexicon_words"), "lacks the arrays"),
    ],
)
def test_bad_lexicons_are_refused(saved_words, tmp_path, change, message):
    bad = tmp_path / "bad.npz"
    rewrite_model_file(saved_words, bad, change_arrays=change)
    with pytest.raises(ModelFileError, match=message):
        load_model(bad)


def test_a_non_bool_lexicon_flag_is_refused(saved, tmp_path):
    bad = tmp_path / "bad.npz"
    rewrite_model_file(saved, bad, lambda m: m.__setitem__("lexicon", "yes"))
    with pytest.raises(ModelFileError, match="lexicon must be true or false"):
        load_model(bad)
