"""The label policy's own tests: short datelines, bylines and photo credits; comment sections.

Our policy (the seed page's) calls the headline and the body content, and datelines,
bylines and photo credits boilerplate, whatever a data set's gold text keeps. A line
of at most POLICY_MAX_WORDS words with a date, relative time or clock time, a byline
start or a caption cue, and no sentence end, is such a line. ``training/data.py``
labels these lines 0 in the training pages; the second pass (``bpclass.passes``) may
not raise their probability above the first pass's (context says "inside the
article", the policy says "not article text").

Readers' comments are not the article either, but they read like it: sentences full
of function words, often longer than the article itself. A comment section is found
by its heading ("12 Comments", "Leave a Reply", "3 Responses to ...",
:data:`bpclass.patterns.COMMENT_HEADING`) below most of the page's likely content, or
below a whole article's worth of it; from the heading down, every line is boilerplate
(:func:`drop_comment_sections`).

The headline is content, but a short title-like line near the top looks like the
menus and related headlines around it, and the passes keep few headlines. So when the
first line the model keeps is not itself title-like, the likeliest title-like line
among the HEADLINE_REACH non-blank lines above it (a few words, no sentence end, no
date, byline, credit or link; P(content) at least HEADLINE_MIN_PROBA) is raised to
the threshold (:func:`lift_headlines`).

A page's text sometimes holds its article twice: a print or mobile copy, or a hidden
one that a layout without style sheets shows. Only one copy is the article. A run of
at least REPEAT_MIN_RUN long lines that repeats, in order, an earlier run of the page
is a copy; the copy the model is less sure of gets probability 0
(:func:`drop_repeated_copies`). Single repeated lines (a pull quote, a table row) are
left alone.

A page whose text comes as one huge line (a scraper that runs the text nodes together)
cannot be cut line by line; when that line reads as prose, it is kept
(:func:`lift_whole_page_lines`) rather than the whole article lost. A long Chinese
or Japanese line of short pieces between spaces, with no full stop, is a run of
headlines joined by a layout, and is dropped (:func:`drop_headline_runs`).
"""

from __future__ import annotations

import functools
import itertools
import math
import re

import numpy as np

from bpclass.features import FEATURE_INDEX, holds_comment_word, line_features, twin_stem
from bpclass.patterns import (
    CJK,
    CJK_DATE,
    CLOCK_TIME,
    CODE_COMMENT,
    COMMENT_ACTION,
    COMMENT_HEADING,
    COMMENT_SAYS,
    COMMENT_WORDS,
    CSS_DECLARATION,
    CSS_DECLARATIONS,
    CSS_RULE,
    CSS_RULE_START,
    CSS_SELECTOR,
    HAN_KANA,
    MONTH_DATE,
    NUMERIC_DATE,
    RELATIVE_TIME,
    SCRIPT_MARKER,
    SITE_NOTICE,
    STOPWORDS,
    TERMINAL_END,
    WORD,
)

POLICY_MAX_WORDS = 12
# Kind of line -> the feature columns of which at least one must be set.
POLICY_CUES = {
    "date": ("has_date", "has_relative_time", "has_time"),
    "byline": ("has_byline",),
    "caption": ("has_caption_cue",),
}
_CUE_COLUMNS = {kind: np.array([FEATURE_INDEX[name] for name in cues]) for kind, cues in POLICY_CUES.items()}


def policy_kinds(X: np.ndarray) -> dict[str, np.ndarray]:
    """For each feature row, per kind of line the policy makes boilerplate: is it one?"""
    short = X[:, FEATURE_INDEX["log_words"]] <= math.log1p(POLICY_MAX_WORDS)
    sentence = X[:, FEATURE_INDEX["ends_terminal"]] > 0  # "By then, it was over." is body text
    candidate = short & ~sentence
    return {kind: candidate & X[:, columns].any(axis=1) for kind, columns in _CUE_COLUMNS.items()}


def wordless_rows(X: np.ndarray) -> np.ndarray:
    """For each feature row: does its line hold no letter and no digit (stars, arrows,
    braces, a rule of dashes)? Such a line is never content: the passes' P(content) of
    it is set to 0, however long it is (a 500-character rule of "=" read like a
    paragraph to the forests)."""
    return (X[:, FEATURE_INDEX["log_words"]] == 0) & (X[:, FEATURE_INDEX["share_digits"]] == 0)


# A line of code is never content (see code_line); only lines with at least this
# share of punctuation (share_punct: 0.04 in prose) are looked at, and only those the
# passes may keep (P(content) above CODE_MIN_PROBA).
CODE_MIN_PUNCT = 0.08
CODE_MIN_PROBA = 0.3
# A script's marks count amid this share of brackets and operators, on a line of at
# least SCRIPT_MIN_CHARS (a tutorial's "document.title = ..." is shorter), and so does a
# JSON object of at least JSON_MIN_KEYS keys; a long line is code only with under
# CODE_MAX_STOPWORDS of its words function words.
SCRIPT_SYMBOLS = tuple("{}();=[]<>$")
SCRIPT_MIN_SYMBOLS = 0.05
SCRIPT_MIN_CHARS = 100
JSON_MIN_KEYS = 3
CODE_MAX_STOPWORDS = 0.2
# A long line is judged by its first so many characters (a minified script's run).
CODE_READ_CHARS = 100_000


