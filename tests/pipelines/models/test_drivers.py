"""Drivers: exact additive contributions for the linear model, conditional ones for trees, sentences."""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl
import pytest

from pipelines.models.drivers import (
    conditional_contributions,
    logistic_contributions,
    logistic_reference,
    reference_row,
    sentence,
    top_drivers,
    topic_contributions,
)
from pipelines.models.estimators import fit_vocabulary, make_logistic, monthly_hazard, to_matrix
from pipelines.models.features import FEATURE_NAMES, check_panel


@pytest.fixture(scope="module")
def logistic(panel):
    rows = check_panel(panel).filter(pl.col("month") < date(2024, 6, 1))
    vocab = fit_vocabulary(rows)
    X = to_matrix(rows, vocab)
    y = (rows["exit_type_next_month"] == "voluntary").fill_null(False).to_numpy().astype(int)
    return make_logistic().fit(X, y), X, vocab


def test_logistic_contributions_add_up_exactly(logistic):
    model, X, _ = logistic
    z_ref = logistic_reference(model, X)
    sample = X[:200]
    parts = logistic_contributions(model, sample, z_ref)
    lr = model.named_steps["model"]
    at_reference = lr.intercept_[0] + lr.coef_[0] @ z_ref
    p = monthly_hazard(model, sample)
    np.testing.assert_allclose(at_reference + parts.sum(axis=1), np.log(p / (1 - p)), atol=1e-8)
    assert parts.shape == (200, len(FEATURE_NAMES))


def test_logistic_names_time_in_level_for_planted_people(logistic):
    model, X, _ = logistic
    z_ref = logistic_reference(model, X)
    planted = np.tile(np.nan_to_num(np.nanmedian(np.where(np.isnan(X).all(axis=0), 0.0, X), axis=0)), (20, 1))
    for name in ("level", "track", "tier"):
        planted[:, FEATURE_NAMES.index(name)] = 0.0
    for name in ("months_in_level", "months_since_promotion", "tenure_months"):
        planted[:, FEATURE_NAMES.index(name)] = 40.0  # 40 months, never promoted
    planted[:, FEATURE_NAMES.index("growth_activities_12m")] = 2.0
    planted[:, FEATURE_NAMES.index("growth_activities_6m")] = 1.0
    names, grouped = topic_contributions(logistic_contributions(model, planted, z_ref))
    assert {names[k] for k in grouped.argmax(axis=1)} == {"months_in_level"}


def test_conditional_contributions_are_zero_at_the_reference(logistic):
    model, X, _ = logistic
    ref = reference_row(X)
    parts = conditional_contributions(model, ref[None, :], ref)
    np.testing.assert_allclose(parts, 0.0, atol=1e-12)


def test_sentences_from_numbers():
    row = {"level": "Customer Support Specialist 2", "months_in_level": 22.0, "tenure_months": 40.0}
    peers = {"Customer Support Specialist 2": 14.0}
    assert (
        sentence("months_in_level", row, peers)
        == "22 months at Customer Support Specialist 2; promoted peers needed 14"
    )
    assert sentence("months_in_level", row) == "22 months at Customer Support Specialist 2"
    assert (
        sentence("growth_activities_12m", {"growth_activities_12m": 0.0}) == "No growth activity in the last 12 months"
    )
    assert (
        sentence("growth_activities_12m", {"growth_activities_12m": 2.0}) == "2 growth activities in the last 12 months"
    )
    assert sentence("workload_ratio", {"workload_ratio": 1.6}) == "Handles 1.6x the team's median load"
    assert sentence("months_since_promotion", {"months_since_promotion": 40.0, "tenure_months": 40.0}) == (
        "No promotion in 40 months in support"
    )
    assert sentence("manager_changes_12m", {"manager_changes_12m": 1.0}) == "1 manager change in the last 12 months"
    assert sentence("teammates_left_6m", {"teammates_left_6m": 3.0}) == "3 teammates left the team in the last 6 months"
    assert sentence("rating", {"rating": None}) == "No performance rating yet"
    assert sentence("pay_position_in_band", {"pay_position_in_band": 0.1}) == "Pay is 10% of the way up the pay band"
    assert sentence("pay_position_in_band", {"pay_position_in_band": -0.16}) == "Pay is below the pay band's minimum"
    assert sentence("months_in_level", {"level": "L2", "months_in_level": 35.0, "months_beyond_expected": 17.0}) == (
        "35 months at L2; the career ladder expects 18"
    )
    # Mart-style rows: level is a number, the title names it; peers are looked up by title.
    mart_row = {"level": "2", "title": "Customer Support Specialist 2", "months_in_level": 22.7}
    assert sentence("months_in_level", mart_row, peers) == (
        "22 months at Customer Support Specialist 2; promoted peers needed 14"
    )
    assert sentence("months_in_level", mart_row, {"2": 15.0}).endswith("promoted peers needed 15")


def test_topics_add_up_twins():
    names = list(FEATURE_NAMES)
    contributions = np.zeros((1, len(names)))
    contributions[0, names.index("months_in_level")] = 0.3
    contributions[0, names.index("months_since_promotion")] = 0.4
    contributions[0, names.index("growth_activities_6m")] = 0.2
    topics, grouped = topic_contributions(contributions)
    assert len(topics) == len(names) - 7  # four topics absorb eleven features
    assert grouped[0, topics.index("months_in_level")] == pytest.approx(0.7)
    assert grouped[0, topics.index("growth_activities_12m")] == pytest.approx(0.2)
    assert grouped.sum() == pytest.approx(contributions.sum())


def test_top_drivers_keep_order_threshold_and_one_sentence_per_topic():
    names = list(FEATURE_NAMES)
    contributions = np.zeros((3, len(names)))
    contributions[0, names.index("months_in_level")] = 0.5
    contributions[0, names.index("months_since_promotion")] = 0.5  # same topic: adds to 1.0
    contributions[0, names.index("growth_activities_12m")] = 0.6
    contributions[0, names.index("workload_ratio")] = 0.3
    contributions[0, names.index("rating")] = 0.2  # a fourth: beyond the top 3
    contributions[1, names.index("workload_ratio")] = 0.01  # too small to mention
    contributions[2, names.index("growth_activities_6m")] = 0.4
    rows = pl.DataFrame(
        {
            "level": ["Senior Support Specialist", "Tier 1", "Customer Support Specialist 1"],
            "months_in_level": [30.0, 2.0, 5.0],
            "months_since_promotion": [30.0, 2.0, 5.0],
            "tenure_months": [50.0, 5.0, 5.0],
            "growth_activities_6m": [0.0, 1.0, 0.0],
            "growth_activities_12m": [0.0, 1.0, 1.0],
            "workload_ratio": [1.4, 1.0, 1.0],
            "rating": [3.0, 3.0, 3.0],
        }
    )
    features, sentences = top_drivers(contributions, rows, {"Senior Support Specialist": 24.0})
    assert features == [["months_in_level", "growth_activities_12m", "workload_ratio"], [], ["growth_activities_12m"]]
    assert sentences[0] == [
        "30 months at Senior Support Specialist; promoted peers needed 24",
        "No growth activity in the last 12 months",
        "Handles 1.4x the team's median load",
    ]
    assert sentences[2] == ["No growth activity in the last 6 months"]
