"""Text a page holds twice: one copy of an article (drop_repeats), and a kept line cut short beside its full version."""

from __future__ import annotations

import copy
import json

import numpy as np
import pytest
from conftest import rewrite_model_file

from bpclass import ModelFileError, clean, clean_pages, load_model
from bpclass.cli import EXIT_OK, main
from bpclass.corpus import CorpusOptions, clean_batch
from bpclass.policy import REPEAT_MIN_CHARS, REPEAT_MIN_RUN, drop_kept_twins, kept_twins, repeated_copies

BODY = [
    "The council voted on Tuesday to close the old bridge over the river to cars from next spring.",
    "",
    "Engineers found cracks in two of its piers last year, and repairs would cost more than a new bridge.",
    "",
    "Buses will take a new route through the north of the town while the work goes on, the council said.",
]
# A page whose text holds the article twice, the hidden copy first (no-break spaces in
# it, as a typography plugin writes them), with a menu and related links around.
PAGE = [
    "Home | News | Sport | Weather",
    "Bridge to close to cars",
    "",
    *[line.replace(" the ", " the\xa0") for line in BODY],
    "",
    "Share this article",
    "Bridge to close to cars",
    "",
    *BODY,
    "",
    "Related: Town plans a new park by the river",
    "© 2026 The Town Paper",
]


def _copies(lines, proba):
    return [c.tolist() for c in repeated_copies(lines, np.asarray(proba, dtype=float))]


def test_the_copy_the_model_is_less_sure_of_is_the_one_found():
    body = [k for k, line in enumerate(PAGE) if len(line) >= REPEAT_MIN_CHARS]
    first, second = body[:3], body[3:]
    proba = np.full(len(PAGE), 0.5)
    proba[first] = 0.6
    assert _copies(PAGE, proba) == [second]
    proba[first] = 0.4
    assert _copies(PAGE, proba) == [first]
    assert _copies(PAGE, np.full(len(PAGE), 0.5)) == [second]  # a tie: the later copy


def test_single_repeated_lines_and_short_runs_are_not_copies():
    quote = BODY[0]
    # One line twice (a pull quote) is not a copy; nor are repeated short lines.
    page = [quote, "Other text of the article that goes on for a while, and on.", quote, "Share", "Share"]
    assert REPEAT_MIN_RUN == 2
    assert _copies(page, np.full(len(page), 0.9)) == []
    # Two long lines in the same order, anywhere later, are.
    page = [*BODY[:3], "Read more", *BODY[:3]]
    assert _copies(page, np.full(len(page), 0.9)) == [[4, 6]]
    # A long separator line between distinct items repeats, but runs of one line are no copies.
    separator = "A separator line between the items of this page, long enough to count."
    page = [line for k in range(200) for line in (separator, f"Item {k} of the list, with its own text, long enough.")]
    assert _copies(page, np.full(len(page), 0.9)) == []
    # A third copy of a run is found too.
    page = [*BODY, "Read more", *BODY, "Print", *BODY]
    assert len(_copies(page, np.full(len(page), 0.9))) == 2


def test_the_model_drops_a_copy_only_when_asked():
    model = load_model()
    kept = model.predict([PAGE])[0]
    assert all(kept[k] for k, line in enumerate(PAGE) if line in BODY and line)  # both copies kept by default
    dropping = copy.copy(model).set_params(drop_repeats=True)
    labels, proba = dropping.predict_with_proba([PAGE])
    text = [line.replace("\xa0", " ") for line, y in zip(PAGE, labels[0]) if y]
    for line in filter(None, BODY):
        assert text.count(line) == 1
    # The other lines are scored as without the option.
    untouched = [k for k, line in enumerate(PAGE) if len(line) < REPEAT_MIN_CHARS]
    assert np.array_equal(proba[0][untouched], model.predict_proba([PAGE])[0][untouched])
    assert model.drop_repeats is False  # the shared bundled model is not changed
    with pytest.raises(TypeError, match="drop_repeats"):
        copy.copy(model).set_params(drop_repeats="yes").predict([PAGE])


def test_clean_clean_pages_cli_and_corpus_take_the_option(tmp_path, capsys):
    text = "\n".join(PAGE)
    assert clean(text).count(BODY[0]) == 1 and clean(text).count(BODY[0].replace(" the ", " the\xa0")) == 1
    once = clean(text, drop_repeats=True)
    assert once.replace("\xa0", " ").count(BODY[0]) == 1
    assert clean_pages([text], drop_repeats=True) == [once]
    page = tmp_path / "page.txt"
    page.write_text(text, encoding="utf-8")
    assert main(["clean", "--drop-repeats", str(page)]) == EXIT_OK
    assert capsys.readouterr().out.rstrip("\n") == once
    record = json.dumps({"text": text}).encode()
    [result] = clean_batch([(1, record)], CorpusOptions(drop_repeats=True))
    assert json.loads(result[2])["clean_text"] == once
    [result] = clean_batch([(1, record)], CorpusOptions())
    assert json.loads(result[2])["clean_text"] == clean(text)


def test_drop_repeats_is_saved_and_checked(tmp_path):
    model = copy.copy(load_model()).set_params(drop_repeats=True)
    model.save(tmp_path / "once.npz")
    assert load_model(tmp_path / "once.npz").drop_repeats is True
    rewrite_model_file(tmp_path / "once.npz", tmp_path / "old.npz", change_meta=lambda m: m.pop("drop_repeats"))
    assert load_model(tmp_path / "old.npz").drop_repeats is False
    rewrite_model_file(tmp_path / "once.npz", tmp_path / "bad.npz", change_meta=lambda m: m.update(drop_repeats=1))
    with pytest.raises(ModelFileError, match="drop_repeats"):
        load_model(tmp_path / "bad.npz")


def test_a_kept_truncated_twin_of_a_kept_line_is_dropped():
    page = [
        "Putin warns of a long and hard winter ahead",
        "Putin warns of...",  # the headline again, cut short: a related link
        "The president said on Tuesday that the coming months would test the country.",
        "Related: Putin warns of...",  # no twin: it does not start as the headline does
        "Short...",  # too short a stem to tell
    ]
    proba = np.array([0.9, 0.6, 0.9, 0.6, 0.6])
    assert kept_twins(page, proba, 0.45) == [1]
    probas = [proba.copy()]
    drop_kept_twins([page], probas, 0.45)
    assert probas[0].tolist() == [0.9, 0.0, 0.9, 0.6, 0.6]
    # The full line dropped, or the twin dropped already: nothing to do.
    assert kept_twins(page, np.array([0.2, 0.6, 0.9, 0.6, 0.6]), 0.45) == []
    assert kept_twins(page, np.array([0.9, 0.2, 0.9, 0.6, 0.6]), 0.45) == []
    # Two copies of one truncated line are not each other's twin.
    assert kept_twins(["Putin warns of...", "Putin warns of..."], np.array([0.9, 0.9]), 0.45) == []
    # The features' twin flags, when given, narrow the search.
    assert kept_twins(page, proba, 0.45, twins=np.array([False] * 5)) == []
