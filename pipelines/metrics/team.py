"""Team structure: volume and escalations per tier, bot vs human share, load per person, time to
proficiency, and the growth tipping points stated in sentences."""

from __future__ import annotations

from datetime import date

import polars as pl

from pipelines.access import Viewer
from pipelines.metrics.context import Context
from pipelines.metrics.people import PANEL_SPELLS_SQL, PANEL_SQL, PANEL_TEAM_MONTHS_SQL
from pipelines.metrics.scope import (
    as_of_for,
    cells_to_hide,
    manager_param,
    period,
    suppress,
    ticket_months,
    with_ticket_months,
)

BOT_TIER = "Bot only"

# Conversations per month and tier in [start, end], in the viewer's scope (a manager keeps the
# conversations their subtree handled; bot-only ones belong to nobody's team).
TIER_MONTHS_SQL = with_ticket_months(
    """
select
    month,
    tier,
    cast(sum(n_conversations) as bigint) as n_conversations,
    count(distinct employee_id) as n_people,
    cast(sum(n_escalated) as bigint) as n_escalated,
    cast(sum(n_bot_resolved) as bigint) as n_bot_resolved,
    cast(sum(n_complex) as bigint) as n_complex
from cells
group by month, tier
order by month, tier
"""
)


def get_tier_monthly(viewer: Viewer, ctx: Context, start: date | None = None, end: date | None = None) -> pl.DataFrame:
    """Conversations, escalations in, handlers and load per person per tier; one row per month per tier.

    escalated_in_rate = conversations that reached the tier by escalation / its conversations;
    per_person = human conversations / people who handled any that month (hidden under the minimum).
    """
    start, end = period(viewer, ctx, start, end)
    frame = (
        ticket_months(viewer, ctx, TIER_MONTHS_SQL, start, end)
        .sort("month", "tier")
        .with_columns(
            (pl.col("n_escalated") / pl.col("n_conversations")).alias("escalated_in_rate"),
            pl.when(pl.col("n_people") > 0).then(pl.col("n_conversations") / pl.col("n_people")).alias("per_person"),
        )
    )
    # Per month, small tiers are hidden with complementary ones, so the month's total of handlers
    # (shown elsewhere) minus the visible tiers cannot recover a hidden tier's people.
    hidden: list[bool] = []
    for part in frame.partition_by("month", maintain_order=True):
        sizes = part["n_people"].to_list()
        hide = cells_to_hide(sizes, ctx.settings.min_group_size)
        # a month whose only "small" tier is one nobody handled (0 people) has nothing to hide
        hidden += hide if any(h and (n or 0) > 0 for h, n in zip(hide, sizes, strict=True)) else [False] * len(hide)
    frame = frame.with_columns(pl.Series("is_suppressed", hidden, dtype=pl.Boolean))
    return frame.with_columns(
        pl.when(pl.col("is_suppressed")).then(None).otherwise(pl.col(c)).alias(c) for c in ("n_people", "per_person")
    )


def get_channel_mix(viewer: Viewer, ctx: Context, start: date | None = None, end: date | None = None) -> pl.DataFrame:
    """Bot-only vs human conversations per month, with the human share; one row per month."""
    tiers = get_tier_monthly(viewer, ctx, start, end)
    return (
        tiers.group_by("month")
        .agg(
            pl.col("n_conversations").sum().alias("n_conversations"),
            pl.col("n_conversations").filter(pl.col("tier") == BOT_TIER).sum().alias("n_bot_only"),
            pl.col("n_complex").sum().alias("n_complex"),
        )
        .with_columns(
            (pl.col("n_conversations") - pl.col("n_bot_only")).alias("n_human"),
            (pl.col("n_bot_only") / pl.col("n_conversations")).alias("bot_share"),
        )
        .with_columns(
            (pl.col("n_human") / pl.col("n_conversations")).alias("human_share"),
            pl.when(pl.col("n_human") > 0)
            .then(pl.col("n_complex") / pl.col("n_human"))
            .alias("complex_share_of_human"),
        )
        .sort("month")
    )


def _panel(viewer: Viewer, ctx: Context, start: date, end: date) -> pl.DataFrame:
    # internal, person-level: only aggregates leave this module
    return ctx.frame(PANEL_SQL, {"start": start, "end": end, "manager_id": manager_param(viewer)})


