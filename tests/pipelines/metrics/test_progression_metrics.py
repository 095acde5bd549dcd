"""Promotions, management share, lateral moves, mobility, time in level, flows: canonical organisation, 2025.

Average headcount 2025 = 4275 / 365 (see test_attrition_metrics.py). Moves in 2025: B2 Specialist 2 ->
Support Engineer (2025-03-01, IC), B1 Specialist 2 -> Team Lead (2025-07-01, management), B3
Specialist 1 -> 2 (2025-11-01); lateral B4 (2025-09-01); transfer out A5 (2025-01-31).
"""

from __future__ import annotations

from datetime import date

import pytest

from pipelines.access import Viewer
from pipelines.metrics.progression import (
    cumulative_incidence,
    get_progression_summary,
    get_promotions,
    get_role_flows,
    get_time_in_level,
    get_time_to_first_promotion,
)
from tests.fixtures.canonical.org import memory_context

SYSTEM = Viewer.system()
START, AS_OF = date(2025, 1, 1), date(2025, 12, 31)
AVG = 4275 / 365


@pytest.fixture(scope="module")
def ctx():
    return memory_context(min_group_size=1)


def test_progression_summary(ctx):
    result = get_progression_summary(SYSTEM, ctx, START, AS_OF)
    assert result["promotions"] == 3
    assert result["promotion_rate"] == pytest.approx(3 / AVG)  # 0.2561 per person-year
    assert result["management_promotion_share"] == pytest.approx(1 / 3)
    assert result["lateral_moves"] == 1
    assert result["internal_mobility_rate"] == pytest.approx(1 / AVG)


def test_promotions_per_person_year_by_level(ctx):
    levels = {r["level"]: r for r in get_promotions(SYSTEM, ctx, START, AS_OF, by="level").to_dicts()}
    # level 1 in 2025: A2 60 + A4 365 + A6 200 + B3 304 (to 2025-10-31) = 929 days; 1 promotion (B3)
    assert levels[1]["person_years"] == pytest.approx(929 / 365.25)
    assert levels[1]["promotions_per_person_year"] == pytest.approx(1 / (929 / 365.25))
    # level 2: B1 and B2 promoted out of it; one into management
    assert (levels[2]["promotions"], levels[2]["promotions_into_management"]) == (2, 1)


def test_time_in_level(ctx):
    roles = {r["title"]: r for r in get_time_in_level(SYSTEM, ctx, AS_OF).to_dicts()}
    # Specialist 1: A1, B1, B3 each after 365 days
    assert roles["Customer Support Specialist 1"]["median_months"] == pytest.approx(365 / 30.4375)
    # Specialist 2: B1 after 903 days, B2 after 1277 -> median (903 + 1277) / 2 days
    assert roles["Customer Support Specialist 2"]["median_months"] == pytest.approx(1090 / 30.4375)


def test_role_flows(ctx):
    flows = {(r["source"], r["target"]): r["n_people"] for r in get_role_flows(SYSTEM, ctx, START, AS_OF).to_dicts()}
    assert flows == {
        ("Customer Support Specialist 1", "Customer Support Specialist 2"): 1,  # B3
        ("Customer Support Specialist 1", "Left the company (involuntary)"): 1,  # A6
        ("Customer Support Specialist 1", "Left the company (voluntary)"): 1,  # A2
        ("Customer Support Specialist 2", "Customer Support Engineer"): 1,  # B2
        ("Customer Support Specialist 2", "Moved to Sales"): 1,  # A5
        ("Customer Support Specialist 2", "Team Lead"): 1,  # B1
        ("Senior Support Specialist", "Support Operations Specialist"): 1,  # B4
        ("Team Lead", "Left the company (voluntary)"): 1,  # M2
    }


def test_cumulative_incidence_by_hand():
    # times 1 (promotion), 2 (exit), 3 (promotion), 4 (censored):
    # t=1: 4 at risk, CIF = 1/4, S = 3/4; t=2: competing, S = 3/4 x 2/3 = 1/2; t=3: CIF += 1/2 x 1/2 = 1/2
    import numpy as np

    cif = cumulative_incidence(np.array([1.0, 2.0, 3.0, 4.0]), np.array([1, 2, 1, 0]), np.array([0.5, 1.0, 2.5, 5.0]))
    assert cif.tolist() == pytest.approx([0.0, 0.25, 0.25, 0.5])


def test_time_to_first_promotion_on_the_fixture(ctx):
    curve = dict(get_time_to_first_promotion(SYSTEM, ctx, AS_OF).iter_rows())
    # A6 leaves at 6.57 months (15 at risk): S = 14/15; A1, B1, B3 promoted at 11.99 months with
    # 14 at risk -> CIF(12) = 14/15 x 3/14 = 0.2
    assert curve[6] == 0.0
    assert curve[12] == pytest.approx(0.2)
