"""The training pipeline's parts on tiny hand-made inputs: labels, metrics, layouts, training."""

from __future__ import annotations

import numpy as np
import pytest

import bpclass
from training.align import label_lines
from training.c4rules import c4_keep
from training.prepare import prepare_record, site_of, split_of
from training.textmetrics import bag_f1, tokenize


def test_tokenize_and_bag_f1():
    assert tokenize("Hello, World! 2024") == ["hello", "world", "2024"]
    assert tokenize("天气很好") == ["天", "气", "很", "好"]
    assert bag_f1("a b c", "a b c") == (1.0, 1.0, 1.0)
    p, r, f = bag_f1("a b", "a b c d")
    assert (p, r) == (1.0, 0.5) and f == pytest.approx(2 / 3)
    assert bag_f1("", "") == (1.0, 1.0, 1.0)
    assert bag_f1("x", "") == (0.0, 0.0, 0.0)


def test_alignment_labels_in_order_and_ignores_twins():
    lines = [
        "Menu",
        "Storm hits the coast...",
        "Storm hits the coast",
        "",
        "The storm hit the coast at dawn.",
        "Related",
    ]
    gold = "The storm hit the coast at dawn."
    assert label_lines(lines, gold) == [0, 0, 0, None, 1, 0]
    # With the title given, the headline just above the body is content too.
    assert label_lines(lines, gold, title="Storm hits the coast") == [0, 0, 1, None, 1, 0]


def test_c4_rules():
    assert c4_keep("This is a full sentence.")
    assert not c4_keep("Too short.")
    assert not c4_keep("No terminal punctuation here")
    assert not c4_keep("Please enable JavaScript to view this page.")


def test_sites_and_splits():
    assert site_of({"url": "https://www.Example.com/a", "id": 1, "dataset": "d"}) == "example.com"
    assert site_of({"url": None, "id": "9", "dataset": "d", "duplicate_html_ids": ["3"]}) == "d:3"
    assert site_of({"url": None, "host": "www.Biolog.pl", "id": "9", "dataset": "daniel"}) == "biolog.pl"
    assert split_of("example.com") in ("train", "test")
    assert split_of("example.com") == split_of("example.com")


def test_prepare_record():
    record = {
        "id": "p1",
        "dataset": "demo",
        "url": "https://news.example/x",
        "gold_kind": "full_text",
        "gold_token_recall_in_html": 1.0,
        "title": "Storm hits the coast",
        "html": (
            "<nav>Home</nav><h1>Storm hits the coast</h1><p>The storm hit the coast at dawn.</p><footer>© 2024</footer>"
        ),
        "gold_text": "The storm hit the coast at dawn.",
    }
    page = prepare_record(record)
    assert page["lines"] == ["Home", "Storm hits the coast", "", "The storm hit the coast at dawn.", "", "© 2024"]
    assert page["labels"] == [0, 1, None, 1, None, 0]
    assert page["site"] == "news.example"
    # Kept: 11 tokens (headline 4 + body 7), all 7 gold tokens among them: F1 = 14/18.
    assert page["labeler_f1"] == pytest.approx(14 / 18, abs=1e-4)
    assert prepare_record({**record, "gold_token_recall_in_html": 0.3}) is None
    assert "page_type" not in page and prepare_record({**record, "page_type": "article"})["page_type"] == "article"
    # Other tools' layouts of the page (those installed), each labeled on its own lines.
    from training.layouts import installed_layouts

    assert sorted(page.get("layouts", {})) == sorted(installed_layouts())
    for other in page.get("layouts", {}).values():
        kept = " ".join(line for line, y in zip(other["lines"], other["labels"]) if y == 1)
        assert "The storm hit the coast at dawn." in kept and "©" not in kept
        assert all(y is None for line, y in zip(other["lines"], other["labels"]) if not line.strip())


def test_layout_copies_show_pages_as_other_tools_lay_them_out():
    from training.data import in_layout
    from training.train import LAYOUT_EVERY, layout_copies

    soup = {"lines": ["Home", "", "The storm", "hit", "the coast at dawn.", ""], "labels": [0, None, 1, 1, 1, None]}
    pages = [
        {"id": k, "site": "a", "set": "demo", "lines": ["Home", "The storm hit the coast at dawn."], "labels": [0, 1]}
        for k in range(4 * LAYOUT_EVERY)
    ]
    for page in pages:
        page["layouts"] = {"soup": {**soup, "labeler_f1": 1.0}, "text browser": {**soup, "labeler_f1": 0.5}}
    assert in_layout(pages[0], "none") is None
    assert in_layout(pages[0], "soup")["lines"] == soup["lines"] and "layouts" not in in_layout(pages[0], "soup")
    copies = layout_copies(pages, ("soup", "text browser"))
    # The first layout's copies: pages 0, LAYOUT_EVERY, ...; the second's labels reproduce
    # the gold text too poorly (labeler F1 0.5) to train on.
    assert [c["id"] for c in copies] == list(range(0, len(pages), LAYOUT_EVERY))
    assert copies[0]["lines"] == soup["lines"] and copies[1]["lines"] == [line for line in soup["lines"] if line]
    assert copies[1]["labels"] == [0, 1, 1, 1]


