"""HTML in, markup too: what the layout records of each line, the HTML stage's
columns, fitting and saving the stage, and the paths that use it."""

from __future__ import annotations

import json

import numpy as np
import pytest

import bpclass
from bpclass.html import CUE_NAMES, ELEMENT_NAMES, html_lines, html_markup, lay_out
from bpclass.markup import MARKUP_FEATURE_NAMES, MARKUP_INDEX, markup_features
from tests.conftest import rewrite_model_file

PROSE = [
    "The council voted on Tuesday to rebuild the old bridge over the river before winter comes.",
    "Engineers said the work would take four months and cost less than the city had feared.",
    "Residents who cross it every day welcomed the plan, though some asked about the detour.",
    "The mayor promised that buses would keep running on the usual timetable during the work.",
    "A second vote on the budget for the new cycle lanes is expected early in the new year.",
    "Traders in the market square said they hoped the closures would not last past the spring.",
]


def _page(k: int) -> tuple[str, list]:
    """A page whose article and whose related-stories block hold the same kind of
    prose: only the markup tells them apart. Returns its HTML and line labels."""
    article = PROSE[k % 6], PROSE[(k + 1) % 6], PROSE[(k + 2) % 6]
    related = PROSE[(k + 3) % 6], PROSE[(k + 4) % 6]
    html = (
        "<html><body><nav class='main-menu'><a href='/'>Home</a> <a href='/n'>News</a></nav>"
        f"<article class='story-body'><h1>Bridge {k}</h1>" + "".join(f"<p>{t}</p>" for t in article) + "</article>"
        "<aside class='related-stories'>"
        + "".join(f"<p><a href='/s{k}{i}'>{t}</a></p>" for i, t in enumerate(related))
        + "</aside><footer>Copyright 2024 The Paper</footer></body></html>"
    )
    lines = html_lines(html)
    labels = []
    for line in lines:
        if not line:
            labels.append(None)
        else:
            labels.append(int(line in article or line.startswith("Bridge")))
    return html, labels


@pytest.fixture(scope="module")
def html_pages():
    return [_page(k) for k in range(36)]


@pytest.fixture(scope="module")
def staged_model(small_model, html_pages):
    import copy

    model = copy.deepcopy(small_model)
    return model.fit_markup([h for h, _ in html_pages], [y for _, y in html_pages])


def test_html_markup_records_links_elements_and_class_words():
    lines, markup = html_markup(_page(0)[0])
    assert lines == html_lines(_page(0)[0])
    by_line = dict(zip(lines, markup))
    nav, heading, footer = by_line["Home News"], by_line["Bridge 0"], by_line["Copyright 2024 The Paper"]
    related = by_line[PROSE[3]]
    bit = {name: 1 << k for k, name in enumerate(ELEMENT_NAMES)}
    cue = {name: 1 << k for k, name in enumerate(CUE_NAMES)}
    assert nav["link_chars"] == 8 and nav["elements"] & bit["nav"] and nav["cues"] & cue["nav"]
    assert heading["link_chars"] == 0 and heading["elements"] & bit["h1"] and heading["elements"] & bit["article"]
    assert heading["cues"] & cue["content"] and not heading["cues"] & cue["related"]
    assert related["link_chars"] == len(PROSE[3]) and related["elements"] & bit["aside"]
    assert related["cues"] & cue["related"]
    assert footer["elements"] & bit["footer"] and not footer["elements"] & bit["article"]
    assert all(m is None for line, m in zip(lines, markup) if not line)
    assert heading["path"][: len(nav["path"]) - 2] == nav["path"][:-2]  # the same <html><body>


def test_markup_features_tell_the_article_block_from_the_rest():
    html, _ = _page(1)
    laid = lay_out(html, markup=True)
    proba = [0.0 if not line else 0.9 for line in laid.lines]  # a text model that believes every line
    X = markup_features(laid.lines, laid.markup, proba)
    rows = [line for line in laid.lines if line]
    assert X.shape == (len(rows), len(MARKUP_FEATURE_NAMES))
    col = MARKUP_INDEX
    by_line = dict(zip(rows, X))
    assert by_line[PROSE[4]][col["link_share"]] == 1.0 and by_line[PROSE[1]][col["link_share"]] == 0.0
    assert by_line[PROSE[1]][col["in_container"]] == 1.0  # the article holds most of the text
    assert by_line[PROSE[4]][col["in_container"]] == 0.0
    assert by_line["Home News"][col["in_nav"]] == 1.0 and by_line["Home News"][col["cue_nav"]] == 1.0
    assert np.isfinite(X).all()
    assert markup_features([], [], []).shape == (0, len(MARKUP_FEATURE_NAMES))


