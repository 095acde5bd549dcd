"""Recalibration of a monthly hazard model on the latest fully observed years before a cut-off.

A model fitted on a few hundred people spreads its risks too widely (over-confidence) and
carries the attrition level of the years it learned from into the years it predicts. Both
show as calibration error. The fix is a two-number map on the log-odds of every monthly hazard,
logit(h') = a + b * logit(h), fitted on held-out years: models trained before internal origins
12, 15 and 18 months before the cut-off predict the 12 months after their origin (all of which
are before the cut-off), and (a, b) maximise the likelihood of what happened (IPCW-weighted
12-month voluntary exits). Because the map acts on the monthly hazard, the 3, 6 and 12-month
probabilities and the survival curve stay consistent; because b > 0 it never changes anyone's
rank, so ROC AUC, PR AUC and the concordance index are untouched.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from scipy.optimize import minimize
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.linear_model import LogisticRegression
from sklearn.utils import get_tags
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import check_is_fitted, validate_data

SLOPE_BOUNDS = (0.05, 1.0)  # shrink only: a small sample never earns a steeper slope than fitted
INTERCEPT_BOUNDS = (-8.0, 8.0)  # wide: with a small slope the intercept carries the level (about -4 a month)


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-9, 1 - 1e-9)
    return np.log(p / (1 - p))


def _expit(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


class Recalibrated(ClassifierMixin, BaseEstimator):
    """A binary hazard classifier whose probabilities are mapped by logit(h') = intercept + slope * logit(h).

    `fit` fits a clone of `estimator` (LogisticRegression when None) and keeps the map as given;
    `from_fitted` wraps an estimator that is already fitted, which is how the model uses it (the
    map is fitted separately, on 12-month outcomes, by `fit_map`). One row per sample.
    """

    def __init__(self, estimator: Any = None, intercept: float = 0.0, slope: float = 1.0):
        self.estimator = estimator
        self.intercept = intercept
        self.slope = slope

    @classmethod
    def from_fitted(cls, fitted: Any, intercept: float = 0.0, slope: float = 1.0) -> Recalibrated:
        """Wrap an already fitted estimator without refitting it."""
        out = cls(fitted, intercept, slope)
        out.estimator_ = fitted
        out.classes_ = fitted.classes_
        if hasattr(fitted, "n_features_in_"):
            out.n_features_in_ = fitted.n_features_in_
        return out

    @property
    def base(self) -> Any:
        """The fitted estimator under the map."""
        check_is_fitted(self, "estimator_")
        return self.estimator_

    def fit(self, X, y):  # noqa: ANN001, ANN201 - scikit-learn signature
        X, y = validate_data(self, X, y, ensure_all_finite="allow-nan")
        check_classification_targets(y)
        y_type = type_of_target(y, input_name="y", raise_unknown=True)
        if y_type not in ("binary", "unknown") and len(np.unique(y)) > 2:
            raise ValueError(f"Only binary classification is supported. The type of the target is {y_type}.")
        estimator = clone(self.estimator) if self.estimator is not None else LogisticRegression()
        self.estimator_ = estimator.fit(X, y)
        self.classes_ = self.estimator_.classes_
        return self

    def predict_proba(self, X) -> np.ndarray:  # noqa: ANN001
        check_is_fitted(self, "estimator_")
        if hasattr(self, "n_features_in_"):
            X = validate_data(self, X, reset=False, ensure_all_finite="allow-nan")
        proba = np.asarray(self.estimator_.predict_proba(X), dtype=float)
        if proba.shape[1] < 2:
            return proba
        mapped = _expit(self.intercept + self.slope * _logit(proba[:, -1]))
        return np.column_stack([1.0 - mapped, mapped])

    def predict(self, X) -> np.ndarray:  # noqa: ANN001
        check_is_fitted(self, "estimator_")
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]

    def __sklearn_tags__(self):  # noqa: ANN204
        tags = super().__sklearn_tags__()
        inner = self.estimator if self.estimator is not None else LogisticRegression()
        inner_tags = get_tags(inner)
        tags.input_tags.allow_nan = inner_tags.input_tags.allow_nan
        tags.classifier_tags.poor_score = inner_tags.classifier_tags.poor_score
        tags.classifier_tags.multi_class = False  # a hazard: one event or none
        return tags


def fit_map(hazards: np.ndarray, event: np.ndarray, weight: np.ndarray) -> tuple[float, float]:
    """(a, b) maximising the weighted likelihood of 12-month outcomes given monthly hazards (people x months).

    Rows with zero weight (outcome unknown) are ignored. Returns (0, 1), the identity, when
    there is nothing to fit on (no weight, or only one outcome).
    """
    a, b, _ = fit_map_scored(hazards, event, weight)
    return a, b


def fit_map_scored(hazards: np.ndarray, event: np.ndarray, weight: np.ndarray) -> tuple[float, float, float]:
    """fit_map's (a, b) and the weighted mean log-loss of the 12-month outcomes under the map.

    The loss compares projections of the same people: lower means the mapped hazards predicted
    who left within 12 months better. NaN when there is nothing to fit on.
    """
    keep = weight > 0
    hazards, y, w = hazards[keep], event[keep].astype(float), weight[keep]
    if len(y) == 0 or y.min() == y.max():
        return 0.0, 1.0, float("nan")
    z = _logit(hazards)

    def loss(theta: np.ndarray) -> float:
        h = _expit(theta[0] + theta[1] * z)
        risk = np.clip(1.0 - np.prod(1.0 - h, axis=1), 1e-9, 1 - 1e-9)
        return float(-np.sum(w * (y * np.log(risk) + (1 - y) * np.log(1 - risk))) / w.sum())

    result = minimize(loss, x0=np.array([0.0, 1.0]), method="L-BFGS-B", bounds=[INTERCEPT_BOUNDS, SLOPE_BOUNDS])
    return float(result.x[0]), float(result.x[1]), float(result.fun)


def recalibrate(
    base: Any,
    holdouts: list[tuple[Any, np.ndarray, np.ndarray, np.ndarray]],
    project: Callable[[Any, np.ndarray], np.ndarray],
) -> Recalibrated:
    """Wrap `base` with the map fitted on `holdouts`: (model fitted before an internal origin, its
    cohort's matrix, event within 12 months, IPCW weight), pooled. `project` gives the
    12 monthly hazards of a model for a matrix.
    """
    model, _ = recalibrate_scored(base, holdouts, project)
    return model


def recalibrate_scored(
    base: Any,
    holdouts: list[tuple[Any, np.ndarray, np.ndarray, np.ndarray]],
    project: Callable[[Any, np.ndarray], np.ndarray],
) -> tuple[Recalibrated, float]:
    """`recalibrate`, and the held-out log-loss under the fitted map (NaN without holdouts)."""
    if not holdouts:
        return Recalibrated.from_fitted(base), float("nan")
    hazards = np.vstack([project(model, X) for model, X, _, _ in holdouts])
    event = np.concatenate([e for _, _, e, _ in holdouts])
    weight = np.concatenate([w for _, _, _, w in holdouts])
    a, b, loss = fit_map_scored(hazards, event, weight)
    return Recalibrated.from_fitted(base, a, b), loss


def fit_map_monthly(
    hazards: np.ndarray, person: np.ndarray, step: np.ndarray, outcome: np.ndarray
) -> tuple[float, float, float]:
    """(a, b, loss): the map maximising the likelihood of what happened month by month.

    `hazards` (people x months ahead) are a model's projected monthly hazards for a cohort;
    each observed person-month is (person, step: months ahead - 1, outcome: voluntary exit in
    that month). A person contributes the months they were watched: a competing exit or the end
    of the data simply ends their rows (right-censoring), so cohorts whose 12 months are not
    over yet still count, with the months they have. The loss is the mean log-loss per
    person-month under the map; (0, 1, NaN) when the months hold only one outcome.
    """
    y = outcome.astype(float)
    if len(y) == 0 or y.min() == y.max():
        return 0.0, 1.0, float("nan")
    z = _logit(hazards[person, step])

    def loss(theta: np.ndarray) -> float:
        h = np.clip(_expit(theta[0] + theta[1] * z), 1e-9, 1 - 1e-9)
        return float(-np.mean(y * np.log(h) + (1 - y) * np.log(1 - h)))

    result = minimize(loss, x0=np.array([0.0, 1.0]), method="L-BFGS-B", bounds=[INTERCEPT_BOUNDS, SLOPE_BOUNDS])
    return float(result.x[0]), float(result.x[1]), float(result.fun)


def recalibrate_monthly(
    base: Any,
    holdouts: list[tuple[Any, np.ndarray, np.ndarray, np.ndarray, np.ndarray]],
    project: Callable[[Any, np.ndarray], np.ndarray],
) -> tuple[Recalibrated, float]:
    """`base` wrapped with the map fitted on `holdouts` month by month (fit_map_monthly), and its loss.

    Each holdout is (model fitted before an internal origin, its cohort's matrix, person, step,
    outcome) for the cohort's observed person-months; `project` gives a model's monthly
    hazards for a matrix (people x months ahead). The identity and NaN without holdouts.
    """
    if not holdouts:
        return Recalibrated.from_fitted(base), float("nan")
    hazards, people, steps, outcomes, offset = [], [], [], [], 0
    for model, X, person, step, outcome in holdouts:
        hazards.append(project(model, X))
        people.append(person + offset)
        steps.append(step)
        outcomes.append(outcome)
        offset += len(X)
    a, b, loss = fit_map_monthly(
        np.vstack(hazards), np.concatenate(people), np.concatenate(steps), np.concatenate(outcomes)
    )
    return Recalibrated.from_fitted(base, a, b), loss
