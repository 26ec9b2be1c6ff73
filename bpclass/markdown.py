"""Pages whose lines are Markdown, read as the plain text they show.

Many scrapers give a page as Markdown (html2text, markdownify, and the crawlers
that feed language models): ``* [Home](/)``, ``## Subhead``, ``**bold**``,
``| cell | cell |``. The features describe plain text lines, as a browser shows
them, so the syntax would read as noise: a link's address as words, a bullet as
punctuation. Before the features are computed, each line of a page that looks like
Markdown is replaced by the text it shows, one line for one line, so that labels
and probabilities stay in step with the user's lines (and the user's lines are what
:func:`bpclass.clean` returns, syntax and all).

- a link ``[text](address)`` or ``[text][ref]`` shows its text; an image
  ``![alt](address)`` shows nothing (a line that shows nothing at all is read as a
  lone separator, :data:`NOTHING_SHOWN`: no line turns blank, so labels stay on the
  lines they name);
- heading marks (``## ``), list marks (``* ``, ``- ``, ``1. ``) and quote marks
  (``> ``) at the start of a line go; so do emphasis marks (``**``, ``__``, ``~~``,
  and single ``*`` or ``_`` around words) and backslash escapes;
- a table row ``| a | b |`` shows its cells apart; a table's rule row, a
  horizontal rule, a code fence and a setext underline show nothing.

A page counts as Markdown when at least :data:`MIN_SIGNS` of its lines start (after
their indentation) with one of :data:`MARKDOWN_STARTS` and it holds at least as many
signs of Markdown (links and images with their address, headings, bold spans). The
first test comes free with the features' line scan, so other pages cost nothing.
"""

from __future__ import annotations

import re

# What a non-blank line that shows nothing (an image, a rule) is read as: a mark alone,
# as a separator between blocks reads.
NOTHING_SHOWN = "·"
# How many signs of Markdown (links, images, heading lines, bold spans) make a page Markdown.
MIN_SIGNS = 3
# The first characters of Markdown's lines of links, images, headings, lists and tables.
MARKDOWN_STARTS = "#[!*|"
_STARTS = frozenset(MARKDOWN_STARTS)

# Signs of Markdown, each starting with a literal (the regex engine then skips ahead to it).
_LINK_SIGN = re.compile(r"\[[^\]\n]*\]\([^()\s]*(?:\s+\"[^\"\n]*\")?\)")  # a link or an image, with its address
_BOLD_SIGN = re.compile(r"\*\*[^*\s](?:[^*\n]*[^*\s])?\*\*")
_HEADING_SIGN = re.compile(r"#{1,6}[ \t]+\S")
# What a line shows: images go, links keep their text ([text](address), [text][ref]).
_IMAGE = re.compile(r"!\[[^\]\n]*\]\([^)\n]*\)|!\[[^\]\n]*\]\[[^\]\n]*\]")
_LINK = re.compile(r"\[([^\]\n]*)\]\((?:[^()\n]|\([^()\n]*\))*\)|\[([^\]\n]+)\]\[[^\]\n]*\]")

# Lines that show nothing: a reference's address, a rule, a fence, a setext
# underline, a table's rule row.
_REFERENCE = re.compile(r"^ {0,3}\[[^\]\n]+\]:\s*\S+.*$")
_RULE = re.compile(r"^ {0,3}(?:(?:[-*_] *){3,}|=+|`{3,}.*|~{3,}.*)$")
_TABLE_RULE = re.compile(r"^ *\|?(?: *:?-{2,}:? *\|)+ *:?-*:? *\|? *$")

# Marks that go: a heading's hashes (and closing ones), list and quote marks at the
# start, emphasis around words.
# (A closing run is tried from the start of a run of blanks only: from every blank of
# a long run, the search went quadratic.)
_HEADING = re.compile(r"^ {0,3}#{1,6}(?:[ \t]+|$)|(?<![ \t])[ \t]+#+[ \t]*$")
_MARK = re.compile(r"^ *(?:> ?)*(?:[*+-]|\d{1,9}[.)])[ \t]+|^ *(?:> ?)+")
_STRONG = re.compile(r"\*\*|__|~~")
_EMPHASIS = re.compile(r"(?<![\w*])[*_](?=\S)([^*_\n]*?\S)[*_](?![\w*])")
# A backslash escape: the character is text.
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>~])")


