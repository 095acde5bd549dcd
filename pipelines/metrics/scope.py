"""Scope and privacy helpers: the manager subtree as of each date, dates and windows, suppression,
and the period grid that closes differencing across periods for viewers without full access."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any, TypeVar

import polars as pl

from pipelines.access import Role, Viewer
from pipelines.metrics.context import Context

log = logging.getLogger(__name__)

# The manager subtree as date intervals: people (any department) whose chain of managers, as
# recorded on each day, reaches the viewer. The viewer is not part of their own subtree.
# Expects a CTE named probe_days(day) before it (only its first and last day matter) and a bound
# $manager_id (null = no restriction). `subtree` has one row per person and interval:
# (employee_id, span_from, span_to), clipped to the probe days' range, disjoint and not touching
# for one person, so a consumer joins it with
#     t.employee_id = x.employee_id and x.day between t.span_from and t.span_to
# and gets at most one match per row. The intervals come from marts_reporting_spans, the
# reporting closure the build computes once on date intervals, so a manager's scope is a filter,
# whatever the window's length or the depth of the chain. (At 20M tickets, following the chain
# day by day joined every employed state to every day of the window: 16 s for the widest
# manager's attrition; on intervals at query time, about 30 ms per query.)
SUBTREE_CTES = """
probe_range as (
    select min(day) as first_day, max(day) as last_day from probe_days
),
subtree as (
    select s.employee_id, greatest(s.span_from, r.first_day) as span_from, least(s.span_to, r.last_day) as span_to
    from marts_reporting_spans as s, probe_range as r
    where s.manager_id = cast($manager_id as varchar) and s.span_from <= r.last_day and s.span_to >= r.first_day
)
"""


_IN_SCOPE_SQL_HEAD = """
with
probe_days as (select cast($day as date) as day),
"""
_IN_SCOPE_SQL_TAIL = """
select distinct employee_id from subtree
"""


def with_subtree(head: str, tail: str) -> str:
    """A query from two constant parts with SUBTREE_CTES between them (no values: those are bound)."""
    return "".join((head, SUBTREE_CTES, tail))


_TICKETS_OPEN = "\nwith\nfacts as (\n"
_TICKETS_PROBE = """
),
probe_days as (
    select cast($start as date) as day union all select cast($end as date)
),
"""
_TICKETS_SCOPED = """,
scoped as (
    select f.*
    from facts as f
    left join subtree as t on t.employee_id = f.employee_id and f.created_date between t.span_from and t.span_to
    where cast($manager_id as varchar) is null or t.employee_id is not null
)
"""


def with_scoped_tickets(facts: str, select: str) -> str:
    """A ticket query in the viewer's scope, from two constant parts (values are bound).

    `facts` is the body of a CTE selecting the tickets created from $start to $end (with
    employee_id and created_date; the subtree is read over those days); `select` reads from `scoped`: for a manager, the tickets people in their
    subtree handled that day (bot-only tickets belong to no team), for everyone else all of them.
    """
    return "".join((_TICKETS_OPEN, facts, _TICKETS_PROBE, SUBTREE_CTES, _TICKETS_SCOPED, select))


# Conversation counts per month x tier x handling employee over [start, end]: whole months from
# marts_ticket_tier_months, the partial months at the edges (scope.month_split's parameters) from
# staging_ticket_facts with the mart's definitions. with_ticket_months builds `cells` from them in
# two variants: for viewers without a manager restriction, and for a manager.
_TICKET_DAY_CELLS = """
    select
        month,
        case when is_bot_resolved then 'Bot only' else coalesce(tier, 'No tier') end as tier,
        employee_id,
        count(*) as n_conversations,
        count(*) filter (where is_escalated) as n_escalated,
        count(*) filter (where is_bot_resolved) as n_bot_resolved,
        count(*) filter (where is_complex) as n_complex,
        count(csat_good) as n_rated,
        count(*) filter (where csat_good) as n_good,
        count(qa_score) as n_qa_tickets,
        sum(qa_score) as total_qa_score
    from {facts}
    group by all"""
_EDGE_DAYS = "staging_ticket_facts where created_date between {lo} and {hi}"
_TICKET_MONTHS_EVERYONE = "".join(
    (
        """