def test_train_on_your_own_pages(tmp_path, capsys):
    from conftest import DATA

    from bpclass.trainer import score_labels
    from training.train import main

    out = tmp_path / "mine.npz"
    assert main(["--pages", str(DATA / "labeled"), "--out", str(out)]) == 0
    import bpclass

    # Four pages are few: the command says so, after the held-out scores of the recipe
    # and of the bundled model on the same pages (the bar to beat).
    pages = bpclass.read_labeled_pages(DATA / "labeled")
    bundled = score_labels(pages, bpclass.load_model().predict([p.lines for p in pages]))
    err = capsys.readouterr().err
    assert "4 labeled pages are few" in err
    assert "4-fold cross-validation by page" in err
    assert f"bundled model: line F1 {bundled.line_f1:.3f}" in err
    held_out = bpclass.load_model(out).metadata_["training_data"]["held_out"]
    assert held_out["folds"] == 4 and held_out["bundled"]["line_f1"] == pytest.approx(bundled.line_f1)
    assert 0 <= held_out["yours"]["bag_f1"] <= 1

    model = bpclass.load_model(out)
    page = (DATA / "pages" / "id_news_banjir.txt").read_text(encoding="utf-8").splitlines()
    assert len(model.predict([page])[0]) == len(page)
    assert model.keep_comments is False
    assert model.lexicon_ is None  # word weights only when asked
    assert main(["--pages", str(DATA / "labeled"), "--out", str(out), "--keep-comments", "--lexicon"]) == 0
    again = bpclass.load_model(out)
    assert again.keep_comments is True and len(again.lexicon_) > 0
    assert len(again.predict([page])[0]) == len(page)
    assert main(["--pages", str(tmp_path / "missing"), "--out", str(out)]) == 2
    assert main(["--keep-comments", "--out", str(out)]) == 2  # the bundled recipe follows the policy
    assert main(["--with-bundled-data", "--out", str(out)]) == 2  # it adds --pages: none given
    assert main(["--with-bundled-data", "--pages", str(DATA / "labeled")]) == 2  # needs --out
    assert "needs --out" in capsys.readouterr().err


def test_scores_of_labels_and_the_groups_of_a_split():
    from bpclass import LabeledPage
    from bpclass.trainer import page_groups, score_labels

    page = LabeledPage(["Headline of it", "", "Share this", "Body text of the page."], [1, None, 0, 1])
    perfect = score_labels([page], [[1, 0, 0, 1]])
    assert (perfect.line_f1, perfect.bag_f1) == (1.0, 1.0)
    kept_all = score_labels([page], [[1, 1, 1, 1]])
    assert kept_all.line_precision == pytest.approx(2 / 3) and kept_all.line_recall == 1.0
    assert 0.8 < kept_all.bag_f1 < 1.0  # two words too many
    assert score_labels([page], [[0, 0, 0, 0]]).line_f1 == 0.0
    site = LabeledPage(["a"], [1], site="news.example")
    from_url = LabeledPage(["a"], [1], url="https://blog.example/post/1")
    assert page_groups([site, from_url]) == (["news.example", "blog.example"], "site")
    assert page_groups([site, page]) == (["page 0", "page 1"], "page")  # one without a site: by page


class _FixedModel:
    """Keeps the first line of every page, drops the rest."""

    def predict(self, pages, threshold=None):
        import numpy as np

        return [np.array([1] + [0] * (len(page) - 1)) for page in pages]


def test_snippet_scores_and_language_table():
    from training.evaluate import format_languages, score_pages, score_snippets

    page = {
        "lang": "de",
        "lines": ["Dieser Satz bleibt  stehen.", "Impressum"],
        "with_snippets": ["Dieser Satz bleibt stehen"],
        "without_snippets": ["Impressum"],
    }
    tallies = score_snippets(_FixedModel(), [page])
    assert tallies["de"]["pages"] == 1
    assert tallies["de"]["bpclass"] == [1, 1, 1, 1]  # the snippet kept, the footer dropped
    assert tallies["de"]["keep-all"] == [1, 1, 0, 1]  # keeping everything keeps the footer
    gold_page = {"lang": "id", "lines": ["Isi berita.", "Menu"], "labels": [1, 0], "gold": "Isi berita."}
    gold_page["labeler_f1"] = 1.0
    scores = score_pages(_FixedModel(), [gold_page])
    assert scores["bpclass"]["bag_f1"] == 1.0 and scores["bpclass"]["line_f1"] == 1.0
    table = format_languages({"all pages": scores})
    assert "| id | 1 | **1.000** |" in table


