"""C4's line rules (Raffel et al. 2020, the Colossal Clean Crawled Corpus), as a baseline.

C4 keeps a line when it ends in terminal punctuation, has at least three words,
and mentions neither JavaScript nor a cookie or terms-of-use notice. C4's page-level
rules (dropping whole pages) are left out: here every page is scored line by line.
"""

from __future__ import annotations

import re

TERMINAL = (".", "!", "?", '"')
MIN_WORDS = 3
_BANNED = re.compile(
    r"javascript|terms of use|privacy policy|cookie policy|uses cookies|use of cookies|use cookies",
    re.I,
)


def c4_keep(line: str) -> bool:
    """True when C4's line rules keep ``line``."""
    text = line.strip()
    return bool(text) and text.endswith(TERMINAL) and len(text.split()) >= MIN_WORDS and not _BANNED.search(text)


def c4_labels(lines: list[str]) -> list[int]:
    return [int(c4_keep(line)) for line in lines]
