"""Build the DuckDB warehouse from the lake into warehouse.duckdb.tmp, then swap it in atomically.

Readers of the live file are never blocked and never see a partial build: the new file is
complete, checkpointed and closed before `os.replace` puts it in place. A failed or killed build
leaves the previous warehouse untouched.
"""

from __future__ import annotations

import fcntl
import logging
import os
import re
import shutil
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl

from pipelines import lake as lk
from pipelines.config import DataPaths, Settings
from pipelines.identity import match_agents
from pipelines.schema import ENTITIES
from pipelines.sources.base import SOURCE_KIND
from pipelines.sources.reading import LINE

log = logging.getLogger(__name__)
Progress = Callable[[str, float, float | None], None]
# DuckDB's working memory during a build, refresh or train: TENURE_DUCKDB_MEMORY_LIMIT (e.g. "3GB")
# when set, else the smaller of 3 GB and half the machine's memory, so the writer leaves room for
# the dashboard and stays under 4 GB resident. Past the cap, joins, aggregates and sorts spill to
# disk next to the warehouse file. At 20M tickets every build statement fits in 3 GB
# (BENCHMARKS.md, docs/scaling.md).
DEFAULT_MEMORY_LIMIT_GB = 3.0
_KIND_ORDER = {"hire": 0, "job": 1, "exit": 2}
# Entities stored in lake order (run by run, line by line) instead of sorted by key: tickets run to
# tens of millions of rows, the global sort took 10 of the build's 110 s at 20M tickets, and no query
# reads them in key order (the marts group them by agent, day and month).
UNSORTED = frozenset({"tickets"})


@dataclass
class BuildReport:
    """Row counts per table of the new warehouse."""

    tables: dict[str, int] = field(default_factory=dict)
    path: Path | None = None

    def describe(self) -> str:
        main = ", ".join(f"{name} {n:,}" for name, n in self.tables.items() if n)
        return main or "empty"


def quote_ident(name: str) -> str:
    """A whitelisted identifier, double-quoted for SQL."""
    allowed = {*ENTITIES, "identity_map", "unmatched_agents", "ingest_runs", "rejected_rows", "_frame"}
    if name not in allowed:
        raise ValueError(f"not a warehouse table: {name}")
    return '"' + name + '"'


_SQL_TYPES = {
    pl.String(): "VARCHAR",
    pl.Date(): "DATE",
    pl.Datetime("us", "UTC"): "TIMESTAMPTZ",
    pl.Int64(): "BIGINT",
    pl.Float64(): "DOUBLE",
    pl.Boolean(): "BOOLEAN",
}


def _col(name: str) -> str:
    """A column name from the canonical schema (or the lake's own columns), double-quoted."""
    allowed = {c.name for e in ENTITIES.values() for c in e.columns} | {lk.RUN_COL, SOURCE_KIND, LINE, "_k"}
    if name not in allowed:
        raise ValueError(f"not a canonical column: {name}")
    return '"' + name + '"'


def _sql_type(dtype: pl.DataType) -> str:
    return _SQL_TYPES.get(dtype, "VARCHAR")


def lake_files(lake: Path, entity: str) -> list[str]:
    """The Parquet partitions of committed runs for an entity (a snapshot: committed partitions never change)."""
    committed = set(lk.runs(lake).filter(pl.col("status") == "loaded")[lk.RUN_COL].to_list())
    return [str(p) for _run, p in lk._partitions(lake, entity, committed)]  # noqa: SLF001 - the lake's own listing


