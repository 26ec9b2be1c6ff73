"""Property tests: arbitrary and adversarial input never crashes, loses lines, or hangs.

Examples per test: BPCLASS_FUZZ_EXAMPLES (default 1000; about 5,200 over the six tests in
all). Run more on demand: BPCLASS_FUZZ_EXAMPLES=20000 python -m pytest tests/test_fuzz.py
"""

from __future__ import annotations

import os

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import bpclass
from bpclass.cli import EXIT_OK, main
from bpclass.features import FEATURE_NAMES, line_features, page_features
from bpclass.io import LabeledPage, format_labeled_text, parse_labeled_text

EXAMPLES = int(os.environ.get("BPCLASS_FUZZ_EXAMPLES", "1000"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,  # timing is the benchmark's job (training/linear_time.py), not a test's
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
line_text = st.text(st.characters(blacklist_characters=LINE_BREAKS, blacklist_categories=("Cs",)), max_size=200)
# Characters that make naive patterns backtrack, in long runs.
tricky = st.text(alphabet="1a:.-@ …|/\\»©\t0", min_size=0, max_size=5000)
pages = st.lists(st.one_of(line_text, tricky, st.just(""), st.just("   ")), max_size=40)


@FUZZ
@given(pages)
def test_features_are_finite_and_blank_rows_zero(page):
    X = page_features(page)
    assert X.shape == (len(page), len(FEATURE_NAMES))
    assert np.isfinite(X).all()
    for line, row in zip(page, X):
        if not line.strip():
            assert not row.any()


@FUZZ
@given(tricky)
def test_adversarial_lines(line):
    row = line_features(line + "x")
    assert len(row) > 0 and np.isfinite(row).all()


@FUZZ
@given(st.lists(st.tuples(pages, st.sampled_from(["a", "b", None])), min_size=1, max_size=6))
def test_site_template_flags_only_lines_found_on_other_pages(batch):
    from bpclass.sites import MIN_WORDS, line_key, template_lines, word_count

    site_pages = [page for page, _ in batch]
    sites = [site for _, site in batch]
    flags = template_lines(site_pages, sites)
    for k, (page, site) in enumerate(batch):
        assert flags[k].dtype == bool and len(flags[k]) == len(page)
        others = [
            {line_key(line) for line in other}
            for j, (other, s) in enumerate(batch)
            if j != k and site is not None and s == site
        ]
        for line, flag in zip(page, flags[k]):
            if flag:  # a template line is long enough and on another page of its site
                assert word_count(line) >= MIN_WORDS
                assert any(line_key(line) in keys for keys in others)
    labels = bpclass.load_model().predict(site_pages, sites=sites)
    assert all(not y[f].any() for y, f in zip(labels, flags))


@FUZZ
@given(st.lists(pages, min_size=1, max_size=3))
def test_predict_gives_one_label_per_line(batch):
    model = bpclass.load_model()
    labels = model.predict(batch)
    proba = model.predict_proba(batch)
    for page, y, p in zip(batch, labels, proba):
        assert len(y) == len(p) == len(page)
        assert set(np.unique(y).tolist()) <= {0, 1}
        assert ((p >= 0) & (p <= 1)).all()
        for line, label in zip(page, y):
            if not line.strip():
                assert label == 0


@FUZZ
@given(st.lists(st.tuples(line_text, st.sampled_from([0, 1])), min_size=1, max_size=30))
def test_labeled_text_round_trip(rows):
    lines = [line if line.strip() else "" for line, _ in rows]
    labels = [None if not line else y for line, (_, y) in zip(lines, rows)]
    while lines and not lines[0]:
        lines.pop(0), labels.pop(0)
    while lines and not lines[-1]:
        lines.pop(), labels.pop()
    if not lines:
        return
    page = LabeledPage(lines, labels, id="p")
    (again,) = parse_labeled_text(format_labeled_text([page]))
    assert again.lines == lines and again.labels == labels


@settings(max_examples=max(EXAMPLES // 6, 20), deadline=None, suppress_health_check=list(HealthCheck))
@given(st.binary(max_size=3000))
def test_cli_survives_any_bytes(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("fuzz") / "page.txt"
    path.write_bytes(data)
    assert main(["clean", "--labels", str(path), "-o", os.devnull]) == EXIT_OK
