"""Headcount, average headcount, hires, exits and attrition rates, overall or by one cut."""

from __future__ import annotations

from datetime import date
from typing import Literal

import polars as pl

from pipelines.access import Viewer
from pipelines.metrics.context import Context
from pipelines.metrics.scope import (
    as_of_for,
    cells_to_hide,
    describes,
    detail_differences,
    grid_windows,
    hide_details,
    manager_param,
    period,
    period_guarded,
    suppress,
    with_subtree,
)
from pipelines.sql import TENURE_BANDS

Cut = Literal["team", "tier", "track", "level", "title", "manager_id", "tenure_band", "location", "hire_cohort"]
CUTS: tuple[str, ...] = (
    "team",
    "tier",
    "track",
    "level",
    "title",
    "manager_id",
    "tenure_band",
    "location",
    "hire_cohort",
)

# A job state's overlap with a support spell and the window, for viewers without a manager
# restriction (a manager's rows come per day): the segments PERSON_MONTH_DAYS_SQL cuts into pieces.
_SEGMENTS_CTE = """segments as (
    select
        s.employee_id,
        s.team, s.tier, s.track, s.level, s.title, s.manager_id, s.location,
        sp.hire_cohort, sp.start_date, sp.start_kind, sp.end_date, sp.end_kind, sp.is_regretted,
        greatest(s.valid_from, sp.start_date, cast($start as date)) as seg_from,
        least(
            coalesce(s.valid_to, cast($end as date)), coalesce(sp.end_date, cast($end as date)), cast($end as date)
        ) as seg_to
    from staging_job_states as s
    join marts_support_spells as sp
        on sp.employee_id = s.employee_id
        and s.valid_from <= coalesce(sp.end_date, cast($end as date))
        and (s.valid_to is null or s.valid_to >= sp.start_date)
    where s.is_support and cast($manager_id as varchar) is null
),
"""