def code_line(line: str) -> bool:
    """Is the line a piece of the page's own style sheet or script, which some
    scrapers give with the text (a style sheet's declaration, selector, comment or
    minified rules; a script's statement that uses the page, its trackers or its
    structured data; a JSON object on one line)? Code that an article shows (a
    tutorial's functions, a manual's commands, a short JSON example) is not, nor a
    sentence that only mentions code. A line longer than CODE_READ_CHARS is judged by
    its start (as the features read a line's first MAX_PATTERN_CHARS)."""
    text = line.strip()
    if not text:
        return False
    # Each pattern is tried only where the line's ends or characters allow it.
    first, last = text[0], text[-1]
    if last == "{" and first in ".#@:" and CSS_SELECTOR.match(text):
        return True
    if text.startswith("/*") and CODE_COMMENT.match(text):
        return True
    if last in ";/" and CSS_DECLARATION.match(text):  # "explicitly-installed: packages that were ...;" is prose
        return STOPWORDS.isdisjoint(text.lower().split())
    head = text[:CODE_READ_CHARS]  # a huge line is judged by its start
    if first in ".#@:" and "{" in head and CSS_RULE_START.match(head):
        return _few_function_words(head)
    if ";" in head and CSS_DECLARATIONS.match(head):
        return _few_function_words(head)
    if len(text) < SCRIPT_MIN_CHARS:
        return False
    if sum(map(head.count, SCRIPT_SYMBOLS)) > SCRIPT_MIN_SYMBOLS * len(head) and SCRIPT_MARKER.search(head):
        return _few_function_words(head)
    two_rules = "{" in head and len(list(itertools.islice(CSS_RULE.finditer(head), 2))) == 2
    if two_rules or head.count('":') >= JSON_MIN_KEYS:
        return _few_function_words(head)
    return False


def _few_function_words(text: str) -> bool:
    """Are under CODE_MAX_STOPWORDS of the line's words (of two letters or more)
    function words, as in code? A page's text that holds some code, as one line (a
    layout table's row in Markdown), has more."""
    words = function = 0
    for match in WORD.finditer(text):
        word = match.group()
        if len(word) > 1:  # "a", a style sheet's links
            words += 1
            function += word.lower() in STOPWORDS
    return function < CODE_MAX_STOPWORDS * words


def code_rows(X: np.ndarray, proba: np.ndarray, lines_of) -> np.ndarray:
    """Indices of the feature rows whose lines are code (:func:`code_line`), among
    those with the punctuation of code and P(content) ``proba`` above CODE_MIN_PROBA;
    ``lines_of(rows)`` gives those rows' lines."""
    rows = np.flatnonzero((X[:, FEATURE_INDEX["share_punct"]] >= CODE_MIN_PUNCT) & (proba > CODE_MIN_PROBA))
    return _rows_whose_lines(rows, lines_of, code_line)


def _rows_whose_lines(rows: np.ndarray, lines_of, test) -> np.ndarray:
    """The feature rows ``rows`` whose lines (``lines_of(rows)``, read only when
    there are rows) pass ``test``."""
    if not len(rows):
        return rows
    return rows[np.fromiter(map(test, lines_of(rows)), bool, len(rows))]


# A site's notice (patterns.SITE_NOTICE) is never content: only lines with CJK
# characters that the passes may keep (P(content) above CODE_MIN_PROBA) are read, by
# their first NOTICE_READ_CHARS characters. daniel cross-validated by site, Chinese
# +0.006 to +0.008 in each of four layouts (ours 0.938 -> 0.946); no other language and
# no held-out set moved (docs/experiments.md, 2026-12-07).
NOTICE_READ_CHARS = 2000


def notice_rows(X: np.ndarray, proba: np.ndarray, lines_of) -> np.ndarray:
    """Indices of the feature rows whose lines are a site's notice (a disclaimer or a
    reprint notice: :data:`~bpclass.patterns.SITE_NOTICE`), among those with CJK
    characters and P(content) ``proba`` above CODE_MIN_PROBA; ``lines_of(rows)``
    gives those rows' lines."""
    rows = np.flatnonzero((X[:, FEATURE_INDEX["share_cjk"]] > 0) & (proba > CODE_MIN_PROBA))
    return _rows_whose_lines(rows, lines_of, _notice_line)


def _notice_line(line: str) -> bool:
    return SITE_NOTICE.search(line[:NOTICE_READ_CHARS].lstrip()) is not None


def policy_boilerplate_rows(X: np.ndarray) -> np.ndarray:
    """For each feature row: is it a line of any of the policy's kinds?"""
    return np.logical_or.reduce(list(policy_kinds(X).values()))


