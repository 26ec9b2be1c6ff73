"""Read HTML: lay a page out as text lines, the way a browser's ``innerText`` does.

bpclass's model reads text lines, one block per line. A page's HTML becomes such
lines here, with the rules the training pages were laid out by:

* ``script``, ``style``, ``head``, ``template``, media and inputs are not text;
  nor are elements hidden with the ``hidden`` attribute or an inline
  ``display:none`` or ``visibility:hidden`` (style sheets are not read);
* block elements (``div``, ``li``, ``h1`` ...) start and end a line, ``<p>`` adds a
  blank line around itself, ``<br>`` breaks a line;
* the cells of a table row are joined by a tab, each row is a line;
* whitespace inside a line collapses to one space, except inside ``<pre>``.

The parser is lexbor (through ``selectolax``), which builds the tree a browser
builds, from any markup, and does not expand entities beyond HTML's own. Bytes are
decoded as UTF-8 when they are valid UTF-8, else with the charset the page declares
or, failing that, the one ``charset-normalizer`` detects.

Limits, so that no page can hang or exhaust a run: a page of more than
``MAX_HTML_CHARS`` characters is cut to its first ``MAX_HTML_CHARS`` (what follows is
not read); elements nested deeper than ``MAX_DEPTH`` lose their tags, not their text;
the walk is iterative. Lone surrogates in a ``str`` page are dropped.
"""

from __future__ import annotations

import re
from typing import NamedTuple

# Pages larger than this (in characters) are cut: the rest is not laid out. News and
# web pages are 30-300 KB; 8 MB is a page of about 4 million words.
MAX_HTML_CHARS = 8_000_000
# A page that is not UTF-8 has its charset detected from its first this many bytes.
DETECT_BYTES = 1 << 20

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
# Elements a tag-by-tag count of nesting leaves out: void elements, and those the
# parser closes by itself when the next one opens.
_NOT_NESTING = frozenset(
    "area base br col embed hr img input link meta param source track wbr p li dt dd td th tr option".split()
)
# The HTML standard's tree building looks down the stack of open elements for many
# tags, so its time grows with the square of the nesting depth (50,000 nested <div>
# take seconds). A page with more than FLATTEN_ABOVE_TAGS tags is checked, and its
# elements nested deeper than MAX_DEPTH lose their tags (their text stays), as
# Chromium's parser flattens what lies deeper than 512 levels.
MAX_DEPTH = 2_000
FLATTEN_ABOVE_TAGS = 20_000
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9:-]*)[^>]*>")
# innerText sets only <p> apart with a blank line; headings and <pre> are blocks.
PARAGRAPH_TAGS = frozenset(("p",))
CELL_TAGS = frozenset(("td", "th"))

_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_SPACE_CHARS = " \t\n\r\f\v"
_SPACES = re.compile(r"[ \t\n\r\f\v]+")
_CELL_GAP = re.compile(r"[ \t]*\t[ \t]*")
_LINE = "line"  # a required line break
_PARA = "para"  # a required blank line
# What an HTML page starts with (after a byte-order mark, spaces and comments).
_HTML_START = re.compile(
    r"\A(?:\ufeff)?\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|meta|title|div|p|table|script)\b",
    re.I | re.S,
)


def looks_like_html(text: str) -> bool:
    """Whether a page's text is HTML: it starts with a doctype or an HTML tag such as
    ``<html>``, ``<head>``, ``<body>``, ``<meta>``, ``<div>`` or ``<p>`` (spaces and
    comments before it are allowed). Text lines that merely hold a ``<`` are not."""
    return bool(_HTML_START.match(text[:4096]))


