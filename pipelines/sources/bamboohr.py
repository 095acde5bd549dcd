"""BambooHR exports (custom-report UI labels and API field names) -> people-side canonical entities.

Files: the employee report, Job Information history, Employment Status history, Compensation,
Pay Bands and the custom tables (growth activities, performance reviews, competency ratings).
BambooHR shows managers by display name (`Reports To`); names resolve to employee numbers
through the employees file (this batch or the lake), unknown names are rejected.
"""

from __future__ import annotations

import polars as pl

from pipelines.sources import values as v
from pipelines.sources.base import Context, Conv, Converted, Spec
from pipelines.sources.reading import FileProblem

ADAPTER = "bamboohr"
_EMP = ("Employee #", "Employee Number", "employeeNumber", "EEID")
_DATE = ("Effective Date", "effectiveDate", "Date")
_MANAGER_REASON = "manager not found: no person with this name in the BambooHR employees file"

EMPLOYEE_FIELDS = {
    "employee_id": _EMP,
    "first_name": ("First Name", "firstName"),
    "last_name": ("Last Name", "lastName"),
    "preferred_name": ("Preferred Name", "preferredName", "Nickname"),
    "work_email": ("Work Email", "workEmail", "Email"),
    "gender": ("Gender",),
    "location": ("Location",),
    "is_remote": ("Remote", "Remote Worker"),
    "department": ("Department",),
    "team": ("Division", "Team"),
    "title": ("Job Title", "jobTitle"),
    "manager_name": ("Reporting to", "Reports To", "Supervisor"),
    "hire_date": ("Hire Date", "hireDate"),
    "original_hire_date": ("Original Hire Date", "originalHireDate"),
    "exit_date": ("Termination Date", "terminationDate"),
    "employment_status": ("Employment Status", "employmentHistoryStatus"),
    "status": ("Status",),
}
JOB_FIELDS = {
    "employee_id": _EMP,
    "effective_date": _DATE,
    "location": ("Location",),
    "department": ("Department",),
    "team": ("Division", "Team"),
    "title": ("Job Title", "jobTitle"),
    "manager_name": ("Reports To", "Reporting to", "Supervisor"),
    "tier": ("Support Tier", "Tier"),
    "change_reason": ("Change Reason", "Reason"),
}
STATUS_FIELDS = {
    "employee_id": _EMP,
    "effective_date": _DATE,
    "employment_status": ("Employment Status", "Status"),
    "exit_type": ("Termination Type", "terminationTypeId"),
    "exit_reason": ("Termination Reason", "terminationReasonId"),
    "is_regretted": ("Regrettable", "Regrettable Termination", "terminationRegrettableId"),
    "exit_destination": ("Exit Destination", "New Employer Type"),
    "comment": ("Comment", "Comments"),
}
COMP_FIELDS = {
    "employee_id": _EMP,
    "effective_date": _DATE,
    "pay_rate": ("Pay Rate", "payRate"),
    "pay_type": ("Pay Type", "payType"),
    "pay_period": ("Pay Period", "paySchedule", "Pay Per"),
    "currency": ("Currency",),
    "change_reason": ("Change Reason", "payChangeReason", "Comment"),
}
BAND_FIELDS = {
    "title": ("Job Title", "Pay Band", "Band"),
    "effective_date": _DATE,
    "band_min": ("Minimum", "Min"),
    "band_mid": ("Midpoint", "Mid"),
    "band_max": ("Maximum", "Max"),
    "currency": ("Currency",),
}
GROWTH_FIELDS = {
    "employee_id": _EMP,
    "start_date": ("Start Date",),
    "end_date": ("End Date",),
    "activity_type": ("Activity Type", "Activity"),
    "description": ("Description", "Notes"),
}
REVIEW_FIELDS = {
    "employee_id": _EMP,
    "cycle": ("Review Cycle", "Cycle"),
    "review_date": ("Review Date",),
    "rating": ("Overall Rating", "Rating"),
    "is_on_pip": ("Performance Improvement Plan", "PIP", "On PIP"),
}
COMPETENCY_FIELDS = {
    "employee_id": _EMP,
    "cycle": ("Review Cycle", "Cycle"),
    "review_date": ("Review Date",),
    "competency": ("Competency",),
    "rating": ("Rating", "Competency Rating"),
}
_PERIOD_FACTOR = {"year": 1.0, "annual": 1.0, "month": 12.0, "week": 52.0, "day": 260.0, "hour": 2080.0}


