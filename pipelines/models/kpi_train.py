"""Fit the KPI expectation models on marts_kpi_tickets and write their tables to the warehouse.

Tables (replaced on every run): kpi_ticket_expectations (one row per ticket), kpi_agent_periods
(one row per metric per period kind per agent per period) and kpi_model_quality (one row per
metric: how much of the ticket-to-ticket variation the cross-fitted expectation explains),
kpi_proficiency (one row per hire spell: weeks until handle time reached the expectation) and
kpi_parity_units (one row per unit per group-parity outcome of the default window, written by
train through pipelines.metrics.fairness.parity_units_table).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

import duckdb
import numpy as np
import polars as pl

from pipelines.config import Settings
from pipelines.models.kpi_expectation import (
    FEATURES,
    MAX_FIT_ROWS,
    N_FOLDS,
    OUTCOMES,
    WINDOW_QUARTERS,
    EncodedRows,
    FeatureEncoder,
    Outcome,
    add_ranks,
    agent_period_kpis,
    cross_fit_quarter,
    prepare_tickets,
    usable_rows,
)
from pipelines.models.kpi_proficiency import proficiency_from_weeks, weekly_totals

log = logging.getLogger(__name__)

KPI_TABLES = (
    "kpi_ticket_expectations",
    "kpi_agent_periods",
    "kpi_model_quality",
    "kpi_proficiency",
    "kpi_parity_units",
)
PERIOD_KINDS = ("month", "quarter")
# hire spells whose start the ticket data covers (time to proficiency needs the first weeks)
SPELLS_SQL = """
select spell_id, employee_id, start_date, end_date, start_tier, hire_cohort
from marts_support_spells
where start_kind in ('hire', 'rehire') and start_date >= (select min(created_date) from marts_kpi_tickets)
"""
QUARTERS_SQL = "select distinct quarter from marts_kpi_tickets where quarter is not null order by quarter"
# rowid: the warehouse order, kept so that a fit sees its rows in the same order however they were read
QUARTER_TICKETS_SQL = "select *, rowid as _order from marts_kpi_tickets where quarter = $quarter order by rowid"
_KEYS = ("source_system", "ticket_id")
_BASE_COLUMNS = ("source_system", "ticket_id", "employee_id", "created_date", "month", "quarter")
_FIT_COLUMNS = (*FEATURES, "fold", "quarter_index", "_order")  # what a cross-fit reads of a quarter
_PERIOD_COLUMNS = ("_order", "employee_id", "agent_team", "agent_tier", *PERIOD_KINDS)  # agent_period_kpis's
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


class QualitySums:
    """Running sums for kpi_model_quality, so that the scores need no per-ticket arrays; one metric."""

    def __init__(self) -> None:
        self.n = 0
        self.shift: float | None = None  # sums of squares are taken about the first chunk's mean
        self.sum_d = 0.0
        self.sum_d2 = 0.0
        self.sum_err2 = 0.0

    def add(self, scored: pl.DataFrame) -> None:
        y, y_hat = scored["y"].to_numpy(), scored["y_hat"].to_numpy()
        if not len(y):
            return
        if self.shift is None:
            self.shift = float(y.mean())
        d = y - self.shift
        self.n += len(y)
        self.sum_d += float(d.sum())
        self.sum_d2 += float((d * d).sum())
        self.sum_err2 += float(((y - y_hat) ** 2).sum())

    def row(self, outcome: Outcome) -> dict[str, Any]:
        """How well the cross-fitted expectation explains tickets, against the overall mean."""
        loss = self.sum_err2 / self.n
        mean_d = self.sum_d / self.n
        base_loss = max(self.sum_d2 / self.n - mean_d * mean_d, 0.0)
        return {
            "metric": outcome.name,
            "label": outcome.label,
            "n_tickets": self.n,
            "score_name": "r2_log_scale" if outcome.kind == "log" else "brier_skill",
            "score": float(1 - loss / base_loss) if base_loss > 0 else None,
            "min_volume": outcome.min_volume,
            "n_folds": N_FOLDS,
            "window_quarters": WINDOW_QUARTERS,
            "fitted_at": datetime.now(UTC).replace(tzinfo=None),
        }


def quality(scored: pl.DataFrame, outcome: Outcome) -> dict[str, Any]:
    """How well the cross-fitted expectation explains tickets, against the overall mean; one metric."""
    sums = QualitySums()
    sums.add(scored)
    return sums.row(outcome)


def kpi_chunks(
    quarters: Iterable[pl.DataFrame],
    encoders: dict[str, FeatureEncoder],
    qualities: list[dict[str, Any]],
    window: int = WINDOW_QUARTERS,
    max_rows: int = MAX_FIT_ROWS,
) -> Iterator[tuple[str, pl.DataFrame]]:
    """Cross-fit every outcome a quarter at a time; yields (table, rows) for kpi_ticket_expectations and kpi_agent_periods.

    quarters: prepared tickets (prepare_tickets, one shared quarter numbering), one frame per
    quarter in ascending order. Only the trailing `window` quarters are held at once, so memory
    follows a quarter's tickets, not all of them. Months and quarters nest, so every period's
    agents are complete in its quarter's chunk (shrinkage and ranks are within a period).
    `qualities` receives one kpi_model_quality row per metric at the end.
    """
    held: dict[str, dict[int, tuple[pl.DataFrame, np.ndarray]]] = {o.name: {} for o in OUTCOMES}
    sums = {o.name: QualitySums() for o in OUTCOMES}
    for prepared in quarters:
        if prepared.is_empty():
            continue
        q = int(prepared["quarter_index"][0])
        expectations = prepared.select(*_BASE_COLUMNS, "_order")
        periods = []
        for outcome in OUTCOMES:
            window_rows = held[outcome.name]
            for old in [i for i in window_rows if i <= q - window]:
                del window_rows[old]
            # only the columns each step reads: a quarter's frame is copied per outcome
            usable = usable_rows(prepared.select(*_FIT_COLUMNS, outcome.column), outcome)
            if usable.is_empty():
                continue
            # held for the window: each feature's one-hot column and the few columns a fit needs
            # (the warehouse row id stands for the ticket's keys: no strings held for four
            # quarters); the one-hot rows are built only for the rows a fit or a prediction takes
            held_columns = usable.select(
                "y", pl.col("fold").cast(pl.Int8), pl.col("quarter_index").cast(pl.Int32), "_order"
            )
            window_rows[q] = (held_columns, encoders[outcome.name].columns(usable))
            rows = pl.concat([r for r, _ in window_rows.values()])
            x = EncodedRows(np.concatenate([m for _, m in window_rows.values()]), encoders[outcome.name].n_columns)
            # the rows in warehouse order (as one in-memory fit over every ticket would see them);
            # the matrix is not reordered, cross_fit_quarter takes the rows it needs through `order`
            order = np.argsort(rows["_order"].to_numpy(), kind="stable")
            scored = cross_fit_quarter(rows[order], x, q, outcome, max_rows=max_rows, row_order=order)
            # _order is the warehouse row id: one integer key instead of (source_system, ticket_id)
            expectations = expectations.join(
                scored.select("_order", pl.col("expected").alias(_EXPECTED_COLUMN[outcome.name])),
                on="_order",
                how="left",
            )
            sums[outcome.name].add(scored)
            rows = prepared.select(*_PERIOD_COLUMNS, outcome.column).join(
                scored.select("_order", "y", "y_hat", "expected"), on="_order"
            )
            for kind in PERIOD_KINDS:
                kpis = add_ranks(agent_period_kpis(rows, outcome, kind), outcome)
                periods.append(
                    kpis.with_columns(pl.lit(outcome.name).alias("metric"), pl.lit(kind).alias("period_kind"))
                )
        for col in _EXPECTED_COLUMN.values():
            if col not in expectations.columns:
                expectations = expectations.with_columns(pl.lit(None, dtype=pl.Float64).alias(col))
        yield "kpi_ticket_expectations", expectations.select(*_BASE_COLUMNS, *_EXPECTED_COLUMN.values())
        if periods:
            agent_periods = pl.concat(periods, how="diagonal_relaxed")
            yield (
                "kpi_agent_periods",
                agent_periods.select("metric", "period_kind", pl.exclude("metric", "period_kind")),
            )
    qualities.extend(sums[o.name].row(o) for o in OUTCOMES if sums[o.name].n)


def build_kpi_tables(tickets: pl.DataFrame) -> dict[str, pl.DataFrame]:
    """Cross-fit every outcome and summarise per agent and period; the three KPI tables as frames (in memory)."""
    prepared = prepare_tickets(tickets).with_row_index("_order")
    encoders = {o.name: FeatureEncoder.from_frame(usable_rows(prepared, o)) for o in OUTCOMES}
    qualities: list[dict[str, Any]] = []
    parts: dict[str, list[pl.DataFrame]] = {"kpi_ticket_expectations": [], "kpi_agent_periods": []}
    by_quarter = prepared.sort("quarter_index", maintain_order=True).partition_by("quarter_index", maintain_order=True)
    for name, frame in kpi_chunks(by_quarter, encoders, qualities):
        parts[name].append(frame)
    periods = (
        pl.concat(parts["kpi_agent_periods"], how="diagonal_relaxed") if parts["kpi_agent_periods"] else pl.DataFrame()
    )
    return {
        "kpi_ticket_expectations": pl.concat(parts["kpi_ticket_expectations"]),
        "kpi_agent_periods": periods,
        "kpi_model_quality": pl.DataFrame(qualities),
    }


def _usable_sql(outcome: Outcome) -> str:
    """The WHERE clause of an outcome's usable tickets (column names from the fixed OUTCOMES list)."""
    column = '"' + outcome.column + '"'
    return f"{column} is not null and {column} > 0" if outcome.kind == "log" else f"{column} is not null"


