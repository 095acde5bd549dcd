"""KPI fairness read API: raw vs adjusted agent KPIs, mix shift, CSAT in context and group parity.

Every function takes the Viewer first: a manager sees the agents of their subtree (as of the end
of the period), an executive no person rows, and aggregates over fewer people than the minimum
group size are suppressed.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import numpy as np
import polars as pl
from sklearn.linear_model import LogisticRegression

from pipelines.access import Viewer
from pipelines.metrics.context import Context
from pipelines.metrics.scope import (
    PeriodNotAllowed,
    last_complete_month_end,
    manager_param,
    period,
    period_guarded,
    require_people,
    window,
    with_scoped_tickets,
    with_subtree,
)
from pipelines.models.fairness_parity import compare_attributes, group_rates
from pipelines.models.kpi_expectation import OUTCOME_BY_NAME
from pipelines.models.kpi_mix import decompose_mix, mix_totals

METRIC_COLUMNS = {"handle_time": "handle_seconds", "resolution_time": "resolution_hours", "csat": "csat_good"}
PARITY_ATTRIBUTES = ("gender", "location", "is_remote", "tier", "team")
PARITY_OUTCOMES = ("promotion", "high_rating", "adjusted_handle_time")
HIGH_RATING = 3.5
# promotion units: months in a role from which a promotion is normal (the ladder's window)
MIN_MONTHS_IN_ROLE = 5

AGENT_PERIODS_SQL = with_subtree(
    """
with
rows_in as (
    select k.*,
        cast(case when $period_kind = 'month' then k.period_start + interval 1 month
             else k.period_start + interval 3 month end - interval 1 day as date) as obs_date
    from kpi_agent_periods as k
    where k.metric = $metric and k.period_kind = $period_kind and k.period_start = $period_start
),
probe_days as (
    select distinct obs_date as day from rows_in
),
""",
    """,
scoped as (
    select r.*
    from rows_in as r
    left join subtree as t on t.employee_id = r.employee_id and r.obs_date between t.span_from and t.span_to
    where cast($manager_id as varchar) is null or t.employee_id is not null
)
select s.* exclude (obs_date), e.full_name
from scoped as s
left join employees as e on e.employee_id = s.employee_id
order by s.adjusted_rank nulls last, s.employee_id
""",
)

# Tickets of a window grouped by cell (category x tier x channel); a manager keeps the tickets
# handled by their subtree that day.
MIX_CELLS_SQL = with_scoped_tickets(
    "select * from marts_kpi_tickets where created_date between $start and $end",
    """
select category, tier, channel,
    count(handle_seconds) as n_handle_time, sum(handle_seconds) as total_handle_time,
    count(resolution_hours) as n_resolution_time, sum(resolution_hours) as total_resolution_time,
    count(csat_good) as n_csat, sum(cast(csat_good as integer)) as total_csat,
    count(distinct employee_id) as n_people
from scoped
group by category, tier, channel
""",
)

# The same cells for viewers without a manager restriction, added up from marts_kpi_mix_days.
# n_people is the most people who handled the cell on one day: a lower bound of the window's.
MIX_DAYS_SQL = """
select category, tier, channel,
    cast(sum(n_handle_time) as bigint) as n_handle_time, sum(total_handle_time) as total_handle_time,
    cast(sum(n_resolution_time) as bigint) as n_resolution_time, sum(total_resolution_time) as total_resolution_time,
    cast(sum(n_csat) as bigint) as n_csat, sum(total_csat) as total_csat,
    max(n_people) as n_people
