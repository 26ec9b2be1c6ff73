"""Lay out an HTML page as text lines, roughly as a browser's ``innerText`` does.

Our users do not have HTML: they have what a scraper or ``innerText`` gives, one
block per line. To train on the public HTML data sets we render them the same way:

* ``script``, ``style``, ``head`` and other non-rendered elements are dropped, as
  are elements hidden with the ``hidden`` attribute or an inline ``display:none``;
* block elements (``div``, ``li``, ``h1`` ...) start and end a line, ``<p>`` and
  headings add a blank line around themselves, ``<br>`` breaks a line;
* table cells in one row are joined by a tab, each row is a line;
* whitespace inside a line collapses to one space, except inside ``<pre>``.

The walk is iterative, so deeply nested pages do not hit Python's recursion limit.
"""

from __future__ import annotations

import re

import lxml.html
from lxml import etree

SKIP_TAGS = frozenset(
    "script style noscript template head title meta link svg math iframe object "
    "embed canvas audio video source track datalist input map area param img".split()
)
BLOCK_TAGS = frozenset(
    "address article aside blockquote body center dd details dialog dir div dl dt "
    "fieldset figcaption figure footer form h1 h2 h3 h4 h5 h6 header hgroup hr html "
    "legend li main menu nav ol pre section summary table tbody thead tfoot tr ul "
    "caption".split()
)
# innerText sets only <p> apart with a blank line; headings and <pre> are blocks.
PARAGRAPH_TAGS = frozenset(("p",))
CELL_TAGS = frozenset(("td", "th"))

_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_SPACES = re.compile(r"[ \t\n\r\f\v]+")
_CELL_GAP = re.compile(r"[ \t]*\t[ \t]*")

_LINE = "line"  # a required line break
_PARA = "para"  # a required blank line


def _is_hidden(element) -> bool:
    if element.get("hidden") is not None:
        return True
    style = element.get("style")
    return bool(style and _HIDDEN_STYLE.search(style))


# huge_tree lifts libxml2's default nesting limit (256, past which it silently drops
# text) to its hard limit of about 2048 levels.
_PARSER = lxml.html.HTMLParser(huge_tree=True)


def _parse(html: str):
    if not html or not html.strip():
        return None
    try:
        return lxml.html.document_fromstring(html, parser=_PARSER)
    except (etree.ParserError, ValueError):
        # lxml refuses str input that carries an XML encoding declaration.
        try:
            return lxml.html.document_fromstring(html.encode("utf-8", "replace"), parser=_PARSER)
        except (etree.ParserError, ValueError):
            return None


def _pieces(root):
    """Yield text pieces and break markers in document order."""
    pre_depth = 0
    stack = [(root, False)]
    while stack:
        element, closing = stack.pop()
        tag = element.tag if isinstance(element.tag, str) else None
        tag = tag.lower() if tag else None
        if closing:
            if tag == "pre":
                pre_depth -= 1
            if tag in PARAGRAPH_TAGS:
                yield _PARA
            elif tag in BLOCK_TAGS:
                yield _LINE
            elif tag in CELL_TAGS:
                yield "\t"
            if element.tail:
                yield (element.tail, pre_depth > 0)
            continue
        if tag is None or tag in SKIP_TAGS or _is_hidden(element):
            # Comments, processing instructions and non-rendered elements:
            # only the text after them belongs to the page.
            if element.tail:
                yield (element.tail, pre_depth > 0)
            continue
        if tag == "br":
            yield "\n"
            if element.tail:
                yield (element.tail, pre_depth > 0)
            continue
        if tag in PARAGRAPH_TAGS:
            yield _PARA
        elif tag in BLOCK_TAGS:
            yield _LINE
        if tag == "pre":
            pre_depth += 1
        if element.text:
            yield (element.text, pre_depth > 0)
        stack.append((element, True))
        stack.extend((child, False) for child in reversed(element))


def html_to_lines(html: str) -> list[str]:
    """Return the page's visible text as lines; blank lines separate paragraphs.

    Parameters
    ----------
    html : str
        The page's HTML.

    Returns
    -------
    list of str
        One block per line, no leading or trailing blank lines, at most one blank
        line in a row. An empty or unparsable page gives ``[]``.
    """
    root = _parse(html)
    if root is None:
        return []
    lines: list[str] = []
    current: list[str] = []
    pending = None  # the strongest break requested since the last text

    def flush():
        text = "".join(current).strip(" ")
        current.clear()
        return text

    for piece in _pieces(root):
        if piece in (_LINE, _PARA):
            if pending != _PARA:
                pending = piece
            continue
        if piece == "\n":
            lines.append(flush())
            continue
        if piece == "\t":
            current.append("\t")
            continue
        text, in_pre = piece
        if in_pre:
            parts = text.split("\n")
        else:
            parts = [_SPACES.sub(" ", text)]
            if parts[0] == " " and (not current or current[-1].endswith((" ", "\t"))):
                continue
        if pending is not None:
            line = flush()
            if line or lines:
                lines.append(line)
                if pending == _PARA:
                    lines.append("")
            pending = None
        if in_pre:
            current.append(parts[0])
            for part in parts[1:]:
                lines.append(flush())
                current.append(part)
        else:
            if current and current[-1].endswith((" ", "\t")):
                parts[0] = parts[0].lstrip(" ")
            current.append(parts[0])
    lines.append(flush())
    return _tidy(lines)


def _tidy(lines: list[str]) -> list[str]:
    """Strip each line, drop leading/trailing blanks and repeated blank lines."""
    out: list[str] = []
    for line in lines:
        line = line.strip()
        if "\t" in line:
            line = _CELL_GAP.sub("\t", line).strip("\t ")
        if not line and (not out or not out[-1]):
            continue
        out.append(line)
    while out and not out[-1]:
        out.pop()
    return out
