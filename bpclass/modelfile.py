"""The model file: saving, loading and checking the ``.npz`` format.

A model file is a numpy ``.npz`` archive of plain arrays (the trees of its forests,
see :mod:`bpclass.estimator`, and the lexicon's words and weights) plus one JSON
document of metadata. It is read with ``allow_pickle=False`` and checked before use,
so loading a file never runs code from it. The metadata records the format version,
the package versions, the ordered feature names, the training data and the scores; a
file whose features do not match this version's
:data:`~bpclass.features.FEATURE_NAMES` is refused.

:func:`write_model` writes a fitted model; :func:`read_model_file` and
:func:`read_bundled_model` return the checked parts a model is built from.
"""

from __future__ import annotations

import io
import json
import os
import zipfile
from importlib import resources

import numpy as np

from bpclass.checks import DEFAULT_THRESHOLD, check_first_pass_weight, check_markup_text_weight, check_threshold
from bpclass.context import CONTEXT_FEATURE_NAMES
from bpclass.estimator import TREE_ARRAYS, LineClassifier
from bpclass.features import FEATURE_NAMES, Lexicon
from bpclass.markup import MARKUP_FEATURE_NAMES

FORMAT_NAME = "bpclass-model"
# 2 added the second pass (its forest's arrays are prefixed CONTEXT_PREFIX); 3 added
# first_pass_weight, which a file of the second pass must give (an older bpclass would
# ignore it and predict otherwise, so it refuses format 3); 4 added the lexicon (arrays
# LEXICON_WORDS and LEXICON_WEIGHTS); 5 added the trees of the pages a lexicon does not
# cover (arrays prefixed UNCOVERED_PREFIX, metadata uncovered_trees), which an older
# bpclass would not use; 6 added the HTML stage (arrays prefixed MARKUP_PREFIX,
# metadata markup_trees and markup_feature_names), which an older bpclass would
# ignore on HTML pages. Files of formats 1 (one forest) and 2 (the second pass alone
# decides: weight 0) are still read.
FORMAT_VERSION = 6
OLDEST_FORMAT_VERSION = 1
CONTEXT_PREFIX = "context_"
UNCOVERED_PREFIX = "uncovered_"
MARKUP_PREFIX = "markup_"
# The lexicon's words (UTF-8, one per line) and their float32 weights.
LEXICON_WORDS = "lexicon_words"
LEXICON_WEIGHTS = "lexicon_weights"
# Groups of pages (by ``fit``'s ``groups``) whose first-pass probabilities the second
DEFAULT_MODEL = "default.npz"
# A model file larger than this is refused before it is read.
MAX_MODEL_BYTES = 200 * 1024 * 1024
# Caps checked before anything is inflated: arrays in a file, the inflated size of one
# array and of all of them, of the metadata, and how deep its JSON nests. Then each
# forest: trees and nodes, and the depth of a tree (the walk lays trees out by depth).
# The bundled model is far under each (35 arrays, 0.8 MB inflated, trees of depth 5).
MAX_ARRAYS = 64
MAX_ARRAY_BYTES = 256 * 1024 * 1024
MAX_INFLATED_BYTES = 512 * 1024 * 1024
MAX_METADATA_BYTES = 4 * 1024 * 1024
MAX_METADATA_DEPTH = 32
MAX_TREES = 20_000
MAX_TREE_DEPTH = 32
# How much of a bad value a message quotes.
EXCERPT_CHARS = 60
_METADATA_KEY = "metadata"


class ModelFileError(ValueError):
    """A model file that cannot be used: missing, corrupt, or made for other code."""


def _version() -> str:
    from bpclass import __version__

    return __version__


def _saved_params(estimator) -> dict:
    """An estimator's parameters as a model file records them (how chatty training
    was is not part of the model)."""
    return {k: v for k, v in estimator.get_params().items() if k != "verbose"}


def _library_versions() -> dict:
    import sklearn

    return {"numpy": np.__version__, "scikit-learn": sklearn.__version__}


def _excerpt(value) -> str:
    """A bad value from a file, as a message may quote it: its repr, cut short."""
    text = repr(value)
    return text if len(text) <= EXCERPT_CHARS else text[: EXCERPT_CHARS - 3] + "..."


# The .npy header versions numpy writes for plain arrays.
_HEADER_READERS = {(1, 0): np.lib.format.read_array_header_1_0, (2, 0): np.lib.format.read_array_header_2_0}


