"""One teammate's history for their manager: roles, growth activities and monthly KPIs.

Every function takes the person's id from the page and first checks it against the viewer's
scope on as_of (scope.in_scope), so a URL cannot widen what a manager sees.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from pipelines.access import Viewer
from pipelines.metrics.context import Context
from pipelines.metrics.people import PANEL_SQL
from pipelines.metrics.scope import in_scope, manager_param, require_people, resolve_as_of

ROLES_SQL = """
select valid_from, valid_to, title, department, team, tier, manager_id, change_reason, is_support, track, level
from staging_job_states
where employee_id = $employee_id and is_employed
order by valid_from
"""

GROWTH_SQL = """
select employee_id, start_date, end_date, activity_type, description
from growth_activities
where employee_id in (select unnest($ids::varchar[])) and start_date <= $as_of
order by employee_id, start_date desc
"""

KPI_SQL = """
select month, n_tickets, complex_ticket_share, csat_good_share, qa_mean_score, bot_involved_share,
       mean_handle_seconds
from marts_customer_person_months
where employee_id = $employee_id and month between $start and $as_of
order by month
"""


def _allowed(viewer: Viewer, ctx: Context, employee_id: str, as_of: date) -> bool:
    return require_people(viewer) and bool(in_scope(viewer, ctx, [employee_id], as_of))


def get_person_roles(viewer: Viewer, ctx: Context, employee_id: str, as_of: date | None = None) -> pl.DataFrame:
    """The person's roles over time (title, team, tier, manager) while employed; one row per state."""
    day = resolve_as_of(ctx, as_of)
    frame = ctx.frame(ROLES_SQL, {"employee_id": employee_id})
    return frame if _allowed(viewer, ctx, employee_id, day) else frame.clear()


def get_person_kpis(viewer: Viewer, ctx: Context, employee_id: str, as_of: date | None = None) -> pl.DataFrame:
    """The person's monthly conversations, complex share, CSAT and QA over the 12 months to as_of; one row per month."""
    day = resolve_as_of(ctx, as_of)
    start = date(day.year - 1, day.month, 1)
    frame = ctx.frame(KPI_SQL, {"employee_id": employee_id, "start": start, "as_of": day})
    return frame if _allowed(viewer, ctx, employee_id, day) else frame.clear()


def get_person_month(viewer: Viewer, ctx: Context, employee_id: str, as_of: date | None = None) -> dict | None:
    """The person's latest person-month row up to as_of (tenure, time in level, growth counts), or None."""
    day = resolve_as_of(ctx, as_of)
    if not _allowed(viewer, ctx, employee_id, day):
        return None
    frame = ctx.frame(PANEL_SQL, {"start": date(day.year - 1, day.month, 1), "end": day, "manager_id": None})
    rows = frame.filter(pl.col("employee_id") == employee_id).sort("month")
    return rows.row(-1, named=True) if rows.height else None


def get_growth_history(
    viewer: Viewer, ctx: Context, employee_ids: list[str] | None = None, as_of: date | None = None
) -> pl.DataFrame:
    """Growth activities (mentoring, tools, content, areas of responsibility) of people in scope; one row per activity.

    employee_ids narrows the list; ids outside the viewer's scope on as_of are dropped.
    """
    day = resolve_as_of(ctx, as_of)
    if not require_people(viewer):
        return pl.DataFrame(
            schema={
                "employee_id": pl.String,
                "start_date": pl.Date,
                "end_date": pl.Date,
                "activity_type": pl.String,
                "description": pl.String,
            }
        )
    if employee_ids is None:
        panel = ctx.frame(PANEL_SQL, {"start": day, "end": day, "manager_id": manager_param(viewer)})
        employee_ids = panel["employee_id"].unique().to_list()
    allowed = sorted(in_scope(viewer, ctx, list(employee_ids), day))
    return ctx.frame(GROWTH_SQL, {"ids": allowed, "as_of": day})