from marts_kpi_mix_days
where day between $start and $end
group by category, tier, channel
"""

# CSAT, expected CSAT and QA per category over the conversations of `{table}` (aliased k) passing
# `{filter}`. The expected CSAT of the rated conversations is averaged per category on its own, so
# only they meet the expectations. Only expectations that count are joined: set (avg skips nulls)
# and of a ticket created in the window (kpi_train copies each ticket's created_date), which lets
# the scan skip other dates. Before `train` has written the expectations, get_csat_context swaps
# _CSAT_EXPECTED for _CSAT_NO_EXPECTED (expected CSAT null, the same query otherwise).
_CSAT_EXPECTED = """
expected as (
    select k.category, avg(x.expected_csat_good) as expected_csat
    from {table}
    join kpi_ticket_expectations as x
        on x.source_system = k.source_system and x.ticket_id = k.ticket_id
        and x.expected_csat_good is not null and x.created_date between $start and $end
    where {filter} and k.csat_good is not null
    group by k.category
),"""
_CSAT_NO_EXPECTED = """
expected as (
    select cast(null as varchar) as category, cast(null as double) as expected_csat where false
),"""
_CSAT_SELECT = """
per_category as (
    select
        category,
        count(*) as n_tickets,
        count(distinct employee_id) as n_people,
        count(csat_good) as n_rated,
        avg(cast(csat_good as double)) as csat,
        count(qa_score) as n_qa,
        avg(qa_score) as qa_mean_score,
        count(*) filter (where csat_good = false and qa_score >= $high_qa) as n_bad_high_qa,
        count(*) filter (where csat_good = false) as n_bad
    from {table}
    where {filter}
    group by category
)
select p.category, p.n_tickets, p.n_people, p.n_rated, p.csat, e.expected_csat, p.n_qa, p.qa_mean_score,
    p.n_bad_high_qa, p.n_bad
from per_category as p
left join expected as e on e.category is not distinct from p.category
order by p.category
"""
_ALL_CONVERSATIONS = {"table": "marts_kpi_tickets as k", "filter": "k.created_date between $start and $end"}
_SCOPED_CONVERSATIONS = {"table": "scoped as k", "filter": "true"}
# For viewers without a manager restriction: every conversation of the window.
CSAT_ALL_CATEGORIES_SQL = "".join(
    ("\nwith", _CSAT_EXPECTED.format_map(_ALL_CONVERSATIONS), _CSAT_SELECT.format_map(_ALL_CONVERSATIONS))
)
# For a manager: the conversations their subtree handled that day, scoped first (the expectations
# join then reads only theirs).
CSAT_CATEGORIES_SQL = with_scoped_tickets(
    "select * from marts_kpi_tickets where created_date between $start and $end",
    "".join((",", _CSAT_EXPECTED.format_map(_SCOPED_CONVERSATIONS), _CSAT_SELECT.format_map(_SCOPED_CONVERSATIONS))),
)

# At risk of a promotion: a month in a role that has a next step on its track (max_months set) or
# that someone in the data was promoted out of (e.g. a senior specialist picked as team lead),
# from `min_months` in the role on, however long it lasts (long waits are the point of the check).
PROMOTION_UNITS_SQL = """
with
promoted_from as (
    select distinct lower(trim(from_title)) as title_key from marts_role_moves where move_kind = 'promotion'
),
panel as (
    select pm.*, l.expected_months, l.max_months
    from marts_person_months as pm
    join settings_ladder as l on l.title_key = lower(trim(pm.title))
    where pm.month between date_trunc('month', cast($start as date)) and $end
        and (l.max_months is not null or l.title_key in (select title_key from promoted_from))
        and pm.months_in_level >= $min_months
),
promoted as (
    select distinct employee_id, cast(date_trunc('month', effective_date) as date) as month
    from marts_role_moves
    where move_kind = 'promotion'
)
select
    p.employee_id,
    p.month,
    p.title,
    coalesce(e.gender, 'not recorded') as gender,
    coalesce(p.location, e.location, 'unknown') as location,
    coalesce(cast(e.is_remote as varchar), 'unknown') as is_remote,
    coalesce(p.tier, 'unknown') as tier,
    coalesce(p.team, 'unknown') as team,
    least(p.months_in_level / p.expected_months, 2.5) as time_ratio,
    coalesce(p.rating, 3.3) as rating,
    p.rating is null as has_no_rating,
    coalesce(p.is_on_pip, false) as is_on_pip,
    pr.employee_id is not null as favourable
from panel as p
left join employees as e on e.employee_id = p.employee_id
left join promoted as pr on pr.employee_id = p.employee_id and pr.month = cast(p.month + interval 1 month as date)
"""

RATING_UNITS_SQL = """
with
reviews as (
    select employee_id, avg(rating) as mean_rating
    from performance_reviews
    where review_date between $start and $end and rating is not null
    group by employee_id
),
last_state as (
    select * from marts_person_months
    qualify row_number() over (partition by employee_id order by month desc) = 1
)
select
    r.employee_id,
    coalesce(e.gender, 'not recorded') as gender,
    coalesce(s.location, e.location, 'unknown') as location,
    coalesce(cast(e.is_remote as varchar), 'unknown') as is_remote,
    coalesce(s.tier, 'unknown') as tier,
    coalesce(s.team, 'unknown') as team,
    r.mean_rating >= $high_rating as favourable