# A comment heading is a short line (or, when it does not end like a sentence, up to
# COMMENT_MAX_TITLE_WORDS: "7 Responses to “A Post's Long Title”") ...
COMMENT_MAX_WORDS = 8
COMMENT_MAX_TITLE_WORDS = 16
COMMENT_MAX_CHARS = 120
# ... with at least this share of the page's likely content text above it (the
# characters of lines with P(content) >= COMMENT_LIKELY), and at least
# COMMENT_MIN_CHARS_ABOVE such characters: "12 comments" under a headline is a link,
# not the start of the thread. (Weighting every line by its probability instead lets
# a long menu of 0.2s outweigh the article below a "Comments" link.)
COMMENT_LIKELY = 0.5
COMMENT_MIN_SHARE_ABOVE = 0.3
COMMENT_MIN_CHARS_ABOVE = 300
# Below a real heading come the comments' own headers: a date or a time, "Ann says:",
# "Reply". With one of them (a line of at most COMMENT_MAX_WORDS + 4 words) among the
# COMMENT_META_REACH non-blank lines below it, a heading needs only
# COMMENT_MIN_CHARS_ABOVE of likely text above, not the share: a short post with a
# long thread below it. Six lines: a first comment that runs to several lines before
# its author's name and date (dragnet R682: 0.33 -> 0.98; 4 before).
COMMENT_META_REACH = 6
# A scraper that gives one text node per line cuts a comment's header into pieces
# ("Posted by:", "Ann |", "May 2, 2012 at 10:11 AM"): lines shorter than
# COMMENT_META_PIECE do not count towards the reach, within COMMENT_META_LOOK lines
# (a thread's pages and sort order come one piece a line between the heading and the
# first header: "(186)", "1", "2", "3", "...", "5", "Next »", "Order By:", two orders).
COMMENT_META_PIECE = 25
COMMENT_META_LOOK = 16
# A date or a clock time: in a comment's header, and in a heading that names one reply.
_DATE_OR_TIME = (MONTH_DATE, NUMERIC_DATE, CLOCK_TIME)
COMMENT_HEADER_TIMES = (*_DATE_OR_TIME, RELATIVE_TIME)
# "Ann Smith says:" is a comment's header, "..., study says" a headline.
COMMENT_SAYS_MAX_WORDS = 5
# A date below an article's byline ("By Ann Smith", then "January 16, 2012") is the
# article's dateline, not a comment's header. Narrower than patterns.BYLINE, whose
# "posted by" and "written by" also start a comment's header.
ARTICLE_BYLINE = re.compile(r"(?:by|von|par|por|oleh|door|av|autor|автор|συντάκτης)\b\s?:?\s?\S", re.I)
# A page with more heading-like lines than this is a listing ("2 comments" under every
# item), not an article with a thread below it ...
COMMENT_MAX_HEADINGS = 3
# ... unless it has at most COMMENT_MAX_THREAD_HEADINGS of them, no two alike and with
# one count among them at most: one thread named several times ("Comments", "53
# Comments »", "53 Responses to ...", "Leave a Reply"), where a listing counts each item
# ("2 comments", "5 comments") and a forum repeats one line ("Add a comment").
COMMENT_MAX_THREAD_HEADINGS = 6
# Only heading-like lines with a likely line (P >= COMMENT_LIKELY) within this many
# non-blank lines count towards COMMENT_MAX_HEADINGS: a sidebar's "107 Comments", laid
# out on its own line by a scraper that gives one text node per line, is not a listing.
COMMENT_COUNT_REACH = 3
# A heading with a count or a word for comments ("Comments", "{ 131 comments }"; not
# "Response to ...", which also titles articles) starts the section whatever the share
# of the likely text above it, given this many of its characters: a long thread below
# a whole article.
COMMENT_MIN_CHARS_ALONE = 2500
# A scraper that gives one text node per line cuts a heading into pieces ("174",
# "comments"): a line holding a comment word is read with up to COMMENT_PIECES
# non-blank lines of at most COMMENT_PIECE_CHARS characters on either side joined to it.
COMMENT_PIECES = 2
# A call to comment ("Add a comment", "Dodaj komentarz") in the article's toolbar, with
# the article's first paragraph (a line of CALL_PROSE_CHARS at P >= CALL_SURE) among
# the CALL_REACH non-blank lines below it and more likely text below it than above, is
# a link, not a thread's heading: a teaser list above the article can hold the share of
# likely text that COMMENT_MIN_SHARE_ABOVE asks for (thesun.co.uk in daniel: 0.36 ->
# 0.82). daniel cross-validated by site, English +0.002 in every layout; dragnet +0.0003
# (docs/experiments.md, 2026-12-08).
CALL_REACH = 2
CALL_PROSE_CHARS = 80
CALL_SURE = 0.8
# Two comment headings this close (non-blank lines between) head a thread together.
COMMENT_PAIR_REACH = 3
COMMENT_PIECE_CHARS = 12
_NUMBER = re.compile(r"\d+")
# The words of COMMENT_WORDS that name comments themselves (not replies, thoughts or
# discussions).
COMMENT_NOUNS = COMMENT_WORDS - {
    "reply", "response", "responses", "thought", "thoughts", "discussion", "conversation", "email", "mail"
}  # fmt: skip


def _comment_word_lines(lines: list[str]) -> list[int]:
    """Indices of the lines that hold a comment word, the Python way (a model's
    predictions get them from its line scan: ``features.features_and_comment_rows``)."""
    return [k for k, line in enumerate(lines) if len(line) <= COMMENT_MAX_CHARS and holds_comment_word(line)]


def _is_heading(line: str) -> bool:
    # Long lines never reach the cache, which holds at most 4096 short strings.
    return len(line) <= COMMENT_MAX_CHARS and _is_short_heading(line)


@functools.lru_cache(maxsize=4096)  # "Reply", "Comments": the same few lines on page after page
def _is_short_heading(line: str) -> bool:
    if COMMENT_HEADING.match(line) is None or "\n" in line:
        return False
    words = len(line.split())
    return words <= COMMENT_MAX_WORDS or (words <= COMMENT_MAX_TITLE_WORDS and not TERMINAL_END.search(line))


