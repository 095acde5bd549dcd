"""Predicted vs actual on a hand-made panel: outcomes after each past score, and the band summary."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from pipelines.models.backtest import add_months
from pipelines.models.track_record import track_record, track_record_by_band


def _rows(person: str, months: int, last_outcome: str | None) -> list[dict]:
    out = [
        {"employee_id": person, "month": add_months(date(2024, 1, 1), k), "exit_type_next_month": None}
        for k in range(months)
    ]
    out[-1]["exit_type_next_month"] = last_outcome
    return out


@pytest.fixture
def panel() -> pl.DataFrame:
    rows = (
        _rows("A", 13, None) + _rows("B", 3, "voluntary") + _rows("C", 2, "involuntary") + _rows("D", 12, "voluntary")
    )
    return pl.DataFrame(rows, schema={"employee_id": pl.String, "month": pl.Date, "exit_type_next_month": pl.String})


@pytest.fixture
def scores() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "run_id": ["r1"] * 4 + ["r2"],
            "as_of": [date(2024, 1, 1)] * 4 + [date(2024, 10, 1)],
            "employee_id": ["A", "B", "C", "D", "A"],
            "p_12m": [0.1, 0.6, 0.3, 0.5, 0.2],
            "band": ["low", "high", "low", "elevated", "low"],
        }
    )


def test_outcomes_after_each_score(panel, scores):
    # Data runs to January 2025, so outcomes are known through December 2024.
    record = track_record(scores, panel)
    got = {
        (r["run_id"], r["employee_id"]): (r["outcome"], r["exit_after_months"], r["months_observed"])
        for r in record.iter_rows(named=True)
    }
    assert got == {
        ("r1", "A"): ("stayed 12 months", None, 12),
        ("r1", "B"): ("left voluntarily", 3, 12),
        ("r1", "C"): ("left otherwise", 2, 12),
        ("r1", "D"): ("left voluntarily", 12, 12),
        ("r2", "A"): ("too early to tell", None, 3),  # scored October 2024: 3 months seen
    }


def test_band_summary(panel, scores):
    summary = track_record_by_band(track_record(scores, panel)).filter(pl.col("run_id") == "r1")
    low = summary.filter(pl.col("band") == "low").row(0, named=True)
    # A stayed, C was let go: 0 of 1 settled person left voluntarily (C is not settled).
    assert (low["n_scored"], low["n_left_voluntarily"], low["n_settled"], low["observed_rate"]) == (2, 0, 1, 0.0)
    high = summary.filter(pl.col("band") == "high").row(0, named=True)
    assert (high["n_left_voluntarily"], high["observed_rate"]) == (1, 1.0)
    assert high["mean_p_12m"] == pytest.approx(0.6)
