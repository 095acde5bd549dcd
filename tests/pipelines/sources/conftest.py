from pathlib import Path

import duckdb
import pytest

from pipelines.config import DataPaths, load_settings
from pipelines.ingest import ingest_paths
from pipelines.warehouse import build_warehouse
from tests.pipelines.sources.helpers import ORG


@pytest.fixture(scope="session")
def org(tmp_path_factory):
    """The hand-checked fixture organisation ingested and built once: (report by file name, connection)."""
    data = DataPaths(tmp_path_factory.mktemp("org"))
    settings = load_settings(ORG / "tenure.toml")
    report = ingest_paths([ORG], settings, data)
    build_warehouse(settings, data)
    con = duckdb.connect(str(data.warehouse), read_only=True)
    by_name = {Path(f.file).name: f for f in report.files}
    yield by_name, con
    con.close()
