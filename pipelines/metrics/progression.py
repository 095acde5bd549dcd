"""Progression: promotions per person-year, management vs IC share, lateral moves, internal
mobility, time in level, time to first promotion (exit competing) and role flows for a Sankey."""

from __future__ import annotations

from datetime import date
from typing import Literal

import numpy as np
import polars as pl

from pipelines.access import Viewer
from pipelines.metrics.context import Context
from pipelines.metrics.headcount import person_totals, window_totals
from pipelines.metrics.scope import (
    as_of_days,
    as_of_for,
    describes,
    detail_differences,
    grid_windows,
    manager_param,
    period,
    period_guarded,
    suppress,
    with_subtree,
)
from pipelines.metrics.tenure import spells_observed

# One row per role move inside [start, end], in the viewer's scope on the day of the move.
MOVES_SQL = with_subtree(
    """
with
probe_days as (
    select distinct effective_date as day from marts_role_moves where effective_date between $start and $end
),
""",
    """,
scoped as (
    select m.*
    from marts_role_moves as m
    left join subtree as t on t.employee_id = m.employee_id and m.effective_date between t.span_from and t.span_to
    where m.effective_date between $start and $end
      and (cast($manager_id as varchar) is null or t.employee_id is not null)
)
select * from scoped
""",
)

ProgressionCut = Literal["level", "track", "title"]


def _moves(viewer: Viewer, ctx: Context, start: date, end: date) -> pl.DataFrame:
    return ctx.frame(MOVES_SQL, {"start": start, "end": end, "manager_id": manager_param(viewer)})


def _promotion_table(exposure: pl.DataFrame, moves: pl.DataFrame, by: str) -> pl.DataFrame:
    counts = (
        moves.filter(pl.col("move_kind") == "promotion")
        .group_by(pl.col(f"from_{by}").alias(by))
        .agg(
            pl.len().alias("promotions"),
            pl.col("is_management_promotion").sum().alias("promotions_into_management"),
        )
    )
    return (
        exposure.select(by, "n_people", (pl.col("person_days") / 365.25).alias("person_years"))
        .join(counts, on=by, how="left", nulls_equal=True)
        .with_columns(pl.col("promotions", "promotions_into_management").fill_null(0))
        .with_columns((pl.col("promotions") / pl.col("person_years")).alias("promotions_per_person_year"))
        .sort(by, nulls_last=True)
    )


PROMOTION_DETAILS: tuple[str, ...] = ("promotions", "promotions_into_management")


@describes(*PROMOTION_DETAILS)
def get_promotions(
    viewer: Viewer, ctx: Context, start: date | None = None, end: date | None = None, by: ProgressionCut = "level"
) -> pl.DataFrame:
    """Promotions per person-year by the level, track or title people were promoted from; one row per group.

    Exposure = person-days in support at that level / 365.25 inside the window. For a guarded
    viewer (scope.period_guarded) a row is also hidden when its promotions differ from the same
    row over another grid window by 1 .. minimum - 1.
    """
    if by not in ("level", "track", "title"):
        raise ValueError(f"unknown progression cut {by!r}")
    start, end = period(viewer, ctx, start, end)
    grid = grid_windows(ctx) if period_guarded(viewer) else [(start, end)]
    lo, hi = min(w[0] for w in grid), max(w[1] for w in grid)
    moves = _moves(viewer, ctx, lo, hi)
    tables = {
        w: _promotion_table(exposure, moves.filter(pl.col("effective_date").is_between(w[0], w[1])), by)
        for w, exposure in window_totals(viewer, ctx, grid, by).items()
    }
    out = tables[(start, end)]
    others = [t for w, t in tables.items() if w != (start, end)]
    flagged = detail_differences(out, others, [by], PROMOTION_DETAILS, ctx.settings.min_group_size)
    return suppress(out, ctx.settings.min_group_size, keep=(by,), forced=flagged)


_SUMMARY_DETAILS: tuple[str, ...] = ("promotions", "management_promotions", "lateral_moves")


