"""Pages wrapped at a fixed width are read a paragraph at a time (bpclass.wrapping)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
import pytest

import bpclass
from bpclass import model as model_module
from bpclass import wrapping
from bpclass.metrics import bag_f1
from bpclass.wrapping import cut_runs, joined_lines, line_shapes, wrapped_runs

PAGES = Path(__file__).resolve().parent.parent / "data" / "pages"
PAGE = PAGES / "en_news_library.txt"


def wrapped(lines: list[str], width: int = 72) -> list[str]:
    """The page as a text browser dumps it: each line wrapped at ``width``."""
    out = []
    for line in lines:
        out.extend(textwrap.wrap(line, width) or [line])
    return out


def long_page() -> list[str]:
    """The shipped page, its paragraphs made long enough to wrap several times."""
    lines = PAGE.read_text(encoding="utf-8").splitlines()
    return [line + " " + line[0].lower() + line[1:] if len(line) > 100 else line for line in lines]


def test_a_wrapped_page_is_found_and_its_paragraphs_joined():
    page = long_page()
    lines = wrapped(page)
    runs = wrapped_runs(lines)
    assert runs is not None and len(runs) == len(lines)
    joined = joined_lines(lines, runs)
    paragraphs = [line for line in page if len(line) > 100]
    assert sum(p in joined for p in paragraphs) >= len(paragraphs) - 1  # a sentence ending a line may split one
    assert len(joined) < len(lines)


def test_a_markdown_link_cut_by_the_wrapping_is_joined_whole():
    # html2text wraps a paragraph's Markdown as text, and may cut it short before a
    # link: "When I arrived at The [Oberoi" / "Grand](https://...) in Kolkata, ...".
    lines = wrapped(long_page())
    cut = ["When I arrived at The [Oberoi", "Grand](https://www.example.com/oberoi) in Kolkata, I checked in."]
    at = lines.index("") + 1
    page = lines[:at] + cut + lines[at:]
    runs = wrapped_runs(page)
    assert runs is not None and runs[at] == runs[at + 1]
    assert "When I arrived at The [Oberoi Grand](https://www.example.com/oberoi) in Kolkata" in " ".join(
        joined_lines(page, runs)
    )


def test_a_wrapped_page_is_found_amid_lines_that_run_past_the_width():
    # html2text wraps at 78 but never breaks a link's address: a Markdown page's menu
    # of links runs past the width, its lines clustered at one length (here 88).
    address = "https://www.example.com/sections/of/the/site/{:02d}/index.html"
    menu = [f"  * [Section {k:02d} of the site]({address.format(k)})" for k in range(40)]
    assert {len(line) for line in menu} == {len(menu[0])} and len(menu[0]) == 88
    lines = wrapped(long_page(), 78)
    page = menu + [""] + lines
    runs = wrapped_runs(page)
    assert runs is not None
    alone = joined_lines(lines, wrapped_runs(lines))
    assert joined_lines(page, runs)[len(menu) + 1 :] == alone
    assert all(runs[k] != runs[k + 1] for k in range(len(menu) - 1))  # the menu's items stay apart


def test_a_filled_line_ending_a_sentence_goes_on_where_blank_lines_end_the_paragraphs():
    # html2text and text browsers set paragraphs apart by blank lines: a filled line
    # that ends a sentence before a capital is wrapping, not a paragraph's end.
    paragraph = [
        "The council met on Tuesday evening to discuss the new budget for parks.",
        "Members voted to double the money for the library's rooftop garden and",
        "the children's wing, which opened to the public on Saturday morning.",
    ]
    page = []
    for line in long_page()[:12] + [" ".join(paragraph)] + long_page()[12:]:
        page += wrapped([line]) + [""] if line else []
    at = page.index(paragraph[0])
    runs = wrapped_runs(page)
    assert runs is not None and runs[at] == runs[at + 1] == runs[at + 2]
    assert " ".join(paragraph) in joined_lines(page, runs)
    # Without blank lines between paragraphs, a sentence's end may be a paragraph's.
    dense = [line for line in page if line]
    runs = wrapped_runs(dense)
    at = dense.index(paragraph[0])
    assert runs is not None and runs[at] != runs[at + 1] == runs[at + 2]


def test_a_quoted_paragraph_wrapped_with_its_marks_on_every_line_is_joined():
    # html2text and mail quote a wrapped paragraph on each of its lines.
    page = long_page()
    quoted = [f"> {line}" for line in wrapped([page[k] for k in range(len(page)) if len(page[k]) > 100][:3], 70)]
    lines = wrapped(page) + [""] + quoted
    runs = wrapped_runs(lines)
    assert runs is not None
    start = len(lines) - len(quoted)
    joined = joined_lines(lines[start:], runs[start:] - runs[start])
    assert len(joined) < len(quoted) / 2
    assert all(line.startswith("> ") and " > " not in line for line in joined)


@pytest.mark.parametrize("path", sorted(PAGES.glob("*.txt")), ids=lambda p: p.name)
def test_pages_that_are_not_wrapped_are_read_as_they_are(path):
    assert wrapped_runs(path.read_text(encoding="utf-8").splitlines()) is None


def test_a_list_of_titles_cut_at_one_length_is_not_wrapping():
    titles = [f"Council approves new budget for parks and the library number {k} of the year ..." for k in range(12)]
    assert wrapped_runs(titles) is None
    assert wrapped_runs(["Short line"] * 3) is None and wrapped_runs([]) is None


def test_a_wrapped_page_keeps_what_its_unwrapped_page_keeps(monkeypatch):
    model = bpclass.load_model()
    page = long_page()
    lines = wrapped(page)
    labels = model.predict([lines])[0]
    proba = model.predict_proba([lines])[0]
    assert len(labels) == len(proba) == len(lines)
    kept = "\n".join(line for line, y in zip(lines, labels) if y)
    reference = "\n".join(line for line, y in zip(page, model.predict([page])[0]) if y)
    assert bag_f1(kept, reference)[2] >= 0.95
    # Read line by line instead, the wrapped paragraphs look like menu items and are lost.
    monkeypatch.setattr(model_module, "likely_wrapped", lambda *args: np.zeros(0, dtype=np.int64))
    lost = model.predict([lines])[0]
    assert bag_f1("\n".join(line for line, y in zip(lines, lost) if y), reference)[2] < bag_f1(kept, reference)[2]


def test_blank_lines_of_a_wrapped_page_stay_zero_and_other_pages_are_untouched():
    model = bpclass.load_model()
    plain = PAGE.read_text(encoding="utf-8").splitlines()
    lines = []
    for line in wrapped(long_page()):
        lines += [line, ""] if len(line) < 40 else [line]
    alone = model.predict_proba([plain])[0]
    batch = model.predict_proba([plain, lines, plain])
    np.testing.assert_allclose(batch[0], alone)
    np.testing.assert_allclose(batch[2], alone)
    assert all(p == 0.0 for line, p in zip(lines, batch[1]) if not line.strip())


def test_joined_lines_keeps_blank_lines_and_the_first_indentation():
    lines = ["  one two", "three", "", "four"]
    assert joined_lines(lines, np.array([0, 0, 1, 2])) == ["  one two three", "", "four"]


def test_line_shapes_are_the_same_without_the_compiled_scan(monkeypatch):
    pages = [["  Hello world. ", "", "\u3000élan vital", "»quoted«", "x"], ["ABC def)", " \t "]]
    native = line_shapes(pages)
    monkeypatch.setattr(wrapping, "_speedups", None)
    np.testing.assert_array_equal(line_shapes(pages), native)
    assert native[0].tolist() == [14, 5, 0, 1, 1]
    assert native[1].tolist() == [0, 0, 0, 0, 0]
    assert native[2].tolist() == [11, 4, 1, 0, 0]


def soup_lines(lines: list[str]) -> list[str]:
    """The shipped page as BeautifulSoup's get_text("\\n") would give it had its long
    paragraphs links in them: each cut into pieces around a 'link', the spaces around
    the pieces kept."""
    out = []
    for line in lines:
        words = line.split(" ")
        if len(words) > 12:
            out += [" ".join(words[:5]) + " ", " ".join(words[5:7]), " " + " ".join(words[7:])]
        else:
            out.append(line)
    return out


def test_a_page_cut_at_inline_elements_is_found_and_joined_again():
    lines = PAGE.read_text(encoding="utf-8").splitlines()
    cut = soup_lines(lines)
    runs = cut_runs(cut)
    assert runs is not None
    joined = joined_lines(cut, runs)
    for line in lines:
        if len(line.split(" ")) > 12:
            assert any(line in j for j in joined)  # the paragraph whole again
    # Pages whose lines have no single-space edges are never taken for cut.
    assert cut_runs(lines) is None
    assert cut_runs(["  indented", "   list item  ", "table\tcell  "] * 3) is None


def test_a_table_of_tiny_pieces_is_not_joined_into_a_line():
    lines = PAGE.read_text(encoding="utf-8").splitlines()
    key = ["a", "b", "v", "g", "d", "jo", "zh", "z", "i"]  # a hidden form's transliteration key
    page = soup_lines(lines) + [""] + key
    joined = joined_lines(page, cut_runs(page))
    assert joined[-len(key) :] == key  # each piece its own line, as given
    # A short word going on from a longer piece is still joined.
    pieces = ["We have ", "lost", "and we have", "won", ". We have found ways"] * 5
    assert "We have lost and we have won . We have found ways" in joined_lines(pieces, cut_runs(pieces))


def test_a_cut_article_amid_a_large_menu_is_found(monkeypatch):
    lines = PAGE.read_text(encoding="utf-8").splitlines()
    cut = soup_lines(lines) * 3  # a long article, as the shipped page three times
    spaced = sum(1 for line in cut if line.startswith(" ") or line.endswith(" "))
    assert spaced >= wrapping.MIN_EDGES_ALONE
    menu = [f"Section {k}" for k in range(spaced * 12)]  # the edges: under a tenth of the lines
    page = menu + cut
    assert spaced < wrapping.MIN_EDGE_SHARE * len(page)
    assert cut_runs(page) is not None
    monkeypatch.setattr(wrapping, "MIN_EDGES_ALONE", spaced + 1)
    assert cut_runs(page) is None  # a tenth of the lines, or MIN_EDGES_ALONE of them


def test_a_cut_page_keeps_what_its_whole_page_keeps(monkeypatch):
    model = bpclass.load_model()
    lines = PAGE.read_text(encoding="utf-8").splitlines()
    cut = soup_lines(lines)
    kept = "\n".join(line for line, y in zip(cut, model.predict([cut])[0]) if y)
    reference = "\n".join(line for line, y in zip(lines, model.predict([lines])[0]) if y)
    assert bag_f1(kept, reference)[2] >= 0.95
    monkeypatch.setattr(model_module, "likely_cut", lambda *args: np.zeros(0, dtype=np.int64))
    piecemeal = model.predict([cut])[0]
    assert bag_f1("\n".join(line for line, y in zip(cut, piecemeal) if y), reference)[2] < bag_f1(kept, reference)[2]


def test_single_space_edges_are_the_same_without_the_compiled_scan(monkeypatch):
    from bpclass import features

    pages = [[" a b ", "x", "  y", "z  ", " ", " q", "\u3000w ", "ok"]]
    native: list = []
    features.features_and_comment_rows(pages, edges=native)
    monkeypatch.setattr(features, "_speedups", None)
    python: list = []
    features.features_and_comment_rows(pages, edges=python)
    assert native[0].tolist() == python[0].tolist() == [3, 0, 0, 0, 1, 2, 0]


def test_merged_runs_join_where_either_reading_joins():
    wrapped_at_width = np.array([0, 0, 1, 2, 3])
    cut_at_elements = np.array([0, 1, 1, 2, 2])
    assert wrapping.merged_runs(wrapped_at_width, cut_at_elements).tolist() == [0, 0, 0, 1, 1]


def test_a_page_wrapped_in_its_source_and_cut_at_its_links_is_joined_whole():
    # BeautifulSoup keeps the source's line breaks inside a text node and gives each
    # link a line of its own: a paragraph comes wrapped and cut at once.
    from bpclass.features import features_and_comment_rows

    page = long_page()
    lines = []
    for k, line in enumerate(wrapped(page, 64)):
        words = line.split(" ")
        if len(line) > 50 and k % 3 == 0:
            lines += [" ".join(words[:4]) + " ", " ".join(words[4:6]), " " + " ".join(words[6:])]
        else:
            lines.append(line)
    assert wrapped_runs(lines) is not None and cut_runs(lines) is not None
    edges: list = []
    X, non_blank, _ = features_and_comment_rows([lines], edges=edges)
    runs = model_module._wrapped_pages([lines], 0, 1, X, non_blank, edges[0])[0]
    joined = joined_lines(lines, runs)
    paragraphs = [line for line in page if len(line) > 100]
    assert all(p in joined for p in paragraphs)
    # Either reading alone leaves some paragraph in pieces.
    for alone in (wrapped_runs(lines), cut_runs(lines)):
        assert not all(p in joined_lines(lines, alone) for p in paragraphs)
