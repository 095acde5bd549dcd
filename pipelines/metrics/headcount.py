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
    grid_ends,
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

# A job state's overlap with a support spell and the window: the segments the queries below cut
# into pieces. Each query comes in two variants (segment_sql): for viewers without a manager
# restriction, and for a manager, whose segments are further cut to the intervals during which
# the person was in their subtree (scope.SUBTREE_CTES), so a manager's figures count exactly the
# days each person spent in their subtree, without expanding one row per person-day.
_SEGMENTS_CTE = """segments as (
    select
        s.employee_id,
        s.team, s.tier, s.track, s.level, s.title, s.manager_id, s.location,
        sp.hire_cohort, sp.start_date, sp.start_kind, sp.end_date, sp.end_kind, sp.is_regretted,
        greatest(s.valid_from, sp.start_date, cast($start as date){span_from}) as seg_from,
        least(
            coalesce(s.valid_to, cast($end as date)), coalesce(sp.end_date, cast($end as date)), cast($end as date){span_to}
        ) as seg_to
    from staging_job_states as s
    join marts_support_spells as sp
        on sp.employee_id = s.employee_id
        and s.valid_from <= coalesce(sp.end_date, cast($end as date))
        and (s.valid_to is null or s.valid_to >= sp.start_date){scope_join}
    where s.is_support{everyone}
),
"""
_EVERYONE_HEAD = "\nwith\n" + _SEGMENTS_CTE.format(
    span_from="", span_to="", scope_join="", everyone=" and cast($manager_id as varchar) is null"
)
_MANAGER_HEAD = with_subtree(
    """
with
probe_days as (select cast($start as date) as day union all select cast($end as date)),
""",
    ",\n"
    + _SEGMENTS_CTE.format(
        span_from=", t.span_from",
        span_to=", t.span_to",
        scope_join="""
    join subtree as t
        on t.employee_id = s.employee_id
        and t.span_from <= coalesce(s.valid_to, cast($end as date)) and t.span_to >= s.valid_from""",
        everyone="",
    ),
)


def segment_sql(tail: str) -> tuple[str, str]:
    """A query over `segments` in its two variants: (everyone, a manager). Pick with segment_query."""
    return _EVERYONE_HEAD + tail, _MANAGER_HEAD + tail


def segment_query(viewer: Viewer, variants: tuple[str, str]) -> str:
    """The variant of a segment_sql query for this viewer (raises for a viewer without people access)."""
    return variants[manager_param(viewer) is not None]


def _event_counts(lo: str, hi: str) -> str:
    """Select items counting the spell starts and ends that fall in [lo, hi] (column names), one row each."""
    start, end = f"start_date between {lo} and {hi}", f"end_date between {lo} and {hi}"
    return f"""
    count(*) filter (where {start} and start_kind in ('hire', 'rehire')) as hires,
    count(*) filter (where {start} and start_kind = 'rehire') as rehires,
    count(*) filter (where {start} and start_kind = 'transfer_in') as transfers_in,
    count(*) filter (where {end} and end_kind = 'voluntary') as exits_voluntary,
    count(*) filter (where {end} and end_kind = 'involuntary') as exits_involuntary,
    count(*) filter (where {end} and end_kind = 'transfer_out') as transfers_out,
    count(*) filter (where {end} and end_kind = 'unknown') as exits_unknown,
    count(*) filter (where {end} and end_kind in ('voluntary', 'involuntary') and is_regretted) as exits_regretted"""


# Cut points of the live segments (seg_id, cut): where a tenure band begins inside a segment. A
# band starts on the first day whose tenure (days since the spell's start + 1) / 30.4375 reaches
# its min_months.
_BAND_CUTS = """
    select g.seg_id, cast(g.start_date + b.k as date) as cut
    from live_segments as g
    join (
        select cast(ceil(x * 30.4375) - 1 as integer) as k
        from (
            select min_months as x from settings_tenure_bands where min_months > 0
            union
            select max_months from settings_tenure_bands where max_months is not null
        )
    ) as b on g.start_date + b.k > g.seg_from and g.start_date + b.k <= g.seg_to"""
# Cut points at the first day of every month after a segment's first.
_MONTH_CUTS = """
    select seg_id, cast(m.m as date) as cut
    from live_segments,
        lateral (
            select unnest(generate_series(
                cast(date_trunc('month', seg_from) + interval 1 month as date), seg_to, interval 1 month
            )) as m
        ) as m"""