def _check_members(data: bytes, name: str) -> None:
    """Refuse an archive whose members would inflate past the caps, or whose arrays say
    (in their .npy headers, read before any data) that they hold more than their
    member's size or objects: nothing is inflated whole before this."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            if len(members) > MAX_ARRAYS:
                raise ModelFileError(f"{name} holds {len(members)} arrays, more than the {MAX_ARRAYS} allowed.")
            if sum(m.file_size for m in members) > MAX_INFLATED_BYTES:
                raise ModelFileError(f"{name} would inflate to more than {MAX_INFLATED_BYTES} bytes; refused.")
            for member in members:
                if member.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) or member.flag_bits & 1:
                    raise ModelFileError(f"{name}: array {_excerpt(member.filename)} is encrypted or oddly compressed.")
                cap = MAX_METADATA_BYTES if member.filename == _METADATA_KEY + ".npy" else MAX_ARRAY_BYTES
                if member.file_size > cap:
                    raise ModelFileError(
                        f"{name}: array {_excerpt(member.filename)} would inflate to {member.file_size} bytes, "
                        f"more than the {cap} allowed."
                    )
                with archive.open(member) as fh:
                    version = np.lib.format.read_magic(fh)
                    if version not in _HEADER_READERS:
                        raise ModelFileError(f"{name}: array {_excerpt(member.filename)} is of .npy version {version}.")
                    shape, _, dtype = _HEADER_READERS[version](fh)
                if dtype.hasobject:
                    raise ModelFileError(f"{name} holds data that could run code when loaded; refused.")
                if int(np.prod(shape, dtype=object)) * dtype.itemsize > member.file_size:
                    raise ModelFileError(f"{name}: array {_excerpt(member.filename)} says it is larger than it is.")
    except ModelFileError:
        raise
    except Exception as exc:  # noqa: BLE001 - zipfile's and numpy's parsers on hostile bytes: the file's fault
        raise ModelFileError(f"{name} is not a bpclass model file (not a readable .npz archive: {exc}).") from exc


def _nesting(value) -> int:
    """How deep a parsed JSON value nests (a scalar: 0), walked without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        for child in children:
            if isinstance(child, (dict, list)):
                if depth + 1 > MAX_METADATA_DEPTH:
                    return depth + 1
                stack.append((child, depth + 1))
        deepest = max(deepest, depth)
    return deepest


def _read_archive(data: bytes, name: str) -> tuple[dict, dict]:
    """Arrays and metadata from the bytes of an npz archive, refusing anything but plain arrays."""
    if not data.startswith(b"PK\x03\x04"):
        raise ModelFileError(f"{name} is not a bpclass model file (not an .npz archive).")
    _check_members(data, name)
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as archive:
            arrays = {key: archive[key] for key in archive.files}
    except ValueError as exc:
        # numpy raises ValueError for object arrays, which would need unpickling.
        raise ModelFileError(f"{name} holds data that cannot be read safely; refused ({_excerpt(str(exc))}).") from exc
    except Exception as exc:  # noqa: BLE001 - zipfile's and numpy's parsers on hostile bytes: the file's fault
        raise ModelFileError(f"{name} is not a bpclass model file (not a readable .npz archive: {exc}).") from exc
    if _METADATA_KEY not in arrays:
        raise ModelFileError(f"{name} is not a bpclass model file (no metadata).")
    raw = arrays.pop(_METADATA_KEY)
    if raw.dtype != np.uint8 or raw.ndim != 1:
        raise ModelFileError(f"{name}: its metadata is not text (an array of {raw.dtype}, {raw.ndim}-d).")
    try:
        metadata = json.loads(raw.tobytes().decode("utf-8"))
    except RecursionError as exc:
        raise ModelFileError(f"{name}: its metadata nests too deeply.") from exc
    except (UnicodeDecodeError, json.JSONDecodeError, TypeError, ValueError) as exc:
        raise ModelFileError(f"{name}: its metadata is not valid JSON ({_excerpt(str(exc))}).") from exc
    if not isinstance(metadata, dict):
        raise ModelFileError(f"{name}: its metadata is not a JSON object.")
    if _nesting(metadata) > MAX_METADATA_DEPTH:
        raise ModelFileError(f"{name}: its metadata nests deeper than {MAX_METADATA_DEPTH} levels.")
    return arrays, metadata


