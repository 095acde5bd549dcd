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


def test_spline_knots_sit_at_quantiles_with_duplicates_merged():
    from pipelines.models.estimators import spline_knots
    from pipelines.models.features import FEATURE_NAMES

    X = np.full((9, len(FEATURE_NAMES)), np.nan)
    tenure = FEATURE_NAMES.index("tenure_months")
    growth = FEATURE_NAMES.index("months_without_growth")
    pay = FEATURE_NAMES.index("pay_gap_to_midpoint")
    X[:, tenure] = [0, 1, 2, 3, 4, 5, 6, 7, 80]  # skewed: one long-timer
    X[:, growth] = [0, 0, 0, 0, 0, 0, 0, 3, 5]  # mostly zero: quantiles 0, 0, 0, 0, 5 -> two knots
    X[:6, pay] = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6]  # missing values are ignored
    knots = spline_knots(X, n_knots=5)
    # quantiles 0, .25, .5, .75, 1 of the 9 tenures: 0, 2, 4, 6, 80 (not 0, 20, 40, 60, 80)
    assert knots["tenure_months"].ravel().tolist() == [0, 2, 4, 6, 80]
    assert "months_without_growth" not in knots  # fewer than 3 distinct knots: enters linearly
    assert knots["pay_gap_to_midpoint"].ravel().tolist() == pytest.approx([0.1, 0.225, 0.35, 0.475, 0.6])
    assert "months_in_level" not in knots  # no values at all


def test_logistic_spline_is_held_flat_beyond_the_outer_knots():
    from pipelines.models.estimators import spline_knots
    from pipelines.models.features import FEATURE_NAMES

    rng = np.random.default_rng(1)
    X = np.zeros((400, len(FEATURE_NAMES)))
    tenure = FEATURE_NAMES.index("tenure_months")
    X[:, tenure] = rng.uniform(0, 24, 400)
    y = (rng.uniform(size=400) < 0.1 + 0.02 * X[:, tenure]).astype(int)
    model = make_logistic(C=1.0, knots=spline_knots(X)).fit(X, y)
    far = np.zeros((3, len(FEATURE_NAMES)))
    far[:, tenure] = [X[:, tenure].max(), 60.0, 600.0]
    p = monthly_hazard(model, far)
    assert p[0] == pytest.approx(p[1]) and p[1] == pytest.approx(p[2])


def test_logistic_c_choice_respects_a_fixed_c_and_falls_back_without_enough_exits():
    from dataclasses import replace

    from pipelines.models.attrition import choose_logistic_c
    from pipelines.models.options import ModelOptions

    rng = np.random.default_rng(2)
    from pipelines.models.features import FEATURE_NAMES

    X = rng.normal(size=(2400, len(FEATURE_NAMES)))
    months = np.repeat(np.arange(24), 100)
    y = (X[:, 1] + rng.normal(size=2400) > 2.2).astype(int)
    options = ModelOptions()
    assert choose_logistic_c(X, y, months, replace(options, logistic_c=0.2)) == 0.2
    # 5 exits in the last 12 months (fewer than min_validation_exits): the exits / 2000 rule
    sparse = y.copy()
    late = np.flatnonzero((months >= 12) & (y == 1))
    sparse[late[5:]] = 0
    assert choose_logistic_c(X, sparse, months, options) == options.logistic_strength(int(sparse.sum()))
    # enough exits on both sides: one of the grid's values, chosen on the later months
    assert choose_logistic_c(X, y, months, options) in options.logistic_c_grid
