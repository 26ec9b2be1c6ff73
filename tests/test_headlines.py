"""The headline rule: the likeliest title-like line just above the first kept line is kept."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from bpclass import load_model
from bpclass.policy import (
    HEADLINE_MIN_PROBA,
    HEADLINE_REACH,
    HEADLINE_WORDS_REACH,
    headline_above,
    headline_by_words,
    headline_words,
    lift_headlines,
    title_like,
)

PAGE = [
    "Home | News | Sport",  # 0
    "Police close the coast road after a landslide",  # 1: the headline
    "",
    "5 December 2026, 08:15",  # 3: a dateline
    "By Anna Berg",  # 4: a byline
    "The coast road was closed on Friday after heavy rain brought down part of the cliff above it.",  # 5
    "Drivers are asked to use the inland route until engineers have checked the slope.",  # 6
]


@pytest.mark.parametrize(
    "line",
    [
        "Police close the coast road after a landslide",
        "Will the road open again before Christmas?",
        "山体滑坡后警方封闭沿海公路",
    ],
)
def test_title_like_lines(line):
    assert title_like(line)


@pytest.mark.parametrize(
    "line",
    [
        "Home | News | Sport",
        "5 December 2026, 08:15",
        "By Anna Berg",
        "The road was closed on Friday.",
        "周五，沿海公路因暴雨导致山体滑坡而封闭。",  # a sentence, ended by a CJK full stop
        "相关新闻：",
        "2012年01月12日 14:25 台海网",  # a CJK dateline
        "1月12日 星期四 厦门新闻",
        "Related:",
        "Photo: Anna Berg",
        "© 2026 The Coast Paper",
        "News",  # too few words
        "",
    ],
)
def test_lines_that_are_not_title_like(line):
    assert not title_like(line)


def test_the_likeliest_title_like_line_above_the_first_kept_line_is_lifted():
    proba = np.array([0.05, 0.3, 0.0, 0.2, 0.2, 0.9, 0.9])
    assert headline_above(PAGE, proba, 0.45) == 1
    probas = [proba.copy()]
    lift_headlines([PAGE], probas, 0.45)
    assert probas[0][1] == 0.45 and np.array_equal(np.delete(probas[0], 1), np.delete(proba, 1))
    # Too unlikely, already kept, or nothing kept: nothing lifted.
    low = proba.copy()
    low[1] = HEADLINE_MIN_PROBA / 2
    assert headline_above(PAGE, low, 0.45) is None
    kept = proba.copy()
    kept[1] = 0.8
    assert headline_above(PAGE, kept, 0.45) is None
    assert headline_above(PAGE, np.zeros(len(PAGE)), 0.45) is None


def test_a_cjk_sentence_first_kept_does_not_hide_the_headline_above():
    page = ["山体滑坡后警方封闭沿海公路", "周五，沿海公路因暴雨导致山体滑坡而封闭。", "司机们被要求改走内陆路线。"]
    assert headline_above(page, np.array([0.3, 0.9, 0.9]), 0.45) == 0


def test_the_headline_is_looked_for_only_a_few_lines_up():
    filler = [f"Short item number {k} here" for k in range(HEADLINE_REACH)]
    page = ["Police close the coast road after a landslide", *filler, PAGE[5]]
    proba = np.array([0.4] + [0.01] * HEADLINE_REACH + [0.9])
    assert headline_above(page, proba, 0.45) is None
    proba[1] = 0.3  # the nearest title-like line within reach
    assert headline_above(page, proba, 0.45) == 1


def test_the_model_keeps_a_headline_it_was_unsure_of():
    page = ["Home", "News", "Sport", "Weather", "Local news", *PAGE[1:], "", "Share"]
    head, lead = page.index(PAGE[1]), page.index(PAGE[5])
    passes = load_model().predict_proba([page])[0]
    # A threshold between what the passes give the headline and the article's first
    # line would drop the headline and keep the line.
    assert HEADLINE_MIN_PROBA <= passes[head] < passes[lead]
    threshold = float(passes[head] + passes[lead]) / 2
    model = copy.copy(load_model()).set_params(threshold=threshold)
    labels, proba = (out[0] for out in model.predict_with_proba([page]))
    assert labels[head] == 1 and proba[head] == threshold
    kept = [page[k] for k in np.flatnonzero(labels)]
    assert kept[0] == PAGE[1] and PAGE[5] in kept and "By Anna Berg" not in kept


def test_the_headline_sharing_words_with_the_lead_is_kept_however_unsure_the_passes():
    share_bar = ["Share on Facebook", "Share on Twitter", "Send by e-mail", "Print this page"]
    page = ["Police close the coast road after a landslide", "Latest stories from the region"]
    page += ["5 December 2026, 08:15", "By Anna Berg", *share_bar, PAGE[5], PAGE[6]]
    lead = page.index(PAGE[5])
    proba = np.full(len(page), 0.05)
    proba[lead:] = 0.9
    assert lead - 1 > HEADLINE_REACH and headline_above(page, proba, 0.45) is None  # too far for the first rule
    assert headline_by_words(page, proba, 0.45) == 0
    probas = [proba.copy()]
    lift_headlines([page], probas, 0.45)
    assert probas[0][0] == 0.45 and np.array_equal(probas[0][1:], proba[1:])
    # Another story's title, a menu item: no words shared with the lead, nothing kept.
    other = ["Storm warning for the islands tonight", *page[1:]]
    assert headline_by_words(other, proba, 0.45) is None
    # A title above the lead kept already: nothing more.
    kept = proba.copy()
    kept[1] = 0.6
    assert headline_by_words(page, kept, 0.45) is None
    # Beyond HEADLINE_WORDS_REACH lines: not looked at.
    far = [page[0]] + [f"Menu item {k}" for k in range(HEADLINE_WORDS_REACH)] + page[lead:]
    far_proba = np.array([0.05] * (HEADLINE_WORDS_REACH + 1) + [0.9, 0.9])
    assert headline_by_words(far, far_proba, 0.45) is None
    assert headline_by_words(far[:1] + far[2:], far_proba[1:], 0.45) == 0


def test_cjk_headlines_share_pairs_of_characters_with_the_lead():
    assert headline_words("山体滑坡 road closures") == {"山体", "体滑", "滑坡", "road", "closur"}
    lead = "周五，沿海公路因暴雨导致山体滑坡而封闭，司机们被要求改走内陆路线。"
    page = ["山体滑坡后警方封闭沿海公路", "记者 王明", lead]
    assert headline_by_words(page, np.array([0.05, 0.1, 0.9]), 0.45) == 0
    assert headline_by_words(["今日天气晴朗多云转阴", *page[1:]], np.array([0.05, 0.1, 0.9]), 0.45) is None
