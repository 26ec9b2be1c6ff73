"""Other tools' text lines of a page, beside bpclass's own innerText-like layout.

Users' lines come from many scrapers. ``training.prepare`` lays each page out these
ways too (when the library is installed), so that training can show the model pages
as those tools give them, and ``training.peers --layouts`` scores bpclass on them.

Each layout returns the page's lines as the tool gives them (blank lines kept).
"""

from __future__ import annotations

import importlib.util


def resiliparse_lines(html: str) -> list[str]:
    """resiliparse's ``extract_plain_text`` of the whole page."""
    from resiliparse.extract.html2text import extract_plain_text

    return extract_plain_text(html).splitlines()


def soup_lines(html: str) -> list[str]:
    """BeautifulSoup's ``get_text("\\n")``: one text node per line."""
    import warnings

    from bs4 import BeautifulSoup, XMLParsedAsHTMLWarning

    with warnings.catch_warnings():  # an XHTML page read as HTML is what a user's scraper does too
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
        return BeautifulSoup(html, "lxml").get_text("\n").splitlines()


def inscriptis_lines(html: str) -> list[str]:
    """inscriptis, a text browser's rendering of the page."""
    from inscriptis import get_text

    return get_text(html).splitlines()


# key -> (the module it needs, a readable name, the layout function)
LAYOUTS = {
    "resiliparse": ("resiliparse", "resiliparse's extract_plain_text", resiliparse_lines),
    "soup": ("bs4", "BeautifulSoup's get_text('\\n')", soup_lines),
    "inscriptis": ("inscriptis", "inscriptis", inscriptis_lines),
}


def installed(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def installed_layouts() -> list[str]:
    """The keys of LAYOUTS whose library is installed."""
    return [key for key, (module, _, _) in LAYOUTS.items() if installed(module)]
