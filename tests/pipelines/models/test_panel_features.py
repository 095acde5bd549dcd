"""The driver columns the person-month mart adds for the attrition model, hand-checked on the canonical fixture.

Fixture (tests/fixtures/canonical/org.py): A1 (Alpha, manager M1) has growth that ended
2024-12-31 and pay 56,000 in the Specialist 2 band 50,000-70,000; A2 (Alpha) resigned on
2025-03-01; M2 (reporting to D1) resigned on 2025-06-30.
"""

from __future__ import annotations

from datetime import date

import pytest

from tests.fixtures.canonical.org import memory_context


@pytest.fixture(scope="module")
def ctx():  # noqa: ANN201
    return memory_context()


def _value(ctx, column: str, employee_id: str, month: date):  # noqa: ANN001, ANN202
    row = ctx.one(
        "select " + column + " from marts_person_months where employee_id = $e and month = $m",  # noqa: S608 - fixed names
        {"e": employee_id, "m": month},
    )
    return row[0]


def test_months_without_growth_count_from_the_end_of_the_last_activity(ctx):
    # growth ended 2024-12-31; observed on 2025-01-31 and 2025-12-31
    assert _value(ctx, "months_without_growth", "A1", date(2025, 1, 1)) == pytest.approx(31 / 30.4375)
    assert _value(ctx, "months_without_growth", "A1", date(2025, 12, 1)) == pytest.approx(365 / 30.4375)


def test_pay_gap_to_midpoint(ctx):
    assert _value(ctx, "pay_gap_to_midpoint", "A1", date(2025, 6, 1)) == pytest.approx((60_000 - 56_000) / 60_000)


def test_teammates_who_resigned_count_six_months(ctx):
    # A2's resignation (2025-03-01) counts from March to August 2025
    got = [_value(ctx, "teammates_left_voluntarily_6m", "A1", date(2025, m, 1)) for m in (2, 3, 8, 9)]
    assert got == [0, 1, 1, 0]


def test_teammates_left_counts_exits_after_the_day_six_months_before(ctx):
    # M2 left Beta on 2025-06-30. B5 (Beta) observed 2025-11-30: window (2025-05-30, 2025-11-30] holds
    # it; observed 2025-12-31: window (2025-06-30, 2025-12-31] starts the day after, so it does not.
    got = [_value(ctx, "teammates_left_6m", "B5", date(2025, m, 1)) for m in (6, 11, 12)]
    assert got == [1, 1, 0]


def test_the_persons_own_exit_is_not_a_teammate_leaving(ctx):
    # Alpha's exits in (2024-09-30, 2025-03-31]: A5's transfer out (2025-01-31) and A2's resignation
    # (2025-03-01). A1 sees both (one voluntary); A2's own March row (observed on its last day,
    # 2025-03-01) sees only A5's transfer.
    assert (
        _value(ctx, "teammates_left_6m", "A1", date(2025, 3, 1)),
        _value(ctx, "teammates_left_voluntarily_6m", "A1", date(2025, 3, 1)),
    ) == (2, 1)
    assert (
        _value(ctx, "teammates_left_6m", "A2", date(2025, 3, 1)),
        _value(ctx, "teammates_left_voluntarily_6m", "A2", date(2025, 3, 1)),
    ) == (1, 0)


def test_a_lateral_move_restarts_time_in_level_not_time_since_promotion(ctx):
    # B4: hired 2020-06-01 as Senior Support Specialist, lateral to Support Operations 2025-09-01,
    # never promoted. Observed 2025-12-31: 122 days in the level, 2,040 days since the spell began.
    assert _value(ctx, "months_in_level", "B4", date(2025, 12, 1)) == pytest.approx(122 / 30.4375)
    assert _value(ctx, "months_since_promotion", "B4", date(2025, 12, 1)) == pytest.approx(2040 / 30.4375)


def test_manager_resignations_and_rate(ctx):
    assert _value(ctx, "manager_voluntary_exits_12m", "A1", date(2025, 2, 1)) == 0
    assert _value(ctx, "manager_voluntary_exits_12m", "A1", date(2025, 3, 1)) == 1  # A2, under M1
    # M2 resigned in June 2025 under D1, whose reports were M1 and M2: 1 resignation per 2 reports
    assert _value(ctx, "manager_voluntary_exits_12m", "M1", date(2025, 5, 1)) == 0
    assert _value(ctx, "manager_exit_rate_12m", "M1", date(2025, 6, 1)) == pytest.approx(0.5)


def test_sustained_complex_load_is_the_third_highest_of_four_months(ctx):
    # the fixture has a single complex ticket per agent: one month of load is never sustained
    # (the sample's busy agents are checked in tests/pages/test_attrition_risk.py)
    rows = ctx.frame(
        "select month, complex_tickets, complex_tickets_3_of_4m from marts_person_months "
        "where employee_id = 'B2' order by month"
    ).to_dicts()
    assert sum(r["complex_tickets"] for r in rows) == 1
    assert all(r["complex_tickets_3_of_4m"] == 0 for r in rows)


def test_manager_exit_ratio_is_shrunk_towards_the_organisation(ctx):
    # Nobody resigned anywhere in the 12 months to February 2025: no evidence, ratio 1.
    assert _value(ctx, "manager_exit_ratio_12m", "A1", date(2025, 2, 1)) == 1.0
    # March 2025: A2 resigned (org rate r > 0) but none of D1's reports did; D1 had M1 and M2
    # for 12 months (24 report-months): (0 + 120 r) / ((24 + 120) r) = 120 / 144, whatever r is.
    assert _value(ctx, "manager_exit_ratio_12m", "M1", date(2025, 3, 1)) == pytest.approx(120 / 144)
    # June 2025: M2 resigned under D1 (1 of 24 report-months). The organisation, July 2024 to
    # June 2025: 12 people a month for 4 months, 13 for 3 (B3 joins, A5 leaves), 12 for 5 = 147
    # person-months, 2 resignations (A2, M2): r = 2 / 147.
    r = 2 / 147
    assert _value(ctx, "manager_exit_ratio_12m", "M1", date(2025, 6, 1)) == pytest.approx(
        (1 + 120 * r) / ((24 + 120) * r)
    )
    # the unshrunk rate says 0.5 per report for the same month: one resignation in a team of two
    assert _value(ctx, "manager_exit_rate_12m", "M1", date(2025, 6, 1)) == pytest.approx(0.5)


def test_manager_exit_ratio_is_null_without_a_manager(ctx):
    # D1 (the Director) reports to nobody in support
    assert _value(ctx, "manager_exit_ratio_12m", "D1", date(2025, 6, 1)) is None
