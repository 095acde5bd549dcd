"""Attrition risk read API: scores, band counts, backtest, calibration, model card, track record.

Every public get_* takes (viewer, ctx) first. Person-level scores go to directors, people
admins and the system (everyone) and to managers (their reporting subtree on the scoring day);
executives get band counts only. Aggregates covering fewer people than the privacy minimum are
suppressed. When the settings turn individual scores off, no person-level score is returned to
anyone; band counts, the backtest and the model card remain.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any, Literal

import polars as pl

from pipelines.access import Viewer
from pipelines.metrics.context import Context
from pipelines.metrics.scope import (
    PeriodNotAllowed,
    describes,
    in_scope,
    manager_param,
    period_guarded,
    require_people,
    suppress,
)
from pipelines.models.track_record import track_record, track_record_by_band

BANDS: tuple[str, ...] = ("high", "elevated", "low", "not enough data")
BandCut = Literal["team", "tier", "tenure_band"]
_CUTS = ("team", "tier", "tenure_band")
GUARDRAIL = (
    "Risk scores start conversations about growth, workload and what would make someone stay. "
    "They are estimates with wide margins, not facts about a person: never use them for "
    "sanctions, ratings, pay, promotion or hiring decisions."
)

_TABLES_SQL = "select table_name from duckdb_tables() where table_name in ('model_runs', 'attrition_scores')"
_LATEST_RUN_SQL = """
select run_id, trained_at, as_of, chosen_estimator, selection_reason, base_rate_12m, window_start, window_end,
       n_people, n_person_months, parameters, metrics
from model_runs
order by trained_at desc, run_id desc
limit 1
"""
_SCORES_SQL = """
select s.employee_id, s.band, s.p_3m, s.p_6m, s.p_12m, s.expected_remaining_months, s.drivers, s.survival,
       s.as_of, s.scored_at, pm.title, pm.team, pm.tier, pm.tenure_band, pm.manager_id
from attrition_scores as s
left join marts_person_months as pm on pm.employee_id = s.employee_id and pm.month = s.as_of
where s.run_id = $run_id
order by s.p_12m desc nulls last, s.employee_id
"""


def scores_enabled(ctx: Context) -> bool:
    """Whether the organisation shows individual scores at all (settings [models] individual_scores)."""
    return bool(getattr(ctx.settings, "individual_scores", True))


def has_model(ctx: Context) -> bool:
    """Whether a training run has been written to the warehouse."""
    return ctx.frame(_TABLES_SQL).height == 2


def get_latest_run(viewer: Viewer, ctx: Context) -> dict[str, Any] | None:
    """The latest training run: id, dates, chosen estimator and why, base rate, band thresholds, metrics."""
    manager_param(viewer)  # raises for a viewer without access
    if not has_model(ctx):
        return None
    frame = ctx.frame(_LATEST_RUN_SQL)
    if frame.is_empty():
        return None
    row = frame.row(0, named=True)
    parameters = json.loads(row.pop("parameters") or "{}")
    row["metrics"] = json.loads(row["metrics"] or "{}")
    row["band_thresholds"] = parameters.get("band_thresholds", {})
    row["origins"] = parameters.get("origins", [])
    return row


def _run_id(viewer: Viewer, ctx: Context, run_id: str | None) -> str | None:
    if run_id is not None:
        return run_id
    run = get_latest_run(viewer, ctx)
    return None if run is None else run["run_id"]


def _scored_day(ctx: Context, as_of: date) -> date:
    """The day a score's scope is read on: the end of its month, or the latest data date if earlier."""
    end = pl.select(pl.lit(as_of).dt.month_end()).item()
    return min(end, ctx.data_end_date())


def _all_scores(viewer: Viewer, ctx: Context, run_id: str | None) -> pl.DataFrame:
    """Every score of a run in the viewer's scope (internal: person-level, no role check beyond scope)."""
    run_id = _run_id(viewer, ctx, run_id)
    if run_id is None:
        return pl.DataFrame()
    scores = ctx.frame(_SCORES_SQL, {"run_id": run_id})
    if scores.is_empty() or manager_param(viewer) is None:
        return scores
    # a manager: the reporting subtree on the scoring day
    keep = in_scope(viewer, ctx, scores["employee_id"].to_list(), _scored_day(ctx, scores["as_of"][0]))
    return scores.filter(pl.col("employee_id").is_in(sorted(keep)))


