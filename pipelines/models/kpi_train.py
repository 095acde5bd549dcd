"""Fit the KPI expectation models on marts_kpi_tickets and write their tables to the warehouse.

Tables (replaced on every run): kpi_ticket_expectations (one row per ticket), kpi_agent_periods
(one row per metric per period kind per agent per period) and kpi_model_quality (one row per
metric: how much of the ticket-to-ticket variation the cross-fitted expectation explains) and
kpi_proficiency (one row per hire spell: weeks until handle time reached the expectation).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

import duckdb
import numpy as np
import polars as pl

from pipelines.config import Settings
from pipelines.models.kpi_expectation import (
    N_FOLDS,
    OUTCOMES,
    WINDOW_QUARTERS,
    Outcome,
    add_ranks,
    agent_period_kpis,
    cross_fit,
    prepare_tickets,
)
from pipelines.models.kpi_proficiency import weeks_to_proficiency

log = logging.getLogger(__name__)

KPI_TABLES = ("kpi_ticket_expectations", "kpi_agent_periods", "kpi_model_quality", "kpi_proficiency")
PERIOD_KINDS = ("month", "quarter")
# hire spells whose start the ticket data covers (time to proficiency needs the first weeks)
SPELLS_SQL = """
select spell_id, employee_id, start_date, end_date, start_tier, hire_cohort
from marts_support_spells
where start_kind in ('hire', 'rehire') and start_date >= (select min(created_date) from marts_kpi_tickets)
"""
_EXPECTED_COLUMN = {
    "handle_time": "expected_handle_seconds",
    "resolution_time": "expected_resolution_hours",
    "reopen": "expected_reopen_rate",
    "csat": "expected_csat_good",
}


def _quoted(name: str) -> str:
    """A KPI table's name, quoted; only names from the fixed KPI_TABLES list are accepted."""
    if name not in KPI_TABLES:
        raise ValueError(f"{name!r} is not a KPI table")
    return '"' + name + '"'


def write_table(con: duckdb.DuckDBPyConnection, name: str, frame: pl.DataFrame) -> int:
    """Replace one KPI table with `frame` (through Arrow, no values in the SQL text); returns its row count."""
    con.register("_kpi_incoming", frame.to_arrow())
    try:
        con.execute("create or replace table " + _quoted(name) + " as select * from _kpi_incoming")  # noqa: S608 - whitelisted name
    finally:
        con.unregister("_kpi_incoming")
    return frame.height


def quality(scored: pl.DataFrame, outcome: Outcome) -> dict[str, Any]:
    """How well the cross-fitted expectation explains tickets, against the overall mean; one metric."""
    y, y_hat = scored["y"].to_numpy(), scored["y_hat"].to_numpy()
    base = np.full_like(y, y.mean())
    if outcome.kind == "log":
        loss, base_loss, name = np.mean((y - y_hat) ** 2), np.mean((y - base) ** 2), "r2_log_scale"
    else:
        loss, base_loss, name = np.mean((y - y_hat) ** 2), np.mean((y - base) ** 2), "brier_skill"
    return {
        "metric": outcome.name,
        "label": outcome.label,
        "n_tickets": int(len(y)),
        "score_name": name,
        "score": float(1 - loss / base_loss) if base_loss > 0 else None,
        "min_volume": outcome.min_volume,
        "n_folds": N_FOLDS,
        "window_quarters": WINDOW_QUARTERS,
        "fitted_at": datetime.now(UTC).replace(tzinfo=None),
    }


def build_kpi_tables(tickets: pl.DataFrame) -> dict[str, pl.DataFrame]:
    """Cross-fit every outcome and summarise per agent and period; the three KPI tables as frames."""
    prepared = prepare_tickets(tickets)
    base = prepared.select("source_system", "ticket_id", "employee_id", "created_date", "month", "quarter")
    expectations = base
    periods, qualities = [], []
    for outcome in OUTCOMES:
        scored = cross_fit(prepared, outcome)
        if scored.is_empty():
            continue
        expectations = expectations.join(
            scored.select("source_system", "ticket_id", pl.col("expected").alias(_EXPECTED_COLUMN[outcome.name])),
            on=["source_system", "ticket_id"],
            how="left",
        )
        rows = prepared.join(scored, on=["source_system", "ticket_id"])
        qualities.append(quality(scored, outcome))
        for kind in PERIOD_KINDS:
            kpis = add_ranks(agent_period_kpis(rows, outcome, kind), outcome)
            periods.append(kpis.with_columns(pl.lit(outcome.name).alias("metric"), pl.lit(kind).alias("period_kind")))
    for col in _EXPECTED_COLUMN.values():
        if col not in expectations.columns:
            expectations = expectations.with_columns(pl.lit(None, dtype=pl.Float64).alias(col))
    agent_periods = pl.concat(periods, how="diagonal_relaxed") if periods else pl.DataFrame()
    return {
        "kpi_ticket_expectations": expectations,
        "kpi_agent_periods": agent_periods.select("metric", "period_kind", pl.exclude("metric", "period_kind")),
        "kpi_model_quality": pl.DataFrame(qualities),
    }


def fit_kpi_models(con: duckdb.DuckDBPyConnection, settings: Settings) -> dict[str, int]:
    """Fit the KPI expectation models on marts_kpi_tickets and write the KPI tables; rows written per table."""
    tickets = con.sql("select * from marts_kpi_tickets").pl()
    if tickets.is_empty():
        log.info("no human-handled tickets matched to employees: KPI expectation models skipped")
        return {}
    tables = build_kpi_tables(tickets)
    spells = con.sql(SPELLS_SQL).pl()
    tables["kpi_proficiency"] = weeks_to_proficiency(
        tickets.join(
            tables["kpi_ticket_expectations"].select("source_system", "ticket_id", "expected_handle_seconds"),
            on=["source_system", "ticket_id"],
        ),
        spells,
    )
    counts = {name: write_table(con, name, frame) for name, frame in tables.items() if frame.width}
    log.info("KPI expectation tables written (%s); minimum group size %d", counts, settings.min_group_size)
    return counts


def kpi_table_frame(con: duckdb.DuckDBPyConnection, name: str) -> pl.DataFrame:
    """One KPI table as a frame (for the Parquet copy that survives `build`); empty when not written yet."""
    exists = con.execute("select count(*) from information_schema.tables where table_name = ?", [name]).fetchall()
    if not exists[0][0]:
        return pl.DataFrame()
    return con.sql("select * from " + _quoted(name)).pl()  # noqa: S608 - whitelisted name


def load_kpi_table(con: duckdb.DuckDBPyConnection, name: str, path: str) -> None:
    """Recreate one KPI table from its Parquet copy (after `build` rebuilt the warehouse)."""
    con.execute("create or replace table " + _quoted(name) + " as select * from read_parquet(?)", [path])  # noqa: S608 - whitelisted name
