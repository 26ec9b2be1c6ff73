"""What the HTML says about each line, as columns for the HTML model's last pass.

The text model (:class:`bpclass.BoilerplateClassifier`) reads a page's lines only.
An HTML page says more: which characters are links, which elements hold a line
(``nav``, ``footer``, ``article``, ``li`` ...), what the blocks' class and id names
say (``sidebar``, ``related``, ``comment`` ...), and which block holds most of the
text the text model believes in. :func:`markup_features` turns that
(:func:`bpclass.html.html_markup`) and the text model's P(content) of each line
into feature rows, one per non-blank line; :class:`bpclass.htmlmodel.HtmlClassifier`
learns from them.
"""

from __future__ import annotations

import itertools

import numpy as np

from bpclass.html import CUE_NAMES, ELEMENT_NAMES

# Neighbours on each side whose link share is averaged (characters weighted).
LINK_WINDOW = 3
# A block holding at least this share of the page's likely text (characters times
# the text model's P(content)) is a candidate for the article's container.
CONTAINER_SHARE = 0.5

MARKUP_DESCRIPTIONS = {
    "text_proba": "the text model's P(content) of the line",
    "log_chars": "log(1 + characters of the line)",
    "link_share": "share of the line's characters inside <a>",
    "link_share_prev": "link share of the previous non-blank line",
    "link_share_next": "link share of the next non-blank line",
    "link_share_window": f"link share of the {2 * LINK_WINDOW + 1} lines around it (characters weighted)",
    "link_share_page": "link share of the whole page",
    **{f"in_{name}": f"the line lies in (or holds) a <{name}> element" for name in ELEMENT_NAMES},
    **{f"cue_{name}": f"an ancestor's class or id names '{name}' (bpclass.html.CUE_GROUPS)" for name in CUE_NAMES},
    "depth": "the line's depth in the document tree",
    "depth_vs_content": "depth minus the likely text's mean depth on the page",
    "parent_share": "share of the page's likely text under the line's parent element",
    "grandparent_share": "... under its grandparent",
    "great_grandparent_share": "... under its great-grandparent",
    "in_container": "the line lies in the deepest block that holds half the page's likely text",
    "parent_mean_proba": "the text model's mean P(content) of the lines under the same parent",
    "grandparent_mean_proba": "... under the same grandparent",
    "parent_lines": "log(1 + lines under the same parent)",
}
MARKUP_FEATURE_NAMES = tuple(MARKUP_DESCRIPTIONS)
MARKUP_INDEX = {name: k for k, name in enumerate(MARKUP_FEATURE_NAMES)}
_FIRST_ELEMENT = MARKUP_INDEX[f"in_{ELEMENT_NAMES[0]}"]
_FIRST_CUE = MARKUP_INDEX[f"cue_{CUE_NAMES[0]}"]


def _window_sum(values: np.ndarray) -> np.ndarray:
    """Each value summed with its LINK_WINDOW neighbours on either side."""
    ends = np.concatenate([[0.0], np.cumsum(values)])
    at = np.arange(len(values))
    return ends[np.minimum(at + LINK_WINDOW + 1, len(values))] - ends[np.maximum(at - LINK_WINDOW, 0)]


def markup_features(lines: list[str], infos: list, proba) -> np.ndarray:
    """Feature rows (:data:`MARKUP_FEATURE_NAMES`) of a page's non-blank lines.

    ``lines`` and ``infos`` are :func:`bpclass.html.html_markup`'s, ``proba`` the
    text model's P(content) of every line (blank lines included).
    """
    rows = [k for k, line in enumerate(lines) if line.strip()]
    X = np.zeros((len(rows), len(MARKUP_FEATURE_NAMES)))
    if not rows:
        return X
    infos = [infos[k] for k in rows]
    p = np.asarray(proba, dtype=np.float64)[rows]
    chars = np.array([max(info["chars"], 1) for info in infos], dtype=np.float64)
    links = np.array([min(info["link_chars"], info["chars"]) for info in infos], dtype=np.float64)
    share = links / chars
    X[:, MARKUP_INDEX["text_proba"]] = p
    X[:, MARKUP_INDEX["log_chars"]] = np.log1p([len(lines[k]) for k in rows])
    X[:, MARKUP_INDEX["link_share"]] = share
    X[1:, MARKUP_INDEX["link_share_prev"]] = share[:-1]
    X[:-1, MARKUP_INDEX["link_share_next"]] = share[1:]
    X[:, MARKUP_INDEX["link_share_window"]] = _window_sum(links) / _window_sum(chars)
    X[:, MARKUP_INDEX["link_share_page"]] = links.sum() / chars.sum()
    elements = np.array([info["elements"] for info in infos], dtype=np.int64)
    cues = np.array([info["cues"] for info in infos], dtype=np.int64)
    for k in range(len(ELEMENT_NAMES)):
        X[:, _FIRST_ELEMENT + k] = (elements >> k) & 1
    for k in range(len(CUE_NAMES)):
        X[:, _FIRST_CUE + k] = (cues >> k) & 1
    depth = np.array([info["depth"] for info in infos], dtype=np.float64)
    weight = chars * p
    total = weight.sum()
    X[:, MARKUP_INDEX["depth"]] = depth
    mean_depth = (depth * weight).sum() / total if total > 0 else depth.mean()
    X[:, MARKUP_INDEX["depth_vs_content"]] = depth - mean_depth
    # The likely text under each element: every line adds its weight to each of its
    # ancestors. The lines' paths, flattened: one (line, element) pair per ancestor.
    lengths = np.fromiter((len(info["path"]) for info in infos), dtype=np.int64, count=len(infos))
    n_pairs = int(lengths.sum())
    if n_pairs == 0:
        return X
    nodes = np.fromiter(itertools.chain.from_iterable(info["path"] for info in infos), dtype=np.int64, count=n_pairs)
    line_of = np.repeat(np.arange(len(infos)), lengths)
    starts = np.cumsum(lengths) - lengths
    level = np.arange(n_pairs) - starts[line_of]
    unique, node = np.unique(nodes, return_inverse=True)
    under = np.bincount(node, weights=weight[line_of], minlength=len(unique))
    lines_under = np.bincount(node, minlength=len(unique))
    proba_under = np.bincount(node, weights=p[line_of], minlength=len(unique))
    scale = 1.0 / total if total > 0 else 0.0
    last = starts + lengths - 1  # each line's innermost element, in the flat arrays
    for up, name in enumerate(("parent_share", "grandparent_share", "great_grandparent_share")):
        has = lengths > up
        X[has, MARKUP_INDEX[name]] = under[node[last[has] - up]] * scale
    has = lengths > 0
    parent = node[last[has]]
    X[has, MARKUP_INDEX["parent_mean_proba"]] = proba_under[parent] / lines_under[parent]
    X[has, MARKUP_INDEX["parent_lines"]] = np.log1p(lines_under[parent])
    has = lengths > 1
    grandparent = node[last[has] - 1]
    X[has, MARKUP_INDEX["grandparent_mean_proba"]] = proba_under[grandparent] / lines_under[grandparent]
    if total > 0:
        # The deepest element that holds CONTAINER_SHARE of the likely text (ties: the first).
        holding = np.flatnonzero(under[node] >= CONTAINER_SHARE * total)
        if len(holding):
            container = node[holding[np.argmax(level[holding])]]
            X[np.unique(line_of[node == container]), MARKUP_INDEX["in_container"]] = 1.0
    return X
