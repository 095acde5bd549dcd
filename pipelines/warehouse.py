"""Build the DuckDB warehouse from the lake into warehouse.duckdb.tmp, then swap it in atomically.

Readers of the live file are never blocked and never see a partial build: the new file is
complete, checkpointed and closed before `os.replace` puts it in place. A failed or killed build
leaves the previous warehouse untouched.
"""

from __future__ import annotations

import fcntl
import logging
import os
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

log = logging.getLogger(__name__)
Progress = Callable[[str, float, float | None], None]
_KIND_ORDER = {"hire": 0, "job": 1, "exit": 2}


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


def current_frame(lake: Path, entity: str) -> pl.DataFrame:
    """The canonical table for an entity: latest run wins per key; job events renumbered per day."""
    rows = lk.live_rows(lake, entity)
    ent = ENTITIES[entity]
    if entity == "job_events" and rows.height:
        rows = (
            rows.with_columns(pl.col("event_kind").replace_strict(_KIND_ORDER, default=1).alias("_k"))
            .sort("employee_id", "effective_date", "_k", "_source_kind", "event_seq")
            .with_columns(
                pl.int_range(pl.len()).over("employee_id", "effective_date").cast(pl.Int64).alias("event_seq")
            )
        )
    # Across sources (e.g. a canonical file and a vendor export) the entity key stays unique: latest run wins.
    rows = rows.sort(lk.RUN_COL, descending=True).unique(subset=list(ent.key), keep="first", maintain_order=True)
    return rows.select(list(ent.schema)).cast(ent.schema).sort(list(ent.key))


def _load(con: duckdb.DuckDBPyConnection, name: str, frame: pl.DataFrame) -> None:
    arrow = frame.to_arrow()  # noqa: F841 - referenced by name in the SQL below (DuckDB replacement scan)
    con.execute(f"CREATE TABLE {quote_ident(name)} AS SELECT * FROM arrow")  # noqa: S608 - whitelisted identifier


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
            con = duckdb.connect(str(tmp))
            try:
                names = list(ENTITIES)
                with lk.locked(data.lake):  # a consistent snapshot: no ingest commits while we read
                    frames = {entity: current_frame(data.lake, entity) for entity in names}
                    runs, rejected = lk.runs(data.lake), lk.rejected_rows(data.lake)
                for i, entity in enumerate(names):
                    if progress:
                        progress("build tables", i, len(names))
                    _load(con, entity, frames[entity])
                    report.tables[entity] = frames[entity].height
                identity, unmatched = match_agents(
                    frames["helpdesk_agents"], frames["employees"], frames["tickets"], settings.identity_agents
                )
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
            con = duckdb.connect(str(tmp))
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
