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
    return with_promotion_gap(sigmoid(lo), gender)


def with_promotion_gap(probability: float, gender: str) -> float:
    """A fair chance of moving up, with the planted gap: the odds times org.PROMOTION_GAP_ODDS_RATIO for the group.

    Every path that raises a level (monthly promotions, the Technical Development Programme, lead and
    manager picks, the histories before the period) goes through here, so the gap is never diluted.
    """
    if gender != org.PROMOTION_GAP_GROUP or probability <= 0.0 or probability >= 1.0:
        return probability
    return sigmoid(math.log(probability / (1.0 - probability)) + math.log(org.PROMOTION_GAP_ODDS_RATIO))


def pick_weights(merit: list[float], genders: list[str], spread: float = 1.5) -> list[float]:
    """Chances of being picked for one opening (a conditional logit on merit, the gap on the odds); sum 1.

    merit: skill + last rating per candidate. Against an equally good candidate outside the group,
    a candidate in org.PROMOTION_GAP_GROUP is picked at odds org.PROMOTION_GAP_ODDS_RATIO.
    """
    top = max(merit)
    w = [
        math.exp(spread * (m - top)) * (org.PROMOTION_GAP_ODDS_RATIO if g == org.PROMOTION_GAP_GROUP else 1.0)
        for m, g in zip(merit, genders, strict=True)
    ]
    total = sum(w)
    return [x / total for x in w]
