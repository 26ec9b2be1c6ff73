"""Label a page's text lines by aligning them, in order, with its gold text.

A line is content when at least ``MIN_ALIGNED_SHARE`` of its tokens take part in the
in-order alignment of the page's tokens with the gold text's tokens. Aligning in order
(rather than asking "is this line's text somewhere in the gold?") matters for
boilerplate that repeats the article: a related-headline list or a truncated
``Title...`` twin matches the gold's words but not at the gold's place.

The headline is content under our label policy, but most gold texts leave it out.
When the set gives the page's title, the line that carries it, nearest above the
first body line, is labeled content too (see :func:`headline_index`).
"""

from __future__ import annotations

from difflib import SequenceMatcher

from training.textmetrics import tokenize

MIN_ALIGNED_SHARE = 0.5
# A line must share this much of its tokens with the title to be taken as the headline.
MIN_TITLE_OVERLAP = 0.8
# How far above the first body line the headline may sit, in non-blank lines.
HEADLINE_WINDOW = 25


def aligned_shares(lines: list[str], gold: str) -> list[float]:
    """For each line, the share of its tokens aligned with the gold text (0 if none)."""
    vocab: dict[str, int] = {}
    line_tokens = [tokenize(line) for line in lines]
    page_ids: list[int] = []
    owner: list[int] = []
    for i, tokens in enumerate(line_tokens):
        for token in tokens:
            page_ids.append(vocab.setdefault(token, len(vocab)))
            owner.append(i)
    gold_ids = [vocab.setdefault(token, len(vocab)) for token in tokenize(gold)]
    matched = [0] * len(lines)
    if page_ids and gold_ids:
        matcher = SequenceMatcher(None, page_ids, gold_ids, autojunk=False)
        for start, _, size in matcher.get_matching_blocks():
            for k in range(start, start + size):
                matched[owner[k]] += 1
    return [m / len(t) if t else 0.0 for m, t in zip(matched, line_tokens)]


def headline_index(lines: list[str], labels: list[int], title: str | None) -> int | None:
    """Index of the line that carries ``title`` just above the first content line."""
    title_tokens = set(tokenize(title or ""))
    if not title_tokens or 1 not in labels:
        return None
    first = labels.index(1)
    seen = 0
    for i in range(first - 1, -1, -1):
        tokens = tokenize(lines[i])
        if not tokens:
            continue
        seen += 1
        if seen > HEADLINE_WINDOW:
            break
        common = len(set(tokens) & title_tokens)
        if common / len(title_tokens) >= MIN_TITLE_OVERLAP and common / len(set(tokens)) >= MIN_TITLE_OVERLAP:
            return i
    return None


def label_lines(lines: list[str], gold: str, title: str | None = None) -> list[int | None]:
    """Label each line 1 (content) or 0 (boilerplate); blank lines get ``None``."""
    shares = aligned_shares(lines, gold)
    labels = [1 if share >= MIN_ALIGNED_SHARE else 0 for share in shares]
    head = headline_index(lines, labels, title)
    if head is not None:
        labels[head] = 1
    return [None if not line.strip() else label for line, label in zip(lines, labels)]
