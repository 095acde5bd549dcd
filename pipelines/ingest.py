"""Ingest export files into the lake: read, detect, convert, validate, then commit one run per file.

Two passes keep memory to the largest file, not the sum of all files:
1. Plan: every file is detected (small files are read whole and kept; large delimited text files
   only have their header row read) and the files are put in loading order (people and helpdesk
   users first, since later files resolve names through them).
2. Load, one file at a time: read, convert, validate, and write its partitions into the lake's
   staging area, invisible to readers; then free it before the next file.
Only when every file has been staged are the runs published (partitions moved into place, run
record last). A whole-file problem anywhere raises IngestError (which file, what was expected, how
to fix it), the staged runs are discarded, and nothing changes.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import shutil
import tempfile
import zlib
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl

from pipelines import lake as lk
from pipelines.config import DataPaths, Settings
from pipelines.schema import ENTITIES
from pipelines.sources import Detected, FileProblem, convert, detect
from pipelines.sources.base import SOURCE_KIND, Context
from pipelines.sources.reading import LINE, TABLE_SUFFIXES, RawTable, inner_name, read_tables
from pipelines.validate import validate

log = logging.getLogger(__name__)
Progress = Callable[[str, float, float | None], None]
# People and helpdesk users first: later files resolve manager and agent names through them.
ENTITY_ORDER = ("employees", "helpdesk_agents", "job_events", "compensation", "pay_bands")


class IngestError(Exception):
    """A whole file that cannot be ingested; nothing was changed."""


@dataclass
class FileReport:
    """The reconciliation of one file: rows read = loaded + rejected."""

    file: str
    format: str
    entity: str
    rows_read: int
    rows_loaded: int
    rows_rejected: int
    rows_superseded: int
    status: str  # loaded | unchanged | failed
    message: str = ""
    sha256: str = ""
    ingest_run: str = ""


@dataclass
class IngestReport:
    """All files of one ingest call."""

    started_at: datetime
    finished_at: datetime | None = None
    files: list[FileReport] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return any(f.status == "failed" for f in self.files)

    def to_dict(self) -> dict[str, Any]:
        return {
            "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
            "failed": self.failed,
            "files": [asdict(f) for f in self.files],
            "totals": {
                k: sum(getattr(f, k) for f in self.files)
                for k in ("rows_read", "rows_loaded", "rows_rejected", "rows_superseded")
            },
        }


@dataclass
class _Item:
    name: str
    sha256: str
    table: RawTable | None = None
    detected: Detected | None = None
    previous: dict[str, Any] | None = None
    path: Path | None = None  # a large file planned from its header: read in the load pass


def _skip(path: Path) -> bool:
    return path.name.startswith(".") or path.name.upper().startswith("README") or path.suffix.lower() == ".toml"


def collect_files(paths: Sequence[Path]) -> list[Path]:
    """Files to ingest: table files in folders, walked recursively (README*, hidden files and `truth/` skipped)."""
    out: list[Path] = []
    for p in paths:
        p = Path(p)
        if not p.exists():
            raise IngestError(f"{p}: no such file or folder")
        if p.is_file():
            out.append(p)
            continue
        for f in sorted(p.rglob("*")):
            rel = f.relative_to(p).parts
            if (
                f.is_file()
                and f.name.lower().endswith((*TABLE_SUFFIXES, ".gz", ".zip", ".xls"))
                and "truth" not in rel[:-1]
                and not any(part.startswith(".") for part in rel)
                and not _skip(f)
            ):
                out.append(f)
    if not out:
        raise IngestError(f"no export files found in {', '.join(str(p) for p in paths)}")
    return out


def _context(settings: Settings, lake: Path) -> Context:
    ctx = Context(settings)
    _learn(ctx, "employees", lk.live_rows(lake, "employees"))
    _learn(ctx, "helpdesk_agents", lk.live_rows(lake, "helpdesk_agents"))
    return ctx


def _learn(ctx: Context, entity: str, rows: pl.DataFrame) -> None:
    """Add people / helpdesk users to the lookups later files resolve names through."""
    if entity == "employees":
        for emp_id, name in rows.select("employee_id", "full_name").iter_rows():
            ctx.employee_ids.add(emp_id)
            if name:
                ctx.employee_by_name[name.strip().casefold()] = emp_id
    elif entity == "helpdesk_agents":
        for src, agent_id, name in rows.select("source_system", "agent_id", "name").iter_rows():
            ctx.agent_ids.setdefault(src, set()).add(agent_id)
            if name:
                ctx.agent_by_name[(src, name.strip().casefold())] = agent_id


def _order(item: _Item) -> tuple[int, str]:
    entity = item.detected.spec.entity if item.detected else ""
    rank = ENTITY_ORDER.index(entity) if entity in ENTITY_ORDER else len(ENTITY_ORDER)
    return rank, item.name


# Delimited text files larger than this, or any once the tables kept from pass 1 reach KEEP_BYTES, are
# planned from their header row alone and read in the load pass, one at a time.
READ_WHOLE_BYTES = 1024 * 1024
KEEP_BYTES = 64 * 1024 * 1024
_PEEK_BYTES = 256 * 1024
_PEEKABLE = (".csv", ".tsv", ".txt", ".csv.gz", ".tsv.gz", ".txt.gz")


def _peek(path: Path, settings: Settings) -> Detected | None:
    """The format of a large delimited text file from its first lines, or None when they cannot tell."""
    if not path.name.lower().endswith(_PEEKABLE):
        return None
    with open(path, "rb") as fh:
        head = fh.read(_PEEK_BYTES)
    if path.name.lower().endswith(".gz"):
        try:
            head = zlib.decompressobj(wbits=31).decompress(head, _PEEK_BYTES)
        except zlib.error:
            return None  # the load pass names the damage
    cut = head.rfind(b"\n")
    if cut <= 0:
        return None
    try:
        tables = read_tables(inner_name(path.name), head[: cut + 1])
        if len(tables) != 1:
            return None
        return detect(dataclasses.replace(tables[0], name=str(path)), settings)
    except FileProblem:
        return None


def _plan(
    files: list[Path], settings: Settings, run_log: pl.DataFrame, seen: set[str], progress: Progress | None
) -> list[_Item]:
    """Pass 1: every file detected, in loading order; small files read whole, large ones left for the load pass."""
    items: list[_Item] = []
    kept = 0
    for i, path in enumerate(files):
        if progress:
            progress("read", i, len(files))
        size = path.stat().st_size
        if (size > READ_WHOLE_BYTES or kept > KEEP_BYTES) and (detected := _peek(path, settings)) is not None:
            items.append(_Item(str(path), "", detected=detected, path=path))
            continue
        items.extend(_read_file(path, settings, run_log, seen))
        kept += size
    if progress:
        progress("read", len(files), len(files))
    return sorted(items, key=_order)


def _read_file(path: Path, settings: Settings, run_log: pl.DataFrame, seen: set[str]) -> list[_Item]:
    """Every table of one file, detected; tables identical to a committed run or to an earlier one (`seen`) are marked."""
    data = path.read_bytes()
    items = []
    try:
        tables = read_tables(str(path), data)
        for table in tables:
            payload_sha = hashlib.sha256(data if len(tables) == 1 else table.frame.write_csv().encode()).hexdigest()
            previous = lk.identical_run(run_log, payload_sha)
            if previous or payload_sha in seen:
                items.append(_Item(table.name, payload_sha, previous=previous or {"file": table.name}))
                continue
            seen.add(payload_sha)
            items.append(_Item(table.name, payload_sha, table, detect(table, settings)))
    except FileProblem as err:
        raise IngestError(f"{path}: {err}") from None
    return items


def _rejected_records(name: str, table: RawTable, rejected: pl.DataFrame) -> pl.DataFrame:
    reading = pl.DataFrame(
        {
            "line": [r.line for r in table.rejected],
            "column": [r.column for r in table.rejected],
            "value": [r.value for r in table.rejected],
            "reason": [r.reason for r in table.rejected],
        },
        schema={"line": pl.Int64, "column": pl.String, "value": pl.String, "reason": pl.String},
    )
    later = rejected.rename({LINE: "line"}).select("line", "column", "value", "reason")
    return (
        pl.concat([reading, later])
        .sort("line")
        .with_columns(pl.lit(name).alias("file"))
        .select("file", "line", "column", "value", "reason")
    )


def ingest_paths(
    paths: Sequence[Path], settings: Settings, data: DataPaths, progress: Progress | None = None
) -> IngestReport:
    """Ingest files and folders into the lake; one committed run per new file, identical files skipped."""
    report = IngestReport(started_at=datetime.now(UTC))
    files = collect_files(paths)
    lake = data.lake
    with lk.locked(lake):
        if removed := lk.recover(lake):
            log.info("removed %d partitions left by an interrupted ingest", removed)
        run_log = lk.runs(lake)  # one writer holds the lock: the committed runs cannot change under us
        seen: set[str] = set()
        items = _plan(files, settings, run_log, seen, progress)
        ctx = _context(settings, lake)
        index = lk.KeyIndex(lake, set(run_log.filter(pl.col("status") == "loaded")[lk.RUN_COL].to_list()))
        unchanged: list[FileReport] = []
        staged: list[tuple[dict[str, Any], FileReport]] = []
        try:
            for i, planned in enumerate(items):
                if progress:
                    progress("load", i, len(items))
                loaded = [planned]
                if planned.path is not None:  # a large file: read it now, alone
                    loaded = _read_file(planned.path, settings, run_log, seen)
                for item in loaded:
                    if item.table is None or item.detected is None:
                        unchanged.append(_unchanged(item))
                        continue
                    staged.append(_stage(lake, item, ctx, settings, index))
                    item.table = None  # free the file before the next one
            if progress:
                progress("load", len(items), len(items))
            for i, (record, _file) in enumerate(staged):
                if progress:
                    progress("write lake", i, len(staged))
                lk.publish_run(lake, record)
        except BaseException:
            lk.discard_staged(lake)
            raise
        report.files = unchanged + [file for _record, file in staged]
        if progress:
            progress("write lake", len(staged), len(staged))
    report.finished_at = datetime.now(UTC)
    return report


def _unchanged(item: _Item) -> FileReport:
    prev = item.previous or {}
    when = prev.get("finished_at")
    return FileReport(
        item.name,
        str(prev.get("format") or ""),
        str(prev.get("entity") or ""),
        0,
        0,
        0,
        0,
        "unchanged",
        f"identical to {prev.get('file')} (run {prev.get('ingest_run', 'in this batch')}"
        + (f", {when:%Y-%m-%d %H:%M} UTC" if isinstance(when, datetime) else "")
        + "); nothing to do",
        item.sha256,
    )


def _stage(
    lake: Path, item: _Item, ctx: Context, settings: Settings, index: lk.KeyIndex
) -> tuple[dict[str, Any], FileReport]:
    """Pass 2 for one table: convert, validate, reconcile, write its partitions into staging."""
    assert item.detected is not None and item.table is not None  # noqa: S101 - only detected tables are staged
    spec = item.detected.spec
    try:
        converted = convert(item.table, item.detected, ctx)
    except FileProblem as err:
        raise IngestError(f"{item.name}: {err}") from None
    checked = validate(
        spec.entity, converted.frame, converted.problems, settings, ctx.employee_ids, item.detected.columns
    )
    notes = list(converted.notes)
    del converted
    _learn(ctx, spec.entity, checked.loaded)
    rejected = _rejected_records(item.name, item.table, checked.rejected)
    read = item.table.rows_read
    if checked.loaded.height + rejected.height != read:
        raise RuntimeError(
            f"{item.name}: {read} rows read but {checked.loaded.height} + {rejected.height} accounted for"
        )
    if checked.exact_duplicates:
        notes.append(f"{checked.exact_duplicates} exact duplicate rows loaded once")
    rows = checked.loaded.with_columns(pl.lit(spec.source_kind).alias(SOURCE_KIND))
    return _stage_run(lake, item, rows, rejected, notes, index)


def _stage_run(
    lake: Path, item: _Item, rows: pl.DataFrame, rejected: pl.DataFrame, notes: list[str], index: lk.KeyIndex
) -> tuple[dict[str, Any], FileReport]:
    assert item.detected is not None and item.table is not None  # noqa: S101 - staged items are detected
    spec = item.detected.spec
    started = datetime.now(UTC)
    run_id = lk.next_run_id(lake)
    superseded = lk.count_superseded(lake, spec.entity, rows, index)
    if superseded:
        notes.append(f"{superseded} records from earlier exports replaced by this one")
    if rows.height == 0 and rejected.height:
        notes.append("every row was rejected: check the reasons in rejected_rows and the [mapping] settings")
    columns = [*ENTITIES[spec.entity].schema, SOURCE_KIND, LINE]
    record = {
        lk.RUN_COL: run_id,
        "file": item.name,
        "sha256": item.sha256,
        "format": spec.source_kind,
        "entity": spec.entity,
        "source_kind": spec.source_kind,
        "rows_read": item.table.rows_read,
        "rows_loaded": rows.height,
        "rows_rejected": rejected.height,
        "rows_superseded": superseded,
        "started_at": started,
        "finished_at": datetime.now(UTC),
        "status": "loaded",
        "message": "; ".join(notes),
    }
    part = lk.stage_run(lake, record, rows.select(columns), rejected.with_columns(pl.lit(run_id).alias(lk.RUN_COL)))
    if part is not None:
        index.add(spec.entity, part, rows)
    log.info(
        "run %s: %s as %s, %d read = %d loaded + %d rejected, %d superseded",
        run_id,
        item.name,
        spec.source_kind,
        item.table.rows_read,
        rows.height,
        rejected.height,
        superseded,
    )
    report = FileReport(
        item.name,
        spec.source_kind,
        spec.entity,
        item.table.rows_read,
        rows.height,
        rejected.height,
        superseded,
        "loaded",
        "; ".join(notes),
        item.sha256,
        run_id,
    )
    return record, report


def ingest_uploaded(files: list[tuple[str, bytes]], settings: Settings, data: DataPaths) -> IngestReport:
    """Uploaded files (name, bytes) through the very same path: staged in a folder, then ingest_paths."""
    data.root.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="upload-", dir=data.root))
    try:
        paths = []
        for name, payload in files:
            target = folder / Path(name).name
            target.write_bytes(payload)
            paths.append(target)
        report = ingest_paths(paths, settings, data)
        for f in report.files:  # show the uploaded name, not the staging folder
            f.file = f.file.replace(str(folder) + "/", "")
        return report
    finally:
        shutil.rmtree(folder, ignore_errors=True)
