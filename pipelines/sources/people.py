"""One converter for HR systems that export a flat employee list (Personio, Workday, HiBob).

Each vendor module declares only its header aliases; the conversion is shared here.
"""

from __future__ import annotations

import polars as pl

from pipelines.sources import values as v
from pipelines.sources.base import Context, Conv, Converted

MANAGER_REASON = "manager not found: no employee with this id, name or email in the people export"


def convert_employee_list(conv: Conv, ctx: Context) -> Converted:
    """Employees from a flat list: manager given by id, by display name or by email."""
    ids = conv.raw("employee_id")
    first, last = conv.raw("first_name"), conv.raw("last_name")
    joined = pl.DataFrame({"f": first, "l": last}).select(
        pl.concat_str([pl.col("f"), pl.col("l")], separator=" ", ignore_nulls=True)
    )["f"]
    names = pl.DataFrame({"a": conv.raw("full_name"), "b": joined}).select(pl.coalesce("a", "b"))["a"]
    emails = v.lower_email(conv.raw("work_email"))
    if conv.has("manager_id"):
        manager = conv.raw("manager_id")
        known = set(ids.drop_nulls().to_list()) | ctx.employee_ids
        conv.reject(manager.is_not_null() & ~manager.is_in(sorted(known)), "manager_id", MANAGER_REASON)
    elif conv.has("manager_email"):
        by_email = {e: i for e, i in zip(emails, ids, strict=True) if e and i}
        manager = conv.lookup("manager_email", by_email, MANAGER_REASON)
    else:
        own = {n.casefold(): i for n, i in zip(names, ids, strict=True) if n and i}
        manager = conv.lookup("manager_name", {**ctx.employee_by_name, **own}, MANAGER_REASON)
    exit_type = v.to_exit_type(conv.raw("exit_type"))
    if conv.has("exit_involuntary"):  # Workday: Termination_Involuntary = 1 / 0
        involuntary = conv.boolean("exit_involuntary")
        flag = involuntary.replace_strict({True: "involuntary", False: "voluntary"}, return_dtype=pl.String)
        exit_type = pl.DataFrame({"a": exit_type, "b": flag}).select(pl.coalesce("a", "b"))["a"]
    exit_date = conv.date("exit_date")
    exit_type = exit_type.zip_with(exit_date.is_not_null(), pl.Series([None] * conv.height, dtype=pl.String))
    hire = conv.date("hire_date")
    original = conv.date("original_hire_date") if conv.has("original_hire_date") else hire
    return conv.result(
        "employees",
        {
            "employee_id": ids,
            "full_name": names,
            "work_email": emails,
            "gender": conv.raw("gender"),
            "location": conv.raw("location"),
            "is_remote": conv.boolean("is_remote"),
            "original_hire_date": pl.DataFrame({"o": original, "h": hire}).select(pl.coalesce("o", "h"))["o"],
            "hire_date": hire,
            "exit_date": exit_date,
            "department": conv.raw("department"),
            "title": conv.raw("title"),
            "manager_id": manager,
            "team": conv.raw("team"),
            "tier": v.to_tier(conv.raw("tier"), ctx.settings.tiers) if conv.has("tier") else None,
            "exit_type": exit_type,
            "exit_reason": conv.raw("exit_reason"),
            "is_regretted": conv.boolean("is_regretted") if conv.has("is_regretted") else None,
        },
    )
