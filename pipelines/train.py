"""Train the attrition-risk model on the warehouse's person-month panel and store its tables.

Model tables (the attrition model's and the KPI expectation models') live in two places: the warehouse (for the dashboard) and Parquet files under the
data directory's models/ folder, so that `build` (which rebuilds the warehouse from the lake)
keeps every training run instead of forgetting it.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import shutil
import tempfile
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from pipelines.config import DataPaths, Settings
from pipelines.models import ModelRun, fit_and_backtest, score, write_model_tables
from pipelines.models.features import panel_columns
from pipelines.models.kpi_train import KPI_TABLES, fit_kpi_models, load_kpi_table, save_kpi_table, write_table
from pipelines.models.tables import TABLES, _table

log = logging.getLogger(__name__)
Progress = Callable[[str, float, float | None], None]


@dataclass(frozen=True)
class TrainReport:
    run_id: str
    estimator: str
    why: str
    n_scored: int
    tables: dict[str, int]

    def describe(self) -> str:
        return f"run {self.run_id}: {self.estimator} chosen ({self.why}); {self.n_scored:,} people scored"


# Person-months from which the attrition model is fitted in a second process while this one fits
# the KPI models (the two take minutes each at 20M tickets; below this they take seconds, and
# starting a Python process with scikit-learn would cost more than it saves).
PARALLEL_PANEL_ROWS = 200_000
# DuckDB's memory cap while training, unless TENURE_DUCKDB_MEMORY_LIMIT sets one (measured at 20M
# tickets: the KPI step took the same time under 400 MB as under 1 GB)
TRAIN_MEMORY_LIMIT = "400MB"


def train_models(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    models_dir: Path,
    oracle: pl.DataFrame | None = None,
    parallel: bool | None = None,
) -> TrainReport:
    """Fit and backtest on marts_person_months, score everyone, write the model tables and their Parquet copies.

    `oracle` (employee_id, month, p_12m: a planted truth's 12-month risk, for generated organisations)
    is backtested beside the estimators and shown in the model card; it is never chosen.
    `parallel`: fit the attrition model in a second process while the KPI models are fitted here
    (the same fits, in the same order, as in one process; only the wall time differs). None: when
    the machine has two cores or more and the panel at least PARALLEL_PANEL_ROWS rows.
    """
    from pipelines.warehouse import set_memory_limit

    # the KPI models read the tickets a quarter at a time and append their rows: DuckDB needs
    # little working memory here, and its cache would otherwise grow to the build's cap
    set_memory_limit(con, TRAIN_MEMORY_LIMIT)
    available = [row[0] for row in con.execute("describe marts_person_months").fetchall()]
    columns = ", ".join(f'"{c}"' for c in panel_columns(available))  # names from features.py's fixed lists
    panel = con.sql(f"select {columns} from marts_person_months").pl()  # noqa: S608 - whitelisted names
    if panel.is_empty():
        raise ValueError("the person-month panel is empty: ingest an HR export and build first")
    if parallel is None:
        parallel = (os.cpu_count() or 1) >= 2 and panel.height >= PARALLEL_PANEL_ROWS
    if parallel:
        context = multiprocessing.get_context("spawn")  # never fork a process that holds DuckDB's threads
        # the panel goes through a file next to the warehouse (not through the pool's pipe, which
        # would keep this process's copy until the result came back)
        with (
            tempfile.TemporaryDirectory(dir=models_dir.parent, prefix=".train-") as scratch,
            ProcessPoolExecutor(1, mp_context=context, initializer=_log_like, initargs=(_log_level(),)) as pool,
        ):
            path = Path(scratch) / "panel.arrow"
            panel.write_ipc(path)
            del panel
            pending = pool.submit(_fit_and_score_file, str(path), settings, oracle)
            kpi_counts, staged = _kpi_side(con, settings, models_dir)  # while the other process fits
            run, scores = pending.result()
    else:
        run, scores = fit_and_score(panel, settings, oracle)
        kpi_counts, staged = _kpi_side(con, settings, models_dir)
    counts = write_model_tables(con, run, scores)
    counts.update(kpi_counts)
    save_model_tables(con, models_dir, staged)
    log.info("model run %s written (%s)", run.run_id, counts)
    return TrainReport(run.run_id, run.chosen, run.selection_reason, scores.height, counts)


def fit_and_score(
    panel: pl.DataFrame, settings: Settings, oracle: pl.DataFrame | None = None
) -> tuple[ModelRun, pl.DataFrame]:
    """The attrition model's run (fit_and_backtest) and its scores of everyone employed at the end."""
    run = fit_and_backtest(panel, settings, oracle=oracle)
    return run, score(run, panel)


def _kpi_side(con: duckdb.DuckDBPyConnection, settings: Settings, models_dir: Path) -> tuple[dict[str, int], Path]:
    """The KPI expectation tables (for the KPI fairness page), the group-parity units (which read
    them) and their Parquet copies; (rows written per table, the staged copies' folder)."""
    counts = fit_kpi_models(con, settings)
    counts.update(write_parity_units(con, settings))
    return counts, stage_kpi_tables(con, models_dir)


def _fit_and_score_file(path: str, settings: Settings, oracle: pl.DataFrame | None) -> tuple[ModelRun, pl.DataFrame]:
    """fit_and_score on a panel written to an Arrow IPC file (the second process's entry point)."""
    return fit_and_score(pl.read_ipc(path), settings, oracle)


def _log_level() -> int:
    return logging.getLogger().getEffectiveLevel()


def _log_like(level: int) -> None:
    """The second process logs at this process's level, to stderr (no names or emails are logged)."""
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def write_parity_units(con: duckdb.DuckDBPyConnection, settings: Settings) -> dict[str, int]:
    """Store the group-parity units of the default window (the promotion expectation fitted once, here)."""
    from pipelines.metrics.context import Context
    from pipelines.metrics.fairness import PARITY_UNITS_TABLE, parity_units_table

    units = parity_units_table(Context(con, settings))
    return {PARITY_UNITS_TABLE: write_table(con, PARITY_UNITS_TABLE, units)} if units.width else {}


def stage_kpi_tables(con: duckdb.DuckDBPyConnection, models_dir: Path) -> Path:
    """A fresh temporary folder beside models_dir holding the KPI tables' Parquet copies; save_model_tables finishes it.

    Separate so that train writes these copies (a row per ticket) while the attrition model is
    still being fitted in the other process.
    """
    tmp = models_dir.with_name(models_dir.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    for name in KPI_TABLES:  # copied by DuckDB itself: no Python rows
        save_kpi_table(con, name, str(tmp / f"{name}.parquet"))
    return tmp


def save_model_tables(con: duckdb.DuckDBPyConnection, models_dir: Path, staged: Path | None = None) -> None:
    """Copy every model table to models_dir/<table>.parquet (written to a temporary folder, then swapped).

    `staged`: the folder stage_kpi_tables already wrote the KPI tables' copies to.
    """
    tmp = staged or stage_kpi_tables(con, models_dir)
    for name in TABLES:
        copy = "copy (select * from " + _table(name) + ") to $path (format parquet)"  # noqa: S608
        con.execute(copy, {"path": str(tmp / f"{name}.parquet")})
    old = models_dir.with_name(models_dir.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if models_dir.exists():
        models_dir.rename(old)
    tmp.rename(models_dir)
    shutil.rmtree(old, ignore_errors=True)


def load_model_tables(con: duckdb.DuckDBPyConnection, models_dir: Path) -> list[str]:
    """Create the model tables from models_dir's Parquet files, when a model has been trained."""
    loaded = []
    for name in TABLES:
        path = models_dir / f"{name}.parquet"
        if path.exists():
            con.execute("create or replace table " + _table(name) + " as select * from read_parquet(?)", [str(path)])  # noqa: S608
            loaded.append(name)
    for name in KPI_TABLES:
        path = models_dir / f"{name}.parquet"
        if path.exists():
            load_kpi_table(con, name, str(path))
            loaded.append(name)
    return loaded


def train_warehouse(settings: Settings, data: DataPaths, oracle: pl.DataFrame | None = None) -> TrainReport:
    """Train on the live warehouse: a copy is updated and swapped in, like a build."""
    from pipelines.warehouse import update_warehouse

    result: list[TrainReport] = []
    update_warehouse(data, lambda con: result.append(train_models(con, settings, data.models, oracle)))
    return result[0]
