"""The true hazards: each driver adds what story.json says, and the promotion gap is the planted odds ratio."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest

from pipelines.sample import org
from pipelines.sample.hazard import DRIVERS, ExitSituation, exit_drivers, exit_hazard, promotion_probability

CALM = ExitSituation(
    tenure_months=30,
    months_in_role=10,
    expected_months=18,
    had_growth_9m=True,
    overloaded_months_of_last_4=0,
    weak_manager=False,
    pay=56000,
    band_mid=56000,
    teammate_exits_6m=0,
)


def test_a_calm_month_has_no_driver_and_the_base_hazard():
    d = exit_drivers(CALM)
    assert list(d) == list(DRIVERS)
    assert all(v == 0.0 for v in d.values())
    assert exit_hazard(CALM, d) == pytest.approx(1 / (1 + math.exp(-org.HAZARD_BASE_IC)))


@pytest.mark.parametrize(
    ("change", "driver", "value"),
    [
        ({"tenure_months": 12}, "tenure", 0.35),
        ({"tenure_months": 60}, "tenure", -0.3),
        ({"months_in_role": 27}, "since_promotion", 0.8 * 0.5),
        ({"months_in_role": 90}, "since_promotion", 0.8 * 2.0),
        ({"had_growth_9m": False}, "no_growth", 0.7),
        ({"overloaded_months_of_last_4": 3}, "overload", 0.9),
        ({"overloaded_months_of_last_4": 2}, "overload", 0.0),
        ({"weak_manager": True}, "weak_manager", 1.0),
        ({"pay": 56000 * 0.9}, "pay_below_band", 8.0 * 0.06),
        ({"pay": 56000 * 0.5}, "pay_below_band", 1.0),
        ({"teammate_exits_6m": 2}, "teammate_exit", 0.3),
        ({"teammate_exits_6m": 9}, "teammate_exit", 0.45),
    ],
)
def test_each_driver_adds_its_weight(change: dict, driver: str, value: float):
    d = exit_drivers(replace(CALM, **change))
    assert d[driver] == pytest.approx(value)
    assert sum(v != 0 for k, v in d.items() if k != driver) == 0


def test_new_hires_are_not_counted_as_without_growth():
    assert exit_drivers(replace(CALM, tenure_months=4, had_growth_9m=False))["no_growth"] == 0.0


def test_management_has_a_lower_base():
    calm = exit_drivers(CALM)
    assert exit_hazard(replace(CALM, management=True), calm) < exit_hazard(CALM, calm)


def test_promotion_gap_is_the_planted_odds_ratio():
    def odds(p: float) -> float:
        return p / (1 - p)

    for months in (6, 18, 30):
        women = promotion_probability(months, 18, 0.3, 3.6, "Female")
        men = promotion_probability(months, 18, 0.3, 3.6, "Male")
        assert odds(women) / odds(men) == pytest.approx(org.PROMOTION_GAP_ODDS_RATIO)
    assert promotion_probability(30, 18, 0, 3.3, "Male") > promotion_probability(10, 18, 0, 3.3, "Male")
    assert promotion_probability(18, 18, 1.0, 3.3, "Male") > promotion_probability(18, 18, -1.0, 3.3, "Male")
