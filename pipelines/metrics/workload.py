"""Workload and breathing room per agent: concurrent complex tickets, sustained overload, negative streaks."""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl

from pipelines.access import Viewer
from pipelines.metrics.context import Context
from pipelines.metrics.scope import manager_param, period, require_people, window, with_subtree

# The practice's norm: a specialist may carry 10 to 15 complex issues at once.
OPEN_COMPLEX_NORM = 15
SUSTAINED_WEEKS = 3  # consecutive weeks over the norm that count as sustained overload
NEGATIVE_STREAK = 3  # consecutive bad ratings that count as a streak

# One row per agent in scope (as of the window's end): daily concurrency, overload weeks (a week
# whose busiest day is over the norm), the longest run of consecutive overload weeks, and the
# longest run of consecutive bad ratings (rated conversations in creation order).
_EDGE_WEEKS = """
    select
        employee_id,
        week,
        count(*) as n_days,
        cast(sum(n_open_complex) as bigint) as total_open_complex,
        max(n_open_complex) as peak_open_complex,
        cast(sum(n_new_complex) as bigint) as n_new_complex,
        cast(sum(n_rated) as bigint) as n_rated,
        cast(sum(n_bad_ratings) as bigint) as n_bad_ratings
    from marts_kpi_workload_days
    where day between {lo} and {hi}
    group by employee_id, week"""

WORKLOAD_SQL = with_subtree(
    "".join(
        (
            """
with
-- the window's weeks per agent: whole weeks from marts_kpi_workload_weeks, the partial weeks at
-- the edges (week_split) from the days
weeks_in as (
    select employee_id, week, n_days, total_open_complex, peak_open_complex, n_new_complex, n_rated, n_bad_ratings
    from marts_kpi_workload_weeks
    where week between $full_from and $full_to
    union all""",
            _EDGE_WEEKS.format(lo="$edge_a_from", hi="$edge_a_to"),
            """
    union all""",
            _EDGE_WEEKS.format(lo="$edge_b_from", hi="$edge_b_to"),
            """
),
weeks as (
    select employee_id, week, peak_open_complex, n_new_complex from weeks_in
),
-- a run of overload weeks: consecutive over-norm weeks share the count of weeks not over before them
overload_runs as (
    select employee_id, week, peak_open_complex > $norm as is_over,
        sum(case when peak_open_complex > $norm then 0 else 1 end)
            over (partition by employee_id order by week rows between unbounded preceding and current row) as grp
    from weeks
),
sustained as (
    select employee_id, max(run) as longest_overload_weeks
    from (
        select employee_id, grp, count(*) as run from overload_runs where is_over group by employee_id, grp
    )
    group by employee_id
),
-- a run of bad ratings: consecutive bad ones share the count of good ratings up to them
streaks as (
    select employee_id, max(run) as longest_bad_streak, count(*) filter (where run >= $streak) as n_bad_streaks
    from (
        select employee_id, n_good_so_far, count(*) as run
        from marts_kpi_rated_tickets
        where created_date between $start and $end and is_bad
        group by employee_id, n_good_so_far
    )
    group by employee_id
),
per_agent as (
    select
        employee_id,
        cast(sum(n_days) as bigint) as n_days,
        sum(total_open_complex) / sum(n_days) as mean_open_complex,
        max(peak_open_complex) as peak_open_complex,
        cast(sum(n_bad_ratings) as bigint) as n_bad_ratings,
        cast(sum(n_rated) as bigint) as n_rated
    from weeks_in
    group by employee_id
),
probe_days as (
    select cast($end as date) as day
),
""",
        )
    ),
    """,
scoped as (
    select a.*
    from per_agent as a
    left join subtree as t on t.employee_id = a.employee_id
    where cast($manager_id as varchar) is null or t.employee_id is not null
)
select
    s.*,
    e.full_name,
    coalesce(w.n_over, 0) as n_overload_weeks,
    coalesce(w.n_weeks, 0) as n_weeks,
    w.mean_new_complex_per_week,
    coalesce(u.longest_overload_weeks, 0) as longest_overload_weeks,
    coalesce(u.longest_overload_weeks, 0) >= $sustained as has_sustained_overload,
    coalesce(k.longest_bad_streak, 0) as longest_bad_streak,
    coalesce(k.n_bad_streaks, 0) as n_bad_streaks
from scoped as s
left join employees as e on e.employee_id = s.employee_id
left join (
    select employee_id, count(*) filter (where peak_open_complex > $norm) as n_over, count(*) as n_weeks,
        avg(n_new_complex) as mean_new_complex_per_week
    from weeks group by employee_id
) as w on w.employee_id = s.employee_id
left join sustained as u on u.employee_id = s.employee_id
left join streaks as k on k.employee_id = s.employee_id
order by longest_overload_weeks desc, peak_open_complex desc, s.employee_id
""",
)


