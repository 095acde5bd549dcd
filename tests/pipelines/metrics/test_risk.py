"""The attrition-risk read API over the canonical fixture with two hand-made model runs.

Runs (written straight into the model tables, every figure chosen by hand):
- r0, as of 2025-01-01 (an old scoring, now checkable): A2 and M2 high (0.5), A3 elevated (0.3),
  A1, A4, B1, B2, B5 low (0.1). A2 resigned in 2025-03 and M2 in 2025-06; the others stayed.
- r1, as of 2026-01-01 (the latest): A1 and B5 high, A3 and B2 elevated, A4, A5, B1, B3, B4, M1,
  D1 low, N1 not enough data.
On 2026-01-10 (data end) M1 manages A1, A3, A4, A5 and N1; B1 manages B2..B5.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import polars as pl
import pytest

from pipelines.access import Role, Viewer
from pipelines.metrics import risk
from tests.fixtures.canonical.org import memory_context

R0 = {"A1": ("low", 0.1), "A2": ("high", 0.5), "A3": ("elevated", 0.3), "A4": ("low", 0.1)}
R0 |= {"B1": ("low", 0.1), "B2": ("low", 0.1), "B5": ("low", 0.1), "M2": ("high", 0.5)}
R1 = {"A1": ("high", 0.45), "B5": ("high", 0.40), "A3": ("elevated", 0.28), "B2": ("elevated", 0.25)}
R1 |= {e: ("low", 0.05) for e in ("A4", "A5", "B1", "B3", "B4", "M1", "D1")}
R1 |= {"N1": ("not enough data", None)}

DIRECTOR = Viewer(Role.DIRECTOR)
EXECUTIVE = Viewer(Role.EXECUTIVE)


def _scores(run_id: str, as_of: date, bands: dict[str, tuple[str, float | None]]) -> pl.DataFrame:
    rows = []
    for employee_id, (band, p) in bands.items():
        rows.append(
            {
                "run_id": run_id,
                "as_of": as_of,
                "employee_id": employee_id,
                "p_3m": None if p is None else p / 4,
                "p_6m": None if p is None else p / 2,
                "p_12m": p,
                "band": band,
                "expected_remaining_months": None if p is None else 36 * (1 - p),
                "drivers": [] if p is None else [f"{employee_id} reason"],
                "driver_features": [] if p is None else ["months_in_level"],
                "survival": None if p is None else [1 - p] * 36,
                "scored_at": datetime(as_of.year, as_of.month, 2, tzinfo=UTC),
            }
        )
    return pl.DataFrame(rows, schema_overrides={"survival": pl.List(pl.Float64), "drivers": pl.List(pl.String)})


def _runs() -> pl.DataFrame:
    metrics = {
        "logistic": {"roc_auc": 0.62, "ece_pooled": 0.04, "ece_pooled_noise": 0.03},
        "baseline": {"roc_auc": 0.55, "ece_pooled": 0.05, "ece_pooled_noise": 0.03},
    }
    parameters = {"band_thresholds": {"elevated": 0.27, "high": 0.45}, "origins": ["2024-07-01", "2024-10-01"]}
    return pl.DataFrame(
        {
            "run_id": ["r0", "r1"],
            "trained_at": [datetime(2025, 1, 2, tzinfo=UTC), datetime(2026, 1, 11, tzinfo=UTC)],
            "as_of": [date(2025, 1, 1), date(2026, 1, 1)],
            "data_hash": ["0" * 64, "1" * 64],
            "chosen_estimator": ["logistic", "logistic"],
            "selection_reason": ["only one", "logistic: mean PR AUC 0.300 across origins (others: baseline 0.200)"],
            "base_rate_12m": [0.2, 0.18],
            "window_start": [date(2021, 1, 1)] * 2,
            "window_end": [date(2024, 12, 1), date(2025, 12, 1)],
            "n_people": [14, 16],
            "n_person_months": [500, 600],
            "parameters": [json.dumps(parameters)] * 2,
            "versions": ["{}"] * 2,
            "metrics": ["{}", json.dumps(metrics)],
        }
    )


def _backtest() -> pl.DataFrame:
    rows = []
    for estimator, aucs in (("logistic", (0.60, 0.64)), ("baseline", (0.50, 0.60))):
        for origin, auc in zip((date(2024, 7, 1), date(2024, 10, 1)), aucs, strict=True):
            rows.append(
                {
                    "run_id": "r1",
                    "estimator": estimator,
                    "origin": origin,
                    "n_scored": 10.0,
                    "n_known": 10.0,
                    "n_events": 2.0,
                    "observed_rate": 0.2,
                    "mean_predicted": 0.25 if estimator == "logistic" else 0.2,
                    "roc_auc": auc,
                    "pr_auc": auc / 2,
                    "brier": 0.15,
                    "ece": 0.05,
                    "ece_noise": 0.04,
                    "c_index": auc,
                }
            )
    return pl.DataFrame(rows)


def _context(**overrides):  # noqa: ANN202 - Context
    ctx = memory_context(**overrides)
    tables = {
        "model_runs": _runs(),
        "attrition_scores": pl.concat([_scores("r0", date(2025, 1, 1), R0), _scores("r1", date(2026, 1, 1), R1)]),
        "model_backtest": _backtest(),
        "model_calibration": pl.DataFrame(
            {
                "run_id": ["r1"] * 3,
                "estimator": ["logistic", "logistic", "logistic"],
                "origin": [None, None, date(2024, 7, 1)],
                "bin": [0, 1, 0],
                "mean_predicted": [0.1, 0.3, 0.9],
                "observed_rate": [0.12, 0.27, 0.0],
                "weight": [10.0, 10.0, 5.0],
                "noise_gap": [0.05, 0.05, 0.05],
            },
            schema_overrides={"origin": pl.Date, "bin": pl.Int32},
        ),
        "model_importance": pl.DataFrame(
            {"run_id": ["r1", "r1"], "feature": ["tenure_months", "rating"], "importance_mean": [0.01, 0.03]}
        ).with_columns(importance_std=pl.lit(0.0)),
        "model_card": pl.DataFrame({"run_id": ["r0", "r1"], "markdown": ["# old card", "# Attrition model card"]}),
    }
    for name, frame in tables.items():
        ctx.con.register("_incoming", frame.to_arrow())
        ctx.con.execute("create table " + name + " as select * from _incoming").fetchall()
        ctx.con.unregister("_incoming")
    return ctx


@pytest.fixture(scope="module")
def ctx():  # noqa: ANN201
    return _context()


def test_latest_run_is_r1_with_its_thresholds_and_metrics(ctx):
    run = risk.get_latest_run(DIRECTOR, ctx)
    assert run["run_id"] == "r1" and run["as_of"] == date(2026, 1, 1)
    assert run["band_thresholds"] == {"elevated": 0.27, "high": 0.45}
    assert run["metrics"]["logistic"]["roc_auc"] == 0.62


def test_director_sees_every_score_of_the_latest_run_highest_first(ctx):
    scores = risk.get_risk_scores(DIRECTOR, ctx)
    assert scores.height == 12
    assert scores["employee_id"].to_list()[:2] == ["A1", "B5"]
    assert scores["employee_id"][-1] == "N1"  # no probability: last
    a1 = scores.row(0, named=True)
    assert a1["band"] == "high" and a1["team"] == "Alpha" and a1["drivers"] == ["A1 reason"]


@pytest.mark.parametrize(
    ("manager", "people"), [("M1", {"A1", "A3", "A4", "A5", "N1"}), ("B1", {"B2", "B3", "B4", "B5"})]
)
def test_a_manager_sees_only_their_subtree(ctx, manager, people):
    scores = risk.get_risk_scores(Viewer(Role.MANAGER, manager), ctx)
    assert set(scores["employee_id"]) == people


def test_an_executive_gets_band_counts_never_a_score(ctx):
    assert risk.get_risk_scores(EXECUTIVE, ctx).is_empty()
    counts = risk.get_risk_band_counts(EXECUTIVE, ctx)
    assert dict(zip(counts["band"], counts["n_people"], strict=True)) == {
        "high": 2,
        "elevated": 2,
        "low": 7,
        "not enough data": 1,
    }
    assert counts.filter(pl.col("band") == "low")["share"].item() == pytest.approx(7 / 12)


def test_switching_individual_scores_off_keeps_only_aggregates():
    ctx = _context(individual_scores=False)
    assert risk.get_risk_scores(DIRECTOR, ctx).is_empty()
    assert risk.get_risk_band_counts(DIRECTOR, ctx)["n_people"].sum() == 12
    assert risk.get_model_card(DIRECTOR, ctx) == "# Attrition model card"


def test_small_band_cells_are_suppressed_with_their_complements():
    ctx = _context(min_group_size=3)
    alpha = risk.get_risk_band_counts(DIRECTOR, ctx, by="team").filter(pl.col("group") == "Alpha")
    # Alpha on 2026-01: A1 high, A3 elevated, A4 A5 M1 low, N1 not enough data: three cells of 1 hidden.
    shown = {r["band"]: r["n_people"] for r in alpha.iter_rows(named=True)}
    assert shown == {"high": None, "elevated": None, "low": 3, "not enough data": None}
    assert alpha["is_suppressed"].sum() == 3


def test_backtest_summary_calibration_importance_and_card(ctx):
    summary = risk.get_backtest_summary(DIRECTOR, ctx)
    logistic = summary.filter(pl.col("estimator") == "logistic").row(0, named=True)
    assert logistic["n_origins"] == 2
    assert logistic["roc_auc"] == pytest.approx(0.62)
    assert (logistic["roc_auc_min"], logistic["roc_auc_max"]) == (0.60, 0.64)
    assert logistic["ece_pooled"] == 0.04
    calibration = risk.get_calibration(DIRECTOR, ctx)
    assert calibration["mean_predicted"].to_list() == [0.1, 0.3]  # pooled bins only
    assert risk.get_importance(DIRECTOR, ctx)["feature"].to_list() == ["rating", "tenure_months"]
    assert risk.get_model_card(DIRECTOR, ctx, run_id="r0") == "# old card"
    track = risk.get_backtest_track_record(DIRECTOR, ctx)
    assert track.height == 4 and set(track["estimator"]) == {"logistic", "baseline"}


def test_track_record_checks_the_old_run_against_what_happened(ctx):
    record = risk.get_track_record(DIRECTOR, ctx).filter(pl.col("run_id") == "r0")
    rows = {r["band"]: r for r in record.iter_rows(named=True)}
    assert rows["high"]["n_scored"] == 2 and rows["high"]["n_left_voluntarily"] == 2  # A2 and M2 resigned
    assert rows["high"]["observed_rate"] == 1.0
    assert rows["low"]["n_scored"] == 5 and rows["low"]["n_left_voluntarily"] == 0
    assert rows["low"]["n_settled"] == 5 and rows["elevated"]["n_scored"] == 1
    latest = risk.get_track_record(DIRECTOR, ctx).filter(pl.col("run_id") == "r1")
    assert latest["n_settled"].sum() == 0  # scored this month: too early to tell


def test_track_record_is_suppressed_for_small_bands():
    ctx = _context(min_group_size=3)
    r0 = risk.get_track_record(DIRECTOR, ctx).filter(pl.col("run_id") == "r0")
    hidden = dict(zip(r0["band"], r0["is_suppressed"], strict=True))
    assert hidden == {"elevated": True, "high": True, "low": False}
    assert r0.filter(pl.col("band") == "high")["n_left_voluntarily"].item() is None


def test_no_model_yet_gives_empty_answers():
    ctx = memory_context()
    assert risk.get_latest_run(DIRECTOR, ctx) is None
    assert risk.get_risk_scores(DIRECTOR, ctx).is_empty()
    assert risk.get_risk_band_counts(EXECUTIVE, ctx).is_empty()
    assert risk.get_track_record(DIRECTOR, ctx).is_empty()
    assert risk.get_model_card(DIRECTOR, ctx) is None
