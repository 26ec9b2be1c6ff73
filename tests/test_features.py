"""Each feature on hand-written lines: one knob at a time."""

from __future__ import annotations

import numpy as np
import pytest

from bpclass.features import FEATURE_DESCRIPTIONS, FEATURE_NAMES, line_features, page_features

LINE = {name: i for i, name in enumerate(FEATURE_NAMES)}


def f(line: str, name: str) -> float:
    """One line feature of one line."""
    return line_features(line)[LINE[name]]


def col(lines: list[str], name: str) -> np.ndarray:
    return page_features(lines)[:, LINE[name]]


def test_names_are_unique_ordered_and_documented():
    assert len(set(FEATURE_NAMES)) == len(FEATURE_NAMES)
    assert all(FEATURE_DESCRIPTIONS[name].strip() for name in FEATURE_NAMES)
    assert page_features(["a"]).shape == (1, len(FEATURE_NAMES))


def test_lengths():
    assert f("abc", "log_chars") == pytest.approx(np.log1p(3))
    assert f("one two three", "log_words") == pytest.approx(np.log1p(3))
    assert f("ab abcd", "mean_word_len") == pytest.approx(3.0)


def test_cjk_characters_count_as_words():
    # A CJK sentence has no spaces; each character counts as a word.
    assert f("今天天气很好我们去公园散步", "log_words") == pytest.approx(np.log1p(13))
    assert f("今天天气很好", "share_cjk") == pytest.approx(1.0)
    assert f("hello", "share_cjk") == 0.0


@pytest.mark.parametrize("line", ["Putin Ungkap Ancaman...", "Read more…", "Jajaki Perundingan Perdamaian... "])
def test_ellipsis_end(line):
    assert f(line, "ends_ellipsis") == 1.0


def test_no_ellipsis_end():
    assert f("A full sentence.", "ends_ellipsis") == 0.0


@pytest.mark.parametrize(
    "line,expected", [("He said so.", 1), ("Why?", 1), ("“Yes,” papar dia.”", 1), ("Berita Terkait", 0)]
)
def test_terminal_punctuation(line, expected):
    assert f(line, "ends_terminal") == expected


def test_casing():
    assert f("Putin Ungkap Ancaman", "share_capitalised") == 1.0
    assert f("putin ungkap Ancaman baru", "share_capitalised") == 0.25
    assert f("A A A", "share_upper") == 1.0
    assert f("abc", "share_upper") == 0.0


def test_digits_and_punctuation():
    assert f("1234", "share_digits") == 1.0
    assert f("ab12", "share_digits") == 0.5
    assert f("a|b", "share_punct") == pytest.approx(1 / 3)


@pytest.mark.parametrize(
    "line",
    [
        "Selasa, 27 Desember 2022 - 15:04 WIB",
        "2022-12-27",
        "27/12/2022",
        "March 3, 2024",
        "12. April 2024",
        "3 mars 2023",
    ],
)
def test_absolute_dates(line):
    assert f(line, "has_date") == 1.0


def test_no_date_in_prose():
    assert f("The minister may speak to the press.", "has_date") == 0.0


@pytest.mark.parametrize("line", ["15:04", "Selasa, 27 Desember 2022 - 15:04 WIB", "9.30 WIB", "at 11 am"])
def test_clock_times(line):
    assert f(line, "has_time") == 1.0


def test_weekday():
    assert f("Selasa, 27 Desember 2022", "has_weekday") == 1.0
    assert f("Saturday, February 3", "has_weekday") == 1.0
    assert f("A long day", "has_weekday") == 0.0


@pytest.mark.parametrize(
    "line",
    [
        "8 menit yang lalu",
        "1 jam yang lalu",
        "2 hours ago",
        "vor 3 Stunden",
        "il y a 2 jours",
        "hace 5 minutos",
        "26m ago",
    ],
)
def test_relative_times(line):
    assert f(line, "has_relative_time") == 1.0


def test_no_relative_time():
    assert f("Two hours of talks ended with a deal.", "has_relative_time") == 0.0


def test_separators_urls_emails_copyright():
    assert f("Home | News | Sport", "n_separators") == 2.0
    assert f("Home » News", "n_separators") == 1.0
    assert f("Visit https://example.org/page now", "has_url") == 1.0
    assert f("Write to desk@example.org", "has_email") == 1.0
    assert f("Write to the desk", "has_email") == 0.0
    assert f("Copyright ©2025 SINDOnews.com All Rights Reserved", "has_copyright") == 1.0
    assert f("He copied the text", "has_copyright") == 0.0


