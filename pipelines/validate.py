"""Canonical frames checked row by row: types, required values, keys, plausible dates, order, enumerations, references.

A row with any problem is rejected (kept with file, line, column, value and a reason in plain
words); every other row is loaded. rows read = rows loaded + rows rejected, always.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import polars as pl

from pipelines.config import Settings
from pipelines.schema import ENTITIES, Entity
from pipelines.sources.base import PROBLEM_SCHEMA
from pipelines.sources.reading import LINE
from pipelines.sources.values import CHANNELS, GROWTH_TYPES, PRIORITIES

EARLIEST = date(1950, 1, 1)
LATEST = date(2100, 1, 1)
FUTURE_MARGIN = timedelta(days=730)
REJECTED_SCHEMA = {**PROBLEM_SCHEMA}

ORDER: dict[str, tuple[tuple[str, str, str], ...]] = {
    "employees": (
        ("original_hire_date", "hire_date", "the original hire date is after the latest hire date"),
        ("hire_date", "exit_date", "the termination date is before the hire date"),
    ),
    "tickets": (
        ("created_at", "first_reply_at", "the first reply is before the ticket was created"),
        ("created_at", "solved_at", "the ticket is solved before it was created"),
        ("first_reply_at", "solved_at", "the first reply is after the ticket was solved"),
    ),
    "growth_activities": (("start_date", "end_date", "the end date is before the start date"),),
    "pay_bands": (("band_min", "band_max", "the band minimum is above its maximum"),),
}
NON_NEGATIVE = ("handle_seconds", "replies", "reopens", "annual_pay", "band_min", "band_mid", "band_max")
RANGES: dict[str, dict[str, tuple[float, float]]] = {
    "performance_reviews": {"rating": (1, 5)},
    "competency_ratings": {"rating": (1, 5)},
    "qa_reviews": {"score": (0, 100)},
}


def enumerations(settings: Settings) -> dict[str, dict[str, tuple[str, ...]]]:
    """Entity -> column -> accepted values."""
    return {
        "job_events": {"event_kind": ("hire", "job", "exit"), "exit_type": ("voluntary", "involuntary")},
        "growth_activities": {"activity_type": GROWTH_TYPES},
        "tickets": {"channel": CHANNELS, "priority": PRIORITIES, "tier": tuple(settings.tiers)},
    }


@dataclass
class Validated:
    """Rows that passed (canonical columns + `_line`) and one rejected record per refused line."""

    loaded: pl.DataFrame
    rejected: pl.DataFrame
    exact_duplicates: int = 0


def _problems(frame: pl.DataFrame, mask: pl.Expr, column: str, value: pl.Expr, reason: str | pl.Expr) -> pl.DataFrame:
    reason_expr = pl.lit(reason) if isinstance(reason, str) else reason
    return frame.filter(mask.fill_null(False)).select(
        pl.col(LINE),
        pl.lit(column).alias("column"),
        value.cast(pl.String).alias("value"),
        reason_expr.cast(pl.String).alias("reason"),
    )


def _future_limit(frame: pl.DataFrame, date_cols: list[str]) -> date:
    """The latest plausible date: the file's newest dates (95th percentile of all its dates) plus a margin.

    Small files (under 20 dates) use their newest date; nothing after 2100 is ever plausible.
    """
    values = (
        pl.concat([frame[c].cast(pl.Date) for c in date_cols]).drop_nulls().sort()
        if date_cols
        else pl.Series([], dtype=pl.Date)
    )
    if values.is_empty():
        return LATEST
    reference = values[-1] if values.len() < 20 else values[int(0.95 * (values.len() - 1))]
    return min(reference + FUTURE_MARGIN, LATEST)


def _row_checks(frame: pl.DataFrame, entity: Entity, settings: Settings, known_ids: set[str]) -> list[pl.DataFrame]:
    out: list[pl.DataFrame] = []
    for col in entity.required:
        out.append(_problems(frame, pl.col(col).is_null(), col, pl.lit(None), "a required value is missing"))
    date_cols = [c.name for c in entity.columns if c.dtype == pl.Date or isinstance(c.dtype, pl.Datetime)]
    limit = _future_limit(frame, date_cols)
    for name in date_cols:
        day = pl.col(name).cast(pl.Date)
        out.append(_problems(frame, day < EARLIEST, name, pl.col(name), "the date is before 1950"))
        out.append(
            _problems(frame, day > limit, name, pl.col(name), f"the date is in the future (after {limit.isoformat()})")
        )
    for first, second, reason in ORDER.get(entity.name, ()):
        out.append(_problems(frame, pl.col(second) < pl.col(first), second, pl.col(second), reason))
    for col in NON_NEGATIVE:
        if col in frame.columns:
            out.append(_problems(frame, pl.col(col) < 0, col, pl.col(col), "a negative amount or duration"))
    for col, (low, high) in RANGES.get(entity.name, {}).items():
        bad = (pl.col(col) < low) | (pl.col(col) > high)
        out.append(_problems(frame, bad, col, pl.col(col), f"outside the scale {low:g} to {high:g}"))
    for col, allowed in enumerations(settings).get(entity.name, {}).items():
        bad = pl.col(col).is_not_null() & ~pl.col(col).is_in(list(allowed))
        out.append(_problems(frame, bad, col, pl.col(col), f"not one of: {', '.join(allowed)}"))
    if entity.name in ("employees", "job_events") and "manager_id" in frame.columns:
        ids = (
            set(known_ids) | set(frame["employee_id"].drop_nulls().to_list())
            if entity.name == "employees"
            else set(known_ids)
        )
        if ids:
            bad = pl.col("manager_id").is_not_null() & ~pl.col("manager_id").is_in(sorted(ids))
            out.append(_problems(frame, bad, "manager_id", pl.col("manager_id"), "the manager is not a known employee"))
    return out


def _key_checks(frame: pl.DataFrame, entity: Entity) -> tuple[list[pl.DataFrame], int]:
    """Exact duplicate rows: later copies rejected as duplicates; same key with other values: all copies rejected."""
    cols = [c.name for c in entity.columns]
    key = list(entity.key)
    # Both kinds share their key with another row: only rows with a repeated key need the window checks.
    frame = frame.filter(frame.select(key).is_duplicated())
    with_rank = frame.with_columns(
        pl.int_range(pl.len()).over(cols).alias("_copy"),
        pl.col(LINE).min().over(cols).alias("_first"),
    )
    exact = with_rank.filter(pl.col("_copy") > 0)
    dup_records = exact.select(
        pl.col(LINE),
        pl.lit(", ".join(key)).alias("column"),
        pl.concat_str([pl.col(k).cast(pl.String) for k in key], separator=" / ").alias("value"),
        pl.format("an exact duplicate of line {} (loaded once)", pl.col("_first")).alias("reason"),
    )
    distinct = with_rank.filter(pl.col("_copy") == 0)
    conflicts = distinct.with_columns(
        pl.len().over(key).alias("_n"),
        pl.col(LINE).sort().cast(pl.String).str.join(", ").over(key).alias("_lines"),
    ).filter((pl.col("_n") > 1) & pl.all_horizontal([pl.col(k).is_not_null() for k in key]))
    conflict_records = conflicts.select(
        pl.col(LINE),
        pl.lit(", ".join(key)).alias("column"),
        pl.concat_str([pl.col(k).cast(pl.String) for k in key], separator=" / ").alias("value"),
        pl.format("the same id appears on lines {} with different values", pl.col("_lines")).alias("reason"),
    )
    return [dup_records, conflict_records], exact.height


def collapse(problems: pl.DataFrame) -> pl.DataFrame:
    """One record per rejected line: the first problem, the others appended to the reason."""
    if problems.is_empty():
        return pl.DataFrame(schema=REJECTED_SCHEMA)
    return (
        problems.with_columns(pl.int_range(pl.len()).over(LINE).alias("_i"))
        .group_by(LINE, maintain_order=True)
        .agg(
            pl.col("column").first(),
            pl.col("value").first(),
            pl.col("reason").first(),
            pl.format("{}: {}", pl.col("column"), pl.col("reason")).filter(pl.col("_i") > 0).alias("_more"),
        )
        .with_columns(
            pl.when(pl.col("_more").list.len() > 0)
            .then(pl.format("{} (also {})", pl.col("reason"), pl.col("_more").list.join("; ")))
            .otherwise(pl.col("reason"))
            .alias("reason")
        )
        .select(list(REJECTED_SCHEMA))
        .sort(LINE)
    )


def validate(
    entity_name: str,
    frame: pl.DataFrame,
    problems: pl.DataFrame,
    settings: Settings,
    known_employee_ids: set[str] | None = None,
    headers: dict[str, str] | None = None,
) -> Validated:
    """Split a converted frame into loaded rows and rejected records (one per line)."""
    entity = ENTITIES[entity_name]
    found = [problems.cast(PROBLEM_SCHEMA), *_row_checks(frame, entity, settings, known_employee_ids or set())]
    row_bad = pl.concat([p.cast(PROBLEM_SCHEMA) for p in found])
    remaining = frame.filter(~pl.col(LINE).is_in(row_bad[LINE].implode()))
    key_problems, n_exact = _key_checks(remaining, entity)
    all_problems = pl.concat([row_bad, *(p.cast(PROBLEM_SCHEMA) for p in key_problems)])
    if headers:
        all_problems = all_problems.with_columns(pl.col("column").replace(headers))
    rejected = collapse(all_problems)
    loaded = frame.filter(~pl.col(LINE).is_in(rejected[LINE].implode()))
    if loaded.height + rejected.height != frame.height:
        raise RuntimeError(f"validation lost rows: {frame.height} in, {loaded.height} + {rejected.height} out")
    return Validated(loaded, rejected, n_exact)
