"""Tokens and the token-bag F1 used to score kept text against gold text (by the
evaluation scripts in training/, and by ``bpclass train``'s held-out score)."""

from __future__ import annotations

import re
from collections import Counter

# Chinese and Japanese scripts do not separate words with spaces: each character
# counts as one token there, so a CJK page is scored on the same footing as others.
_TOKEN = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]|[^\W_]+", re.UNICODE)


def tokenize(text: str) -> list[str]:
    """Lower-cased word tokens (one per character in CJK scripts)."""
    return _TOKEN.findall(text.lower())


def bag_f1(predicted: str, gold: str) -> tuple[float, float, float]:
    """Precision, recall and F1 of the predicted text's token bag against the gold's.

    Two empty texts agree perfectly (1, 1, 1); one empty text against a non-empty
    one scores 0.
    """
    pred = Counter(tokenize(predicted))
    ref = Counter(tokenize(gold))
    if not pred and not ref:
        return 1.0, 1.0, 1.0
    if not pred or not ref:
        return 0.0, 0.0, 0.0
    overlap = sum((pred & ref).values())
    precision = overlap / sum(pred.values())
    recall = overlap / sum(ref.values())
    f1 = 0.0 if overlap == 0 else 2 * precision * recall / (precision + recall)
    return precision, recall, f1
