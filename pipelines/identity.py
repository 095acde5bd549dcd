"""Helpdesk agents -> employees: by work email (case- and whitespace-insensitive), then by settings mapping.

Bots and system users are kept apart (never matched, never reported as unmatched).
"""

from __future__ import annotations

import polars as pl

IDENTITY_SCHEMA = {
    "source_system": pl.String,
    "agent_id": pl.String,
    "employee_id": pl.String,
    "match_method": pl.String,
}
UNMATCHED_SCHEMA = {"source_system": pl.String, "agent_id": pl.String, "n_tickets": pl.Int64}


def _norm(expr: pl.Expr) -> pl.Expr:
    return expr.str.strip_chars().str.to_lowercase()


def match_agents(
    agents: pl.DataFrame, employees: pl.DataFrame, tickets: pl.DataFrame, mapping: dict[str, str]
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(identity_map: one row per matched human agent, unmatched_agents: one row per unmatched agent with tickets)."""
    emails = (
        employees.select(pl.col("employee_id"), _norm(pl.col("work_email")).alias("email"))
        .drop_nulls("email")
        .unique("email", keep="first")
    )
    humans = agents.filter(~pl.col("is_bot").fill_null(False)).select(
        "source_system", "agent_id", _norm(pl.col("email")).alias("email")
    )
    by_email = humans.join(emails, on="email", how="inner").with_columns(pl.lit("email").alias("match_method"))
    rest = humans.join(by_email.select("source_system", "agent_id"), on=["source_system", "agent_id"], how="anti")
    mapped = pl.DataFrame(
        {
            "key": [str(k).strip().casefold() for k in mapping],
            "email": [str(x).strip().casefold() for x in mapping.values()],
        },
        schema={"key": pl.String, "email": pl.String},
    ).join(emails, on="email", how="inner")
    by_map_email = rest.join(mapped.select(pl.col("key").alias("email"), "employee_id"), on="email", how="inner")
    by_map_id = rest.with_columns(_norm(pl.col("agent_id")).alias("key")).join(
        mapped.select("key", "employee_id"), on="key", how="inner"
    )
    by_map = (
        pl.concat(
            [
                by_map_email.select("source_system", "agent_id", "employee_id"),
                by_map_id.select("source_system", "agent_id", "employee_id"),
            ]
        )
        .unique(["source_system", "agent_id"], keep="first")
        .with_columns(pl.lit("mapping").alias("match_method"))
    )
    identity = (
        pl.concat([by_email.select(list(IDENTITY_SCHEMA)), by_map.select(list(IDENTITY_SCHEMA))])
        .cast(IDENTITY_SCHEMA)
        .sort("source_system", "agent_id")
    )
    counts = (
        tickets.filter(pl.col("agent_id").is_not_null())
        .group_by("source_system", "agent_id")
        .agg(pl.len().cast(pl.Int64).alias("n_tickets"))
    )
    bots = agents.filter(pl.col("is_bot").fill_null(False)).select("source_system", "agent_id")
    seen = pl.concat([humans.select("source_system", "agent_id"), counts.select("source_system", "agent_id")]).unique()
    unmatched = (
        seen.join(identity.select("source_system", "agent_id"), on=["source_system", "agent_id"], how="anti")
        .join(bots, on=["source_system", "agent_id"], how="anti")
        .join(counts, on=["source_system", "agent_id"], how="left")
        .with_columns(pl.col("n_tickets").fill_null(0))
        .cast(UNMATCHED_SCHEMA)
        .sort("n_tickets", "source_system", "agent_id", descending=[True, False, False])
    )
    return identity, unmatched
