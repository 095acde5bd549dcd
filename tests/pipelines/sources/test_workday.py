from datetime import date

import polars as pl

from tests.pipelines.sources.helpers import VENDORS, ingest_one


def test_workday_report_with_default_headers(tmp_path):
    f, rows = ingest_one(tmp_path, "workday_workers.csv")
    assert (f.format, f.rows_read, f.rows_loaded, f.rows_rejected) == ("workday.employees", 3, 2, 1)
    e = rows.sort("employee_id").to_dicts()
    assert (e[1]["title"], e[1]["manager_id"], e[1]["hire_date"], e[1]["exit_date"]) == (
        "Customer Support Specialist 2",
        "W100",
        date(2021, 7, 15),
        date(2023, 12, 31),
    )


def test_workday_headers_are_configurable(tmp_path):
    src = pl.read_csv(VENDORS / "workday_workers.csv", infer_schema=False).rename({"Hire_Date": "Date Joined"})
    (tmp_path / "in").mkdir()
    src.write_csv(tmp_path / "in" / "workers.csv")
    from pipelines.config import DataPaths, load_settings
    from pipelines.ingest import ingest_paths

    cfg = tmp_path / "s.toml"
    cfg.write_text('[mapping.workday.employees]\nhire_date = "Date Joined"\n')
    (f,) = ingest_paths([tmp_path / "in" / "workers.csv"], load_settings(cfg), DataPaths(tmp_path / "d")).files
    assert (f.format, f.rows_loaded) == ("workday.employees", 2)
