"""KPI tables: built from tickets, written under whitelisted names, copied to Parquet and back."""

from __future__ import annotations

import duckdb
import polars as pl
import pytest

from pipelines.models.kpi_train import KPI_TABLES, kpi_table_frame, load_kpi_table, write_table
from tests.pipelines.models.test_kpi_expectation import _tickets


def test_build_and_round_trip(tmp_path):
    from pipelines.models.kpi_train import build_kpi_tables

    tickets = (
        _tickets(3.0)
        .drop("fold", "quarter_index", "month_of_year")
        .with_columns(
            pl.lit(None, dtype=pl.Float64).alias("resolution_hours"),
            pl.lit(None, dtype=pl.Boolean).alias("is_reopened"),
            pl.lit(None, dtype=pl.Boolean).alias("csat_good"),
            pl.col("month").alias("created_date"),
        )
    )
    tables = build_kpi_tables(tickets)
    # handle time only (the other outcomes are all null here): 720 tickets, 12 agents x 2 quarters (+ months)
    assert tables["kpi_ticket_expectations"].height == 720
    assert tables["kpi_ticket_expectations"]["expected_resolution_hours"].null_count() == 720
    periods = tables["kpi_agent_periods"]
    assert set(periods["metric"]) == {"handle_time"}
    assert periods.filter(pl.col("period_kind") == "quarter").height == 24
    # measured 0.55: hard vs easy is explained where a fold-quarter has 200+ training rows; the
    # others fall back to the training mean, and the slow agent's 3x is (rightly) not explained
    assert 0.5 < tables["kpi_model_quality"]["score"].item() < 0.9

    con = duckdb.connect(":memory:")
    assert write_table(con, "kpi_agent_periods", periods) == periods.height
    path = tmp_path / "kpi_agent_periods.parquet"
    kpi_table_frame(con, "kpi_agent_periods").write_parquet(path)
    fresh = duckdb.connect(":memory:")
    load_kpi_table(fresh, "kpi_agent_periods", str(path))
    assert kpi_table_frame(fresh, "kpi_agent_periods").height == periods.height
    assert kpi_table_frame(fresh, "kpi_proficiency").is_empty()  # not written yet: empty, no error


def test_only_kpi_tables_can_be_written():
    con = duckdb.connect(":memory:")
    with pytest.raises(ValueError, match="not a KPI table"):
        write_table(con, "employees; drop table x", pl.DataFrame({"a": [1]}))
    assert "kpi_proficiency" in KPI_TABLES