def _check_metadata(metadata: dict, name: str) -> None:
    if metadata.get("format") != FORMAT_NAME:
        raise ModelFileError(f"{name} is not a bpclass model file (format is {_excerpt(metadata.get('format'))}).")
    version = metadata.get("format_version")
    if not isinstance(version, int):
        raise ModelFileError(f"{name}: format_version is missing or not an integer.")
    if version > FORMAT_VERSION:
        raise ModelFileError(
            f"{name} uses model format {version}, made by a newer bpclass "
            f"({_excerpt(metadata.get('bpclass_version'))}); this bpclass ({_version()}) reads format "
            f"{FORMAT_VERSION}. Upgrade bpclass."
        )
    if version < OLDEST_FORMAT_VERSION:
        raise ModelFileError(
            f"{name} uses model format {version}, which this bpclass ({_version()}) no longer "
            f"reads (it reads formats {OLDEST_FORMAT_VERSION} to {FORMAT_VERSION}). Retrain the "
            "model with training/train.py."
        )
    names = metadata.get("feature_names")
    if not isinstance(names, list) or not names:
        raise ModelFileError(f"{name} does not list its feature names; refused.")
    if tuple(names) != FEATURE_NAMES:
        missing = [f for f in FEATURE_NAMES if f not in names]
        unexpected = [f for f in names if f not in FEATURE_NAMES]
        detail = []
        if missing:
            detail.append(f"missing {len(missing)} (e.g. {_excerpt(missing[:3])})")
        if unexpected:
            detail.append(f"unknown {len(unexpected)} (e.g. {_excerpt(unexpected[:3])})")
        if not detail:
            detail.append("same names in another order")
        raise ModelFileError(
            f"{name} was trained on features that do not match this bpclass ({_version()}): "
            f"{'; '.join(detail)}. Retrain it with this version (training/train.py)."
        )
    classes = metadata.get("classes")
    if classes != [0, 1]:
        raise ModelFileError(f"{name}: a line model must have classes [0, 1]; the file says {_excerpt(classes)}.")
    threshold = metadata.get("threshold", DEFAULT_THRESHOLD)
    try:
        check_threshold(threshold)
    except ValueError as exc:
        raise ModelFileError(f"{name}: {exc}") from exc
    if not isinstance(metadata.get("lexicon", False), bool):
        raise ModelFileError(f"{name}: lexicon must be true or false; it is {_excerpt(metadata['lexicon'])}.")
    uncovered = metadata.get("uncovered_trees", False)
    if not isinstance(uncovered, bool) or (uncovered and (version < 5 or metadata.get("lexicon") is not True)):
        raise ModelFileError(
            f"{name}: uncovered_trees must be true or false, and true only with a lexicon (format 5 and "
            f"later); it is {_excerpt(uncovered)}."
        )
    if not isinstance(metadata.get("keep_comments", False), bool):
        raise ModelFileError(
            f"{name}: keep_comments must be true or false; it is {_excerpt(metadata['keep_comments'])}."
        )
    if not isinstance(metadata.get("drop_repeats", False), bool):
        raise ModelFileError(f"{name}: drop_repeats must be true or false; it is {_excerpt(metadata['drop_repeats'])}.")
    second_pass = metadata.get("second_pass", False)
    if version >= 3 and second_pass is True and "first_pass_weight" not in metadata:
        raise ModelFileError(f"{name}: a format-{version} file with a second pass must give its first_pass_weight.")
    try:
        check_first_pass_weight(_file_first_pass_weight(metadata))
    except ValueError as exc:
        raise ModelFileError(f"{name}: {exc}") from exc
    if not isinstance(second_pass, bool) or (second_pass and version < 2):
        raise ModelFileError(
            f"{name}: second_pass must be true or false (format 2 and later); it is {_excerpt(second_pass)}."
        )
    if second_pass and metadata.get("context_feature_names") != list(CONTEXT_FEATURE_NAMES):
        raise ModelFileError(
            f"{name}: its second pass reads other context columns than this bpclass ({_version()}); "
            "retrain it with this version (training/train.py)."
        )
    markup = metadata.get("markup_trees", False)
    if not isinstance(markup, bool) or (markup and version < 6):
        raise ModelFileError(
            f"{name}: markup_trees must be true or false (format 6 and later); it is {_excerpt(markup)}."
        )
    if markup:
        try:
            check_markup_text_weight(metadata.get("markup_text_weight", 0.0))
        except ValueError as exc:
            raise ModelFileError(f"{name}: {exc}") from exc
    if markup and metadata.get("markup_feature_names") != list(MARKUP_FEATURE_NAMES):
        raise ModelFileError(
            f"{name}: its HTML stage reads other markup columns than this bpclass ({_version()}); "
            "retrain it with this version (python -m training.train --html)."
        )


