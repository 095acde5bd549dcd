"""Rolling-origin backtest pieces on hand-made frames: origins, observed outcomes, IPCW weights, ECE."""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl
import pytest

from pipelines.models import backtest as bt


def test_origins_leave_twelve_observed_months():
    origins = bt.choose_origins(date(2024, 12, 1), date(2021, 1, 1), n_origins=6, step=3, min_train_months=12)
    assert origins == [
        date(2022, 9, 1),
        date(2022, 12, 1),
        date(2023, 3, 1),
        date(2023, 6, 1),
        date(2023, 9, 1),
        date(2023, 12, 1),
    ]


def test_origins_need_training_history():
    # Data from June 2022: the earliest origin allowed is June 2023 (12 months of training rows).
    origins = bt.choose_origins(date(2024, 12, 1), date(2022, 6, 1), n_origins=6, step=3, min_train_months=12)
    assert origins == [date(2023, 6, 1), date(2023, 9, 1), date(2023, 12, 1)]


def _rows(person: str, months: int, last_outcome: str | None, first: date = date(2024, 1, 1)) -> list[dict]:
    out = []
    for k in range(months):
        out.append({"employee_id": person, "month": bt.add_months(first, k), "exit_type_next_month": None})
    out[-1]["exit_type_next_month"] = last_outcome
    return out


@pytest.fixture
def small_panel() -> pl.DataFrame:
    rows = (
        _rows("A", 13, None)  # stays: January 2024 to January 2025
        + _rows("B", 3, "voluntary")  # resigns in month 3 of the watch
        + _rows("C", 2, "involuntary")  # let go in month 2: cut short
        + _rows("D", 12, "voluntary")  # resigns in month 12
        + _rows("E", 5, "transfer_out")  # moves to Sales in month 5: cut short
        + _rows("F", 4, "voluntary", first=date(2023, 9, 1))  # left before the origin: not in the cohort
        + [{"employee_id": "A", "month": date(2023, 12, 1), "exit_type_next_month": None}]
    )
    return pl.DataFrame(rows, schema={"employee_id": pl.String, "month": pl.Date, "exit_type_next_month": pl.String})


def test_observe_times_events_and_weights(small_panel):
    cohort = pl.Series("employee_id", ["A", "B", "C", "D", "E"])
    seen = bt.observe(small_panel, cohort, date(2024, 1, 1))
    assert seen.time.tolist() == [12, 3, 2, 12, 5]
    assert seen.event.tolist() == [False, True, False, True, False]
    assert seen.known.tolist() == [True, True, False, True, False]
    # Kaplan-Meier of being cut short: G(1)=1, G(2)=4/5=0.8 (C of 5), G(5)=0.8*(2/3) (E of A, D, E).
    # B resigns at 3: 1/G(2)=1.25. D resigns at 12 and A stays 12: 1/G(11)=1/G(12)=1/0.5333=1.875.
    assert seen.weight == pytest.approx([1.875, 1.25, 0.0, 1.875, 0.0])
    # The weights add back up to the cohort: 5 people.
    assert seen.weight.sum() == pytest.approx(5.0)


def test_weighted_metrics_on_small_cohort(small_panel):
    cohort = pl.Series("employee_id", ["A", "B", "C", "D", "E"])
    seen = bt.observe(small_panel, cohort, date(2024, 1, 1))
    risk = np.array([0.1, 0.8, 0.5, 0.6, 0.2])
    metrics, _ = bt.score_metrics(seen, risk)
    # Known: A (stayed, 0.1), B (left, 0.8), D (left, 0.6): every leaver ranks above the stayer.
    assert metrics["roc_auc"] == pytest.approx(1.0)
    assert metrics["observed_rate"] == pytest.approx((1.25 + 1.875) / 5.0)
    # Brier, weighted: (1.875*0.1^2 + 1.25*0.2^2 + 1.875*0.4^2) / 5.
    assert metrics["brier"] == pytest.approx((1.875 * 0.01 + 1.25 * 0.04 + 1.875 * 0.16) / 5.0)
    # Concordance uses every person with their own time: B (event at 3) outranks A, D and E, who
    # were still there at 3 (C, censored at 2, is not comparable); D (event at 12) outranks A.
    # Every comparable pair is ordered correctly.
    assert metrics["c_index"] == pytest.approx(1.0)


def test_calibration_bins_and_ece_hand_checked():
    y = np.array([0, 0, 1, 1])
    p = np.array([0.1, 0.1, 0.9, 0.9])
    bins = bt.calibration_bins(y, p, np.ones(4), n_bins=2)
    assert bins["mean_predicted"].to_list() == pytest.approx([0.1, 0.9])
    assert bins["observed_rate"].to_list() == pytest.approx([0.0, 1.0])
    assert bt.expected_calibration_error(bins) == pytest.approx(0.1)


def test_noise_floor_shrinks_with_more_people():
    rng = np.random.default_rng(0)
    small = rng.uniform(0.1, 0.4, 200)
    large = rng.uniform(0.1, 0.4, 20_000)
    floor_small = bt.ece_noise_floor(bt.calibration_bins((rng.random(200) < small).astype(int), small, np.ones(200)))
    floor_large = bt.ece_noise_floor(
        bt.calibration_bins((rng.random(20_000) < large).astype(int), large, np.ones(20_000))
    )
    # sqrt(2/pi) * sqrt(p(1-p)/n_bin): about 0.07 with 20 per bin, about 0.007 with 2,000 per bin.
    assert 0.05 < floor_small < 0.09
    assert 0.005 < floor_large < 0.009


def test_oracle_from_a_planted_monthly_hazard():
    panel = pl.DataFrame({"employee_id": ["A", "B"], "month": [date(2024, 1, 1)] * 2, "true_hazard": [0.0, 0.1]})
    oracle = bt.oracle_from_hazard(panel)
    assert oracle.columns == ["employee_id", "month", "p_12m"]
    assert oracle["p_12m"].to_list() == pytest.approx([0.0, 1 - 0.9**12])
