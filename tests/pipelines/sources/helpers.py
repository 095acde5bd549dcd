"""Shared helpers for the adapter tests: fixture locations, query rows, ingest one vendor file."""

from pathlib import Path

from pipelines.config import DataPaths, load_settings
from pipelines.ingest import ingest_paths
from pipelines.lake import live_rows

FIXTURES = Path(__file__).parents[2] / "fixtures" / "sources"
ORG = FIXTURES / "org"
VENDORS = FIXTURES / "vendors"


def rows(con, sql, *params):
    """Rows as tuples (through Polars: DuckDB would need pytz for time zones)."""
    return con.sql(sql, params=list(params) or None).pl().rows()


def ingest_one(tmp_path, name, config_text=""):
    """Ingest one vendor fixture into a fresh data dir: (file report, live rows of its entity)."""
    cfg = tmp_path / "s.toml"
    cfg.write_text(config_text)
    data = DataPaths(tmp_path / "d")
    (report,) = ingest_paths([VENDORS / name], load_settings(cfg), data).files
    return report, live_rows(data.lake, report.entity)
