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

import math

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


def _ancestor(path: list, up: int):
    """The node id ``up`` levels above the line's innermost element (None above the root)."""
    return path[-1 - up] if len(path) > up else None


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
    # The likely text under each element: every line adds its weight to each ancestor.
    under: dict = {}
    lines_under: dict = {}
    proba_under: dict = {}
    for info, w, q in zip(infos, weight, p):
        for node in info["path"]:
            under[node] = under.get(node, 0.0) + w
            lines_under[node] = lines_under.get(node, 0) + 1
            proba_under[node] = proba_under.get(node, 0.0) + q
    container = None
    if total > 0:
        # The deepest element that holds CONTAINER_SHARE of the likely text (ties: the first).
        best_depth = -1
        for info in infos:
            for level, node in enumerate(info["path"]):
                if level > best_depth and under[node] >= CONTAINER_SHARE * total:
                    best_depth, container = level, node
    scale = 1.0 / total if total > 0 else 0.0
    for r, info in enumerate(infos):
        path = info["path"]
        for up, name in enumerate(("parent_share", "grandparent_share", "great_grandparent_share")):
            node = _ancestor(path, up)
            X[r, MARKUP_INDEX[name]] = under[node] * scale if node is not None else 0.0
        X[r, MARKUP_INDEX["in_container"]] = container is not None and container in path
        parent = _ancestor(path, 0)
        if parent is not None:
            X[r, MARKUP_INDEX["parent_mean_proba"]] = proba_under[parent] / lines_under[parent]
            X[r, MARKUP_INDEX["parent_lines"]] = math.log1p(lines_under[parent])
        grandparent = _ancestor(path, 1)
        if grandparent is not None:
            X[r, MARKUP_INDEX["grandparent_mean_proba"]] = proba_under[grandparent] / lines_under[grandparent]
    return X