def week_split(start: date, end: date) -> dict[str, date]:
    """Bound parameters splitting [start, end] into whole weeks (Monday to Sunday) and two partial edges.

    full_from .. full_to: the Mondays of the first and last whole week inside the window;
    edge_a_from .. edge_a_to and edge_b_from .. edge_b_to: the days before and after them (an
    empty part has from > to). With no whole week inside, edge a is the whole window.
    """
    first_full = start + timedelta(days=(7 - start.weekday()) % 7)
    last_full = end - timedelta(days=(end.weekday() + 1) % 7 + 6)  # the Monday of the last week ending by end
    if first_full > last_full:
        edges = {"edge_a_from": start, "edge_a_to": end, "edge_b_from": end + timedelta(days=1), "edge_b_to": end}
    else:
        edges = {
            "edge_a_from": start,
            "edge_a_to": first_full - timedelta(days=1),
            "edge_b_from": last_full + timedelta(days=7),
            "edge_b_to": end,
        }
    return {"full_from": first_full, "full_to": last_full, **edges}


def get_workload(
    viewer: Viewer,
    ctx: Context,
    start: date | None = None,
    end: date | None = None,
    norm: int = OPEN_COMPLEX_NORM,
    sustained_weeks: int = SUSTAINED_WEEKS,
    streak: int = NEGATIVE_STREAK,
) -> pl.DataFrame:
    """Breathing room per agent over [start, end] (default trailing 12 months); one row per agent in scope.

    Person-level: empty for an executive. A manager sees their subtree as of the window's end.
    """
    start, end = window(ctx, start, end)
    frame = ctx.frame(
        WORKLOAD_SQL,
        {
            "start": start,
            "end": end,
            **week_split(start, end),
            "norm": norm,
            "sustained": sustained_weeks,
            "streak": streak,
            "manager_id": manager_param(viewer),
        },
    )
    return frame if require_people(viewer) else frame.clear()


def get_workload_summary(
    viewer: Viewer, ctx: Context, start: date | None = None, end: date | None = None
) -> dict[str, float | int | None]:
    """Team breathing room over the window: agents, share with sustained overload, bad streaks (suppressed under the minimum)."""
    start, end = period(viewer, ctx, start, end)  # the grid for guarded viewers, before widening to system
    people = get_workload(Viewer.system() if viewer.sees_people is False else viewer, ctx, start, end)
    manager_param(viewer)
    n = people.height
    if n < ctx.settings.min_group_size:
        return {"n_agents": n, "sustained_overload_share": None, "mean_open_complex": None, "is_suppressed": True}
    return {
        "n_agents": n,
        "sustained_overload_share": float(people["has_sustained_overload"].mean()),
        "mean_open_complex": float(people["mean_open_complex"].mean()),
        "agents_with_bad_streaks": int((people["n_bad_streaks"] > 0).sum()),
        "is_suppressed": False,
    }
