"""Time to proficiency on a hand-made hire: the first week whose trailing 4 weeks are within 5% of expected."""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl

from pipelines.models.kpi_proficiency import weeks_to_proficiency

START = date(2024, 1, 1)


def _tickets(ratios: list[float], per_week: int = 5, employee_id: str = "h1") -> pl.DataFrame:
    """per_week tickets each week; week w takes ratios[w] x the expected 100 s."""
    rows = []
    for w, ratio in enumerate(ratios):
        for i in range(per_week):
            rows.append(
                {
                    "employee_id": employee_id,
                    "created_date": START + timedelta(days=7 * w + i),
                    "handle_seconds": 100.0 * ratio,
                    "expected_handle_seconds": 100.0,
                }
            )
    return pl.DataFrame(rows)


SPELLS = pl.DataFrame(
    {
        "spell_id": ["h1#1", "h2#1"],
        "employee_id": ["h1", "h2"],
        "start_date": [START, START],
        "end_date": [None, None],
        "start_tier": ["Tier 1", "Tier 1"],
        "hire_cohort": [2024, 2024],
    },
    schema_overrides={"end_date": pl.Date},
)


def test_weeks_to_proficiency_by_hand():
    # weeks 0..5 at 2.0, 1.5, 1.2, 1.0, 1.0, 1.0 x expected, 5 tickets a week.
    # trailing 4 weeks (28 days) of observed / expected: week 2: (2 + 1.5 + 1.2) / 3 = 1.57;
    # week 3: (2 + 1.5 + 1.2 + 1) / 4 = 1.425; week 4: (1.5 + 1.2 + 1 + 1) / 4 = 1.175;
    # week 5: (1.2 + 1 + 1 + 1) / 4 = 1.05 <= 1.05 -> proficient in week 5
    tickets = pl.concat([_tickets([2.0, 1.5, 1.2, 1.0, 1.0, 1.0]), _tickets([3.0, 3.0, 3.0], employee_id="h2")])
    out = weeks_to_proficiency(tickets, SPELLS)
    h1 = out.filter(pl.col("spell_id") == "h1#1").row(0, named=True)
    assert h1["weeks_to_proficiency"] == 5 and h1["is_proficient"] and h1["weeks_observed"] == 5
    # h2 stays at 3x expected: not proficient, censored after week 2
    h2 = out.filter(pl.col("spell_id") == "h2#1").row(0, named=True)
    assert h2["weeks_to_proficiency"] is None and not h2["is_proficient"] and h2["weeks_observed"] == 2


def test_too_few_tickets_is_no_verdict_yet():
    # one ticket a week at the expected time: 4 in the trailing 4 weeks < 10, never proficient
    out = weeks_to_proficiency(_tickets([1.0] * 6, per_week=1), SPELLS)
    assert out["is_proficient"].to_list() == [False]
