"""The audit log: who viewed which person, who exported what, who signed in, and when.

Kept in its own small DuckDB file in the data directory (audit.duckdb), never in the warehouse,
which is rebuilt and swapped in atomically. Rows name people by employee id only, never by name
or email. Grain of audit_log: one row per audited action.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import polars as pl

from pipelines.access import Viewer

log = logging.getLogger(__name__)

AUDIT_FILE = "audit.duckdb"
ACTIONS: tuple[str, ...] = ("sign_in", "view_person", "export", "view_page", "denied")

AUDIT_DDL = """
create table if not exists audit_log (
    event_at timestamptz not null,
    actor_id varchar,
    actor_role varchar not null,
    action varchar not null,
    subject_id varchar,
    detail varchar
)
"""
INSERT_SQL = """
insert into audit_log (event_at, actor_id, actor_role, action, subject_id, detail)
values ($at, $actor_id, $actor_role, $action, $subject_id, $detail)
"""
READ_SQL = """
select event_at, actor_id, actor_role, action, subject_id, detail
from audit_log
where ($action is null or action = $action)
order by event_at desc
limit $limit
"""
AUDIT_SCHEMA = {
    "event_at": pl.Datetime("us", "UTC"),
    "actor_id": pl.String,
    "actor_role": pl.String,
    "action": pl.String,
    "subject_id": pl.String,
    "detail": pl.String,
}


def audit_path(data_dir: str | Path) -> Path:
    """The audit file inside a data directory."""
    return Path(data_dir) / AUDIT_FILE


def _connect(path: Path, attempts: int = 20) -> duckdb.DuckDBPyConnection:
    # another process (a CLI run reading the log) may hold the file for a moment: retry briefly
    for attempt in range(attempts):
        try:
            return duckdb.connect(str(path))
        except duckdb.IOException:
            if attempt == attempts - 1:
                raise
            time.sleep(0.05)
    raise AssertionError("unreachable")


def record(
    path: str | Path,
    viewer: Viewer,
    action: str,
    subject_id: str | None = None,
    detail: str = "",
    actor_id: str | None = None,
) -> None:
    """Append one audited action by viewer (subject_id: the person viewed, if any; detail: page or export).

    actor_id defaults to the viewer's employee id; for someone signed in who is not in the HR
    data, the UI passes a pseudonymous key of their email instead (never the email itself).
    """
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}; use one of {', '.join(ACTIONS)}")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    con = _connect(path)
    try:
        con.execute(AUDIT_DDL)
        con.execute(
            INSERT_SQL,
            {
                "at": datetime.now(UTC),
                "actor_id": actor_id or viewer.employee_id,
                "actor_role": viewer.role.value,
                "action": action,
                "subject_id": None if subject_id is None else str(subject_id),
                "detail": detail,
            },
        )
    finally:
        con.close()
    log.debug("audit: %s by role %s", action, viewer.role.value)


def read(path: str | Path, action: str | None = None, limit: int = 1000) -> pl.DataFrame:
    """The latest audited actions, newest first; one row per action (empty when there is no log yet)."""
    path = Path(path)
    if not path.exists():
        return pl.DataFrame(schema=AUDIT_SCHEMA)
    con = _connect(path)
    try:
        con.execute(AUDIT_DDL)
        frame = con.sql(READ_SQL, params={"action": action, "limit": limit}).pl()
    finally:
        con.close()
    return frame.with_columns(pl.col("event_at").dt.convert_time_zone("UTC"))