def decode_html(data: bytes) -> str:
    """The text of an HTML page's bytes: UTF-8 when they are valid UTF-8 (most of the
    web), else the charset a byte-order mark or the page declares, else the one
    ``charset-normalizer`` detects; bytes invalid in it become U+FFFD."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(f"decode_html() takes bytes; got {type(data).__name__}.")
    data = bytes(data)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes  # only pages that are not UTF-8 need it

    best = from_bytes(data[:DETECT_BYTES], preemptive_behaviour=True).best()
    encoding = best.encoding if best is not None else "utf-8"
    return data.decode(encoding, errors="replace")


def _as_text(html) -> str:
    if isinstance(html, (bytes, bytearray, memoryview)):
        return decode_html(html)
    if not isinstance(html, str):
        raise TypeError(f"html must be a str or bytes; got {type(html).__name__}.")
    return html


def _flattened(html: str) -> str:
    """The page with the tags nested deeper than MAX_DEPTH removed (text kept)."""
    if html.count("<") <= FLATTEN_ABOVE_TAGS:
        return html  # too few tags to nest deep enough to matter
    depth = 0

    def keep_or_drop(match: re.Match) -> str:
        nonlocal depth
        if match.group(2).lower() in _NOT_NESTING or match.group(0).endswith("/>"):
            return match.group(0)
        if match.group(1):  # a closing tag
            depth = max(depth - 1, 0)
            return match.group(0) if depth < MAX_DEPTH else ""
        depth += 1
        return match.group(0) if depth <= MAX_DEPTH else ""

    return _TAG.sub(keep_or_drop, html)


def parsed_tree(html):
    """The whole parsed document (str or bytes; scripts and hidden elements too), or
    None for an empty page; the page is cut to MAX_HTML_CHARS and nested at most
    MAX_DEPTH deep."""
    from selectolax.lexbor import LexborDocumentOptions, LexborHTMLParser

    html = _as_text(html)[:MAX_HTML_CHARS]
    if not html.strip():
        return None
    html = _flattened(html)
    # Without DOM mutation events: with them, a <select> of many <option>s takes
    # time in the square of their number (30,000: 4 s), and what they mirror is
    # text the page already holds.
    return LexborHTMLParser(html, options=LexborDocumentOptions.WO_EVENTS)


def _parse(html: str, on_tree=None):
    """The document's root element without what a browser does not show, or None for
    an empty page (see :func:`parsed_tree`). ``on_tree`` (optional) is called with the
    whole parsed document (None for an empty page) before anything is taken out of it:
    a caller that reads the page's markup too parses it once (bpclass.pagetype)."""
    tree = parsed_tree(html)
    if on_tree is not None:
        on_tree(tree)
    root = tree.root if tree is not None else None
    if root is None:
        return None
    tree.strip_tags(list(SKIP_TAGS))
    for node in root.css("[hidden], [style]"):
        attrs = node.attributes
        if "hidden" in attrs or _HIDDEN_STYLE.search(attrs.get("style") or ""):
            node.decompose()
    return root


def _close(tag: str, depth: list[int]):
    """The break an element asks for where it ends (None for inline elements)."""
    if tag == "pre":
        depth[0] -= 1
    if tag in PARAGRAPH_TAGS:
        return _PARA
    if tag in BLOCK_TAGS:
        return _LINE
    if tag in CELL_TAGS:
        return "\t"
    return None


# Elements that give their lines a kind for Markdown output (html_blocks): headings,
# list items (in an ordered list or not), quotes and preformatted text.
KIND_TAGS = frozenset(("h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre"))
LIST_TAGS = frozenset(("ul", "ol", "menu", "dir"))
_KIND_OR_LIST = KIND_TAGS | LIST_TAGS


# -- markup (html_markup): what the elements around a line say ------------------------
# The elements whose presence around a line the HTML model reads, one bit each
# (figcaption counts as figure, h2-h6 as one bit, button/select/label/option as
# "control").
ELEMENT_BITS = {
    tag: 1 << k
    for k, tag in enumerate(
        "a nav header footer aside form article main table li figure blockquote h1 hx p control time address".split()
    )
}
_ELEMENT_ALIASES = {
    "figcaption": "figure",
    "button": "control",
    "select": "control",
    "label": "control",
    "option": "control",
    "textarea": "control",
    **{f"h{k}": "hx" for k in range(2, 7)},
}
_TAG_BIT = {tag: ELEMENT_BITS[tag] for tag in ELEMENT_BITS} | {
    tag: ELEMENT_BITS[alias] for tag, alias in _ELEMENT_ALIASES.items()
}
ELEMENT_NAMES = tuple(ELEMENT_BITS)
# Groups of class and id words that name what a block is, one bit each: a token of an
# element's class or id (lower-cased, split at anything not a letter or digit) that
# is one of a group's words, or holds one of its stems, sets the group's bit.
CUE_GROUPS = {
    "nav": ("nav navbar navigation menu menubar breadcrumb breadcrumbs crumbs pagination pager", "nav menu crumb"),
    "header": ("header masthead topbar top branding logo", "header masthead"),
    "footer": ("footer foot copyright bottom", "footer copyright"),
    "side": ("sidebar side aside rail widget widgets column col", "sidebar widget"),
    "comment": ("comment comments disqus reply replies discussion respond", "comment disqus"),
    "related": (
        "related recommend recommended more popular trending teaser teasers most latest list also read next prev",
        "related recommend popular trending teaser",
    ),
    "share": ("share sharing social facebook twitter vk follow like print email", "share social"),
    "ad": (
        "ad ads advert advertisement banner sponsor sponsored promo dfp adsense partner",
        "advert banner sponsor promo",
    ),
    "meta": ("byline author date time meta published timestamp dateline info source", "byline author dateline"),
    "media": ("caption credit photo image img figure gallery media video thumb thumbnail", "caption gallery thumb"),
    "tag": ("tag tags category categories topic topics keywords rubric", "categor keyword"),
    "form": (
        "login search subscribe newsletter signup form cookie consent modal popup overlay hidden",
        "login search subscri newsletter cookie modal popup",
    ),
    "content": (
        "article content body post entry story text main detail news articlebody maincontent",
        "article content story",
    ),
    "title": ("title headline heading h1", "headline"),
}
CUE_NAMES = tuple(CUE_GROUPS)
_CUE_WORDS: dict[str, int] = {}
_STEM_BITS: dict[str, int] = {}
for _k, (_words, _stems) in enumerate(CUE_GROUPS.values()):
    for _word in _words.split():
        _CUE_WORDS[_word] = _CUE_WORDS.get(_word, 0) | 1 << _k
    for _stem in _stems.split():
        _STEM_BITS[_stem] = _STEM_BITS.get(_stem, 0) | 1 << _k
