"""Teaser lists below the article: the next stories' leads are dropped, an article's own paragraphs are not."""

from __future__ import annotations

import numpy as np

import bpclass
from bpclass import model as model_module
from bpclass import teasers
from bpclass.teasers import drop_teaser_lists, teaser_leads

THRESHOLD = 0.45

ARTICLE = [
    "The new bridge over the river opened on Monday after four years of building work.",
    "Engineers said the bridge carries two lanes of traffic and a path for cyclists across the river.",
    "The council expects the bridge to shorten the drive to the harbour by twenty minutes each way.",
]
LEADS = [
    "A storm closed the airport for six hours and stranded thousands of travellers overnight in the halls.",
    "The central bank kept its interest rate unchanged, citing slower growth in exports this quarter.",
    "Police arrested three men suspected of stealing copper cable from railway sidings near the depot.",
    "A museum returned a painting looted during the war to the grandchildren of its original owner.",
    "Farmers warned that the dry spring will cut this year's wheat harvest by almost a third overall.",
]


def page_with_teasers(lead_p=0.6, title_p=0.2, leads=LEADS, article=ARTICLE):
    """A headline, the article, then units of a rubric, a title and a lead (a blank
    line after each unit); the lines and their made-up P(content)."""
    lines = ["Bridge opens after four years", ""] + [x for a in article for x in (a, "")]
    proba = [0.7, 0.0] + [x for _ in article for x in (0.9, 0.0)]
    for k, lead in enumerate(leads):
        lines += ["//News", f"Story number {k} in the list", lead, ""]
        proba += [0.1, title_p, lead_p, 0.0]
    return lines, np.array(proba)


def lead_lines(lines):
    return [k for k, line in enumerate(lines) if line in LEADS]


def test_the_leads_of_a_teaser_list_below_the_article_are_found_and_dropped():
    lines, proba = page_with_teasers()
    assert teaser_leads(lines, proba, THRESHOLD) == lead_lines(lines)
    drop_teaser_lists([lines], [proba], THRESHOLD)
    assert (proba[lead_lines(lines)] == 0.0).all()
    assert (proba[2:8:2] == 0.9).all()  # the article is left as it was


def test_a_teaser_list_with_half_its_titles_kept_is_still_one():
    # Other tools' lines show a feed's summaries, and the model keeps some titles above them.
    lines, proba = page_with_teasers()
    titles = [k - 1 for k in lead_lines(lines)]
    proba[titles[1::2]] = 0.6  # every other title kept: half of them, at most
    assert 2 * np.count_nonzero(proba[titles] >= THRESHOLD) <= len(titles)
    assert teaser_leads(lines, proba, THRESHOLD) == lead_lines(lines)
    proba[titles[0]] = 0.6  # more than half kept: a listing's
    assert teaser_leads(lines, proba, THRESHOLD) == []


def test_what_is_not_a_teaser_list_is_left_alone():
    # Paragraphs the model is sure of (an article's, between photo credits).
    assert teaser_leads(*page_with_teasers(lead_p=0.9), THRESHOLD) == []
    # Titles kept too: a listing page, whose list is its content.
    assert teaser_leads(*page_with_teasers(title_p=0.6), THRESHOLD) == []
    # Fewer than MIN_UNITS units.
    assert teaser_leads(*page_with_teasers(leads=LEADS[: teasers.MIN_UNITS - 1]), THRESHOLD) == []
    # Leads that tell the article's story (an interview's answers between questions).
    same_story = [f"{a} The bridge and the river again, number {k}." for k, a in enumerate(ARTICLE + ARTICLE[:2])]
    lines, proba = page_with_teasers(leads=same_story)
    assert teaser_leads(lines, proba, THRESHOLD) == []
    # No article above: a page of one long kept line is no article to follow.
    assert teaser_leads(*page_with_teasers(article=ARTICLE[:1]), THRESHOLD) == []
    # Leads all dropped already: nothing to do.
    assert teaser_leads(*page_with_teasers(lead_p=0.3), THRESHOLD) == []


def test_a_teaser_list_with_few_of_its_leads_kept_is_still_one():
    # Other tools' lines: the model keeps some leads of a long rubric list, not most.
    lines, proba = page_with_teasers(lead_p=0.3)
    leads = lead_lines(lines)
    proba[leads[0]] = 0.6  # one lead of five kept
    assert teaser_leads(lines, proba, THRESHOLD) == leads
    drop_teaser_lists([lines], [proba], THRESHOLD)
    assert (proba[leads] == 0.0).all()


def test_uneven_spacing_is_no_list():
    lines, proba = page_with_teasers()
    # A second short line in one unit only: the leads are no longer evenly spaced.
    at = lines.index(LEADS[2])
    lines.insert(at, "A second title line")
    proba = np.insert(proba, at, 0.1)
    assert teaser_leads(lines, proba, THRESHOLD) == []


def test_a_huge_page_of_alternating_lines_takes_linear_time():
    lines = ["x" * 100, "y" * 100, "z" * 100] + ["short line", "w" * 100] * 100_000
    proba = np.array([0.9, 0.9, 0.9] + [0.1, 0.6] * 100_000)
    leads = teaser_leads(lines, proba, THRESHOLD)
    assert leads == list(range(4, len(lines), 2))


def test_the_model_drops_what_the_rule_finds(monkeypatch):
    lines, _ = page_with_teasers()
    model = bpclass.load_model()
    monkeypatch.setattr(model_module, "drop_teaser_lists", lambda *args, **kwargs: None)
    before = model.predict_proba([lines])[0]  # without the rule
    calls = []

    def spy(pages, probas, threshold, lengths=None):
        calls.append(threshold)
        # The lines' lengths come from the features, as the rule would measure them.
        assert lengths[0].tolist() == [len(line.strip()) for line in lines]
        for proba in probas:
            proba[2] = 0.0  # the article's first paragraph, as if it were a lead

    monkeypatch.setattr(model_module, "drop_teaser_lists", spy)
    after = model.predict_proba([lines])[0]
    assert calls == [model.threshold]
    assert after[2] == 0.0 and before[2] > 0.0
    assert np.array_equal(np.delete(after, 2), np.delete(before, 2))