def test_the_html_stage_learns_what_the_lines_alone_cannot_tell(small_model, staged_model, html_pages):
    html, labels = _page(100)  # a page neither model saw
    lines = html_lines(html)
    related = [k for k, line in enumerate(lines) if line in PROSE and labels[k] == 0]
    assert related
    text_labels = small_model.predict_html([html])[0]
    staged = staged_model.predict_html([html])[0]
    assert len(staged) == len(lines)
    # The same prose: the text model keeps the related stories, the stage drops them.
    assert all(text_labels[k] == 1 for k in related)
    assert all(staged[k] == 0 for k in related)
    assert all(staged[k] == 1 for k, y in enumerate(labels) if y == 1)
    proba = staged_model.predict_proba_html([html.encode("utf-8")])[0]
    assert proba.shape == (len(lines),) and ((proba >= 0) & (proba <= 1)).all()
    assert bpclass.clean_html(html, model=staged_model) == "\n".join(t for t, y in zip(lines, labels) if y == 1)


def test_the_stage_is_saved_with_the_model_and_refused_when_it_does_not_fit(staged_model, small_model, tmp_path):
    path = tmp_path / "staged.npz"
    staged_model.save(path)
    loaded = bpclass.load_model(path)
    html = _page(101)[0]
    assert loaded.markup_estimator_ is not None
    np.testing.assert_allclose(loaded.predict_proba_html([html])[0], staged_model.predict_proba_html([html])[0])
    small_model.save(tmp_path / "text.npz")
    assert bpclass.load_model(tmp_path / "text.npz").markup_estimator_ is None
    bad = tmp_path / "bad.npz"
    rewrite_model_file(path, bad, change_meta=lambda m: m.update(markup_feature_names=["link_share"]))
    with pytest.raises(bpclass.ModelFileError, match="markup columns"):
        bpclass.load_model(bad)
    rewrite_model_file(path, bad, change_meta=lambda m: m.update(markup_trees="yes"))
    with pytest.raises(bpclass.ModelFileError, match="markup_trees"):
        bpclass.load_model(bad)
    rewrite_model_file(path, bad, change_arrays=lambda a: a.pop("markup_feature"))
    with pytest.raises(bpclass.ModelFileError, match="lacks"):
        bpclass.load_model(bad)


def test_the_text_weight_blends_the_stage_with_the_passes(staged_model, tmp_path):
    import copy

    html = _page(103)[0]
    lines = html_lines(html)
    text_only = copy.deepcopy(staged_model)
    text_only.markup_estimator_ = None
    passes = text_only.predict_proba([lines])[0]
    blended = copy.deepcopy(staged_model).set_params(markup_text_weight=1.0)
    np.testing.assert_allclose(blended.predict_proba_html([html])[0], passes, atol=1e-9)
    half = copy.deepcopy(staged_model).set_params(markup_text_weight=0.5)
    half.save(tmp_path / "half.npz")
    assert bpclass.load_model(tmp_path / "half.npz").markup_text_weight == 0.5
    assert not np.allclose(half.predict_proba_html([html])[0], passes)
    with pytest.raises(ValueError, match="markup_text_weight"):
        copy.deepcopy(staged_model).set_params(markup_text_weight=2).predict_html([html])


def test_refitting_the_text_model_drops_a_stage_fitted_on_the_old_one(staged_model, example_pages):
    import copy

    model = copy.deepcopy(staged_model)
    pages = example_pages * 3
    model.fit([p.lines for p in pages], [p.labels for p in pages])
    assert model.markup_estimator_ is None


def test_fit_markup_checks_its_input(small_model, html_pages):
    import copy

    model = copy.deepcopy(small_model)
    with pytest.raises(TypeError, match="list of HTML pages"):
        model.fit_markup("<p>x</p>", [[1]])
    with pytest.raises(ValueError):
        model.fit_markup([html_pages[0][0]], [[1]])  # labels for one line of many
    with pytest.raises(ValueError, match="one probability per line"):
        model.fit_markup([html_pages[0][0]], [html_pages[0][1]], text_proba=[[0.5]])
    with pytest.raises(ValueError, match="both content"):
        model.fit_markup(
            [h for h, _ in html_pages[:3]], [[0 if y is not None else None for y in ys] for _, ys in html_pages[:3]]
        )


def test_cli_and_corpus_mode_read_the_markup_with_a_staged_model(staged_model, tmp_path, capsys):
    from bpclass.cli import EXIT_OK, main

    model_path = tmp_path / "staged.npz"
    staged_model.save(model_path)
    html, labels = _page(102)
    page = tmp_path / "page.html"
    page.write_text(html, encoding="utf-8")
    expected = [line for line, y in zip(html_lines(html), labels) if y == 1]
    capsys.readouterr()
    assert main(["clean", str(page), "--model", str(model_path)]) == EXIT_OK
    assert capsys.readouterr().out.splitlines() == expected
    records = tmp_path / "in.jsonl"
    records.write_text(json.dumps({"id": 1, "html": html}) + "\n", encoding="utf-8")
    target = tmp_path / "out.jsonl"
    argv = ["clean", "--jsonl", str(records), "--html-field", "html", "-o", str(target), "--model", str(model_path)]
    assert main(argv) == EXIT_OK
    assert json.loads(target.read_text())["clean_text"].splitlines() == expected