_DTYPES = {
    "feature": np.integer,
    "left": np.integer,
    "right": np.integer,
    "roots": np.integer,
    "tree_class": np.integer,
    "threshold": np.floating,
    "value": np.floating,
    "baseline": np.floating,
}


def _file_first_pass_weight(metadata: dict):
    """The first-pass weight a model file gives (unchecked); files of format 2 and
    older predate the blend: their second pass alone decided (0)."""
    return metadata.get("first_pass_weight", 0.0) if metadata["format_version"] >= 3 else 0.0


def _check_trees(
    arrays: dict, name: str, prefix: str = "", n_features: int = len(FEATURE_NAMES), n_classes: int = 1
) -> dict:
    """Refuse tree arrays (those named ``prefix`` + a TREE_ARRAYS name) that are
    inconsistent, out of range, or cyclic (``n_classes``: raw-score columns)."""
    missing = [prefix + key for key in TREE_ARRAYS if prefix + key not in arrays]
    if missing:
        raise ModelFileError(f"{name} lacks the arrays {missing}; refused.")
    trees = {}
    for key in TREE_ARRAYS:
        a = arrays[prefix + key]
        if a.ndim != 1 or not np.issubdtype(a.dtype, _DTYPES[key]):
            raise ModelFileError(f"{name}: array {key!r} has the wrong shape or type ({a.dtype}, {a.shape}).")
        trees[key] = a.astype(np.int64 if np.issubdtype(a.dtype, np.integer) else np.float64)
    n_nodes = len(trees["feature"])
    if any(len(trees[k]) != n_nodes for k in ("threshold", "left", "right", "value")):
        raise ModelFileError(f"{name}: node arrays differ in length.")
    if len(trees["roots"]) != len(trees["tree_class"]) or len(trees["baseline"]) != n_classes:
        raise ModelFileError(f"{name}: tree arrays are inconsistent.")
    if not all(np.isfinite(trees[k]).all() for k in ("value", "baseline")) or np.isnan(trees["threshold"]).any():
        raise ModelFileError(f"{name}: tree values are not finite.")
    inner = trees["feature"] >= 0
    idx = np.arange(n_nodes)
    if (trees["feature"] >= n_features).any() or (trees["feature"] < -1).any():
        raise ModelFileError(f"{name}: a split refers to a feature that does not exist.")
    # Children always come after their parent: this rules out cycles, so
    # prediction is sure to reach a leaf.
    for side in ("left", "right"):
        child = trees[side][inner]
        if ((child <= idx[inner]) | (child >= n_nodes)).any():
            raise ModelFileError(f"{name}: tree links are out of range or cyclic; refused.")
    bad_class = (trees["tree_class"] < 0) | (trees["tree_class"] >= n_classes)
    if ((trees["roots"] < 0) | (trees["roots"] >= max(n_nodes, 1))).any() or bad_class.any():
        raise ModelFileError(f"{name}: tree roots or classes are out of range.")
    _check_forest(trees, inner, name)
    return trees


def _check_forest(trees: dict, inner: np.ndarray, name: str) -> None:
    """Refuse node arrays that are not a forest of real trees: every node must be a
    root or the child of exactly one node (so no two links, and no two roots, share a
    node, and each node is reached once), no tree deeper than MAX_TREE_DEPTH, and no
    more than MAX_TREES trees. Shared children would make the walk's layout grow with
    the number of paths, not of nodes."""
    roots, n_nodes = trees["roots"], len(trees["feature"])
    if len(roots) > MAX_TREES:
        raise ModelFileError(f"{name} has {len(roots)} trees, more than the {MAX_TREES} allowed.")
    parents = np.bincount(np.concatenate([trees["left"][inner], trees["right"][inner]]), minlength=n_nodes)
    parents += np.bincount(roots, minlength=n_nodes)
    if n_nodes and (parents != 1).any():
        raise ModelFileError(f"{name}: its trees share or leave out nodes (each must be reached once); refused.")
    frontier, depth = roots, 0
    while len(frontier := frontier[inner[frontier]]):
        depth += 1
        if depth > MAX_TREE_DEPTH:
            raise ModelFileError(f"{name}: a tree is deeper than the {MAX_TREE_DEPTH} levels allowed; refused.")
        frontier = np.concatenate([trees["left"][frontier], trees["right"][frontier]])


