"""BambooHR-style exports: the employees report and the history tables, as frames of strings."""

from __future__ import annotations

import polars as pl

from pipelines.sample import org
from pipelines.sample.helpdesk import work_email
from pipelines.sample.people import History
from pipelines.sample.period import Period


def employee_numbers(h: History) -> list[str]:
    """Employee # per person: 1001 upwards in order of first hire (ties by creation order)."""
    order = sorted(range(len(h.persons)), key=lambda i: (h.persons[i].original_hire, i))
    numbers = [""] * len(order)
    for k, i in enumerate(order):
        numbers[i] = str(1001 + k)
    return numbers


def _frame(rows: list[tuple], columns: list[str]) -> pl.DataFrame:
    return pl.DataFrame([list(r) for r in rows], schema=dict.fromkeys(columns, pl.String), orient="row")


def _sorted(rows: list[tuple], numbers: list[str]) -> list[tuple]:
    """Rows keyed by person idx then date, in employee-number order (stable for same-day rows)."""
    return sorted(rows, key=lambda r: (int(numbers[r[0]]), r[1]))


def employees(h: History, numbers: list[str]) -> pl.DataFrame:
    """bamboohr/employees.csv: one row per person with current (or last) values."""
    rows = []
    for p in sorted(h.persons, key=lambda p: int(numbers[p.idx])):
        manager = h.persons[p.manager].name if p.manager is not None else ""
        status = "Terminated" if not p.employed else "Part-Time" if p.part_time else "Full-Time"
        rows.append(
            (
                numbers[p.idx],
                p.first,
                p.last,
                "",
                work_email(p),
                p.gender,
                p.location,
                "Yes" if p.remote else "No",
                p.department,
                p.team,
                p.title,
                manager,
                p.hire.isoformat(),
                p.original_hire.isoformat(),
                p.exit.isoformat() if p.exit and not p.employed else "",
                status,
                "Active" if p.employed else "Inactive",
            )
        )
    cols = (
        "Employee #,First Name,Last Name,Preferred Name,Work Email,Gender,Location,Remote,Department,Division,"
        "Job Title,Reporting to,Hire Date,Original Hire Date,Termination Date,Employment Status,Status"
    )
    return _frame(rows, cols.split(","))


def job_information(h: History, numbers: list[str]) -> pl.DataFrame:
    """bamboohr/job_information.csv: one row per dated job change."""
    rows = [
        (
            numbers[idx],
            on.isoformat(),
            loc,
            dept,
            div,
            title,
            h.persons[mgr].name if mgr is not None else "",
            f"Tier {tier}" if tier else "",
            reason,
        )
        for idx, on, loc, dept, div, title, mgr, tier, reason in _sorted(h.jobs, numbers)
    ]
    cols = "Employee #,Effective Date,Location,Department,Division,Job Title,Reports To,Support Tier,Change Reason"
    return _frame(rows, cols.split(","))


def employment_status(h: History, numbers: list[str]) -> pl.DataFrame:
    """bamboohr/employment_status.csv: hires, rehires and terminations with type, reason, regrettable."""
    rows = [(numbers[r[0]], r[1].isoformat(), *r[2:]) for r in _sorted(h.statuses, numbers)]
    cols = "Employee #,Effective Date,Employment Status,Termination Type,Termination Reason,Regrettable,Comment"
    return _frame(rows, cols.split(","))


def pay_rate(x: float) -> str:
    """BambooHR's display of a salary: `58,500.00 USD`."""
    return f"{x:,.2f} USD"


def compensation(h: History, numbers: list[str]) -> pl.DataFrame:
    """bamboohr/compensation.csv: one row per pay change."""
    rows = [
        (numbers[idx], on.isoformat(), pay_rate(pay), "Salary", "Year", reason)
        for idx, on, pay, reason in _sorted(h.comp, numbers)
    ]
    return _frame(rows, "Employee #,Effective Date,Pay Rate,Pay Type,Pay Period,Change Reason".split(","))


def pay_bands(period: Period) -> pl.DataFrame:
    """bamboohr/pay_bands.csv: one row per title per year (bands rise 3% each January)."""
    rows = []
    for title, mid0 in org.BAND_MID.items():
        for year in range(period.start.year, period.end.year + 1):
            mid = mid0 * (1 + org.BAND_GROWTH) ** (year - period.start.year)
            lo, hi = mid * (1 - org.BAND_WIDTH), mid * (1 + org.BAND_WIDTH)
            rows.append((title, f"{year}-01-01", *(str(round(v / 100) * 100) for v in (lo, mid, hi)), "USD"))
    return _frame(rows, "Job Title,Effective Date,Minimum,Midpoint,Maximum,Currency".split(","))


def growth_activities(h: History, numbers: list[str]) -> pl.DataFrame:
    """bamboohr/growth_activities.csv: one row per activity; End Date empty while ongoing."""
    rows = [
        (numbers[p.idx], g[0].isoformat(), g[1].isoformat() if g[1] else "", g[2], g[3])
        for p in h.persons
        for g in p.growth
    ]
    rows.sort(key=lambda r: (int(r[0]), r[1], r[3]))
    return _frame(rows, "Employee #,Start Date,End Date,Activity Type,Description".split(","))


def performance_reviews(h: History, numbers: list[str]) -> pl.DataFrame:
    """bamboohr/performance_reviews.csv: one row per person per review cycle."""
    rows = [
        (numbers[idx], cycle, on.isoformat(), f"{rating:.1f}", "Yes" if pip else "No")
        for idx, cycle, on, rating, pip in sorted(h.reviews, key=lambda r: (int(numbers[r[0]]), r[2]))
    ]
    return _frame(rows, "Employee #,Review Cycle,Review Date,Overall Rating,Performance Improvement Plan".split(","))


def competency_ratings(h: History, numbers: list[str]) -> pl.DataFrame:
    """bamboohr/competency_ratings.csv: one row per person per cycle per competency."""
    rows = [
        (numbers[idx], cycle, on.isoformat(), comp, str(value))
        for idx, cycle, on, comp, value in sorted(h.competencies, key=lambda r: (int(numbers[r[0]]), r[2]))
    ]
    return _frame(rows, "Employee #,Review Cycle,Review Date,Competency,Rating".split(","))
