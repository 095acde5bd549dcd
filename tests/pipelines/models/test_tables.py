"""write_model_tables: the six model tables in DuckDB, one row set per run, rewrites change nothing."""

from __future__ import annotations

from dataclasses import replace

import duckdb
import polars as pl
import pytest

from pipelines.models import score, write_model_tables
from pipelines.models.features import FEATURE_NAMES
from pipelines.models.tables import TABLES, _table


@pytest.fixture(scope="module")
def scored(run, panel):
    return score(run, panel)


def _counts(con) -> dict[str, int]:
    return {t: con.execute("SELECT count(*) FROM " + _table(t)).fetchall()[0][0] for t in TABLES}


def test_writes_every_table_and_a_rewrite_changes_nothing(run, scored):
    con = duckdb.connect(":memory:")
    written = write_model_tables(con, run, scored)
    assert written["model_runs"] == 1
    assert written["model_card"] == 1
    assert written["attrition_scores"] == scored.height
    assert written["model_backtest"] == run.backtest.height
    assert written["model_calibration"] == run.calibration.height
    assert written["model_importance"] == len(FEATURE_NAMES)
    assert _counts(con) == written
    write_model_tables(con, run, scored)
    assert _counts(con) == written


def test_runs_accumulate_and_scores_keep_their_run(run, scored):
    con = duckdb.connect(":memory:")
    write_model_tables(con, run, scored)
    other = replace(run, run_id="another-run")
    write_model_tables(con, other, scored.with_columns(run_id=pl.lit(other.run_id)))
    rows = con.execute("SELECT run_id, count(*) FROM attrition_scores GROUP BY run_id ORDER BY run_id").fetchall()
    assert rows == sorted([(run.run_id, scored.height), ("another-run", scored.height)])
    stored = con.execute(
        "SELECT data_hash, chosen_estimator, versions FROM model_runs WHERE run_id = ?", [run.run_id]
    ).fetchall()
    assert stored[0][0] == run.data_hash and stored[0][1] == run.chosen
    assert "scikit-learn" in stored[0][2]
    drivers = con.execute(
        "SELECT drivers, len(survival) FROM attrition_scores WHERE run_id = ? AND band = 'high' LIMIT 1", [run.run_id]
    ).fetchall()
    assert isinstance(drivers[0][0], list) and drivers[0][1] == 36


def test_only_model_tables_can_be_named():
    assert _table("model_runs") == '"model_runs"'
    with pytest.raises(ValueError):
        _table("employees; drop table employees")