@describes("promotions", "lateral_moves")
def get_progression_summary(
    viewer: Viewer, ctx: Context, start: date | None = None, end: date | None = None
) -> dict[str, float | int | None]:
    """Promotions, promotion rate, management share, lateral moves and internal mobility over [start, end].

    For a guarded viewer (scope.period_guarded) the promotion and lateral-move figures are None
    when another grid window's counts differ by 1 .. minimum - 1 (transfers out stay: moving to
    another department is not a detail).
    """
    start, end = period(viewer, ctx, start, end)
    n = (end - start).days + 1
    totals = person_totals(viewer, ctx, start, end)  # one row: people, average headcount, transfers out
    n_people = int(totals["n_people"][0])
    avg_headcount = float(totals["avg_headcount"][0])
    min_size = ctx.settings.min_group_size
    if n_people < min_size:
        keys = ("promotions", "promotion_rate", "management_promotion_share", "lateral_moves", "transfers_out")
        return {**dict.fromkeys(keys), "internal_mobility_rate": None, "n_people": None, "is_suppressed": True}
    grid = grid_windows(ctx) if period_guarded(viewer) else [(start, end)]
    all_moves = _moves(viewer, ctx, min(w[0] for w in grid), max(w[1] for w in grid))

    def counts(w: tuple[date, date]) -> pl.DataFrame:
        moves = all_moves.filter(pl.col("effective_date").is_between(w[0], w[1]))
        promotions = moves.filter(pl.col("move_kind") == "promotion")
        return pl.DataFrame(
            {
                "all": ["all"],
                "promotions": [promotions.height],
                "management_promotions": [int(promotions["is_management_promotion"].sum())],
                "lateral_moves": [moves.filter(pl.col("move_kind") == "lateral").height],
            }
        )

    mine = counts((start, end))
    others = [counts(w) for w in grid if w != (start, end)]
    hidden = {d: detail_differences(mine, others, ["all"], (d,), min_size)[0] for d in _SUMMARY_DETAILS}
    n_promotions = int(mine["promotions"][0])
    n_management = int(mine["management_promotions"][0])
    transfers_out = int(totals["transfers_out"][0])
    no_promotions = hidden["promotions"] or not n_promotions
    return {
        "promotions": None if hidden["promotions"] else n_promotions,
        "promotion_rate": (
            None if hidden["promotions"] or not avg_headcount else n_promotions / avg_headcount * 365.0 / n
        ),
        "management_promotion_share": (
            None if no_promotions or hidden["management_promotions"] else n_management / n_promotions
        ),
        "lateral_moves": None if hidden["lateral_moves"] else int(mine["lateral_moves"][0]),
        "transfers_out": transfers_out,
        "internal_mobility_rate": transfers_out / avg_headcount * 365.0 / n if avg_headcount else None,
        "n_people": n_people,
        "is_suppressed": False,
    }


@describes("n_people", "promotions")
def get_time_in_level(viewer: Viewer, ctx: Context, as_of: date | None = None) -> pl.DataFrame:
    """Months in a ladder role before promotion out of it (completed), by role; one row per title.

    Quartiles over promotions up to as_of; cells under the minimum group size are suppressed. For
    a guarded viewer (scope.period_guarded) a title is also hidden when its promotions differ from
    the other allowed end's (scope.grid_ends) by 1 .. minimum - 1.
    """
    end = as_of_for(viewer, ctx, as_of)
    days = as_of_days(viewer, ctx, end)
    moves = _moves(viewer, ctx, date(1900, 1, 1), max(days)).filter(pl.col("move_kind") == "promotion")
    tables = {
        day: moves.filter(pl.col("effective_date") <= day)
        .group_by(pl.col("from_title").alias("title"))
        .agg(
            pl.col("employee_id").n_unique().alias("n_people"),
            pl.len().alias("promotions"),
            pl.col("from_role_months").quantile(0.25, "linear").alias("p25_months"),
            pl.col("from_role_months").median().alias("median_months"),
            pl.col("from_role_months").quantile(0.75, "linear").alias("p75_months"),
        )
        .sort("title")
        for day in days
    }
    out = tables[end]
    others = [t for day, t in tables.items() if day != end]
    flagged = detail_differences(out, others, ["title"], ("n_people", "promotions"), ctx.settings.min_group_size)
    return suppress(out, ctx.settings.min_group_size, keep=("title",), forced=flagged)


