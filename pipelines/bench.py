"""The benchmark: an organisation generated at scale, each stage timed in its own process, a table in BENCHMARKS.md.

Stages (each a child process, which reports its own peak resident memory, VmHWM, plus the largest
peak of any process it started in turn; CPU seconds come from RUSAGE_CHILDREN): generate (not
scored), floor (DuckDB's own read_csv of the ticket files into a table), pandas (a naive pandas
ingest of the ticket files: read, parse times, de-duplicate, write Parquet; skipped when pandas is
not installed), ingest, build, train, pages (every public
get_* of pipelines.metrics called with a director Viewer and with the Viewer of the manager with
the most people below them: cold on a fresh connection, then warm) and one more day (a day's export ingested, then an incremental refresh of the warehouse).
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import inspect
import json
import logging
import os
import pkgutil
import platform
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)
Progress = Callable[[str, float, float | None], None]

# The sample generator produces about 93 tickets a person-year (support and other staff together).
TICKETS_PER_PERSON_YEAR = 93
MIN_YEARS, MAX_YEARS = 2, 12
WARM_REPEATS = 3
REPORT = Path(__file__).resolve().parents[1] / "BENCHMARKS.md"
_TICKET_FILES = ("zendesk", "intercom")
_SECTION = re.compile(r"<!-- bench:(\d+) -->.*?<!-- /bench:\1 -->\n?", re.DOTALL)


@dataclass
class Stage:
    """One timed stage: wall seconds and the peak resident memory of its process."""

    name: str
    seconds: float
    peak_mb: float
    note: str = ""
    ok: bool = True
    cpu_seconds: float = 0.0


@dataclass
class PageQuery:
    """One read function: milliseconds on a fresh connection (cold) and the best of the repeats (warm)."""

    name: str
    cold_ms: float
    warm_ms: float
    rows: int
    error: str = ""
    note: str = ""
    viewer: str = "director"  # or "executive", or "manager": the manager with the most people below them
    scope_people: int = 0  # people the viewer sees on the latest data date (0: everyone)


@dataclass
class BenchResult:
    """Everything one benchmark run measured."""

    people: int
    tickets_asked: int
    years: int
    people_generated: int
    tickets: int
    ticket_bytes: int
    stages: list[Stage] = field(default_factory=list)
    pages: list[PageQuery] = field(default_factory=list)
    commands: list[str] = field(default_factory=list)
    started_at: str = ""
    load: str = ""  # load averages (1, 5, 15 min) when the run started and ended: other work skews wall times

    def stage(self, name: str) -> Stage | None:
        return next((s for s in self.stages if s.name == name), None)

    @property
    def ok(self) -> bool:
        return all(s.ok for s in self.stages) and not any(p.error for p in self.pages)


def plan_org(people: int, tickets: int) -> tuple[int, int]:
    """(people to generate, years of history) so the generator yields about `tickets` tickets."""
    people = max(50, people)
    years = round(tickets / (people * TICKETS_PER_PERSON_YEAR)) if tickets else 6
    years = max(MIN_YEARS, min(MAX_YEARS, years))
    needed = round(tickets / (years * TICKETS_PER_PERSON_YEAR)) if tickets else people
    return max(people, needed), years


def _children_cpu() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_process(args: Sequence[str], env: dict[str, str] | None = None) -> tuple[float, float, float, int, str, str]:
    """Run a child process; (wall seconds, CPU seconds, its peak MB as it reported (VmHWM), exit code, out, err)."""
    cpu0 = _children_cpu()
    started = time.perf_counter()
    proc = subprocess.Popen(  # noqa: S603 - our own interpreter and module
        list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True
    )
    out, err = proc.communicate()
    seconds = time.perf_counter() - started
    return seconds, _children_cpu() - cpu0, _status_peak(out) / 1024, proc.returncode, out, err


def _status_peak(stdout: str) -> float:
    """The child's VmHWM (kB) reported on its last stdout line by `_report_peak`, else 0."""
    for line in reversed(stdout.splitlines()):
        if line.startswith("VmHWM_KB="):
            return float(line.split("=", 1)[1])
    return 0.0