from reviews as r
join last_state as s on s.employee_id = r.employee_id
left join employees as e on e.employee_id = r.employee_id
"""

KPI_UNITS_SQL = """
with
judged as (
    select employee_id, sum(performance * n) / sum(n) as performance
    from kpi_agent_periods
    where metric = 'handle_time' and period_kind = 'quarter' and has_verdict
        and period_start between date_trunc('quarter', cast($start as date)) and $end
    group by employee_id
),
last_state as (
    select * from marts_person_months
    qualify row_number() over (partition by employee_id order by month desc) = 1
)
select
    j.employee_id,
    coalesce(e.gender, 'not recorded') as gender,
    coalesce(s.location, e.location, 'unknown') as location,
    coalesce(cast(e.is_remote as varchar), 'unknown') as is_remote,
    coalesce(s.tier, 'unknown') as tier,
    coalesce(s.team, 'unknown') as team,
    j.performance >= 0 as favourable
from judged as j
join last_state as s on s.employee_id = j.employee_id
left join employees as e on e.employee_id = j.employee_id
"""


KPI_STATUS_SQL = """
select count(*) from information_schema.tables
where table_name in ('kpi_agent_periods', 'kpi_ticket_expectations', 'kpi_model_quality', 'kpi_proficiency')
"""


def kpi_models_fitted(ctx: Context) -> bool:
    """Whether `train` has written the KPI expectation tables to this warehouse."""
    row = ctx.one(KPI_STATUS_SQL)
    return bool(row and row[0] == 4)


def get_kpi_model_quality(viewer: Viewer, ctx: Context) -> pl.DataFrame:
    """How much the cross-fitted expectations explain, per KPI; one row per KPI (empty before `train`)."""
    manager_param(viewer)
    if not kpi_models_fitted(ctx):
        return pl.DataFrame()
    return ctx.frame("select metric, label, n_tickets, score_name, score, min_volume from kpi_model_quality")


def get_kpi_periods(viewer: Viewer, ctx: Context, period_kind: str = "quarter") -> list[date]:
    """The periods with adjusted KPIs, newest first; one date (period start) per period."""
    manager_param(viewer)
    if not kpi_models_fitted(ctx):
        return []
    frame = ctx.frame(
        "select distinct period_start from kpi_agent_periods where period_kind = $kind order by period_start desc",
        {"kind": period_kind},
    )
    return frame["period_start"].to_list()


def get_kpi_agent_periods(
    viewer: Viewer,
    ctx: Context,
    metric: str = "handle_time",
    period_kind: str = "quarter",
    period_start: date | None = None,
) -> pl.DataFrame:
    """Raw vs adjusted KPI per agent for one period (person-level; one row per agent in scope).

    Columns: observed, expected, ratio, difference, adjusted_ratio with ratio_low/ratio_high (95%),
    verdict, raw_rank, adjusted_rank, rank_change (positive: moves up once adjusted), n.
    """
    if metric not in OUTCOME_BY_NAME or period_kind not in ("month", "quarter"):
        raise ValueError(f"unknown metric {metric!r} or period kind {period_kind!r}")
    if period_start is None:
        periods = get_kpi_periods(viewer, ctx, period_kind)
        if not periods:
            return pl.DataFrame()
        period_start = periods[1] if len(periods) > 1 else periods[0]  # the latest full period
    frame = ctx.frame(
        AGENT_PERIODS_SQL,
        {
            "metric": metric,
            "period_kind": period_kind,
            "period_start": period_start,
            "manager_id": manager_param(viewer),
        },
    )
    return frame if require_people(viewer) else frame.clear()


def get_mix_shift(
    viewer: Viewer,
    ctx: Context,
    metric: str = "handle_time",
    period_a: tuple[date, date] | None = None,
    period_b: tuple[date, date] | None = None,
) -> dict[str, Any]:
    """The change in the team average between two windows, split into ticket mix and within-cell performance.

    Defaults: the first 12 months of ticket data against the trailing 12 months. Returns the
    totals (mean_a, mean_b, change, mix, performance, mix_share), `cells` (one row per category x
    tier x channel) and is_suppressed when fewer people than the minimum handled either window.
    """
    if metric not in METRIC_COLUMNS:
        raise ValueError(f"unknown metric {metric!r}")
    if period_b is None:
        period_b = window(ctx, None, None)
    if period_a is None:
        first = ctx.one("select min(created_date) from marts_kpi_tickets")
        start = first[0] if first and first[0] else period_b[0]
        period_a = (start, trailing_year_end(start))
    manager = manager_param(viewer)
    windows = (period_a, period_b)
    # people behind each window: at least the largest cell's (a lower bound, so suppression errs safe)
    cells: list[pl.DataFrame] = []
    if manager is None:  # the daily mart; its people are a lower bound of the cells' own
        cells = [ctx.frame(MIX_DAYS_SQL, {"start": s, "end": e}) for s, e in windows]
        if min(int(c["n_people"].max() or 0) if c.height else 0 for c in cells) < ctx.settings.min_group_size:
            cells = []  # too few by the bound: count each cell's people exactly below
    if not cells:
        cells = [ctx.frame(MIX_CELLS_SQL, {"start": s, "end": e, "manager_id": manager}) for s, e in windows]
    people = min(int(c["n_people"].max() or 0) if c.height else 0 for c in cells)
    a, b = (
        c.select(
            "category", "tier", "channel", pl.col(f"n_{metric}").alias("n"), pl.col(f"total_{metric}").alias("total")
        ).filter(pl.col("n") > 0)
        for c in cells
    )
    if a.is_empty() or b.is_empty() or people < ctx.settings.min_group_size:
        return {"is_suppressed": True, "period_a": period_a, "period_b": period_b, "cells": pl.DataFrame()}
    parts = decompose_mix(a, b)
    return {
        **mix_totals(a, b, parts),
        "cells": parts,
        "period_a": period_a,
        "period_b": period_b,
        "is_suppressed": False,
    }


def trailing_year_end(start: date) -> date:
    """The last day of the 12 months starting on `start`."""
    try:
        nxt = start.replace(year=start.year + 1)
    except ValueError:  # 29 February
        nxt = start.replace(year=start.year + 1, day=28)
    return nxt - timedelta(days=1)


def get_csat_context(
    viewer: Viewer, ctx: Context, start: date | None = None, end: date | None = None, high_qa: float = 80.0
) -> pl.DataFrame:
    """CSAT next to expectation and internal QA per category; one row per category (suppressed under the minimum).

    is_policy_like marks categories whose bad ratings come with good internal QA: CSAT below the
    mean over categories while QA is above theirs (the answer, not the agent, is rated).
    """
    start, end = period(viewer, ctx, start, end)
    manager = manager_param(viewer)
    sql = CSAT_CATEGORIES_SQL if manager is not None else CSAT_ALL_CATEGORIES_SQL
    if not kpi_models_fitted(ctx):
        sql = sql.replace(_CSAT_EXPECTED.format_map(_ALL_CONVERSATIONS), _CSAT_NO_EXPECTED).replace(
            _CSAT_EXPECTED.format_map(_SCOPED_CONVERSATIONS), _CSAT_NO_EXPECTED
        )
    params = {"start": start, "end": end, "high_qa": high_qa}
    frame = ctx.frame(sql, {**params, "manager_id": manager} if manager is not None else params)
    if frame.is_empty():
        return frame
    overall_csat = frame["csat"].mean()
    overall_qa = frame["qa_mean_score"].mean()
    frame = frame.with_columns(
        (pl.col("n_rated") / pl.col("n_tickets")).alias("response_rate"),
        pl.when(pl.col("n_bad") > 0).then(pl.col("n_bad_high_qa") / pl.col("n_bad")).alias("bad_high_qa_share"),
        ((pl.col("csat") < overall_csat) & (pl.col("qa_mean_score") > overall_qa)).alias("is_policy_like"),
    )
    small = frame["n_people"] < ctx.settings.min_group_size
    return frame.with_columns(
        pl.Series("is_suppressed", small),
        *[
            pl.when(pl.Series(small)).then(None).otherwise(pl.col(c)).alias(c)
            for c in ("csat", "expected_csat", "qa_mean_score", "n_bad_high_qa", "bad_high_qa_share")
        ],
    )


def promotion_expectation(units: pl.DataFrame) -> pl.DataFrame:
    """Each person-month's promotion probability from legitimate factors only (time in role vs expected,
    rating, performance plan, title); one row per person-month. Never the fairness attributes."""
    titles = sorted(units["title"].unique().to_list())
    x = units.select(
        "time_ratio",
        "rating",
        pl.col("has_no_rating").cast(pl.Float64),
        pl.col("is_on_pip").cast(pl.Float64),
        *[(pl.col("title") == t).cast(pl.Float64).alias(f"t{i}") for i, t in enumerate(titles)],
    ).to_numpy()
    y = units["favourable"].cast(pl.Int64).to_numpy()
    if len(np.unique(y)) < 2:
        return units.with_columns(pl.lit(float(y.mean()) if len(y) else 0.0).alias("expected"))
    model = LogisticRegression(max_iter=2000).fit(x, y)
    return units.with_columns(pl.Series("expected", model.predict_proba(x)[:, 1]))


PARITY_START = date(1900, 1, 1)  # the default window: all data
# parity units of the default window, written by `train` (one row per unit per outcome), so that
# the page does not fit the promotion expectation model on every call
PARITY_UNITS_TABLE = "kpi_parity_units"
PARITY_UNIT_COLUMNS = ("employee_id", *PARITY_ATTRIBUTES, "favourable")
STORED_UNITS_SQL = """
select * exclude (outcome, window_end) from kpi_parity_units
where outcome = $outcome and window_end = $end
"""
STORED_STATUS_SQL = "select count(*) from information_schema.tables where table_name = 'kpi_parity_units'"


def parity_units(ctx: Context, outcome: str, start: date, end: date) -> pl.DataFrame | None:
    """Every unit of one parity outcome in the window, before any viewer scope; None without KPI models.

    Columns: employee_id, the PARITY_ATTRIBUTES, favourable, and (promotion) expected.
    """
    params = {"start": start, "end": end}
    if outcome == "promotion":
        units = promotion_expectation(ctx.frame(PROMOTION_UNITS_SQL, {**params, "min_months": MIN_MONTHS_IN_ROLE}))
        return units.select(*PARITY_UNIT_COLUMNS, "expected")
    if outcome == "high_rating":
        return ctx.frame(RATING_UNITS_SQL, {**params, "high_rating": HIGH_RATING}).select(PARITY_UNIT_COLUMNS)
    if kpi_models_fitted(ctx):
        return ctx.frame(KPI_UNITS_SQL, params).select(PARITY_UNIT_COLUMNS)
    return None


def parity_units_table(ctx: Context) -> pl.DataFrame:
    """The default window's units of every parity outcome (for `train` to store); one row per unit per outcome."""
    end = ctx.data_end_date()
    frames = []
    for outcome in PARITY_OUTCOMES:
        units = parity_units(ctx, outcome, PARITY_START, end)
        if units is not None:
            if "expected" not in units.columns:
                units = units.with_columns(pl.lit(None, dtype=pl.Float64).alias("expected"))
            frames.append(
                units.with_columns(
                    pl.col("expected").cast(pl.Float64),
                    pl.lit(outcome).alias("outcome"),
                    pl.lit(end).alias("window_end"),
                )
            )
    return pl.concat(frames, how="vertical_relaxed") if frames else pl.DataFrame()


