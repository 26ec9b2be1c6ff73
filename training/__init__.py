"""Scripts to prepare the public data sets, train, evaluate and benchmark bpclass
(``python -m training.NAME --help``); the research scripts are in
``training.experiments``. Run them from the repository's root."""

from __future__ import annotations

import argparse


def script_parser(doc: str, module: str) -> argparse.ArgumentParser:
    """The argument parser of a script whose module docstring is ``doc``: its first
    paragraph is the description, the rest (the examples) the epilog of ``--help``."""
    description, _, rest = doc.strip().partition("\n\n")
    return argparse.ArgumentParser(
        prog=f"python -m {module}",
        description=description,
        epilog=rest,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