_CUE_STEM = re.compile("|".join(sorted(_STEM_BITS, key=len, reverse=True)))
_CUE_TOKEN = re.compile(r"[^a-z0-9]+")
_cue_cache: dict[str, int] = {}
CUE_CACHE_SIZE = 100_000


def _cue_bits(value: str) -> int:
    """The CUE_GROUPS bits of a class or id attribute's value."""
    bits = _cue_cache.get(value)
    if bits is None:
        bits = 0
        for token in _CUE_TOKEN.split(value.lower()):
            found = _CUE_WORDS.get(token)
            if found is not None:
                bits |= found
            elif len(token) > 3:
                for stem in _CUE_STEM.findall(token):
                    bits |= _STEM_BITS[stem]
        if len(_cue_cache) < CUE_CACHE_SIZE:
            _cue_cache[value] = bits
    return bits


# An open element as the layout sees it, a Frame: (element bits, cue bits, depth,
# node id, parent frame), the bits ORed with its ancestors'.
Frame = tuple


def _frame(node, tag: str, parent: Frame) -> Frame:
    cues = 0
    attributes = node.attributes
    if attributes:
        value = attributes.get("class")
        if value:
            cues = _cue_bits(value)
        value = attributes.get("id")
        if value:
            cues |= _cue_bits(value)
    return (parent[0] | _TAG_BIT.get(tag, 0), parent[1] | cues, parent[2] + 1, node.mem_id, parent)


def _add_markup(info: list, frame: Frame, text: str) -> None:
    """Count a piece of a line's text in the line's markup ``info[0]``."""
    line = info[0]
    if line is None:
        line = info[0] = [0, 0, 0, frame, 0]
    chars = len(text.strip())
    if frame[0] & 1:  # inside <a>
        line[0] += chars
    line[1] |= frame[0]
    line[2] |= frame[1]
    line[4] += chars


class LaidOut(NamedTuple):
    """A page laid out: its lines, each line's kind (:func:`html_blocks`), and with
    ``markup`` each line's markup (:func:`html_markup`), else None."""

    lines: list
    kinds: list
    markup: list | None


def lay_out(html, markup: bool = False, on_tree=None) -> LaidOut:
    """The page's lines and their kinds, and (``markup=True``) what the markup says
    about each line: :func:`html_blocks` and :func:`html_markup` in one. ``on_tree``
    (optional): called with the whole parsed document (scripts and hidden elements
    too; None for an empty page) before the layout takes anything out of it."""
    lines, kinds, infos = [], [], [] if markup else None
    paths: dict = {}  # node id -> the ids of it and its ancestors, outermost first
    for line, kind, info in _layout(html, markup, on_tree):
        lines.append(line)
        kinds.append(kind)
        if not markup:
            continue
        if info is None:
            infos.append(None)
            continue
        infos.append(
            {
                "link_chars": info[0],
                "chars": info[4],
                "elements": info[1],
                "cues": info[2],
                "depth": info[3][2],
                "path": _path(info[3], paths),
            }
        )
    return LaidOut(lines, kinds, infos)