def stored_parity_units(ctx: Context, outcome: str, end: date) -> pl.DataFrame | None:
    """The units `train` stored for the default window ending `end`; None when not stored (or stale)."""
    row = ctx.one(STORED_STATUS_SQL)
    if not row or not row[0]:
        return None
    units = ctx.frame(STORED_UNITS_SQL, {"outcome": outcome, "end": end})
    if units.is_empty():
        return None
    return units if outcome == "promotion" else units.drop("expected")


def get_group_parity(
    viewer: Viewer,
    ctx: Context,
    outcome: str = "promotion",
    attribute: str = "gender",
    start: date | None = None,
    end: date | None = None,
) -> pl.DataFrame:
    """Favourable-outcome rate per group of one attribute, four-fifths ratio, interval, test, verdict; one row per group.

    promotion: promotions per person-month at a role with a next step, adjusted for time in role,
    rating and title; high_rating: people whose mean rating in the window is at least 3.5;
    adjusted_handle_time: agents at or better than expected handle time. Default window: all data.
    The p-values are Holm-adjusted across every group of every attribute in PARITY_ATTRIBUTES (the
    family checked for this outcome), so looking at all five attributes flags nothing by chance.
    Aggregates only; groups under the minimum size are compared with nothing and their rates hidden.
    """
    if outcome not in PARITY_OUTCOMES or attribute not in PARITY_ATTRIBUTES:
        raise ValueError(f"unknown outcome {outcome!r} or attribute {attribute!r}")
    manager_param(viewer)  # refuses viewers without people access
    default_window = start is None and end is None
    if period_guarded(viewer):
        # one window only (all data to the last complete month, scope.period's rule): two windows
        # would difference to the promotions or ratings of the few people between them
        if not default_window:
            raise PeriodNotAllowed("this role sees group parity over the whole data period only")
        end = last_complete_month_end(ctx.data_end_date())
    end = end or ctx.data_end_date()
    units = stored_parity_units(ctx, outcome, end) if default_window else None
    if units is None:
        units = parity_units(ctx, outcome, start or PARITY_START, end)
    if units is None:
        return pl.DataFrame()
    units = _in_scope(viewer, ctx, units, end)
    if units.is_empty():
        return pl.DataFrame()
    family = {a: group_rates(units.with_columns(pl.col(a).alias("group"))) for a in PARITY_ATTRIBUTES}
    compared = compare_attributes(family, ctx.settings.min_group_size)[attribute]
    small = compared["n_people"] < ctx.settings.min_group_size
    hidden = ("n_favourable", "expected_favourable", "raw_rate", "rate", "rate_se", "test_se")
    return compared.with_columns(
        pl.Series("is_suppressed", small),
        *[pl.when(pl.Series(small)).then(None).otherwise(pl.col(c)).alias(c) for c in hidden],
    ).with_columns(pl.lit(attribute).alias("attribute"), pl.lit(outcome).alias("outcome"))


