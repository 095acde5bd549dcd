"""Write a training run and its scores to the warehouse: model_runs, model_backtest,
model_calibration, model_importance, attrition_scores, model_card (one row set per run_id).

Tables are created when missing; a run's rows are replaced when the same run is written again,
and earlier runs are kept so that past scores can be checked against what happened.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import duckdb
import polars as pl

if TYPE_CHECKING:
    from pipelines.models.attrition import ModelRun

TABLES = ("model_runs", "model_backtest", "model_calibration", "model_importance", "attrition_scores", "model_card")


def _table(name: str) -> str:
    """A model table's name, quoted; only names from the fixed TABLES list are accepted."""
    if name not in TABLES:
        raise ValueError(f"{name!r} is not a model table")
    return '"' + name + '"'


# Values travel as bound parameters or Arrow; the table name is the only part put into the text.
def _create(name: str) -> str:
    return "CREATE TABLE IF NOT EXISTS " + _table(name) + " AS SELECT * FROM _incoming WITH NO DATA"  # noqa: S608 - quoted whitelisted name


def _delete(name: str) -> str:
    return "DELETE FROM " + _table(name) + " WHERE run_id = ?"  # noqa: S608 - quoted whitelisted name


def _insert(name: str) -> str:
    return "INSERT INTO " + _table(name) + " BY NAME SELECT * FROM _incoming"  # noqa: S608 - quoted whitelisted name


def _json(value: Any) -> str:
    return json.dumps(value, default=str, sort_keys=True)


def model_tables(run: ModelRun, scores: pl.DataFrame) -> dict[str, pl.DataFrame]:
    """The frames written for one run, by table name."""
    record = run.record()
    pop = run.population
    runs = pl.DataFrame(
        {
            "run_id": [run.run_id],
            "trained_at": [run.trained_at],
            "as_of": [run.as_of],
            "data_hash": [run.data_hash],
            "chosen_estimator": [run.chosen],
            "selection_reason": [run.selection_reason],
            "base_rate_12m": [run.base_rate_12m],
            "window_start": [pop["window_start"]],
            "window_end": [pop["window_end"]],
            "n_people": [pop["n_people"]],
            "n_person_months": [pop["n_person_months"]],
            "parameters": [_json(record["parameters"])],
            "versions": [_json(record["versions"])],
            "metrics": [_json(record["metrics"])],
        }
    )
    tag = pl.lit(run.run_id).alias("run_id")
    return {
        "model_runs": runs,
        "model_backtest": run.backtest.select(tag, pl.all()),
        "model_calibration": run.calibration.select(tag, pl.all()),
        "model_importance": run.importance.select(tag, pl.all()),
        "attrition_scores": scores.with_columns(tag, scored_at=pl.lit(run.trained_at)).select(
            "run_id", pl.all().exclude("run_id")
        ),
        "model_card": pl.DataFrame({"run_id": [run.run_id], "markdown": [run.card]}),
    }


def write_model_tables(con: duckdb.DuckDBPyConnection, run: ModelRun, scores: pl.DataFrame) -> dict[str, int]:
    """Create the model tables if missing and replace this run's rows, in one transaction; rows written by table."""
    written = {}
    con.begin()
    try:
        for name, frame in model_tables(run, scores).items():
            con.register("_incoming", frame.to_arrow())
            try:
                con.execute(_create(name)).fetchall()
                con.execute(_delete(name), [run.run_id]).fetchall()
                con.execute(_insert(name)).fetchall()
            finally:
                con.unregister("_incoming")
            written[name] = frame.height
        con.commit()
    except Exception:
        con.rollback()
        raise
    return written