def _comment_headers_follow(lines: list[str], k: int) -> bool:
    """Is one of the COMMENT_META_REACH non-blank lines below line k a comment's header?
    Pieces under COMMENT_META_PIECE characters ("Posted by:", "Ann |") do not count
    towards the reach, but at most COMMENT_META_LOOK lines are read."""
    seen = looked = 0
    previous = ""
    for line in itertools.islice(lines, k + 1, None):
        text = line.strip()
        if not text:
            continue
        if len(line) <= COMMENT_MAX_CHARS and len(line.split()) <= COMMENT_MAX_WORDS + 4:
            if _comment_header(line, previous):
                return True
        previous = text
        looked += 1
        seen += len(text) >= COMMENT_META_PIECE
        if seen == COMMENT_META_REACH or looked == COMMENT_META_LOOK:
            return False
    return False


def _comment_header(line: str, previous: str) -> bool:
    """Is a short line, below the non-blank line ``previous``, a comment's header:
    "Reply", "Ann says:" (a name of at most COMMENT_SAYS_MAX_WORDS words), or a date or
    a time that is not an article's dateline under its byline?"""
    if COMMENT_ACTION.search(line):
        return True
    if COMMENT_SAYS.search(line):
        return len(line.split()) <= COMMENT_SAYS_MAX_WORDS
    return any(pattern.search(line) for pattern in COMMENT_HEADER_TIMES) and not ARTICLE_BYLINE.match(previous)


def comment_section_start(lines: list[str], proba: np.ndarray, candidates=None) -> int | None:
    """Index of the line that heads the page's comment section, or ``None``.

    ``proba`` is P(content) of each line (blank lines 0). The heading is the first
    short line matching :data:`~bpclass.patterns.COMMENT_HEADING` (alone, or with the
    short pieces a scraper cut it into around it: :func:`_heading_at`) with enough
    likely content above it (see the constants above: a share of it, or less when
    comments' headers follow the heading, or a whole article's worth under a heading
    that counts or names comments, or right above another heading that does: "Please
    add comments", then "13 Comment(s)"), on a page with at most
    :data:`COMMENT_MAX_HEADINGS` such lines (or a few more that name one thread).
    ``candidates``: the indices of the lines that hold a comment word, if known (else
    they are looked for).
    """
    if candidates is None:
        candidates = _comment_word_lines(lines)
    headings = []
    for found in (_heading_at(lines, k) for k in candidates):
        # One heading found again from another of its pieces counts once: "203 comments"
        # alone and with the toolbar's "Email", "Tweet", "Print" joined to it (one text
        # node per line) are not two headings, nor a pair (_heading_follows).
        if found is not None and (not headings or found[0] > headings[-1][1]):
            headings.append(found)
    if not headings:
        return None
    likely = np.flatnonzero(np.asarray(proba) >= COMMENT_LIKELY)  # only these lines' characters count
    if len(headings) > COMMENT_MAX_HEADINGS:
        counted = [(k, text) for k, _, text in headings if _near_likely(lines, proba, k) and not _dated(text)]
        if len(counted) > COMMENT_MAX_HEADINGS and not _one_thread([text for _, text in counted]):
            return None
    chars = np.cumsum(np.fromiter(map(len, map(lines.__getitem__, likely.tolist())), np.int64, len(likely)))
    total = int(chars[-1]) if len(chars) else 0
    for h, (k, end, text) in enumerate(headings):
        above = _through(chars, likely, k - 1)  # likely characters above line k
        if above < COMMENT_MIN_CHARS_ABOVE:
            continue
        if above >= COMMENT_MIN_SHARE_ABOVE * total and not _call_above_article(
            lines, proba, end, text, above, total - _through(chars, likely, end)
        ):
            return int(k)
        if (
            _comment_headers_follow(lines, end)
            or (above >= COMMENT_MIN_CHARS_ALONE and _names_comments(text))
            or _heading_follows(lines, headings, h)
        ):
            return int(k)
    return None


def _through(chars: np.ndarray, likely: np.ndarray, end: int) -> int:
    """The likely characters (``chars``: their running sum over the ``likely`` lines)
    up to line ``end``, inclusive."""
    n = int(np.searchsorted(likely, end, side="right"))
    return int(chars[n - 1]) if n else 0


def _call_above_article(lines: list[str], proba: np.ndarray, end: int, text: str, above: int, below: int) -> bool:
    """Is the heading that ends on line ``end``, which only the share of likely text
    above it makes a heading, a call to comment in the article's toolbar ("Add a
    comment" under the byline) rather than the head of a thread: no count and no form's
    note ("*"), a sure line of prose (CALL_PROSE_CHARS, CALL_SURE) among the CALL_REACH
    non-blank lines after it, and more likely text below it than above it (``below``
    and ``above``, in characters)?"""
    if "*" in text or _NUMBER.search(text):
        return False
    seen = 0
    for j in range(end + 1, len(lines)):
        line = lines[j].strip()
        if line:
            if len(line) >= CALL_PROSE_CHARS and proba[j] >= CALL_SURE:
                return below > above
            seen += 1
            if seen >= CALL_REACH:
                return False
    return False


