"""The executive report: the summary figures, the cost of attrition and the three things to act on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import polars as pl

from pipelines.access import Viewer
from pipelines.metrics.context import Context
from pipelines.metrics.headcount import get_attrition, get_attrition_monthly
from pipelines.metrics.scope import resolve_as_of, trailing_year
from pipelines.metrics.summary import get_executive_summary
from pipelines.metrics.tenure import get_first_year_attrition

# Cuts searched for the group with the highest attrition, with how a sentence names them.
HOTSPOT_CUTS: tuple[tuple[str, str], ...] = (("team", "team"), ("tier", "tier"), ("tenure_band", "tenure band"))


@dataclass(frozen=True)
class Action:
    """One thing to act on: the sentence and how pressing it is (higher first).

    score = the figure / the level at which it starts to matter (the benchmark, half of exits
    regretted, 10% stalled, half of promotions into management, 20% first-year attrition, 1.25x
    the organisation's rate for a group), so that scores of different figures compare.
    """

    score: float
    text: str


def _hotspot(by_cut: dict[str, pl.DataFrame], overall: float | None, min_size: int) -> Action | None:
    """The largest-enough group whose attrition rate is furthest above the overall rate."""
    best: tuple[float, str, str, float, int] | None = None
    for cut, noun in HOTSPOT_CUTS:
        frame = by_cut.get(cut)
        if frame is None or frame.is_empty():
            continue
        rows = frame.filter(
            ~pl.col("is_suppressed")
            & pl.col(cut).is_not_null()
            & (pl.col("avg_headcount") >= min_size)
            & (pl.col("exits_voluntary") + pl.col("exits_involuntary") >= 3)
        ).filter(pl.col("attrition_rate").is_not_null())
        for row in rows.iter_rows(named=True):
            rate = row["attrition_rate"]
            if best is None or rate > best[0]:
                best = (rate, noun, str(row[cut]), rate, int(row["exits_voluntary"] + row["exits_involuntary"]))
    if best is None or not overall or best[0] < overall * 1.25:
        return None
    rate, noun, name, _, exits = best
    return Action(
        score=rate / overall / 1.25,
        text=(
            f"The {noun} {name} lost {exits} people in 12 months, an attrition rate of {rate:.0%}, "
            f"{rate / overall:.1f} times the organisation's {overall:.0%}: start the retention conversations there."
        ),
    )


def _exits(summary: dict[str, Any]) -> int:
    """Voluntary + involuntary exits, from the rate when the split by type is hidden (metrics.scope.period)."""
    if summary.get("exits_voluntary") is not None:
        return (summary.get("exits_voluntary") or 0) + (summary.get("exits_involuntary") or 0)
    rate, avg = summary.get("attrition_rate"), summary.get("avg_headcount")
    return round(rate * avg) if rate is not None and avg else 0


def build_actions(
    summary: dict[str, Any],
    benchmark: float,
    first_year: float | None,
    by_cut: dict[str, pl.DataFrame],
    min_size: int,
    cost: float | None,
    currency: str,
) -> list[str]:
    """The three most pressing things to act on, as sentences generated from the numbers."""
    actions: list[Action] = []
    rate = summary.get("attrition_rate")
    exits = _exits(summary)
    if rate is not None:
        cost_text = f", costing about {currency} {cost:,.0f} to replace" if cost else ""
        if rate > benchmark:
            actions.append(
                Action(
                    rate / benchmark,
                    f"Attrition is {rate:.0%}, above the {benchmark:.0%} benchmark: {exits} people left in 12 months"
                    f"{cost_text}.",
                )
            )
        else:
            actions.append(
                Action(
                    rate / benchmark,
                    f"Attrition is {rate:.0%}, below the {benchmark:.0%} benchmark, yet {exits} people left in "
                    f"12 months{cost_text}.",
                )
            )
    regretted = summary.get("regretted_attrition_rate")
    if regretted and rate:
        share = regretted / rate
        actions.append(
            Action(
                share / 0.5,
                f"{share:.0%} of those who left were people the company wanted to keep (regretted attrition "
                f"{regretted:.0%} a year): ask why in stay interviews before the next one goes.",
            )
        )
    stalled, headcount = summary.get("stalled"), summary.get("headcount")
    if stalled and headcount:
        actions.append(
            Action(
                stalled / headcount / 0.10,
                f"{stalled} of {headcount} teammates are stalled (long in their level, no growth activity): "
                "give each an area of responsibility or a path to the next level.",
            )
        )
    mgmt = summary.get("management_promotion_share")
    if mgmt is not None and summary.get("promotions"):
        if mgmt >= 0.5:
            actions.append(
                Action(
                    mgmt / 0.5,
                    f"{mgmt:.0%} of promotions went into management: the individual-contributor tracks are not "
                    "working as a way up.",
                )
            )
    if first_year is not None and first_year >= 0.15:
        actions.append(
            Action(
                first_year / 0.2,
                f"{first_year:.0%} of new hires leave within their first year: look at onboarding and mentoring.",
            )
        )
    hot = _hotspot(by_cut, rate, min_size)
    if hot is not None:
        actions.append(hot)
    actions.sort(key=lambda a: a.score, reverse=True)
    return [a.text for a in actions[:3]]


def get_executive_report(viewer: Viewer, ctx: Context, as_of: date | None = None) -> dict[str, Any]:
    """Everything the executive summary page and its PDF show, for the 12 months ending at as_of."""
    day = resolve_as_of(ctx, as_of)
    start, end = trailing_year(day)
    summary = get_executive_summary(viewer, ctx, day)
    settings = ctx.settings
    first_year = get_first_year_attrition(viewer, ctx, day)["first_year_attrition"]
    by_cut = {cut: get_attrition(viewer, ctx, start, end, by=cut) for cut, _ in HOTSPOT_CUTS}
    cost = _exits(summary) * settings.replacement_cost if summary["attrition_rate"] is not None else None
    monthly = get_attrition_monthly(viewer, ctx, date(day.year - 3, day.month, 1), day)
    trailing = monthly.filter(pl.col("trailing_12m_attrition_rate").is_not_null()).select(
        "month", "trailing_12m_attrition_rate"
    )
    return {
        "summary": summary,
        "benchmark": settings.benchmark_attrition_rate,
        "replacement_cost": settings.replacement_cost,
        "currency": settings.currency,
        "attrition_cost": cost,
        "first_year_attrition": first_year,
        "actions": build_actions(
            summary,
            settings.benchmark_attrition_rate,
            first_year,
            by_cut,
            settings.min_group_size,
            cost,
            settings.currency,
        ),
        "trailing": trailing,
        "by_team": by_cut["team"]
        .filter(~pl.col("is_suppressed") & pl.col("team").is_not_null())
        .select("team", "n_people", "attrition_rate"),
    }