# One row per person per month per combination of attributes held on those days, inside the
# window and the viewer's scope: days in support and the hires / exits that happened on them.
# An exit counts on the spell's last day in support with that day's attributes.
#
# Everyone-in-scope viewers (no manager restriction) never expand days: each overlap of a job
# state, a support spell and the window is cut at month starts and tenure-band boundaries into
# pieces whose month and band are constant, and a piece's days are its length. A manager's scope
# changes day by day (the subtree as recorded on each day), so it keeps one row per person-day.
# Both give the same rows; only the first runs when $manager_id is null, only the second otherwise.
PERSON_MONTH_DAYS_SQL = with_subtree(
    """
with recursive
probe_days as (
    select cast(r.d as date) as day from range(cast($start as date), cast($end as date) + interval 1 day, interval 1 day) as r(d)
    where cast($manager_id as varchar) is not null
),
""",
    "".join(
        (
            """,
support_days as (
    select
        s.employee_id,
        p.day,
        s.team, s.tier, s.track, s.level, s.title, s.manager_id, s.location,
        sp.hire_cohort,
        sp.start_date,
        sp.start_kind,
        sp.end_date,
        sp.end_kind,
        sp.is_regretted,
        (p.day - sp.start_date + 1) / 30.4375 as tenure_months
    from staging_job_states as s
    join probe_days as p on s.valid_from <= p.day and (s.valid_to is null or s.valid_to >= p.day)
    join marts_support_spells as sp
        on sp.employee_id = s.employee_id and p.day >= sp.start_date and (sp.end_date is null or p.day <= sp.end_date)
    where s.is_support
),
scoped as (
    select d.*
    from support_days as d
    left join subtree as t on t.employee_id = d.employee_id and t.day = d.day
    where cast($manager_id as varchar) is null or t.employee_id is not null
),
banded as (
    select scoped.*, b.tenure_band
    from scoped
    left join settings_tenure_bands as b
        on scoped.tenure_months >= b.min_months and (b.max_months is null or scoped.tenure_months < b.max_months)
),
by_day as (
    select
        employee_id,
        cast(date_trunc('month', day) as date) as month,
        team, tier, track, level, title, manager_id, location, hire_cohort, tenure_band,
        count(*) as n_days,
        count(*) filter (where day = start_date and start_kind in ('hire', 'rehire')) as hires,
        count(*) filter (where day = start_date and start_kind = 'rehire') as rehires,
        count(*) filter (where day = start_date and start_kind = 'transfer_in') as transfers_in,
        count(*) filter (where day = end_date and end_kind = 'voluntary') as exits_voluntary,
        count(*) filter (where day = end_date and end_kind = 'involuntary') as exits_involuntary,
        count(*) filter (where day = end_date and end_kind = 'transfer_out') as transfers_out,
        count(*) filter (where day = end_date and end_kind = 'unknown') as exits_unknown,
        count(*) filter (where day = end_date and end_kind in ('voluntary', 'involuntary') and is_regretted)
            as exits_regretted
    from banded
    group by all
),
""",
            _SEGMENTS_CTE,
            """live_segments as (
    select *, row_number() over () as seg_id from segments where seg_from <= seg_to
),
cuts as (
    select seg_id, seg_from as cut from live_segments
    union
    select seg_id, cast(m.m as date) as cut
    from live_segments,
        lateral (
            select unnest(generate_series(
                cast(date_trunc('month', seg_from) + interval 1 month as date), seg_to, interval 1 month
            )) as m
        ) as m
    union
    select g.seg_id, cast(g.start_date + b.k as date) as cut
    from live_segments as g
    join (
        select cast(ceil(x * 30.4375) - 1 as integer) as k
        from (
            select min_months as x from settings_tenure_bands where min_months > 0
            union
            select max_months from settings_tenure_bands where max_months is not null
        )
    ) as b on g.start_date + b.k > g.seg_from and g.start_date + b.k <= g.seg_to
),
pieces as (
    select
        g.*,
        c.cut as piece_from,
        coalesce(cast(lead(c.cut) over (partition by c.seg_id order by c.cut) - 1 as date), g.seg_to) as piece_to
    from cuts as c
    join live_segments as g using (seg_id)
),
piece_bands as (
    select pieces.*, b.tenure_band
    from pieces
    left join settings_tenure_bands as b
        on (piece_from - start_date + 1) / 30.4375 >= b.min_months
        and (b.max_months is null or (piece_from - start_date + 1) / 30.4375 < b.max_months)
),
by_piece as (
    select
        employee_id,
        cast(date_trunc('month', piece_from) as date) as month,
        team, tier, track, level, title, manager_id, location, hire_cohort, tenure_band,
        cast(sum(piece_to - piece_from + 1) as bigint) as n_days,
        count(*) filter (where start_date between piece_from and piece_to and start_kind in ('hire', 'rehire')) as hires,
        count(*) filter (where start_date between piece_from and piece_to and start_kind = 'rehire') as rehires,
        count(*) filter (where start_date between piece_from and piece_to and start_kind = 'transfer_in')
            as transfers_in,
        count(*) filter (where end_date between piece_from and piece_to and end_kind = 'voluntary') as exits_voluntary,
        count(*) filter (where end_date between piece_from and piece_to and end_kind = 'involuntary')
            as exits_involuntary,
        count(*) filter (where end_date between piece_from and piece_to and end_kind = 'transfer_out')
            as transfers_out,
        count(*) filter (where end_date between piece_from and piece_to and end_kind = 'unknown') as exits_unknown,
        count(*) filter (
            where end_date between piece_from and piece_to
                and end_kind in ('voluntary', 'involuntary') and is_regretted
        ) as exits_regretted
    from piece_bands
    group by all
)
select * from by_day
union all
select * from by_piece
""",
        )
    ),
)


# PERSON_MONTH_DAYS_SQL added up over everything, for viewers without a manager restriction: the
# pieces of a segment partition its days and hold its spell's start or end at most once, so the
# sums over the segments equal the sums over the pieces, without cutting them.
PERSON_TOTALS_SQL = "".join(
    (
        "\nwith\n",
        _SEGMENTS_CTE,
        """live_segments as (
    select * from segments where seg_from <= seg_to
)
select
    count(distinct employee_id) as n_people,
    cast(coalesce(sum(seg_to - seg_from + 1), 0) as bigint) as n_days,
    count(*) filter (where start_date between seg_from and seg_to and start_kind in ('hire', 'rehire')) as hires,
    count(*) filter (where start_date between seg_from and seg_to and start_kind = 'rehire') as rehires,
    count(*) filter (where start_date between seg_from and seg_to and start_kind = 'transfer_in') as transfers_in,
    count(*) filter (where end_date between seg_from and seg_to and end_kind = 'voluntary') as exits_voluntary,
    count(*) filter (where end_date between seg_from and seg_to and end_kind = 'involuntary') as exits_involuntary,
    count(*) filter (where end_date between seg_from and seg_to and end_kind = 'transfer_out') as transfers_out,
    count(*) filter (where end_date between seg_from and seg_to and end_kind = 'unknown') as exits_unknown,
    count(*) filter (
        where end_date between seg_from and seg_to and end_kind in ('voluntary', 'involuntary') and is_regretted
    ) as exits_regretted
from live_segments
""",
    )
)