def warehouse_encoders(con: duckdb.DuckDBPyConnection) -> dict[str, FeatureEncoder]:
    """Each outcome's feature encoder, learnt from per-feature value counts in marts_kpi_tickets (GROUP BYs)."""
    encoders = {}
    for outcome in OUTCOMES:
        counts = {}
        for feature in FEATURES:
            value = "month(month)" if feature == "month_of_year" else '"' + feature + '"'
            counts[feature] = con.sql(
                f"select {value} as value, count(*) as n from marts_kpi_tickets where {_usable_sql(outcome)} group by all"  # noqa: S608 - whitelisted names
            ).pl()
        encoders[outcome.name] = FeatureEncoder.from_value_counts(counts)
    return encoders


def warehouse_quarters(con: duckdb.DuckDBPyConnection) -> Iterator[pl.DataFrame]:
    """marts_kpi_tickets a quarter at a time, prepared, in ascending order (with _order, the warehouse row order)."""
    quarters = [row[0] for row in con.execute(QUARTERS_SQL).fetchall()]
    for quarter in quarters:
        frame = con.sql(QUARTER_TICKETS_SQL, params={"quarter": quarter}).pl()
        yield prepare_tickets(frame, first_quarter=quarters[0])


class _Latest:
    """An iterator that remembers the item it handed out last."""

    def __init__(self, items: Iterator[pl.DataFrame]) -> None:
        self.items = items
        self.latest: pl.DataFrame | None = None

    def __iter__(self) -> Iterator[pl.DataFrame]:
        for item in self.items:
            self.latest = item
            yield item