def load_entity_sql(con: duckdb.DuckDBPyConnection, entity: str, files: list[str]) -> int:
    """CREATE the canonical table for an entity straight from its lake Parquet; returns its row count.

    Per record key the latest run wins (then the earliest line), job events
    are renumbered per person and day, across sources the entity key stays unique (latest run wins).
    """
    ent = ENTITIES[entity]
    table = quote_ident(entity)
    if not files:
        cols = ", ".join(f"{_col(n)} {_sql_type(t)}" for n, t in ent.schema.items())
        con.execute(f"CREATE TABLE {table} ({cols})").fetchall()
        return 0
    src = "read_parquet($files, hive_partitioning = true, hive_types = {'ingest_run': VARCHAR}, union_by_name = true)"
    described = con.execute(f"DESCRIBE SELECT * FROM {src}", {"files": files}).fetchall()  # noqa: S608 - constant
    present = {row[0] for row in described}
    select = ", ".join(
        f"CAST({_col(n) if n in present else 'NULL'} AS {_sql_type(t)}) AS {_col(n)}" for n, t in ent.schema.items()
    )
    run, line = _col(lk.RUN_COL), _col(LINE)
    supersede = ", ".join(_col(c) for c in lk.supersede_key(entity))
    key = ", ".join(_col(c) for c in ent.key)
    renumber = ""
    if entity == "job_events":
        kinds = " ".join(f"WHEN '{k}' THEN {v:d}" for k, v in _KIND_ORDER.items())
        renumber = (
            ", CAST(row_number() OVER (PARTITION BY employee_id, effective_date ORDER BY "
            f"CASE event_kind {kinds} ELSE 1 END, {_col(SOURCE_KIND)}, event_seq) - 1 AS BIGINT) AS event_seq"
        )
    cols = ", ".join(_col(n) for n in ent.schema)
    order = "" if entity in UNSORTED else f" ORDER BY {key}"
    if renumber or supersede != key:
        sql = f"""
        CREATE TABLE {table} AS
        WITH typed AS (SELECT {select}, {run}, {line}, {_col(SOURCE_KIND)} FROM {src}),
        live AS (
            SELECT * FROM typed
            QUALIFY row_number() OVER (PARTITION BY {supersede} ORDER BY {run} DESC, {line} ASC) = 1
        ),
        renumbered AS (SELECT * {"REPLACE (" + renumber[2:] + ")" if renumber else ""} FROM live),
        current AS (
            SELECT * FROM renumbered QUALIFY row_number() OVER (PARTITION BY {key} ORDER BY {run} DESC) = 1
        )
        SELECT {cols} FROM current{order}
        """  # noqa: S608 - identifiers from the canonical schema, quoted; values bound
    elif not _repeats(con, src, select, key, files):
        sql = f"CREATE TABLE {table} AS SELECT {select} FROM {src}{order}"  # noqa: S608 - as above
    else:
        # Most keys occur once (a record exported again is the exception): only repeated keys need the window.
        same = " AND ".join(f"t.{_col(c)} IS NOT DISTINCT FROM d.{_col(c)}" for c in ent.key)
        sql = f"""
        CREATE TABLE {table} AS
        WITH typed AS (SELECT {select}, {run}, {line}, {_col(SOURCE_KIND)} FROM {src}),
        repeated AS (SELECT {key} FROM typed GROUP BY ALL HAVING count(*) > 1),
        current AS (
            SELECT t.* FROM typed AS t ANTI JOIN repeated AS d ON {same}
            UNION ALL
            SELECT * FROM (
                SELECT t.* FROM typed AS t SEMI JOIN repeated AS d ON {same}
                QUALIFY row_number() OVER (PARTITION BY {key} ORDER BY {run} DESC, {line} ASC) = 1
            )
        )
        SELECT {cols} FROM current{order}
        """  # noqa: S608 - identifiers from the canonical schema, quoted; values bound
    if SOURCE_KIND not in present:
        sql = sql.replace(f", {_col(SOURCE_KIND)} FROM {src}", f", NULL AS {_col(SOURCE_KIND)} FROM {src}")
    con.execute(sql, {"files": files}).fetchall()
    (row,) = con.execute(f"SELECT count(*) FROM {table}").fetchall()  # noqa: S608 - whitelisted identifier
    return int(row[0])


