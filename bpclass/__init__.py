"""bpclass: tell a web page's article content from its boilerplate, line by line.

>>> import bpclass
>>> model = bpclass.load_model()                     # doctest: +SKIP
>>> labels = model.predict([lines])[0]               # doctest: +SKIP
>>> text = bpclass.clean(page_text)                  # doctest: +SKIP
>>> text = bpclass.clean_html(page_html)             # doctest: +SKIP
>>> kinds = bpclass.page_types([lines], [url])       # doctest: +SKIP
"""

import logging

from bpclass.estimator import LineClassifier
from bpclass.features import FEATURE_DESCRIPTIONS, FEATURE_NAMES, batch_features, page_features
from bpclass.html import html_lines
from bpclass.io import LabeledPage, read_labeled_pages, write_labeled_pages
from bpclass.model import BoilerplateClassifier, ModelFileError, clean, clean_html, clean_pages, load_model
from bpclass.pagetype import PAGE_TYPES, html_page_types, page_types
from bpclass.sites import template_lines

__version__ = "0.1.0"

__all__ = [
    "FEATURE_DESCRIPTIONS",
    "FEATURE_NAMES",
    "PAGE_TYPES",
    "BoilerplateClassifier",
    "LabeledPage",
    "LineClassifier",
    "ModelFileError",
    "__version__",
    "batch_features",
    "clean",
    "clean_html",
    "clean_pages",
    "html_lines",
    "html_page_types",
    "load_model",
    "page_features",
    "page_types",
    "read_labeled_pages",
    "template_lines",
    "write_labeled_pages",
]

logging.getLogger(__name__).addHandler(logging.NullHandler())