_COUNTS = (
    "hires",
    "rehires",
    "transfers_in",
    "exits_voluntary",
    "exits_involuntary",
    "transfers_out",
    "exits_unknown",
    "exits_regretted",
)


# Exit details: by type and regretted. Counts of exits over a population of at least the minimum
# stay visible (attrition_rate), the split is hidden when differencing two periods of the grid
# would give the split of fewer than the minimum leavers (between 1 and min - 1 exits).
EXIT_SPLIT: tuple[str, ...] = ("exits_voluntary", "exits_involuntary", "exits_unknown")
EXIT_DETAILS: tuple[str, ...] = (*EXIT_SPLIT, "exits_regretted")
_EXIT_DETAIL_RATES: tuple[str, ...] = (
    "voluntary_attrition_rate",
    "regretted_attrition_rate",
    "annualised_voluntary_attrition_rate",
)


def _check_cut(by: str | None) -> None:
    if by is not None and by not in CUTS:
        raise ValueError(f"unknown cut {by!r}; choose one of {', '.join(CUTS)}")


def person_month_days(viewer: Viewer, ctx: Context, start: date, end: date) -> pl.DataFrame:
    """Person-days in support per person, month and attributes in [start, end], in the viewer's scope.

    Internal building block (person-level): public functions aggregate it before returning.
    """
    return ctx.frame(PERSON_MONTH_DAYS_SQL, {"start": start, "end": end, "manager_id": manager_param(viewer)})


# PERSON_MONTH_DAYS_SQL added up per month, for viewers without a manager restriction: each segment
# is cut at month starts only (a month's people, person-days, hires and exits need no tenure band).
PERSON_MONTH_TOTALS_SQL = "".join(
    (
        "\nwith\n",
        _SEGMENTS_CTE,
        """live_segments as (
    select * from segments where seg_from <= seg_to
),
seg_months as (
    select
        g.employee_id, g.start_date, g.start_kind, g.end_date, g.end_kind, g.is_regretted,
        cast(m.m as date) as month,
        greatest(g.seg_from, cast(m.m as date)) as part_from,
        least(g.seg_to, cast(m.m + interval 1 month - interval 1 day as date)) as part_to
    from live_segments as g,
        lateral (
            select unnest(generate_series(cast(date_trunc('month', g.seg_from) as date), g.seg_to, interval 1 month)) as m
        ) as m
)
select
    month,
    count(distinct employee_id) as n_people,
    cast(sum(part_to - part_from + 1) as bigint) as person_days,
    count(*) filter (where start_date between part_from and part_to and start_kind in ('hire', 'rehire')) as hires,
    count(*) filter (where start_date between part_from and part_to and start_kind = 'rehire') as rehires,
    count(*) filter (where start_date between part_from and part_to and start_kind = 'transfer_in') as transfers_in,
    count(*) filter (where end_date between part_from and part_to and end_kind = 'voluntary') as exits_voluntary,
    count(*) filter (where end_date between part_from and part_to and end_kind = 'involuntary') as exits_involuntary,
    count(*) filter (where end_date between part_from and part_to and end_kind = 'transfer_out') as transfers_out,
    count(*) filter (where end_date between part_from and part_to and end_kind = 'unknown') as exits_unknown,
    count(*) filter (
        where end_date between part_from and part_to and end_kind in ('voluntary', 'involuntary') and is_regretted
    ) as exits_regretted
from seg_months
group by month
""",
    )
)


# The live segments themselves (one row per job state x support spell overlap inside the window),
# for viewers without a manager restriction: attributes and days, for sums that need no month.
PERSON_SEGMENT_DAYS_SQL = "".join(
    (
        "\nwith\n",
        _SEGMENTS_CTE,
        """live_segments as (
    select * from segments where seg_from <= seg_to
)
select employee_id, team, tier, track, level, title, manager_id, location, hire_cohort,
    cast(seg_to - seg_from + 1 as bigint) as n_days
from live_segments
""",
    )
)