# The live segments cut at `cuts` into pieces [piece_from, piece_to], each with its tenure band.
_PIECES = """
live_segments as (
    select *, row_number() over () as seg_id from segments where seg_from <= seg_to
),
cuts as (
    select seg_id, seg_from as cut from live_segments{cuts}
),
cut_pieces as (
    select
        g.*,
        c.cut as piece_from,
        coalesce(cast(lead(c.cut) over (partition by c.seg_id order by c.cut) - 1 as date), g.seg_to) as piece_to
    from cuts as c
    join live_segments as g using (seg_id)
),
pieces as (
    select cut_pieces.*, b.tenure_band
    from cut_pieces
    left join settings_tenure_bands as b
        on (piece_from - start_date + 1) / 30.4375 >= b.min_months
        and (b.max_months is null or (piece_from - start_date + 1) / 30.4375 < b.max_months)
)"""

# One row per person per month per combination of attributes held on those days, inside the
# window and the viewer's scope: days in support and the hires / exits that happened on them.
# An exit counts on the spell's last day in support with that day's attributes. Days are never
# expanded: each segment is cut at month starts and tenure-band boundaries into pieces whose
# month and band are constant, and a piece's days are its length.
PERSON_MONTH_DAYS_SQL = segment_sql(
    "".join(
        (
            _PIECES.format(cuts="".join(("\n    union", _MONTH_CUTS, "\n    union", _BAND_CUTS))).lstrip("\n"),
            """
select
    employee_id,
    cast(date_trunc('month', piece_from) as date) as month,
    team, tier, track, level, title, manager_id, location, hire_cohort, tenure_band,
    cast(sum(piece_to - piece_from + 1) as bigint) as n_days,""",
            _event_counts("piece_from", "piece_to"),
            "\nfrom pieces\ngroup by all\n",
        )
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
    sql = segment_query(viewer, PERSON_MONTH_DAYS_SQL)
    return ctx.frame(sql, {"start": start, "end": end, "manager_id": manager_param(viewer)})


# PERSON_MONTH_DAYS_SQL added up per month: each segment is cut at month starts only (a month's
# people, person-days, hires and exits need no tenure band).
PERSON_MONTH_TOTALS_SQL = segment_sql(
    "".join(
        (
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
    cast(sum(part_to - part_from + 1) as bigint) as person_days,""",
            _event_counts("part_from", "part_to"),
            "\nfrom seg_months\ngroup by month\n",
        )
    )
)


def _window_totals_sql(by: str | None) -> tuple[str, str]:
    """WINDOW_TOTALS_SQL for one cut (a column of the segments, or None for one "all" group)."""
    if by == "tenure_band":  # the band changes inside a segment: cut at band boundaries first
        pieces = _PIECES.format(cuts="".join(("\n    union", _BAND_CUTS))).lstrip("\n")
    else:
        pieces = """live_segments as (
    select * from segments where seg_from <= seg_to
),
pieces as (
    select *, seg_from as piece_from, seg_to as piece_to from live_segments
)"""
    key = "'all' as \"group\"" if by is None else by
    select = """,
windows as (
    select unnest(cast($w_from as date[])) as w_from, unnest(cast($w_to as date[])) as w_to
),
parts as (
    select p.*, w.w_from, w.w_to, greatest(p.piece_from, w.w_from) as part_from, least(p.piece_to, w.w_to) as part_to
    from pieces as p
    join windows as w on p.piece_from <= w.w_to and p.piece_to >= w.w_from
)
select
    w_from,
    w_to,
    """
    totals = """,
    count(distinct employee_id) as n_people,
    cast(sum(part_to - part_from + 1) as bigint) as n_days,"""
    tail = "\nfrom parts\ngroup by all\n"
    return segment_sql("".join((pieces, select, key, totals, _event_counts("part_from", "part_to"), tail)))


# Per window of a list and per group of one cut (or one "all" group): people, person-days in
# support and the hires / exits inside the window and the viewer's scope; the sums of
# PERSON_MONTH_DAYS_SQL over the window's days, without cutting segments at month starts (and at
# tenure-band boundaries only for that cut). Bind w_from and w_to (lists of the windows' first and
# last days), start = the first w_from and end = the last w_to.
WINDOW_TOTALS_SQL: dict[str | None, tuple[str, str]] = {by: _window_totals_sql(by) for by in (None, *CUTS)}


def window_totals(
    viewer: Viewer, ctx: Context, windows: list[tuple[date, date]], by: str | None = None
) -> dict[tuple[date, date], pl.DataFrame]:
    """Per window: people, average headcount and hire / exit counts per group of `by` in the viewer's scope.

    Each frame has the group column (`by`, or "group" = "all" without a cut), n_people,
    person_days, avg_headcount (person_days / days in the window) and the counts of _COUNTS. Without a cut a
    window nobody was in gets one row of zeros; with a cut, no rows.
    """
    _check_cut(by)
    read = set(windows)
    if period_guarded(viewer):  # every window and day of the grid too: in a reuse block, one read serves all
        read |= {*grid_windows(ctx), *((day, day) for day in grid_ends(ctx))}
    ordered = sorted(read)
    params = {
        "w_from": [w[0] for w in ordered],
        "w_to": [w[1] for w in ordered],
        "start": min(w[0] for w in ordered),
        "end": max(w[1] for w in ordered),
        "manager_id": manager_param(viewer),
    }
    frame = ctx.frame(segment_query(viewer, WINDOW_TOTALS_SQL[by]), params)
    key = by or "group"
    out = {}
    for w_from, w_to in windows:
        n = (w_to - w_from).days + 1
        part = frame.filter((pl.col("w_from") == w_from) & (pl.col("w_to") == w_to)).select(
            key,
            pl.col("n_people").cast(pl.UInt32),
            pl.col("n_days").alias("person_days"),
            (pl.col("n_days") / n).alias("avg_headcount"),
            *[pl.col(c).cast(pl.Int64) for c in _COUNTS],
        )
        if by is None and part.is_empty():
            part = pl.DataFrame(
                {"group": ["all"], "n_people": [0], "person_days": [0], "avg_headcount": [0.0]}
                | {c: [0] for c in _COUNTS},
                schema_overrides={"n_people": pl.UInt32, "person_days": pl.Int64} | {c: pl.Int64 for c in _COUNTS},
            )
        out[(w_from, w_to)] = _sort_groups(part, key)
    return out


def person_totals(viewer: Viewer, ctx: Context, start: date, end: date) -> pl.DataFrame:
    """People, average headcount and the hire / exit counts over [start, end] in the viewer's scope; one "all" row."""
    return window_totals(viewer, ctx, [(start, end)])[(start, end)]


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


def _sort_groups(frame: pl.DataFrame, key: str) -> pl.DataFrame:
    if key == "tenure_band":  # bands in their natural order, not alphabetical
        rank = {band: i for i, (band, _, _) in enumerate(TENURE_BANDS)}
        return frame.sort(pl.col("tenure_band").replace_strict(rank, default=len(rank), return_dtype=pl.Int64))
    return frame.sort(key, nulls_last=True)


def get_headcount(viewer: Viewer, ctx: Context, as_of: date | None = None, by: str | None = None) -> pl.DataFrame:
    """Headcount in support on as_of (people with that day in a support spell); one row per group."""
    day = as_of_for(viewer, ctx, as_of)
    key = by or "group"
    out = (
        window_totals(viewer, ctx, [(day, day)], by)[(day, day)]
        .select(key, "n_people")
        .with_columns(pl.col("n_people").alias("headcount"))
    )
    return suppress(out, ctx.settings.min_group_size, keep=(key,))


def get_average_headcount(
    viewer: Viewer, ctx: Context, start: date | None = None, end: date | None = None, by: str | None = None
) -> pl.DataFrame:
    """Average headcount over [start, end] = person-days in support / days in the window; one row per group."""
    start, end = period(viewer, ctx, start, end)
    key = by or "group"
    out = window_totals(viewer, ctx, [(start, end)], by)[(start, end)].select(key, "n_people", "avg_headcount")
    return suppress(out, ctx.settings.min_group_size, keep=(key,))


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
    start, end = period(viewer, ctx, start, end)
    key = by or "group"
    min_size = ctx.settings.min_group_size
    grid = grid_windows(ctx) if period_guarded(viewer) else [(start, end)]
    totals = window_totals(viewer, ctx, grid, by)
    tables = {w: _rates(t.drop("person_days"), (w[1] - w[0]).days + 1) for w, t in totals.items()}
    out = tables[(start, end)]
    others = [t for w, t in tables.items() if w != (start, end)]
    if others:
        flagged = detail_differences(out, others, [key], EXIT_SPLIT, min_size, split=True)
        # details first, on the true sizes (complements chosen among all rows), then the usual suppression
        out = hide_details(out, flagged, min_size, (*EXIT_DETAILS, *_EXIT_DETAIL_RATES))
    return suppress(out, min_size, keep=(key,))


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
    if by is None:  # per month, from the segments without cutting pieces
        params = {"start": first, "end": end, "manager_id": manager_param(viewer)}
        per = ctx.frame(segment_query(viewer, PERSON_MONTH_TOTALS_SQL), params).select(
            pl.lit("all").alias("group"),
            "month",
            pl.col("n_people").cast(pl.UInt32),
            "person_days",
            *_COUNTS,
        )
    else:
        days = person_month_days(viewer, ctx, first, end)
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
with
probe_days as (
    select distinct end_date as day from marts_support_spells where end_date between $start and $end
),
""",
        """,
ends as (
    select sp.*
    from marts_support_spells as sp
    left join subtree as t on t.employee_id = sp.employee_id and sp.end_date between t.span_from and t.span_to
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
