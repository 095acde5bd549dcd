"""The true hazards: a voluntary exit's additive log-odds drivers and the promotion probability (pure functions)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from pipelines.sample import org

DRIVERS = (
    "tenure",
    "since_promotion",
    "no_growth",
    "overload",
    "weak_manager",
    "pay_below_band",
    "teammate_exit",
)


def sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


@dataclass(frozen=True)
class ExitSituation:
    """What the voluntary-exit hazard looks at for one person in one month."""

    tenure_months: float  # in the current spell
    months_in_role: float
    expected_months: int  # the ladder's expected months for the role
    had_growth_9m: bool
    overloaded_months_of_last_4: int
    weak_manager: bool
    pay: float
    band_mid: float
    teammate_exits_6m: int
    management: bool = False


def exit_drivers(s: ExitSituation) -> dict[str, float]:
    """The additive log-odds contribution of each driver (org.DRIVER_WEIGHTS), in DRIVERS order."""
    w = org.DRIVER_WEIGHTS
    beyond = (s.months_in_role - s.expected_months) / s.expected_months
    gap = (s.band_mid - s.pay) / s.band_mid
    tenure = s.tenure_months
    return {
        "tenure": w["tenure_early"] if 6 <= tenure < 24 else w["tenure_long"] if tenure >= 48 else 0.0,
        "since_promotion": w["since_promotion"] * min(2.0, max(0.0, beyond)),
        "no_growth": w["no_growth"] if tenure >= 9 and not s.had_growth_9m else 0.0,
        "overload": w["overload"] if s.overloaded_months_of_last_4 >= org.OVERLOAD_MONTHS else 0.0,
        "weak_manager": w["weak_manager"] if s.weak_manager else 0.0,
        "pay_below_band": min(1.0, w["pay_below_band"] * max(0.0, gap - 0.04)),
        "teammate_exit": w["teammate_exit"] * min(3, s.teammate_exits_6m),
    }


def exit_hazard(s: ExitSituation, drivers: dict[str, float]) -> float:
    """The true monthly probability of a voluntary exit: sigmoid(base + sum of drivers)."""
    base = org.HAZARD_BASE_MANAGEMENT if s.management else org.HAZARD_BASE_IC
    return sigmoid(base + sum(drivers.values()))


def promotion_probability(
    months_in_role: float, expected_months: int, skill: float, rating: float | None, gender: str
) -> float:
    """Monthly promotion probability: rises with time in role (scaled by expected months) and skill; the planted gap."""
    t = months_in_role / expected_months
    lo = -6.2 + 3.0 * min(t, 2.5) + 0.8 * skill + 0.4 * ((rating if rating is not None else 3.3) - 3.3)
    if gender == org.PROMOTION_GAP_GROUP:
        lo += math.log(org.PROMOTION_GAP_ODDS_RATIO)
    return sigmoid(lo)
