"""What bpclass's estimators need of scikit-learn's ``BaseEstimator``, without importing it.

Importing scikit-learn takes over a second (it pulls in SciPy), and predicting needs
none of it: a loaded model's trees are plain arrays. So :class:`Estimator` gives the
estimator contract scikit-learn's tools rely on (``get_params``/``set_params`` over
the ``__init__`` parameters, nested ``component__param`` names, ``__sklearn_tags__``,
a ``repr`` of the parameters that differ from their defaults) and scikit-learn is
imported only where it does work: fitting, checking a user's feature matrix, and
building the tags object or the not-fitted error when something asks for them.

``clone``, ``GridSearchCV``, ``cross_val_score`` and scikit-learn's estimator checks
(``tests/test_estimator.py``) accept these classes as they accept their own.
"""

from __future__ import annotations

import inspect


class Estimator:
    """Parameters and tags as scikit-learn's ``BaseEstimator`` has them.

    Subclasses take every parameter as an ``__init__`` keyword and store it unchanged
    under the same name, as scikit-learn's contract asks.
    """

    # "classifier" makes scikit-learn's tools treat the estimator as one
    # (stratified splits, accuracy as the default score).
    _estimator_kind: str | None = None

    @classmethod
    def _get_param_names(cls) -> list[str]:
        init = cls.__init__
        if init is object.__init__:
            return []
        names = []
        for name, parameter in inspect.signature(init).parameters.items():
            if name == "self" or parameter.kind == parameter.VAR_KEYWORD:
                continue
            if parameter.kind == parameter.VAR_POSITIONAL:
                raise RuntimeError(f"{cls.__name__} must not take *args: its parameters are its keywords.")
            names.append(name)
        return sorted(names)

    def get_params(self, deep: bool = True) -> dict:
        """This estimator's parameters (and, with ``deep``, those of estimators it holds
        as ``name__param``)."""
        params = {}
        for name in self._get_param_names():
            value = getattr(self, name)
            if deep and hasattr(value, "get_params") and not isinstance(value, type):
                params.update((f"{name}__{key}", inner) for key, inner in value.get_params().items())
            params[name] = value
        return params

    def set_params(self, **params):
        """Set parameters (``name`` or ``component__name``); returns ``self``."""
        if not params:
            return self
        valid = self.get_params(deep=True)
        nested: dict[str, dict] = {}
        for key, value in params.items():
            name, delim, sub_key = key.partition("__")
            if name not in valid:
                raise ValueError(
                    f"Invalid parameter {name!r} for estimator {type(self).__name__}. "
                    f"Valid parameters are: {sorted(self._get_param_names())!r}."
                )
            if delim:
                nested.setdefault(name, {})[sub_key] = value
            else:
                setattr(self, name, value)
                valid[name] = value
        for name, sub_params in nested.items():
            valid[name].set_params(**sub_params)
        return self

    def __repr__(self) -> str:
        defaults = {
            name: parameter.default
            for name, parameter in inspect.signature(type(self).__init__).parameters.items()
            if parameter.default is not parameter.empty
        }
        changed = []
        for name in self._get_param_names():
            value = getattr(self, name, None)
            default = defaults.get(name, inspect.Parameter.empty)
            if _same_value(value, default):
                continue
            changed.append(f"{name}={value!r}")
        return f"{type(self).__name__}({', '.join(changed)})"

    def __sklearn_tags__(self):
        from sklearn.utils import ClassifierTags, Tags, TargetTags

        tags = Tags(estimator_type=None, target_tags=TargetTags(required=False))
        if self._estimator_kind == "classifier":
            tags.estimator_type = "classifier"
            tags.classifier_tags = ClassifierTags()
            tags.target_tags.required = True
        return tags


def _same_value(value, default) -> bool:
    """Whether a parameter still holds its default (arrays and other odd values: no)."""
    if value is default:
        return True
    try:
        return type(value) is type(default) and bool(value == default)
    except (TypeError, ValueError):
        return False


def not_fitted_error(estimator) -> Exception:
    """scikit-learn's NotFittedError for ``estimator`` (imported only on this error path)."""
    from sklearn.exceptions import NotFittedError

    return NotFittedError(
        f"This {type(estimator).__name__} instance is not fitted yet. Call 'fit' with "
        "appropriate arguments before using this estimator."
    )


def check_fitted(estimator, attribute: str) -> None:
    """Raise scikit-learn's NotFittedError unless ``estimator`` has ``attribute``."""
    if not hasattr(estimator, attribute):
        raise not_fitted_error(estimator)
