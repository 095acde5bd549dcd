"""Recalibration of the monthly hazard: the map, its fit on 12-month outcomes, and the sklearn contract."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.utils.estimator_checks import parametrize_with_checks

from pipelines.models.estimators import TenureBandBaseline, monthly_hazard
from pipelines.models.recalibrate import Recalibrated, fit_map, recalibrate


@parametrize_with_checks(
    [
        Recalibrated(),
        Recalibrated(LogisticRegression(C=0.1), intercept=-0.5, slope=0.5),
        Recalibrated(TenureBandBaseline()),
    ]
)
def test_sklearn_contract(estimator, check):
    check(estimator)


def test_the_map_acts_on_the_log_odds_and_keeps_ranks():
    X = np.array([[0.0], [1.0], [2.0], [3.0]])
    y = np.array([0, 0, 1, 1])
    base = LogisticRegression().fit(X, y)
    h = monthly_hazard(base, X)
    mapped = monthly_hazard(Recalibrated.from_fitted(base, intercept=-1.0, slope=0.5), X)
    expected = 1 / (1 + np.exp(-(-1.0 + 0.5 * np.log(h / (1 - h)))))
    np.testing.assert_allclose(mapped, expected)
    assert list(np.argsort(mapped)) == list(np.argsort(h))
    identity = Recalibrated.from_fitted(base)
    np.testing.assert_allclose(monthly_hazard(identity, X), h)


def test_fit_map_recovers_a_planted_over_confident_model():
    # True monthly hazards h; the "model" reports logit(h_model) = 2 * logit(h) + 0.4 (too spread, too high).
    rng = np.random.default_rng(3)
    n = 20_000
    true_logit = rng.normal(-3.8, 0.6, size=n)
    h_true = 1 / (1 + np.exp(-true_logit))
    model_logit = 2.0 * true_logit + 0.4
    hazards = np.repeat((1 / (1 + np.exp(-model_logit)))[:, None], 12, axis=1)
    event = rng.random(n) < 1 - (1 - h_true) ** 12
    a, b = fit_map(hazards, event, np.ones(n))
    # the inverse map: logit(h) = (logit(h_model) - 0.4) / 2 = -0.2 + 0.5 logit(h_model)
    assert b == pytest.approx(0.5, abs=0.05)
    assert a == pytest.approx(-0.2, abs=0.2)


def test_fit_map_is_the_identity_without_both_outcomes_and_ignores_unknown_rows():
    hazards = np.full((4, 12), 0.02)
    assert fit_map(hazards, np.zeros(4, dtype=bool), np.ones(4)) == (0.0, 1.0)
    assert fit_map(hazards, np.array([True, False, True, False]), np.zeros(4)) == (0.0, 1.0)


def test_slope_is_never_steeper_than_the_model():
    # An under-confident model (too flat) would want a slope above 1: kept at 1, shrink only.
    rng = np.random.default_rng(5)
    n = 20_000
    true_logit = rng.normal(-3.8, 1.0, size=n)
    model_logit = 0.3 * true_logit - 2.5
    hazards = np.repeat((1 / (1 + np.exp(-model_logit)))[:, None], 12, axis=1)
    event = rng.random(n) < 1 - (1 - 1 / (1 + np.exp(-true_logit))) ** 12
    _, b = fit_map(hazards, event, np.ones(n))
    assert b == pytest.approx(1.0)


def test_recalibrate_without_holdouts_wraps_the_model_unchanged():
    base = LogisticRegression().fit(np.array([[0.0], [1.0]]), np.array([0, 1]))
    wrapped = recalibrate(base, [], lambda m, X: np.zeros((len(X), 12)))
    assert (wrapped.intercept, wrapped.slope) == (0.0, 1.0) and wrapped.base is base
