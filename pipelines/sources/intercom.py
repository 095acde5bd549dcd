"""Intercom exports -> tickets and helpdesk_agents.

The Conversations report CSV names its time zone in each timestamp header
(`Conversation created at (Europe/Dublin)`); admins come from the `GET /admins` JSON.
"""

from __future__ import annotations

import polars as pl

from pipelines.sources import values as v
from pipelines.sources.base import Context, Conv, Converted, Spec

ADAPTER = "intercom"
SOURCE = "intercom"

CONVERSATION_FIELDS = {
    "ticket_id": ("Conversation ID", "Conversation Id"),
    "started_at": ("Conversation started at",),
    "created_at": ("Conversation created at",),
    "channel": ("Channel", "Conversation source"),
    "status": ("Current conversation state", "Conversation state"),
    "agent_name": ("Teammate currently assigned", "Assignee"),
    "agent_id": ("Teammate currently assigned ID", "Assignee ID"),
    "group_name": ("Team currently assigned", "Team"),
    "tags": ("Conversation tag", "Conversation tags", "Tags"),
    "category": ("Topics", "Ticket category", "AI Topic"),
    "csat_raw": ("Conversation rating", "Rating"),
    "resolved_by": ("Resolved by",),
    "first_response_seconds": ("First response time (seconds)", "First response time"),
    "bot_involved": ("Fin AI Agent involved",),
    "bot_deflected": ("Fin AI Agent deflected",),
    "solved_at": ("Ticket last resolved", "Last closed at", "Conversation closed at"),
    "handle_seconds": ("Handling time (seconds)", "Handling time"),
    "customer_segment": ("Company segment", "Customer segment", "Plan"),
    "priority": ("Priority",),
}
ADMIN_FIELDS = {
    "agent_id": ("id",),
    "name": ("name",),
    "email": ("email",),
    "type": ("type",),
    "away_mode_enabled": ("away_mode_enabled",),
    "has_inbox_seat": ("has_inbox_seat",),
}
_UNKNOWN_AGENT = "teammate id not found in the Intercom admins export (admins.json)"


def convert_conversations(conv: Conv, ctx: Context) -> Converted:
    tz = ctx.source_option(ADAPTER, "timezone", "UTC")
    created = conv.datetime("created_at", tz) if conv.has("created_at") else conv.datetime("started_at", tz)
    seconds = conv.number("first_response_seconds")
    first_reply = pl.DataFrame({"c": created, "s": seconds}).select(
        (pl.col("c") + pl.duration(seconds=pl.col("s").round().cast(pl.Int64))).alias("f")
    )["f"]
    agent = conv.raw("agent_id")
    known = ctx.agent_ids.get(SOURCE, set())
    if known:
        conv.reject(agent.is_not_null() & ~agent.is_in(sorted(known)), "agent_id", _UNKNOWN_AGENT)
    tags = conv.raw("tags")
    deflected = conv.boolean("bot_deflected").fill_null(False)
    fin_resolved = conv.raw("resolved_by").str.to_lowercase().str.contains(r"\bfin\b|bot").fill_null(False)
    resolved = deflected | (fin_resolved & agent.is_null())
    involved = conv.boolean("bot_involved").fill_null(False) | resolved
    group = conv.raw("group_name")
    return conv.result(
        "tickets",
        {
            "source_system": SOURCE,
            "ticket_id": conv.raw("ticket_id"),
            "agent_id": agent,
            "agent_name": conv.raw("agent_name"),
            "group_name": group,
            "tier": v.to_tier(group, ctx.settings.tiers),
            "channel": v.to_channel(conv.raw("channel")),
            "category": conv.raw("category"),
            "priority": v.to_priority(conv.raw("priority")),
            "status": conv.raw("status").str.to_lowercase(),
            "customer_segment": conv.raw("customer_segment"),
            "created_at": created,
            "first_reply_at": first_reply,
            "solved_at": conv.datetime("solved_at", tz),
            "handle_seconds": conv.number("handle_seconds"),
            "is_bot_involved": involved,
            "is_bot_resolved": resolved,
            "is_escalated": tags.str.to_lowercase().str.contains(r"(^|,)\s*escalated\s*($|,)").fill_null(False),
            "csat_raw": conv.raw("csat_raw"),
            "csat_good": v.csat_good(conv.raw("csat_raw")),
        },
    )


def convert_admins(conv: Conv, ctx: Context) -> Converted:
    name = conv.raw("name")
    kind = conv.raw("type").str.to_lowercase()
    is_bot = (kind == "bot").fill_null(False) | name.str.to_lowercase().str.contains(r"\bfin\b|\bbot\b").fill_null(
        False
    )
    return conv.result(
        "helpdesk_agents",
        {
            "source_system": SOURCE,
            "agent_id": conv.raw("agent_id"),
            "name": name,
            "email": v.lower_email(conv.raw("email")),
            "role": kind,
            "is_bot": is_bot,
        },
    )


SPECS = (
    Spec(
        ADAPTER,
        "conversations_csv",
        "tickets",
        CONVERSATION_FIELDS,
        ("ticket_id", "started_at"),
        convert_conversations,
        describe="Intercom conversations report",
    ),
    Spec(
        ADAPTER,
        "admins",
        "helpdesk_agents",
        ADMIN_FIELDS,
        ("agent_id", "name", "email", "has_inbox_seat"),
        convert_admins,
        describe="Intercom admins (GET /admins)",
    ),
)
