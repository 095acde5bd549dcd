"""Zendesk Support exports -> tickets and helpdesk_agents.

The admin CSV export (times in the account time zone: settings `[sources.zendesk] timezone`),
the users export (users.json) and the JSON incremental export with metric_sets (UTC).
The CSV names the assignee only by name; names resolve to user ids through users.json.
"""

from __future__ import annotations

import polars as pl

from pipelines.sources import values as v
from pipelines.sources.base import Context, Conv, Converted, Spec

ADAPTER = "zendesk"
SOURCE = "zendesk"
_UNKNOWN_AGENT = "assignee not found in the Zendesk users export (users.json)"

TICKET_FIELDS = {
    "ticket_id": ("Id", "ID", "Ticket ID"),
    "assignee": ("Assignee", "Assignee name"),
    "group_name": ("Group", "Group name"),
    "tags": ("Tags",),
    "status": ("Status",),
    "priority": ("Priority",),
    "via": ("Via", "Channel"),
    "created_at": ("Created at",),
    "solved_at": ("Solved at",),
    "group_stations": ("Group stations",),
    "reopens": ("Reopens",),
    "replies": ("Replies",),
    "first_reply_minutes": ("First reply time in minutes",),
    "category": ("Ticket Category [list]", "Category [list]", "Ticket category", "Category"),
    "customer_segment": ("Customer Segment [list]", "Customer segment"),
    "handle_seconds": ("Total time spent (sec)", "Total time spent sec", "Time spent"),
    "csat_raw": ("Satisfaction Score", "Satisfaction rating"),
}
JSON_TICKET_FIELDS = {
    "ticket_id": ("id",),
    "assignee_id": ("assignee_id",),
    "group_id": ("group_id",),
    "tags": ("tags",),
    "status": ("status",),
    "priority": ("priority",),
    "via": ("via.channel",),
    "created_at": ("created_at",),
    "updated_at": ("updated_at",),
    "csat_raw": ("satisfaction_rating.score",),
    "generated_timestamp": ("generated_timestamp",),
}
USER_FIELDS = {
    "agent_id": ("id",),
    "name": ("name",),
    "email": ("email",),
    "role": ("role",),
    "active": ("active",),
}


def _has_tag(tags: pl.Series, pattern: str) -> pl.Series:
    return tags.str.to_lowercase().str.contains(r"(^|[\s,])(" + pattern + r")($|[\s,])").fill_null(False)


def agent_ids_by_name(conv: Conv, ctx: Context, field: str, source: str, reason: str) -> pl.Series:
    """Agent names -> helpdesk user ids; without any users export the name itself stands in."""
    known = {name: i for (src, name), i in ctx.agent_by_name.items() if src == source}
    if known:
        return conv.lookup(field, known, reason)
    if conv.raw(field).is_not_null().any():
        conv.notes.append(f"no {source} users export ingested yet: agents are identified by name")
    return conv.raw(field)


def bot_flags(via: pl.Series, tags: pl.Series, assignee: pl.Series) -> tuple[pl.Series, pl.Series]:
    """(bot involved, bot resolved) from Zendesk's Via and the answer-bot tags."""
    via_bot = via.str.to_lowercase().str.contains("answer bot|bot for").fill_null(False)
    resolved = _has_tag(tags, "answerbot_resolved") | (
        via_bot & assignee.is_null() & ~_has_tag(tags, "answerbot_handoff")
    )
    involved = via_bot | _has_tag(tags, "answerbot_[a-z_]+") | resolved
    return involved, resolved


def convert_tickets(conv: Conv, ctx: Context) -> Converted:
    tz = ctx.source_option(ADAPTER, "timezone", "UTC")
    created = conv.datetime("created_at", tz)
    minutes = conv.number("first_reply_minutes")
    first_reply = pl.DataFrame({"c": created, "m": minutes}).select(
        (pl.col("c") + pl.duration(seconds=(pl.col("m") * 60).round().cast(pl.Int64))).alias("f")
    )["f"]
    tags = conv.raw("tags")
    group = conv.raw("group_name")
    assignee = conv.raw("assignee")
    involved, resolved = bot_flags(conv.raw("via"), tags, assignee)
    stations = conv.integer("group_stations")
    escalated = _has_tag(tags, "escalated") | (stations >= 2).fill_null(False)
    return conv.result(
        "tickets",
        {
            "source_system": SOURCE,
            "ticket_id": conv.raw("ticket_id"),
            "agent_id": agent_ids_by_name(conv, ctx, "assignee", SOURCE, _UNKNOWN_AGENT),
            "agent_name": assignee,
            "group_name": group,
            "tier": v.to_tier(group, ctx.settings.tiers),
            "channel": v.to_channel(conv.raw("via")),
            "category": conv.raw("category"),
            "priority": v.to_priority(conv.raw("priority")),
            "status": conv.raw("status").str.to_lowercase(),
            "customer_segment": conv.raw("customer_segment"),
            "created_at": created,
            "first_reply_at": first_reply,
            "solved_at": conv.datetime("solved_at", tz),
            "handle_seconds": conv.number("handle_seconds"),
            "replies": conv.integer("replies"),
            "reopens": conv.integer("reopens"),
            "is_bot_involved": involved,
            "is_bot_resolved": resolved,
            "is_escalated": escalated,
            "csat_raw": conv.raw("csat_raw"),
            "csat_good": v.csat_good(conv.raw("csat_raw")),
        },
    )


