"""Tenure: Kaplan-Meier retention of support spells, median tenure with an interval, first-year attrition."""

from __future__ import annotations

from datetime import date
from typing import Literal

import numpy as np
import polars as pl
from sksurv.nonparametric import kaplan_meier_estimator

from pipelines.access import Viewer
from pipelines.metrics.context import Context
from pipelines.metrics.scope import as_of_for, manager_param, with_subtree

DAYS_PER_MONTH = 30.4375
ALL_ENDS: tuple[str, ...] = ("voluntary", "involuntary", "transfer_out", "unknown")
RetentionCut = Literal["hire_cohort", "tier", "track", "manager_id"]
_CUT_COLUMNS = {
    "hire_cohort": "hire_cohort",
    "tier": "start_tier",
    "track": "start_track",
    "manager_id": "start_manager_id",
}

# One row per support spell started on or before as_of, in the viewer's scope (the person was
# in the manager's subtree on the spell's last observed day), with its duration and end.
SPELLS_SQL = with_subtree(
    """
with
observed as (
    select
        sp.*,
        case when sp.end_date is not null and sp.end_date <= $as_of then sp.end_date else cast($as_of as date) end
            as observed_end_date
    from marts_support_spells as sp
    where sp.start_date <= $as_of
),
probe_days as (
    select distinct observed_end_date as day from observed
),
""",
    """,
scoped as (
    select o.*
    from observed as o
    left join subtree as t on t.employee_id = o.employee_id and o.observed_end_date between t.span_from and t.span_to
    where cast($manager_id as varchar) is null or t.employee_id is not null
)
select
    employee_id, spell_id, start_date, observed_end_date, hire_cohort, start_tier, start_track, start_manager_id,
    (observed_end_date - start_date + 1) / 30.4375 as duration_months,
    case when end_date is not null and end_date <= $as_of then end_kind end as observed_end_kind
from scoped
""",
)


def spells_observed(viewer: Viewer, ctx: Context, as_of: date) -> pl.DataFrame:
    """Support spells censored at as_of in the viewer's scope; one row per spell (internal, person-level)."""
    return ctx.frame(SPELLS_SQL, {"as_of": as_of, "manager_id": manager_param(viewer)})


def km_curve(duration_months: np.ndarray, event: np.ndarray) -> pl.DataFrame:
    """Kaplan-Meier survival with a 95% log-log interval; one row per distinct time (plus time 0)."""
    if len(duration_months) == 0:
        return pl.DataFrame(
            schema={"time_months": pl.Float64, "survival": pl.Float64, "ci_low": pl.Float64, "ci_high": pl.Float64}
        )
    time, surv, ci = kaplan_meier_estimator(event.astype(bool), duration_months.astype(float), conf_type="log-log")
    curve = pl.DataFrame({"time_months": time, "survival": surv, "ci_low": ci[0], "ci_high": ci[1]})
    start = pl.DataFrame({"time_months": [0.0], "survival": [1.0], "ci_low": [1.0], "ci_high": [1.0]})
    return pl.concat([start, curve.filter(pl.col("time_months") > 0)]).fill_nan(None)


def _first_below_half(times: list[float], values: list[float | None]) -> float | None:
    return next((t for t, v in zip(times, values, strict=True) if v is not None and v <= 0.5), None)


def median_from_curve(curve: pl.DataFrame) -> dict[str, float | None]:
    """Median time (first time survival <= 0.5) with its interval read off the confidence band."""
    times = curve["time_months"].to_list()
    return {
        "median_months": _first_below_half(times, curve["survival"].to_list()),
        "ci_low": _first_below_half(times, curve["ci_low"].to_list()),
        "ci_high": _first_below_half(times, curve["ci_high"].to_list()),
    }


def survival_at(curve: pl.DataFrame, months: float) -> float | None:
    """Survival at `months` (step function), or None when the curve is empty."""
    if curve.is_empty():
        return None
    before = curve.filter(pl.col("time_months") <= months)
    return float(before["survival"][-1]) if before.height else 1.0


def _events(spells: pl.DataFrame, ends: tuple[str, ...]) -> np.ndarray:
    return spells["observed_end_kind"].is_in(list(ends)).fill_null(False).to_numpy()


def get_retention_curves(
    viewer: Viewer,
    ctx: Context,
    as_of: date | None = None,
    by: RetentionCut | None = None,
    ends: tuple[str, ...] = ALL_ENDS,
) -> pl.DataFrame:
    """Kaplan-Meier retention in support by group; one row per group per distinct spell duration.

    A spell ends in an event when it ends (by default any way out of support) on or before
    as_of; open spells are censored at as_of. Groups with fewer people than the minimum are dropped.
    """
    if by is not None and by not in _CUT_COLUMNS:
        raise ValueError(f"unknown retention cut {by!r}")
    spells = spells_observed(viewer, ctx, as_of_for(viewer, ctx, as_of))
    col = _CUT_COLUMNS[by] if by else None
    spells = spells.with_columns((pl.col(col).cast(pl.String) if col else pl.lit("all")).alias("group"))
    parts = []
    for (group,), part in spells.group_by(["group"], maintain_order=True):
        n_people = part["employee_id"].n_unique()
        if n_people < ctx.settings.min_group_size:
            continue
        curve = km_curve(part["duration_months"].to_numpy(), _events(part, ends))
        parts.append(
            curve.with_columns(
                pl.lit(group, dtype=pl.String).alias("group"), pl.lit(n_people, dtype=pl.Int64).alias("n_people")
            )
        )
    if not parts:
        return pl.DataFrame(
            schema={
                "group": pl.String,
                "time_months": pl.Float64,
                "survival": pl.Float64,
                "ci_low": pl.Float64,
                "ci_high": pl.Float64,
                "n_people": pl.Int64,
            }
        )
    return (
        pl.concat(parts)
        .select("group", "time_months", "survival", "ci_low", "ci_high", "n_people")
        .sort("group", "time_months", nulls_last=True)
    )


def get_median_tenure(
    viewer: Viewer, ctx: Context, as_of: date | None = None, ends: tuple[str, ...] = ALL_ENDS
) -> dict[str, float | int | None]:
    """Median months in support (Kaplan-Meier over spells censored at as_of) with a 95% interval."""
    spells = spells_observed(viewer, ctx, as_of_for(viewer, ctx, as_of))
    n_people = spells["employee_id"].n_unique()
    if n_people < ctx.settings.min_group_size:
        return {"median_months": None, "ci_low": None, "ci_high": None, "n_spells": None, "is_suppressed": True}
    curve = km_curve(spells["duration_months"].to_numpy(), _events(spells, ends))
    return {**median_from_curve(curve), "n_spells": spells.height, "is_suppressed": False}


def get_first_year_attrition(
    viewer: Viewer, ctx: Context, as_of: date | None = None, ends: tuple[str, ...] = ("voluntary", "involuntary")
) -> dict[str, float | int | None]:
    """Share of support spells ending within their first 12 months: 1 - Kaplan-Meier survival at 12 months."""
    spells = spells_observed(viewer, ctx, as_of_for(viewer, ctx, as_of))
    n_people = spells["employee_id"].n_unique()
    if n_people < ctx.settings.min_group_size:
        return {"first_year_attrition": None, "n_spells": None, "is_suppressed": True}
    curve = km_curve(spells["duration_months"].to_numpy(), _events(spells, ends))
    surv = survival_at(curve, 12.0)
    return {
        "first_year_attrition": None if surv is None else 1.0 - surv,
        "n_spells": spells.height,
        "is_suppressed": False,
    }
