"""Property tests: arbitrary and adversarial input never crashes, loses lines, or hangs.

Examples per test: BPCLASS_FUZZ_EXAMPLES (default 1000; about 5,200 over the six tests in
all). Run more on demand: BPCLASS_FUZZ_EXAMPLES=20000 python -m pytest tests/test_fuzz.py
"""

from __future__ import annotations

import json
import os

import numpy as np
import pytest
from conftest import DATA
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


# -- hostile records and model files ---------------------------------------------------------
json_text = st.text(st.characters(), max_size=60)  # surrogates included: JSON's \ud800 escapes carry them
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | json_text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(json_text, inner, max_size=4),
    max_leaves=12,
)
records = st.dictionaries(json_text, json_values, max_size=5).flatmap(
    lambda extra: st.one_of(st.none(), json_text, st.lists(line_text, max_size=12).map("\n".join)).map(
        lambda text: extra if text is None else {**extra, "text": text}
    )
)
raw_lines = st.one_of(
    st.tuples(records, st.booleans()).map(
        lambda r: json.dumps(r[0], ensure_ascii=r[1]).encode("utf-8", "surrogatepass")
    ),
    st.binary(max_size=300),
)


def _strict(name):
    raise ValueError(name)


@settings(max_examples=max(EXAMPLES // 4, 20), deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(raw_lines, min_size=1, max_size=6))
def test_every_record_is_written_whole_or_reported_with_its_raw_line(lines):
    from bpclass.records import CorpusOptions, clean_batch

    batch = [(k + 1, raw) for k, raw in enumerate(lines)]
    results = clean_batch(batch, CorpusOptions(), bpclass.load_model())
    assert [r[1] for r in results] == [number for number, _ in batch]
    for (status, *rest), (_, raw) in zip(results, batch):
        if status == "ok":
            written = json.loads(rest[1].decode("utf-8"), parse_constant=_strict)  # strict JSON, UTF-8
            given_record = json.loads(raw.decode("utf-8", "replace"))  # invalid UTF-8: U+FFFD, as documented
            added = {"clean_text", "clean_text_confidence"}
            assert set(written) == set(given_record) | added
            assert 0 <= written["clean_text_confidence"] <= 1
            assert json.dumps({k: v for k, v in written.items() if k not in added}, sort_keys=True) == json.dumps(
                {k: v for k, v in given_record.items() if k not in added}, sort_keys=True
            )
        else:
            assert status == "error" and rest[2] == raw  # nothing lost


@pytest.fixture(scope="module")
def model_bytes(tmp_path_factory):
    from conftest import fit_on_examples

    pages = bpclass.read_labeled_pages(DATA / "labeled")
    path = tmp_path_factory.mktemp("model") / "small.npz"
    fit_on_examples(pages).save(path)
    with np.load(path, allow_pickle=False) as archive:
        return {key: archive[key] for key in archive.files}


mutations = st.tuples(
    st.sampled_from(["feature", "left", "right", "roots", "threshold", "value", "context_left", "metadata"]),
    st.one_of(
        st.lists(st.integers(-(2**40), 2**40), max_size=50).map(lambda v: np.array(v, dtype=np.int64)),
        st.lists(st.floats(), max_size=50).map(lambda v: np.array(v, dtype=np.float64)),
        st.binary(max_size=200).map(lambda b: np.frombuffer(b, dtype=np.uint8)),
    ),
)


@settings(max_examples=max(EXAMPLES // 4, 20), deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(mutations, min_size=1, max_size=3), st.integers(0, 2**31))
def test_a_mutated_model_file_loads_and_predicts_or_is_refused(model_bytes, tmp_path_factory, changes, flip):
    import io

    arrays = dict(model_bytes)
    for name, value in changes:
        arrays[name] = value
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    data = bytearray(buffer.getvalue())
    if flip % 3 == 0:  # and sometimes a byte of the archive itself
        data[flip % len(data)] ^= 0xFF
    path = tmp_path_factory.mktemp("fuzz") / "model.npz"
    path.write_bytes(bytes(data))
    try:
        model = bpclass.load_model(path)
    except bpclass.ModelFileError:
        return
    proba = model.predict_proba([["A sentence of the article, as it was written.", "Share", ""]])[0]
    assert len(proba) == 3 and np.isfinite(proba).all() and ((proba >= 0) & (proba <= 1)).all()