def _metrics(conv: Conv) -> pl.DataFrame:
    """The metric_sets sibling list of an incremental export, keyed by ticket id (text)."""
    sets = conv.fields.table_extra.get("metric_sets") or []
    rows = [
        {
            "ticket_id": str(m.get("ticket_id")),
            "solved_at": m.get("solved_at"),
            "reply_minutes": (m.get("reply_time_in_minutes") or {}).get("calendar"),
            "replies": m.get("replies"),
            "reopens": m.get("reopens"),
            "group_stations": m.get("group_stations"),
        }
        for m in sets
        if isinstance(m, dict)
    ]
    schema = {k: pl.String for k in ("ticket_id", "solved_at", "reply_minutes", "replies", "reopens", "group_stations")}
    if not rows:
        return pl.DataFrame(schema=schema)
    return pl.DataFrame([{k: None if x is None else str(x) for k, x in r.items()} for r in rows], schema=schema)


def convert_json_tickets(conv: Conv, ctx: Context) -> Converted:
    """The incremental export: ticket objects plus metric_sets (UTC); latest version of a ticket wins."""
    ids = conv.raw("ticket_id")
    metrics = pl.DataFrame({"ticket_id": ids}).join(_metrics(conv), on="ticket_id", how="left", maintain_order="left")
    created = conv.datetime("created_at", "UTC")
    minutes = v.parse_number(metrics["reply_minutes"])
    first_reply = pl.DataFrame({"c": created, "m": minutes}).select(
        (pl.col("c") + pl.duration(seconds=(pl.col("m") * 60).round().cast(pl.Int64))).alias("f")
    )["f"]
    tags = conv.raw("tags")
    agent = conv.raw("assignee_id")
    involved, resolved = bot_flags(conv.raw("via"), tags, agent)
    stations = v.parse_int(metrics["group_stations"])
    known = {i for i in ctx.agent_ids.get(SOURCE, set())}
    if known:
        conv.reject(agent.is_not_null() & ~agent.is_in(list(known)), "assignee_id", _UNKNOWN_AGENT)
    csat = conv.raw("csat_raw").str.replace_all("_", " ")
    return conv.result(
        "tickets",
        {
            "source_system": SOURCE,
            "ticket_id": ids,
            "agent_id": agent,
            "group_name": conv.raw("group_id"),
            "channel": v.to_channel(conv.raw("via")),
            "priority": v.to_priority(conv.raw("priority")),
            "status": conv.raw("status").str.to_lowercase(),
            "created_at": created,
            "first_reply_at": first_reply,
            "solved_at": v.parse_datetime(metrics["solved_at"], "UTC"),
            "replies": v.parse_int(metrics["replies"]),
            "reopens": v.parse_int(metrics["reopens"]),
            "is_bot_involved": involved,
            "is_bot_resolved": resolved,
            "is_escalated": _has_tag(tags, "escalated") | (stations >= 2).fill_null(False),
            "csat_raw": csat,
            "csat_good": v.csat_good(csat),
        },
    )


def convert_users(conv: Conv, ctx: Context) -> Converted:
    name = conv.raw("name")
    email = v.lower_email(conv.raw("email"))
    role = conv.raw("role").str.to_lowercase()
    is_bot = (
        name.str.to_lowercase().str.contains(r"answer ?bot|\bbot\b").fill_null(False)
        | email.str.starts_with("answerbot").fill_null(False)
        | role.is_in(["system", "bot"]).fill_null(False)
    )
    return conv.result(
        "helpdesk_agents",
        {
            "source_system": SOURCE,
            "agent_id": conv.raw("agent_id"),
            "name": name,
            "email": email,
            "role": role,
            "is_bot": is_bot,
        },
    )


SPECS = (
    Spec(
        ADAPTER,
        "tickets_csv",
        "tickets",
        TICKET_FIELDS,
        ("ticket_id", "created_at", "via", "assignee"),
        convert_tickets,
        required=("ticket_id", "created_at"),
        describe="Zendesk tickets CSV export",
    ),
    Spec(
        ADAPTER,
        "tickets_json",
        "tickets",
        JSON_TICKET_FIELDS,
        ("ticket_id", "created_at", "via", "generated_timestamp"),
        convert_json_tickets,
        required=("ticket_id", "created_at"),
        describe="Zendesk incremental tickets export (JSON)",
    ),
    Spec(
        ADAPTER,
        "users",
        "helpdesk_agents",
        USER_FIELDS,
        ("agent_id", "name", "email", "role"),
        convert_users,
        describe="Zendesk users export",
    ),
)