def test_page_type_table():
    from training.evaluate import format_page_types, score_pages

    article = {"lines": ["Isi berita.", "Menu"], "labels": [1, 0], "gold": "Isi berita.", "labeler_f1": 1.0}
    product = {**article, "gold": "Menu"}  # the model keeps the first line: wrong here
    untyped = score_pages(_FixedModel(), [article, product])
    assert format_page_types({"someset": untyped, "all pages": untyped}) == ""  # no set gives types
    pages = [{**article, "page_type": "article"}, {**product, "page_type": "product"}, article]
    scored = score_pages(_FixedModel(), pages)
    assert all(t in bpclass.PAGE_TYPES for t in scored["typed_as"][:2]) and scored["typed_as"][2] is None  # untyped
    scored["typed_as"] = ["article", "article", "forum"]  # as if bpclass.pagetype said so
    table = format_page_types({"someset": scored}).splitlines()
    assert table[2:] == [
        "| someset | article | 1 | **1.000** | 0.800 | 0.000 | 1.000 |",  # keep-all: 2 of its 3 words are gold
        "| someset | product | 1 | **0.000** | 0.500 | 0.000 | 0.000 |",
        "| someset | ? | 1 | **1.000** | 0.800 | 0.000 | - |",  # no type to be right about
        "| someset | all typed pages | 2 | | | | **0.500** |",
    ]


def test_skipped_prose_lines_flags_gold_that_skips_the_article():
    from training.data import skipped_prose_lines

    prose = (
        "This is a long sentence of the article body with well over twenty five words in it, "
        "so it counts as prose here and ends like one."
    )
    page = {"lines": ["Title", prose, prose + " Again.", prose + " More.", "Menu"], "labels": [1, 0, 0, 1, 0]}
    assert skipped_prose_lines(page) == 2  # the two prose lines between content lines
    page["labels"] = [1, 1, 1, 1, 0]
    assert skipped_prose_lines(page) == 0
    page["lines"][1] = "Short line."
    page["labels"] = [1, 0, 1, 1, 0]
    assert skipped_prose_lines(page) == 0  # short lines are not prose


def test_training_copies_without_blank_lines():
    from training.train import BLANK_FREE_EVERY, blank_free_copies

    pages = [
        {"id": str(k), "lines": ["Title", "", "Body text.", "  ", "Share"], "labels": [1, None, 1, None, 0]}
        for k in range(2 * BLANK_FREE_EVERY)
    ]
    copies = blank_free_copies(pages)
    assert [c["id"] for c in copies] == [str(k) for k in range(1, len(pages), BLANK_FREE_EVERY)]
    assert copies[0]["lines"] == ["Title", "Body text.", "Share"] and copies[0]["labels"] == [1, 1, 0]
    assert pages[1]["lines"][1] == ""  # the originals are left as they were


def test_content_span_copies():
    from training.data import content_span
    from training.train import SPAN_EVERY, span_copies

    page = {"lines": ["Menu", "Title", "", "Ad", "Body.", "Footer"], "labels": [0, 1, None, 0, 1, 0]}
    assert content_span(page)["lines"] == ["Title", "", "Ad", "Body."]
    assert content_span(page)["labels"] == [1, None, 0, 1]
    assert content_span({"lines": ["x"], "labels": [0]})["lines"] == ["x"]  # no content: unchanged
    pages = [{**page, "id": k} for k in range(2 * SPAN_EVERY)]
    assert [c["id"] for c in span_copies(pages)] == list(range(2, len(pages), SPAN_EVERY))


def test_policy_labels_make_short_datelines_bylines_and_credits_boilerplate():
    from training.data import with_policy_labels

    long_dated = "On 14 March 2024 the river rose by a metre and the city opened three shelters for the families."
    page = {
        "lines": [
            "Flood in Medan",
            "",
            "By Jane Doe",
            "14 March 2024, 09:27",
            "Photo: Reuters",
            long_dated,
            "The water went down by noon.",
            "2 hours ago",
        ],
        "labels": [1, None, 1, 1, 1, 1, 1, 0],
    }
    other = {"lines": ["By the river, life goes on."], "labels": [1]}
    snippets_only = {"lines": ["By Jane Doe"], "labels": None}
    first, second, third = with_policy_labels([page, other, snippets_only])
    assert third is snippets_only
    # Short dateline, byline and credit -> 0; the long body line with a date stays content.
    assert first["labels"] == [1, None, 0, 0, 0, 1, 1, 0]
    assert second["labels"] == [1]  # a sentence that starts with "By" is not a byline
    assert page["labels"][2] == 1  # the original is left as it was