def _insert(con: duckdb.DuckDBPyConnection, name: str, frame: pl.DataFrame, created: set[str]) -> None:
    """Append rows to a KPI table, creating it from the first chunk."""
    if name not in created:
        write_table(con, name, frame)
        created.add(name)
        return
    con.register("_kpi_incoming", frame.to_arrow())
    try:
        con.execute("insert into " + _quoted(name) + " by name select * from _kpi_incoming")  # noqa: S608 - whitelisted name
    finally:
        con.unregister("_kpi_incoming")


def fit_kpi_models(con: duckdb.DuckDBPyConnection, settings: Settings) -> dict[str, int]:
    """Fit the KPI expectation models on marts_kpi_tickets and write the KPI tables; rows written per table.

    Streamed a quarter at a time (kpi_chunks): peak memory follows the tickets of a window of
    quarters, and each model is fitted on at most MAX_FIT_ROWS rows (fit_sample).
    """
    if not con.execute("select count(*) from marts_kpi_tickets").fetchall()[0][0]:
        log.info("no human-handled tickets matched to employees: KPI expectation models skipped")
        return {}
    counts: dict[str, int] = {}
    created: set[str] = set()
    qualities: list[dict[str, Any]] = []
    spells = con.sql(SPELLS_SQL).pl()
    weeks = []
    quarters = _Latest(warehouse_quarters(con))
    for name, frame in kpi_chunks(quarters, warehouse_encoders(con), qualities):
        _insert(con, name, frame, created)
        counts[name] = counts.get(name, 0) + frame.height
        if name == "kpi_ticket_expectations" and quarters.latest is not None:
            # time to proficiency: this quarter's hire-spell weeks (weeks crossing quarters are summed below)
            tickets = quarters.latest.select(*_KEYS, "employee_id", "created_date", "handle_seconds")
            expected = frame.select(*_KEYS, "expected_handle_seconds")
            weeks.append(weekly_totals(tickets.join(expected, on=list(_KEYS)), spells))
    counts["kpi_model_quality"] = write_table(con, "kpi_model_quality", pl.DataFrame(qualities))
    weekly = (
        pl.concat(weeks)
        .group_by("spell_id", "week")
        .agg(pl.col("n").sum(), pl.col("observed").sum(), pl.col("expected").sum(), pl.col("start_date").first())
    )
    counts["kpi_proficiency"] = write_table(con, "kpi_proficiency", proficiency_from_weeks(weekly, spells))
    log.info("KPI expectation tables written (%s); minimum group size %d", counts, settings.min_group_size)
    return counts


def kpi_table_frame(con: duckdb.DuckDBPyConnection, name: str) -> pl.DataFrame:
    """One KPI table as a frame (for the Parquet copy that survives `build`); empty when not written yet."""
    exists = con.execute("select count(*) from information_schema.tables where table_name = ?", [name]).fetchall()
    if not exists[0][0]:
        return pl.DataFrame()
    return con.sql("select * from " + _quoted(name)).pl()  # noqa: S608 - whitelisted name


def save_kpi_table(con: duckdb.DuckDBPyConnection, name: str, path: str) -> bool:
    """Copy one KPI table to a Parquet file inside DuckDB (no Python rows); False when not written yet."""
    exists = con.execute("select count(*) from information_schema.tables where table_name = ?", [name]).fetchall()
    if not exists[0][0]:
        return False
    con.execute("copy (select * from " + _quoted(name) + ") to $path (format parquet)", {"path": path})  # noqa: S608 - whitelisted name
    return True


def load_kpi_table(con: duckdb.DuckDBPyConnection, name: str, path: str) -> None:
    """Recreate one KPI table from its Parquet copy (after `build` rebuilt the warehouse)."""
    con.execute("create or replace table " + _quoted(name) + " as select * from read_parquet(?)", [path])  # noqa: S608 - whitelisted name