SUBTREE_PEOPLE_SQL = with_subtree(
    """
with
probe_days as (select cast($day as date) as day),
""",
    """
select distinct employee_id from subtree
""",
)


def _in_scope(viewer: Viewer, ctx: Context, units: pl.DataFrame, day: date) -> pl.DataFrame:
    """Units of the people in a manager's subtree on `day`; everyone for other roles."""
    manager = manager_param(viewer)
    if manager is None:
        return units
    people = ctx.frame(SUBTREE_PEOPLE_SQL, {"day": day, "manager_id": manager})["employee_id"]
    return units.filter(pl.col("employee_id").is_in(people.implode()))


PROFICIENCY_SQL = with_subtree(
    """
with
probe_days as (
    select cast($day as date) as day
),
""",
    """,
spells as (
    select p.*
    from kpi_proficiency as p
    left join subtree as t on t.employee_id = p.employee_id
    where cast($manager_id as varchar) is null or t.employee_id is not null
)
select
    cast(hire_cohort as varchar) as hire_cohort,
    coalesce(start_tier, 'unknown') as start_tier,
    count(*) as n_hires,
    count(distinct employee_id) as n_people,
    avg(cast(is_proficient as double)) as proficient_share,
    median(weeks_to_proficiency) as median_weeks_to_proficiency,
    quantile_cont(weeks_to_proficiency, 0.75) as p75_weeks_to_proficiency
from spells
group by all
order by hire_cohort, start_tier
""",
)


def get_time_to_proficiency(viewer: Viewer, ctx: Context) -> pl.DataFrame:
    """Weeks until hires' handle time reached the expectation for their tickets; one row per hire cohort x tier.

    Median and p75 among hires who got there, with the share who did (the rest are still below
    or left first). Cells with fewer hires than the minimum group size are suppressed.
    """
    if not kpi_models_fitted(ctx):
        return pl.DataFrame()
    frame = ctx.frame(PROFICIENCY_SQL, {"day": ctx.data_end_date(), "manager_id": manager_param(viewer)})
    hidden = ("proficient_share", "median_weeks_to_proficiency", "p75_weeks_to_proficiency")
    small = frame["n_people"] < ctx.settings.min_group_size
    return frame.with_columns(
        pl.Series("is_suppressed", small),
        *[pl.when(pl.Series(small)).then(None).otherwise(pl.col(c)).alias(c) for c in hidden],
    )