def _estimator_from(trees: dict, params, n_features: int, name: str) -> LineClassifier:
    if not isinstance(params, dict):
        raise ModelFileError(f"{name}: estimator parameters must be a JSON object, not {type(params).__name__}.")
    known = LineClassifier().get_params()
    estimator = LineClassifier(**{k: v for k, v in params.items() if k in known})
    estimator.trees_ = trees
    estimator._prepare_walk()
    estimator.classes_ = np.array([0, 1])
    estimator.n_features_in_ = n_features
    estimator.n_iter_ = len(trees["roots"])
    return estimator


def _passes_from(arrays: dict, metadata: dict, name: str, prefix: str = "") -> tuple:
    """The checked ``(first, second)`` forests of a model file whose arrays are
    named ``prefix`` + a TREE_ARRAYS name (the second's also CONTEXT_PREFIX); second
    is None without a second pass."""
    params = metadata.get("estimator_params") or {}
    estimator = _estimator_from(_check_trees(arrays, name, prefix), params, len(FEATURE_NAMES), name)
    second = None
    if metadata.get("second_pass"):
        n_features = len(FEATURE_NAMES) + len(CONTEXT_FEATURE_NAMES)
        second_params = metadata.get("context_estimator_params") or params
        second = _estimator_from(
            _check_trees(arrays, name, prefix + CONTEXT_PREFIX, n_features), second_params, n_features, name
        )
    return estimator, second


def _parts(arrays: dict, metadata: dict, name: str) -> dict:
    """The checked parts of a model file: ``params`` (the model's constructor
    parameters) and ``fitted`` (its fitted attributes), as
    :class:`~bpclass.model.BoilerplateClassifier` takes them."""
    _check_metadata(metadata, name)
    estimator, second = _passes_from(arrays, metadata, name)
    uncovered = (None, None)
    if metadata.get("uncovered_trees"):
        uncovered = _passes_from(arrays, metadata, name, UNCOVERED_PREFIX)
    markup = None
    if metadata.get("markup_trees"):
        n_markup = len(MARKUP_FEATURE_NAMES)
        markup = _estimator_from(
            _check_trees(arrays, name, MARKUP_PREFIX, n_markup),
            metadata.get("markup_estimator_params") or {},
            n_markup,
            name,
        )
    params = {
        "threshold": float(metadata.get("threshold", DEFAULT_THRESHOLD)),
        "second_pass": second is not None,
        "first_pass_weight": float(_file_first_pass_weight(metadata)),
        "keep_comments": metadata.get("keep_comments", False),
        "drop_repeats": metadata.get("drop_repeats", False),
        "lexicon": metadata.get("lexicon", False),
    }
    if markup is not None:
        params["markup_text_weight"] = float(metadata.get("markup_text_weight", 0.0))
    # What the fitted model holds in its own attributes is not repeated in metadata_.
    held = (
        "feature_names",
        "estimator_params",
        "context_feature_names",
        "context_estimator_params",
        "markup_feature_names",
        "markup_estimator_params",
    )
    fitted = {
        "estimator_": estimator,
        "context_estimator_": second,
        "uncovered_estimator_": uncovered[0],
        "uncovered_context_estimator_": uncovered[1],
        "lexicon_": _lexicon_from(arrays, name) if metadata.get("lexicon") else None,
        "markup_estimator_": markup,
        "feature_names_": FEATURE_NAMES,
        "metadata_": {k: v for k, v in metadata.items() if k not in held},
    }
    return {"params": params, "fitted": fitted}


def _lexicon_from(arrays: dict, name: str) -> Lexicon:
    """The lexicon of a model file, checked: words and weights as many, words
    distinct and non-empty, weights finite."""
    missing = [key for key in (LEXICON_WORDS, LEXICON_WEIGHTS) if key not in arrays]
    if missing:
        raise ModelFileError(f"{name} says it has a lexicon but lacks the arrays {missing}; refused.")
    words, weights = arrays[LEXICON_WORDS], arrays[LEXICON_WEIGHTS]
    if words.ndim != 1 or words.dtype != np.uint8 or weights.ndim != 1 or weights.dtype != np.float32:
        raise ModelFileError(f"{name}: its lexicon arrays have the wrong shape or type.")
    try:
        text = words.tobytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ModelFileError(f"{name}: its lexicon's words are not UTF-8 ({exc}).") from exc
    try:
        return Lexicon(text.split("\n") if text else [], weights)
    except ValueError as exc:
        raise ModelFileError(f"{name}: {exc}") from exc


