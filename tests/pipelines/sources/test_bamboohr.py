from datetime import date

from tests.pipelines.sources.helpers import rows


def test_employees_report_resolves_managers_by_display_name(org):
    files, con = org
    f = files["employees.csv"]
    assert (f.format, f.rows_read, f.rows_loaded, f.rows_rejected) == ("bamboohr.employees", 5, 4, 1)
    got = rows(
        con,
        "select employee_id, full_name, work_email, is_remote, original_hire_date, hire_date, exit_date, manager_id from employees order by 1",
    )
    assert got[2] == (
        "1003",
        "Aoife Walsh",
        "aoife.walsh@acmecloud.example",
        True,
        date(2021, 2, 1),
        date(2022, 3, 1),
        None,
        "1002",
    )
    assert got[3][6] == date(2023, 5, 31)
    reason = rows(con, "select line, \"column\", value, reason from rejected_rows where file like '%employees.csv'")
    assert reason == [
        (
            6,
            "Reporting to",
            "Nobody Known",
            "manager not found: no person with this name in the BambooHR employees file",
        )
    ]


def test_job_information_and_employment_status_become_job_events(org):
    files, con = org
    assert (files["job_information.csv"].rows_loaded, files["job_information.csv"].rows_rejected) == (6, 1)
    assert (files["employment_status.csv"].rows_loaded, files["employment_status.csv"].rows_rejected) == (6, 0)
    hires = rows(
        con,
        "select employee_id, effective_date, title, tier, manager_id from job_events where event_kind = 'hire' order by 1, 2",
    )
    assert ("1003", date(2022, 3, 1), "Customer Support Specialist 2", "Tier 1", "1002") in hires
    assert len(hires) == 5  # 4 new hires + 1 rehire
    exits = rows(
        con,
        "select employee_id, effective_date, exit_type, exit_reason, is_regretted from job_events where event_kind = 'exit' order by 1",
    )
    assert exits == [
        ("1003", date(2021, 12, 31), "voluntary", "Return to School", True),
        ("1004", date(2023, 5, 31), "involuntary", "Performance", False),
    ]
    seqs = rows(
        con,
        "select event_seq, event_kind from job_events where employee_id = '1003' and effective_date = '2022-03-01' order by 1",
    )
    assert seqs == [(0, "hire"), (1, "job")]


def test_compensation_bands_growth_reviews_competencies(org):
    files, con = org
    assert rows(con, "select employee_id, annual_pay, currency from compensation order by 1, 2") == [
        ("1003", 38500.0, "USD"),
        ("1003", 42000.0, "USD"),
        ("1004", 38400.0, "USD"),
        ("1004", 42000.0, "USD"),  # 3,500 a month: the later of two entries on 2022-01-01
    ]
    assert files["compensation.csv"].rows_rejected == 2  # a negative pay rate; an earlier same-day entry
    same_day = rows(
        con, "select line, value, reason from rejected_rows where file like '%compensation.csv' and line = 6"
    )
    assert same_day == [
        (
            6,
            "2022-01-01 (later entry on line 7)",
            "replaced by a later entry with the same effective date (BambooHR applies the later one)",
        )
    ]
    assert rows(con, "select band_min, band_mid, band_max from pay_bands order by 1")[0] == (36000.0, 40000.0, 44000.0)
    assert rows(con, "select activity_type, end_date from growth_activities order by start_date") == [
        ("mentoring", None),
        ("content", date(2023, 4, 30)),
    ]
    assert (files["growth_activities.csv"].rows_loaded, files["growth_activities.csv"].rows_rejected) == (2, 2)
    assert rows(con, "select employee_id, cycle, rating, is_on_pip from performance_reviews order by 1") == [
        ("1003", "2022-H2", 3.8, False),
        ("1004", "2022-H2", 2.1, True),
    ]
    assert (files["competency_ratings.csv"].rows_loaded, files["competency_ratings.csv"].rows_rejected) == (1, 2)


def test_job_history_without_any_employees_report_is_refused(tmp_path):
    import pytest

    from pipelines.config import DataPaths, load_settings
    from pipelines.ingest import IngestError, ingest_paths
    from tests.pipelines.sources.helpers import ORG

    with pytest.raises(IngestError, match="job_information.csv: names managers by display name"):
        ingest_paths([ORG / "bamboohr" / "job_information.csv"], load_settings(), DataPaths(tmp_path))
    report = ingest_paths(
        [ORG / "bamboohr" / "employees.csv", ORG / "bamboohr" / "job_information.csv"],
        load_settings(),
        DataPaths(tmp_path),
    )
    assert [(f.entity, f.rows_loaded) for f in report.files] == [("employees", 4), ("job_events", 6)]