def test_label_policy_table_counts_what_the_gold_keeps(tmp_path):
    import gzip
    import json

    from training.experiments.label_policy import policy_table

    body = "The river rose by a metre overnight, and the water reached the first floor of the houses. " * 4
    page = {
        "lines": ["Menu", "Flood in Medan", "By Jane Doe", "14 March 2024", body, "2 Comments", "Ann:", "Stay safe."],
        "labels": [0, 1, 1, 0, 1, 0, 0, 1],
        "gold": "Flood in Medan By Jane Doe " + body + " Stay safe.",
    }
    with gzip.open(tmp_path / "someset.jsonl.gz", "wt", encoding="utf-8") as fh:
        fh.write(json.dumps(page) + "\n")
    table = policy_table(["someset", "missing"], tmp_path).split("\n")
    assert len(table) == 3  # header, rule, one set (a set not prepared is skipped)
    cells = [c.strip() for c in table[2].strip("|").split("|")]
    # headline kept (1 of 1), date dropped (0 of 1), byline kept (1 of 1), no caption,
    # a comment section of three lines (its heading below 360 characters of content), one kept
    assert cells == ["someset", "1", "1.00 (1)", "0.00 (1)", "1.00 (1)", "-", "0.33 (3)"]

    class Keeps:
        """A stand-in model that keeps the lines it is told to."""

        def __init__(self, keep):
            self.keep = keep

        def predict(self, pages):
            return [np.array([int(k in self.keep) for k in range(len(lines))]) for lines in pages]

    # Keeps the headline (line 1), the dateline (3) and one comment line (7): shares of
    # the headline lines (1 of 1), of the date/byline/caption lines (1 of 2) and of the
    # comment lines (1 of 3) that the model keeps.
    table = policy_table(["someset"], tmp_path, model=Keeps({1, 3, 7})).split("\n")
    assert "headline: model keeps" in table[0]
    assert [c.strip() for c in table[2].strip("|").split("|")][-3:] == ["1.000", "0.500", "0.333"]
    table = policy_table(["someset"], tmp_path, model=Keeps(set())).split("\n")
    assert [c.strip() for c in table[2].strip("|").split("|")][-3:] == ["0.000", "0.000", "0.000"]


def test_compare_mean_and_standard_error():
    from training.experiments.compare import mean_and_error

    mean, error = mean_and_error([0.1, -0.1, 0.1, -0.1])
    assert mean == pytest.approx(0.0)
    assert error == pytest.approx(0.11547 / 2, rel=1e-4)  # stdev / sqrt(4)
    assert mean_and_error([0.3]) == (0.3, 0.0)
    with pytest.raises(ValueError):
        mean_and_error([])


def test_cross_validation_by_site():
    from training.experiments.crossval import Rows, cross_validate, fold_of
    from training.train import THRESHOLD

    assert fold_of("example.com", 5) == fold_of("example.com", 5)
    sites = [f"site{k}.org" for k in range(40)]
    assert {fold_of(s, 2) for s in sites} == {0, 1}
    body = "The council said on Monday that the new bridge will open to traffic next spring."
    pages = [
        {
            "site": site,
            "lines": ["Home", "News", "", f"Bridge news {k}", body, "Share", "Copyright 2024"],
            "labels": [0, 0, None, 1, 1, 0, 0],
            "gold": f"Bridge news {k} {body}",
        }
        for k, site in enumerate(sites[:12])
    ]
    fit = Rows(pages, 2)
    # A page's rows all carry its site's fold.
    assert fit.fold.tolist() == [fold_of(p["site"], 2) for p in pages for line in p["lines"] if line.strip()]
    params = {"max_iter": 20, "min_samples_leaf": 1, "learning_rate": 0.5}
    scores = cross_validate(params, fit, {"held": Rows(pages, 2)}, {}, 2)
    # One pass: nothing to blend, one score per threshold (first-pass weight 0).
    assert list(scores) == [(0.0, THRESHOLD)] and set(scores[0.0, THRESHOLD]) == {"held"}
    assert scores[0.0, THRESHOLD]["held"] > 0.9  # every page of this template is learnable from the other fold
    # With a second pass, at two thresholds and two blends: keeping every line
    # (threshold 0) keeps the menus too.
    both = cross_validate(
        params, fit, {"held": Rows(pages, 2)}, {}, 2, second_trees=5, thresholds=(0.0, 0.5), first_weights=(0.0, 1.0)
    )
    assert list(both) == [(0.0, 0.0), (0.0, 0.5), (1.0, 0.0), (1.0, 0.5)]
    for w in (0.0, 1.0):
        assert both[w, 0.5]["held"] > 0.9 and both[w, 0.0]["held"] < both[w, 0.5]["held"]
    # All the weight on the first pass scores as one pass does.
    assert (
        both[1.0, 0.5]["held"]
        == cross_validate(params, fit, {"held": Rows(pages, 2)}, {}, 2, thresholds=(0.5,))[0.0, 0.5]["held"]
    )


