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


def test_fit_map_monthly_recovers_a_planted_map_from_censored_months():
    # Each person is watched month by month until a voluntary exit or until their months stop
    # (censoring after a random 1 to 12 months); the model reports logit = 2 logit(h) + 0.4.
    from pipelines.models.recalibrate import fit_map_monthly

    rng = np.random.default_rng(5)
    n = 20_000
    true_logit = rng.normal(-3.8, 0.6, size=n)
    h_true = 1 / (1 + np.exp(-true_logit))
    hazards = np.repeat((1 / (1 + np.exp(-(2.0 * true_logit + 0.4))))[:, None], 12, axis=1)
    watch = rng.integers(1, 13, size=n)
    people, steps, outcomes = [], [], []
    for i in range(n):
        for k in range(watch[i]):
            left = rng.random() < h_true[i]
            people.append(i)
            steps.append(k)
            outcomes.append(left)
            if left:
                break
    a, b, loss = fit_map_monthly(hazards, np.array(people), np.array(steps), np.array(outcomes))
    assert b == pytest.approx(0.5, abs=0.05)
    assert a == pytest.approx(-0.2, abs=0.2)
    assert 0 < loss < 0.2
    # one outcome only: the identity
    assert fit_map_monthly(hazards, np.array([0, 1]), np.array([0, 0]), np.array([False, False]))[:2] == (0.0, 1.0)


def test_watched_months_list_each_cohort_member_until_their_rows_stop():
    from datetime import date

    import polars as pl

    from pipelines.models.attrition import watched_months

    # P1: three months from the origin, resigns in the month after the third row.
    # P2: two months, then an involuntary exit (censored, no event). P3: not in the cohort.
    rows = pl.DataFrame(
        {
            "employee_id": ["P1", "P1", "P1", "P2", "P2", "P3"],
            "month": [date(2024, 3, 1), date(2024, 4, 1), date(2024, 5, 1), date(2024, 3, 1), date(2024, 4, 1)]
            + [date(2024, 3, 1)],
            "exit_type_next_month": [None, None, "voluntary", None, "involuntary", "voluntary"],
        }
    )
    person, step, outcome = watched_months(rows, pl.Series(["P2", "P1"]), date(2024, 3, 1))
    got = sorted(zip(person.tolist(), step.tolist(), outcome.tolist(), strict=True))
    assert got == [(0, 0, False), (0, 1, False), (1, 0, False), (1, 1, False), (1, 2, True)]
