"""Lines far from the article, kept without conviction, are dropped; the article and
what follows it closely are not."""

from __future__ import annotations

import numpy as np

import bpclass
from bpclass import article
from bpclass import model as model_module
from bpclass.article import GAP, MAX_PROBA, core_run, drop_far_lines, far_lines

THRESHOLD = 0.45
PARAGRAPH = "The council said the new bridge would carry two lanes of traffic and a path for cyclists."
HEADLINE = "A storm closed the airport for six hours overnight"


def page(article_p=0.95, boiler=GAP, far_p=0.6):
    """An article of five paragraphs, ``boiler`` menu lines the model is sure of,
    then three headlines kept at ``far_p``; the lines and their made-up P(content)."""
    lines = [PARAGRAPH] * 5 + ["Menu item"] * boiler + [HEADLINE] * 3
    proba = [article_p] * 5 + [0.05] * boiler + [far_p] * 3
    return lines, np.array(proba)


def far_part(lines):
    return list(range(len(lines) - 3, len(lines)))


def test_unsure_lines_far_below_the_article_are_dropped():
    lines, proba = page()
    assert far_lines(lines, proba, THRESHOLD) == far_part(lines)
    drop_far_lines([lines], [proba], THRESHOLD)
    assert (proba[far_part(lines)] == 0.0).all() and (proba[:5] == 0.95).all()


def test_lines_near_the_article_or_sure_ones_are_kept():
    lines, proba = page(boiler=GAP - 1)  # not far enough
    assert far_lines(lines, proba, THRESHOLD) == []
    lines, proba = page(far_p=MAX_PROBA)  # the article goes on after a long widget
    assert far_lines(lines, proba, THRESHOLD) == []
    lines, proba = page(far_p=0.3)  # not kept: nothing to drop
    assert far_lines(lines, proba, THRESHOLD) == []


def test_lines_between_uncertain_ones_do_not_count_towards_the_gap():
    lines, proba = page()
    proba[5 : 5 + GAP] = 0.35  # under the threshold, but not sure boilerplate
    assert far_lines(lines, proba, THRESHOLD) == []


def test_a_sure_line_starts_the_count_again():
    lines = [PARAGRAPH] * 5 + ["Menu"] * GAP + [PARAGRAPH] + [HEADLINE, "Menu", HEADLINE]
    proba = np.array([0.95] * 5 + [0.05] * GAP + [0.9] + [0.6, 0.05, 0.6])
    assert far_lines(lines, proba, THRESHOLD) == []  # the headlines are near the sure paragraph


def test_far_above_the_article_too():
    lines = [HEADLINE] * 2 + ["Menu"] * GAP + [PARAGRAPH] * 5
    proba = np.array([0.6] * 2 + [0.05] * GAP + [0.95] * 5)
    assert sorted(far_lines(lines, proba, THRESHOLD)) == [0, 1]


def test_a_page_of_many_runs_is_left_alone():
    # A forum: posts apart from each other, no run holding MIN_CORE_SHARE of the kept text.
    lines, proba = [], []
    for _ in range(4):
        lines += [PARAGRAPH] + ["Reply | Quote"] * GAP
        proba += [0.6] + [0.05] * GAP
    lines, proba = lines, np.array(proba)
    assert core_run(proba[[bool(x) for x in lines]] >= THRESHOLD, np.array([len(x) for x in lines]))[2] < 0.4
    assert far_lines(lines, proba, THRESHOLD) == []


def test_blank_lines_are_not_counted():
    lines, proba = page()
    spaced = [x for line in lines for x in (line, "")]
    spaced_p = np.array([x for p in proba for x in (p, 0.0)])
    assert far_lines(spaced, spaced_p, THRESHOLD) == [2 * k for k in far_part(lines)]


def test_a_huge_page_takes_linear_time():
    n = 200_000
    lines = [PARAGRAPH] * 5 + ["Menu", HEADLINE] * n
    proba = np.array([0.95] * 5 + [0.05, 0.6] * n)
    assert far_lines(lines, proba, THRESHOLD) == []  # a kept line every other line: never far
    lines = [PARAGRAPH] * 5 + ["Menu"] * n + [HEADLINE]
    proba = np.array([0.95] * 5 + [0.05] * n + [0.6])
    assert far_lines(lines, proba, THRESHOLD) == [len(lines) - 1]


def test_the_model_drops_what_the_rule_finds(monkeypatch):
    lines, _ = page()
    model = bpclass.load_model()
    monkeypatch.setattr(model_module, "drop_far_lines", lambda *args, **kwargs: None)
    before = model.predict_proba([lines])[0]
    calls = []

    def spy(pages, probas, threshold, lengths=None):
        calls.append(threshold)
        assert lengths[0].tolist() == [len(line.strip()) for line in lines]
        for proba in probas:
            proba[0] = 0.0

    monkeypatch.setattr(model_module, "drop_far_lines", spy)
    after = model.predict_proba([lines])[0]
    assert calls == [model.threshold]
    assert after[0] == 0.0 and before[0] > 0.0
    assert np.array_equal(after[1:], before[1:])


def test_the_constants_are_sound():
    assert 0 < article.UNLIKELY < THRESHOLD < MAX_PROBA < 1 and GAP >= 2
