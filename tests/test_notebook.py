"""The notebook runs top to bottom, headless, and draws its plots."""

from __future__ import annotations

import pytest
from conftest import ROOT

nbformat = pytest.importorskip("nbformat", reason="the notebook test needs nbformat: pip install '.[test]'")
nbclient = pytest.importorskip("nbclient", reason="the notebook test needs nbclient: pip install '.[test]'")
pytest.importorskip("matplotlib")
pytest.importorskip("ipykernel")

NOTEBOOK = ROOT / "notebooks" / "train_evaluate_inspect.ipynb"


def test_notebook_runs():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbclient.NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOK.parent)}}
    ).execute()
    outputs = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(images) >= 2  # feature distributions and the precision-recall curve
    text = "".join(o.get("text", "") for o in outputs)
    assert "bpclass, trained here" in text and "bpclass, bundled" in text and "C4 line rules" in text
    # The bundled model on the shipped pages, line by line, and what the plotted features mean.
    assert "en_news_library.txt" in text and "KEEP" in text and "drop" in text and "confidence 0." in text
    assert "log(1 + words in the line)" in text