def person_totals(viewer: Viewer, ctx: Context, start: date, end: date, n_window_days: int) -> pl.DataFrame:
    """People, average headcount and the hire / exit counts over [start, end] in the viewer's scope; one "all" row.

    The same frame as aggregating person_month_days over no cut; for viewers without a manager
    restriction it comes from the segments' sums, without cutting them into pieces.
    """
    if manager_param(viewer) is None:
        row = ctx.frame(PERSON_TOTALS_SQL, {"start": start, "end": end, "manager_id": None})
        if row["n_people"][0]:  # nobody: _aggregate's row of zeros below
            return row.select(
                pl.lit("all").alias("group"),
                pl.col("n_people").cast(pl.UInt32),
                (pl.col("n_days") / n_window_days).alias("avg_headcount"),
                *_COUNTS,
            )
    return _aggregate(person_month_days(viewer, ctx, start, end), [], n_window_days)


def _rates(frame: pl.DataFrame, n_window_days: int) -> pl.DataFrame:
    avg = pl.col("avg_headcount")
    return frame.with_columns(
        ((pl.col("exits_voluntary") + pl.col("exits_involuntary")) / avg).alias("attrition_rate"),
        (pl.col("exits_voluntary") / avg).alias("voluntary_attrition_rate"),
        (pl.col("exits_regretted") / avg).alias("regretted_attrition_rate"),
        ((pl.col("exits_voluntary") + pl.col("exits_involuntary") + pl.col("transfers_out")) / avg).alias(
            "support_turnover_rate"
        ),
    ).with_columns(
        (pl.col("attrition_rate") * 365.0 / n_window_days).alias("annualised_attrition_rate"),
        (pl.col("voluntary_attrition_rate") * 365.0 / n_window_days).alias("annualised_voluntary_attrition_rate"),
    )


def _aggregate(days: pl.DataFrame, keys: list[str], n_window_days: int) -> pl.DataFrame:
    if not keys:
        days = days.with_columns(pl.lit("all").alias("group"))
        keys = ["group"]
        if days.is_empty():  # nobody in scope: one row of zeros (suppressed below the minimum)
            days = pl.DataFrame(
                {"group": ["all"], "employee_id": pl.Series([None], dtype=pl.String), "n_days": [0]}
            ).with_columns([pl.lit(0).alias(c) for c in _COUNTS])
    out = days.group_by(keys).agg(
        pl.col("employee_id").drop_nulls().n_unique().alias("n_people"),
        (pl.col("n_days").sum() / n_window_days).alias("avg_headcount"),
        *[pl.col(c).sum() for c in _COUNTS],
    )
    if keys == ["tenure_band"]:  # bands in their natural order, not alphabetical
        rank = {band: i for i, (band, _, _) in enumerate(TENURE_BANDS)}
        return out.sort(pl.col("tenure_band").replace_strict(rank, default=len(rank), return_dtype=pl.Int64))
    return out.sort(keys, nulls_last=True)


def get_headcount(viewer: Viewer, ctx: Context, as_of: date | None = None, by: str | None = None) -> pl.DataFrame:
    """Headcount in support on as_of (people with that day in a support spell); one row per group."""
    _check_cut(by)
    day = as_of_for(viewer, ctx, as_of)
    keys = [by] if by else []
    out = (
        (
            _aggregate(person_month_days(viewer, ctx, day, day), keys, 1)
            if keys
            else person_totals(viewer, ctx, day, day, 1)
        )
        .select([*(keys or ["group"]), "n_people"])
        .with_columns(pl.col("n_people").alias("headcount"))
    )
    return suppress(out, ctx.settings.min_group_size, keep=tuple(keys or ["group"]))


def get_average_headcount(
    viewer: Viewer, ctx: Context, start: date | None = None, end: date | None = None, by: str | None = None
) -> pl.DataFrame:
    """Average headcount over [start, end] = person-days in support / days in the window; one row per group."""
    _check_cut(by)
    start, end = period(viewer, ctx, start, end)
    n = (end - start).days + 1
    keys = [by] if by else []
    totals = (
        _aggregate(person_month_days(viewer, ctx, start, end), keys, n)
        if keys
        else person_totals(viewer, ctx, start, end, n)
    )
    out = totals.select([*(keys or ["group"]), "n_people", "avg_headcount"])
    return suppress(out, ctx.settings.min_group_size, keep=tuple(keys or ["group"]))


