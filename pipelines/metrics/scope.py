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


_IN_SCOPE_SQL_HEAD = """
with recursive
probe_days as (select cast($day as date) as day),
"""
_IN_SCOPE_SQL_TAIL = """
select distinct employee_id from subtree
"""


def with_subtree(head: str, tail: str) -> str:
    """A query from two constant parts with SUBTREE_CTES between them (no values: those are bound)."""
    return "".join((head, SUBTREE_CTES, tail))


_TICKETS_OPEN = "\nwith recursive\nfacts as (\n"
_TICKETS_PROBE = """
),
probe_days as (
    select distinct created_date as day from facts where employee_id is not null
),
"""
_TICKETS_SCOPED = """,
scoped as (
    select f.*
    from facts as f
    left join subtree as t on t.employee_id = f.employee_id and t.day = f.created_date
    where cast($manager_id as varchar) is null or t.employee_id is not null
)
"""


def with_scoped_tickets(facts: str, select: str) -> str:
    """A ticket query in the viewer's scope, from two constant parts (values are bound).

    `facts` is the body of a CTE selecting the window's tickets (with employee_id and
    created_date); `select` reads from `scoped`: for a manager, the tickets people in their
    subtree handled that day (bot-only tickets belong to no team), for everyone else all of them.
    """
    return "".join((_TICKETS_OPEN, facts, _TICKETS_PROBE, SUBTREE_CTES, _TICKETS_SCOPED, select))


_IN_SCOPE_SQL = with_subtree(_IN_SCOPE_SQL_HEAD, _IN_SCOPE_SQL_TAIL)


def manager_param(viewer: Viewer) -> str | None:
    """The employee id whose subtree limits the viewer, or None when the viewer sees everyone."""
    if viewer.role is Role.MANAGER:
        return viewer.employee_id
    if viewer.role in (Role.EXECUTIVE, Role.DIRECTOR, Role.PEOPLE_ADMIN, Role.SYSTEM):
        return None
    raise PermissionError("this viewer has no access to people data")


def in_scope(viewer: Viewer, ctx: Context, employee_ids: list[str], as_of: date | None = None) -> set[str]:
    """The subset of employee_ids the viewer may see a person-level row about on as_of.

    Everyone for a director, people-admin or the system; the reporting subtree on as_of for a
    manager; nobody for an executive. Use it to guard any lookup by a person id that arrives
    from a page (URL query parameters, widget values), so a page cannot widen the scope.
    """
    if not require_people(viewer):
        return set()
    wanted = {str(e) for e in employee_ids if e is not None}
    if manager_param(viewer) is None or not wanted:
        return wanted
    day = resolve_as_of(ctx, as_of)
    rows = ctx.frame(_IN_SCOPE_SQL, {"day": day, "manager_id": manager_param(viewer)})
    return wanted & set(rows["employee_id"].to_list())


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


def cells_to_hide(sizes: list[int | None], min_size: int) -> list[bool]:
    """Which cells of one table to hide: primary (under min_size) plus complementary cells.

    A reader who knows the total can recover the hidden cells only as one residue (total minus
    the visible cells). So once a non-empty cell is hidden, more cells are hidden, smallest
    first, until the hidden non-empty cells number at least two and together cover at least
    min_size people: the residue then describes a group as large as any visible cell, and no
    single hidden cell can be read off by subtraction. Empty cells (0 people, or a missing
    size) are hidden but describe nobody, so they never call for a complement.
    """
    n = [int(x or 0) for x in sizes]
    hide = [x < min_size for x in n]

    def residue() -> tuple[int, int]:
        cells = [x for x, h in zip(n, hide, strict=True) if h and x > 0]
        return len(cells), sum(cells)

    visible = sorted((x, i) for i, x in enumerate(n) if not hide[i])
    count, people = residue()
    while count and visible and (count < 2 or people < min_size):
        hide[visible.pop(0)[1]] = True
        count, people = residue()
    return hide


def suppress(frame: pl.DataFrame, min_size: int, n_col: str = "n_people", keep: tuple[str, ...] = ()) -> pl.DataFrame:
    """Null every value of rows covering fewer than min_size people, plus complementary rows.

    Grain unchanged. Columns in `keep` (the group labels) stay and an is_suppressed flag is
    added; the complementary rule is cells_to_hide's, so neither a total nor the difference of
    the visible cells recovers a hidden one.
    """
    if frame.is_empty():
        return frame.with_columns(pl.lit(False).alias("is_suppressed"))
    flag = pl.Series("is_suppressed", cells_to_hide(frame[n_col].to_list(), min_size), dtype=pl.Boolean)
    values = [c for c in frame.columns if c not in keep]
    return frame.with_columns(flag).with_columns(
        [pl.when(pl.col("is_suppressed")).then(None).otherwise(pl.col(c)).alias(c) for c in values]
    )