def test_caption_byline_and_phrases():
    assert f("Presiden Rusia di St Petersburg. Foto/Sputnik/Alexei Danichev", "has_caption_cue") == 1.0
    assert f("By Dana Whitfield, Staff Reporter", "has_byline") == 1.0
    assert f("Byzantine art is old.", "has_byline") == 0.0
    assert f("Baca juga: berita lain", "n_boiler_phrases") >= 1.0
    assert f("loading...", "n_boiler_phrases") == 1.0
    assert f("The river rose overnight.", "n_boiler_phrases") == 0.0


def test_list_marker_label_prefix_and_case():
    assert f("- first item", "has_list_marker") == 1.0
    assert f("2. second item", "has_list_marker") == 1.0
    assert f("Baca Juga: Jalan Putus", "has_label_prefix") == 1.0
    assert f("and so on", "starts_lower") == 1.0
    assert f("And so on", "starts_lower") == 0.0


def test_stopwords():
    assert f("the cat and the dog", "share_stopwords") == pytest.approx(0.6)
    assert f("Berita Terkait", "share_stopwords") == 0.0


def test_cjk_function_characters_count_as_stopwords():
    # 9 characters, of which 我, 的 and 在 are function words.
    assert f("我的朋友在北京工作", "share_stopwords") == pytest.approx(3 / 9)
    assert f("北京上海广州深圳", "share_stopwords") == 0.0


def test_blank_lines_get_zero_rows():
    X = page_features(["Title", "", "   ", "Body text here."])
    assert not X[1].any() and not X[2].any()
    assert X[0].any() and X[3].any()


def test_empty_page():
    assert page_features([]).shape == (0, len(FEATURE_NAMES))
    assert not page_features(["", " "]).any()


def test_position():
    pos = col(["a", "", "b", "c"], "rel_position")
    assert pos.tolist() == pytest.approx([0.0, 0.0, 2 / 3, 1.0])
    assert col(["a", "b", "c"], "rel_position_nonblank").tolist() == [0.0, 0.5, 1.0]
    assert col(["a", "b"], "is_first_line").tolist() == [1.0, 0.0]


def test_blank_neighbours():
    lines = ["a", "", "b", "c"]
    assert col(lines, "blank_after").tolist() == [1.0, 0.0, 0.0, 1.0]
    assert col(lines, "blank_before").tolist() == [1.0, 0.0, 1.0, 0.0]


def test_repeats():
    lines = ["Share", "x", "Share", "Share"]
    assert col(lines, "log_repeats").tolist() == pytest.approx([np.log(3), 0.0, np.log(3), np.log(3)])


def test_truncated_twins():
    lines = [
        "Putin Ungkap Ancaman...",
        "Body.",
        "Jajaki Perundingan Perdamaian...",
        "Jajaki Perundingan Perdamaian Abadi, AS dan Ukraina",
    ]
    assert col(lines, "is_truncated_twin").tolist() == [0.0, 0.0, 1.0, 0.0]
    assert col(lines, "has_truncated_twin").tolist() == [0.0, 0.0, 0.0, 1.0]


def test_neighbour_features_shift_over_non_blank_lines():
    lines = ["short", "", "one two three four", "x y"]
    words = col(lines, "log_words")
    before = col(lines, "log_words@-1")
    after = col(lines, "log_words@+1")
    assert before[2] == pytest.approx(words[0])  # the blank line is skipped
    assert after[0] == pytest.approx(words[2])
    assert before[0] == -1.0 and after[3] == -1.0  # past the page's edge


def test_prose_distance():
    prose = "This sentence has more than twelve words in it, so it counts as a prose line."
    lines = ["Menu", "Headline", prose, "Related"]
    assert col(lines, "lines_to_next_prose").tolist() == [2.0, 1.0, 0.0, 30.0]
    assert col(lines, "lines_since_prose").tolist() == [30.0, 30.0, 0.0, 1.0]


