"""Person-level reads: the person-month panel, stalled teammates with reasons, and spells.

Scoped to the viewer (a manager gets people in their subtree on each row's observation date);
an executive gets no rows at all.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from pipelines.access import Viewer
from pipelines.metrics.context import Context
from pipelines.metrics.scope import (
    as_of_days,
    as_of_for,
    describes,
    detail_differences,
    manager_param,
    require_people,
    resolve_as_of,
    window,
    with_subtree,
)


def _panel_sql(rows_filter: str, final: str = "select * from scoped order by employee_id, month") -> str:
    """PANEL_SQL with a constant extra condition on marts_person_months and a final select from
    `scoped` (constant parts only: values are bound)."""
    return with_subtree(
        "".join(
            (
                """
with
rows_in as (
    select * from marts_person_months where month between date_trunc('month', cast($start as date)) and $end""",
                rows_filter,
                """
),
probe_days as (
    select distinct obs_date as day from rows_in
),
""",
            )
        ),
        "".join(
            (
                """,
scoped as (
    select r.*
    from rows_in as r
    left join subtree as t on t.employee_id = r.employee_id and r.obs_date between t.span_from and t.span_to
    where cast($manager_id as varchar) is null or t.employee_id is not null
)
""",
                final,
            )
        ),
    )


# Panel rows inside [start, end] whose person was in the viewer's subtree on the row's obs_date.
PANEL_SQL = _panel_sql("")
# The same rows of the spells starting in [$spell_from, $spell_to] only.
PANEL_SPELLS_SQL = _panel_sql(" and spell_start_date between $spell_from and $spell_to")
# The panel added up per team and month: people, people who handled conversations, conversations.
PANEL_TEAM_MONTHS_SQL = _panel_sql(
    "",
    """select team, month,
    count(distinct employee_id) as n_people,
    count(*) filter (where coalesce(tickets_handled, 0) > 0) as n_handlers,
    sum(coalesce(tickets_handled, 0)) as n_conversations
from scoped
group by team, month
""",
)

STALLED_SQL = with_subtree(
    """
with
rows_in as (
    select s.*
    from marts_stalled as s
    cross join marts_data_dates as d
    where s.month = date_trunc('month', cast($as_of as date))
      -- still in support on the evaluation day (the month's last day or the latest data date)
      and s.obs_date = least(last_day(s.month), d.data_end_date)
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
select * from scoped order by months_in_level desc, employee_id
""",
)


def get_person_months(viewer: Viewer, ctx: Context, start: date | None = None, end: date | None = None) -> pl.DataFrame:
    """The person-month panel between start and end, in scope; one row per person per month in support."""
    start, end = window(ctx, start, end)
    frame = ctx.frame(PANEL_SQL, {"start": start, "end": end, "manager_id": manager_param(viewer)})
    return frame if require_people(viewer) else frame.clear()


def get_stalled(viewer: Viewer, ctx: Context, as_of: date | None = None, include_all: bool = False) -> pl.DataFrame:
    """Stalled teammates in as_of's month, with their reasons in plain words; one row per person.

    Evaluated at the month's last day (or the latest data date), for people still in support
    then. include_all keeps everyone on the ladder with the figures behind the decision.
    """
    day = resolve_as_of(ctx, as_of)
    frame = ctx.frame(STALLED_SQL, {"as_of": day, "manager_id": manager_param(viewer)})
    if not include_all:
        frame = frame.filter(pl.col("is_stalled"))
    frame = frame.select(
        "employee_id",
        "obs_date",
        "title",
        "track",
        "level",
        "team",
        "manager_id",
        "months_in_level",
        "threshold_months",
        "peer_figure_source",
        "n_promoted_peers",
        "peer_months_needed",
        "n_recent_growth",
        "is_on_pip",
        "is_stalled",
        "reasons",
    )
    return frame if require_people(viewer) else frame.clear()


@describes("stalled")
def get_stalled_count(viewer: Viewer, ctx: Context, as_of: date | None = None) -> dict[str, int | bool | None]:
    """How many people in scope are stalled at as_of (an aggregate every role may see, suppressed when small).

    A guarded viewer (scope.period_guarded) reads it on an allowed end only (scope.grid_ends), and
    the count is hidden when it differs from the other allowed end's by 1 .. minimum - 1: two
    months must not difference into one person's change of status.
    """
    day = as_of_for(viewer, ctx, as_of)

    def count(on: date) -> pl.DataFrame:
        frame = ctx.frame(STALLED_SQL, {"as_of": on, "manager_id": manager_param(viewer)})
        return pl.DataFrame(
            {"all": ["all"], "n_people": [frame["employee_id"].n_unique()], "stalled": [int(frame["is_stalled"].sum())]}
        )

    mine = count(day)
    n_people = int(mine["n_people"][0])
    if n_people < ctx.settings.min_group_size:
        return {"stalled": None, "n_people": None, "is_suppressed": True}
    others = [count(d) for d in as_of_days(viewer, ctx, day) if d != day]
    hidden = detail_differences(mine, others, ["all"], ("stalled",), ctx.settings.min_group_size)[0]
    return {"stalled": None if hidden else int(mine["stalled"][0]), "n_people": n_people, "is_suppressed": False}
