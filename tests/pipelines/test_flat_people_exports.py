"""HR systems that export a flat employee list (Workday, Personio, HiBob): spells and exits still work.

The employee record stands in for a hire on the hire date and an exit on the termination date.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb

from pipelines.config import DataPaths, load_settings
from pipelines.ingest import ingest_paths
from pipelines.warehouse import build_warehouse

WORKDAY = """Employee_ID,First_Name,Last_Name,Business_Title,Department,Location,Manager_ID,Hire_Date,Termination_Date,Termination_Involuntary,Primary_Termination_Reason
W1,Rosa,Diaz,Support Manager,Customer Support,Austin,,2019-03-01,,,
W2,Lee,Park,Customer Support Specialist 2,Customer Support,Austin,W1,2021-07-15,2023-12-31,0,Better offer
W3,Kim,Ng,Customer Support Specialist 1,Customer Support,Austin,W1,2022-01-10,2024-02-29,1,Performance
W4,Ana,Silva,Account Executive,Sales,Austin,,2020-05-01,,,
W5,Tom,Berg,Customer Support Specialist 1,Customer Support,Austin,W1,2024-01-08,2024-01-08,0,No show
"""

PERSONIO = """ID,First name,Last name,Email,Position,Department,Hire date,Termination date,Termination type,Termination reason
11,Jonas,Weber,jonas@firma.example,Team Lead,Customer Support,2020-01-01,,,
12,Mia,Koch,mia@firma.example,Customer Support Specialist 1,Customer Support,2022-01-15,2024-06-30,employee,New job
13,Lukas,Frei,lukas@firma.example,Customer Support Specialist 1,Customer Support,2022-02-01,2023-03-31,employer,Probation
"""


def _spells(tmp_path: Path, name: str, text: str) -> dict[str, tuple]:
    export = tmp_path / name
    export.write_text(text)
    data = DataPaths(tmp_path / "data")
    settings = load_settings()
    (report,) = ingest_paths([export], settings, data).files
    assert report.rows_rejected == 0, report.message
    build_warehouse(settings, data)
    con = duckdb.connect(str(data.warehouse), read_only=True)
    try:
        rows = con.execute(
            "select employee_id, start_date, end_date, start_kind, end_kind from marts_support_spells"
        ).fetchall()
    finally:
        con.close()
    return {r[0]: r[1:] for r in rows}


def test_workday_report_gives_spells_with_exit_types(tmp_path: Path):
    spells = _spells(tmp_path, "workers.csv", WORKDAY)
    # W4 never worked in support; W5 was hired and left on the same day (a one-day spell)
    assert set(spells) == {"W1", "W2", "W3", "W5"}
    assert spells["W1"] == (date(2019, 3, 1), None, "hire", None)
    assert spells["W2"] == (date(2021, 7, 15), date(2023, 12, 31), "hire", "voluntary")
    assert spells["W3"] == (date(2022, 1, 10), date(2024, 2, 29), "hire", "involuntary")
    assert spells["W5"] == (date(2024, 1, 8), date(2024, 1, 8), "hire", "voluntary")


def test_personio_termination_type_employee_or_employer(tmp_path: Path):
    spells = _spells(tmp_path, "employees.csv", PERSONIO)
    # Personio's "employee" = the employee resigned (voluntary); "employer" = let go (involuntary)
    assert spells["12"][2:] == ("hire", "voluntary")
    assert spells["13"][2:] == ("hire", "involuntary")
    assert spells["11"][1] is None