def test_what_lies_below_a_late_copyright_line():
    # The page's last copyright line, in its second half: what follows it (a pop-up's
    # rules, a cookie notice) is marked; photo credits above it mark nothing.
    lines = [
        "Menu",
        "© Reuters",
        "Headline",
        "Body text.",
        "© AP",
        "More body.",
        "© 2024 The Paper",
        "Rules",
        "Be kind.",
    ]
    assert col(lines, "below_late_copyright").tolist() == [0, 0, 0, 0, 0, 0, 0, 1, 1]
    assert not col(["© 2024 The Paper", "Body text.", "More body.", "The end."], "below_late_copyright").any()
    assert col(["Menu", "Body", "", "Copyright 2024 Site", "", "Cookie notice"], "below_late_copyright").tolist() == [
        0,
        0,
        0,
        0,
        0,
        1,
    ]
    assert not col(["Body", "More", "Footer"], "below_late_copyright").any()
    # Pages in one batch do not reach each other.
    rows = page_features(["A", "B", "All rights reserved", "C"])
    assert rows[:, LINE["below_late_copyright"]].tolist() == [0, 0, 0, 1]
    # A footer a layout sets above the article marks nothing: more of the page's text
    # lies below it than up to it.
    article = ["The article's first paragraph, a long sentence of the body.", "And its second one, as long."]
    above = ["Home", "News", "Sport", "Weather", "© 2010 The Agency"]
    assert not col(above + article, "below_late_copyright").any()
    assert col(above + ["Cookie notice"], "below_late_copyright").tolist() == [0, 0, 0, 0, 0, 1]


def test_window_means():
    lines = ["a.", "b", "c."]
    assert col(lines, "ends_terminal~3").tolist() == pytest.approx([2 / 3] * 3)


def test_page_relative_columns():
    prose = "A sentence of the body that ends here."
    lines = ["Menu", "", "Headline of it", prose, "short", prose + " And more.", "Final"]
    chars = np.array([len(line) for line in lines if line])
    rows = page_features(lines)[[0, 2, 3, 4, 5, 6]]
    # Each "vs page" column is the line's value minus the page mean: it sums to zero.
    for name in ("log_chars_vs_page", "stopwords_vs_page", "prose_words_vs_page"):
        assert rows[:, LINE[name]].sum() == pytest.approx(0.0, abs=1e-12)
    assert rows[:, LINE["log_chars_vs_page"]] == pytest.approx(np.log1p(chars) - np.log1p(chars).mean())
    # Shortest 0, longest 1; equal lengths ("short", "Final") in line order.
    assert rows[:, LINE["length_rank"]].tolist() == pytest.approx([0.0, 0.6, 0.8, 0.2, 1.0, 0.4])
    # The two sentence lines (ranks 2 and 4) pull the centre between them, nearer the longer one.
    centre = (2 * len(prose) + 4 * (len(prose) + 10)) / (2 * len(prose) + 10)
    assert rows[:, LINE["offset_from_prose"]] == pytest.approx((np.arange(6) - centre) / 6)
    # Sentence characters before the middle of each line: the first sentence line counts half of itself.
    first, second = len(prose), len(prose) + 10
    shares = [0, 0, first / 2, first, first + second / 2, first + second]
    assert rows[:, LINE["prose_chars_before"]] == pytest.approx(np.array(shares) / (first + second))


def test_page_relative_columns_without_prose():
    rows = page_features(["Home", "News"])
    assert rows[:, LINE["offset_from_prose"]].tolist() == [0.0, 0.5]
    assert rows[:, LINE["prose_chars_before"]].tolist() == [0.0, 0.0]
    # A page's only sentence line sits in the middle of its sentence text.
    rows = page_features(["Home", "The one sentence of the page.", "Footer"])
    assert rows[:, LINE["prose_chars_before"]].tolist() == [0.0, 0.5, 1.0]


def test_a_page_gets_the_same_rows_in_any_batch():
    from bpclass.features import batch_features

    pages = [
        ["Menu", "", "A sentence of the body that ends here.", "short"],
        [],
        ["x" * 50 + ".", "Home", "y"],
        ["", "Another page, another sentence.", "Footer"],
    ]
    together, _ = batch_features(pages)
    alone = [batch_features([page])[0] for page in pages]
    assert np.array_equal(together, np.vstack(alone))


def test_huge_line_is_handled_quickly():
    line = "9" * 2_000_000
    row = line_features(line)
    assert row[0] == pytest.approx(np.log1p(2_000_000))


def test_line_cache_gives_the_same_features():
    from bpclass.features import clear_line_cache

    page = ["Home", "Share", "A sentence of the body, long enough to matter.", "Home"]
    clear_line_cache()
    cold = page_features(page)
    warm = page_features(page)
    np.testing.assert_array_equal(cold, warm)
    np.testing.assert_array_equal(cold[0, : len(line_features("Home"))], line_features("Home"))
