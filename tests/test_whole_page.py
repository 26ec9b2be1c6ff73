"""A page whose text comes as one huge line (BeautifulSoup's get_text() of minified
HTML runs every text node together) keeps that line when it reads as prose; a line
without a letter or a digit is never content, however long."""

from __future__ import annotations

import numpy as np

import bpclass
from bpclass import model as model_module
from bpclass import policy
from bpclass.policy import lift_whole_page_lines, reads_as_prose

THRESHOLD = 0.45
SENTENCES = [
    "The new bridge over the river opened on Monday after four years of building work.",
    "Engineers said it carries two lanes of traffic and a path for cyclists.",
    "The council expects it to shorten the drive to the harbour by twenty minutes.",
]
MENU = "HomeNewsSportWeatherSign inSearchSubscribeMenu"
PROSE = MENU + " ".join(SENTENCES * 12) + "Copyright 2026 The Daily Example. All rights reserved."
SCRIPT = "window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push(arguments)}" * 40
RUN_TOGETHER_MENU = "HomeNewsSportWeatherBusinessTechnologyScienceHealthArtsTravel " * 60


def page_of(line, title="Bridge opens after four years", p=0.2):
    lines = [title, "", line]
    return lines, np.array([0.7, 0.0, p])


def lifted(line, **kwargs):
    lines, proba = page_of(line, **kwargs)
    lengths = np.array([len(x.strip()) for x in lines])
    lift_whole_page_lines([lines], [proba], THRESHOLD, [lengths])
    return proba[2]


def test_a_page_held_by_one_prose_line_keeps_it():
    assert len(PROSE) >= policy.WHOLE_PAGE_MIN_CHARS
    assert reads_as_prose(PROSE)
    assert lifted(PROSE) == THRESHOLD
    assert lifted(PROSE, p=0.6) == 0.6  # never lowered


def test_what_is_not_a_whole_page_of_prose_is_left_alone():
    assert not reads_as_prose(SCRIPT) and lifted(SCRIPT) == 0.2  # a script's text
    assert not reads_as_prose(RUN_TOGETHER_MENU) and lifted(RUN_TOGETHER_MENU) == 0.2  # no sentence ends
    assert not reads_as_prose("")
    short = " ".join(SENTENCES)
    assert reads_as_prose(short) and lifted(short) == 0.2  # a paragraph, not a page
    # A long line beside as much text again in other lines: the page has lines to cut.
    lines, proba = page_of(PROSE, title=" ".join(SENTENCES * 13))
    lengths = np.array([len(x.strip()) for x in lines])
    lift_whole_page_lines([lines], [proba], THRESHOLD, [lengths])
    assert proba[2] == 0.2
    # A line the rules before set to 0 (a comment section, a template) stays dropped.
    assert lifted(PROSE, p=0.0) == 0.0


def test_chinese_prose_reads_as_prose():
    text = "今天上午，新建的跨河大桥正式通车。工程师表示，大桥有两条车道和一条自行车道。" * 40
    assert reads_as_prose(text)
    assert not reads_as_prose("首页新闻体育天气财经科技健康旅游" * 100)
    # Headlines run together: their "！" and "？" end headlines, not sentences.
    assert not reads_as_prose("大桥通车！市民点赞 暴雨来袭？气象局回应 股市上涨 " * 100)


def test_the_model_runs_the_rule_last(monkeypatch):
    lines = ["Bridge opens after four years | The Daily Example", "", PROSE]
    model = bpclass.load_model()
    calls = []

    def spy(pages, probas, threshold, lengths):
        calls.append(threshold)
        assert pages[0] == lines
        # The lines' lengths come from the features, as the rule would measure them.
        assert lengths[0].tolist() == [len(line.strip()) for line in lines]
        probas[0][2] = 0.123

    monkeypatch.setattr(model_module, "lift_whole_page_lines", spy)
    assert model.predict_proba([lines])[0][2] == 0.123
    assert calls == [model.threshold]


def test_a_huge_line_is_judged_by_its_start():
    huge = PROSE * (3 * policy.WHOLE_PAGE_SAMPLE_CHARS // len(PROSE))
    assert reads_as_prose(huge)
    # What lies beyond the part read does not count.
    assert reads_as_prose(huge + SCRIPT * 2000)
    assert not reads_as_prose(SCRIPT * 2000 + huge)


def test_a_line_without_letters_or_digits_is_never_content():
    model = bpclass.load_model()
    for junk in ["{" * 500, "=" * 5000, "★★★★★", "* * *", "\u2588" * 800]:
        page = ["Bridge opens after four years", "", " ".join(SENTENCES), "", junk]
        labels, proba = model.predict_with_proba([page])
        assert proba[0][4] == 0.0 and labels[0][4] == 0, junk
        assert labels[0][2] == 1
    # A number alone may be a table's cell: left to the model.
    assert model.predict_proba([["Bridge opens after four years", "", " ".join(SENTENCES), "", "1912"]])[0][4] > 0
