"""Runs of Chinese or Japanese headlines that a layout joined into one long line are boilerplate."""

from __future__ import annotations

import numpy as np

import bpclass
from bpclass import model as model_module
from bpclass.policy import drop_headline_runs, is_headline_run

HEADLINES = ["新政局／職務異動否？", "劉憶如：沒概念", "立法院副院長多名藍委表態競逐"]
HEADLINES += ["石化上游登陸？", "施顏祥：評估中"]
RUN = "頭條最新： " + " ".join(HEADLINES * 4)
PROSE = "愛跟狗狗玩親熱，小心引蟲上身！台北市立聯合醫院近日收治一起國內罕見的病例，一名來台遊玩的婦人右眼發炎。" * 3
PAGE = ["愛狗人士小心！蜱蟲咬上眼 女子眼皮刺痛遭殃", "", PROSE, "", PROSE, "", RUN]


def test_what_is_a_run_of_headlines():
    assert is_headline_run(RUN)
    assert not is_headline_run(PROSE)  # prose: no spaces, full stops
    assert not is_headline_run(" ".join(HEADLINES))  # short: a subtitle's phrases
    assert not is_headline_run(RUN + "。")  # a full stop: sentences
    # Korean separates its words by spaces: Hangul is not read as Chinese.
    korean = "서울시는 오늘 새로운 도서관을 열었다고 밝혔다 시민들은 개관 첫날부터 많은 책을 빌려 갔다 " * 4
    assert not is_headline_run(korean.strip())
    english = "Home News Sport Weather Business Technology Science Health Arts Travel Video Audio " * 3
    assert not is_headline_run(english.strip())


def test_the_rule_drops_them_in_place():
    lines = ["a title", RUN, PROSE]
    proba = np.array([0.5, 0.7, 0.9])
    drop_headline_runs([lines], [proba])
    assert proba.tolist() == [0.5, 0.0, 0.9]
    proba = np.array([0.5, 0.7, 0.9])
    drop_headline_runs([lines], [proba], [[2]])  # only the candidates given are tried
    assert proba.tolist() == [0.5, 0.7, 0.9]


def test_the_model_finds_the_candidates_in_its_line_scan(monkeypatch):
    model = bpclass.load_model()
    assert model.predict_proba([PAGE])[0][6] == 0.0
    calls = []

    def spy(pages, probas, candidates=None):
        calls.append(candidates)

    monkeypatch.setattr(model_module, "drop_headline_runs", spy)
    model.predict_proba([PAGE])
    # The long lines with CJK characters: the prose and the run.
    assert calls == [[[2, 4, 6]]]


def test_a_huge_line_is_judged_by_its_start():
    from bpclass import policy

    huge = " ".join(HEADLINES) + " "
    huge = huge * (3 * policy.RUN_SAMPLE_CHARS // len(huge))
    assert len(huge) > 2 * policy.RUN_SAMPLE_CHARS
    assert is_headline_run(huge.strip())
    # A full stop beyond the part read does not make the run prose.
    assert is_headline_run(huge + "。")
    assert not is_headline_run("。" + huge)