@describes(*EXIT_SPLIT, split=True)
def get_attrition(
    viewer: Viewer, ctx: Context, start: date | None = None, end: date | None = None, by: str | None = None
) -> pl.DataFrame:
    """Hires, exits by type and attrition rates over [start, end] (default trailing 12 months); one row per group.

    Rates divide by the average headcount of the window; annualised rates scale by 365 / days.
    For a guarded viewer (scope.period_guarded) the exit split by type and regretted is nulled in
    rows where another grid window's exits differ by 1 .. minimum - 1: the split of those few
    leavers, whom a reader can name, would be read off by subtraction.
    """
    _check_cut(by)
    start, end = period(viewer, ctx, start, end)
    keys = [by] if by else []
    min_size = ctx.settings.min_group_size
    if not period_guarded(viewer):
        n = (end - start).days + 1
        totals = (
            _aggregate(person_month_days(viewer, ctx, start, end), keys, n)
            if keys
            else person_totals(viewer, ctx, start, end, n)
        )
        out = _rates(totals, n)
        return suppress(out, min_size, keep=tuple(keys or ["group"]))
    grid = grid_windows(ctx)
    # grid windows are whole calendar months: one read, then filter by month
    widest = person_month_days(viewer, ctx, min(w[0] for w in grid), max(w[1] for w in grid))
    tables = {
        w: _rates(
            _aggregate(widest.filter(pl.col("month").is_between(w[0], w[1])), keys, (w[1] - w[0]).days + 1),
            (w[1] - w[0]).days + 1,
        )
        for w in grid
    }
    out = tables[(start, end)]
    group = keys or ["group"]
    flagged = detail_differences(
        out, [t for w, t in tables.items() if w != (start, end)], group, EXIT_SPLIT, min_size, split=True
    )
    # details first, on the true sizes (complements chosen among all rows), then the usual suppression
    out = hide_details(out, flagged, min_size, (*EXIT_DETAILS, *_EXIT_DETAIL_RATES))
    return suppress(out, min_size, keep=tuple(group))


