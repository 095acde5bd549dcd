"""Workload and breathing room on a hand-made warehouse: open complex tickets per day, overload runs, streaks."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import duckdb
import polars as pl
import pytest

from pipelines.access import Role, Viewer
from pipelines.config import load_settings
from pipelines.metrics import connect_context
from pipelines.metrics.workload import get_workload
from pipelines.sql import model_sql


def _ticket(i: int, day: date, hours: float, complex_: bool = True, csat: bool | None = None) -> dict:
    return {
        "source_system": "canonical",
        "ticket_id": f"t{i}",
        "employee_id": "a1",
        "created_at": datetime(day.year, day.month, day.day, 9),
        "created_date": day,
        "is_complex": complex_,
        "csat_good": csat,
        "resolution_hours": hours,
    }


@pytest.fixture
def ctx():
    con = duckdb.connect(":memory:")
    monday = date(2024, 1, 1)
    rows = []
    # weeks 1-3: 4 complex tickets created each Monday, open 3 days (72 h): Monday-Thursday 4 open each day;
    # week 4: 1 ticket. Ratings: bad, bad, bad, good, bad (one streak of 3).
    for w in range(3):
        rows += [_ticket(10 * w + k, monday + timedelta(weeks=w), 72.0) for k in range(4)]
    rows.append(_ticket(99, monday + timedelta(weeks=3), 1.0, complex_=False))
    for k, good in enumerate([False, False, False, True, False]):
        rows.append(_ticket(200 + k, monday + timedelta(weeks=3, days=k), 1.0, complex_=False, csat=good))
    frame = pl.DataFrame(rows)  # noqa: F841 - read by DuckDB below
    con.execute("create table marts_kpi_tickets as select * from frame")
    for model in ("marts_kpi_workload_days", "marts_kpi_workload_weeks", "marts_kpi_rated_tickets"):
        con.execute(model_sql(model))
    con.execute(
        "create table staging_job_states (employee_id varchar, valid_from date, valid_to date, "
        "manager_id varchar, is_employed boolean)"
    )
    con.execute("insert into staging_job_states values ('a1', '2020-01-01', null, 'm1', true)")
    con.execute(model_sql("marts_reporting_spans"))
    con.execute("create table employees as select 'a1' as employee_id, 'Agent One' as full_name")
    return connect_context(con, load_settings())


def test_open_complex_per_day_counts_every_day_a_ticket_is_open(ctx):
    days = ctx.frame("select day, n_open_complex, n_new from marts_kpi_workload_days order by day")
    first_week = days.filter(pl.col("day") < date(2024, 1, 8))
    # created Monday 09:00, solved 72 h later on Thursday: open Monday, Tuesday, Wednesday, Thursday
    assert first_week["n_open_complex"].to_list() == [4, 4, 4, 4]
    assert first_week["n_new"].to_list() == [4, 0, 0, 0]


def test_overload_runs_and_negative_streaks(ctx):
    # norm 3: weeks 1-3 peak at 4 open -> 3 overload weeks in a row = sustained; streak of 3 bad ratings
    rows = get_workload(Viewer(Role.DIRECTOR), ctx, date(2024, 1, 1), date(2024, 2, 1), norm=3)
    a1 = rows.row(0, named=True)
    assert (a1["n_overload_weeks"], a1["longest_overload_weeks"], a1["has_sustained_overload"]) == (3, 3, True)
    assert (a1["peak_open_complex"], a1["n_weeks"]) == (4, 4)
    assert (a1["longest_bad_streak"], a1["n_bad_streaks"], a1["n_bad_ratings"]) == (3, 1, 4)
    # at the practice's norm (15) nobody is overloaded
    calm = get_workload(Viewer(Role.DIRECTOR), ctx, date(2024, 1, 1), date(2024, 2, 1)).row(0, named=True)
    assert calm["n_overload_weeks"] == 0 and not calm["has_sustained_overload"]


def test_windows_cutting_weeks_and_streaks_count_only_their_days(ctx):
    # Wednesday 3 .. Wednesday 17 January: week 1 keeps Wednesday-Thursday (4 open each, Monday's 4
    # new ones fall before the window), week 2 is whole (Monday 8 - Thursday 11), week 3 keeps
    # Monday 15 - Wednesday 17
    a1 = get_workload(Viewer(Role.DIRECTOR), ctx, date(2024, 1, 3), date(2024, 1, 17), norm=3).row(0, named=True)
    assert (a1["n_days"], a1["mean_open_complex"], a1["peak_open_complex"]) == (2 + 4 + 3, 4.0, 4)
    assert (a1["n_weeks"], a1["n_overload_weeks"], a1["longest_overload_weeks"]) == (3, 3, 3)
    assert a1["mean_new_complex_per_week"] == pytest.approx((0 + 4 + 4) / 3)
    assert (a1["longest_bad_streak"], a1["n_bad_ratings"]) == (0, 0)
    # ratings Monday 22 .. Friday 26: bad, bad, bad, good, bad; from Tuesday 23 the first run is 2 long
    a1 = get_workload(Viewer(Role.DIRECTOR), ctx, date(2024, 1, 23), date(2024, 1, 26)).row(0, named=True)
    assert (a1["longest_bad_streak"], a1["n_bad_streaks"], a1["n_bad_ratings"], a1["n_rated"]) == (2, 0, 3, 4)
    # Sunday 21 .. Friday 26 holds the whole run of 3 again (a partial week on both sides)
    a1 = get_workload(Viewer(Role.DIRECTOR), ctx, date(2024, 1, 21), date(2024, 1, 26)).row(0, named=True)
    assert (a1["longest_bad_streak"], a1["n_bad_streaks"]) == (3, 1)


def test_scope_manager_sees_their_report_executive_sees_no_rows(ctx):
    window = (date(2024, 1, 1), date(2024, 2, 1))
    assert get_workload(Viewer(Role.MANAGER, employee_id="m1"), ctx, *window).height == 1
    assert get_workload(Viewer(Role.MANAGER, employee_id="m2"), ctx, *window).height == 0
    assert get_workload(Viewer(Role.EXECUTIVE), ctx, *window).height == 0