def _path(frame: Frame, paths: dict) -> tuple:
    """The node ids of a frame's element and its ancestors, outermost first (the
    root's frame, of depth 0, left out); ``paths`` caches them by node id."""
    missing = []  # frames up to the nearest one whose path is known (no recursion: pages nest deep)
    while frame[2] > 0 and frame[3] not in paths:
        missing.append(frame)
        frame = frame[4]
    path = paths[frame[3]] if frame[2] > 0 else ()
    for frame in reversed(missing):
        path = paths[frame[3]] = (*path, frame[3])
    return path


def html_markup(html) -> tuple[list[str], list]:
    """:func:`html_lines`, with what the markup says about each line: a dict per line
    (``None`` for a blank one) of ``link_chars`` (its characters inside ``<a>``),
    ``chars``, ``elements`` and ``cues`` (bit sets of :data:`ELEMENT_NAMES` around it
    and of :data:`CUE_NAMES` in its ancestors' class and id), ``depth``, and
    ``path`` (ids of the elements around its first text, outermost first).

    Examples
    --------
    >>> lines, markup = html_markup("<nav><a href='/'>Home</a></nav><p>It rained.</p>")
    >>> lines, markup[0]["link_chars"], markup[2]["link_chars"]
    (['Home', '', 'It rained.'], 4, 0)
    """
    laid = lay_out(html, markup=True)
    return laid.lines, laid.markup


def _pieces(root, markup: bool = False):
    """Text pieces ``(text, inside <pre>, kind, frame)`` and break markers, in document
    order; a piece's kind is that of its innermost element of KIND_TAGS (``"ol"`` for
    an item of an ordered list, ``"quote"`` for a blockquote, ``""`` for none). With
    ``markup``, ``frame`` is its innermost element's :class:`Frame` (else None)."""
    pre = [0]
    open_elements: list[tuple[int, str]] = []  # (node id, tag), outermost first
    kinds: list[str] = [""]  # innermost last
    lists: list[str] = [""]
    frames: list = [(0, 0, 0, 0, None)] if markup else [None]

    for node in root.traverse(include_text=True):
        parent = node.parent.mem_id if node.parent is not None else None
        while open_elements and open_elements[-1][0] != parent:
            closed = open_elements.pop()[1]
            if markup:
                frames.pop()
            if closed in _KIND_OR_LIST:
                (kinds if closed in KIND_TAGS else lists).pop()
            mark = _close(closed, pre)
            if mark is not None:
                yield mark
        tag = node.tag
        if tag == "-text":
            yield (node.text_content, pre[0] > 0, kinds[-1], frames[-1])
            continue
        if not tag or tag[0] == "-":  # comments, doctype, processing instructions
            continue
        if tag == "br":
            yield "\n"
            continue
        if tag in PARAGRAPH_TAGS:
            yield _PARA
        elif tag in BLOCK_TAGS:
            yield _LINE
        if tag == "pre":
            pre[0] += 1
        if tag in _KIND_OR_LIST:
            if tag == "li":
                kinds.append("ol" if lists[-1] == "ol" else "li")
            elif tag in KIND_TAGS:
                kinds.append("quote" if tag == "blockquote" else tag)
            else:
                lists.append(tag)
        open_elements.append((node.mem_id, tag))
        if markup:
            frames.append(_frame(node, tag, frames[-1]))
    while open_elements:
        mark = _close(open_elements.pop()[1], pre)
        if mark is not None:
            yield mark


def html_lines(html) -> list[str]:
    """A page's visible text as lines, as a browser's ``innerText`` lays it out.

    Parameters
    ----------
    html : str or bytes
        The page's HTML; bytes are decoded as :func:`decode_html` says.

    Returns
    -------
    list of str
        One block per line, a blank line around paragraphs, no leading or trailing
        blank line and never two in a row. An empty page gives ``[]``; a page of more
        than ``MAX_HTML_CHARS`` characters is read up to there.

    Examples
    --------
    >>> html_lines("<nav>Home</nav><h1>Storm</h1><p>It rained.<br>A lot.</p>")
    ['Home', 'Storm', '', 'It rained.', 'A lot.']
    """
    return [line for line, _ in html_blocks(html)]


