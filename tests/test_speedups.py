"""The compiled extension (bpclass/_speedups.c) gives exactly what the Python code gives.

Each test computes the same thing twice, with the extension and with the pure-Python
reference (the extension switched off), and asserts identical numbers, bit for bit.
"""

from __future__ import annotations

import os
import re
import sys

import numpy as np
import pytest
from conftest import DATASETS, needs_shared
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import bpclass
from bpclass import estimator, features
from bpclass import patterns as P

native = pytest.mark.skipif(features._speedups is None, reason="bpclass._speedups is not built")
EXAMPLES = int(os.environ.get("BPCLASS_FUZZ_EXAMPLES", "1000"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def test_extension_is_built_where_required():
    """CI sets BPCLASS_REQUIRE_SPEEDUPS=1: there a missing build is a failure, not a skip."""
    if os.environ.get("BPCLASS_REQUIRE_SPEEDUPS") and features._speedups is None:
        pytest.fail("bpclass._speedups did not build or import (set by .ci/run: a C compiler is expected)")
    assert bpclass.features.NATIVE == (features._speedups is not None)


def both_ways(monkeypatch, fn):
    """fn() with the extension, then fn() with the pure-Python code."""
    fast = fn()
    monkeypatch.setattr(features, "_speedups", None)
    monkeypatch.setattr(estimator, "_speedups", None)
    features.clear_line_cache()
    slow = fn()
    monkeypatch.undo()
    return fast, slow


def assert_same(a, b):
    np.testing.assert_array_equal(a, b, strict=True)


@native
def test_same_features_on_the_example_pages(monkeypatch, example_pages):
    pages = [p.lines for p in example_pages]
    (X1, m1), (X2, m2) = both_ways(monkeypatch, lambda: features.batch_features(pages))
    assert_same(m1, m2)
    assert_same(X1, X2)


@native
@needs_shared
def test_same_features_on_real_pages(monkeypatch):
    """Pages of several languages and scripts, as the shared sets give them."""
    import gzip
    import json

    from bpclass.html import html_lines as html_to_lines

    pages = []
    for name, count in (("trafilatura_eval", 60), ("wcxb_dev", 30), ("turku_wac12", 20)):
        path = DATASETS / f"{name}.jsonl.gz"
        if not path.exists():
            pytest.skip(f"{path} missing")
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            for raw in fh:
                if count == 0:
                    break
                record = json.loads(raw)
                lines = html_to_lines(record["html"]) if record.get("html") else []
                if lines:
                    pages.append(lines)
                    count -= 1
    (X1, _), (X2, _) = both_ways(monkeypatch, lambda: features.batch_features(pages))
    assert_same(X1, X2)


# Words of the lists, characters that case-fold oddly (U+017F, U+0130, U+0131, U+212A,
# U+03A3), digits, separators, CJK, and the punctuation the patterns look for.
WORDS = sorted(
    P.STOPWORDS | P.MONTH_WORDS | P.WEEKDAY_WORDS | P.RELATIVE_WORDS | P.BOILER_WORDS | P.CAPTION_WORDS
    | P.COPYRIGHT_WORDS | P.BYLINE_WORDS | P.URL_WORDS
    | {"now", "saja", "rights", "reserved", "images", "photo", "by", "more", "ago", "y", "a", "com", "in", "wib",
       "wita", "wit", "uhr", "h", "am", "pm", "top", "to", "us", "thema", "zum", "juga", "más", "anche", "also"}
    | set(P.BOILER_PHRASES)
)  # fmt: skip
PIECES = st.one_of(
    st.sampled_from(WORDS),
    st.sampled_from(WORDS).map(str.upper),
    st.sampled_from(WORDS).map(str.title),
    st.text(alphabet="0123456789", min_size=1, max_size=5),
    st.text(alphabet="0125:.-/ apmAPM٣", min_size=1, max_size=8),
    st.sampled_from(list(" .:-/()|@©…!?\"'»,;\t_") + ["...", "://", "www.", ".com", "(c)", "\u00a0"]),
    st.sampled_from(list("\u017f\u0130\u0131\u212a\u03a3\u1c81Éü的のは漢字\u30fb\u3099한") + ["ſhare", "İl", "aɡo"]),
    st.text(max_size=6),
)
LINE = st.lists(PIECES, max_size=30).map("".join)


@native
@FUZZ
@given(st.lists(st.lists(LINE, max_size=12), min_size=1, max_size=4))
def test_same_features_on_generated_pages(pages):
    fast = features.batch_features(pages)
    saved = (features._speedups, estimator._speedups)
    features._speedups = estimator._speedups = None
    try:
        features.clear_line_cache()
        slow = features.batch_features(pages)
    finally:
        features._speedups, estimator._speedups = saved
    assert_same(fast[1], slow[1])
    assert_same(fast[0], slow[0])


@native
@FUZZ
@given(LINE)
def test_same_line_features_as_the_reference(line):
    """The batch code's line columns equal line_features() of each line, read as the
    batch reads it: a leading bullet and its space ("· a", Markdown's "* a") dropped."""
    text = line.strip()
    if not text:
        return
    X, _ = features.batch_features([[line]])
    assert_same(X[0, : len(features.LINE_FEATURES)], np.array(features.line_features(features.without_bullet(text))))


def test_a_bullet_is_read_as_the_batch_reads_it():
    # Found by the fuzz test above: "· a" is the line "a" to the batch code.
    X, _ = features.batch_features([["· a", "a", "·a"]])
    assert_same(X[0, : len(features.LINE_FEATURES)], np.array(features.line_features("a")))
    assert_same(X[2, : len(features.LINE_FEATURES)], np.array(features.line_features("·a")))  # no space: kept


@native
def test_same_scores_from_both_tree_walks(monkeypatch):
    model = bpclass.load_model()
    rng = np.random.default_rng(0)
    X = rng.normal(size=(1000, len(bpclass.FEATURE_NAMES))) * 3
    X[::7, 3] = np.nan  # NaN goes right in both walks
    trees = model.estimator_.trees_
    fast, slow = both_ways(monkeypatch, lambda: estimator.raw_scores(trees, X))
    assert_same(fast, slow)
    assert_same(model.estimator_.decision_function(X[1::7]), slow[1::7, 0])
    # Some rows of X, by row number (in any order, repeats allowed): as X[rows], both ways.
    rows = np.array([999, 3, 3, 0, *range(500, 540)], dtype=np.int64)
    fast, slow = both_ways(monkeypatch, lambda: estimator.raw_scores(trees, X, rows=rows))
    assert fast.shape == (len(rows), 1)
    assert_same(fast, slow)
    assert_same(fast, estimator.raw_scores(trees, X[rows]))


@native
def test_same_context_columns(monkeypatch):
    """The second pass's columns (neighbours, windows up to 30 lines away) both ways."""
    from bpclass.context import CONTEXT_FEATURE_NAMES, add_context_columns

    rng = np.random.default_rng(1)
    per_page = rng.integers(0, 120, size=25)
    n = int(per_page.sum())
    X = np.zeros((n, len(bpclass.FEATURE_NAMES) + len(CONTEXT_FEATURE_NAMES)))
    X[:, features.FEATURE_INDEX["log_chars"]] = np.log1p(rng.integers(1, 400, size=n))
    proba = rng.random(n)

    def columns():
        out = X.copy()
        add_context_columns(out, proba, per_page)
        return out

    fast, slow = both_ways(monkeypatch, columns)
    assert_same(fast, slow)


@native
def test_same_predictions_both_ways(monkeypatch, example_pages):
    """The bundled model end to end (features, both passes) with and without the extension."""
    model = bpclass.load_model()
    pages = [p.lines for p in example_pages]
    fast, slow = both_ways(monkeypatch, lambda: np.concatenate(model.predict_proba(pages)))
    assert_same(fast, slow)


@native
def test_same_scores_multiclass(monkeypatch):
    rng = np.random.default_rng(1)
    X = rng.normal(size=(600, 5))
    y = (X[:, 0] > 0).astype(int) + (X[:, 1] > 0.5).astype(int)
    clf = bpclass.LineClassifier(max_iter=15, max_depth=4).fit(X, y)
    fast, slow = both_ways(monkeypatch, lambda: clf.predict_proba(X))
    assert_same(fast, slow)


def test_deep_trees_fall_back_to_the_node_walk():
    from sklearn.ensemble import HistGradientBoostingClassifier

    rng = np.random.default_rng(2)
    X = rng.normal(size=(3000, 4))
    y = rng.integers(0, 2, size=3000)  # noise: the trees grow as deep as they can
    params = dict(max_iter=3, max_leaf_nodes=None, min_samples_leaf=1, random_state=0)
    clf = bpclass.LineClassifier(**params).fit(X, y)
    assert estimator.perfect_layout(clf.trees_) is None  # deeper than MAX_PERFECT_DEPTH
    booster = HistGradientBoostingClassifier(**params, early_stopping=False).fit(X, y)
    np.testing.assert_allclose(clf.predict_proba(X), booster.predict_proba(X), atol=1e-12)


@native
def test_compiled_walk_rejects_bad_arrays():
    walk = features._speedups.forest_scores
    X = np.zeros((2, 3))
    out = np.zeros(2)
    good = (np.zeros((1, 1), np.int32), np.zeros((1, 1)), np.zeros((1, 2)))
    walk(X, 3, *good, 1, out)
    with pytest.raises(ValueError, match="feature index"):
        walk(X, 3, np.full((1, 1), 3, np.int32), good[1], good[2], 1, out)
    with pytest.raises(ValueError, match="format"):
        walk(X.astype(np.float32), 3, *good, 1, out)
    with pytest.raises(ValueError, match="depth"):
        walk(X, 3, *good, 2, out)
    with pytest.raises(ValueError, match="one value per row"):
        walk(X, 3, *good, 1, np.zeros(3))
    walk(X, 3, *good, 1, np.zeros(3), np.array([1, 0, 1]))
    with pytest.raises(ValueError, match="one value per row"):
        walk(X, 3, *good, 1, out, np.array([1, 0, 1]))
    with pytest.raises(ValueError, match="out of range"):
        walk(X, 3, *good, 1, out, np.array([0, 2]))
    with pytest.raises(ValueError, match="out of range"):
        walk(X, 3, *good, 1, out, np.array([-1, 0]))
    with pytest.raises(ValueError, match="format"):
        walk(X, 3, *good, 1, out, np.array([0, 1], np.int32))


@native
def test_compiled_scan_rejects_bad_input():
    scan = features._speedups.scan_lines
    n = 2
    bufs = (np.zeros((n, len(features.LINE_FEATURES))), np.zeros(n, np.int32), np.zeros(n), np.zeros(n), np.zeros(n))
    with pytest.raises(TypeError):
        scan(["a", 3], np.array([0, 2]), *bufs)
    with pytest.raises(ValueError, match="page_starts"):
        scan(["a", "b"], np.array([0, 1]), *bufs)
    with pytest.raises(ValueError):
        scan(["a", "b"], np.array([0, 2]), np.zeros((n, 3)), *bufs[1:])
    with pytest.raises(ValueError, match="repeats"):
        scan(["a", "b"], np.array([0, 2]), *bufs[:-1], np.zeros(1))
    scan(["a", "b", "a", "a"], np.array([0, 2, 4]), *(np.resize(b, (4,) + b.shape[1:]) for b in bufs))


# Lines at the edges of what the line scan decides without the regular expressions:
# bylines at the line's start, photo captions and credits, weekday names.
EDGES = [
    "By", "By:", "By :", "By  x", "By: ", "by John", "BY: Jane", "Bypass the road", "by_x", "by2 x", "Written by Ann",
    "written  by Ann", "Posted by", "posted by: x", "Oleh : Redaksi", "Von:Ben", "Über uns", "İl by x", "ſhare by x",
    "Photo: AP", "photo :x", "photo  : x", "Photos/Reuters", "(Photo by Ann)", "(photo)", "(photos)", "photo by",
    "photo bye", "Getty Images", "getty  images", "Getty Imagesx", "AP Photo/Ann", "ap photos", "Reuters/Ann",
    "reuters /", "AFP/", "Shutterstock", "shutterstocks", "File photo", "file photos", "video|x", "pic:", "picture :",
    "illustration by x", "Credit: x", "CREDITS | x", "foto2: x", "Monday", "monday2", "mon_x", "Mon-Fri", "Sun's",
    "Jum'at", "jumat", "Segunda-feira", "segunda", "Sábado", "SÁBADO", "miércoles", "lunedì", "Sexta feira",
    "ann@example.com", "@example.com", " @x.y", "a.@b.c", "a+@b-c.d", "a@.b", "a@b.", "a@b..c", "a@b-.c", "a@@b.c",
    "x@y.z@w.v", "ann@exämple.ü", "a@b_c.d", "mail: ann @ example.com", "By ſam", "Posted by Kſ", "Von: İlse",
]  # fmt: skip


def test_the_patterns_the_line_scan_decides_are_the_ones_it_was_written_for():
    """caption_at, byline_at and email_at in _speedups.c decide these patterns on lines
    without folded letters; a change to one must be made there too (then update this)."""
    assert P.CAPTION.pattern == (
        r"\b(?:foto|photo|photos|image|images|bild|gambar|ilustrasi|illustration|credit|"
        r"credits|kredit|pic|picture|video)\s?[:/|]|\bgetty images\b|\bshutterstock\b|"
        r"\bap photo\b|\breuters/|\bafp/|\(photo\b|\bphoto by\b|\bfile photo\b"
    )
    assert P.BYLINE.pattern.endswith(r")\b\s?:?\s?\S") and P.BYLINE.pattern.startswith("^(?:")
    assert P.EMAIL.pattern == r"(?<=[\w.+-])@[\w-]+\.\w"
    assert P.WEEKDAY.pattern.startswith(r"\b(?:") and P.WEEKDAY.pattern.endswith(r")\b")


@native
def test_the_line_scan_knows_every_top_level_domain_of_the_pattern():
    """tld_at in _speedups.c holds its own copy of patterns.URL_TLDS."""
    url = features.FEATURE_INDEX["has_url"]
    lines = [f"see news.example.{tld.upper() if k % 2 else tld} now" for k, tld in enumerate(P.URL_TLDS)]
    lines += ["it was over.In the end", "example.rus", "example.ruble"]
    X, _ = features.batch_features([lines])
    assert X[: len(P.URL_TLDS), url].tolist() == [1.0] * len(P.URL_TLDS)
    assert X[len(P.URL_TLDS) :, url].tolist() == [0.0] * 3
    assert [bool(P.URL.search(line)) for line in lines] == [True] * len(P.URL_TLDS) + [False] * 3


@native
@pytest.mark.parametrize("line", EDGES)
def test_same_line_features_on_the_edges(line):
    X, _ = features.batch_features([[line]])
    assert_same(X[0, : len(features.LINE_FEATURES)], np.array(features.line_features(line)))


@native
def test_compiled_strip_gives_the_lengths_of_the_lines_it_keeps():
    strip = features._speedups.strip_pages
    pages = [[" a b ", "", "\u3000é\t"], ["  ", "x" * 3000]]
    non_blank, lengths = np.zeros(5, bool), np.full(5, -1.0)
    texts = strip(pages, non_blank, lengths)
    assert texts == ["a b", "é", "x" * 3000]
    assert non_blank.tolist() == [True, False, True, False, True]
    assert lengths[:3].tolist() == [3.0, 1.0, 3000.0] and (lengths[3:] == -1).all()  # the rest untouched
    assert strip(pages, np.zeros(5, bool)) == texts  # lengths are optional
    with pytest.raises(ValueError, match="lengths"):
        strip(pages, np.zeros(5, bool), np.zeros(4))
    with pytest.raises(ValueError, match="format"):
        strip(pages, np.zeros(5, bool), np.zeros(5, np.float32))
    firsts = np.full(5, -1.0)
    assert strip(pages, np.zeros(5, bool), None, firsts) == texts
    assert firsts[:3].tolist() == [ord("a"), ord("é"), ord("x")] and (firsts[3:] == -1).all()
    with pytest.raises(ValueError, match="firsts"):
        strip(pages, np.zeros(5, bool), None, np.zeros(4))


def test_a_list_bullet_is_no_part_of_the_line_text(monkeypatch):
    # resiliparse ("\u2022") and inscriptis ("*") begin list items with a bullet; our layout does not.
    bulleted = [
        "  \u2022 Latest posts",
        "\u25cf\tWeather",
        "\u00b7  Sport",
        "\u2022",
        "\u2022 ",
        "Home \u2022 News",
        "\u2022x",
        "  * Travel",
        "*Note*",
    ]
    plain = ["Latest posts", "Weather", "Sport", "\u2022", "\u2022", "Home \u2022 News", "\u2022x", "Travel", "*Note*"]
    assert all(b[0] in features.BULLETS or b.lstrip()[0] in features.BULLETS for b in bulleted[:5])

    def rows(pages):
        X, non_blank = features.batch_features(pages)
        return X, non_blank.tolist()

    X_bulleted, X_plain = (
        both_ways(monkeypatch, lambda: rows([bulleted])),
        both_ways(monkeypatch, lambda: rows([plain])),
    )
    for (x, mask), (y, plain_mask) in zip(X_bulleted, X_plain):
        assert mask == plain_mask == [True] * len(plain)  # a bullet alone stays a line
        np.testing.assert_array_equal(x, y)
    # Every bullet of features.BULLETS, which the compiled scan lists again (bullet_end).
    each = [f"{bullet} Sport" for bullet in features.BULLETS]
    for x, y in zip(
        both_ways(monkeypatch, lambda: rows([each])), both_ways(monkeypatch, lambda: rows([["Sport"] * len(each)]))
    ):
        np.testing.assert_array_equal(x[0], y[0])


def test_repeats_count_within_the_page_only():
    X, _ = features.batch_features([["Home", "Text", "Home"], ["Home"]])
    column = features.FEATURE_INDEX["log_repeats"]
    np.testing.assert_allclose(X[:, column], np.log([2, 1, 2, 1]))


@pytest.mark.skipif(sys.maxunicode < 0x10FFFF, reason="narrow build")
def test_fold_characters_are_complete():
    """FOLD_CHARS: every character that re.IGNORECASE matches to a letter of the word
    patterns although str.lower() does not give that letter."""
    patterns = (P.MONTH_DATE, P.WEEKDAY, P.RELATIVE_TIME, P.URL, P.COPYRIGHT, P.CAPTION, P.BOILER_PHRASE)
    letters = sorted({c for p in patterns for c in p.pattern if c.isalpha()})
    any_letter = re.compile("[" + "".join(re.escape(c) for c in letters) + "]", re.I)
    found = []
    for code in range(128, sys.maxunicode + 1):
        ch = chr(code)
        if any_letter.fullmatch(ch) and not any(
            ch.lower() == x.lower() for x in letters if re.fullmatch(re.escape(x), ch, re.I)
        ):
            found.append(ch)
    assert "".join(found) == P.FOLD_CHARS


# A lexicon of the generated lines' words (and some of their odd-folding forms).
LEXICON_WORDS = sorted(
    {w for piece in WORDS + ["ſhare", "İl", "aɡo", "的のは漢字", "한"] for w in features.line_words(piece)}
)
LEXICON = features.Lexicon(LEXICON_WORDS, np.random.default_rng(3).normal(size=len(LEXICON_WORDS)))


@native
@FUZZ
@given(st.lists(st.lists(LINE, max_size=12), min_size=1, max_size=4))
def test_same_lexical_scores_on_generated_pages(pages):
    """The line scan's lexicon scores and Lexicon.read agree bit for bit."""
    fast = features.batch_features(pages, lexicon=LEXICON)
    saved = (features._speedups, estimator._speedups)
    features._speedups = estimator._speedups = None
    try:
        features.clear_line_cache()
        slow = features.batch_features(pages, lexicon=LEXICON)
    finally:
        features._speedups, estimator._speedups = saved
    assert_same(fast[0], slow[0])
    expected = []  # Lexicon.read of each line; 0 on pages whose words it mostly does not know
    for page in pages:
        reads = [LEXICON.read(line.strip()) for line in page if line.strip()]
        words = sum(r[2] for r in reads)
        covered = words > 0 and sum(r[1] for r in reads) / words >= features.LEXICON_MIN_COVERAGE
        expected += [r[0] if covered else 0.0 for r in reads]
    assert_same(fast[0][:, features.FEATURE_INDEX["lexical"]], np.array(expected))
    # Training reads many lines at once (lexicon_rows): the same numbers as Lexicon.read.
    texts = [line.strip() for page in pages for line in page if line.strip()]
    assert_same(LEXICON.read_many(texts), np.array([LEXICON.read(t) for t in texts], dtype=float).reshape(-1, 3))


@native
def test_compiled_lexicon_rejects_bad_input():
    make = features._speedups.make_lexicon
    with pytest.raises(ValueError, match="one float64 per word"):
        make(["a", "b"], np.zeros(1))
    with pytest.raises(ValueError, match="distinct"):
        make(["a", "a"], np.zeros(2))
    with pytest.raises(ValueError, match="finite"):
        make(["a"], np.array([np.inf]))
    with pytest.raises(ValueError, match="non-empty"):
        make([""], np.zeros(1))
    with pytest.raises(TypeError):
        make(["a", 3], np.zeros(2))
    with pytest.raises(ValueError, match="distinct"):
        features.Lexicon(["a", "a"], [1.0, 2.0])
