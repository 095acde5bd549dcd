"""Group parity: the adverse-impact ratio, interval and test against values computed by hand."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from pipelines.models.fairness_parity import compare_groups, group_rates, holm


def _units(groups: list[tuple[str, int, int]]) -> pl.DataFrame:
    rows = []
    for g, n, fav in groups:
        rows += [{"employee_id": f"{g}{i}", "group": g, "favourable": i < fav} for i in range(n)]
    return pl.DataFrame(rows)


def test_adverse_impact_ratio_interval_and_test_by_hand():
    # A: 30 of 50 (0.6), B: 15 of 50 (0.3): ratio 0.5; difference -0.3,
    # se = sqrt(0.6 * 0.4 / 50 + 0.3 * 0.7 / 50) = sqrt(0.009) = 0.0948683 -> interval -0.3 -/+ 0.185938
    # z = -0.3 / 0.0948683 = -3.1623, two-sided p = 0.001565 (one comparison: Holm changes nothing)
    out = compare_groups(group_rates(_units([("A", 50, 30), ("B", 50, 15), ("C", 3, 0)])), min_group_size=5)
    a, b, c = (out.filter(pl.col("group") == g).row(0, named=True) for g in "ABC")
    assert a["is_reference"] and a["rate"] == pytest.approx(0.6)
    assert b["rate"] == pytest.approx(0.3)
    assert b["impact_ratio"] == pytest.approx(0.5)
    assert b["difference"] == pytest.approx(-0.3)
    assert (b["diff_low"], b["diff_high"]) == pytest.approx((-0.485938, -0.114062), abs=1e-5)
    assert b["p_value"] == pytest.approx(0.001565, abs=1e-5)
    assert b["is_flagged"] and b["verdict"].startswith("adverse impact")
    # C has 3 people: below the minimum group size, not judged even with a rate of 0
    assert not c["is_flagged"] and c["verdict"].startswith("too few people")


def test_a_small_gap_below_four_fifths_is_not_flagged_without_significance():
    # 8 of 20 vs 6 of 20: ratio 0.75 < 0.8, but p is far above 0.05
    out = compare_groups(group_rates(_units([("A", 20, 8), ("B", 20, 6)])), min_group_size=5)
    b = out.filter(pl.col("group") == "B").row(0, named=True)
    assert b["impact_ratio"] == pytest.approx(0.75)
    assert not b["is_flagged"] and "could be chance" in b["verdict"]


def test_not_recorded_is_never_the_reference():
    out = compare_groups(group_rates(_units([("not recorded", 20, 18), ("A", 40, 20), ("B", 40, 19)])), 5)
    ref = out.filter(pl.col("is_reference"))
    assert ref["group"].to_list() == ["A"]
    assert out.filter(pl.col("group") == "not recorded")["verdict"].item() == "not recorded: not compared"


def test_expected_outcomes_standardise_the_rate():
    # both groups promoted exactly as expected (O = E): same standardised rate, ratio 1, nothing flagged
    units = _units([("A", 50, 20), ("B", 50, 5)]).with_columns(
        pl.when(pl.col("group") == "A").then(0.4).otherwise(0.1).alias("expected")
    )
    out = compare_groups(group_rates(units), 5)
    assert out["impact_ratio"].to_list() == pytest.approx([1.0, 1.0])
    assert not out["is_flagged"].any()


def test_holm_adjustment_by_hand():
    # sorted 0.01, 0.02, 0.04 -> 3 x 0.01 = 0.03, 2 x 0.02 = 0.04, 1 x 0.04 = 0.04
    assert holm(np.array([0.04, 0.01, 0.02])) == pytest.approx([0.04, 0.03, 0.04])
