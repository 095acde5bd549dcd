"""The tenure-band baseline honours scikit-learn's estimator contract and computes band rates by hand."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from pipelines.models.estimators import TenureBandBaseline, make_boosting, make_logistic, monthly_hazard


@parametrize_with_checks(
    [TenureBandBaseline(), TenureBandBaseline(tenure_column=1, band_edges=(0.0,), prior_strength=0.0)]
)
def test_sklearn_contract(estimator, check):
    check(estimator)


def test_band_rates_hand_checked():
    # Tenure 1, 2 (band 0: < 3 months), 4, 5 (band 1: 3-6), 40 (band 5: 36-60).
    X = np.array([[1.0], [2.0], [4.0], [5.0], [40.0]])
    y = np.array([1, 0, 0, 0, 1])
    model = TenureBandBaseline(tenure_column=0, prior_strength=0.0).fit(X, y)
    p = monthly_hazard(model, np.array([[0.5], [3.0], [50.0]]))
    # Band 0: 1 of 2 left -> 0.5; band 1: 0 of 2 -> 0.0; band 5: 1 of 1 -> 1.0.
    assert p.tolist() == [0.5, 0.0, 1.0]


def test_prior_shrinks_thin_bands_towards_overall_rate():
    X = np.array([[1.0], [2.0], [4.0], [5.0], [40.0]])
    y = np.array([1, 0, 0, 0, 1])
    model = TenureBandBaseline(tenure_column=0, prior_strength=5.0).fit(X, y)
    # Overall rate 2/5 = 0.4. Band 5: (1 + 5 * 0.4) / (1 + 5) = 0.5. Empty band 2: 0.4.
    p = monthly_hazard(model, np.array([[50.0], [7.0]]))
    assert p == pytest.approx([0.5, 0.4])


def test_no_exits_in_training_gives_zero_hazard():
    X = np.array([[1.0, 0.0], [2.0, 1.0]])
    model = TenureBandBaseline().fit(X, np.array([0, 0]))
    assert monthly_hazard(model, X).tolist() == [0.0, 0.0]


@pytest.mark.parametrize("factory", [make_logistic, make_boosting])
def test_model_estimators_fit_matrix_with_missing_values(factory):
    rng = np.random.default_rng(0)
    from pipelines.models.features import FEATURE_NAMES

    X = rng.normal(size=(600, len(FEATURE_NAMES)))
    X[:, -3:] = rng.integers(0, 3, size=(600, 3))  # level, track, tier codes
    X[::7, 5] = np.nan  # rating missing
    y = (X[:, 1] + rng.normal(size=600) > 1.5).astype(int)
    p = monthly_hazard(factory().fit(X, y), X)
    assert p.shape == (600,)
    assert 0 < p.min() and p.max() < 1
    assert p[y == 1].mean() > p[y == 0].mean()