def display_names(conv: Conv) -> pl.Series:
    """`First Last` as BambooHR shows a person (how `Reports To` names a manager)."""
    first, last = conv.raw("first_name"), conv.raw("last_name")
    return pl.DataFrame({"f": first, "l": last}).select(
        pl.concat_str([pl.col("f"), pl.col("l")], separator=" ", ignore_nulls=True).alias("n")
    )["n"]


def _event_seq(ids: pl.Series, dates: pl.Series) -> pl.Series:
    return pl.DataFrame({"i": ids, "d": dates}).select(pl.int_range(pl.len()).over("i", "d").alias("s"))["s"]


def cycle_name(s: pl.Series) -> pl.Series:
    """Review cycle labels `2024 H1` / `2024-H1` / `H1 2024` -> `2024-H1`."""
    t = v.clean(s)
    year_first = (
        t.str.extract(r"^(\d{4})\s*[-_ ]?\s*([HQ]\d)$", 1) + "-" + t.str.extract(r"^(\d{4})\s*[-_ ]?\s*([HQ]\d)$", 2)
    )
    half_first = (
        t.str.extract(r"^([HQ]\d)\s*[-_ ]?\s*(\d{4})$", 2) + "-" + t.str.extract(r"^([HQ]\d)\s*[-_ ]?\s*(\d{4})$", 1)
    )
    return pl.DataFrame({"a": year_first, "b": half_first, "c": t}).select(pl.coalesce("a", "b", "c").alias("v"))["v"]


def convert_employees(conv: Conv, ctx: Context) -> Converted:
    ids = conv.raw("employee_id")
    names = display_names(conv)
    own = {n.casefold(): i for n, i in zip(names, ids, strict=True) if n and i}
    manager_id = conv.lookup("manager_name", {**ctx.employee_by_name, **own}, _MANAGER_REASON)
    hire = conv.date("hire_date")
    original = conv.date("original_hire_date")
    return conv.result(
        "employees",
        {
            "employee_id": ids,
            "full_name": names,
            "work_email": v.lower_email(conv.raw("work_email")),
            "gender": conv.raw("gender"),
            "location": conv.raw("location"),
            "is_remote": conv.boolean("is_remote"),
            "original_hire_date": pl.DataFrame({"o": original, "h": hire}).select(pl.coalesce("o", "h"))["o"],
            "hire_date": hire,
            "exit_date": conv.date("exit_date"),
            "department": conv.raw("department"),
            "title": conv.raw("title"),
            "manager_id": manager_id,
        },
    )


def _need_people(conv: Conv, ctx: Context) -> None:
    if not ctx.employee_by_name and conv.raw("manager_name").is_not_null().any():
        raise FileProblem(
            "names managers by display name, and no BambooHR employees report has been ingested to resolve them; "
            "ingest employees.csv together with this file (same folder or command) or before it"
        )


def convert_job_information(conv: Conv, ctx: Context) -> Converted:
    _need_people(conv, ctx)
    ids = conv.raw("employee_id")
    dates = conv.date("effective_date")
    reason = conv.raw("change_reason")
    kind = pl.Series(["job"] * conv.height, dtype=pl.String).zip_with(
        ~reason.str.to_lowercase().str.contains("hire").fill_null(False), pl.Series(["hire"] * conv.height)
    )
    return conv.result(
        "job_events",
        {
            "employee_id": ids,
            "effective_date": dates,
            "event_seq": _event_seq(ids, dates),
            "event_kind": kind,
            "title": conv.raw("title"),
            "department": conv.raw("department"),
            "team": conv.raw("team"),
            "tier": v.to_tier(conv.raw("tier"), ctx.settings.tiers),
            "manager_id": conv.lookup("manager_name", ctx.employee_by_name, _MANAGER_REASON),
            "location": conv.raw("location"),
            "change_reason": reason,
        },
    )