def html_blocks(html) -> list[tuple[str, str]]:
    """:func:`html_lines`, each line with its kind: ``"h1"`` to ``"h6"`` (a heading),
    ``"li"`` (a list item), ``"ol"`` (an item of an ordered list), ``"quote"`` (in a
    blockquote), ``"pre"`` (preformatted) or ``""``; a table row is a line with tabs
    between its cells. What :func:`markdown` needs to write the lines as Markdown.

    Examples
    --------
    >>> html_blocks("<h2>Storm</h2><ul><li>Rain</li></ul>")
    [('Storm', 'h2'), ('Rain', 'li')]
    """
    return [(line, kind) for line, kind, _ in _layout(html, markup=False)]


def _layout(html, markup: bool, on_tree=None) -> list[tuple]:
    """The page's lines as ``(text, kind, info)``; with ``markup``, ``info`` is the
    line's ``[characters in links, element bits, class/id cue bits, frame]`` (the
    bits ORed over the line's text pieces, the frame that of its first), else None.
    ``on_tree``: as :func:`_parse` takes it."""
    root = _parse(_as_text(html), on_tree)
    if root is None:
        return []
    lines: list[tuple] = []
    current: list[str] = []
    kind = [""]  # the kind of the line being built: that of its first text
    info = [None]  # ... and its markup (with markup)
    pending = None  # the strongest break asked for since the last text

    def flush() -> tuple:
        text = "".join(current).strip(" ")
        current.clear()
        line = (text, kind[0], info[0])
        info[0] = None
        return line

    for piece in _pieces(root, markup):
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
        text, in_pre, piece_kind, frame = piece
        if in_pre:
            parts = text.split("\n")
        else:
            # Most text nodes between tags are the markup's indentation: no regex for them.
            parts = [" " if text and not text.strip(_SPACE_CHARS) else _SPACES.sub(" ", text)]
            # Spaces between blocks (the markup's indentation) are not text.
            if parts[0] == " " and (pending is not None or not current or current[-1].endswith((" ", "\t"))):
                continue
        if pending is not None:
            line = flush()
            if line[0] or lines:
                lines.append(line)
                if pending == _PARA:
                    lines.append(("", "", None))
            pending = None
        if not current:
            kind[0] = piece_kind
        if in_pre:
            current.append(parts[0])
            if markup:
                _add_markup(info, frame, parts[0])
            for part in parts[1:]:
                lines.append(flush())
                kind[0] = piece_kind
                current.append(part)
                if markup:
                    _add_markup(info, frame, part)
        else:
            if current and current[-1].endswith((" ", "\t")):
                parts[0] = parts[0].lstrip(" ")
            current.append(parts[0])
            if markup:
                _add_markup(info, frame, parts[0])
    lines.append(flush())
    return _tidy(lines)


def _tidy(lines: list[tuple]) -> list[tuple]:
    """Strip each line, drop leading and trailing blanks and repeated blank lines."""
    out: list[tuple] = []
    for line, kind, info in lines:
        line = line.strip()
        if "\t" in line:
            line = _CELL_GAP.sub("\t", line).strip("\t ")
        if not line and (not out or not out[-1][0]):
            continue
        out.append((line, kind if line else "", info if line else None))
    while out and not out[-1][0]:
        out.pop()
    return out


def markdown(blocks: list[tuple[str, str]]) -> str:
    """Lines with their kinds (:func:`html_blocks`, or the kept ones of a page) as
    Markdown: headings with ``#``, list items with ``-`` or ``1.``, quotes with ``>``,
    preformatted lines in a fenced block, table rows as ``| a | b |`` (a rule after a
    table's first row); every other line a paragraph of its own."""
    out: list[str] = []
    previous = None  # the kind of the last block written ("table" for a row)
    for line, kind in blocks:
        if not line:
            continue
        if "\t" in line and kind != "pre":
            kind = "table"
        if previous == "pre" and kind != "pre":
            out.append("```")
        joins = kind == previous and kind in ("li", "ol", "pre", "table", "quote")
        if out and not joins:
            out.append("")
        if kind == "pre":
            if previous != "pre":
                out.append("```")
            out.append(line)
        elif kind == "table":
            cells = [cell.replace("|", "\\|") for cell in line.split("\t")]
            out.append("| " + " | ".join(cells) + " |")
            if previous != "table":
                out.append("|" + "---|" * len(cells))
        elif kind.startswith("h") and kind[1:].isdigit():
            out.append("#" * int(kind[1:]) + " " + line)
        elif kind == "li":
            out.append("- " + line)
        elif kind == "ol":
            out.append("1. " + line)
        elif kind == "quote":
            out.append("> " + line)
        else:
            out.append(line)
        previous = kind
    if previous == "pre":
        out.append("```")
    return "\n".join(out)