def _repeats(con: duckdb.DuckDBPyConnection, src: str, select: str, key: str, files: list[str]) -> bool:
    """Whether any record key occurs in more than one lake row (reads the key columns only)."""
    sql = f"SELECT count(*) FROM (SELECT {key} FROM (SELECT {select} FROM {src}) GROUP BY ALL HAVING count(*) > 1)"  # noqa: S608 - identifiers quoted from the schema
    (row,) = con.execute(sql, {"files": files}).fetchall()
    return bool(row[0])


def _load(con: duckdb.DuckDBPyConnection, name: str, frame: pl.DataFrame) -> None:
    arrow = frame.to_arrow()  # noqa: F841 - referenced by name in the SQL below (DuckDB replacement scan)
    con.execute(f"CREATE TABLE {quote_ident(name)} AS SELECT * FROM arrow")  # noqa: S608 - whitelisted identifier


def _identity(con: duckdb.DuckDBPyConnection, settings: Settings) -> tuple[pl.DataFrame, pl.DataFrame]:
    """identity_map and unmatched_agents from the loaded tables; tickets reach Polars only as counts per agent."""
    agents = con.sql("SELECT * FROM helpdesk_agents").pl()
    employees = con.sql("SELECT * FROM employees").pl()
    counts = con.sql(
        "SELECT source_system, agent_id, count(*) AS n_tickets FROM tickets WHERE agent_id IS NOT NULL GROUP BY ALL"
    ).pl()
    identity, unmatched = match_agents(agents, employees, counts.drop("n_tickets"), settings.identity_agents)
    unmatched = (
        unmatched.drop("n_tickets")
        .join(counts, on=["source_system", "agent_id"], how="left")
        .with_columns(pl.col("n_tickets").fill_null(0).cast(pl.Int64))
        .sort("n_tickets", "source_system", "agent_id", descending=[True, False, False])
    )
    return identity, unmatched


def _connect_for_writing(path: Path) -> duckdb.DuckDBPyConnection:
    """A connection to a warehouse file being built, with the working-memory cap."""
    con = duckdb.connect(str(path))
    set_memory_limit(con, default_memory_limit())
    return con


def set_memory_limit(con: duckdb.DuckDBPyConnection, default: str) -> None:
    """Cap DuckDB's memory at TENURE_DUCKDB_MEMORY_LIMIT when set, else at `default` (such as 3GB)."""
    limit = os.environ.get("TENURE_DUCKDB_MEMORY_LIMIT", "").strip() or default
    con.execute(f"SET memory_limit = '{_checked_size(limit)}'")


def default_memory_limit() -> str:
    """The build's DuckDB memory cap without TENURE_DUCKDB_MEMORY_LIMIT: min(3 GB, half the machine's memory)."""
    try:
        machine_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1e9
    except (AttributeError, ValueError, OSError):  # no sysconf (Windows): assume a machine of 6 GB or more
        machine_gb = 2 * DEFAULT_MEMORY_LIMIT_GB
    return f"{max(0.5, min(DEFAULT_MEMORY_LIMIT_GB, machine_gb / 2)):.1f}GB"


def _checked_size(text: str) -> str:
    """A memory size such as 3GB or 512MiB (digits and a unit only: it goes into a SET statement)."""
    if not re.fullmatch(r"\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)", text, flags=re.IGNORECASE):
        raise ValueError(f"TENURE_DUCKDB_MEMORY_LIMIT must look like 3GB or 512MiB, not {text!r}")
    return text