def get_team_load(viewer: Viewer, ctx: Context, start: date | None = None, end: date | None = None) -> pl.DataFrame:
    """People, conversations and conversations per person per team; one row per team per month.

    People = those in the team on the month's observation day; per person counts only people
    who handled conversations that month. Rows under the minimum group size are suppressed.
    """
    start, end = period(viewer, ctx, start, end)
    sums = ctx.frame(PANEL_TEAM_MONTHS_SQL, {"start": start, "end": end, "manager_id": manager_param(viewer)})
    out = (
        sums.cast({"n_people": pl.UInt32, "n_handlers": pl.UInt32, "n_conversations": pl.Int64})
        .with_columns(
            pl.when(pl.col("n_handlers") > 0).then(pl.col("n_conversations") / pl.col("n_handlers")).alias("per_person")
        )
        .sort("month", "team", nulls_last=True)
    )
    parts = [
        suppress(part, ctx.settings.min_group_size, keep=("team", "month"))
        for part in out.partition_by("month", maintain_order=True)
    ]
    return pl.concat(parts) if parts else out.with_columns(pl.lit(False).alias("is_suppressed"))


def get_span_of_control(viewer: Viewer, ctx: Context, as_of: date | None = None) -> pl.DataFrame:
    """Direct reports per manager in as_of's month (counts only, no names); one row per size bucket."""
    end = as_of_for(viewer, ctx, as_of)
    panel = _panel(viewer, ctx, end, end)
    per = panel.group_by("manager_id").agg(pl.col("employee_id").n_unique().alias("n_reports"))
    out = (
        per.with_columns(
            pl.when(pl.col("n_reports") <= 6)
            .then(pl.lit("1-6"))
            .when(pl.col("n_reports") <= 10)
            .then(pl.lit("7-10"))
            .when(pl.col("n_reports") <= 14)
            .then(pl.lit("11-14"))
            .otherwise(pl.lit("15+"))
            .alias("reports")
        )
        .group_by("reports")
        .agg(pl.len().alias("n_managers"), pl.col("n_reports").sum().alias("n_people"))
        .sort(pl.col("reports").replace_strict({"1-6": 0, "7-10": 1, "11-14": 2, "15+": 3}, return_dtype=pl.Int8))
    )
    return suppress(out, ctx.settings.min_group_size, keep=("reports",))


def get_time_to_proficiency(
    viewer: Viewer, ctx: Context, start: date | None = None, end: date | None = None, threshold: float = 0.8
) -> pl.DataFrame:
    """Months from a spell's start until the person first handles `threshold` x their team's median load,
    for spells starting in [start, end] grouped by start year; one row per year (suppressed when small)."""
    start, end = period(viewer, ctx, start, end)
    # every month up to end of the spells starting in [start, end] (the filter runs in the warehouse)
    panel = ctx.frame(
        PANEL_SPELLS_SQL,
        {
            "start": date(1900, 1, 1),
            "end": end,
            "manager_id": manager_param(viewer),
            "spell_from": start,
            "spell_to": end,
        },
    ).filter(pl.col("spell_start_date").is_between(start, end))
    reached = (
        panel.filter(pl.col("workload_ratio") >= threshold)
        .group_by("spell_id")
        .agg(pl.col("tenure_months").min().alias("months_to_proficiency"))
    )
    spells = (
        panel.group_by("spell_id", "employee_id", "spell_start_date").agg().join(reached, on="spell_id", how="left")
    )
    out = (
        spells.group_by(pl.col("spell_start_date").dt.year().alias("start_year"))
        .agg(
            pl.col("employee_id").n_unique().alias("n_people"),
            pl.col("months_to_proficiency").is_not_null().sum().alias("n_reached"),
            pl.col("months_to_proficiency").median().alias("median_months"),
        )
        .sort("start_year")
    )
    return suppress(out, ctx.settings.min_group_size, keep=("start_year",))


def _change(frame: pl.DataFrame, col: str, months: int = 3) -> tuple[float | None, float | None]:
    """Mean of `col` over the last `months` rows and over the same months a year before."""
    values = frame.sort("month")[col].to_list()
    if len(values) < 12 + months:
        return (sum(v for v in values[-months:] if v is not None) / months if values else None), None
    recent = [v for v in values[-months:] if v is not None]
    before = [v for v in values[-12 - months : -12] if v is not None]
    return (
        sum(recent) / len(recent) if recent else None,
        sum(before) / len(before) if before else None,
    )