def vm_hwm_kb() -> float:
    """This process's peak resident memory (kB) from /proc/self/status."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return float(line.split()[1])
    except OSError:
        pass
    import resource

    return float(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def _python() -> list[str]:
    return [sys.executable, "-m", "pipelines.bench"]


def _cli(data_dir: Path, config: Path | None) -> list[str]:
    base = [sys.executable, "-m", "pipelines.bench", "stage", "--data-dir", str(data_dir)]
    return [*base, "--config", str(config)] if config else base


def ticket_files(exports: Path) -> list[Path]:
    """The helpdesk ticket exports of a generated organisation (the files the floor reads)."""
    out: list[Path] = []
    for vendor in _TICKET_FILES:
        out.extend(sorted((exports / vendor).glob("*.csv*")))
    return out


def machine() -> dict[str, str]:
    """nproc, memory, CPU model and versions, for the table's heading."""
    import duckdb
    import polars as pl

    mem = ""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "nproc": str(os.cpu_count()),
        "memory": mem,
        "cpu": cpu,
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "polars": pl.__version__,
    }


# ---------------------------------------------------------------- child-process entry points


def floor(files: Sequence[Path], db: Path) -> dict[str, Any]:
    """DuckDB's own read_csv of each ticket file into a table of a fresh database file; rows loaded."""
    import duckdb

    db.unlink(missing_ok=True)
    con = duckdb.connect(str(db))
    rows = 0
    try:
        for i, f in enumerate(files):
            con.execute(f"CREATE TABLE t{i:d} AS SELECT * FROM read_csv(?)", [str(f)])  # noqa: S608 - int name
            row = con.execute(f"SELECT count(*) FROM t{i:d}").fetchone()  # noqa: S608 - int name
            rows += int(row[0]) if row else 0
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return {"rows": rows}


def pandas_ingest(files: Sequence[Path], out: Path) -> dict[str, Any]:
    """The naive pandas ingest users would write: read as text, parse times, drop duplicate ids, write Parquet."""
    import pandas as pd

    out.mkdir(parents=True, exist_ok=True)
    rows = 0
    for i, f in enumerate(files):
        df = pd.read_csv(f, dtype=str, keep_default_na=False)
        for col in df.columns:
            if re.search(r"(created|solved|updated|started|resolved).*at|at \(", col, re.IGNORECASE):
                df[col] = pd.to_datetime(df[col], errors="coerce", format="%Y-%m-%d %H:%M:%S")
        df = df.drop_duplicates(subset=[df.columns[1] if f.parent.name == "zendesk" else df.columns[0]])
        df.to_parquet(out / f"part-{i}.parquet")
        rows += len(df)
    return {"rows": rows}


def page_queries(warehouse: Path, config: Path | None) -> list[dict[str, Any]]:
    """Every public get_* of pipelines.metrics, cold (fresh connection) then warm, for three viewers.

    A director; an executive (aggregates only, over the fixed grid of periods, so other paths);
    then the manager with the most people below them on the latest data date (a manager's scope
    is a reporting subtree that changes day by day, so their queries differ again).
    """
    from pipelines.access import Role, Viewer
    from pipelines.config import load_settings
    from pipelines.metrics import open_context

    settings = load_settings(config)
    results = _page_queries(warehouse, settings, Viewer(Role.DIRECTOR, label="bench"), "director", 0)
    results += _page_queries(warehouse, settings, Viewer(Role.EXECUTIVE, label="bench"), "executive", 0)
    with open_context(warehouse, settings) as ctx:
        widest = _widest_manager(ctx)
    if widest is not None:
        manager = Viewer(Role.MANAGER, employee_id=widest[0], label="bench manager")
        results += _page_queries(warehouse, settings, manager, "manager", widest[1])
    return results


def _widest_manager(ctx: Any) -> tuple[str, int] | None:  # noqa: ANN401 - pipelines.metrics.Context
    """The manager who sees the most people on the latest data date, and how many (ties: the smallest id)."""
    from pipelines.access import Role, Viewer
    from pipelines.metrics.people_directory import get_managers, get_people

    director = Viewer(Role.DIRECTOR, label="bench")
    sizes = [
        (get_people(Viewer(Role.MANAGER, employee_id=m, label="bench manager"), ctx).height, m)
        for m in sorted(get_managers(director, ctx)["employee_id"].to_list())
    ]
    if not sizes:
        return None
    n, manager_id = min(sizes, key=lambda x: (-x[0], x[1]))
    return manager_id, n