def _heading_follows(lines: list[str], headings: list, h: int) -> bool:
    """Does another comment heading, naming comments, start within COMMENT_PAIR_REACH
    non-blank lines below heading ``h`` ("Please add comments", then "13 Comment(s)")?"""
    if h + 1 >= len(headings):
        return False
    end = headings[h][1]
    k, _, text = headings[h + 1]
    between = sum(1 for line in lines[end + 1 : k] if line.strip())
    return between < COMMENT_PAIR_REACH and _names_comments(text)


def _pieces(lines: list[str], k: int, step: int) -> list[int]:
    """The indices of up to COMMENT_PIECES non-blank lines next to line k (above it for
    ``step`` -1, below for 1), nearest first, while each is a piece of at most
    COMMENT_PIECE_CHARS characters."""
    out: list[int] = []
    j = k + step
    while 0 <= j < len(lines) and len(out) < COMMENT_PIECES:
        text = lines[j].strip()
        if text:
            if len(text) > COMMENT_PIECE_CHARS:
                break
            out.append(j)
        j += step
    return out


def _heading_at(lines: list[str], k: int) -> tuple[int, int, str] | None:
    """``(first line, last line, text)`` of the comment heading line k belongs to, or
    None: line k alone, else line k with the short pieces around it joined, as many
    on each side as make a heading, the most first ("18" and "comments", or "{", "18",
    "comments… read them below or", "add one", "}", from a scraper that gives one
    text node per line; "Add " and "New Comment (" without the "1" above them)."""
    line = lines[k]
    if _is_heading(line):
        return k, k, line
    if len(line) > COMMENT_MAX_CHARS:
        return None
    above, below = _pieces(lines, k, -1)[::-1], _pieces(lines, k, 1)
    for n_above in range(len(above), -1, -1):
        for n_below in range(len(below), -1, -1):
            if n_above or n_below:
                first, last = above[len(above) - n_above :], below[:n_below]
                text = " ".join(lines[j].strip() for j in first + [k] + last)
                if _is_heading(text):
                    return (first or [k])[0], (last or [k])[-1], text
    return None


def _near_likely(lines: list[str], proba: np.ndarray, k: int) -> bool:
    """Is a likely line among the COMMENT_COUNT_REACH non-blank lines on either side of
    line k (a listing's "2 comments" under each item), rather than a heading-like line
    amid boilerplate (a sidebar's "107 Comments" beside a headline)?"""
    for step in (-1, 1):
        j, seen = k + step, 0
        while 0 <= j < len(lines) and seen < COMMENT_COUNT_REACH:
            if proba[j] >= COMMENT_LIKELY:
                return True
            seen += bool(lines[j].strip())
            j += step
    return False


def _dated(line: str) -> bool:
    """Does a heading-like line hold a date or a clock time? Then it heads one comment
    ("Response to Ann, 13 December 2011 7:05PM"), not a listing's item: it does not
    count towards COMMENT_MAX_HEADINGS."""
    return any(pattern.search(line) for pattern in _DATE_OR_TIME)


def _one_thread(headings: list[str]) -> bool:
    """Are these heading lines, more than COMMENT_MAX_HEADINGS, one thread's (see
    COMMENT_MAX_THREAD_HEADINGS) rather than a listing's or a forum's?"""
    texts = {line.strip().lower() for line in headings}
    counts = {n for line in headings for n in _NUMBER.findall(line)}
    return len(headings) <= COMMENT_MAX_THREAD_HEADINGS and len(texts) == len(headings) and len(counts) <= 1


def _names_comments(line: str) -> bool:
    """Does a heading line hold a count or a word for comments (COMMENT_NOUNS)?"""
    return _NUMBER.search(line) is not None or any(w.lower() in COMMENT_NOUNS for w in WORD.findall(line))


def drop_comment_sections(pages: list[list[str]], probas: list[np.ndarray], candidates=None) -> None:
    """Set P(content) to 0, in place, from each page's comment heading down
    (:func:`comment_section_start`); pages without one are left as they are.
    ``candidates``: per page, the indices of its lines that hold a comment word, if
    known."""
    for k, (lines, proba) in enumerate(zip(pages, probas)):
        if candidates is not None and not candidates[k]:
            continue
        start = comment_section_start(lines, proba, None if candidates is None else candidates[k])
        if start is not None:
            proba[start:] = 0.0


def kept_twins(lines: list[str], proba: np.ndarray, threshold: float, twins=None) -> list[int]:
    """The kept lines that are a truncated twin of another kept line of the page (a
    related-headline link to the article's own title, a teaser of its first
    paragraph): its text again, cut short. ``twins``: per line, is it a truncated twin
    of some line (the features' ``is_truncated_twin``), if known."""
    kept = np.flatnonzero(np.asarray(proba) >= threshold)
    candidates = kept if twins is None else kept[np.asarray(twins)[kept]]
    out = []
    for k in candidates.tolist():
        stem = twin_stem(lines[k])
        if stem is None:
            continue
        for j in kept.tolist():
            text = lines[j].strip()
            if j != k and len(text) > len(stem) and text.startswith(stem) and twin_stem(text) != stem:
                out.append(k)
                break
    return out


def drop_kept_twins(pages: list[list[str]], probas: list[np.ndarray], threshold: float, twins=None) -> None:
    """Set P(content) to 0, in place, on each page's :func:`kept_twins`; ``twins``: per
    page, as kept_twins takes it, or None."""
    for k, (lines, proba) in enumerate(zip(pages, probas)):
        found = kept_twins(lines, proba, threshold, None if twins is None else twins[k])
        if found:
            proba[found] = 0.0


