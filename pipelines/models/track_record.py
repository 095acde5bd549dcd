"""Predicted vs actual: every past score beside what happened in the 12 months after it.

Grain: one row per run per person scored (track_record), one row per run per band
(track_record_by_band).
"""

from __future__ import annotations

import polars as pl

from pipelines.models.backtest import WINDOW, month_index
from pipelines.models.features import ID, MONTH, OUTCOME, TARGET_EXIT

NOT_ENOUGH_DATA = "not enough data"


def track_record(scores: pl.DataFrame, panel: pl.DataFrame) -> pl.DataFrame:
    """Each past score (attrition_scores rows) with its outcome so far: one row per run_id and person.

    outcome: "left voluntarily", "left otherwise" (involuntary or transfer out), "stayed 12 months",
    or "too early to tell" while fewer than 12 months have been observed. A row's exit type is
    known once the following month is in the panel, so with data through month M a score made
    at month T has min(12, M - T) months observed.
    """
    rows = panel.select(
        pl.col(ID).cast(pl.String), pl.col(MONTH).cast(pl.Date), pl.col(OUTCOME).cast(pl.String).str.to_lowercase()
    )
    last = rows[MONTH].max()
    scored = scores.filter(pl.col("band") != NOT_ENOUGH_DATA).select("run_id", "as_of", ID, "p_12m", "band")
    watched = (
        scored.join(rows, on=ID)
        .with_columns(t=month_index(pl.col(MONTH)) - month_index(pl.col("as_of")) + 1)
        .filter(pl.col("t").is_between(1, WINDOW), pl.col(MONTH) < last)
        .sort("run_id", ID, "t")
        .group_by("run_id", ID)
        .agg(
            pl.col("t").filter(pl.col(OUTCOME).is_not_null()).first().alias("exit_after_months"),
            pl.col(OUTCOME).drop_nulls().first().alias("exit_type"),
        )
    )
    return (
        scored.join(watched, on=["run_id", ID], how="left")
        .with_columns(
            months_observed=pl.min_horizontal(
                pl.lit(WINDOW), (month_index(pl.lit(last)) - month_index(pl.col("as_of"))).clip(lower_bound=0)
            ),
        )
        .with_columns(
            outcome=pl.when(pl.col("exit_type") == TARGET_EXIT)
            .then(pl.lit("left voluntarily"))
            .when(pl.col("exit_type").is_not_null())
            .then(pl.lit("left otherwise"))
            .when(pl.col("months_observed") >= WINDOW)
            .then(pl.lit("stayed 12 months"))
            .otherwise(pl.lit("too early to tell")),
        )
        .with_columns(is_voluntary_exit_12m=pl.col("outcome") == "left voluntarily")
        .sort("run_id", ID)
    )


def track_record_by_band(record: pl.DataFrame) -> pl.DataFrame:
    """Per run and band: people scored, mean predicted 12-month risk, and how many left voluntarily.

    observed_rate counts only people whose 12 months are complete and who did not leave another
    way first, so it is comparable with p_12m once the window has passed.
    """
    settled = pl.col("outcome").is_in(["left voluntarily", "stayed 12 months"])
    return (
        record.group_by("run_id", "as_of", "band")
        .agg(
            pl.len().alias("n_scored"),
            pl.col("p_12m").mean().alias("mean_p_12m"),
            pl.col("is_voluntary_exit_12m").sum().alias("n_left_voluntarily"),
            settled.sum().alias("n_settled"),
            (pl.col("is_voluntary_exit_12m").sum() / settled.sum()).alias("observed_rate"),
        )
        .sort("as_of", "run_id", "band")
    )
