"""From monthly hazards to leaving probabilities, survival and expected remaining tenure."""

from __future__ import annotations

import numpy as np
import pytest

from pipelines.models.features import FEATURE_NAMES
from pipelines.models.hazard import expected_remaining_months, leave_within, project_hazards, survival_curve

MIL = FEATURE_NAMES.index("months_in_level")


class HazardFromMonthsInLevel:
    """A stand-in model: hazard = months_in_level / 100."""

    classes_ = np.array([0, 1])

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        h = X[:, MIL] / 100
        return np.column_stack([1 - h, h])


def test_projection_ages_time_features_and_holds_the_rest():
    X = np.zeros((2, len(FEATURE_NAMES)))
    X[:, MIL] = [10.0, 20.0]
    h = project_hazards(HazardFromMonthsInLevel(), X, horizon=3)
    np.testing.assert_allclose(h, [[0.10, 0.11, 0.12], [0.20, 0.21, 0.22]])


def test_constant_hazard_probabilities_by_hand():
    h = np.full((1, 36), 0.1)
    s = survival_curve(h)
    assert leave_within(s, 3)[0] == pytest.approx(1 - 0.9**3)  # 0.271
    assert leave_within(s, 12)[0] == pytest.approx(1 - 0.9**12)  # 0.718
    # Restricted mean over 36 months: sum of 0.9^k for k = 1..36 = 0.9 (1 - 0.9^36) / 0.1.
    assert expected_remaining_months(s)[0] == pytest.approx(0.9 * (1 - 0.9**36) / 0.1)


def test_zero_hazard_stays_the_whole_horizon():
    s = survival_curve(np.zeros((1, 36)))
    assert leave_within(s, 12)[0] == 0.0
    assert expected_remaining_months(s)[0] == 36.0


def test_no_people_projects_to_an_empty_matrix():
    assert project_hazards(HazardFromMonthsInLevel(), np.zeros((0, len(FEATURE_NAMES))), 12).shape == (0, 12)
