"""A datatrove pipeline step that cleans each document's text: :class:`BoilerplateCleaner`.

Needs the ``datatrove`` extra (``pip install "bpclass[datatrove]"``)::

    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.readers import WarcReader
    from datatrove.pipeline.writers import JsonlWriter
    from bpclass.datatrove import BoilerplateCleaner

    LocalPipelineExecutor(
        pipeline=[
            WarcReader("crawl/", glob_pattern="*.warc.gz"),
            BoilerplateCleaner(input="html"),  # in place of datatrove's Trafilatura extractor
            JsonlWriter("cleaned/"),
        ],
        tasks=2,
    ).run()

The step cleans documents in batches with the code corpus mode runs
(:func:`bpclass.records.clean_batch`), so a document gets the very text
``bpclass clean --warc`` gives its page. It replaces ``doc.text`` with the kept lines,
adds ``lines_kept``, ``lines_total`` (non-blank lines) and ``confidence`` (the bag F1
the model expects of the kept text, :mod:`bpclass.confidence`) to ``doc.metadata``, and drops
documents left empty (datatrove's ``dropped`` stat). A document that cannot be
cleaned (a page over ``max_page_lines``, or HTML that cannot be laid out) is dropped
too, counted as ``clean_error``, and the first such reason is logged.
"""

from __future__ import annotations

import logging

from bpclass.records import CRAWL_HTML_FIELD, CRAWL_TEXT_FIELD, MAX_PAGE_LINES, CorpusOptions, clean_batch

try:
    from datatrove.pipeline.base import PipelineStep
except ImportError as exc:  # the optional extra
    raise ImportError('bpclass.datatrove needs datatrove: pip install "bpclass[datatrove]"') from exc

LOGGER = logging.getLogger(__name__)
INPUTS = ("text", "html")


class BoilerplateCleaner(PipelineStep):
    """Replace each document's text with its article: the lines bpclass keeps.

    Parameters
    ----------
    input : {"text", "html"}, default="text"
        What ``doc.text`` holds: text lines (e.g. after a WET or JSONL reader) or a
        page's HTML (e.g. after ``WarcReader`` on WARC files).
    batch_size : int, default=64
        Documents scored together (bpclass is several times faster on batches).
    threshold : float or None, default=None
        Keep lines with P(content) at least this; ``None``: the model's own (0.5).
    model_path : str or None, default=None
        A model file; ``None``: the bundled model. Each task loads it once.
    keep_comments : bool or None, default=None
        Leave readers' comment sections to the model (``True``) or drop them
        (``False``); ``None``: as the model says (the bundled model drops them).
    drop_repeats : bool or None, default=None
        ``True``: keep one copy of an article a page holds twice (a print, mobile or
        hidden copy); ``None``: as the model says (the bundled model keeps both).
    max_page_lines : int, default=100,000
        A page of more lines is not cleaned (a ``clean_error``): it bounds memory.
    markdown : bool, default=False
        Write the kept lines as Markdown (:func:`bpclass.html.markdown`): an HTML
        page's headings, lists, quotes, code and tables as its markup has them.
    page_type : bool, default=False
        Also add each document's page type (:mod:`bpclass.pagetype`: article, forum,
        product, ...) to ``doc.metadata["page_type"]``, read from its text or HTML
        and its ``url``.
    """

    name = "✂ bpclass"
    type = "🛢 - EXTRAC"

    def __init__(
        self,
        input: str = "text",
        batch_size: int = 64,
        threshold: float | None = None,
        model_path: str | None = None,
        keep_comments: bool | None = None,
        max_page_lines: int = MAX_PAGE_LINES,
        drop_repeats: bool | None = None,
        markdown: bool = False,
        page_type: bool = False,
    ):
        super().__init__()
        if input not in INPUTS:
            raise ValueError(f"input must be one of {', '.join(map(repr, INPUTS))}; got {input!r}.")
        if not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError(f"batch_size must be a positive int; got {batch_size!r}.")
        if threshold is not None:
            from bpclass.checks import check_threshold

            check_threshold(threshold)
        self.input = input
        self.batch_size = batch_size
        self.options = CorpusOptions(
            crawl=True,
            output_field="text",
            threshold=threshold,
            model_path=model_path,
            keep_comments=keep_comments,
            drop_repeats=drop_repeats,
            max_page_lines=max_page_lines,
            markdown=markdown,
            page_type=page_type,
        )
        self._warned = False

    def run(self, data, rank: int = 0, world_size: int = 1):
        if data is None:
            return
        from bpclass.model import load_model

        model = load_model(self.options.model_path)  # once per task (cached)
        batch: list = []
        for doc in data:
            batch.append(doc)
            if len(batch) >= self.batch_size:
                yield from self._clean(batch, model)
                batch = []
        if batch:
            yield from self._clean(batch, model)

    def _clean(self, docs: list, model):
        field = CRAWL_HTML_FIELD if self.input == "html" else CRAWL_TEXT_FIELD
        raw = [(k, {field: doc.text, "url": doc.metadata.get("url")}) for k, doc in enumerate(docs)]
        with self.track_time(unit="batch"):
            results = clean_batch(raw, self.options, model, serialize=False)
        for doc, result in zip(docs, results):
            self.stat_update("total")
            if result[0] != "ok":
                self.stat_update("clean_error")
                if not self._warned:
                    LOGGER.warning("bpclass could not clean document %s: %s (logged once)", doc.id, result[2])
                    self._warned = True
                continue
            row = result[2]
            doc.text = row["text"]
            doc.metadata["lines_kept"] = row["lines_kept"]
            doc.metadata["lines_total"] = row["lines_total"]
            doc.metadata["confidence"] = row["confidence"]
            if "page_type" in row:
                doc.metadata["page_type"] = row["page_type"]
            if doc.text:
                self.stat_update("forwarded")
                self.update_doc_stats(doc)
                yield doc
            else:
                self.stat_update("dropped")