def convert_employment_status(conv: Conv, ctx: Context) -> Converted:
    """Terminated rows become exit events; other status changes are kept as `job` events without role data."""
    ids = conv.raw("employee_id")
    dates = conv.date("effective_date")
    status = conv.raw("employment_status")
    is_exit = status.str.to_lowercase().str.contains("terminat").fill_null(False)
    exit_type = conv.raw("exit_type").str.to_lowercase().str.strip_chars()
    exit_type = exit_type.zip_with(is_exit, pl.Series([None] * conv.height, dtype=pl.String))
    conv.reject(
        exit_type.is_not_null() & ~exit_type.is_in(["voluntary", "involuntary"]).fill_null(False),
        "exit_type",
        "termination type should be Voluntary or Involuntary",
    )
    null_s = pl.Series([None] * conv.height, dtype=pl.String)
    return conv.result(
        "job_events",
        {
            "employee_id": ids,
            "effective_date": dates,
            "event_seq": _event_seq(ids, dates),
            "event_kind": pl.Series(["exit" if e else "job" for e in is_exit], dtype=pl.String),
            "change_reason": ("Employment status: " + status).zip_with(~is_exit, null_s),
            "exit_type": exit_type,
            "exit_reason": conv.raw("exit_reason").zip_with(is_exit, null_s),
            "is_regretted": conv.boolean("is_regretted").zip_with(
                is_exit, pl.Series([None] * conv.height, dtype=pl.Boolean)
            ),
            "exit_destination": conv.raw("exit_destination").zip_with(is_exit, null_s),
        },
    )


def _same_day_entries(conv: Conv) -> None:
    """BambooHR applies the later of two pay entries with the same effective date; the earlier is refused, saying so."""
    frame = pl.DataFrame({"i": conv.raw("employee_id"), "d": conv.raw("effective_date"), "line": conv.lines})
    last = frame.select(pl.col("line").last().over("i", "d").alias("last"))["last"]
    earlier = (frame["line"] != last) & frame["i"].is_not_null() & frame["d"].is_not_null()
    reason = "replaced by a later entry with the same effective date (BambooHR applies the later one)"
    shown = frame.with_columns(last=last).select(pl.format("{} (later entry on line {})", "d", "last"))["d"]
    conv.reject(earlier, "effective_date", reason, value=shown)


def convert_compensation(conv: Conv, ctx: Context) -> Converted:
    rate = conv.number("pay_rate")
    period = conv.raw("pay_period").str.to_lowercase()
    pay_type = conv.raw("pay_type").str.to_lowercase()
    frame = pl.DataFrame({"r": rate, "p": period, "t": pay_type})
    factor = pl.lit(1.0)
    for word, f in reversed(_PERIOD_FACTOR.items()):
        factor = pl.when(pl.col("p").str.contains(word)).then(pl.lit(f)).otherwise(factor)
    factor = pl.when(pl.col("p").is_null() & pl.col("t").str.contains("hour")).then(pl.lit(2080.0)).otherwise(factor)
    annual = frame.select((pl.col("r") * factor).alias("a"))["a"]
    _same_day_entries(conv)
    code = conv.raw("pay_rate").str.extract(r"\b([A-Z]{3})\b", 1)
    currency = pl.DataFrame({"a": conv.raw("currency"), "b": code}).select(pl.coalesce("a", "b"))["a"]
    return conv.result(
        "compensation",
        {
            "employee_id": conv.raw("employee_id"),
            "effective_date": conv.date("effective_date"),
            "annual_pay": annual,
            "currency": currency,
            "change_reason": conv.raw("change_reason"),
        },
    )