def test_evaluate_with_policy_labels(tmp_path):
    import gzip
    import json

    from training.evaluate import evaluate

    # The gold keeps the dateline; our policy calls it boilerplate, and the model
    # (keeping the first line only) drops it.
    page = {
        "split": "test",
        "lines": ["The river rose by a metre overnight.", "14 March 2024"],
        "labels": [1, 1],
        "gold": "The river rose by a metre overnight. 14 March 2024",
        "labeler_f1": 1.0,
    }
    with gzip.open(tmp_path / "someset.jsonl.gz", "wt", encoding="utf-8") as fh:
        fh.write(json.dumps(page) + "\n")
    as_gold = evaluate(_FixedModel(), ["someset"], tmp_path)["someset"]["bpclass"]
    as_policy = evaluate(_FixedModel(), ["someset"], tmp_path, policy=True)["someset"]["bpclass"]
    assert as_gold["line_r"] == 0.5 and as_policy["line_r"] == 1.0
    assert as_gold["bag_f1"] == as_policy["bag_f1"] < 1.0  # the text is still scored against the gold
    # The ceiling: the gold's own labels reproduce it; the policy's drop the dateline it keeps.
    oracle = [evaluate(_FixedModel(), ["someset"], tmp_path, policy=pol)["someset"]["oracle_bag_f1"] for pol in (0, 1)]
    dateline_dropped = bag_f1(page["lines"][0], page["gold"])[2]
    assert oracle[0] == 1.0 and oracle[1] == pytest.approx(dateline_dropped) and dateline_dropped < 1.0


def test_crossval_command_scores_blends_and_content_spans(tmp_path, capsys):
    import gzip
    import json

    from training.experiments import crossval

    body = "The council said on Monday that the new bridge will open to traffic next spring."
    pages = [
        {
            "id": str(k),
            "site": f"site{k}.org",
            "split": "train",
            "labeler_f1": 1.0,
            "lines": ["Home", "News", "", f"Bridge news {k}", body, "Share", "Copyright 2024"],
            "labels": [0, 0, None, 1, 1, 0, 0],
            "gold": f"Bridge news {k} {body}",
        }
        for k in range(40)
    ]
    for name in ("wcxb_dev", "newspaper4k_aed", "daniel", "dragnet", "cleaneval", "krdwrd_canola"):
        with gzip.open(tmp_path / f"{name}.jsonl.gz", "wt", encoding="utf-8") as fh:
            fh.writelines(json.dumps(p) + "\n" for p in pages)
    args = ["--prepared", str(tmp_path), "--folds", "2", "--only", "default", "--dev-pages", "3"]
    weights = ["--second-pass", "3", "--first-pass-weights", "0", "1", "--content-span"]
    assert crossval.main([*args, *weights, "--lexicon", "both"]) == 0
    out = capsys.readouterr().out.splitlines()
    header = "| setting | lexicon | second pass | first-pass weight | seed | threshold | fit s | cross-validated"
    header += " | without blank lines | content span | dragnet | cleaneval | krdwrd_canola | mean |"
    assert header in out
    table = [line for line in out if line.startswith("| default")]
    # One row per word-weights setting and first-pass weight.
    assert [row.split(" | ")[1:4:2] for row in table] == [["off", "0"], ["off", "1"], ["on", "0"], ["on", "1"]]
    assert all(len(row.strip("|").split("|")) == 14 for row in table)
    with pytest.raises(SystemExit):
        crossval.main([*args, "--first-pass-weights", "1.5"])
    # More data: a set's train split in every fold's fit, never scored; not a dev set or a training set.
    with gzip.open(tmp_path / "turku_wac12.jsonl.gz", "wt", encoding="utf-8") as fh:
        fh.writelines(json.dumps({**p, "labels": [0, 0, None, 1, -1, 0, 0]}) + "\n" for p in pages[:10])
    assert crossval.main([*args, "--extra-sets", "turku_wac12"]) == 0
    assert "and 10 pages of turku_wac12 in every fold's fit" in capsys.readouterr().out
    for clash in ("dragnet", "wcxb_dev"):
        with pytest.raises(SystemExit):
            crossval.main([*args, "--extra-sets", clash])
    assert crossval.main([*args, "--extra-sets", "htmltotext_leogao"]) == 2  # not prepared: an error, no traceback
    assert "htmltotext_leogao.jsonl.gz not found" in capsys.readouterr().err
    assert crossval.main([*args, "--dev-sets", "dragnet", "htmltotext_leogao"]) == 2  # a dev set, likewise
    assert "htmltotext_leogao.jsonl.gz not found" in capsys.readouterr().err


