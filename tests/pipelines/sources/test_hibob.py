from datetime import date

from tests.pipelines.sources.helpers import ingest_one


def test_hibob_people_search(tmp_path):
    f, rows = ingest_one(tmp_path, "hibob_people.json")
    assert (f.format, f.rows_loaded, f.rows_rejected) == ("hibob.employees", 2, 0)
    e = rows.sort("employee_id").to_dicts()
    assert (e[0]["full_name"], e[0]["location"], e[0]["hire_date"]) == ("Ada Lovel", "London", date(2020, 2, 3))
    assert (e[1]["manager_id"], e[1]["exit_date"]) == ("3332883884017713238", date(2024, 8, 30))