def _page_queries(
    warehouse: Path,
    settings: Any,  # noqa: ANN401 - pipelines.config.Settings
    viewer: Any,  # noqa: ANN401 - pipelines.access.Viewer
    viewer_name: str,
    scope_people: int,
) -> list[dict[str, Any]]:
    import pipelines.metrics as metrics_pkg
    from pipelines.metrics import open_context

    results: list[dict[str, Any]] = []
    for mod_info in sorted(pkgutil.iter_modules(metrics_pkg.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"pipelines.metrics.{mod_info.name}")
        for name, fn in sorted(inspect.getmembers(module, inspect.isfunction)):
            if not name.startswith("get_") or fn.__module__ != module.__name__:
                continue
            params = list(inspect.signature(fn).parameters.values())[2:]
            needed = [p.name for p in params if p.default is inspect.Parameter.empty]
            entry: dict[str, Any] = {
                "name": f"{mod_info.name}.{name}",
                "rows": 0,
                "error": "",
                "note": "",
                "viewer": viewer_name,
                "scope_people": scope_people,
            }
            if set(needed) - {"employee_id"}:
                entry.update(cold_ms=0, warm_ms=0, note=f"skipped: needs {', '.join(needed)}")
                results.append(entry)
                continue
            try:
                with open_context(warehouse, settings) as ctx:
                    kwargs = {"employee_id": _someone(ctx)} if needed else {}
                    if needed:
                        entry["note"] = "for one person"
                    t0 = time.perf_counter()
                    value = fn(viewer, ctx, **kwargs)
                    entry["cold_ms"] = (time.perf_counter() - t0) * 1000
                    warm = []
                    for _ in range(WARM_REPEATS):
                        t0 = time.perf_counter()
                        fn(viewer, ctx, **kwargs)
                        warm.append((time.perf_counter() - t0) * 1000)
                    entry["warm_ms"] = min(warm)
                entry["rows"] = int(getattr(value, "height", len(value) if hasattr(value, "__len__") else 1))
            except Exception as err:  # noqa: BLE001 - a failing query is a benchmark finding, not a crash
                entry.update(cold_ms=0, warm_ms=0, error=f"{type(err).__name__}: {err}"[:200])
            results.append(entry)
    return results


def _someone(ctx: Any) -> str | None:  # noqa: ANN401 - pipelines.metrics.Context
    """The subject of the person-level read functions: the first employee id, the same every run."""
    row = ctx.one("select employee_id from employees order by employee_id limit 1")
    return row[0] if row else None


def one_more_day(exports: Path, out: Path, days: int = 1) -> Path | None:
    """A ticket export holding one more day: the latest day's conversations `days` days later, with new ids.

    The new ids start after the latest export's largest id (`days` apart from each other's copies), so
    every conversation is new to the warehouse; a kept organisation passes days = 1 + the day
    exports already loaded, so a rerun never brings a day the lake already holds.
    """
    import polars as pl

    files = ticket_files(exports)
    if not files:
        return None
    source = files[-1]  # intercom: the newer helpdesk era
    frame = pl.read_csv(source, infer_schema=False)
    stamp = r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$"
    times = [c for c in frame.columns if frame[c].drop_nulls().str.contains(stamp).all() and frame[c].null_count() < 1]
    if not times:
        return None
    first = times[0]
    last_day = frame[first].str.slice(0, 10).max()
    day = frame.filter(pl.col(first).str.starts_with(last_day))
    fmt = "%Y-%m-%d %H:%M:%S"
    shifted = [
        (pl.col(c).str.strptime(pl.Datetime, fmt, strict=False) + pl.duration(days=days)).dt.strftime(fmt).alias(c)
        for c in frame.columns
        if frame[c].drop_nulls().str.contains(stamp).all() and frame[c].drop_nulls().len()
    ]
    id_col = frame.columns[0]
    ids = day[id_col].cast(pl.Int64)
    offset = days * (int(frame[id_col].cast(pl.Int64).max()) - int(ids.min()) + 1)
    day = day.with_columns(*shifted, (pl.col(id_col).cast(pl.Int64) + offset).cast(pl.String).alias(id_col))
    target = out / f"one_more_day_{source.name.split('.')[0]}.csv"
    day.write_csv(target)
    return target


def _days_loaded(data_dir: Path) -> int:
    """How many one-more-day exports the lake under data_dir already holds (a kept organisation's reruns)."""
    from pipelines import lake as lk

    if not (data_dir / "lake").exists():
        return 0
    files = lk.runs(data_dir / "lake")["file"].drop_nulls().unique()
    return int(files.str.contains("one_more_day_").sum())


def refresh_day(data_dir: Path, config: Path | None, day_file: Path) -> dict[str, Any]:
    """Ingest one more day's export and refresh the warehouse incrementally; seconds of each half."""
    from pipelines.config import DataPaths, load_settings
    from pipelines.ingest import ingest_paths
    from pipelines.warehouse import refresh_warehouse

    settings = load_settings(config)
    data = DataPaths(data_dir)
    t0 = time.perf_counter()
    report = ingest_paths([day_file], settings, data)
    t1 = time.perf_counter()
    refresh_warehouse(settings, data)
    t2 = time.perf_counter()
    loaded = sum(f.rows_loaded for f in report.files)
    return {"rows": loaded, "ingest_s": round(t1 - t0, 2), "refresh_s": round(t2 - t1, 2)}


# ---------------------------------------------------------------- the run


def _run_stage(result: BenchResult, name: str, args: list[str], note: str = "") -> tuple[Stage, str]:
    seconds, cpu, peak_mb, code, out, err = run_process(args)
    ok = code == 0
    if not ok:
        tail = " ".join(err.strip().splitlines()[-3:])[:300]
        note = f"FAILED (exit {code}): {tail}"
        log.warning("bench stage %s failed: %s", name, tail)
    stage = Stage(name, seconds, peak_mb, note, ok, cpu)
    result.stages.append(stage)
    result.commands.append(" ".join(_display(a) for a in args))
    return stage, out


def _display(arg: str) -> str:
    return "python" if arg == sys.executable else arg


def _payload(stdout: str) -> Any:
    for line in reversed(stdout.splitlines()):
        if line.startswith("RESULT="):
            return json.loads(line.split("=", 1)[1])
    return None


def run_bench(
    people: int,
    tickets: int,
    out: Path,
    *,
    seed: int = 7,
    keep: bool = False,
    report: Path | None = REPORT,
    progress: Progress | None = None,
    reuse: bool = False,
    skip: Sequence[str] = (),
) -> BenchResult:
    """Generate an organisation at this scale under `out`, time every stage, write the report section.

    reuse: keep the organisation an earlier run (with --keep) generated under `out` instead of
    generating it again; the warehouse is always rebuilt. skip: stages not run again whose figures
    are taken from that earlier run's `result.json` (e.g. floor and pandas when only ingest changed);
    skipping ingest keeps the earlier run's lake.
    """
    people_gen, years = plan_org(people, tickets)
    out = Path(out)
    exports, data_dir = out / "exports", out / "data"
    previous = _previous(out) if reuse else None
    reuse = reuse and (exports / "truth" / "story.json").exists()
    if not reuse:
        shutil.rmtree(exports, ignore_errors=True)
    if reuse and previous and "ingest" in skip and (data_dir / "lake").exists():
        for built in data_dir.glob("warehouse.duckdb*"):  # keep the ingested lake, rebuild from it
            built.unlink()
        shutil.rmtree(data_dir / "models", ignore_errors=True)
    else:
        shutil.rmtree(data_dir, ignore_errors=True)
    out.mkdir(parents=True, exist_ok=True)
    result = BenchResult(people, tickets, years, people_gen, 0, 0, started_at=datetime.now(UTC).isoformat())
    result.load = _load_average()
    steps = ["generate", "floor", "pandas", "ingest", "build", "train", "pages", "one more day"]
    skipped = set(skip) if previous else set()
    if previous:
        result.commands = [c for c in previous.commands if c.split(" ")[2:3] == ["generate"]]

    def step(i: int) -> None:
        if progress:
            progress("bench", i, len(steps))

    def _stage(result: BenchResult, name: str, args: list[str], note: str = "") -> tuple[Stage, str]:
        if name in skipped and previous and (old := previous.stage(name)):
            result.stages.append(old)
            result.commands.append(" ".join(_display(a) for a in args))
            if name == "pages":
                result.pages = list(previous.pages)
            return old, ""
        return _run_stage(result, name, args, note)

    try:
        step(0)
        gen_args = [*_python(), "generate", str(exports), str(people_gen), str(years), str(seed)]
        if reuse and previous and (old := previous.stage("generate")):
            result.stages.append(old)
        elif reuse:
            result.stages.append(Stage("generate", 0, 0, "reused an earlier run's organisation"))
        else:
            _stage(result, "generate", gen_args)
        if reuse and not result.commands:
            result.commands.append(" ".join(_display(a) for a in gen_args))
        story = exports / "truth" / "story.json"
        if story.exists():
            counts = json.loads(story.read_text())["counts"]
            result.tickets = int(counts["tickets_zendesk"]) + int(counts["tickets_intercom"])
        files = ticket_files(exports)
        result.ticket_bytes = sum(f.stat().st_size for f in files)
        config = exports / "tenure.toml"
        config_arg = config if config.exists() else None
        step(1)
        stage, stdout = _stage(result, "floor", [*_python(), "floor", str(out / "floor.duckdb"), *map(str, files)])
        (out / "floor.duckdb").unlink(missing_ok=True)
        if stage.ok and (p := _payload(stdout)):
            stage.note = f"{p['rows']:,} rows"
        step(2)
        if importlib.util.find_spec("pandas") is None:
            result.stages.append(Stage("pandas", 0, 0, "skipped: pandas is not installed (pip install pandas==3.1.1)"))
        else:
            stage, stdout = _stage(result, "pandas", [*_python(), "pandas", str(out / "pandas"), *map(str, files)])
            shutil.rmtree(out / "pandas", ignore_errors=True)
            if stage.ok and (p := _payload(stdout)):
                stage.note = f"{p['rows']:,} rows"
        step(3)
        _stage(result, "ingest", [*_cli(data_dir, config_arg), "ingest", str(exports)])
        step(4)
        _stage(result, "build", [*_cli(data_dir, config_arg), "build"])
        step(5)
        _stage(result, "train", [*_cli(data_dir, config_arg), "train"])
        step(6)
        cfg = [str(config_arg)] if config_arg else []
        stage, stdout = _stage(result, "pages", [*_python(), "pages", str(data_dir / "warehouse.duckdb"), *cfg])
        if stdout or "pages" not in skipped:
            result.pages = [PageQuery(**p) for p in (_payload(stdout) or [])]
        step(7)
        day_file = one_more_day(exports, out, days=1 + _days_loaded(data_dir))
        if day_file is not None:
            stage, stdout = _stage(result, "one more day", [*_python(), "refresh", str(data_dir), str(day_file), *cfg])
            if stage.ok and (p := _payload(stdout)):
                stage.note = (
                    f"{p['rows']:,} tickets: ingest {p['ingest_s']:.1f} s + incremental refresh {p['refresh_s']:.1f} s"
                )
            day_file.unlink(missing_ok=True)
        step(8)
    finally:
        if not keep:
            shutil.rmtree(exports, ignore_errors=True)
            shutil.rmtree(data_dir, ignore_errors=True)
            with contextlib.suppress(OSError):
                out.rmdir()  # only when nothing else was left in it
    result.load += f" at the start, {_load_average()} at the end"
    if keep:
        (out / "result.json").write_text(to_json(result))
    if report is not None:
        write_report(result, report)
    return result


def _previous(out: Path) -> BenchResult | None:
    """The result an earlier `--keep` run saved under `out`, if any."""
    path = out / "result.json"
    if not path.exists():
        return None
    raw = json.loads(path.read_text())
    stages = [Stage(**s) for s in raw.pop("stages", [])]
    pages = [PageQuery(**p) for p in raw.pop("pages", [])]
    return BenchResult(**raw, stages=stages, pages=pages)


def _load_average() -> str:
    try:
        return " / ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


# ---------------------------------------------------------------- the report


def _cell(text: str) -> str:
    """Text safe inside one Markdown table cell."""
    return " ".join(text.split()).replace("|", "/")


def _cpu_ratio(a: Stage, b: Stage | None) -> str:
    if b is None or not a.ok or not b.ok or not a.cpu_seconds or not b.cpu_seconds:
        return ""
    return f"{a.cpu_seconds / b.cpu_seconds:.2f}x"


def _ratio(a: Stage | None, b: Stage | None) -> str:
    if a is None or b is None or not a.ok or not b.ok or not b.seconds or not a.seconds:
        return ""
    return f"{a.seconds / b.seconds:.2f}x"


def render(result: BenchResult, info: dict[str, str] | None = None) -> str:
    """The Markdown section of one run: machine, stages with ratios, pages, commands."""
    info = info or machine()
    floor_s, pandas_s = result.stage("floor"), result.stage("pandas")
    lines = [
        f"<!-- bench:{result.tickets_asked} -->",
        f"## {result.tickets:,} tickets, {result.people_generated:,} people, {result.years} years",
        "",
        f"Run {result.started_at[:16]} UTC on {info['nproc']} cores, {info['memory']}, {info['cpu']}; "
        f"Python {info['python']}, DuckDB {info['duckdb']}, Polars {info['polars']}. "
        f"Ticket files: {result.ticket_bytes / 1e6:,.0f} MB gzip-compressed CSV. "
        f"Load average {result.load or 'unknown'} (a busy machine stretches wall times; CPU seconds less so).",
        "",
        "| stage | seconds | CPU s | peak MB | vs floor | vs pandas | CPU vs floor | note |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for s in result.stages:
        scored = s.name in ("ingest", "build", "pandas")
        lines.append(
            f"| {s.name} | {s.seconds:,.1f} | {s.cpu_seconds:,.1f} | {s.peak_mb:,.0f} | "
            f"{_ratio(s, floor_s) if scored else ''} | {_ratio(s, pandas_s) if s.name == 'ingest' else ''} | "
            f"{_cpu_ratio(s, floor_s) if scored else ''} | {_cell(s.note)} |"
        )
    if result.pages:
        lines += ["", *_pages_report(result.pages)]
    lines += ["", "Commands (each stage ran as its own process):", "", "```"]
    lines += [_short_command(c) for c in result.commands]
    lines += ["```", f"<!-- /bench:{result.tickets_asked} -->", ""]
    return "\n".join(lines)


def _pages_report(pages: list[PageQuery]) -> list[str]:
    """The pages' summary line and one table row per read function, each viewer's timings side by side."""
    viewers = [v for v in ("director", "executive", "manager") if any(p.viewer == v for p in pages)]
    by_viewer = {v: {p.name: p for p in pages if p.viewer == v} for v in viewers}
    parts = []
    for v in viewers:
        mine = by_viewer[v].values()
        who = f"{v} viewer"
        if v == "manager":
            below = next(iter(mine)).scope_people
            who += f" (the manager with the most people below them, {below:,} on the latest data date)"
        cold, warm = max(p.cold_ms for p in mine), max(p.warm_ms for p in mine)
        parts.append(f"{who} slowest cold {cold:,.0f} ms, slowest warm {warm:,.0f} ms")
    heads = [f"{v} {kind} ms" for v in viewers for kind in ("cold", "warm")]
    lines = [
        "Pages' read functions: " + "; ".join(parts) + " (targets 1,500 / 300 ms).",
        "",
        f"| function | {' | '.join(heads)} | rows | note |",
        f"|---|{'---:|' * len(heads)}---:|---|",
    ]
    first = by_viewer[viewers[0]] if viewers else {}
    for name, p in first.items():
        cells, notes = [], [p.error or p.note]
        for v in viewers:
            q = by_viewer[v].get(name)
            cells += [f"{q.cold_ms:,.0f}", f"{q.warm_ms:,.0f}"] if q and not q.error else ["", ""]
            if q and q.error and v != viewers[0]:
                notes.append(f"{v}: {q.error}")
        note = "; ".join(x for x in notes if x)
        lines.append(f"| {name} | {' | '.join(cells)} | {p.rows:,} | {_cell(note)} |")
    return lines


_MONTHLY = re.compile(
    r"\s(\S+/)(zendesk|intercom)/(tickets|conversations)-[\d-]+\.csv\.gz(?:\s\1\2/\3-[\d-]+\.csv\.gz)*"
)


def _short_command(command: str) -> str:
    """A command with each run of monthly ticket files written as one glob (the shell expands it the same)."""
    return _MONTHLY.sub(lambda m: f" {m.group(1)}{m.group(2)}/{m.group(3)}-*.csv.gz", command)


_HEADER = """# Benchmarks

Written by `python -m pipelines bench --people N --tickets N`; one section per scale, the latest
run of each scale replaces the previous one. "floor" is DuckDB's own `read_csv` of the same
ticket files into a table; "pandas" is a naive pandas ingest of those files. Ratios are
seconds / floor seconds. Peak MB is the maximum resident memory of that stage's process.
See docs/scaling.md for what dominates each stage and how to go beyond one machine.

"""


def write_report(result: BenchResult, path: Path) -> None:
    """Replace (or add) this scale's section of BENCHMARKS.md, keeping the other scales' sections."""
    text = path.read_text() if path.exists() else _HEADER
    sections = {int(m.group(1)): m.group(0) for m in _SECTION.finditer(text)}
    intro = _SECTION.sub("", text).rstrip() + "\n\n"
    if not intro.startswith("# Benchmarks"):
        intro = _HEADER
    sections[result.tickets_asked] = render(result) + "\n"
    body = "".join(sections[k] for k in sorted(sections))
    path.write_text(intro + body)


def to_json(result: BenchResult) -> str:
    """The result as JSON (for CI logs)."""
    return json.dumps(asdict(result), indent=2)


# ---------------------------------------------------------------- `python -m pipelines.bench ...` (child processes)


def _emit(payload: Any) -> None:
    sys.stdout.write("RESULT=" + json.dumps(payload, default=str) + "\n")
    sys.stdout.write(f"VmHWM_KB={vm_hwm_kb() + children_peak_kb():.0f}\n")
    sys.stdout.flush()


def children_peak_kb() -> float:
    """The largest peak resident memory (kB) among the processes this one started and waited for.

    train fits the attrition model in a second process; the stage's peak is reported as its own
    peak plus this, an upper bound of the two processes' memory at any one moment.
    """
    import resource

    return float(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)


def _child(argv: list[str]) -> int:
    kind, rest = argv[0], argv[1:]
    if kind == "floor":
        _emit(floor([Path(a) for a in rest[1:]], Path(rest[0])))
    elif kind == "pandas":
        _emit(pandas_ingest([Path(a) for a in rest[1:]], Path(rest[0])))
    elif kind == "generate":
        from pipelines.sample.stream import stream_sample

        _emit(stream_sample(Path(rest[0]), people=int(rest[1]), years=int(rest[2]), seed=int(rest[3])))
    elif kind == "pages":
        _emit(page_queries(Path(rest[0]), Path(rest[1]) if len(rest) > 1 else None))
    elif kind == "refresh":
        _emit(refresh_day(Path(rest[0]), Path(rest[2]) if len(rest) > 2 else None, Path(rest[1])))
    elif kind == "stage":
        from pipelines.__main__ import app

        code = 0
        try:
            returned = app(rest, standalone_mode=False)
            code = returned if isinstance(returned, int) else 0
        except SystemExit as err:
            code = int(err.code or 0)
        except Exception:  # noqa: BLE001 - reported through the exit code and stderr
            logging.getLogger(__name__).exception("stage failed")
            code = 1
        _emit({"exit": code})
        return code
    else:
        sys.stderr.write(f"unknown bench child {kind!r}\n")
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(_child(sys.argv[1:]))
