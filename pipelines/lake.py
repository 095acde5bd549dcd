"""The raw lake: immutable hive-partitioned Parquet per entity and ingest run, plus the run log.

Layout under the lake directory:
  <entity>/ingest_run=<id>/part.parquet       canonical rows loaded by one run (+ _source_kind, _line)
  _rejected/ingest_run=<id>/part.parquet      rejected rows of that run
  _runs/ingest_run=<id>.parquet               the ingest_runs record: written last, it commits the run
A run without its record (a killed ingest) is invisible and removed by the next ingest.
"""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import polars as pl

from pipelines.schema import ENTITIES
from pipelines.sources.base import SOURCE_KIND
from pipelines.sources.reading import LINE

RUNS = "_runs"
REJECTED = "_rejected"
STAGING = ".staging"
RUN_COL = "ingest_run"
RUN_SCHEMA: dict[str, pl.DataType] = {
    RUN_COL: pl.String(),
    "file": pl.String(),
    "sha256": pl.String(),
    "format": pl.String(),
    "entity": pl.String(),
    "source_kind": pl.String(),
    "rows_read": pl.Int64(),
    "rows_loaded": pl.Int64(),
    "rows_rejected": pl.Int64(),
    "rows_superseded": pl.Int64(),
    "started_at": pl.Datetime("us", "UTC"),
    "finished_at": pl.Datetime("us", "UTC"),
    "status": pl.String(),
    "message": pl.String(),
}
REJECTED_ROWS_SCHEMA: dict[str, pl.DataType] = {
    RUN_COL: pl.String(),
    "file": pl.String(),
    "line": pl.Int64(),
    "column": pl.String(),
    "value": pl.String(),
    "reason": pl.String(),
}


def supersede_key(entity: str) -> list[str]:
    """Columns identifying one record across exports: the entity key (job events: per source file kind)."""
    key = list(ENTITIES[entity].key)
    return [*key, SOURCE_KIND] if entity == "job_events" else key


