"""One short definition per metric, shown next to the number; docs/metrics.md says the same at length."""

from __future__ import annotations

DEFINITIONS: dict[str, str] = {
    "as_of": "The last day of the period: the figures cover the 12 months ending on it (default: the latest data date).",
    "headcount": "People in a support department on the as_of date (each person once; a last working day still counts).",
    "avg_headcount": "Person-days in support during the 12 months divided by the days in them (365 or 366).",
    "hires": "Support spells that began with a hire or a rehire during the 12 months (transfers in are not hires).",
    "exits_voluntary": "Support spells that ended with a voluntary exit from the company during the 12 months.",
    "exits_involuntary": "Support spells that ended with an involuntary exit from the company during the 12 months.",
    "transfers_out": "Support spells that ended with a move to another department of the company during the 12 months.",
    "attrition_rate": "(Voluntary + involuntary exits) / average headcount, over the 12 months. Transfers out excluded.",
    "voluntary_attrition_rate": "Voluntary exits / average headcount, over the 12 months.",
    "regretted_attrition_rate": "Exits the company marked as regretted / average headcount, over the 12 months.",
    "support_turnover_rate": "(Voluntary + involuntary exits + transfers out) / average headcount, over the 12 months.",
    "median_tenure_months": (
        "Months after which half of support spells have ended (Kaplan-Meier over all spells started by as_of, "
        "open spells censored at as_of; any way out of support ends a spell). Empty when half have not ended yet."
    ),
    "first_year_attrition": (
        "Share of support spells that end by exit from the company within their first 12 months "
        "(1 - Kaplan-Meier survival at 12 months)."
    ),
    "promotions": "Moves to a higher ladder level inside a support spell during the 12 months.",
    "promotion_rate": "Promotions per person-year in support: promotions / average headcount over the 12 months.",
    "promotions_per_person_year": "Promotions out of a level (or track) / person-years spent at it in the period.",
    "management_promotion_share": (
        "Share of the 12 months' promotions that landed in the management track; the rest went up an "
        "individual-contributor track."
    ),
    "lateral_moves": "Moves to another title or track at the same ladder level inside a support spell.",
    "internal_mobility_rate": "Transfers out of support to another department / average headcount, over the 12 months.",
    "stalled": (
        "People in support whose months in their current role exceed min(p75 of what promoted peers from that "
        "role needed, the ladder's max_months), with no growth activity in the last N months and not on a "
        "performance plan (thresholds in settings [stalled])."
    ),
    "csat": "Share of rated conversations in the 12 months rated good, after mapping every rating scale to good / not good.",
    "bot_share": "Share of all conversations in the 12 months resolved without a human (by a bot alone).",
    "time_in_level": "Months a person spent in a ladder role before being promoted out of it.",
    "time_to_first_promotion": (
        "Cumulative share of support spells with a first promotion by each month of tenure, with leaving "
        "support as a competing event (Aalen-Johansen)."
    ),
    "retention_curve": (
        "Kaplan-Meier share of support spells still running after each month of tenure, with a 95% "
        "log-log confidence interval; open spells censored at as_of."
    ),
    "annualised_attrition_rate": "An attrition rate over a shorter window scaled to a year (x 365 / days, or x 12 for a month).",
    "trailing_12m_attrition_rate": "Exits in the 12 months ending with the month / average headcount of those 12 months.",
    "months_in_level": "Days since the person started their current ladder role in this support spell, / 30.4375.",
    "tenure_months": "Days since the start of the current support spell (both ends counted), / 30.4375.",
    "complex_ticket_share": (
        "Share of a person's conversations in categories that take longer than the typical human conversation "
        "(category median handle time above the overall median); without category or handle time: escalated, "
        "high or urgent priority, or above the first tier."
    ),
    "workload_ratio": "A person's conversations in the month / the median of their team's members who handled any.",
}

DEFINITIONS.update(
    {
        "kpi_adjusted_ratio": (
            "Observed / expected for the tickets the person handled: the expectation comes from models of tier, "
            "channel, category, priority, segment, bot hand-off, escalation, hour, weekday and month, fitted on other "
            "agents' tickets (never their own) up to that quarter. Adjusted = shrunk toward the team for small "
            "volumes, with a 95% interval; below the minimum volume no verdict. For CSAT above 1 is better; for "
            "times and reopens below 1 is better."
        ),
        "mix_shift": (
            "Change in the team average between two 12-month windows, split exactly into the part due to the mix of "
            "tickets humans handled (category x tier x channel shares) and the part due to performance within them "
            "(symmetric Kitagawa decomposition)."
        ),
        "csat_in_context": (
            "CSAT per category beside the expected CSAT and internal QA; policy-like: CSAT below the average of "
            "categories while QA is above it. Response rate = rated / handled conversations."
        ),
        "breathing_room": (
            "Complex conversations open at some point of each day per agent (the practice's sustainable norm: 10 "
            "to 15 at once); an overload week has a day over the norm (15), sustained overload is 3 or more such "
            "weeks in a row; a negative streak is 3 or more bad ratings in a row."
        ),
        "time_to_proficiency": (
            "Weeks from a hire until their trailing 4 weeks hold at least 10 conversations with a total handle time "
            "within 5% of what is expected for those tickets (median among hires who got there; share who did)."
        ),
        "adverse_impact_ratio": (
            "A group's favourable-outcome rate / the highest group's rate (four-fifths rule: below 0.8 is adverse "
            "impact). Promotion rates are standardised for time in role, rating and role. Flagged only when below "
            "0.8 AND a two-proportion test (Holm-adjusted across groups) gives p < 0.05, with both groups at least "
            "the minimum group size."
        ),
    }
)
