"""Mix-shift decomposition: parts sum exactly to the change, hand-computed on two tiny periods."""

from __future__ import annotations

import polars as pl
import pytest

from pipelines.models.kpi_mix import decompose_mix, mix_totals


def _cells(rows: list[tuple[str, int, float]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=["category", "n", "total"], orient="row")


def test_decomposition_matches_hand_values_and_sums_exactly():
    # a: X 80 tickets at 10, Y 20 at 30 -> mean 14; b: X 50 at 9, Y 50 at 28 -> mean 18.5; change 4.5
    # mix  = (0.5 - 0.8) * (10 + 9) / 2 + (0.5 - 0.2) * (30 + 28) / 2 = -2.85 + 8.7 = 5.85
    # perf = (9 - 10) * (0.8 + 0.5) / 2 + (28 - 30) * (0.2 + 0.5) / 2 = -0.65 - 0.7 = -1.35
    a = _cells([("X", 80, 800.0), ("Y", 20, 600.0)])
    b = _cells([("X", 50, 450.0), ("Y", 50, 1400.0)])
    parts = decompose_mix(a, b, keys=("category",))
    totals = mix_totals(a, b, parts)
    assert totals["mean_a"] == pytest.approx(14.0)
    assert totals["mean_b"] == pytest.approx(18.5)
    assert totals["mix"] == pytest.approx(5.85)
    assert totals["performance"] == pytest.approx(-1.35)
    assert parts["performance"].sum() == pytest.approx(-1.35)
    assert totals["mix"] + totals["performance"] == pytest.approx(totals["change"], abs=1e-12)
    assert parts.filter(pl.col("category") == "Y")["mix"].item() == pytest.approx(8.7)


def test_a_cell_new_in_one_period_counts_as_mix_only():
    # a: X 10 at 10 -> 10; b: X 10 at 10, Z 10 at 30 -> 20. X: mix (0.5 - 1) * 10 = -5; Z: 0.5 * 30 = 15
    a = _cells([("X", 10, 100.0)])
    b = _cells([("X", 10, 100.0), ("Z", 10, 300.0)])
    parts = decompose_mix(a, b, keys=("category",))
    totals = mix_totals(a, b, parts)
    assert totals["change"] == pytest.approx(10.0)
    assert totals["mix"] == pytest.approx(10.0)
    assert parts["performance"].sum() == pytest.approx(0.0)
    assert sorted(parts["mix"].to_list()) == pytest.approx([-5.0, 15.0])