@contextmanager
def locked(lake: Path) -> Iterator[None]:
    """An exclusive lock on the lake for one writer at a time."""
    lake.mkdir(parents=True, exist_ok=True)
    with open(lake / ".lock", "a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def runs(lake: Path) -> pl.DataFrame:
    """Every committed ingest run, oldest first (one row per run)."""
    files = sorted((lake / RUNS).glob(f"{RUN_COL}=*.parquet"))
    if not files:
        return pl.DataFrame(schema=RUN_SCHEMA)
    return pl.concat([pl.read_parquet(f) for f in files], how="vertical_relaxed").sort(RUN_COL)


def next_run_id(lake: Path) -> str:
    """The next run id: zero-padded, so text order is run order."""
    ids = [int(p.name.split("=", 1)[1].split(".")[0]) for p in (lake / RUNS).glob(f"{RUN_COL}=*.parquet")]
    staged = [int(p.name) for p in (lake / STAGING).glob("*") if p.name.isdigit()]
    return f"{max([0, *ids, *staged]) + 1:08d}"


def identical_run(lake: Path | pl.DataFrame, sha256: str) -> dict[str, Any] | None:
    """The committed run that already loaded a file with this hash, if any (`lake`: its folder or its `runs`)."""
    r = (runs(lake) if isinstance(lake, Path) else lake).filter(
        (pl.col("sha256") == sha256) & (pl.col("status") == "loaded")
    )
    return r.row(0, named=True) if r.height else None


def _partitions(lake: Path, entity: str, committed: set[str]) -> list[tuple[str, Path]]:
    out = []
    for part in sorted((lake / entity).glob(f"{RUN_COL}=*/part.parquet")):
        run_id = part.parent.name.split("=", 1)[1]
        if run_id in committed:
            out.append((run_id, part))
    return out


def all_rows(lake: Path, entity: str) -> pl.DataFrame:
    """Every row of committed runs for an entity, with its run id (superseded rows included)."""
    committed = set(runs(lake).filter(pl.col("status") == "loaded")[RUN_COL].to_list())
    parts = _partitions(lake, entity, committed)
    schema = {**ENTITIES[entity].schema, SOURCE_KIND: pl.String(), LINE: pl.Int64(), RUN_COL: pl.String()}
    if not parts:
        return pl.DataFrame(schema=schema)
    frames = [pl.scan_parquet(p).with_columns(pl.lit(run_id).alias(RUN_COL)) for run_id, p in parts]
    return pl.concat(frames, how="diagonal_relaxed").select(list(schema)).collect().cast(schema)


def live_rows(lake: Path, entity: str) -> pl.DataFrame:
    """The current rows of an entity: per record key, the row from the latest run."""
    rows = all_rows(lake, entity)
    return rows.sort([RUN_COL, LINE], descending=[True, False]).unique(
        subset=supersede_key(entity), keep="first", maintain_order=True
    )


def count_superseded(lake: Path, entity: str, new_rows: pl.DataFrame, index: KeyIndex | None = None) -> int:
    """How many live records of earlier runs the new rows replace (same record key).

    `index` (one per ingest call) remembers the partitions and their key ranges, so each file reads
    only the key columns of partitions whose ranges overlap its own keys; without it every committed
    partition is read.
    """
    if new_rows.is_empty():
        return 0
    index = index or KeyIndex(lake)
    key = supersede_key(entity)
    parts = index.candidates(entity, new_rows.select(key))
    if not parts:
        return 0
    # Live records are the distinct keys of every committed row: read the key columns only.
    types = {k: new_rows.schema[k] for k in key}
    existing = pl.concat([pl.scan_parquet(p).select(key).cast(types) for p in parts]).unique()
    new_keys = new_rows.lazy().select(key).unique()
    return existing.join(new_keys, on=key, how="semi", nulls_equal=True).select(pl.len()).collect().item()


Range = tuple[Any, Any, bool]  # min, max, whether any value is null (min/max None: unknown)


class KeyIndex:
    """The partitions of each entity with their key columns' ranges: committed runs, then runs staged by this call.

    Ranges come from the Parquet footers (row-group statistics) of committed partitions, read once,
    and from the frames of staged ones. A partition can hold one of a file's keys only if, for every
    key column, the ranges overlap; the others need not be read.
    """

    def __init__(self, lake: Path, committed: set[str] | None = None) -> None:
        self.lake = lake
        if committed is None:
            committed = set(runs(lake).filter(pl.col("status") == "loaded")[RUN_COL].to_list())
        self.committed = committed
        self._parts: dict[str, list[tuple[Path, dict[str, Range]]]] = {}

    def _load(self, entity: str) -> list[tuple[Path, dict[str, Range]]]:
        if entity not in self._parts:
            key = supersede_key(entity)
            self._parts[entity] = [
                (p, _footer_ranges(p, key)) for _run, p in _partitions(self.lake, entity, self.committed)
            ]
        return self._parts[entity]

    def add(self, entity: str, path: Path, rows: pl.DataFrame) -> None:
        """A partition staged by this call: later files of the call count what it supersedes too."""
        self._load(entity).append((path, frame_ranges(rows.select(supersede_key(entity)))))

    def candidates(self, entity: str, keys: pl.DataFrame) -> list[Path]:
        """Partitions that may hold one of these keys."""
        mine = frame_ranges(keys)
        return [p for p, ranges in self._load(entity) if _may_overlap(mine, ranges)]


def frame_ranges(frame: pl.DataFrame) -> dict[str, Range]:
    """Per column: min, max and whether it has nulls."""
    out: dict[str, Range] = {}
    for name in frame.columns:
        col = frame[name]
        out[name] = (col.min(), col.max(), col.null_count() > 0)
    return out


def _footer_ranges(path: Path, columns: list[str]) -> dict[str, Range]:
    """Per key column of one Parquet file: min, max and nulls from its row-group statistics (None when unknown)."""
    import pyarrow.parquet as pq

    out: dict[str, Range] = {}
    try:
        meta = pq.ParquetFile(path).metadata
        names = [meta.schema.column(i).name for i in range(meta.num_columns)]
        for name in columns:
            if name not in names:
                out[name] = (None, None, True)  # written before the column existed: read as null
                continue
            i = names.index(name)
            lo = hi = None
            nulls = False
            for g in range(meta.num_row_groups):
                st = meta.row_group(g).column(i).statistics
                if st is None or not st.has_min_max:
                    if st is not None and st.null_count == meta.row_group(g).num_rows:
                        nulls = True
                        continue
                    lo = hi = None
                    nulls = True
                    break
                lo = st.min if lo is None else min(lo, st.min)
                hi = st.max if hi is None else max(hi, st.max)
                nulls = nulls or bool(st.null_count)
            else:
                out[name] = (lo, hi, nulls)
                continue
            out[name] = (None, None, True)
    except Exception:  # noqa: BLE001 - no statistics: the partition is always read
        return {}
    return out


def _may_overlap(new: dict[str, Range], part: dict[str, Range]) -> bool:
    """Whether a partition with ranges `part` may hold a key of a file with ranges `new` (nulls equal nulls)."""
    for name, (lo, hi, nulls) in new.items():
        if name not in part:
            continue  # unknown: may hold it
        plo, phi, pnulls = part[name]
        if nulls and pnulls:
            continue
        if plo is None or phi is None:
            continue  # no statistics
        if lo is None or hi is None:
            return False  # only nulls here, none there
        try:
            if hi < plo or phi < lo:
                return False
        except TypeError:
            continue
    return True


def _write_parquet_atomic(frame: pl.DataFrame, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".tmp")
    frame.write_parquet(tmp)
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, target)


