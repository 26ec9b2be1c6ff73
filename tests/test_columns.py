"""Lines that hold blocks side by side (a text browser's layout table), read a block at a time."""

from __future__ import annotations

from pathlib import Path

import numpy as np

import bpclass
from bpclass import columns
from bpclass import model as model_module
from bpclass.columns import column_pieces, line_flags, line_proba
from bpclass.metrics import bag_f1

PAGE = Path(__file__).resolve().parent.parent / "data" / "pages" / "en_news_library.txt"


def in_table(lines: list[str], width: int = 30) -> list[str]:
    """The page as a text browser sets out a two-column table: a news feed's times and
    headlines on the left, padded to ``width``, the page on the right."""
    feed = [f"{9 + k // 6:02d}:{k % 6 * 10:02d} Headline number {k}" for k in range(len(lines))]
    return [
        f"{left:<{width}}     {line}".rstrip() + " " * 8 if line.strip() else line for left, line in zip(feed, lines)
    ]


def test_a_page_in_columns_is_cut_at_its_gaps_and_read_a_column_at_a_time():
    page = ["Title", "09:00 Feed     The first line of the body.     ", "10:00          and its second line,", ""]
    page += ["11:00 Feed     the third.", "", "Footer line", "a     b"]
    pieces, owner = column_pieces(page)
    # The table (lines 1-4): its left column, then its right one; line 5 is blank, line 6
    # outside any table; line 7 cut again.
    assert pieces == ["Title", "09:00 Feed", "10:00", "11:00 Feed", ""] + [
        "The first line of the body.",
        "and its second line,",
        "the third.",
        "",
        "",
        "Footer line",
        "a",
        "",
        "b",
        "",
    ]
    assert owner.tolist() == [0, 1, 2, 4, 4, 1, 2, 4, 4, 5, 6, 7, 7, 7, 7]
    # Fewer than MIN_LINES lines with a gap (or a small share of them): not in columns.
    assert column_pieces(page[:3]) is None
    assert column_pieces(page[:2] + ["a line of text"] * 40) is None
    assert column_pieces(["one  two", "three four", "x"] * 5) is None  # two spaces are no gap


def test_a_table_padded_to_one_width_is_read_as_one_box():
    # A text browser pads every line of a table to its width: a line holding one cell
    # set in by less than a gap ("Read more...", beside an empty cell) is still the
    # table's, so the article's column is read together; a box of another width below
    # (the footer's table) is read after it, on its own.
    rows = [("  Headlines", "The headline of the article"), ("  Another story", "")]
    rows += [("  Read more...", "The first paragraph of the body."), ("  Third story", "The second one.")]
    page = [f"{left:<20}{right:<40}" for left, right in rows] + [""]
    footer = (("  (c) 2012 The paper", "Contact"), ("  All rights", "Ads"), ("  reserved", ""))
    page += [f"{left:<30}{right:<12}" for left, right in footer]
    pieces, owner = column_pieces(page)
    # The first box: its left column top to bottom, then the article's column.
    assert pieces[:10] == ["Headlines", "Another story", "Read more...", "Third story", ""] + [
        "The headline of the article",
        "The first paragraph of the body.",
        "The second one.",
        "",
        "",
    ]
    assert owner.tolist()[:10] == [0, 1, 2, 3, 3, 0, 2, 3, 3, 4]
    assert pieces[10:] == ["(c) 2012 The paper", "All rights", "reserved", "", "Contact", "Ads", ""]
    cut = [(0, "a"), (9, "b")]
    assert columns._boxed(page, [cut] * len(page)) == [0, 0, 0, 0, -1, 5, 5, 5]
    # Fewer than MIN_BOX lines of one width, or none of them cut, is no box.
    assert columns._boxed(page[:2] + page[4:], [cut] * 6) == [-1, -1, -1, 3, 3, 3]
    assert columns._boxed(page, [[]] * 4 + [cut] * 4) == [-1, -1, -1, -1, -1, 5, 5, 5]


