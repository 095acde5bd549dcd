"""The executive summary: the trailing 12 months ending at as_of, with exactly the keys of issue 4."""

from __future__ import annotations

from datetime import date
from typing import Any

from pipelines.access import Viewer
from pipelines.metrics.context import Context
from pipelines.metrics.customer import get_customer_outcomes
from pipelines.metrics.headcount import get_attrition, get_headcount
from pipelines.metrics.people import get_stalled_count
from pipelines.metrics.progression import get_progression_summary
from pipelines.metrics.scope import as_of_for, describes, period, period_guarded, trailing_year
from pipelines.metrics.tenure import get_median_tenure

SUMMARY_KEYS: tuple[str, ...] = (
    "as_of",
    "headcount",
    "avg_headcount",
    "hires",
    "exits_voluntary",
    "exits_involuntary",
    "transfers_out",
    "attrition_rate",
    "voluntary_attrition_rate",
    "regretted_attrition_rate",
    "support_turnover_rate",
    "median_tenure_months",
    "promotions",
    "promotion_rate",
    "management_promotion_share",
    "internal_mobility_rate",
    "stalled",
    "csat",
    "bot_share",
)


def _first(frame: Any, column: str) -> Any:
    value = frame[column][0] if frame.height else None
    return value.item() if hasattr(value, "item") else value


@describes("promotions", "stalled")  # the exit split: get_attrition's
def get_executive_summary(viewer: Viewer, ctx: Context, as_of: date | None = None) -> dict[str, Any]:
    """The executive figures for the trailing 12 months ending at as_of (default: the latest data date).

    A guarded viewer (scope.period_guarded: executives, managers) gets them as of the end of the
    last complete month only, over the 12-month grid window, with the exit split and promotion
    figures hidden when another grid window would difference them down to fewer than the minimum.
    """
    with ctx.reuse():  # get_attrition and get_progression_summary read the same person-days
        day = as_of_for(viewer, ctx, as_of)
        # a guarded viewer gets the 12-month grid window (the same cells as get_attrition's default)
        start, end = period(viewer, ctx, None, day) if period_guarded(viewer) else trailing_year(day)
        headcount = get_headcount(viewer, ctx, day)
        attrition = get_attrition(viewer, ctx, start, end)
        progression = get_progression_summary(viewer, ctx, start, end)
        customer = get_customer_outcomes(viewer, ctx, start, end)
        tenure = get_median_tenure(viewer, ctx, day)
        stalled = get_stalled_count(viewer, ctx, day)
    figures = {
        "as_of": day.isoformat(),
        "headcount": _first(headcount, "headcount"),
        "avg_headcount": _first(attrition, "avg_headcount"),
        "hires": _first(attrition, "hires"),
        "exits_voluntary": _first(attrition, "exits_voluntary"),
        "exits_involuntary": _first(attrition, "exits_involuntary"),
        "transfers_out": _first(attrition, "transfers_out"),
        "attrition_rate": _first(attrition, "attrition_rate"),
        "voluntary_attrition_rate": _first(attrition, "voluntary_attrition_rate"),
        "regretted_attrition_rate": _first(attrition, "regretted_attrition_rate"),
        "support_turnover_rate": _first(attrition, "support_turnover_rate"),
        "median_tenure_months": tenure["median_months"],
        "promotions": progression["promotions"],
        "promotion_rate": progression["promotion_rate"],
        "management_promotion_share": progression["management_promotion_share"],
        "internal_mobility_rate": progression["internal_mobility_rate"],
        "stalled": stalled["stalled"],
        "csat": customer["csat"],
        "bot_share": customer["bot_share"],
    }
    return {key: figures[key] for key in SUMMARY_KEYS}