def build_warehouse(settings: Settings, data: DataPaths, progress: Progress | None = None) -> BuildReport:
    """Rebuild every table from the lake into a temporary file and swap it onto warehouse.duckdb."""
    from pipelines.sql import run_models
    from pipelines.train import load_model_tables

    data.root.mkdir(parents=True, exist_ok=True)
    live = data.warehouse
    tmp = live.with_name(live.name + ".tmp")
    report = BuildReport(path=live)
    with open(data.root / ".build.lock", "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        for stale in (tmp, tmp.with_name(tmp.name + ".wal")):
            stale.unlink(missing_ok=True)
        try:
            con = _connect_for_writing(tmp)
            try:
                names = list(ENTITIES)
                with lk.locked(data.lake):  # a consistent snapshot: no ingest commits while we list
                    files = {entity: lake_files(data.lake, entity) for entity in names}
                    runs, rejected = lk.runs(data.lake), lk.rejected_rows(data.lake)
                for i, entity in enumerate(names):
                    if progress:
                        progress("build tables", i, len(names))
                    report.tables[entity] = load_entity_sql(con, entity, files[entity])
                identity, unmatched = _identity(con, settings)
                _load(con, "identity_map", identity)
                _load(con, "unmatched_agents", unmatched)
                _load(con, "ingest_runs", runs)
                _load(con, "rejected_rows", rejected)
                report.tables.update(identity_map=identity.height, unmatched_agents=unmatched.height)
                if progress:
                    progress("build tables", len(names), len(names))
                    progress("models", 0, 1)
                run_models(con, settings)
                # trained model runs survive a rebuild (pipelines/train.py keeps them as Parquet)
                load_model_tables(con, data.models)
                if progress:
                    progress("models", 1, 1)
                con.execute("CHECKPOINT")
            finally:
                con.close()
            os.replace(tmp, live)
            log.info("warehouse swapped in: %s", report.describe())
        except BaseException:
            with suppress(OSError):
                tmp.unlink(missing_ok=True)
            raise
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return report


def update_warehouse(data: DataPaths, step: Callable[[duckdb.DuckDBPyConnection], object]) -> None:
    """Apply `step` to a copy of the live warehouse and swap the copy in (readers never wait, never see half)."""
    live = data.warehouse
    if not live.exists():
        raise FileNotFoundError(f"no warehouse at {live}: run `python -m pipelines build` first")
    tmp = live.with_name(live.name + ".tmp")
    with open(data.root / ".build.lock", "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            for stale in (tmp, tmp.with_name(tmp.name + ".wal")):
                stale.unlink(missing_ok=True)
            shutil.copyfile(live, tmp)
            con = _connect_for_writing(tmp)
            try:
                step(con)
                con.execute("CHECKPOINT")
            finally:
                con.close()
            os.replace(tmp, live)
        except BaseException:
            with suppress(OSError):
                tmp.unlink(missing_ok=True)
            raise
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _merge_entity(con: duckdb.DuckDBPyConnection, entity: str, files: list[str]) -> int:
    """Merge the rows of newer lake runs into an entity table: per key the newest run's row replaces the old one.

    Only the new rows are read and written (a delete and an insert by key), so a day's tickets on top
    of 20M cost a day's work; their keys go to _changed_tickets for the incremental models.
    """
    ent = ENTITIES[entity]
    table = quote_ident(entity)
    con.execute("DROP TABLE IF EXISTS _frame").fetchall()
    con.execute(f"ALTER TABLE {table} RENAME TO _frame").fetchall()  # noqa: S608 - whitelisted identifiers
    try:
        load_entity_sql(con, entity, files)  # the new runs alone, with the same latest-run-wins rules
        con.execute(
            f"INSERT INTO _changed_tickets SELECT DISTINCT source_system, ticket_id FROM {table}"  # noqa: S608
        ).fetchall()
        same = " AND ".join(f"o.{_col(c)} IS NOT DISTINCT FROM n.{_col(c)}" for c in ent.key)
        cols = ", ".join(_col(n) for n in ent.schema)
        con.execute(f"DELETE FROM _frame AS o USING {table} AS n WHERE {same}").fetchall()  # noqa: S608
        con.execute(f"INSERT INTO _frame SELECT {cols} FROM {table}").fetchall()  # noqa: S608
        con.execute(f"DROP TABLE {table}").fetchall()  # noqa: S608 - whitelisted identifier
    except BaseException:
        con.execute(f"DROP TABLE IF EXISTS {table}").fetchall()  # noqa: S608 - whitelisted identifier
        raise
    finally:
        con.execute(f"ALTER TABLE _frame RENAME TO {table}").fetchall()  # noqa: S608 - whitelisted identifiers
    (row,) = con.execute(f"SELECT count(*) FROM {table}").fetchall()  # noqa: S608 - whitelisted identifier
    return int(row[0])


def refresh_warehouse(settings: Settings, data: DataPaths, progress: Progress | None = None) -> BuildReport:
    """Add the lake runs committed since the last build to a copy of the warehouse and swap it in atomically.

    Large fact tables (tickets, QA reviews) are merged by key from the new runs' partitions only; the
    small people tables are reloaded whole (job events need renumbering across runs); identity and
    the run log are recomputed. The ticket-grain models replace only the rows that changed
    (pipelines.sql.INCREMENTAL); every other SQL model is rebuilt. The result equals a full build
    (tests/pipelines/test_bench.py). Without a warehouse it is a full build.
    """
    from pipelines.sql import run_models

    if not data.warehouse.exists():
        return build_warehouse(settings, data, progress)
    with duckdb.connect(str(data.warehouse), read_only=True) as live:
        done = {r[0] for r in live.execute("SELECT ingest_run FROM ingest_runs").fetchall()}
    report = BuildReport(path=data.warehouse)
    with lk.locked(data.lake):
        runs, rejected = lk.runs(data.lake), lk.rejected_rows(data.lake)
        new = runs.filter((pl.col("status") == "loaded") & ~pl.col(lk.RUN_COL).is_in(sorted(done)))
        touched = sorted(set(new["entity"].drop_nulls().to_list()) & set(ENTITIES))
        files = {e: lake_files(data.lake, e) for e in touched}
    if new.is_empty():
        return report
    new_ids = set(new[lk.RUN_COL].to_list())

    def step(con: duckdb.DuckDBPyConnection) -> None:
        con.execute("CREATE TEMP TABLE _changed_tickets (source_system VARCHAR, ticket_id VARCHAR)").fetchall()
        con.execute("CREATE TEMP TABLE _touched_entities (entity VARCHAR)").fetchall()
        con.executemany("INSERT INTO _touched_entities VALUES (?)", [[e] for e in touched])
        con.execute(
            "CREATE TEMP TABLE _old_identity AS SELECT source_system, agent_id, employee_id FROM identity_map"
        ).fetchall()
        for i, entity in enumerate(touched):
            if progress:
                progress("refresh tables", i, len(touched))
            if entity in _MERGED:
                fresh = [f for f in files[entity] if Path(f).parent.name.split("=", 1)[1] in new_ids]
                report.tables[entity] = _merge_entity(con, entity, fresh)
            else:
                con.execute(f"DROP TABLE IF EXISTS {quote_ident(entity)}").fetchall()
                report.tables[entity] = load_entity_sql(con, entity, files[entity])
        identity, unmatched = _identity(con, settings)
        for name, frame in (
            ("identity_map", identity),
            ("unmatched_agents", unmatched),
            ("ingest_runs", runs),
            ("rejected_rows", rejected),
        ):
            con.execute(f"DROP TABLE IF EXISTS {quote_ident(name)}").fetchall()
            _load(con, name, frame)
        report.tables.update(identity_map=identity.height, unmatched_agents=unmatched.height)
        if progress:
            progress("refresh tables", len(touched), len(touched))
        run_models(con, settings, incremental=True)

    update_warehouse(data, step)
    return report


# Fact tables merged by key on a refresh; every other entity is small and reloaded whole.
_MERGED = frozenset({"tickets", "qa_reviews"})
