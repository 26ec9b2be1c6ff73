"""bpclass on the lines more tools make of a page: Markdown converters and others.

``training.layouts`` holds the layouts that ``training.prepare`` aligns with the gold
text (for training copies and line scores). This script needs no line labels: it lays
the held-out pages of a few sets out with each installed tool, on the fly, and scores
the bag F1 of the kept lines against the gold text, beside bpclass's own layout:

- html2text (Markdown; ``body_width=0``, and its default 78-character wrapping),
  html2text without links and images, markdownify (Markdown);
- html_text (Zyte's text extraction), trafilatura's ``html2txt`` (the page's text);
- BeautifulSoup's ``get_text()`` and lxml's ``text_content()`` with no separator: the
  text nodes run together, lines break where the HTML source broke them.

With ``--shown``, the kept lines of the Markdown layouts are also scored as the text
they show (:func:`bpclass.markdown.shown_text`): what the labels are worth without
the links' addresses, which every kept line carries along in the user's own lines.

    python -m training.experiments.more_layouts --per-set 120 [--model M] [--shown]

Needs ``pip install ".[bench]"`` and ``../shared``.
"""

from __future__ import annotations

import random
import statistics
import warnings
from pathlib import Path

import bpclass
from bpclass.markdown import shown_text
from training import script_parser
from training.evaluate import _kept_text, _predicted, held_out_pages
from training.layouts import installed
from training.peers import _htmls
from training.prepare import DEFAULT_DATA
from training.textmetrics import bag_f1

SETS = ("daniel", "wcxb_dev", "dragnet", "cleaneval", "newspaper4k_aed", "krdwrd_canola")
MARKDOWN = ("html2text", "html2text, wrapped at 78", "html2text, no links", "markdownify")


def _html2text(html: str, width: int = 0, links: bool = True) -> list[str]:
    import html2text

    converter = html2text.HTML2Text()
    converter.body_width = width
    converter.ignore_links = converter.ignore_images = not links
    return converter.handle(html).splitlines()


def _markdownify(html: str) -> list[str]:
    import markdownify

    return markdownify.markdownify(html).splitlines()


def _html_text(html: str) -> list[str]:
    import html_text

    return html_text.extract_text(html).splitlines()


def _soup_text(html: str) -> list[str]:
    from bs4 import BeautifulSoup

    return BeautifulSoup(html, "lxml").get_text().splitlines()


def _lxml_text(html: str) -> list[str]:
    import lxml.html

    return lxml.html.fromstring(html).text_content().splitlines()


def _trafilatura_text(html: str) -> list[str]:
    import trafilatura

    return (trafilatura.html2txt(html) or "").splitlines()


# name -> (module it needs, layout function)
TOOLS = {
    "html2text": ("html2text", _html2text),
    "html2text, wrapped at 78": ("html2text", lambda html: _html2text(html, width=78)),
    "html2text, no links": ("html2text", lambda html: _html2text(html, links=False)),
    "markdownify": ("markdownify", _markdownify),
    "html_text": ("html_text", _html_text),
    "BeautifulSoup get_text() (no separator)": ("bs4", _soup_text),
    "lxml text_content()": ("lxml", _lxml_text),
    "trafilatura html2txt": ("trafilatura", _trafilatura_text),
}


def laid_out(fn, html: str) -> list[str]:
    """The tool's lines of the page; one empty line when the tool fails or gives none."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return fn(html) or [""]
    except Exception:  # a tool that cannot read a page gives it no lines, as a user would see
        return [""]


def held_out(name: str, per_set: int, data: Path, model) -> tuple[list[dict], dict]:
    """Up to ``per_set`` held-out pages of a set with a gold text and HTML (a fixed
    shuffle), and their HTML by id."""
    pages = [p for p in held_out_pages(model, name) if p.get("gold")]
    random.Random(0).shuffle(pages)
    pages = pages[:per_set]
    htmls = _htmls(data, name, {str(p["id"]) for p in pages})
    return [p for p in pages if str(p["id"]) in htmls], htmls


def main(argv=None) -> None:
    parser = script_parser(__doc__, "training.experiments.more_layouts")
    parser.add_argument("--model", default=None, help="model file (default: the bundled model)")
    parser.add_argument("--per-set", type=int, default=120, help="held-out pages of each set")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--shown", action="store_true", help="also score Markdown's kept lines as the text they show")
    args = parser.parse_args(argv)
    model = bpclass.load_model(args.model)
    tools = {name: fn for name, (module, fn) in TOOLS.items() if installed(module)}
    scores: dict[str, dict[str, list[float]]] = {"bpclass's own layout": {}, **{t: {} for t in tools}}
    shown: dict[str, list[float]] = {t: [] for t in tools if t in MARKDOWN}
    for name in SETS:
        pages, htmls = held_out(name, args.per_set, args.data, model)
        scores["bpclass's own layout"][name] = [
            bag_f1(_kept_text(p["lines"], y), p["gold"])[2] for p, y in zip(pages, _predicted(model, pages))
        ]
        for tool, fn in tools.items():
            lay = [{**p, "lines": laid_out(fn, htmls[str(p["id"])])} for p in pages]
            labels = _predicted(model, lay)
            scores[tool][name] = [bag_f1(_kept_text(p["lines"], y), p["gold"])[2] for p, y in zip(lay, labels)]
            if args.shown and tool in shown:
                for p, y in zip(lay, labels):
                    kept = "\n".join(shown_text(line) for line, k in zip(p["lines"], y) if k)
                    shown[tool].append(bag_f1(kept, p["gold"])[2])
    print(f"Bag F1 of the kept lines, {args.per_set} held-out pages per set at most:\n")
    print("| layout | " + " | ".join(SETS) + " | all |")
    print("|---" * (len(SETS) + 2) + "|")
    for tool, per in scores.items():
        every = [x for name in SETS for x in per[name]]
        cells = " | ".join(f"{statistics.mean(per[name]):.3f}" if per[name] else "-" for name in SETS)
        print(f"| {tool} | {cells} | {statistics.mean(every):.3f} |")
    for tool, values in shown.items():
        if values:
            print(f"\n{tool}: the same labels, kept lines scored as the text they show: {statistics.mean(values):.3f}")


if __name__ == "__main__":
    main()