@describes("exits_voluntary", "exits_involuntary")
def get_attrition_monthly(
    viewer: Viewer, ctx: Context, start: date | None = None, end: date | None = None, by: str | None = None
) -> pl.DataFrame:
    """Monthly attrition per group: month rate, annualised (x12) and trailing 12 months; one row per month per group.

    Months are calendar months clipped to the window; the trailing 12-month rate divides the
    exits of the 12 months ending with the month by their average headcount. A guarded viewer
    (scope.period_guarded) gets exits per month without the split by type: a month's few leavers
    would be described one by one.
    """
    _check_cut(by)
    start, end = period(viewer, ctx, start, end)
    months_index = start.year * 12 + start.month - 1 - 11
    first = date(months_index // 12, months_index % 12 + 1, 1)
    keys = [by] if by else ["group"]
    if by is None and manager_param(viewer) is None:  # per month, from the segments without cutting pieces
        per = ctx.frame(PERSON_MONTH_TOTALS_SQL, {"start": first, "end": end, "manager_id": None}).select(
            pl.lit("all").alias("group"),
            "month",
            pl.col("n_people").cast(pl.UInt32),
            "person_days",
            *_COUNTS,
        )
    else:
        days = person_month_days(viewer, ctx, first, end)
        if by is None:
            days = days.with_columns(pl.lit("all").alias("group"))
        per = days.group_by([*keys, "month"]).agg(
            pl.col("employee_id").n_unique().alias("n_people"),
            pl.col("n_days").sum().alias("person_days"),
            *[pl.col(c).sum() for c in _COUNTS],
        )
    months = pl.date_range(first, end, "1mo", eager=True).alias("month").to_frame()
    month_days = months.with_columns(
        pl.min_horizontal(pl.col("month").dt.month_end(), pl.lit(end)).alias("_end"),
    ).with_columns(((pl.col("_end") - pl.col("month")).dt.total_days() + 1).alias("days_in_month"))
    groups = per.select(keys).unique()
    grid = groups.join(month_days.select("month", "days_in_month"), how="cross")
    per = grid.join(per, on=[*keys, "month"], how="left").with_columns(
        pl.col(["n_people", "person_days", *_COUNTS]).fill_null(0)
    )
    exits = pl.col("exits_voluntary") + pl.col("exits_involuntary")
    per = (
        per.sort([*keys, "month"])
        .with_columns(
            (pl.col("person_days") / pl.col("days_in_month")).alias("avg_headcount"),
            exits.alias("exits"),
        )
        .with_columns(
            (pl.col("exits") / pl.col("avg_headcount")).alias("attrition_rate"),
            pl.col("exits").rolling_sum(12, min_samples=12).over(keys).alias("_exits_12m"),
            pl.col("person_days").rolling_sum(12, min_samples=12).over(keys).alias("_days_12m"),
            pl.col("days_in_month").rolling_sum(12, min_samples=12).over(keys).alias("_n_12m"),
        )
        .with_columns(
            (pl.col("attrition_rate") * 12).alias("annualised_attrition_rate"),
            (pl.col("_exits_12m") / (pl.col("_days_12m") / pl.col("_n_12m"))).alias("trailing_12m_attrition_rate"),
        )
        .filter(pl.col("month") >= date(start.year, start.month, 1))
        .select(
            [
                *keys,
                "month",
                "n_people",
                "avg_headcount",
                "exits",
                "exits_voluntary",
                "exits_involuntary",
                "transfers_out",
                "attrition_rate",
                "annualised_attrition_rate",
                "trailing_12m_attrition_rate",
            ]
        )
    )
    # suppress per month across groups (the cells a reader compares side by side)
    parts = [
        suppress(part, ctx.settings.min_group_size, keep=(*keys, "month"))
        for part in per.partition_by("month", maintain_order=True)
    ]
    out = pl.concat(parts) if parts else per.with_columns(pl.lit(False).alias("is_suppressed"))
    if period_guarded(viewer):
        out = out.with_columns(
            pl.lit(None, dtype=out.schema[c]).alias(c) for c in ("exits_voluntary", "exits_involuntary")
        )
    return out


@describes("n_people", "exits", "regretted")
def get_exits(
    viewer: Viewer,
    ctx: Context,
    start: date | None = None,
    end: date | None = None,
    by: Literal["end_kind", "exit_destination", "exit_reason"] = "exit_destination",
) -> pl.DataFrame:
    """Support spells ending in [start, end] by exit type and destination; one row per type x value.

    Each cell covers the people who left, so cells under the minimum group size are suppressed,
    with complements inside the same exit type (the by="end_kind" table publishes each type's
    total). For a guarded viewer (scope.period_guarded) a cell is also hidden when it differs from
    the same cell over another grid window by 1 .. minimum - 1 people.
    """
    if by not in ("end_kind", "exit_destination", "exit_reason"):
        raise ValueError(f"unknown exit cut {by!r}")
    start, end = period(viewer, ctx, start, end)
    guarded = period_guarded(viewer)
    grid = grid_windows(ctx) if guarded else [(start, end)]
    sql = with_subtree(
        """
with recursive
probe_days as (
    select distinct end_date as day from marts_support_spells where end_date between $start and $end
),
""",
        """,
ends as (
    select sp.*
    from marts_support_spells as sp
    left join subtree as t on t.employee_id = sp.employee_id and t.day = sp.end_date
    where sp.end_date between $start and $end
      and (cast($manager_id as varchar) is null or t.employee_id is not null)
)
select employee_id, end_date, end_kind, exit_destination, exit_reason, is_regretted from ends
""",
    )
    lo, hi = min(w[0] for w in grid), max(w[1] for w in grid)
    ends = ctx.frame(sql, {"start": lo, "end": hi, "manager_id": manager_param(viewer)})
    keys = ["end_kind"] if by == "end_kind" else ["end_kind", by]
    tables = {
        w: ends.filter(pl.col("end_date").is_between(w[0], w[1]))
        .group_by(keys)
        .agg(
            pl.col("employee_id").n_unique().alias("n_people"),
            pl.len().alias("exits"),
            pl.col("is_regretted").fill_null(False).sum().alias("regretted"),
        )
        .sort(keys, nulls_last=True)
        for w in grid
    }
    out = tables[(start, end)]
    min_size = ctx.settings.min_group_size
    others = [t for w, t in tables.items() if w != (start, end)]
    flagged = detail_differences(out, others, keys, ("n_people", "exits", "regretted"), min_size)
    if by != "end_kind":  # complements inside each exit type first, then across the table
        hide = list(flagged)
        kinds = out["end_kind"].to_list()
        for kind in dict.fromkeys(kinds):
            rows = [i for i, k in enumerate(kinds) if k == kind]
            part = cells_to_hide([out["n_people"][i] for i in rows], min_size, [flagged[i] for i in rows])
            for i, h in zip(rows, part, strict=True):
                hide[i] = hide[i] or h
        flagged = hide
    return suppress(out, min_size, keep=tuple(keys), forced=flagged)
