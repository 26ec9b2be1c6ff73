"""Page confidence: the bag F1 the model expects of a page's kept text (bpclass.confidence)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from conftest import DATA

import bpclass
from bpclass.cli import EXIT_OK, main
from bpclass.confidence import expected_bag_f1

ARTICLE = (DATA / "pages" / "en_news_library.txt").read_text(encoding="utf-8").splitlines()


def test_expected_bag_f1_by_hand():
    lines = ["A long line of the article body, here.", "Menu", ""]
    # Sure of every line: the kept text is what the model expects to be the content.
    assert expected_bag_f1(lines, np.array([1.0, 0.0, 0.0]), np.array([1, 0, 0])) == 1.0
    # Unsure of the kept line: 2 * 0.6 * 38 / (38 + 0.6 * 38) = 0.75.
    assert expected_bag_f1(lines, np.array([0.6, 0.0, 0.0]), np.array([1, 0, 0])) == pytest.approx(0.75)
    # A menu line it half believes in and drops costs recall: 2 * 38 / (38 + 38 + 0.5 * 4).
    assert expected_bag_f1(lines, np.array([1.0, 0.5, 0.0]), np.array([1, 0, 0])) == pytest.approx(76 / 78)
    # Nothing kept: the chance that no line is content (blank lines do not count).
    assert expected_bag_f1(lines, np.array([0.2, 0.1, 0.9]), np.array([0, 0, 0])) == pytest.approx(0.8 * 0.9)
    assert expected_bag_f1([], np.array([]), np.array([], dtype=int)) == 1.0


def test_page_confidence_ranks_an_article_above_a_muddle():
    model = bpclass.load_model()
    menu = ["Home", "News", "Sport", "Login", "Subscribe", "Share this"]
    muddle = [line for pair in zip(ARTICLE, menu * 10) for line in pair]  # article lines and menu items interleaved
    confidence = model.page_confidence([ARTICLE, muddle, []])
    assert confidence.shape == (3,) and ((0 <= confidence) & (confidence <= 1)).all()
    assert confidence[0] > 0.85 and confidence[0] > confidence[1]
    assert confidence[2] == 1.0  # an empty page: nothing to keep, nothing kept
    # The same numbers as computing it from predict_with_proba by hand.
    labels, probas = model.predict_with_proba([ARTICLE])
    assert confidence[0] == pytest.approx(expected_bag_f1(ARTICLE, probas[0], labels[0]))


def test_corpus_rows_and_the_report_carry_the_confidence(tmp_path, capsys):
    out = tmp_path / "out.jsonl"
    assert main(["clean", "--jsonl", str(DATA / "pages.jsonl"), "-o", str(out)]) == EXIT_OK
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    model = bpclass.load_model()
    pages = [json.loads(line)["text"].splitlines() for line in (DATA / "pages.jsonl").read_text().splitlines()]
    expected = model.page_confidence(pages)
    assert [r["clean_text_confidence"] for r in rows] == [round(float(c), 3) for c in expected]
    assert main(["clean", "--report", str(DATA / "pages" / "en_news_library.txt")]) == EXIT_OK
    err = capsys.readouterr().err
    assert f"confidence {model.page_confidence([ARTICLE])[0]:.3f}" in err and "non-blank lines" in err