# A copy is a run of at least REPEAT_MIN_RUN lines of at least REPEAT_MIN_CHARS
# characters each (blank and shorter lines between them do not break the run) whose
# texts follow an earlier such run's, one for one. Cross-validated by site on daniel,
# Polish 0.890 -> 0.906 before the comment headings of the same day caught most of
# those copies (now +0.000; Russian +0.0005); other sets within 0.002 but for
# readability's test pages, whose made-up articles repeat paragraphs
# (docs/experiments.md, 2026-12-06). At most REPEAT_MAX_EARLIER earlier lines of the
# same text are tried as a copy's start.
REPEAT_MIN_CHARS = 50
REPEAT_MIN_RUN = 2
REPEAT_MAX_EARLIER = 8


def repeated_copies(lines: list[str], proba: np.ndarray) -> list[np.ndarray]:
    """Line indices of each copy of a run of long lines that repeats an earlier run of
    the page (see REPEAT_MIN_RUN): of two copies, the one with the lower mean P(content)
    (the later one on a tie)."""
    longs = [k for k, line in enumerate(lines) if len(line) >= REPEAT_MIN_CHARS]
    # A copy may differ in its spaces: a no-break space in one, a space in the other.
    texts = [lines[k].replace("\xa0", " ").strip() for k in longs]
    if len(set(texts)) == len(texts):
        return []
    texts = [t if len(t) >= REPEAT_MIN_CHARS else None for t in texts]
    seen: dict[str, list[int]] = {}
    dropped = np.zeros(len(longs), dtype=bool)
    out = []
    j = 0
    while j < len(longs):
        best_start, best_len = -1, 0
        # The latest few earlier lines of the same text only: a line repeated all
        # over a page (a separator between items) must not make the search quadratic.
        for i in seen.get(texts[j], [])[-REPEAT_MAX_EARLIER:] if texts[j] is not None else ():
            if dropped[i]:
                continue
            n = 0
            while j + n < len(longs) and i + n < j and texts[i + n] is not None and texts[i + n] == texts[j + n]:
                n += 1
            if n > best_len:
                best_start, best_len = i, n
        if best_len >= REPEAT_MIN_RUN:
            first = np.array(longs[best_start : best_start + best_len])
            second = np.array(longs[j : j + best_len])
            if proba[second].mean() <= proba[first].mean():
                dropped[j : j + best_len] = True
                out.append(second)
            else:
                dropped[best_start : best_start + best_len] = True
                out.append(first)
            for n in range(j, j + best_len):
                seen.setdefault(texts[n], []).append(n)
            j += best_len
        else:
            if texts[j] is not None:
                seen.setdefault(texts[j], []).append(j)
            j += 1
    return out


def drop_repeated_copies(pages: list[list[str]], probas: list[np.ndarray]) -> None:
    """Set P(content) to 0, in place, on each page's repeated copies of runs of long
    lines (:func:`repeated_copies`)."""
    for lines, proba in zip(pages, probas):
        for copy in repeated_copies(lines, proba):
            proba[copy] = 0.0


# A headline sits at most this many non-blank lines above the first kept line (a
# dateline, a byline, a photo and its credit may come between) ...
HEADLINE_REACH = 6
# ... and the passes give it at least this probability. Cross-validated by site on
# daniel (five folds) 0.9106 -> 0.9136, every language up; all held-out pages 0.8612
# -> 0.8625 (daniel's 0.946 -> 0.951, dragnet +0.003; sets whose gold leaves the
# headline out lose up to 0.002); 64% of the lines it raises are labeled content
# (docs/experiments.md, 2026-12-06).
HEADLINE_MIN_PROBA = 0.15
HEADLINE_MIN_WORDS, HEADLINE_MAX_WORDS = 3, 25
HEADLINE_MIN_CJK, HEADLINE_MAX_CJK = 5, 60
# A headline has none of these line features (a date, a time, a photo credit, a
# byline, a widget phrase, an address, a copyright): the predictions read them from
# the rows the line scan filled, title_like from line_features.
HEADLINE_FREE_COLUMNS = np.array(
    [
        FEATURE_INDEX[name]
        for name in ("has_date", "has_time", "has_relative_time", "has_caption_cue", "has_byline")
        + ("n_boiler_phrases", "has_url", "has_email", "has_copyright")
    ]
)


def title_shaped(line: str) -> bool:
    """A few words (or CJK characters), no sentence or list end, no separator bar."""
    text = line.strip()
    if not text or len(text) > 200 or text[-1] in ".:;,|»›>。：；，" or "|" in text:
        return False
    cjk = len(CJK.findall(text))
    if cjk >= HEADLINE_MIN_CJK:
        return cjk <= HEADLINE_MAX_CJK and CJK_DATE.search(text) is None
    return HEADLINE_MIN_WORDS <= len(text.split()) <= HEADLINE_MAX_WORDS


def title_like(line: str) -> bool:
    """Could the line be a headline: :func:`title_shaped`, and none of the features
    HEADLINE_FREE_COLUMNS name (no date, time, byline, credit, copyright, widget
    phrase or address)?"""
    return title_shaped(line) and not np.asarray(line_features(line))[HEADLINE_FREE_COLUMNS].any()


