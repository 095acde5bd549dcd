"""Data operations: ingest runs, rejected rows and unmatched helpdesk agents, for the Data loads page."""

from __future__ import annotations

import polars as pl

from pipelines.access import Role, Viewer
from pipelines.metrics.context import Context

# Rejected rows quote raw cell values (a name, an email): only people-admins see them.
_ADMIN_ROLES = (Role.PEOPLE_ADMIN, Role.SYSTEM)
_LOAD_ROLES = (Role.PEOPLE_ADMIN, Role.DIRECTOR, Role.SYSTEM)


def get_ingest_runs(viewer: Viewer, ctx: Context) -> pl.DataFrame:
    """One row per file per ingest run: rows read, loaded, rejected and superseded, newest first."""
    if viewer.role not in _LOAD_ROLES:
        return pl.DataFrame()
    return ctx.frame(
        """
        select file, format, entity, rows_read, rows_loaded, rows_rejected, rows_superseded,
               status, message, started_at, finished_at, sha256
        from ingest_runs
        order by started_at desc, file
        """
    )


def get_rejected_rows(viewer: Viewer, ctx: Context, limit: int = 1000) -> pl.DataFrame:
    """One row per rejected cell: file, line, column, value and the reason, for people-admins only."""
    if viewer.role not in _ADMIN_ROLES:
        return pl.DataFrame()
    return ctx.frame(
        "select file, line, column, value, reason from rejected_rows order by file, line limit $limit",
        {"limit": limit},
    )


def get_rejection_reasons(viewer: Viewer, ctx: Context) -> pl.DataFrame:
    """One row per file and reason with the number of rejected rows (no cell values)."""
    if viewer.role not in _LOAD_ROLES:
        return pl.DataFrame()
    return ctx.frame(
        """
        select file, reason, count(distinct line) as n_rows
        from rejected_rows
        group by file, reason
        order by n_rows desc, file, reason
        """
    )


def get_unmatched_agents(viewer: Viewer, ctx: Context) -> pl.DataFrame:
    """One row per helpdesk agent not matched to an employee, with their ticket count."""
    if viewer.role not in _LOAD_ROLES:
        return pl.DataFrame()
    return ctx.frame(
        "select source_system, agent_id, n_tickets from unmatched_agents order by n_tickets desc, agent_id"
    )
