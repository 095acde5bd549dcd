"""Scope and privacy helpers: the manager subtree as of each date, dates and windows, suppression."""

from __future__ import annotations

import logging
from datetime import date, timedelta

import polars as pl

from pipelines.access import Role, Viewer
from pipelines.metrics.context import Context

log = logging.getLogger(__name__)

# The manager subtree on each probe day: people (any department) whose chain of managers, as
# recorded on that day, reaches the viewer. The viewer is not part of their own subtree.
# Expects a CTE named probe_days(day) before it and a bound $manager_id (null = no restriction).
SUBTREE_CTES = """
edges as (
    select s.employee_id, s.manager_id, p.day
    from staging_job_states as s
    join probe_days as p on s.valid_from <= p.day and (s.valid_to is null or s.valid_to >= p.day)
    where s.is_employed and cast($manager_id as varchar) is not null
),
subtree as (
    select employee_id, day from edges where manager_id = cast($manager_id as varchar)
    union
    select e.employee_id, e.day
    from edges as e
    join subtree as t on e.manager_id = t.employee_id and e.day = t.day
)
"""


def with_subtree(head: str, tail: str) -> str:
    """A query from two constant parts with SUBTREE_CTES between them (no values: those are bound)."""
    return "".join((head, SUBTREE_CTES, tail))


def manager_param(viewer: Viewer) -> str | None:
    """The employee id whose subtree limits the viewer, or None when the viewer sees everyone."""
    if viewer.role is Role.MANAGER:
        return viewer.employee_id
    if viewer.role in (Role.EXECUTIVE, Role.DIRECTOR, Role.PEOPLE_ADMIN, Role.SYSTEM):
        return None
    raise PermissionError("this viewer has no access to people data")


def require_people(viewer: Viewer) -> bool:
    """Whether person-level rows may be returned; logs (without names) when they may not."""
    if not viewer.sees_people:
        log.info("person-level rows withheld for role %s", viewer.role.value)
        return False
    return True


def resolve_as_of(ctx: Context, as_of: date | None) -> date:
    """as_of, or the latest data date when it is None."""
    return as_of or ctx.data_end_date()


def trailing_year(as_of: date) -> tuple[date, date]:
    """The trailing 12 months ending at as_of: (as_of minus one year plus one day, as_of)."""
    try:
        start = as_of.replace(year=as_of.year - 1)
    except ValueError:  # 29 February
        start = as_of.replace(year=as_of.year - 1, day=28)
    return start + timedelta(days=1), as_of


def window(ctx: Context, start: date | None, end: date | None) -> tuple[date, date]:
    """A closed date window; the default is the trailing 12 months ending at the latest data date."""
    end = resolve_as_of(ctx, end)
    if start is None:
        start, _ = trailing_year(end)
    if start > end:
        raise ValueError(f"window starts {start} after it ends {end}")
    return start, end


def suppress(frame: pl.DataFrame, min_size: int, n_col: str = "n_people", keep: tuple[str, ...] = ()) -> pl.DataFrame:
    """Null every value of rows covering fewer than min_size people, plus one complementary row.

    Grain unchanged. Columns in `keep` (the group labels) and `n_col`'s suppression flag stay;
    when exactly one row would be hidden, the next smallest is hidden too, so a hidden cell
    cannot be recovered by subtracting the visible ones from a total.
    """
    if frame.is_empty():
        return frame.with_columns(pl.lit(False).alias("is_suppressed"))
    small = (frame[n_col] < min_size).to_list()
    if sum(small) == 1 and len(small) > 1:
        order = sorted((n, i) for i, (n, s) in enumerate(zip(frame[n_col].to_list(), small, strict=True)) if not s)
        small[order[0][1]] = True
    flag = pl.Series("is_suppressed", small, dtype=pl.Boolean)
    values = [c for c in frame.columns if c not in keep]
    return frame.with_columns(flag).with_columns(
        [pl.when(pl.col("is_suppressed")).then(None).otherwise(pl.col(c)).alias(c) for c in values]
    )