def stage_run(lake: Path, record: dict[str, Any], rows: pl.DataFrame | None, rejected: pl.DataFrame) -> Path | None:
    """Write one run's partitions into staging (invisible to readers); the partition's staged path, if any."""
    run_id = record[RUN_COL]
    staging = lake / STAGING / run_id
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True, exist_ok=True)
    part = None
    if rows is not None and record.get("entity") and rows.height:
        part = staging / record["entity"] / f"{RUN_COL}={run_id}" / "part.parquet"
        part.parent.mkdir(parents=True, exist_ok=True)
        rows.write_parquet(part)
    if rejected.height:
        src = staging / REJECTED / f"{RUN_COL}={run_id}" / "part.parquet"
        src.parent.mkdir(parents=True, exist_ok=True)
        rejected.cast(REJECTED_ROWS_SCHEMA).write_parquet(src)
    return part


def publish_run(lake: Path, record: dict[str, Any]) -> None:
    """Move a staged run's partitions into place, then write its run record (the commit)."""
    run_id = record[RUN_COL]
    staging = lake / STAGING / run_id
    for folder in [record.get("entity") or "", REJECTED]:
        src = staging / folder / f"{RUN_COL}={run_id}"
        if folder and src.exists():
            dst = lake / folder / f"{RUN_COL}={run_id}"
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.rmtree(dst, ignore_errors=True)
            os.replace(src, dst)
    _write_parquet_atomic(pl.DataFrame([record], schema=RUN_SCHEMA), lake / RUNS / f"{RUN_COL}={run_id}.parquet")
    shutil.rmtree(staging, ignore_errors=True)


def discard_staged(lake: Path) -> None:
    """Remove every staged, unpublished run (a call that failed part-way changes nothing)."""
    shutil.rmtree(lake / STAGING, ignore_errors=True)


def commit_run(lake: Path, record: dict[str, Any], rows: pl.DataFrame | None, rejected: pl.DataFrame) -> None:
    """Write one run: partitions into staging, rename into place, then the run record (the commit)."""
    stage_run(lake, record, rows, rejected)
    publish_run(lake, record)


def recover(lake: Path) -> int:
    """Remove what killed runs left behind (staging, partitions without a run record); returns how many."""
    removed = 0
    shutil.rmtree(lake / STAGING, ignore_errors=True)
    committed = {p.name.split("=", 1)[1].split(".")[0] for p in (lake / RUNS).glob(f"{RUN_COL}=*.parquet")}
    for tmp in (lake / RUNS).glob("*.tmp"):
        tmp.unlink(missing_ok=True)
    for folder in [*ENTITIES, REJECTED]:
        for part in (lake / folder).glob(f"{RUN_COL}=*"):
            if part.name.split("=", 1)[1] not in committed:
                shutil.rmtree(part, ignore_errors=True)
                removed += 1
    return removed


def rejected_rows(lake: Path) -> pl.DataFrame:
    """Every rejected row of committed runs (one row per rejected line)."""
    committed = set(runs(lake)[RUN_COL].to_list())
    parts = [
        p
        for p in sorted((lake / REJECTED).glob(f"{RUN_COL}=*/part.parquet"))
        if p.parent.name.split("=", 1)[1] in committed
    ]
    if not parts:
        return pl.DataFrame(schema=REJECTED_ROWS_SCHEMA)
    return pl.concat([pl.read_parquet(p) for p in parts], how="vertical_relaxed").cast(REJECTED_ROWS_SCHEMA)