def convert_pay_bands(conv: Conv, ctx: Context) -> Converted:
    return conv.result(
        "pay_bands",
        {
            "title": conv.raw("title"),
            "effective_date": conv.date("effective_date"),
            "band_min": conv.number("band_min"),
            "band_mid": conv.number("band_mid"),
            "band_max": conv.number("band_max"),
            "currency": conv.raw("currency"),
        },
    )


def convert_growth(conv: Conv, ctx: Context) -> Converted:
    kind = v.to_growth_type(conv.raw("activity_type"))
    conv.reject(
        conv.raw("activity_type").is_not_null() & kind.is_null(),
        "activity_type",
        "not a known growth activity (mentoring, onboarding, internal tool, content, process owner, programme)",
    )
    return conv.result(
        "growth_activities",
        {
            "employee_id": conv.raw("employee_id"),
            "start_date": conv.date("start_date"),
            "end_date": conv.date("end_date"),
            "activity_type": kind,
            "description": conv.raw("description"),
        },
    )


def convert_reviews(conv: Conv, ctx: Context) -> Converted:
    return conv.result(
        "performance_reviews",
        {
            "employee_id": conv.raw("employee_id"),
            "cycle": cycle_name(conv.raw("cycle")),
            "review_date": conv.date("review_date"),
            "rating": conv.number("rating"),
            "is_on_pip": conv.boolean("is_on_pip"),
        },
    )


def convert_competencies(conv: Conv, ctx: Context) -> Converted:
    return conv.result(
        "competency_ratings",
        {
            "employee_id": conv.raw("employee_id"),
            "cycle": cycle_name(conv.raw("cycle")),
            "review_date": conv.date("review_date"),
            "competency": conv.raw("competency"),
            "rating": conv.number("rating"),
        },
    )


SPECS = (
    Spec(
        ADAPTER,
        "employees",
        "employees",
        EMPLOYEE_FIELDS,
        ("employee_id", "first_name", "last_name", "hire_date"),
        convert_employees,
        describe="BambooHR employee report",
    ),
    Spec(
        ADAPTER,
        "job_information",
        "job_events",
        JOB_FIELDS,
        ("employee_id", "effective_date", "title"),
        convert_job_information,
        describe="BambooHR job information history",
    ),
    Spec(
        ADAPTER,
        "employment_status",
        "job_events",
        STATUS_FIELDS,
        ("employee_id", "effective_date", "employment_status"),
        convert_employment_status,
        describe="BambooHR employment status history",
    ),
    Spec(
        ADAPTER,
        "compensation",
        "compensation",
        COMP_FIELDS,
        ("employee_id", "effective_date", "pay_rate"),
        convert_compensation,
        describe="BambooHR compensation history",
    ),
    Spec(
        ADAPTER,
        "pay_bands",
        "pay_bands",
        BAND_FIELDS,
        ("title", "effective_date", "band_min", "band_max"),
        convert_pay_bands,
        describe="BambooHR pay bands",
    ),
    Spec(
        ADAPTER,
        "growth_activities",
        "growth_activities",
        GROWTH_FIELDS,
        ("employee_id", "start_date", "activity_type"),
        convert_growth,
        describe="BambooHR growth activities table",
    ),
    Spec(
        ADAPTER,
        "performance_reviews",
        "performance_reviews",
        REVIEW_FIELDS,
        ("employee_id", "cycle", "review_date", "rating", "is_on_pip"),
        convert_reviews,
        describe="BambooHR performance reviews table",
    ),
    Spec(
        ADAPTER,
        "competency_ratings",
        "competency_ratings",
        COMPETENCY_FIELDS,
        ("employee_id", "cycle", "competency", "rating"),
        convert_competencies,
        describe="BambooHR competency ratings table",
    ),
)