def get_tipping_points(viewer: Viewer, ctx: Context, end: date | None = None) -> list[str]:
    """The growth signals of the last 3 months vs the same months a year before, as sentences."""
    end = as_of_for(viewer, ctx, end)
    start = date(end.year - 2, end.month, 1)
    with ctx.reuse():  # get_channel_mix reads the same tiers
        tiers = get_tier_monthly(viewer, ctx, start, end)
        mix = get_channel_mix(viewer, ctx, start, end)
        load = get_team_load(viewer, ctx, start, end)
        span = get_span_of_control(viewer, ctx, end)
    out: list[str] = []
    human = tiers.filter(~pl.col("tier").is_in([BOT_TIER, "No tier"]))
    for (tier,), part in human.group_by(["tier"], maintain_order=True):
        now, before = _change(part, "per_person")
        if now is not None and before:
            growth = now / before - 1
            if growth >= 0.15:
                out.append(
                    f"Load per person in {tier} rose {growth:.0%} in a year ({before:.0f} to {now:.0f} conversations "
                    "a month): add people or a team there before quality slips."
                )
    per_month = human.group_by("month").agg(pl.col("n_escalated").sum(), pl.col("n_conversations").sum())
    per_month = per_month.with_columns((pl.col("n_escalated") / pl.col("n_conversations")).alias("rate"))
    esc_now, esc_before = _change(per_month, "rate")
    if esc_now is not None and esc_before is not None and esc_now - esc_before >= 0.03:
        out.append(
            f"Escalations between tiers rose from {esc_before:.0%} to {esc_now:.0%} of human conversations: "
            "triage at first contact, or a specialised queue for the topics that escalate most."
        )
    elif esc_now is not None and esc_now >= 0.4:
        out.append(
            f"{esc_now:.0%} of human conversations are escalated to a higher tier: consider a specialised queue "
            "or training the first tier on the topics that escalate most."
        )
    bot_now, bot_before = _change(mix, "bot_share")
    cx_now, cx_before = _change(mix, "complex_share_of_human")
    if bot_now is not None and bot_before is not None and bot_now - bot_before >= 0.03:
        harder = (
            f", and complex conversations went from {cx_before:.0%} to {cx_now:.0%} of what humans handle"
            if cx_now is not None and cx_before is not None and cx_now > cx_before
            else ""
        )
        out.append(
            f"Bots now resolve {bot_now:.0%} of conversations (from {bot_before:.0%}){harder}: humans get the harder "
            "work, so judge their speed with the adjusted KPIs."
        )
    latest = load.filter(pl.col("month") == load["month"].max()) if load.height else load
    big = latest.filter(pl.col("n_people") >= 15)["team"].to_list() if latest.height else []
    if big:
        out.append(
            f"{len(big)} team(s) have 15 or more people ({', '.join(str(t) for t in big[:3])}): "
            "consider splitting before one lead cannot coach everyone."
        )
    wide = span.filter(pl.col("reports") == "15+")
    if wide.height and wide["n_managers"][0]:
        out.append(f"{wide['n_managers'][0]} manager(s) have 15 or more direct reports.")
    if not out:
        out.append("No tipping point in the last 3 months: load, escalations and bot share are steady.")
    return out


def get_data_dates(viewer: Viewer, ctx: Context) -> dict[str, date]:
    """The first and last dates with data (the default period ends at the last one)."""
    row = ctx.one("select data_start_date, data_end_date from marts_data_dates")
    if row is None or row[1] is None:
        raise LookupError("the warehouse has no job events yet: ingest an HR export first")
    return {"data_start_date": row[0], "data_end_date": row[1]}


def get_org_units(viewer: Viewer, ctx: Context, as_of: date | None = None) -> pl.DataFrame:
    """Team and tier names with people in support in as_of's month, in the viewer's scope; one row per pair.

    Names only (no counts), so every role may see them.
    """
    end = as_of_for(viewer, ctx, as_of)
    panel = _panel(viewer, ctx, end, end)
    return panel.select("team", "tier").unique().sort("team", "tier", nulls_last=True)


def get_support_managers(viewer: Viewer, ctx: Context, as_of: date | None = None) -> pl.DataFrame:
    """Managers of people in support in as_of's month, with their main team and report count; one row per manager.

    The main team is the most common among the reports (the first alphabetically on a tie).

    Ids only (names come from pipelines.metrics.people_directory, which pseudonymises when asked);
    empty for viewers who may not see people.
    """
    end = as_of_for(viewer, ctx, as_of)
    empty = pl.DataFrame(schema={"manager_id": pl.String, "team": pl.String, "n_reports": pl.UInt32})
    if not viewer.sees_people:
        return empty
    panel = _panel(viewer, ctx, end, end)
    if panel.is_empty():
        return empty
    return (
        panel.filter(pl.col("manager_id").is_not_null())
        .group_by("manager_id")
        .agg(pl.col("employee_id").n_unique().alias("n_reports").cast(pl.UInt32), pl.col("team").mode().sort().first())
        .select("manager_id", "team", "n_reports")
        .sort("team", "manager_id", nulls_last=True)
    )
