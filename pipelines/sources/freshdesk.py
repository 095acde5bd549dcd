"""Freshdesk ticket exports (CSV / Excel) -> tickets.

The HH:MM:SS `First response time (in hrs)` / `Resolution time (in hrs)` columns are often empty
even when timestamps exist: first reply and solve times come from the timestamps, and the
durations only fill in where a timestamp is missing. Times are read in settings
`[sources.freshdesk] timezone` (default UTC). The export names agents, not ids: the name is the id.
"""

from __future__ import annotations

import polars as pl

from pipelines.sources import values as v
from pipelines.sources.base import Context, Conv, Converted, Spec

ADAPTER = "freshdesk"
SOURCE = "freshdesk"

TICKET_FIELDS = {
    "ticket_id": ("Ticket ID", "Ticket Id"),
    "status": ("Status",),
    "priority": ("Priority",),
    "source": ("Source",),
    "category": ("Type", "Category", "Product"),
    "agent": ("Agent", "Responder"),
    "group_name": ("Group",),
    "created_at": ("Created time", "Created Time"),
    "resolved_at": ("Resolved time", "Resolved Time"),
    "closed_at": ("Closed time", "Closed Time"),
    "first_response_at": ("Initial response time", "Initial Response Time"),
    "first_response_hms": ("First response time (in hrs)", "First Response Time (in Hrs)"),
    "resolution_hms": ("Resolution time (in hrs)", "Resolution Time (in Hrs)"),
    "time_tracked": ("Time tracked", "Time Tracked"),
    "agent_interactions": ("Agent interactions", "Agent Interactions"),
    "tags": ("Tags",),
    "csat_raw": ("Survey results", "Survey Results", "Experience Score"),
    "customer_segment": ("Company Name", "Company"),
}


def _plus(start: pl.Series, seconds: pl.Series) -> pl.Series:
    return pl.DataFrame({"c": start, "s": seconds}).select(
        pl.col("c") + pl.duration(seconds=pl.col("s").round().cast(pl.Int64))
    )["c"]


def _first(*series: pl.Series) -> pl.Series:
    return pl.DataFrame({f"c{i}": s for i, s in enumerate(series)}).select(pl.coalesce(pl.all()))["c0"]


def convert_tickets(conv: Conv, ctx: Context) -> Converted:
    tz = ctx.source_option(ADAPTER, "timezone", "UTC")
    created = conv.datetime("created_at", tz)
    first_reply = _first(conv.datetime("first_response_at", tz), _plus(created, conv.seconds("first_response_hms")))
    solved = _first(
        conv.datetime("resolved_at", tz), conv.datetime("closed_at", tz), _plus(created, conv.seconds("resolution_hms"))
    )
    agent = conv.raw("agent")
    if agent.is_not_null().any():
        conv.notes.append("Freshdesk exports name agents: the agent name is used as the agent id")
    tags = conv.raw("tags")
    group = conv.raw("group_name")
    return conv.result(
        "tickets",
        {
            "source_system": SOURCE,
            "ticket_id": conv.raw("ticket_id"),
            "agent_id": agent,
            "agent_name": agent,
            "group_name": group,
            "tier": v.to_tier(group, ctx.settings.tiers),
            "channel": v.to_channel(conv.raw("source")),
            "category": conv.raw("category"),
            "priority": v.to_priority(conv.raw("priority")),
            "status": conv.raw("status").str.to_lowercase(),
            "customer_segment": conv.raw("customer_segment"),
            "created_at": created,
            "first_reply_at": first_reply,
            "solved_at": solved,
            "handle_seconds": conv.seconds("time_tracked"),
            "replies": conv.integer("agent_interactions"),
            "is_escalated": tags.str.to_lowercase().str.contains(r"\bescalat").fill_null(False),
            "csat_raw": conv.raw("csat_raw"),
            "csat_good": v.csat_good(conv.raw("csat_raw")),
        },
    )


SPECS = (
    Spec(
        ADAPTER,
        "tickets",
        "tickets",
        TICKET_FIELDS,
        ("ticket_id", "created_at", "source"),
        convert_tickets,
        required=("ticket_id", "created_at"),
        describe="Freshdesk tickets export",
    ),
)
