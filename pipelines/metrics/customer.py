"""Customer side: conversations, bot share, CSAT good share and QA, per month or per person-month."""

from __future__ import annotations

from datetime import date

import polars as pl

from pipelines.access import Viewer
from pipelines.metrics.context import Context
from pipelines.metrics.scope import (
    manager_param,
    period,
    require_people,
    ticket_months,
    window,
    with_subtree,
    with_ticket_months,
)

# Conversations created in [start, end] (UTC dates), in the viewer's scope, per month plus one row
# for the whole window (month null: its n_people counts everyone who handled one in any month). A
# manager's scope keeps the conversations handled by people in their subtree that day; bot-only
# conversations have no handler, so they are outside every manager's scope.
TICKET_MONTHS_SQL = with_ticket_months(
    """
select
    month,
    cast(sum(n_conversations) as bigint) as n_conversations,
    count(distinct employee_id) as n_people,
    cast(sum(n_bot_resolved) as bigint) as n_bot_resolved,
    cast(sum(n_rated) as bigint) as n_rated,
    cast(sum(n_good) as bigint) as n_good,
    cast(sum(n_qa_tickets) as bigint) as n_qa_tickets,
    sum(total_qa_score) / nullif(sum(n_qa_tickets), 0) as qa_mean_score,
    cast(sum(n_escalated) as bigint) as n_escalated
from cells
group by grouping sets ((month), ())
order by month nulls last
"""
)

PERSON_SQL = with_subtree(
    """
with
rows_in as (
    select c.*, cast(least(c.month + interval 1 month - interval 1 day, cast($end as date)) as date) as obs_date
    from marts_customer_person_months as c
    where c.month between date_trunc('month', cast($start as date)) and $end
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
select * exclude (obs_date) from scoped order by employee_id, month
""",
)


def get_customer_outcomes(
    viewer: Viewer, ctx: Context, start: date | None = None, end: date | None = None
) -> dict[str, float | int | None]:
    """Conversations, bot share, CSAT good share and mean QA over [start, end] in the viewer's scope.

    bot_share is None for a manager (bot-only conversations belong to no team); CSAT and QA are
    suppressed when fewer people than the minimum handled the scoped conversations.
    """
    start, end = period(viewer, ctx, start, end)
    frame = ticket_months(viewer, ctx, TICKET_MONTHS_SQL, start, end)
    monthly = frame.filter(pl.col("month").is_not_null())
    is_manager = manager_param(viewer) is not None
    n_conv = int(monthly["n_conversations"].sum()) if monthly.height else 0
    people = int(frame.filter(pl.col("month").is_null())["n_people"].sum())
    rated = int(monthly["n_rated"].sum()) if monthly.height else 0
    qa_n = int(monthly["n_qa_tickets"].sum()) if monthly.height else 0
    out: dict[str, float | int | None] = {
        "conversations": n_conv,
        "bot_share": None if is_manager or not n_conv else int(monthly["n_bot_resolved"].sum()) / n_conv,
        "csat": int(monthly["n_good"].sum()) / rated if rated else None,
        "n_rated": rated,
        "qa_mean_score": (float((monthly["qa_mean_score"] * monthly["n_qa_tickets"]).sum()) / qa_n if qa_n else None),
        "is_suppressed": False,
    }
    if people < ctx.settings.min_group_size:
        # CSAT and QA describe the people who handled the conversations; volume and bot share do not
        return {**out, "csat": None, "n_rated": None, "qa_mean_score": None, "is_suppressed": True}
    return out


def get_customer_monthly(
    viewer: Viewer, ctx: Context, start: date | None = None, end: date | None = None
) -> pl.DataFrame:
    """Conversations, bot share and CSAT good share per calendar month (UTC); one row per month."""
    start, end = period(viewer, ctx, start, end)
    monthly = (
        ticket_months(viewer, ctx, TICKET_MONTHS_SQL, start, end)
        .filter(pl.col("month").is_not_null())
        .with_columns(
            (pl.col("n_bot_resolved") / pl.col("n_conversations")).alias("bot_share"),
            pl.when(pl.col("n_rated") > 0).then(pl.col("n_good") / pl.col("n_rated")).alias("csat"),
        )
    )
    if manager_param(viewer) is not None:
        monthly = monthly.with_columns(pl.lit(None, dtype=pl.Float64).alias("bot_share"))
    # CSAT and QA describe the people who handled the month's conversations: hidden under the minimum
    people_cols = ("n_people", "n_rated", "n_good", "n_qa_tickets", "qa_mean_score", "csat")
    monthly = monthly.with_columns((pl.col("n_people") < ctx.settings.min_group_size).alias("is_suppressed"))
    return monthly.with_columns(
        [pl.when(pl.col("is_suppressed")).then(None).otherwise(pl.col(c)).alias(c) for c in people_cols]
    )


def get_customer_person_months(
    viewer: Viewer, ctx: Context, start: date | None = None, end: date | None = None
) -> pl.DataFrame:
    """Tickets, complex share, CSAT, QA and bot involvement per person per month, in scope (person-level)."""
    start, end = window(ctx, start, end)
    frame = ctx.frame(PERSON_SQL, {"start": start, "end": end, "manager_id": manager_param(viewer)})
    return frame if require_people(viewer) else frame.clear()
