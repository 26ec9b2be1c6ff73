"""The examples in bpclass's docstrings run and print what they say."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "bpclass",
    "bpclass.features",
    "bpclass.estimator",
    "bpclass.checks",
    "bpclass.passes",
    "bpclass.lexicon",
    "bpclass.modelfile",
    "bpclass.model",
    "bpclass.io",
    "bpclass.cli",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