def test_line_label_sets_are_trained_on_as_given(tmp_path):
    import gzip
    import json

    from training.data import training_pages
    from training.train import training_copies

    body = "The council said on Monday that the new bridge will open to traffic next spring."
    laid = {"split": "train", "labeler_f1": 1.0, "lines": ["Menu", "", body, "", "Share"]}
    laid["labels"] = [0, None, 1, None, 0]
    given = {"split": "train", "lines": ["Menu", body, "Share", "Login"], "labels": [0, 1, -1, 0]}
    sets = {
        "wcxb_dev": [{**laid, "id": str(k), "site": f"a{k}.org", "gold": body} for k in range(12)],
        "newspaper4k_aed": [{**laid, "id": "n", "site": "n.org", "gold": body, "labeler_f1": 0.5}],  # badly aligned
        "turku_text_quality": [{**given, "id": str(k), "site": f"t{k}", "gold": body} for k in range(12)]
        + [{**given, "id": "test", "site": "t", "gold": body, "split": "test"}],
    }
    for name, pages in sets.items():
        with gzip.open(tmp_path / f"{name}.jsonl.gz", "wt", encoding="utf-8") as fh:
            fh.writelines(json.dumps(p) + "\n" for p in pages)
    pages = training_pages(tmp_path, sets=tuple(sets))
    assert [p["set"] for p in pages] == ["wcxb_dev"] * 12 + ["turku_text_quality"] * 12
    assert pages[-1]["labels"] == [0, 1, None, 0]  # unsure (-1): not scored
    copies = training_copies(pages)
    assert copies and all(c["set"] == "wcxb_dev" for c in copies)  # given lines are not cut or stripped


def test_a_set_trained_whole_has_no_held_out_page(tmp_path, monkeypatch):
    import gzip
    import json

    from training.data import evaluation_pages, training_pages
    from training.experiments.setcv import fit

    body = "The council said on Monday that the new bridge will open to traffic next spring."
    page = {"labeler_f1": 1.0, "lines": ["Menu", "", body], "labels": [0, None, 1], "gold": body}
    pages = [{**page, "id": str(k), "site": f"s{k}.org", "split": "test" if k < 3 else "train"} for k in range(10)]
    with gzip.open(tmp_path / "daniel.jsonl.gz", "wt", encoding="utf-8") as fh:
        fh.writelines(json.dumps(p) + "\n" for p in pages)
    assert len(training_pages(tmp_path, sets=("daniel",))) == 7  # the train split
    assert len(training_pages(tmp_path, sets=("daniel",), whole=("daniel",))) == 10  # every page
    assert [p["id"] for p in evaluation_pages("daniel", tmp_path, ("daniel",))] == ["0", "1", "2"]
    assert evaluation_pages("daniel", tmp_path, ("daniel",), whole=("daniel",)) == []
    assert len(evaluation_pages("daniel", tmp_path, ())) == 10  # a set not trained on: all of it
    # Cross-validation's fold fits must hold their test fold out: they ask for no whole set.
    calls = []
    monkeypatch.setattr("subprocess.run", lambda command, **kwargs: calls.append(command))
    fit(tmp_path, tmp_path / "fold.npz", [])
    command = calls[0]
    at = command.index("--whole-sets")
    assert at == len(command) - 1 or command[at + 1].startswith("--")


def test_benchmark_systems_take_turns_in_rotating_order():
    from training.benchmark import REPEATS, timed

    calls = []
    systems = {name: (lambda name=name: calls.append(name)) for name in "abc"}
    out = timed(systems)
    assert set(out) == set("abc") and all(seconds >= 0 and peak >= 0 for seconds, peak in out.values())
    rounds = calls[3 : 3 + 3 * REPEATS]  # after one warm-up run each, before the memory runs
    assert calls[:3] == list("abc") and calls[3 + 3 * REPEATS :] == list("abc")
    firsts = [rounds[3 * r] for r in range(REPEATS)]
    assert firsts[:3] == list("abc")  # each round starts one system later
    assert all(sorted(rounds[3 * r : 3 * r + 3]) == list("abc") for r in range(REPEATS))