def _title_at(lines: list[str], k: int, free=None) -> bool:
    """Is line k :func:`title_like`? ``free`` (per line: free of HEADLINE_FREE_COLUMNS'
    patterns, from feature rows already computed) spares computing its features."""
    return title_like(lines[k]) if free is None else bool(free[k]) and title_shaped(lines[k])


def headline_above(lines: list[str], proba: np.ndarray, threshold: float, free=None) -> int | None:
    """The index of the line to keep as the page's headline, or ``None``: the
    likeliest :func:`title_like` line among the HEADLINE_REACH non-blank lines above
    the first line with P(content) at least ``threshold``, when that line is not
    title-like itself (the headline is kept already, or there is none to find).
    ``free`` (optional): per line, are its HEADLINE_FREE_COLUMNS all 0 (from feature
    rows already computed; else title_like computes them)?"""
    kept = np.flatnonzero(proba >= threshold)
    if not len(kept):
        return None
    if _title_at(lines, int(kept[0]), free):
        return None
    best, seen = None, 0
    for k in range(int(kept[0]) - 1, -1, -1):
        if not lines[k].strip():
            continue
        if proba[k] >= HEADLINE_MIN_PROBA and (best is None or proba[k] > proba[best]) and _title_at(lines, k, free):
            best = k
        seen += 1
        if seen == HEADLINE_REACH:
            break
    return best


# The headline also shares words with the article's first paragraphs, which a menu
# item, a rubric or another story's title does not: above the article's start (the
# first kept line of HEADLINE_LEAD_CHARS characters or more, a third as many when it
# holds CJK text), among HEADLINE_WORDS_REACH non-blank lines, and when no title-like
# line there is kept, the title-like line sharing the largest share of its words with
# the first HEADLINE_LEAD_LINES such lines is kept, given at least
# HEADLINE_MIN_SHARED words and HEADLINE_MIN_SHARE of its own, whatever its
# probability. Words: the first 6 letters of words of 4 letters or more, and pairs of
# adjacent CJK characters. Cross-validated by site on daniel, +0.001 to +0.003 in every
# language (Russian 0.897 -> 0.900); the other sets within 0.001, but for
# cleanportaleval +0.003 and sets whose gold leaves the headline out
# (docs/experiments.md, 2026-12-07).
HEADLINE_WORDS_REACH = 12
HEADLINE_LEAD_CHARS = 80
HEADLINE_LEAD_LINES = 3
HEADLINE_MIN_SHARED = 2
HEADLINE_MIN_SHARE = 0.3


_CJK_RUN = re.compile(CJK.pattern + "{2,}")
_LONG_WORD = re.compile(r"[^\W\d_" + CJK.pattern[1:-1] + "]{4,}")  # 4+ letters, none CJK


def headline_words(text: str) -> set[str]:
    """The words a headline and its article's lead are compared by (see above)."""
    out = {w[:6].lower() for w in _LONG_WORD.findall(text)}
    for run in _CJK_RUN.findall(text):
        out.update(run[i : i + 2] for i in range(len(run) - 1))
    return out


def _is_lead(line: str) -> bool:
    text = line.strip()
    if len(text) >= HEADLINE_LEAD_CHARS or len(text) < HEADLINE_LEAD_CHARS // 3:
        return len(text) >= HEADLINE_LEAD_CHARS
    return CJK.search(text) is not None


def headline_by_words(lines: list[str], proba: np.ndarray, threshold: float, free=None) -> int | None:
    """The index of the line to keep as the page's headline by the words it shares with
    the article's first paragraphs (see HEADLINE_WORDS_REACH), or ``None``. ``free``
    as :func:`headline_above` takes it."""
    leads = []
    for k in np.flatnonzero(proba >= threshold).tolist():
        if _is_lead(lines[k]):
            leads.append(k)
            if len(leads) == HEADLINE_LEAD_LINES:
                break
    if not leads:
        return None
    candidates, seen = [], 0
    for k in range(leads[0] - 1, -1, -1):
        if not lines[k].strip():
            continue
        seen += 1
        if seen > HEADLINE_WORDS_REACH:
            break
        if _title_at(lines, k, free):
            if proba[k] >= threshold:
                return None  # a title above the article is kept already
            candidates.append(k)
    if not candidates:
        return None
    lead_words = headline_words(" ".join(lines[j] for j in leads))
    best, best_share = None, 0.0
    for k in candidates:
        words = headline_words(lines[k])
        shared = len(words & lead_words)
        share = shared / len(words) if words else 0.0
        if shared >= HEADLINE_MIN_SHARED and share >= HEADLINE_MIN_SHARE and share > best_share:
            best, best_share = k, share
    return best


def lift_headlines(pages: list[list[str]], probas: list[np.ndarray], threshold: float, free=None) -> None:
    """Raise, in place, each page's :func:`headline_above` line to ``threshold``, and
    then its :func:`headline_by_words` line. ``free``: per page, as headline_above
    takes it, or None."""
    for k, (lines, proba) in enumerate(zip(pages, probas)):
        page_free = None if free is None else free[k]
        for find in (headline_above, headline_by_words):
            line = find(lines, proba, threshold, page_free)
            if line is not None:
                proba[line] = max(proba[line], threshold)


