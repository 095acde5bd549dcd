"""The canonical entities: the contract between source adapters and everything downstream.

Adapters produce frames with exactly these columns (missing optional columns as nulls);
validation checks them; the lake stores them; the warehouse loads them as tables of the same
name. docs/data-contract.md describes each column for people writing files by hand.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl


@dataclass(frozen=True)
class Column:
    name: str
    dtype: pl.DataType
    required: bool = False
    description: str = ""


@dataclass(frozen=True)
class Entity:
    name: str
    grain: str
    key: tuple[str, ...]
    columns: tuple[Column, ...]

    @property
    def schema(self) -> dict[str, pl.DataType]:
        return {c.name: c.dtype for c in self.columns}

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)


S, D, T, INT, F, B = pl.String(), pl.Date(), pl.Datetime("us", "UTC"), pl.Int64(), pl.Float64(), pl.Boolean()

EMPLOYEES = Entity(
    "employees",
    "one row per person (all departments; rehires keep their id)",
    ("employee_id",),
    (
        Column("employee_id", S, True, "stable person id from the HR system (employee number)"),
        Column("full_name", S, False, "display name; never logged"),
        Column("work_email", S, False, "work email, lower-cased; used to match helpdesk agents"),
        Column("gender", S, False, "as recorded; used only for fairness cuts, never as a model feature"),
        Column("location", S, False, "office or country; fairness cut, never a model feature"),
        Column("is_remote", B, False, "works remotely"),
        Column("original_hire_date", D, True, "first day at the company, first spell"),
        Column("hire_date", D, False, "first day of the latest spell (differs from original_hire_date for rehires)"),
        Column("exit_date", D, False, "last day of the latest spell; null while employed"),
        Column("department", S, False, "current (or last) department"),
        Column("title", S, False, "current (or last) job title"),
        Column("manager_id", S, False, "current (or last) manager's employee_id"),
        Column("team", S, False, "current (or last) team"),
        Column("tier", S, False, "current (or last) support tier"),
        Column("exit_type", S, False, "voluntary | involuntary, for the exit on exit_date"),
        Column("exit_reason", S, False, "reason for the exit on exit_date, as recorded"),
        Column("is_regretted", B, False, "the company wanted to keep this person"),
    ),
)

JOB_EVENTS = Entity(
    "job_events",
    "one row per person per dated change of job, employment status or exit",
    ("employee_id", "effective_date", "event_seq"),
    (
        Column("employee_id", S, True),
        Column("effective_date", D, True, "the day the change takes effect"),
        Column("event_seq", INT, True, "order of events on the same day, 0 first"),
        Column(
            "event_kind", S, True, "hire | job | exit: hire/rehire starts a spell, exit ends it, job changes role/team"
        ),
        Column("title", S, False, "job title after the change (matched to the ladder in settings)"),
        Column("department", S, False, "department after the change"),
        Column("team", S, False, "team after the change"),
        Column("tier", S, False, "support tier after the change (Tier 1..3), when the person works a tier"),
        Column("manager_id", S, False, "manager's employee_id after the change"),
        Column("location", S, False),
        Column("change_reason", S, False, "reason as recorded in the HR system (Promotion, Transfer...)"),
        Column("exit_type", S, False, "exit rows: voluntary | involuntary"),
        Column("exit_reason", S, False, "exit rows: reason as recorded"),
        Column("is_regretted", B, False, "exit rows: the company wanted to keep this person"),
        Column("exit_destination", S, False, "exit rows: where the person went (competitor, other industry, ...)"),
    ),
)

COMPENSATION = Entity(
    "compensation",
    "one row per person per pay change",
    ("employee_id", "effective_date"),
    (
        Column("employee_id", S, True),
        Column("effective_date", D, True),
        Column("annual_pay", F, True, "annualised base pay"),
        Column("currency", S, False),
        Column("change_reason", S, False),
    ),
)

PAY_BANDS = Entity(
    "pay_bands",
    "one row per job title (and effective date when bands change)",
    ("title", "effective_date"),
    (
        Column("title", S, True),
        Column("effective_date", D, True, "first day the band applies"),
        Column("band_min", F, True),
        Column("band_mid", F, False),
        Column("band_max", F, True),
        Column("currency", S, False),
    ),
)

GROWTH_ACTIVITIES = Entity(
    "growth_activities",
    "one row per person per growth activity or area of responsibility",
    ("employee_id", "start_date", "activity_type"),
    (
        Column("employee_id", S, True),
        Column("start_date", D, True),
        Column("end_date", D, False, "null while ongoing"),
        Column(
            "activity_type", S, True, "mentoring | onboarding | internal_tool | content | process_owner | programme"
        ),
        Column("description", S, False),
    ),
)

PERFORMANCE_REVIEWS = Entity(
    "performance_reviews",
    "one row per person per review cycle",
    ("employee_id", "cycle"),
    (
        Column("employee_id", S, True),
        Column("cycle", S, True, "review cycle name, e.g. 2024-H1"),
        Column("review_date", D, True),
        Column("rating", F, False, "overall rating on a 1-5 scale"),
        Column("is_on_pip", B, False, "on a performance improvement plan after this review"),
    ),
)

COMPETENCY_RATINGS = Entity(
    "competency_ratings",
    "one row per person per review cycle per competency",
    ("employee_id", "cycle", "competency"),
    (
        Column("employee_id", S, True),
        Column("cycle", S, True),
        Column("review_date", D, True),
        Column("competency", S, True),
        Column("rating", F, True, "1-5"),
    ),
)

TICKETS = Entity(
    "tickets",
    "one row per conversation / ticket",
    ("source_system", "ticket_id"),
    (
        Column("source_system", S, True, "zendesk | intercom | freshdesk | canonical"),
        Column("ticket_id", S, True),
        Column("agent_id", S, False, "helpdesk user id of the human who handled it; null when only a bot did"),
        Column("agent_name", S, False),
        Column("group_name", S, False, "helpdesk group / team as exported"),
        Column("tier", S, False, "support tier, mapped from the group"),
        Column("channel", S, False, "email | chat | phone | web | messaging | api | other"),
        Column("category", S, False),
        Column("priority", S, False, "low | normal | high | urgent"),
        Column("status", S, False),
        Column("customer_segment", S, False),
        Column("created_at", T, True),
        Column("first_reply_at", T, False),
        Column("solved_at", T, False),
        Column("handle_seconds", F, False, "agent time spent on the ticket"),
        Column("replies", INT, False),
        Column("reopens", INT, False),
        Column("is_bot_involved", B, False, "a bot answered first"),
        Column("is_bot_resolved", B, False, "resolved without a human"),
        Column("is_escalated", B, False, "passed to a higher tier"),
        Column("csat_raw", S, False, "rating as exported (Good/Bad, 1-5, ...)"),
        Column("csat_good", B, False, "rating mapped to good / not good; null when unrated"),
    ),
)

HELPDESK_AGENTS = Entity(
    "helpdesk_agents",
    "one row per helpdesk user (human agent or bot)",
    ("source_system", "agent_id"),
    (
        Column("source_system", S, True),
        Column("agent_id", S, True),
        Column("name", S, False),
        Column("email", S, False, "lower-cased"),
        Column("role", S, False),
        Column("is_bot", B, False),
    ),
)

QA_REVIEWS = Entity(
    "qa_reviews",
    "one row per internal quality review of a ticket",
    ("source_system", "ticket_id", "reviewed_at"),
    (
        Column("source_system", S, True),
        Column("ticket_id", S, True),
        Column("reviewed_at", T, True),
        Column("score", F, True, "0-100"),
        Column("reviewer_id", S, False),
    ),
)

ENTITIES: dict[str, Entity] = {
    e.name: e
    for e in (
        EMPLOYEES,
        JOB_EVENTS,
        COMPENSATION,
        PAY_BANDS,
        GROWTH_ACTIVITIES,
        PERFORMANCE_REVIEWS,
        COMPETENCY_RATINGS,
        TICKETS,
        HELPDESK_AGENTS,
        QA_REVIEWS,
    )
}


def empty_frame(entity: Entity) -> pl.DataFrame:
    """An empty frame with the entity's columns and types."""
    return pl.DataFrame(schema=entity.schema)


_TYPE_WORDS = {
    pl.String(): "text",
    pl.Date(): "date",
    pl.Datetime("us", "UTC"): "timestamp (UTC)",
    pl.Int64(): "whole number",
    pl.Float64(): "number",
    pl.Boolean(): "yes/no",
}


def contract_markdown() -> str:
    """The Entities section of docs/data-contract.md, generated from the entities above."""
    lines = ["## Entities", ""]
    for e in ENTITIES.values():
        keys = ", ".join(f"`{k}`" for k in e.key)
        lines += [f"### `{e.name}`", "", f"Grain: {e.grain}. Key: {keys}.", ""]
        lines += ["| column | type | required | meaning |", "|---|---|---|---|"]
        for c in e.columns:
            lines.append(f"| `{c.name}` | {_TYPE_WORDS[c.dtype]} | {'yes' if c.required else ''} | {c.description} |")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