def is_markdown(page: list[str]) -> bool:
    """Whether a page's lines look like Markdown (see the module's docstring)."""
    if sum(1 for line in page if line.lstrip()[:1] in _STARTS) < MIN_SIGNS:
        return False
    return holds_markdown(page)


def holds_markdown(page: list[str]) -> bool:
    """Whether a page holds :data:`MIN_SIGNS` signs of Markdown (the second test of
    :func:`is_markdown`)."""
    text = "\n".join(page)
    signs = len(_LINK_SIGN.findall(text)) if "](" in text else 0
    if signs < MIN_SIGNS and "**" in text:
        signs += len(_BOLD_SIGN.findall(text))
    if signs < MIN_SIGNS and ("\n#" in text or text[:1] == "#"):
        signs += sum(1 for line in page if line[:1] == "#" and _HEADING_SIGN.match(line))
    return signs >= MIN_SIGNS


def shown_text(line: str) -> str:
    """The plain text a Markdown line shows (see the module's docstring). Each pattern
    is tried only on a line that holds the characters it needs (most lines hold few:
    five times faster, the same text)."""
    if not line.strip():
        return line
    if line.lstrip(" ")[:1] in _SHOWS_NOTHING_FIRST and (
        _RULE.match(line) or _TABLE_RULE.match(line) or _REFERENCE.match(line)
    ):
        return ""
    escaped = "\\" in line
    text = _ESCAPE.sub(_hide, line) if escaped else line  # escaped marks are text, not marks
    if "[" in text:
        if "![" in text:
            text = _IMAGE.sub("", text)
        text = _LINK.sub(lambda m: m.group(1) if m.group(1) is not None else m.group(2), text)
    if "|" in text and (text.lstrip().startswith("|") or text.count("|") >= 2 and text.rstrip().endswith("|")):
        text = "\t".join(cell.strip() for cell in text.strip().strip("|").split("|") if cell.strip())
    if "#" in text:
        text = _HEADING.sub("", text)
    first = text.lstrip(" ")[:1]
    if first in _MARK_FIRST or first.isdigit():
        text = _MARK.sub("", text)
    if "**" in text or "__" in text or "~~" in text:
        text = _STRONG.sub("", text)
    if "*" in text or "_" in text:
        text = _EMPHASIS.sub(r"\1", text)
    return _HIDDEN.sub(_unhide, text) if escaped else text


# The first characters (after spaces) of a line _RULE, _TABLE_RULE or _REFERENCE may
# match, and of one _MARK may (or a digit).
_SHOWS_NOTHING_FIRST = frozenset("-*_=`~|:[")
_MARK_FIRST = frozenset("*+->")


# An escaped character is hidden as a code point of a private-use plane while the marks go.
_HIDE_BASE = 0xF0000
_HIDDEN = re.compile("[\U000f0000-\U000f007f]")


def _hide(match: re.Match) -> str:
    return chr(_HIDE_BASE + ord(match.group(1)))


def _unhide(match: re.Match) -> str:
    return chr(ord(match.group(0)) - _HIDE_BASE)


def plain_lines(page: list[str]) -> list[str]:
    """The text each line of a Markdown page shows (one line for one line). A line
    that shows nothing (an image, a rule) is read as :data:`NOTHING_SHOWN`: a
    non-blank line stays non-blank, so that the lines the features score are the
    ones the labels name."""
    out = []
    for line in page:
        shown = shown_text(line) if line else line
        out.append(shown if shown.strip() or not line.strip() else NOTHING_SHOWN)
    return out


def plain_page(page: list[str]) -> list[str]:
    """:func:`plain_lines` of a page that is Markdown; any other page as it is."""
    return plain_lines(page) if is_markdown(page) else page
