"""The comment-section policy: below a heading such as "12 Comments", lines are boilerplate."""

from __future__ import annotations

import copy
import json

import numpy as np
import pytest
from conftest import rewrite_model_file

from bpclass import ModelFileError, load_model
from bpclass.cli import EXIT_OK, main
from bpclass.corpus import CorpusOptions, clean_batch
from bpclass.patterns import COMMENT_HEADING
from bpclass.policy import COMMENT_MAX_HEADINGS, comment_section_start, drop_comment_sections

ARTICLE = [
    "City opens a new library in the old train station",
    "",
    "The city council opened its new public library on Saturday, in the hall of the old train "
    "station that had stood empty for more than ten years.",
    "",
    "The building keeps its iron roof and its clock, and the former ticket office is now a reading "
    "room for children, with books in four languages.",
    "",
    "The mayor said that the library would stay open until nine in the evening on weekdays, so that "
    "people who work during the day can use it as well.",
    "",
    "More than two thousand people visited the library on its first day, and the staff said that "
    "nearly four hundred of them signed up for a library card.",
]
COMMENTS = [
    "",
    "12 Comments",
    "",
    "Anna says:",
    "I went there on Sunday with my two sons and we stayed for the whole afternoon. The reading room "
    "for children is lovely and the staff were very kind to us.",
    "",
    "Peter says:",
    "It is good to see the old station used again. I remember taking the train from there when I was "
    "a student, and the clock was always five minutes late.",
]


def test_the_heading_pattern():
    headings = ["12 Comments", "Leave a Reply", "Comments (3)", "» Comments", "3 Responses to “A title”"]
    headings += ["2 thoughts on “A title”", "Kommentare (14)", "Join the discussion", "No comments yet"]
    for heading in headings:
        assert COMMENT_HEADING.search(heading), heading
    for other in ["Discussion", "No comment from the minister, for now", "He made 12 comments at the meeting."]:
        assert not COMMENT_HEADING.search(other), other
    # A match never runs from one line into the next.
    assert not COMMENT_HEADING.search("Leave a\nreply")


def test_lines_below_the_heading_are_dropped():
    model = load_model()
    page = ARTICLE + COMMENTS
    start = page.index("12 Comments")
    kept = copy.copy(model).set_params(keep_comments=True)
    with_comments = kept.predict([page])[0]
    assert with_comments[start:].any()  # the model alone keeps some of the comments ...
    labels, proba = model.predict_with_proba([page])
    assert not labels[0][start:].any() and (proba[0][start:] == 0).all()  # ... the policy drops them
    assert (labels[0][:start] == with_comments[:start]).all()  # the article is untouched
    assert labels[0][:start].sum() >= 4


def test_where_a_heading_counts():
    proba = np.array([0.9 if len(line) > 60 else 0.2 for line in ARTICLE + COMMENTS])
    page = ARTICLE + COMMENTS
    assert comment_section_start(page, proba) == page.index("12 Comments")
    # Under the headline, before the article, "12 Comments" is a link: nothing is cut.
    top = [ARTICLE[0], "12 Comments"] + ARTICLE[1:]
    top_proba = np.array([0.9 if len(line) > 60 else 0.2 for line in top])
    assert comment_section_start(top, top_proba) is None
    # Nor on a listing that counts the comments of every item.
    listing = []
    for k in range(COMMENT_MAX_HEADINGS + 1):
        listing += [ARTICLE[2], f"{k + 2} comments"]
    assert comment_section_start(listing, np.full(len(listing), 0.9)) is None
    # Nor when the text above is unlikely content.
    assert comment_section_start(page, np.where(np.arange(len(page)) < 11, 0.3, 0.9)) is None
    # Long lines and lines holding a newline are never headings, and line k stays line k.
    odd = ["x" * 500, "a\nComments", ARTICLE[2] * 3, "Comments", "Bob says:"]
    assert comment_section_start(odd, np.array([0.9, 0.9, 0.9, 0.1, 0.1])) == 3
    probas = [np.array([0.9, 0.9, 0.9, 0.1, 0.8]), np.array([0.7])]
    drop_comment_sections([odd, ["Comments"]], probas)
    assert probas[0].tolist() == [0.9, 0.9, 0.9, 0.0, 0.0] and probas[1].tolist() == [0.7]


def test_keep_comments_is_saved_and_checked(tmp_path):
    model = copy.copy(load_model()).set_params(keep_comments=True)
    model.save(tmp_path / "keep.npz")
    assert load_model(tmp_path / "keep.npz").keep_comments is True
    assert load_model().keep_comments is False
    # Files without the key (made before it existed) drop comment sections.
    rewrite_model_file(tmp_path / "keep.npz", tmp_path / "old.npz", change_meta=lambda m: m.pop("keep_comments"))
    assert load_model(tmp_path / "old.npz").keep_comments is False
    rewrite_model_file(tmp_path / "keep.npz", tmp_path / "bad.npz", change_meta=lambda m: m.update(keep_comments="yes"))
    with pytest.raises(ModelFileError, match="keep_comments"):
        load_model(tmp_path / "bad.npz")
    with pytest.raises(TypeError, match="keep_comments"):
        copy.copy(model).set_params(keep_comments="no").predict([ARTICLE])


def test_the_cli_and_the_corpus_runner_keep_comments_when_asked(tmp_path, capsys):
    page = tmp_path / "page.txt"
    page.write_text("\n".join(ARTICLE + COMMENTS), encoding="utf-8")
    assert main(["clean", str(page)]) == EXIT_OK
    assert "Anna says:" not in capsys.readouterr().out
    assert main(["clean", "--keep-comments", str(page)]) == EXIT_OK
    assert "old station used again" in capsys.readouterr().out
    assert load_model().keep_comments is False  # the flag did not change the shared bundled model
    record = json.dumps({"text": "\n".join(ARTICLE + COMMENTS)}).encode()
    for keep, expected in ((None, False), (True, True)):
        [result] = clean_batch([(1, record)], CorpusOptions(keep_comments=keep))
        assert result[0] == "ok"
        assert ("old station used again" in json.loads(result[2])["clean_text"]) is expected