def read_model_file(path) -> dict:
    """The checked parts (see :func:`_parts`) of the model file at ``path``."""
    name = os.fspath(path)
    if os.path.isdir(name):
        raise ModelFileError(f"model path {name} is a directory, not a model file.")
    try:
        size = os.path.getsize(name)
    except OSError as exc:
        raise ModelFileError(f"cannot read model file {name}: {exc.strerror or exc}.") from exc
    if size == 0:
        raise ModelFileError(f"model file {name} is empty.")
    if size > MAX_MODEL_BYTES:
        raise ModelFileError(f"model file {name} is {size} bytes, more than the {MAX_MODEL_BYTES} allowed.")
    try:
        with open(name, "rb") as fh:
            data = fh.read()
    except OSError as exc:
        raise ModelFileError(f"cannot read model file {name}: {exc.strerror or exc}.") from exc
    return _checked_parts(data, name)


def _checked_parts(data: bytes, name: str) -> dict:
    """:func:`_parts` of an archive's bytes; whatever fails while reading them (memory
    included) is a ModelFileError."""
    try:
        arrays, metadata = _read_archive(data, name)
        return _parts(arrays, metadata, name)
    except ModelFileError:
        raise
    except (MemoryError, RecursionError, ArithmeticError, LookupError, TypeError, ValueError) as exc:
        raise ModelFileError(f"{name} cannot be loaded ({type(exc).__name__}: {_excerpt(str(exc))}).") from exc


def read_bundled_model() -> dict:
    """The checked parts (see :func:`_parts`) of the bundled default model."""
    resource = resources.files("bpclass") / "models" / DEFAULT_MODEL
    try:
        data = resource.read_bytes()
    except (FileNotFoundError, OSError) as exc:
        raise ModelFileError(
            "the bundled default model is missing from this installation "
            "(bpclass/models/default.npz); reinstall bpclass or pass a model path."
        ) from exc
    return _checked_parts(data, "the bundled model")


def write_model(model, path) -> None:
    """Write a fitted :class:`~bpclass.model.BoilerplateClassifier` to ``path``."""
    est = model.estimator_
    metadata = {
        **model.metadata_,
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "bpclass_version": _version(),
        "library_versions": _library_versions(),
        "feature_names": list(model.feature_names_),
        "classes": est.classes_.tolist(),
        "threshold": float(model.threshold),
        "keep_comments": bool(model.keep_comments),
        "drop_repeats": bool(getattr(model, "drop_repeats", False)),
        "estimator_params": _saved_params(est),
    }
    second = getattr(model, "context_estimator_", None)
    metadata["second_pass"] = second is not None
    arrays = {name: est.trees_[name] for name in TREE_ARRAYS}
    if second is not None:
        metadata["context_feature_names"] = list(CONTEXT_FEATURE_NAMES)
        metadata["first_pass_weight"] = float(model.first_pass_weight)
        metadata["context_estimator_params"] = _saved_params(second)
        arrays.update({CONTEXT_PREFIX + name: second.trees_[name] for name in TREE_ARRAYS})
    lexicon = getattr(model, "lexicon_", None)
    metadata["lexicon"] = lexicon is not None
    uncovered = getattr(model, "uncovered_estimator_", None)
    metadata["uncovered_trees"] = uncovered is not None
    if uncovered is not None:
        arrays.update({UNCOVERED_PREFIX + name: uncovered.trees_[name] for name in TREE_ARRAYS})
        if second is not None:
            trees = model.uncovered_context_estimator_.trees_
            arrays.update({UNCOVERED_PREFIX + CONTEXT_PREFIX + name: trees[name] for name in TREE_ARRAYS})
    markup = getattr(model, "markup_estimator_", None)
    metadata["markup_trees"] = markup is not None
    if markup is not None:
        metadata["markup_feature_names"] = list(MARKUP_FEATURE_NAMES)
        metadata["markup_estimator_params"] = _saved_params(markup)
        metadata["markup_text_weight"] = float(model.markup_text_weight)
        arrays.update({MARKUP_PREFIX + name: markup.trees_[name] for name in TREE_ARRAYS})
    if lexicon is not None:
        arrays[LEXICON_WORDS] = np.frombuffer("\n".join(lexicon.words).encode("utf-8"), dtype=np.uint8)
        arrays[LEXICON_WEIGHTS] = lexicon.weights.astype(np.float32)
    arrays[_METADATA_KEY] = np.frombuffer(json.dumps(metadata, indent=1).encode("utf-8"), dtype=np.uint8)
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    with open(path, "wb") as fh:
        fh.write(buffer.getvalue())