@describes("n_people", "moves")
def get_role_flows(viewer: Viewer, ctx: Context, start: date | None = None, end: date | None = None) -> pl.DataFrame:
    """Flows between roles for a Sankey over [start, end]: role moves, transfers out and exits; one row per pair.

    For a guarded viewer (scope.period_guarded) a pair is also hidden when it differs from the same
    pair over another grid window by 1 .. minimum - 1 people.
    """
    start, end = period(viewer, ctx, start, end)
    grid = grid_windows(ctx) if period_guarded(viewer) else [(start, end)]
    lo, hi = min(w[0] for w in grid), max(w[1] for w in grid)
    moves = _moves(viewer, ctx, lo, hi).select(
        "employee_id", "effective_date", pl.col("from_title").alias("source"), pl.col("to_title").alias("target")
    )
    spells = spells_observed(viewer, ctx, hi).filter(
        pl.col("observed_end_kind").is_not_null() & (pl.col("observed_end_date") >= lo)
    )
    ends = ctx.frame(
        "select spell_id, end_date, end_title, exit_destination from marts_support_spells "
        "where end_date between $start and $end",
        {"start": lo, "end": hi},
    )
    leavers = spells.join(ends, on="spell_id", how="inner").select(
        "employee_id",
        pl.min_horizontal("observed_end_date", "end_date").alias("effective_date"),
        pl.col("end_title").alias("source"),
        pl.when(pl.col("observed_end_kind") == "transfer_out")
        .then(pl.lit("Moved to ") + pl.col("exit_destination").fill_null("another department"))
        .otherwise(pl.lit("Left the company (") + pl.col("observed_end_kind") + pl.lit(")"))
        .alias("target"),
    )
    flows = pl.concat([moves, leavers])
    tables = {
        w: flows.filter(pl.col("effective_date").is_between(w[0], w[1]))
        .group_by("source", "target")
        .agg(pl.col("employee_id").n_unique().alias("n_people"), pl.len().alias("moves"))
        .sort("source", "target")
        for w in grid
    }
    out = tables[(start, end)]
    others = [t for w, t in tables.items() if w != (start, end)]
    flagged = detail_differences(out, others, ["source", "target"], ("n_people", "moves"), ctx.settings.min_group_size)
    return suppress(out, ctx.settings.min_group_size, keep=("source", "target"), forced=flagged)


def cumulative_incidence(time: np.ndarray, kind: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """Aalen-Johansen cumulative incidence of event kind 1 with kind 2 competing (0 = censored), at `grid`."""
    order = np.argsort(time, kind="stable")
    time, kind = time[order], kind[order]
    surv, cif, out_t, out_c = 1.0, 0.0, [0.0], [0.0]
    for t in np.unique(time[kind > 0]):
        at_risk = np.sum(time >= t)
        d1 = np.sum((time == t) & (kind == 1))
        d_all = np.sum((time == t) & (kind > 0))
        cif += surv * d1 / at_risk
        surv *= 1.0 - d_all / at_risk
        out_t.append(float(t))
        out_c.append(cif)
    idx = np.searchsorted(np.array(out_t), grid, side="right") - 1
    return np.array(out_c)[idx]


def get_time_to_first_promotion(
    viewer: Viewer, ctx: Context, as_of: date | None = None, grid_months: tuple[int, ...] = (6, 12, 18, 24, 36, 48)
) -> pl.DataFrame:
    """Cumulative incidence of a first promotion in a support spell, with leaving support competing; one row per month.

    A spell ends at its first promotion (event), when it ends otherwise (competing), or is
    censored at as_of.
    """
    end = as_of_for(viewer, ctx, as_of)
    spells = spells_observed(viewer, ctx, end)
    if spells["employee_id"].n_unique() < ctx.settings.min_group_size:
        return pl.DataFrame({"months": list(grid_months), "cumulative_incidence": [None] * len(grid_months)})
    first = (
        _moves(viewer, ctx, date(1900, 1, 1), end)
        .filter(pl.col("move_kind") == "promotion")
        .group_by("spell_id")
        .agg(pl.col("effective_date").min().alias("first_promotion_date"))
    )
    spells = spells.join(first, on="spell_id", how="left").with_columns(
        pl.when(pl.col("first_promotion_date").is_not_null())
        .then((pl.col("first_promotion_date") - pl.col("start_date")).dt.total_days() / 30.4375)
        .otherwise(pl.col("duration_months"))
        .alias("t"),
        pl.when(pl.col("first_promotion_date").is_not_null())
        .then(1)
        .when(pl.col("observed_end_kind").is_not_null())
        .then(2)
        .otherwise(0)
        .alias("kind"),
    )
    grid = np.array(grid_months, dtype=float)
    cif = cumulative_incidence(spells["t"].to_numpy(), spells["kind"].to_numpy(), grid)
    return pl.DataFrame({"months": list(grid_months), "cumulative_incidence": cif.tolist()})