with
cells as (
    select * exclude (first_day, last_day) from marts_ticket_tier_months where month between $full_from and $full_to
    union all""",
        _TICKET_DAY_CELLS.format(facts=_EDGE_DAYS.format(lo="$edge_a_from", hi="$edge_a_to")),
        "\n    union all",
        _TICKET_DAY_CELLS.format(facts=_EDGE_DAYS.format(lo="$edge_b_from", hi="$edge_b_to")),
        "\n)\n",
    )
)
# A manager keeps the conversations handled by people in their subtree that day (bot-only ones
# belong to nobody's team). A mart row (one person, month and tier) whose conversations, from its
# first_day to its last_day, all fall inside one of the person's subtree intervals counts whole;
# one that overlaps no interval counts nothing; the person-months with a row in between (they
# changed manager or team mid-month with conversations on both sides) are read day by day, as
# are the edges. So the read touches the conversations of those few person-months and the edges
# instead of every conversation of the window.
_TICKET_MONTHS_MANAGER = "".join(
    (
        """
with
probe_days as (select cast($start as date) as day union all select cast($end as date)),
""",
        SUBTREE_CTES,
        """,
mart_rows as (
    select * from marts_ticket_tier_months
    where month between $full_from and $full_to and employee_id is not null
),
row_fit as (
    select r.employee_id, r.month, r.tier, bool_or(r.first_day >= t.span_from and r.last_day <= t.span_to) as is_inside
    from mart_rows as r
    join subtree as t on t.employee_id = r.employee_id and r.first_day <= t.span_to and r.last_day >= t.span_from
    group by all
),
split_months as (
    select distinct employee_id, month from row_fit where not is_inside
),
whole_rows as (
    select r.* exclude (first_day, last_day)
    from mart_rows as r
    join row_fit as f using (employee_id, month, tier)
    anti join split_months as x using (employee_id, month)
    where f.is_inside
),
day_facts as (
    select f.*
    from staging_ticket_facts as f
    semi join split_months as x on x.employee_id = f.employee_id and x.month = f.month
    where f.month between $full_from and $full_to
    union all
    select * from staging_ticket_facts where created_date between $edge_a_from and $edge_a_to
    union all
    select * from staging_ticket_facts where created_date between $edge_b_from and $edge_b_to
),
scoped_days as (
    select d.*
    from day_facts as d
    join subtree as t on t.employee_id = d.employee_id and d.created_date between t.span_from and t.span_to
),
cells as (
    select * from whole_rows
    union all""",
        _TICKET_DAY_CELLS.format(facts="scoped_days"),
        "\n)\n",
    )
)


def with_ticket_months(select: str) -> tuple[str, str]:
    """A ticket query over `cells` (month x tier x handling employee counts) in its two variants.

    (everyone, a manager): run it with ticket_months, which binds scope.month_split(start, end),
    plus start, end and manager_id for the manager's variant.
    """
    return _TICKET_MONTHS_EVERYONE + select, _TICKET_MONTHS_MANAGER + select


def ticket_months(viewer: Viewer, ctx: Context, variants: tuple[str, str], start: date, end: date) -> pl.DataFrame:
    """Run a with_ticket_months query over [start, end] in the viewer's scope."""
    manager = manager_param(viewer)
    params: dict[str, Any] = month_split(start, end)
    if manager is not None:
        params |= {"start": start, "end": end, "manager_id": manager}
    return ctx.frame(variants[manager is not None], params)


def with_all_tickets(facts: str, select: str) -> str:
    """with_scoped_tickets(facts, select) for viewers without a manager restriction: `scoped` is every
    ticket of `facts`, without the subtree's joins (the same rows, read once)."""
    return "".join(("\nwith\nfacts as (\n", facts, "\n),\nscoped as (\n    select * from facts\n)\n", select))


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


def month_split(start: date, end: date) -> dict[str, date]:
    """Bound parameters splitting [start, end] into whole calendar months and two partial edges.

    full_from .. full_to: the first days of the first and last whole month inside the window (a
    monthly mart answers those); edge_a_from .. edge_a_to and edge_b_from .. edge_b_to: the days
    before and after them (read from the daily grain). An empty part has from > to, so a
    `between` on it matches nothing. With no whole month inside, edge a is the whole window.
    2025-11-02 .. 2026-11-01: whole months 2025-12 .. 2026-10, edges 2025-11-02 .. 2025-11-30
    and 2026-11-01 .. 2026-11-01.
    """
    first_full = start if start.day == 1 else _first_of(_month_index(start) + 1)
    after_last_full = _first_of(_month_index(end + timedelta(days=1)))  # the day after the last whole month
    last_full = _first_of(_month_index(after_last_full) - 1)
    if first_full > last_full:
        return {
            "full_from": first_full,
            "full_to": last_full,
            "edge_a_from": start,
            "edge_a_to": end,
            "edge_b_from": end + timedelta(days=1),
            "edge_b_to": end,
        }
    return {
        "full_from": first_full,
        "full_to": last_full,
        "edge_a_from": start,
        "edge_a_to": first_full - timedelta(days=1),
        "edge_b_from": after_last_full,
        "edge_b_to": end,
    }


def window(ctx: Context, start: date | None, end: date | None) -> tuple[date, date]:
    """A closed date window; the default is the trailing 12 months ending at the latest data date."""
    end = resolve_as_of(ctx, end)
    if start is None:
        start, _ = trailing_year(end)
    if start > end:
        raise ValueError(f"window starts {start} after it ends {end}")
    return start, end


# -- periods a viewer may ask for (differencing across periods) ------------------------------
#
# Two results over periods that differ by a few days give the events of those days: with exit
# types, reasons, destinations, promotions, ratings or stalled status, the details of one person.
# Viewers who do not see the whole organisation person by person (executives, managers, and a
# director looking through the manager filter) therefore get figures only over a fixed grid:
# windows of 12, 24, 36 or 60 whole calendar months ending with the last complete month of data
# (the latest data date when it is a month end), and point-in-time figures on that day only.
# The windows form a chain, each nested in the next. Inside it, a detail count is hidden when it
# differs from the same count over another window by 1 .. min_group_size - 1
# (detail_differences): the difference of any two visible counts, a ring of whole months, then
# covers nobody or at least the minimum, and so does any sum of such differences.

GRID_MONTHS: tuple[int, ...] = (12, 24, 36, 60)
_F = TypeVar("_F", bound=Callable[..., Any])


def describes(*columns: str, split: bool = False) -> Callable[[_F], _F]:
    """Mark the detail count columns (or dict keys) of a public function: the counts of people with
    an exit type, reason, destination, promotion, band or stalled status that must not be
    recovered by differencing two periods. split=True: the columns split one population of events
    (exits by type), and what must not difference below the minimum is their sum, the leavers a
    reader could name. The function is returned unchanged; the differencing tests read
    `fn.detail_columns` and `fn.detail_split`.
    """

    def mark(fn: _F) -> _F:
        fn.detail_columns = columns  # type: ignore[attr-defined]
        fn.detail_split = split  # type: ignore[attr-defined]
        return fn

    return mark


class PeriodNotAllowed(PermissionError):
    """A period or date outside the grid this viewer may see (the message names no person)."""


def period_guarded(viewer: Viewer) -> bool:
    """Whether the viewer's periods are limited to the grid (everyone without whole-organisation rows)."""
    return viewer.role in (Role.EXECUTIVE, Role.MANAGER)


def _month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def _first_of(index: int) -> date:
    return date(index // 12, index % 12 + 1, 1)


def grid_window(end: date, months: int) -> tuple[date, date]:
    """The `months`-month window ending at end, its start snapped down to the first of its month.

    end 2026-01-10, 12 months: 2025-01-01..2026-01-10 (whole months plus the running one);
    end 2025-12-31 or 2026-10-31, 12 months: the 12 calendar months ending then.
    """
    return _first_of(_month_index(end + timedelta(days=1)) - months), end


def last_complete_month_end(data_end: date) -> date:
    """data_end when it is a month's last day, else the last day of the month before."""
    return _first_of(_month_index(data_end + timedelta(days=1))) - timedelta(days=1)


def grid_ends(ctx: Context) -> list[date]:
    """The days a guarded viewer's figures may end on: the end of the last complete month of data."""
    return [last_complete_month_end(ctx.data_end_date())]


def grid_windows(ctx: Context) -> list[tuple[date, date]]:
    """Every window of the grid: for each allowed end, the 12/24/36/60-month windows (shortest first)."""
    return [grid_window(end, m) for end in grid_ends(ctx) for m in GRID_MONTHS]


def _allowed_end(ctx: Context, day: date) -> date:
    ends = grid_ends(ctx)
    for end in ends:  # any day of an allowed end's month (or later) means that end
        if _month_index(day) >= _month_index(end):
            return end
    raise PeriodNotAllowed("this role sees figures up to the last complete month of data only")


def period(viewer: Viewer, ctx: Context, start: date | None, end: date | None) -> tuple[date, date]:
    """The window a public function computes over: window(start, end), snapped to the grid when guarded.

    For a guarded viewer the end becomes the grid's end (scope.grid_ends: any day in its month or
    later means it) and the start moves back to the start of the shortest grid window covering
    it (12, 24, 36 or 60 months); an earlier end raises PeriodNotAllowed. Other viewers get window().
    """
    start, end = window(ctx, start, end)
    if not period_guarded(viewer):
        return start, end
    end = _allowed_end(ctx, end)
    for months in GRID_MONTHS:
        candidate = grid_window(end, months)
        if candidate[0] <= start:
            return candidate
    return grid_window(end, GRID_MONTHS[-1])


def as_of_for(viewer: Viewer, ctx: Context, as_of: date | None) -> date:
    """The day a point-in-time aggregate is read on: resolve_as_of, snapped to an allowed end when guarded.

    A guarded viewer's as_of becomes the end of the last complete month (scope.grid_ends) when it
    falls in that month or later; an earlier day raises PeriodNotAllowed.
    """
    day = resolve_as_of(ctx, as_of)
    return _allowed_end(ctx, day) if period_guarded(viewer) else day


def as_of_days(viewer: Viewer, ctx: Context, day: date) -> list[date]:
    """The days to compare a point-in-time detail against: every allowed end when guarded, else day alone.

    The grid has one end today, so this is [day]; it keeps the comparison in place should a
    second allowed day be added.
    """
    return grid_ends(ctx) if period_guarded(viewer) else [day]


def changed_rows(
    frame: pl.DataFrame, others: list[pl.DataFrame], keys: list[str], values: tuple[str, ...], min_size: int
) -> list[bool]:
    """Per row: whether any of `values` differs from another table's same key while n_people moved by < min_size.

    For averages (ratings): a changed mean over nearly the same people is the change of a few
    people's values, so such a row must not show.
    """
    flagged = [False] * frame.height
    if frame.is_empty() or min_size <= 1:
        return flagged
    base = frame.select(*keys, "n_people", *values).with_row_index("_row")
    for other in others:
        right = other.select(*keys, *[pl.col(c).alias(f"_o_{c}") for c in ("n_people", *values)])
        joined = base.join(right, on=keys, how="left", nulls_equal=True)
        changed = pl.lit(False)
        for c in ("n_people", *values):
            changed = changed | pl.col(c).ne_missing(pl.col(f"_o_{c}"))
        close = (pl.col("n_people").fill_null(0) - pl.col("_o_n_people").fill_null(0)).abs() < min_size
        for row in joined.filter(changed & close)["_row"].to_list():
            flagged[row] = True
    return flagged


def detail_differences(
    frame: pl.DataFrame,
    others: list[pl.DataFrame],
    keys: list[str],
    details: tuple[str, ...],
    min_size: int,
    split: bool = False,
) -> list[bool]:
    """Per row of frame: whether a detail count differs from the same key's count in another table by 1..min_size-1.

    `frame` and `others` are the same unsuppressed table over different periods of the grid (a key
    missing from a table counts 0 there). Such a row must not show its details: the difference of
    the two tables would describe fewer than min_size people. split=True compares the sum of
    `details` instead (a split of one population of events, see describes).
    """
    if split:
        total = pl.sum_horizontal(*[pl.col(d).fill_null(0) for d in details]).alias("_total")
        return detail_differences(
            frame.with_columns(total), [o.with_columns(total) for o in others], keys, ("_total",), min_size
        )
    flagged = [False] * frame.height
    if frame.is_empty() or min_size <= 1:
        return flagged
    base = frame.select(*keys, *details).with_row_index("_row")
    for other in others:
        right = other.select(*keys, *[pl.col(d).alias(f"_o_{d}") for d in details]) if other.height else None
        if right is None:
            joined = base.with_columns([pl.lit(0).alias(f"_o_{d}") for d in details])
        else:
            joined = base.join(right, on=keys, how="left", nulls_equal=True)
        small = pl.lit(False)
        for d in details:
            gap = (pl.col(d).fill_null(0) - pl.col(f"_o_{d}").fill_null(0)).abs()
            small = small | ((gap >= 1) & (gap < min_size))
        for row in joined.filter(small)["_row"].to_list():
            flagged[row] = True
    return flagged


def hide_details(
    frame: pl.DataFrame, flagged: list[bool], min_size: int, columns: tuple[str, ...], n_col: str = "n_people"
) -> pl.DataFrame:
    """Null `columns` in flagged rows and in complementary rows (cells_to_hide's rule); grain unchanged.

    Rows already suppressed count as hidden. Used when a row's population is large enough to show
    but its details (exit types, promotions) would be recovered by differencing two periods.
    """
    if frame.is_empty() or not any(flagged):
        return frame
    suppressed = frame["is_suppressed"].to_list() if "is_suppressed" in frame.columns else [False] * frame.height
    forced = [f or s for f, s in zip(flagged, suppressed, strict=True)]
    hide = pl.Series("_hide", cells_to_hide(frame[n_col].to_list(), min_size, forced), dtype=pl.Boolean)
    return (
        frame.with_columns(hide)
        .with_columns([pl.when(pl.col("_hide")).then(None).otherwise(pl.col(c)).alias(c) for c in columns])
        .drop("_hide")
    )


def cells_to_hide(sizes: list[int | None], min_size: int, forced: list[bool] | None = None) -> list[bool]:
    """Which cells of one table to hide: primary (under min_size) plus complementary cells.

    A reader who knows the total can recover the hidden cells only as one residue (total minus
    the visible cells). So once a non-empty cell is hidden, more cells are hidden, smallest
    first, until the hidden non-empty cells number at least two and together cover at least
    min_size people: the residue then describes a group as large as any visible cell, and no
    single hidden cell can be read off by subtraction. Empty cells (0 people, or a missing
    size) are hidden but describe nobody, so they never call for a complement. `forced` cells
    (hidden for another reason, e.g. differencing across periods) are hidden whatever their size.
    """
    n = [int(x or 0) for x in sizes]
    hide = [x < min_size or bool(f) for x, f in zip(n, forced or [False] * len(n), strict=True)]

    def residue() -> tuple[int, int]:
        cells = [x for x, h in zip(n, hide, strict=True) if h and x > 0]
        return len(cells), sum(cells)

    visible = sorted((x, i) for i, x in enumerate(n) if not hide[i])
    count, people = residue()
    while count and visible and (count < 2 or people < min_size):
        hide[visible.pop(0)[1]] = True
        count, people = residue()
    return hide


def suppress(
    frame: pl.DataFrame,
    min_size: int,
    n_col: str = "n_people",
    keep: tuple[str, ...] = (),
    forced: list[bool] | None = None,
) -> pl.DataFrame:
    """Null every value of rows covering fewer than min_size people, plus complementary rows.

    Grain unchanged. Columns in `keep` (the group labels) stay and an is_suppressed flag is
    added; the complementary rule is cells_to_hide's, so neither a total nor the difference of
    the visible cells recovers a hidden one. `forced` rows are hidden whatever their size.
    """
    if frame.is_empty():
        return frame.with_columns(pl.lit(False).alias("is_suppressed"))
    flag = pl.Series("is_suppressed", cells_to_hide(frame[n_col].to_list(), min_size, forced), dtype=pl.Boolean)
    values = [c for c in frame.columns if c not in keep]
    return frame.with_columns(flag).with_columns(
        [pl.when(pl.col("is_suppressed")).then(None).otherwise(pl.col(c)).alias(c) for c in values]
    )
