"""Tokens and the token-bag F1 (kept in the package, :mod:`bpclass.metrics`, since
``bpclass train`` scores held-out pages with it too)."""

from bpclass.metrics import bag_f1, tokenize

__all__ = ["bag_f1", "tokenize"]