def get_risk_scores(viewer: Viewer, ctx: Context, run_id: str | None = None) -> pl.DataFrame:
    """One row per person scored in the run (latest by default) that the viewer may see.

    Columns: employee_id, band, p_3m, p_6m, p_12m, expected_remaining_months, drivers (sentences),
    survival, as_of, scored_at, title, team, tier, tenure_band, manager_id. Empty for executives
    and whenever individual scores are turned off in the settings.
    """
    if not require_people(viewer) or not scores_enabled(ctx):
        return pl.DataFrame()
    return _all_scores(viewer, ctx, run_id)


@describes("n_people")
def get_risk_band_counts(
    viewer: Viewer, ctx: Context, by: BandCut | None = None, run_id: str | None = None
) -> pl.DataFrame:
    """People per risk band (optionally per team, tier or tenure band); one row per group per band.

    Columns: group, band, n_people, share (of the group's people), is_suppressed. Cells with
    fewer people than the privacy minimum are hidden with their complements. A guarded viewer
    (scope.period_guarded) sees the latest run only: two runs a month apart would difference
    into one person's change of band.
    """
    if by is not None and by not in _CUTS:
        raise ValueError(f"unknown cut {by!r}; choose from {_CUTS}")
    if run_id is not None and period_guarded(viewer) and run_id != _run_id(viewer, ctx, None):
        raise PeriodNotAllowed("this role sees band counts of the latest scoring run only")
    scores = _all_scores(viewer, ctx, run_id)
    schema = {"group": pl.String, "band": pl.String, "n_people": pl.Int64, "share": pl.Float64}
    if scores.is_empty():
        return pl.DataFrame(schema=schema).with_columns(pl.lit(False).alias("is_suppressed"))
    grouped = scores.with_columns(
        (pl.col(by).cast(pl.String) if by else pl.lit("all")).fill_null("unknown").alias("group")
    )
    counts = (
        grouped.group_by("group", "band")
        .agg(pl.len().cast(pl.Int64).alias("n_people"))
        .with_columns((pl.col("n_people") / pl.col("n_people").sum().over("group")).alias("share"))
        .with_columns(pl.col("band").replace_strict({b: i for i, b in enumerate(BANDS)}, default=99).alias("_order"))
        .sort("group", "_order")
        .drop("_order")
        .select(list(schema))
    )
    parts = [
        suppress(part, ctx.settings.min_group_size, keep=("group", "band"))
        for _, part in counts.group_by("group", maintain_order=True)
    ]
    return pl.concat(parts, how="vertical_relaxed")


def get_backtest(viewer: Viewer, ctx: Context, run_id: str | None = None) -> pl.DataFrame:
    """The run's backtest: one row per estimator per origin with ROC AUC, PR AUC, Brier, ECE, c-index."""
    run_id = _run_id(viewer, ctx, run_id)
    if run_id is None:
        return pl.DataFrame()
    return ctx.frame(
        "select * from model_backtest where run_id = $run_id order by estimator, origin", {"run_id": run_id}
    )


def get_backtest_summary(viewer: Viewer, ctx: Context, run_id: str | None = None) -> pl.DataFrame:
    """Mean, min and max of each metric across origins per estimator, plus the pooled ECE; one row per estimator."""
    run = get_latest_run(viewer, ctx) if run_id is None else None
    backtest = get_backtest(viewer, ctx, run_id)
    if backtest.is_empty():
        return pl.DataFrame()
    metrics = ["roc_auc", "pr_auc", "brier", "ece", "c_index", "observed_rate", "mean_predicted"]
    summary = backtest.group_by("estimator").agg(
        pl.len().alias("n_origins"),
        *[pl.col(m).mean().alias(m) for m in metrics],
        pl.col("roc_auc").min().alias("roc_auc_min"),
        pl.col("roc_auc").max().alias("roc_auc_max"),
    )
    pooled = (run or {}).get("metrics", {})
    ece = pl.DataFrame(
        {
            "estimator": list(pooled),
            "ece_pooled": [pooled[e].get("ece_pooled") for e in pooled],
            "ece_pooled_noise": [pooled[e].get("ece_pooled_noise") for e in pooled],
        },
        schema={"estimator": pl.String, "ece_pooled": pl.Float64, "ece_pooled_noise": pl.Float64},
    )
    return summary.join(ece, on="estimator", how="left").sort("estimator")