def test_error_bands_show_where_the_loss_is(tmp_path, capsys):
    import gzip
    import json

    from training.evaluate import page_bag_scores
    from training.experiments.errors import band_of, loss_bands, main

    assert [band_of(f) for f in (0.0, 0.19, 0.2, 0.5, 0.8, 0.95, 1.0)] == [0, 0, 1, 2, 3, 4, 4]
    bands = loss_bands([(0.1, 0.1, 0.1), (0.9, 0.9, 0.9), (1.0, 1.0, 1.0)])
    assert [b["pages"] for b in bands] == [1, 0, 0, 1, 1]
    assert bands[0]["loss_share"] == pytest.approx(0.9) and bands[3]["loss_share"] == pytest.approx(0.1)
    assert bands[1]["precision"] is None and bands[0]["recall"] == pytest.approx(0.1)
    assert loss_bands([(1.0, 1.0, 1.0)])[4]["loss_share"] == 0.0  # no loss at all: no division by 0

    body = "The river rose by a metre overnight, and the water reached the first floor of the houses."
    pages = [
        {"split": "test", "lines": [body, "Menu"], "labels": [1, 0], "gold": body},
        {"split": "test", "lines": [body, "Menu"], "labels": [0, 0], "gold": ""},  # nothing to keep
    ]
    assert [round(s[2], 3) for s in page_bag_scores(_FixedModel(), pages)] == [1.0, 0.0]
    with gzip.open(tmp_path / "someset.jsonl.gz", "wt", encoding="utf-8") as fh:
        fh.writelines(json.dumps(p) + "\n" for p in pages)
    assert main(["--prepared", str(tmp_path), "--sets", "someset", "missing"]) == 0
    row = [line for line in capsys.readouterr().out.splitlines() if line.startswith("| someset")]
    assert len(row) == 1 and row[0].endswith("| 1 (1) |")  # the bundled model keeps the sentence on both
    assert main(["--model", str(tmp_path / "nothing.npz")]) == 2


def test_site_share_keeps_whole_sites_and_nests(capsys):
    from training.data import site_share
    from training.train import main

    pages = [{"site": f"site{k // 3}.example", "id": k} for k in range(600)]
    half, quarter = site_share(pages, 0.5), site_share(pages, 0.25)
    assert site_share(pages, 1.0) == pages
    assert 0.35 * len(pages) < len(half) < 0.65 * len(pages)
    assert {p["id"] for p in quarter} < {p["id"] for p in half}  # a smaller share's sites are among a larger one's
    kept_sites = {p["site"] for p in half}
    assert all((p in half) == (p["site"] in kept_sites) for p in pages)  # a site is kept or left whole
    for bad in (0, -0.5, 1.5):
        with pytest.raises(ValueError, match="share of sites"):
            site_share(pages, bad)
    # The command refuses a share that would overwrite the bundled model, and the
    # bundled recipe's options with your own pages.
    assert main(["--site-share", "0.5", "--no-eval"]) == 2
    assert "--site-share needs --out" in capsys.readouterr().err
    assert main(["--pages", "data/labeled", "--extra-sets", "daniel", "--out", "x.npz"]) == 2
    assert "--extra-sets" in capsys.readouterr().err


def test_peers_score_extractors_on_the_same_pages_and_gold(tmp_path, monkeypatch):
    import gzip
    import json

    import bpclass
    from training import peers

    data, prepared = tmp_path / "data", tmp_path / "prepared"
    data.mkdir()
    prepared.mkdir()
    gold = "The river rose by a metre overnight, and the town council met at dawn."
    page = {"id": "p1", "split": "test", "lines": ["Home", gold, "Share"], "labels": [0, 1, 0], "gold": gold}
    with gzip.open(prepared / "cleaneval.jsonl.gz", "wt", encoding="utf-8") as fh:
        fh.write(json.dumps({**page, "labeler_f1": 1.0}) + "\n")
    with gzip.open(data / "cleaneval.jsonl.gz", "wt", encoding="utf-8") as fh:
        fh.write(json.dumps({"id": "p1", "html": f"<p>Home</p><p>{gold}</p>"}) + "\n")
        fh.write(json.dumps({"id": "p2", "html": "<p>a page not prepared</p>"}) + "\n")

    def boom(html):
        raise RuntimeError("an extractor that fails")

    monkeypatch.setattr(peers, "PEERS", {"gold only": lambda html: gold, "all text": lambda html: f"Home {gold}"})
    monkeypatch.setitem(peers.PEERS, "boom", boom)
    model = bpclass.load_model()
    scores = peers.score_set(model, "cleaneval", ["gold only", "all text", "boom"], data, prepared, jobs=1)
    assert scores["gold only"] == [1.0] and scores["boom"] == [0.0]
    assert scores["all text"] == [pytest.approx(bag_f1(f"Home {gold}", gold)[2])] and scores["all text"][0] < 1.0
    kept = "\n".join(line for line, y in zip(page["lines"], model.predict([page["lines"]])[0]) if y)
    assert scores["bpclass"] == [pytest.approx(bag_f1(kept, gold)[2])]
    # Other tools' lines: bpclass reads them instead of its own layout.
    monkeypatch.setattr(peers, "LAYOUTS", {"one": ("json", "one line", lambda html: [gold])})
    scores = peers.score_set(model, "cleaneval", [], data, prepared, jobs=1, layouts=["one"])
    one_line = "\n".join(line for line, y in zip([gold], model.predict([[gold]])[0]) if y)
    assert scores["bpclass on one line"] == [pytest.approx(bag_f1(one_line, gold)[2])]
    assert peers.main(["--prepared", str(tmp_path / "none"), "--data", str(data), "--sets", "cleaneval"]) == 2


