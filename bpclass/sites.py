"""Template lines across the pages of one site.

A line that recurs, word for word, on other pages of the same site is part of the
site's template (a footer, a promo, a sidebar blurb), however much it reads like
prose. Given several pages and the site each comes from, :func:`template_lines`
flags those lines; ``BoilerplateClassifier.predict(pages, sites=...)`` gives them
probability 0. The input is optional: without it every page is read on its own.

The steps, for each site with two pages or more (words are counted as the features
count them: runs between spaces, and each character of a CJK script, whose words
are not split by spaces):

1. Each line of three words or more gets a key: its text case-folded, with runs of
   whitespace made one space and runs of digits made ``0`` (so "12 comments" and
   "3 comments", or a footer's year, match).
2. Two pages are *copies* of one another when they share at least 80% of the long
   lines (twelve words or more) of the one with fewer: the same article fetched
   twice, or a page and its print version. A page's copies are not counted as other
   pages of its site, so passing an article twice does not drop it.
3. A line of a page is template when its key is on at least one tenth (and at least
   one) of the site's other pages, copies left out.

Long lines found on more than ``MAX_POSTING`` pages of a site are not used to find
copies (they are template wherever they are), which keeps step 2 near linear in the
number of pages.
"""

from __future__ import annotations

import itertools
import re
from collections import defaultdict

import numpy as np

from bpclass.checks import check_pages
from bpclass.patterns import CJK

MIN_WORDS = 3  # shorter lines ("Share", "Next", "True") recur as content too
LONG_WORDS = 12  # lines this long tell copies of one page apart from pages of one template
COPY_SHARE = 0.8  # pages sharing this share of their long lines are copies
MIN_SHARE = 0.1  # a template line is on at least this share of the site's other pages
MAX_POSTING = 100

_DIGITS = re.compile(r"\d+")
_HEAD = 2000  # CJK characters are counted in a line's first characters only


def word_count(line: str) -> int:
    """Words of a line: runs between spaces, each CJK character counting as a word."""
    words = len(line.split())
    if words >= LONG_WORDS:
        return words  # CJK characters would only add to it
    cjk = len(CJK.findall(line, 0, _HEAD))
    return words + max(0, cjk - words)


def line_key(line: str) -> str:
    """The text two lines must share to count as the same line of a template."""
    return _DIGITS.sub("0", " ".join(line.split()).casefold())


def check_sites(sites, n_pages: int) -> list:
    """The site of each page as a list, or a clear error for a wrong ``sites``."""
    if isinstance(sites, (str, bytes)) or not hasattr(sites, "__len__"):
        raise TypeError(
            f"sites must be a list with one site per page (a str, or None for a page on its own); "
            f"got {type(sites).__name__}."
        )
    sites = list(sites)
    if len(sites) != n_pages:
        raise ValueError(f"sites has {len(sites)} entries for {n_pages} pages: give one site per page.")
    for k, site in enumerate(sites):
        if isinstance(site, float) and site != site:  # NaN, as pandas gives a missing value
            sites[k] = None
            continue
        try:
            hash(site)
        except TypeError:
            raise TypeError(f"sites[{k}] must be a str (or None); got {type(site).__name__}.") from None
    return sites


def template_lines(pages: list[list[str]], sites) -> list[np.ndarray]:
    """For each page, a bool array: which of its lines recur as its site's template.

    ``pages`` is a list of pages (lists of str), ``sites`` one key per page (e.g. its
    host name); pages whose key is ``None`` (or NaN) are read on their own. See the module's
    docstring for the rule.
    """
    pages = check_pages(pages)
    for p, page in enumerate(pages):
        # check_pages leaves the lines to the compiled feature scan when there is one.
        if not set(map(type, page)) <= {str} and not all(isinstance(line, str) for line in page):
            raise TypeError(f"page {p}: every line must be a str.")
    return template_flags(pages, check_sites(sites, len(pages)))


def template_flags(pages: list[list[str]], sites: list) -> list[np.ndarray]:
    """:func:`template_lines` of pages and sites already checked (``check_sites``)."""
    out = [np.zeros(len(page), dtype=bool) for page in pages]
    members: dict = defaultdict(list)
    for k, site in enumerate(sites):
        if site is not None:
            members[site].append(k)
    for group in members.values():
        if len(group) > 1:
            _mark_site(pages, group, out)
    return out


def _mark_site(pages: list[list[str]], group: list[int], out: list[np.ndarray]) -> None:
    keys: dict[int, list] = {}
    long_keys: dict[int, set] = {}
    holders: dict[str, set] = defaultdict(set)  # key -> the pages of the group holding it
    for page in group:
        mine, longs = [], set()
        for line in pages[page]:
            words = word_count(line)
            key = line_key(line) if words >= MIN_WORDS else None
            mine.append(key)
            if key is not None:
                holders[key].add(page)
                if words >= LONG_WORDS:
                    longs.add(key)
        keys[page], long_keys[page] = mine, longs
    shared: dict = defaultdict(int)  # (page, page) -> long lines in common
    for key in set().union(*long_keys.values()):
        pages_with = holders[key]
        if 2 <= len(pages_with) <= MAX_POSTING:
            for pair in itertools.combinations(sorted(pages_with), 2):
                shared[pair] += 1
    copies: dict[int, set] = defaultdict(set)
    for (a, b), count in shared.items():
        if count >= COPY_SHARE * min(len(long_keys[a]), len(long_keys[b])):
            copies[a].add(b)
            copies[b].add(a)
    for page in group:
        others = len(group) - 1 - len(copies[page])
        if others < 1:
            continue
        need = max(1.0, MIN_SHARE * others)
        mine = copies[page]
        flags = out[page]
        for k, key in enumerate(keys[page]):
            if key is None:
                continue
            pages_with = holders[key]
            count = len(pages_with) - 1 - (len(pages_with & mine) if mine else 0)
            if count >= need:
                flags[k] = True
