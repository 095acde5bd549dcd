"""Time to proficiency: weeks from a hire until their handle time reaches what is expected for their tickets.

The expectation is the cross-fitted one (other agents' tickets of the same kind and quarter), so
"the team norm" here is what a typical agent takes on the same tickets. A hire is proficient in
the first week whose trailing 4 weeks hold at least `min_tickets` conversations and a total handle
time at most `tolerance` x the expected total. Hires not there yet are censored at their last week.
"""

from __future__ import annotations

import polars as pl

TOLERANCE = 1.05
WINDOW = "28d"
MIN_TICKETS = 10
HORIZON_WEEKS = 78


def weeks_to_proficiency(
    tickets: pl.DataFrame,
    spells: pl.DataFrame,
    tolerance: float = TOLERANCE,
    min_tickets: int = MIN_TICKETS,
    horizon_weeks: int = HORIZON_WEEKS,
) -> pl.DataFrame:
    """One row per hire spell: weeks_to_proficiency (null while not reached), is_proficient, weeks_observed.

    tickets: employee_id, created_date, handle_seconds, expected_handle_seconds.
    spells: spell_id, employee_id, start_date, end_date, start_tier, hire_cohort.
    """
    return proficiency_from_weeks(weekly_totals(tickets, spells, horizon_weeks), spells, tolerance, min_tickets)


def weekly_totals(tickets: pl.DataFrame, spells: pl.DataFrame, horizon_weeks: int = HORIZON_WEEKS) -> pl.DataFrame:
    """Tickets, observed and expected handle seconds per hire spell per week since its start; one row per spell-week.

    Sums over any split of the tickets add up (the trainer sums a quarter at a time, then again).
    """
    return (
        tickets.filter(pl.col("handle_seconds").is_not_null() & pl.col("expected_handle_seconds").is_not_null())
        .join(spells, on="employee_id")
        .filter(
            (pl.col("created_date") >= pl.col("start_date"))
            & (pl.col("end_date").is_null() | (pl.col("created_date") <= pl.col("end_date")))
        )
        .with_columns(((pl.col("created_date") - pl.col("start_date")).dt.total_days() // 7).alias("week"))
        .filter(pl.col("week") < horizon_weeks)
        .group_by("spell_id", "week")
        .agg(
            pl.len().alias("n"),
            pl.col("handle_seconds").sum().alias("observed"),
            pl.col("expected_handle_seconds").sum().alias("expected"),
            pl.col("start_date").first(),
        )
    )


def proficiency_from_weeks(
    weekly: pl.DataFrame, spells: pl.DataFrame, tolerance: float = TOLERANCE, min_tickets: int = MIN_TICKETS
) -> pl.DataFrame:
    """weeks_to_proficiency from weekly totals (spell_id, week, n, observed, expected, start_date; one row per spell-week).

    The trainer sums the weeks a quarter of tickets at a time (weekly_totals, then summed again).
    """
    weekly = weekly.with_columns(
        pl.col("week").cast(pl.Int64),
        pl.col("n").cast(pl.UInt32),
        (pl.col("start_date") + pl.duration(weeks=pl.col("week").cast(pl.Int64))).alias("week_start"),
    ).sort("spell_id", "week_start")
    rolling = weekly.with_columns(
        pl.col(c).rolling_sum_by("week_start", window_size=WINDOW).over("spell_id").alias(f"r_{c}")
        for c in ("n", "observed", "expected")
    ).with_columns(
        ((pl.col("r_n") >= min_tickets) & (pl.col("r_observed") <= tolerance * pl.col("r_expected"))).alias("ok")
    )
    reached = (
        rolling.group_by("spell_id")
        .agg(
            pl.col("week").filter(pl.col("ok")).min().alias("weeks_to_proficiency"),
            pl.col("week").max().alias("weeks_observed"),
        )
        .with_columns(pl.col("weeks_to_proficiency").is_not_null().alias("is_proficient"))
    )
    return spells.join(reached, on="spell_id", how="inner").sort("spell_id")
