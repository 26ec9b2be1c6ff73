"""Pages given as Markdown are read as the text they show (bpclass.markdown)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import bpclass
from bpclass import features
from bpclass import model as model_module
from bpclass.markdown import NOTHING_SHOWN, is_markdown, plain_page, shown_text
from bpclass.policy import COMMENT_MAX_CHARS

PAGE = Path(__file__).resolve().parent.parent / "data" / "pages" / "en_news_library.txt"


@pytest.mark.parametrize(
    "line, shown",
    [
        ("* [Home](/) | [News](/news)", "Home | News"),
        ("## Subhead ##", "Subhead"),
        ("# Title", "Title"),
        ("**Bold** and *it* and snake_case_name", "Bold and it and snake_case_name"),
        ("![logo](x.png)", ""),  # shows nothing: plain_page reads such a line as NOTHING_SHOWN
        ("[![a](i.png)](https://example.com/u)", ""),
        ('See [the report](http://x.org/a_(b) "Title") now.', "See the report now."),
        ("A [reference link][3] here", "A reference link here"),
        ("[3]: https://example.com/ref", ""),
        ("| a | b |", "a\tb"),
        ("|---|:---:|", ""),
        ("* * *", ""),
        ("=====", ""),
        ("```python", ""),
        ("1. First item", "First item"),
        ("- item", "item"),
        ("> quoted *text*", "quoted text"),
        (r"Escaped \- dash \_x \*", "Escaped - dash _x *"),
        ("Price: 5 * 3 = 15, a_b and 2*x", "Price: 5 * 3 = 15, a_b and 2*x"),
        ("", ""),
        # Each pattern is tried only on lines with the characters it needs: these
        # show that the shortcuts let through what they must.
        ("\u0661\u0662. Arabic-Indic digits", "Arabic-Indic digits"),
        ("  > > quoted twice", "quoted twice"),
        ("~~gone~~ __under__ _it_ x", "gone under it x"),
        ("  [ref]: http://example.com", ""),
        ("a | b |", "a\tb"),
        ("   ---", ""),
        (": ---|---", ": ---|---"),
        ("\t* a tab first", "\t* a tab first"),
    ],
)
def test_a_markdown_line_shows_its_text(line, shown):
    assert shown_text(line) == shown


def test_markdown_is_told_from_plain_text():
    markdown = ["* [Home](/)", "* [News](/news)", "# A headline", "Some **bold** words."]
    assert is_markdown(markdown)
    assert plain_page(markdown) == ["Home", "News", "A headline", "Some bold words."]
    plain = [
        "* Footnote one",  # stray list marks, a rule of underscores, a hashtag, stars
        "______________",
        "#news is trending",
        "*** BLOG NOTE: apologies ***",
        "** Add: more",
        "A line with [brackets] (and parentheses).",
    ]
    assert not is_markdown(plain)
    assert plain_page(plain) is plain
    assert not is_markdown(["[a](b) [c](d) [e](f) [g](h) in one line"])  # signs, but no line starts like Markdown


def as_markdown(lines: list[str]) -> list[str]:
    """The shipped page as a Markdown scraper could give it: short lines as links in
    a list, the headline as a heading, long lines with a link inside."""
    out = []
    for k, line in enumerate(lines):
        if not line.strip():
            out.append(line)
        elif k == 5:
            out.append("# " + line)
        elif len(line) < 60:
            out.append(f"* [{line}](/p/{k})")
        else:
            words = line.split(" ")
            out.append(f"[{words[0]}](https://example.com/{k}) " + " ".join(words[1:]))
    return out


def test_a_markdown_page_gets_the_labels_of_its_text():
    lines = PAGE.read_text(encoding="utf-8").splitlines()
    markdown = as_markdown(lines)
    assert markdown != lines and plain_page(markdown) == lines
    model = bpclass.load_model()
    md_proba, plain_proba = model.predict_proba([markdown, lines])
    assert len(md_proba) == len(markdown)
    np.testing.assert_allclose(md_proba, plain_proba)
    kept = bpclass.clean("\n".join(markdown)).splitlines()
    assert kept and all(line in markdown for line in kept)  # the user's own lines, syntax and all
    assert any("](" in line for line in kept)


def test_the_page_rules_read_what_markdown_lines_show(monkeypatch):
    # A comment's header in Markdown is a line of links, longer than any header the
    # comment rule looks for: the rules that read a page's lines in order get the text
    # they show, the other pages of the batch as they are.
    lines = PAGE.read_text(encoding="utf-8").splitlines()
    url = "https://www.example.com/2024/03/city-opens-a-new-library-in-the-old-train-station/#comment-"
    header = f"Posted by: [Reader]({url}1) | [3 March 2024 at 10:15]({url}1)"
    assert len(header) > COMMENT_MAX_CHARS > len(shown_text(header))
    markdown = as_markdown(lines) + ["", "## Comments", "", header, "", lines[-1]]
    read = []
    monkeypatch.setattr(model_module, "drop_comment_sections", lambda pages, *args: read.extend(pages))
    bpclass.load_model().predict_proba([markdown, lines])
    assert read == [plain_page(markdown), lines]


def test_a_line_that_shows_nothing_stays_a_line():
    page = ["* [Home](/)", "* [News](/news)", "![logo](/logo.png)", "* * *", "# Title", "", "Body text here."]
    assert plain_page(page) == ["Home", "News", NOTHING_SHOWN, NOTHING_SHOWN, "Title", "", "Body text here."]


def test_a_model_fits_on_markdown_pages_with_image_lines():
    lines = as_markdown(PAGE.read_text(encoding="utf-8").splitlines())
    page = lines[:3] + ["![a photo](/photo.jpg)", "|---|---|"] + lines[3:]
    labels = [0] * 5 + [1 if len(line) > 60 else 0 for line in lines[3:]]
    model = bpclass.BoilerplateClassifier(second_pass=False, lexicon=False).fit([page, page], [labels, labels])
    assert len(model.predict([page])[0]) == len(page)


def test_markdown_in_a_batch_leaves_the_other_pages_alone():
    lines = PAGE.read_text(encoding="utf-8").splitlines()
    X, non_blank = features.batch_features([lines, as_markdown(lines), lines])
    rows = int(non_blank[: len(lines)].sum())
    np.testing.assert_array_equal(X[:rows], X[rows : 2 * rows])
    np.testing.assert_array_equal(X[:rows], X[2 * rows :])
    # read_markdown=False: the syntax is read as it is
    X_raw, _ = features.features_and_comment_rows([as_markdown(lines)], read_markdown=False)[:2]
    assert not np.array_equal(X_raw, X[:rows])


def test_markdown_reading_is_the_same_without_the_compiled_scan(monkeypatch):
    lines = PAGE.read_text(encoding="utf-8").splitlines()
    pages = [lines, as_markdown(lines)]
    X_native, _ = features.batch_features(pages)
    monkeypatch.setattr(features, "_speedups", None)
    X_python, _ = features.batch_features(pages)
    np.testing.assert_allclose(X_native, X_python)


def test_long_runs_of_blanks_are_read_in_linear_time():
    # A text browser pads table cells with spaces; a heading's closing-hash pattern once
    # searched from every blank of such a run (200,000 blanks: minutes, not milliseconds).
    blanks = " " * 200_000
    assert shown_text("## Title" + blanks + "x") == "Title" + blanks + "x"
    assert shown_text("## Title" + blanks + "##") == "Title"
    assert shown_text(blanks) == blanks
    page = ["# Head", "* [a](/a)", "* [b](/b)", "* [c](/c)", "text" + blanks + "more", blanks]
    assert is_markdown(page) and plain_page(page)[4] == "text" + blanks + "more"
