from datetime import UTC, datetime

import polars as pl
import pytest

from pipelines.config import DataPaths, load_settings
from pipelines.ingest import IngestError, ingest_paths
from pipelines.lake import live_rows
from tests.pipelines.sources.helpers import rows


def test_canonical_qa_reviews(org):
    files, con = org
    assert (files["qa_reviews.csv"].rows_loaded, files["qa_reviews.csv"].rows_rejected) == (1, 1)
    assert rows(con, "select ticket_id, reviewed_at, score from qa_reviews") == [
        ("101", datetime(2023, 1, 10, 10, tzinfo=UTC), 85.0)
    ]


def test_canonical_parquet_and_xlsx_need_no_configuration(tmp_path):
    data = DataPaths(tmp_path / "d")
    pl.DataFrame(
        {"employee_id": ["7"], "original_hire_date": ["2022-01-03"], "work_email": [" A@B.example "]}
    ).write_parquet(tmp_path / "employees.parquet")
    pl.DataFrame(
        {"source_system": ["canonical"], "ticket_id": ["1"], "created_at": ["2024-01-01 10:00"], "channel": ["email"]}
    ).write_excel(tmp_path / "tickets.xlsx")
    report = ingest_paths([tmp_path / "employees.parquet", tmp_path / "tickets.xlsx"], load_settings(), data)
    assert [(f.format, f.rows_loaded) for f in report.files] == [("canonical.employees", 1), ("canonical.tickets", 1)]
    assert live_rows(data.lake, "employees")["work_email"].to_list() == ["a@b.example"]


def test_wrong_kind_file_is_refused(tmp_path):
    (tmp_path / "employees.csv").write_text("source_system,ticket_id,created_at\nzendesk,1,2024-01-01\n")
    with pytest.raises(IngestError, match="named for employees but its columns are those of canonical tickets"):
        ingest_paths([tmp_path / "employees.csv"], load_settings(), DataPaths(tmp_path / "d"))
