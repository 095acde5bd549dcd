from datetime import date

from tests.pipelines.sources.helpers import ingest_one


def test_personio_api_json(tmp_path):
    f, rows = ingest_one(tmp_path, "personio_employees.json")
    assert (f.format, f.rows_loaded, f.rows_rejected) == ("personio.employees", 2, 0)
    e = rows.sort("employee_id").to_dicts()
    assert (e[0]["employee_id"], e[0]["work_email"], e[0]["location"], e[0]["department"]) == (
        "11",
        "jonas.weber@firma.example",
        "Berlin",
        "Customer Support",
    )
    assert (e[1]["manager_id"], e[1]["hire_date"], e[1]["exit_date"]) == ("11", date(2022, 1, 15), date(2024, 6, 30))