def get_calibration(viewer: Viewer, ctx: Context, run_id: str | None = None) -> pl.DataFrame:
    """Pooled reliability bins (all origins together): estimator, bin, mean_predicted, observed_rate, weight."""
    run_id = _run_id(viewer, ctx, run_id)
    if run_id is None:
        return pl.DataFrame()
    return ctx.frame(
        "select estimator, bin, mean_predicted, observed_rate, weight from model_calibration "
        "where run_id = $run_id and origin is null order by estimator, bin",
        {"run_id": run_id},
    )


def get_model_card(viewer: Viewer, ctx: Context, run_id: str | None = None) -> str | None:
    """The run's model card (markdown)."""
    run_id = _run_id(viewer, ctx, run_id)
    if run_id is None:
        return None
    row = ctx.one("select markdown from model_card where run_id = $run_id", {"run_id": run_id})
    return None if row is None else row[0]


def get_importance(viewer: Viewer, ctx: Context, run_id: str | None = None) -> pl.DataFrame:
    """Global permutation importance of the run's chosen estimator; one row per feature."""
    run_id = _run_id(viewer, ctx, run_id)
    if run_id is None:
        return pl.DataFrame()
    return ctx.frame(
        "select feature, importance_mean, importance_std from model_importance where run_id = $run_id "
        "order by importance_mean desc",
        {"run_id": run_id},
    )


def get_backtest_track_record(viewer: Viewer, ctx: Context, run_id: str | None = None) -> pl.DataFrame:
    """Predicted vs actual on the backtest origins for the chosen estimator and the baseline: one row per origin."""
    run = get_latest_run(viewer, ctx) if run_id is None else {"run_id": run_id, "chosen_estimator": None}
    if run is None:
        return pl.DataFrame()
    backtest = get_backtest(viewer, ctx, run["run_id"])
    if backtest.is_empty():
        return backtest
    chosen = run["chosen_estimator"] or backtest["estimator"][0]
    return (
        backtest.filter(pl.col("estimator").is_in([chosen, "baseline"]))
        .select("estimator", "origin", "n_scored", "n_events", "mean_predicted", "observed_rate", "roc_auc")
        .sort("origin", "estimator")
    )


def get_track_record(viewer: Viewer, ctx: Context) -> pl.DataFrame:
    """Every stored scoring run checked against what happened since: one row per run per band.

    Columns: run_id, as_of, band, n_scored, mean_p_12m, n_left_voluntarily, n_settled,
    observed_rate, is_suppressed. Managers see their subtree's people; groups under the privacy
    minimum are suppressed.
    """
    manager_param(viewer)
    if not has_model(ctx):
        return pl.DataFrame()
    scores = ctx.frame("select run_id, as_of, employee_id, p_12m, band from attrition_scores")
    if manager_param(viewer) is not None and not scores.is_empty():
        keep = in_scope(viewer, ctx, scores["employee_id"].unique().to_list())
        scores = scores.filter(pl.col("employee_id").is_in(sorted(keep)))
    if scores.is_empty():
        return pl.DataFrame()
    panel = ctx.frame("select employee_id, month, exit_type_next_month from marts_person_months")
    by_band = track_record_by_band(track_record(scores, panel)).rename({"n_scored": "n_people"})
    parts = [
        suppress(part, ctx.settings.min_group_size, keep=("run_id", "as_of", "band"))
        for _, part in by_band.group_by("run_id", maintain_order=True)
    ]
    return pl.concat(parts, how="vertical_relaxed").rename({"n_people": "n_scored"})