def test_snippet_labels_label_only_the_lines_holding_a_snippet():
    from training.prepare import snippet_labels

    lines = [
        "Impressum | Kontakt",
        "Die GEMA dreht  völlig am Zeiger!",
        "",
        "Other text",
        "Die GEMA dreht völlig am Zeiger! Impressum",
    ]
    assert snippet_labels(lines, ["Die GEMA dreht völlig am Zeiger!"], ["Impressum"]) == [0, 1, None, None, None]
    assert snippet_labels(lines, [], []) == [None] * 5


def test_training_on_your_own_text_pages_needs_no_lxml(tmp_path):
    import subprocess
    import sys

    script = (
        "import sys; sys.modules['lxml'] = None\n"  # as if lxml were not installed
        "from training.train import main\n"
        f"sys.exit(main(['--pages', 'data/labeled', '--out', {str(tmp_path / 'mine.npz')!r}]))\n"
    )
    root = __import__("conftest").ROOT
    done = subprocess.run([sys.executable, "-c", script], cwd=root, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert (tmp_path / "mine.npz").exists()


def test_evaluate_in_another_layout(tmp_path):
    import gzip
    import json

    from training.evaluate import evaluate

    # The same page in two layouts: as prepared, one line; as a tool splits it, the
    # first line alone holds half the gold. A page without that layout is left out.
    gold = "The river rose by a metre overnight and the town opened two shelters."
    split = ["The river rose by a metre overnight", "and the town opened two shelters."]
    pages = [
        {"split": "test", "lines": [gold], "labels": [1], "gold": gold, "labeler_f1": 1.0},
        {"split": "test", "lines": [gold], "labels": [1], "gold": gold, "labeler_f1": 1.0},
    ]
    pages[0]["layouts"] = {"tool": {"lines": split, "labels": [1, 1], "labeler_f1": 1.0}}
    with gzip.open(tmp_path / "someset.jsonl.gz", "wt", encoding="utf-8") as fh:
        fh.writelines(json.dumps(p) + "\n" for p in pages)
    own = evaluate(_FixedModel(), ["someset"], tmp_path)["someset"]
    other = evaluate(_FixedModel(), ["someset"], tmp_path, layout="tool")["someset"]
    assert own["pages"] == 2 and own["bpclass"]["bag_f1"] == 1.0
    assert other["pages"] == 1 and other["bpclass"]["bag_f1"] == pytest.approx(bag_f1(split[0], gold)[2])


def test_crossval_scores_other_layouts_of_daniel(tmp_path, capsys):
    import gzip
    import json

    from training.experiments import crossval

    body = "The council said on Monday that the new bridge will open to traffic next spring."
    pieces = ["The council said on Monday that", "the new bridge", "will open to traffic next spring."]

    def page(k, name):
        lines = ["Home", "News", "", f"Bridge news {k}", body, "Share", "Copyright 2024"]
        record = {
            "id": str(k),
            "site": f"site{k}.org",
            "split": "train",
            "labeler_f1": 1.0,
            "lines": lines,
            "labels": [0, 0, None, 1, 1, 0, 0],
            "gold": f"Bridge news {k} {body}",
            "lang": "en",
        }
        if name == "daniel" and k % 4:  # one page in four has no such layout: left out, not an error
            soup = ["Home", "News", f"Bridge news {k}", *pieces, "Share", "Copyright 2024"]
            record["layouts"] = {"soup": {"lines": soup, "labels": [0, 0, 1, 1, 1, 1, 0, 0], "labeler_f1": 1.0}}
        return record

    for name in ("wcxb_dev", "newspaper4k_aed", "daniel", "dragnet"):
        with gzip.open(tmp_path / f"{name}.jsonl.gz", "wt", encoding="utf-8") as fh:
            fh.writelines(json.dumps(page(k, name)) + "\n" for k in range(24))
    args = ["--prepared", str(tmp_path), "--folds", "2", "--only", "default", "--dev-pages", "3", "--layouts"]
    assert crossval.main([*args, "--dev-sets", "dragnet", "--score-layouts", "soup"]) == 0
    out = capsys.readouterr().out.splitlines()
    header = next(line for line in out if line.startswith("| setting"))
    assert header.endswith("| cross-validated | without blank lines | daniel soup | dragnet | mean |")
    row = next(line for line in out if line.startswith("| default")).strip("|").split("|")
    soup = float(row[header.strip("|").split("|").index(" daniel soup ")])
    assert 0.5 < soup <= 1.0  # the pieces of the body are scored as its lines, against the same gold
