"""The read context: a read-only DuckDB connection to the warehouse plus the settings."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import duckdb
import polars as pl

from pipelines.config import Settings


@dataclass
class Context:
    """What every read function needs besides the Viewer: the connection and the settings."""

    con: duckdb.DuckDBPyConnection
    settings: Settings
    # frames read inside a reuse() block, by (sql, parameters); None outside one
    _reused: dict[tuple[str, tuple[tuple[str, str], ...]], pl.DataFrame] | None = field(default=None, repr=False)

    def frame(self, sql: str, params: dict[str, Any] | None = None) -> pl.DataFrame:
        """Run a bound query and return a Polars frame (read once per reuse() block when inside one)."""
        if self._reused is None:
            return self.con.sql(sql, params=params or {}).pl()
        key = (sql, tuple(sorted((name, repr(value)) for name, value in (params or {}).items())))
        if key not in self._reused:
            self._reused[key] = self.con.sql(sql, params=params or {}).pl()
        return self._reused[key]

    @contextmanager
    def reuse(self) -> Iterator[Context]:
        """Within the block, the same query with the same parameters is read from the warehouse once.

        For a public function that calls several others over the same window (the executive
        summary, the tipping points): the frames are kept until the block ends, never across
        calls. Polars frames are immutable, so sharing one between readers is safe.
        """
        if self._reused is not None:  # nested: the outer block keeps the frames
            yield self
            return
        self._reused = {}
        try:
            yield self
        finally:
            self._reused = None

    def one(self, sql: str, params: dict[str, Any] | None = None) -> tuple[Any, ...] | None:
        """Run a bound query and return its first row."""
        rows = self.con.execute(sql, params or {}).fetchall()  # fetch all: an unread result blocks the connection
        return rows[0] if rows else None

    def data_end_date(self) -> date:
        """The latest date with data: the default as_of of every metric."""
        row = self.one("select data_end_date from marts_data_dates")
        if row is None or row[0] is None:
            raise LookupError("the warehouse has no job events yet: ingest an HR export first")
        return row[0]


@contextmanager
def open_context(path: str | os.PathLike[str], settings: Settings) -> Iterator[Context]:
    """A Context over the warehouse file at `path`, opened read-only and closed on exit."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        yield Context(con, settings)
    finally:
        con.close()


def connect_context(con: duckdb.DuckDBPyConnection, settings: Settings) -> Context:
    """A Context over an open connection (tests, in-memory warehouses)."""
    return Context(con, settings)
