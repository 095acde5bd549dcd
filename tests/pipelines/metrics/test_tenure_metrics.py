"""Kaplan-Meier retention, median tenure and first-year attrition: by hand on tiny inputs and the fixture.

Fixture spells at as_of 2025-12-31 (months = days / 30.4375), event = any way out of support:
  A5#2 5.03 censored | A6 6.57 involuntary | A2 12.02 voluntary | B3 13.99 c | A4#1 15.01 voluntary
  A4#2 28.02 c | A5#1 32.07 transfer out | A1 36.01 c | A3 46.98 c | B1 47.70 c | M2 48.99 voluntary
  B2 52.01 c | B5 59.89 c | M1 59.99 c | B4 67.02 c | D1 72.02 c        (16 spells; N1 starts after as_of)
"""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl
import pytest

from pipelines.access import Role, Viewer
from pipelines.metrics.tenure import (
    get_first_year_attrition,
    get_median_tenure,
    get_retention_curves,
    km_curve,
    median_from_curve,
    survival_at,
)
from tests.fixtures.canonical.org import memory_context

SYSTEM = Viewer.system()
AS_OF = date(2025, 12, 31)


@pytest.fixture(scope="module")
def ctx():
    return memory_context(min_group_size=1)


def test_km_curve_by_hand():
    # times 2, 3, 3+, 5, 8+: S(2) = 4/5 = 0.8; S(3) = 0.8 x 3/4 = 0.6; S(5) = 0.6 x 1/2 = 0.3
    curve = km_curve(np.array([2.0, 3.0, 3.0, 5.0, 8.0]), np.array([1, 1, 0, 1, 0]))
    assert curve["time_months"].to_list() == [0.0, 2.0, 3.0, 5.0, 8.0]
    assert curve["survival"].to_list() == pytest.approx([1.0, 0.8, 0.6, 0.3, 0.3])
    assert all(lo <= s <= hi for lo, s, hi in curve.select("ci_low", "survival", "ci_high").rows())
    assert median_from_curve(curve)["median_months"] == 5.0  # first time S <= 0.5
    assert survival_at(curve, 4.0) == pytest.approx(0.6)


def test_median_tenure_not_reached_on_the_fixture(ctx):
    # S = 14/15 x 13/14 x 11/12 x 9/10 x 5/6 = 0.5958 at the last event: never <= 0.5
    assert get_median_tenure(SYSTEM, ctx, AS_OF)["median_months"] is None
    curve = get_retention_curves(SYSTEM, ctx, AS_OF)
    assert curve["survival"].min() == pytest.approx(14 / 15 * 13 / 14 * 11 / 12 * 9 / 10 * 5 / 6)


def test_median_tenure_for_a_manager(ctx):
    # M1's subtree spells: A5#2 5.03c, A6 6.57, A2 12.02, A4#1 15.01, A4#2 28.02c, A5#1 32.07, A1 36.01c,
    # A3 46.98c -> S = 6/7, 5/7, 4/7, then x 2/3 = 0.381 at 32.07 months: the median
    result = get_median_tenure(Viewer(Role.MANAGER, "M1"), ctx, AS_OF)
    assert result["median_months"] == pytest.approx(976 / 30.4375)  # 2022-06-01..2025-01-31 = 976 days
    assert result["n_spells"] == 8


def test_first_year_attrition(ctx):
    # exits from the company within 12 months: only A6 at 6.57 months, with 15 spells at risk
    # (A5#2 censored at 5.03 before it) -> 1 - 14/15; A2 left at 12.02 months, after the first year
    assert get_first_year_attrition(SYSTEM, ctx, AS_OF)["first_year_attrition"] == pytest.approx(1 / 15)


def test_retention_curves_by_tier_drop_small_groups():
    ctx3 = memory_context(min_group_size=3)
    curves = get_retention_curves(SYSTEM, ctx3, AS_OF, by="tier")
    # starting tiers: Tier 1 has 8 people, no tier (D1, M1, M2) 3, Tier 2 two (A5, B2), Tier 3 one (B4):
    # groups under 3 people are dropped
    assert set(curves["group"].unique().to_list()) == {"Tier 1", None}
    tier1 = curves.filter(pl.col("group") == "Tier 1")
    # Tier 1 spells: A6 6.57 e (9 at risk: A1 A2 A3 A4x2 A6 B1 B3 B5) -> 8/9; A2 12.02 e (8) -> 7/9
    assert survival_at(tier1, 12.5) == pytest.approx(7 / 9)
