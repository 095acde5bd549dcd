"""Group parity: the adverse-impact ratio, interval and test against values computed by hand."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from pipelines.models.fairness_parity import compare_attributes, compare_groups, group_rates, holm


def _units(groups: list[tuple[str, int, int]]) -> pl.DataFrame:
    rows = []
    for g, n, fav in groups:
        rows += [{"employee_id": f"{g}{i}", "group": g, "favourable": i < fav} for i in range(n)]
    return pl.DataFrame(rows)


def test_adverse_impact_ratio_interval_and_test_by_hand():
    # A: 30 of 50 (0.6), B: 15 of 50 (0.3): ratio 0.5; difference -0.3,
    # se = sqrt(0.6 * 0.4 / 50 + 0.3 * 0.7 / 50) = sqrt(0.009) = 0.0948683 -> interval -0.3 -/+ 0.185938
    # the test assumes no difference: everyone at the overall rate 45 / 103 = 0.436893,
    # se0 = sqrt(0.436893 * 0.563107 * (1 / 50 + 1 / 50)) = 0.0992003, z = -3.02418,
    # two-sided p = 0.002493 (one comparison: Holm changes nothing)
    out = compare_groups(group_rates(_units([("A", 50, 30), ("B", 50, 15), ("C", 3, 0)])), min_group_size=5)
    a, b, c = (out.filter(pl.col("group") == g).row(0, named=True) for g in "ABC")
    assert a["is_reference"] and a["rate"] == pytest.approx(0.6)
    assert b["rate"] == pytest.approx(0.3)
    assert b["impact_ratio"] == pytest.approx(0.5)
    assert b["difference"] == pytest.approx(-0.3)
    assert (b["diff_low"], b["diff_high"]) == pytest.approx((-0.485938, -0.114062), abs=1e-5)
    assert b["p_value"] == pytest.approx(0.002493, abs=1e-6)
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


def test_a_group_with_no_favourable_outcome_is_tested_under_no_difference():
    # A: 6 of 10, B: 0 of 5. B's own variance is 0, which would make any gap "certain".
    # Under no difference both are at 6 / 15 = 0.4: se0 = sqrt(0.4 * 0.6 * (1 / 10 + 1 / 5)) = 0.268328,
    # z = -0.6 / 0.268328 = -2.23607, p = 0.025347
    out = compare_groups(group_rates(_units([("A", 10, 6), ("B", 5, 0)])), 5)
    b = out.filter(pl.col("group") == "B").row(0, named=True)
    assert b["p_value"] == pytest.approx(0.025347, abs=1e-6)


def test_a_handful_with_the_highest_rate_is_not_the_reference():
    # C (5 of 200 people compared, 2.4% < 10%) has the highest rate: A (the highest of the larger groups) is the
    # reference; C is still compared with it (ratio 5/5 / 0.5 = 2.0)
    out = compare_groups(group_rates(_units([("A", 100, 50), ("B", 100, 40), ("C", 5, 5)])), 5)
    assert out.filter(pl.col("is_reference"))["group"].to_list() == ["A"]
    assert out.filter(pl.col("group") == "B")["impact_ratio"].item() == pytest.approx(0.8)
    assert out.filter(pl.col("group") == "C")["impact_ratio"].item() == pytest.approx(2.0)


def test_holm_runs_across_every_attribute_checked_together():
    # attribute x: B vs A; attribute y: D vs C. Alone, each p is its own Holm p; together the smaller
    # is doubled and the larger kept (max(2 x p_small, p_large)), by hand from the raw p-values
    x = group_rates(_units([("A", 50, 30), ("B", 50, 15)]))
    y = group_rates(_units([("C", 50, 25), ("D", 50, 20)]))
    alone_x, alone_y = compare_groups(x, 5), compare_groups(y, 5)
    together = compare_attributes({"x": x, "y": y}, 5)
    p_b = alone_x.filter(pl.col("group") == "B")["p_value"].item()
    p_d = alone_y.filter(pl.col("group") == "D")["p_value"].item()
    assert p_b < p_d
    assert together["x"].filter(pl.col("group") == "B")["p_value"].item() == pytest.approx(min(1.0, 2 * p_b))
    assert together["y"].filter(pl.col("group") == "D")["p_value"].item() == pytest.approx(max(2 * p_b, p_d))
    assert together["x"]["n_tests"].to_list() == [2, 2]
    # B: 30 vs 15 of 50 each, overall 0.45: z = -0.3 / sqrt(0.45 * 0.55 * 0.04) = -3.01511, p = 0.002569
    assert p_b == pytest.approx(0.002569, abs=1e-6)
