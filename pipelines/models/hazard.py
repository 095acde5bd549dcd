"""From a monthly hazard model to leaving probabilities and survival curves, one row per person.

Features are projected forward deterministically: the columns marked `ages` in features.py
(tenure, months in level, months since promotion) grow by one a month, everything else is held
at its value on the scoring month. Survival after k months is the product of (1 - hazard).
"""

from __future__ import annotations

import numpy as np

from pipelines.models.estimators import monthly_hazard
from pipelines.models.features import AGING, FEATURE_NAMES

AGING_INDEX = np.array([FEATURE_NAMES.index(n) for n in AGING])


def aging_index(aging: tuple[str, ...] = AGING) -> np.ndarray:
    """Column positions of the features that grow by one a month in the projection."""
    return np.array([FEATURE_NAMES.index(n) for n in aging], dtype=int)


def project_hazards(model, X: np.ndarray, horizon: int, aging: np.ndarray = AGING_INDEX) -> np.ndarray:  # noqa: ANN001
    """Monthly hazards for months 1..horizon after the scoring month: shape (people, horizon).

    The columns in `aging` grow by one a month; everything else is held. One predict call over
    people x horizon rows, so the cost is one vectorised pass.
    """
    n = X.shape[0]
    if n == 0:
        return np.zeros((0, horizon))
    stacked = np.tile(X, (horizon, 1))  # block k holds every person, k months on
    steps = np.repeat(np.arange(horizon, dtype=float), n)
    if len(aging):
        stacked[:, aging] += steps[:, None]
    return monthly_hazard(model, stacked).reshape(horizon, n).T


def survival_curve(hazards: np.ndarray) -> np.ndarray:
    """S[:, k] = P(still here, no voluntary exit, after k + 1 months)."""
    return np.cumprod(1.0 - np.clip(hazards, 0.0, 1.0), axis=1)


def leave_within(survival: np.ndarray, months: int) -> np.ndarray:
    """P(voluntary exit within `months` months) = 1 - S(months)."""
    return 1.0 - survival[:, months - 1]


def expected_remaining_months(survival: np.ndarray) -> np.ndarray:
    """Restricted mean remaining tenure over the horizon: the sum of the monthly survival."""
    return survival.sum(axis=1)