def test_lines_set_in_outside_a_box_are_read_where_they_stand():
    # A nested list's indent is no table: the footer set in by 12 spaces stays below
    # the article, which a table beside the menu holds.
    page = [
        f"{menu:<20}{text}"
        for menu, text in (
            ("Menu item one", "The headline of the article"),
            ("Menu item two", "Its first paragraph."),
            ("Menu item three", "Its second paragraph."),
        )
    ]
    page += [""] + [" " * 12 + "(c) 2011 The paper, all rights"] * 2
    pieces, owner = column_pieces(page)
    assert owner.tolist()[-2:] == [4, 5]
    assert pieces.index("Its second paragraph.") < pieces.index("(c) 2011 The paper, all rights")


def test_hostile_pages_are_not_cut_without_bounds():
    gaps = "     ".join("x" * 3 for _ in range(200_000))  # 200,000 pieces on one line
    page = [gaps] * 5
    assert column_pieces(page) is None  # 17 pieces a line at most: more than MAX_GROWTH
    pieces, _ = column_pieces([gaps[:60]] * 4 + ["text"] * 10)  # 8 pieces on each of 4 lines
    assert len(pieces) <= columns.MAX_GROWTH * 14
    labels = bpclass.load_model().predict([page])[0]
    assert len(labels) == 5


def test_each_line_gets_its_likeliest_piece():
    owner = np.array([0, 0, 1, 2, 2])
    assert line_proba(np.array([0.1, 0.9, 0.0, 0.5, 0.2]), owner, 3).tolist() == [0.9, 0.0, 0.5]
    pieces = ["14:09", "A long paragraph of the body", "", "x", ""]
    assert line_flags(np.array([True, False, True, True, False]), pieces, owner, 3).tolist() == [False, True, True]


def test_a_page_set_out_in_columns_keeps_what_the_page_keeps(monkeypatch):
    model = bpclass.load_model()
    lines = PAGE.read_text(encoding="utf-8").splitlines()
    table = in_table(lines)  # read whole, each line of the body starts with a feed's time and headline
    reference = "\n".join(line for line, y in zip(lines, model.predict([lines])[0]) if y)

    def kept(labels):
        # The left column's words are not the page's: score the right column's text.
        return "\n".join(line[35:] for line, y in zip(table, labels) if y)

    in_columns = model.predict([table])[0]
    assert bag_f1(kept(in_columns), reference)[2] >= 0.9
    monkeypatch.setattr(model_module, "likely_columned", lambda *args: np.zeros(0, dtype=np.int64))
    whole = model.predict([table])[0]
    assert bag_f1(kept(whole), reference)[2] < bag_f1(kept(in_columns), reference)[2]


def test_pages_not_in_columns_are_read_as_before(monkeypatch):
    model = bpclass.load_model()
    lines = PAGE.read_text(encoding="utf-8").splitlines()
    padded = ["      " + line if line else line for line in lines]  # indented: padded, but no gaps
    before = model.predict_proba([lines, padded])
    monkeypatch.setattr(columns, "MIN_LINES", 10**9)
    assert all(np.array_equal(a, b) for a, b in zip(before, model.predict_proba([lines, padded])))


def test_padded_lines_are_the_same_without_the_compiled_scan(monkeypatch):
    from bpclass import features

    pages = [["a" + " " * 5, " " * 5 + "b", "  c  ", " d ", "e" + " " * 4, "\t" * 5 + "f"]]
    native: list = []
    features.features_and_comment_rows(pages, edges=native)
    monkeypatch.setattr(features, "_speedups", None)
    python: list = []
    features.features_and_comment_rows(pages, edges=python)
    assert native[0].tolist() == python[0].tolist() == [4, 4, 0, 3, 0, 4]


def test_the_page_rules_read_a_columned_page_in_the_order_of_its_lines(monkeypatch):
    # Read a column at a time, a comment form in the left column below the article would
    # come before the article in the right one, and the comment rule would drop it.
    model = bpclass.load_model()
    table = in_table(PAGE.read_text(encoding="utf-8").splitlines())
    seen = []
    real = model_module.drop_comment_sections

    def spy(pages, probas, candidates=None):
        seen.extend(pages)
        real(pages, probas, candidates)

    monkeypatch.setattr(model_module, "drop_comment_sections", spy)
    model.predict([table])
    assert [line.strip() for line in table] in seen  # the page's own lines, in order
    assert column_pieces(table)[0] not in seen  # never its pieces in column order