# Chinese and Japanese prose runs without spaces and ends its sentences with "。". A
# long line of many short pieces between spaces, with no "。", is a run of headlines
# or a menu that a layout joined into one line ("頭條最新： 新政局／職務異動否？ 劉憶如：
# 沒概念 立法院副院長 ..."): boilerplate, however long. The line holds at least
# RUN_MIN_CHARS characters, at least RUN_MIN_PIECES pieces of RUN_MAX_PIECE characters
# on average, and Han or kana characters make RUN_MIN_HAN of its other characters
# (Korean separates words by spaces: Hangul does not count).
RUN_MIN_CHARS = 150
RUN_MIN_PIECES = 8
RUN_MAX_PIECE = 16
RUN_MIN_HAN = 0.6
# The line scan's share of CJK characters (spaces counted) a candidate line has at least.
RUN_MIN_CJK_SHARE = 0.4
# A line is judged by its first RUN_SAMPLE_CHARS characters (a hostile 20 MB line costs
# no more than a long one).
RUN_SAMPLE_CHARS = 20_000


def is_headline_run(text: str) -> bool:
    """Is the (stripped) line a run of Chinese or Japanese headlines or menu items
    joined by spaces (see RUN_MIN_CHARS and the constants after it)?"""
    if len(text) < RUN_MIN_CHARS:
        return False
    text = text[:RUN_SAMPLE_CHARS]
    if "\u3002" in text:
        return False
    pieces = text.split()
    if len(pieces) < RUN_MIN_PIECES or sum(map(len, pieces)) > RUN_MAX_PIECE * len(pieces):
        return False
    return len(HAN_KANA.findall(text)) >= RUN_MIN_HAN * sum(map(len, pieces))


def drop_headline_runs(pages: list[list[str]], probas: list[np.ndarray], candidates=None) -> None:
    """Set P(content) to 0, in place, on each page's lines that are runs of headlines
    (:func:`is_headline_run`). ``candidates``: per page, the indices of the lines that
    may be (long, with CJK characters), if known; else every line is tried."""
    for k, (lines, proba) in enumerate(zip(pages, probas)):
        tried = range(len(lines)) if candidates is None else candidates[k]
        for j in tried:
            if proba[j] > 0 and is_headline_run(lines[j].strip()):
                proba[j] = 0.0


# A page whose text comes as one huge line (a scraper that runs the page's text nodes
# together, e.g. BeautifulSoup's get_text() of minified HTML) cannot be cut line by
# line: that line holds the article with the menus around it, and the forests, which
# never saw such a line in training, give it a low probability. Dropping it loses the
# whole article, so a line holding at least WHOLE_PAGE_SHARE of the page's characters,
# and at least WHOLE_PAGE_MIN_CHARS of them, is raised to the threshold when it reads
# as prose: mostly letters (WHOLE_PAGE_MIN_LETTERS), next to no code characters
# (WHOLE_PAGE_MAX_CODE: a script's or a style sheet's text, which some scrapers keep,
# is not an article), and sentence ends (WHOLE_PAGE_MIN_ENDS per 1,000 characters: a
# full stop, or "!" or "?" before a space; a run-together menu has none, nor has a
# list of Chinese headlines, whose "！" and "？" end headlines, not sentences).
WHOLE_PAGE_SHARE = 0.6
WHOLE_PAGE_MIN_CHARS = 2000
WHOLE_PAGE_MIN_LETTERS = 0.6
WHOLE_PAGE_MAX_CODE = 0.03
WHOLE_PAGE_MIN_ENDS = 1.5
# ... read from the line's first WHOLE_PAGE_SAMPLE_CHARS characters.
WHOLE_PAGE_SAMPLE_CHARS = 100_000
_CODE_CHARS = re.compile(r'[{}\[\]();=<>"\\/|_]')
_SENTENCE_END = re.compile(r"[.!?](?:\s|$)|\u3002")


def reads_as_prose(text: str) -> bool:
    """Does a long stretch of text read as prose (see WHOLE_PAGE_MIN_LETTERS and the
    constants after it) rather than as code or a menu? Only its first
    WHOLE_PAGE_SAMPLE_CHARS characters are read."""
    text = text[:WHOLE_PAGE_SAMPLE_CHARS]
    n = len(text)
    if not n:
        return False
    letters = sum(map(str.isalpha, text))
    return (
        letters >= WHOLE_PAGE_MIN_LETTERS * n
        and len(_CODE_CHARS.findall(text)) <= WHOLE_PAGE_MAX_CODE * n
        and len(_SENTENCE_END.findall(text)) * 1000 >= WHOLE_PAGE_MIN_ENDS * n
    )


def lift_whole_page_lines(
    pages: list[list[str]], probas: list[np.ndarray], threshold: float, lengths: list[np.ndarray]
) -> None:
    """Raise, in place, each page's line that holds most of its text (see
    WHOLE_PAGE_SHARE) to ``threshold`` when it reads as prose. ``lengths``: per page,
    each line's length stripped (0 for blank lines)."""
    for lines, proba, length in zip(pages, probas, lengths):
        if not len(length):
            continue
        k = int(np.argmax(length))
        longest = int(length[k])
        if (
            longest >= WHOLE_PAGE_MIN_CHARS
            and longest >= WHOLE_PAGE_SHARE * int(length.sum())
            and 0 < proba[k] < threshold
            and reads_as_prose(lines[k].strip())
        ):
            proba[k] = threshold
