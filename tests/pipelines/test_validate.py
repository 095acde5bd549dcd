from datetime import date

import polars as pl

from pipelines.config import load_settings
from pipelines.sources.base import PROBLEM_SCHEMA
from pipelines.validate import validate


def _growth(**cols):
    base = {
        "employee_id": ["1", "2", "3", "4", "4"],
        "start_date": [date(2022, 1, 1)] * 5,
        "end_date": [None] * 5,
        "activity_type": ["mentoring"] * 5,
        "description": [None] * 5,
        "_line": [2, 3, 4, 5, 6],
    }
    base.update(cols)
    return pl.DataFrame(
        base,
        schema={
            "employee_id": pl.String,
            "start_date": pl.Date,
            "end_date": pl.Date,
            "activity_type": pl.String,
            "description": pl.String,
            "_line": pl.Int64,
        },
    )


def test_rows_are_split_into_loaded_and_rejected_with_reasons():
    frame = _growth(
        employee_id=["1", None, "3", "4", "4"],
        end_date=[None, None, date(2021, 1, 1), None, None],
        activity_type=["mentoring", "mentoring", "mentoring", "juggling", "mentoring"],
    )
    out = validate(
        "growth_activities",
        frame,
        pl.DataFrame(schema=PROBLEM_SCHEMA),
        load_settings(),
        headers={"end_date": "End Date"},
    )
    assert out.loaded["_line"].to_list() == [2, 6]
    got = {r["_line"]: (r["column"], r["reason"]) for r in out.rejected.to_dicts()}
    assert got[3] == ("employee_id", "a required value is missing")
    assert got[4] == ("End Date", "the end date is before the start date")
    assert got[5][1].startswith("not one of: mentoring")
    assert out.loaded.height + out.rejected.height == frame.height


def test_exact_duplicates_counted_and_conflicts_rejected():
    frame = _growth(employee_id=["1", "1", "2", "2", "3"], description=["a", "a", "x", "y", None])
    out = validate("growth_activities", frame, pl.DataFrame(schema=PROBLEM_SCHEMA), load_settings())
    assert out.exact_duplicates == 1
    assert out.loaded["_line"].to_list() == [2, 6]
    reasons = dict(zip(out.rejected["_line"], out.rejected["reason"], strict=True))
    assert reasons[3] == "an exact duplicate of line 2 (loaded once)"
    assert reasons[4] == reasons[5] == "the same id appears on lines 4, 5 with different values"


def test_implausible_dates_and_negative_amounts():
    n = 30
    frame = pl.DataFrame(
        {
            "employee_id": [str(i) for i in range(n)],
            "effective_date": [date(2023, 1, 1)] * (n - 2) + [date(2099, 1, 1), date(1901, 1, 1)],
            "annual_pay": [50000.0] * (n - 3) + [-1.0, 1.0, 1.0],
            "currency": ["USD"] * n,
            "change_reason": [None] * n,
            "_line": list(range(2, n + 2)),
        },
        schema_overrides={"change_reason": pl.String},
    )
    out = validate("compensation", frame, pl.DataFrame(schema=PROBLEM_SCHEMA), load_settings())
    reasons = dict(zip(out.rejected["_line"], out.rejected["reason"], strict=True))
    assert reasons == {
        n - 1: "a negative amount or duration",
        n: "the date is in the future (after 2024-12-31)",
        n + 1: "the date is before 1950",
    }
