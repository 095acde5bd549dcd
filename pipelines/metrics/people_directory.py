"""Who is who: the signed-in person, who manages whom on a day, names in scope, and the audit log.

Names appear only in frames returned to a viewer allowed to see those people, and as
pseudonyms when settings.access.pseudonymise is on; nothing here logs a name or an email.
"""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path

import polars as pl

from pipelines import audit
from pipelines.access import Viewer
from pipelines.config import SAMPLE_DIR
from pipelines.metrics.context import Context
from pipelines.metrics.scope import manager_param, require_people, resolve_as_of, with_subtree
from pipelines.pseudonym import pseudonymise, resolve_secret

log = logging.getLogger(__name__)

# People employed on $day with at least one direct report employed that day, in the viewer's
# scope (for a manager: managers inside their own subtree).
MANAGERS_SQL = with_subtree(
    """
with
probe_days as (select cast($day as date) as day),
""",
    """,
reports as (
    select s.manager_id as employee_id, count(distinct s.employee_id) as n_direct_reports
    from staging_job_states as s
    where s.is_employed and s.manager_id is not null
      and s.valid_from <= $day and (s.valid_to is null or s.valid_to >= $day)
    group by s.manager_id
),
employed as (
    select distinct employee_id from staging_job_states
    where is_employed and valid_from <= $day and (valid_to is null or valid_to >= $day)
)
select r.employee_id, e.full_name as display_name, r.n_direct_reports
from reports as r
join employed using (employee_id)
left join employees as e using (employee_id)
left join subtree as t on t.employee_id = r.employee_id
where cast($manager_id as varchar) is null or t.employee_id is not null
order by display_name nulls last, r.employee_id
""",
)

PEOPLE_SQL = with_subtree(
    """
with
probe_days as (select cast($day as date) as day),
""",
    """,
states as (
    select employee_id, title, team, manager_id from staging_job_states
    where is_employed and valid_from <= $day and (valid_to is null or valid_to >= $day)
)
select s.employee_id, e.full_name as display_name, s.title, s.team, s.manager_id
from states as s
left join employees as e using (employee_id)
left join subtree as t on t.employee_id = s.employee_id
where cast($manager_id as varchar) is null or t.employee_id is not null
order by display_name nulls last, s.employee_id
""",
)


def warehouse_dir(ctx: Context) -> Path | None:
    """The directory of the warehouse file behind ctx, or None for an in-memory warehouse."""
    row = ctx.one("select path from duckdb_databases() where database_name = current_database()")
    return Path(row[0]).parent if row and row[0] else None


def _display(ctx: Context, frame: pl.DataFrame) -> pl.DataFrame:
    if not ctx.settings.access.pseudonymise:
        return frame
    secret = resolve_secret(ctx.settings.access.pseudonym_secret, warehouse_dir(ctx))
    return pseudonymise(frame, secret)


def find_employee_id(ctx: Context, email: str) -> str | None:
    """The employee id whose work email is `email` (case-insensitive), or None; used at sign-in only."""
    row = ctx.one(
        "select min(employee_id) from employees where lower(trim(work_email)) = lower(trim($email))",
        {"email": email or ""},
    )
    return row[0] if row else None


def has_reports(ctx: Context, employee_id: str, as_of: date | None = None) -> bool:
    """Whether anyone employed on as_of (default: the latest data date) reports to employee_id that day."""
    day = resolve_as_of(ctx, as_of)
    row = ctx.one(
        """
        select count(*) from staging_job_states
        where is_employed and manager_id = $employee_id
          and valid_from <= $day and (valid_to is null or valid_to >= $day)
        """,
        {"employee_id": employee_id, "day": day},
    )
    return bool(row and row[0])


def is_sample_organisation(ctx: Context, sample_dir: Path = SAMPLE_DIR) -> bool:
    """Whether every file ever ingested into this warehouse came from the bundled sample organisation."""
    runs = ctx.frame("select distinct file from ingest_runs")
    if runs.is_empty():
        return False
    root = str(Path(sample_dir).resolve())
    return all(str(Path(f).resolve()).startswith(root) for f in runs["file"].to_list())


def get_managers(viewer: Viewer, ctx: Context, as_of: date | None = None) -> pl.DataFrame:
    """People with direct reports on as_of (default: latest data date), in scope; one row per manager.

    Columns: employee_id, display_name (a pseudonym when pseudonymise is on), n_direct_reports.
    """
    day = resolve_as_of(ctx, as_of)
    frame = ctx.frame(MANAGERS_SQL, {"day": day, "manager_id": manager_param(viewer)})
    return _display(ctx, frame) if require_people(viewer) else frame.clear()


def get_people(viewer: Viewer, ctx: Context, as_of: date | None = None) -> pl.DataFrame:
    """People employed on as_of in the viewer's scope with display name, title and team; one row per person."""
    day = resolve_as_of(ctx, as_of)
    frame = ctx.frame(PEOPLE_SQL, {"day": day, "manager_id": manager_param(viewer)})
    return _display(ctx, frame) if require_people(viewer) else frame.clear()


def get_audit_log(viewer: Viewer, ctx: Context, action: str | None = None, limit: int = 1000) -> pl.DataFrame:
    """The audit log beside the warehouse, newest first, for people-admins only; one row per audited action."""
    directory = warehouse_dir(ctx)
    if not viewer.is_admin or directory is None:
        return pl.DataFrame(schema=audit.AUDIT_SCHEMA)
    return audit.read(audit.audit_path(directory), action=action, limit=limit)
