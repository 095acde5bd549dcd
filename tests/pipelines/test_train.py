"""`python -m pipelines all` trains after the build; a later `build` keeps the trained model tables."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from polars.testing import assert_frame_equal
from typer.testing import CliRunner

from pipelines.__main__ import app
from pipelines.config import SAMPLE_DIR
from pipelines.models.kpi_train import KPI_TABLES
from pipelines.models.tables import TABLES

pytestmark = pytest.mark.slow


def _count(path: Path, sql: str) -> int:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql).fetchone()[0]
    finally:
        con.close()


def test_all_then_build_keeps_the_model_and_scores_everyone_in_support(tmp_path: Path):
    runner = CliRunner()
    args = ["--data-dir", str(tmp_path), "--config", str(SAMPLE_DIR / "tenure.toml")]
    truth = SAMPLE_DIR / "truth" / "person_months.csv"
    result = runner.invoke(app, [*args, "all", str(SAMPLE_DIR), "--oracle", str(truth)])
    assert result.exit_code == 0, result.output
    warehouse = tmp_path / "warehouse.duckdb"
    # the planted hazards are backtested beside the estimators and shown in the card, never chosen
    assert _count(warehouse, "select count(*) from model_backtest where estimator = 'oracle'") > 0
    assert _count(warehouse, "select count(*) from model_runs where chosen_estimator = 'oracle'") == 0
    card_header = _count(
        warehouse, "select count(*) from model_card where markdown like '%| Metric | baseline |%| oracle |%'"
    )
    assert card_header == 1
    assert {p.stem for p in (tmp_path / "models").glob("*.parquet")} == set(TABLES) | set(KPI_TABLES)
    # one score per person in support on the last data date (the headcount the summary reports)
    headcount = _count(
        warehouse,
        "select count(*) from marts_support_spells, marts_data_dates "
        "where start_date <= data_end_date and (end_date is null or end_date >= data_end_date)",
    )
    assert _count(warehouse, "select count(*) from attrition_scores") == headcount
    assert _count(warehouse, "select count(*) from model_runs") == 1

    result = runner.invoke(app, [*args, "build"])
    assert result.exit_code == 0, result.output
    assert _count(warehouse, "select count(*) from attrition_scores") == headcount
    # the KPI expectation tables survive the rebuild too
    assert _count(warehouse, "select count(*) from kpi_agent_periods") > 0
    assert not (tmp_path / "warehouse.duckdb.tmp").exists()


def test_train_without_a_warehouse_says_what_to_do(tmp_path: Path):
    result = CliRunner().invoke(app, ["--data-dir", str(tmp_path), "train"])
    assert result.exit_code == 1
    assert "No warehouse" in result.output


def test_train_with_a_missing_oracle_file_names_it(tmp_path: Path):
    args = ["--data-dir", str(tmp_path), "--config", str(SAMPLE_DIR / "tenure.toml")]
    CliRunner().invoke(app, [*args, "ingest", str(SAMPLE_DIR / "bamboohr")])
    build = CliRunner().invoke(app, [*args, "build"])
    assert build.exit_code == 0, build.output
    result = CliRunner().invoke(app, [*args, "train", "--oracle", str(tmp_path / "nope.csv")])
    assert result.exit_code == 2
    assert "nope.csv" in result.output


def test_the_attrition_model_fitted_in_a_second_process_gives_the_same_tables(tmp_path: Path):
    """train_models(parallel=True) fits the attrition model in a spawned process beside the KPI models:
    every model table equals the one-process run's, apart from the run's id and time."""
    import shutil

    import polars as pl

    from pipelines.config import data_paths, load_settings
    from pipelines.ingest import ingest_paths
    from pipelines.sample import generate_sample
    from pipelines.train import train_models
    from pipelines.warehouse import build_warehouse, update_warehouse

    exports = tmp_path / "exports"
    generate_sample(exports, seed=5, people=120, years=4)
    settings = load_settings(exports / "tenure.toml")
    built = data_paths(tmp_path / "built")
    assert not ingest_paths([exports], settings, built).failed
    build_warehouse(settings, built)
    tables: dict[bool, dict[str, pl.DataFrame]] = {}
    for parallel in (False, True):
        paths = data_paths(tmp_path / f"parallel_{parallel}")
        paths.root.mkdir()
        shutil.copyfile(built.warehouse, paths.warehouse)
        update_warehouse(paths, lambda con, p=paths, x=parallel: train_models(con, settings, p.models, parallel=x))
        con = duckdb.connect(str(paths.warehouse), read_only=True)
        try:
            tables[parallel] = (
                {
                    name: con.sql(f"select * exclude (run_id) from {name}").pl()  # noqa: S608 - fixed names
                    for name in ("model_backtest", "model_calibration", "model_importance")
                }
                | {"attrition_scores": con.sql("select * exclude (run_id, scored_at) from attrition_scores").pl()}
                | {
                    name: con.sql(f"select * from {name} order by all").pl()  # noqa: S608 - fixed names
                    for name in ("kpi_ticket_expectations", "kpi_agent_periods", "kpi_proficiency")
                }
            )
        finally:
            con.close()
    assert tables[False]["model_backtest"].height > 0  # the organisation is long enough to backtest
    assert tables[False]["attrition_scores"].height > 0
    for name, frame in tables[False].items():
        # the KPI tables come from this process either way; their means are summed in the order
        # Polars' threads finish, so they are compared to 12 significant digits
        assert_frame_equal(frame, tables[True][name], check_exact=not name.startswith("kpi"), rel_tol=1e-12)
