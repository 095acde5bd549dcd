"""Headcount, average headcount and attrition on the canonical organisation, as_of 2025-12-31.

Window 2025-01-01..2025-12-31 (365 days). Person-days in support in the window:
  D1 M1 A1 A3 A4 B1 B2 B3 B4 B5: 10 x 365 = 3650
  M2 2025-01-01..06-30 = 181; A2 01-01..03-01 = 31 + 28 + 1 = 60
  A5 01-01..01-31 = 31 and 08-01..12-31 = 153 -> 184; A6 04-15..10-31 = 16 + 184 = 200
  total 4275 -> average headcount 4275 / 365 = 11.7123
Exits: voluntary M2 (regretted), A2; involuntary A6; transfer out A5. Hires: A6 (N1 is after as_of).
"""

from __future__ import annotations

from datetime import date

import pytest

from pipelines.access import Role, Viewer
from pipelines.metrics.headcount import (
    get_attrition,
    get_attrition_monthly,
    get_average_headcount,
    get_exits,
    get_headcount,
)
from tests.fixtures.canonical.org import memory_context

SYSTEM = Viewer.system()
START, AS_OF = date(2025, 1, 1), date(2025, 12, 31)
AVG = 4275 / 365


@pytest.fixture(scope="module")
def ctx():
    return memory_context(min_group_size=1)


def test_headcount_on_as_of(ctx):
    # in support on 2025-12-31: D1 M1 A1 A3 A4 A5 B1 B2 B3 B4 B5 = 11 (M2 A2 A6 gone, N1 not yet)
    assert get_headcount(SYSTEM, ctx, AS_OF)["headcount"].to_list() == [11]


def test_headcount_counts_the_last_day_and_not_the_next(ctx):
    # A2's last day is 2025-03-01: counted on 03-01 (12 people), gone on 03-02 (11)
    assert get_headcount(SYSTEM, ctx, date(2025, 3, 1))["headcount"][0] == 12
    assert get_headcount(SYSTEM, ctx, date(2025, 3, 2))["headcount"][0] == 11
    # A6's last day is 2025-10-31 (last day of a month): 12 on 10-31, 11 on 11-01
    assert get_headcount(SYSTEM, ctx, date(2025, 10, 31))["headcount"][0] == 12
    assert get_headcount(SYSTEM, ctx, date(2025, 11, 1))["headcount"][0] == 11


def test_headcount_by_team(ctx):
    by_team = dict(get_headcount(SYSTEM, ctx, AS_OF, by="team").select("team", "headcount").iter_rows())
    # Alpha: M1 A1 A3 A4 A5; Beta: B1..B5; Leadership: D1
    assert by_team == {"Alpha": 5, "Beta": 5, "Leadership": 1}


def test_average_headcount(ctx):
    assert get_average_headcount(SYSTEM, ctx, START, AS_OF)["avg_headcount"][0] == pytest.approx(AVG)


def test_attrition_over_the_trailing_year(ctx):
    row = get_attrition(SYSTEM, ctx, START, AS_OF).to_dicts()[0]
    assert (row["hires"], row["exits_voluntary"], row["exits_involuntary"], row["transfers_out"]) == (1, 2, 1, 1)
    assert row["exits_regretted"] == 1
    assert row["attrition_rate"] == pytest.approx(3 / AVG)  # 0.2561
    assert row["voluntary_attrition_rate"] == pytest.approx(2 / AVG)  # 0.1708
    assert row["regretted_attrition_rate"] == pytest.approx(1 / AVG)  # 0.0854
    assert row["support_turnover_rate"] == pytest.approx(4 / AVG)  # 0.3415
    # a 365-day window: the annualised rate equals the rate
    assert row["annualised_attrition_rate"] == pytest.approx(3 / AVG)


def test_attrition_by_team(ctx):
    teams = {r["team"]: r for r in get_attrition(SYSTEM, ctx, START, AS_OF, by="team").to_dicts()}
    # Alpha: M1 365 + A1 365 + A2 60 + A3 365 + A4 365 + A5 184 + A6 200 = 1904 days; exits A2, A6
    assert teams["Alpha"]["avg_headcount"] == pytest.approx(1904 / 365)
    assert teams["Alpha"]["attrition_rate"] == pytest.approx(2 / (1904 / 365))
    # Beta: M2 181 + B1..B5 5 x 365 = 2006 days; exit M2 (regretted)
    assert teams["Beta"]["attrition_rate"] == pytest.approx(1 / (2006 / 365))
    assert teams["Beta"]["regretted_attrition_rate"] == pytest.approx(1 / (2006 / 365))


def test_attrition_by_tenure_band_and_cohort(ctx):
    bands = {r["tenure_band"]: r for r in get_attrition(SYSTEM, ctx, START, AS_OF, by="tenure_band").to_dicts()}
    # A6 leaves at 200 days (6.57 months) -> "6-12 months"; A2 at 366 days (12.02) -> "1-2 years";
    # M2 at 1491 days (48.99) -> "4+ years"
    assert bands["6-12 months"]["exits_involuntary"] == 1
    assert bands["1-2 years"]["exits_voluntary"] == 1
    assert bands["4+ years"]["exits_voluntary"] == 1
    cohorts = {r["hire_cohort"]: r for r in get_attrition(SYSTEM, ctx, START, AS_OF, by="hire_cohort").to_dicts()}
    # 2025 cohort: A6 (hired 2025-04-15) and A5's second spell (2025-08-01): 200 + 153 days, 1 exit
    assert cohorts[2025]["avg_headcount"] == pytest.approx(353 / 365)
    assert cohorts[2025]["exits_involuntary"] == 1


def test_attrition_monthly(ctx):
    months = {r["month"]: r for r in get_attrition_monthly(SYSTEM, ctx, START, AS_OF).to_dicts()}
    # March: A2 on 1 day, 11 others all month -> (11 x 31 + 1) / 31 = 11.0323; 1 exit
    assert months[date(2025, 3, 1)]["avg_headcount"] == pytest.approx((11 * 31 + 1) / 31)
    assert months[date(2025, 3, 1)]["attrition_rate"] == pytest.approx(1 / ((11 * 31 + 1) / 31))
    assert months[date(2025, 3, 1)]["annualised_attrition_rate"] == pytest.approx(12 / ((11 * 31 + 1) / 31))
    # December: the trailing 12 months are exactly the window
    assert months[date(2025, 12, 1)]["trailing_12m_attrition_rate"] == pytest.approx(3 / AVG)
    # January: A5's transfer out is not attrition
    assert months[date(2025, 1, 1)]["exits"] == 0 and months[date(2025, 1, 1)]["transfers_out"] == 1


def test_exits_by_type_and_destination(ctx):
    exits = get_exits(SYSTEM, ctx, START, AS_OF).select("end_kind", "exit_destination", "exits").rows()
    assert sorted(exits, key=str) == sorted(
        [
            ("involuntary", None, 1),
            ("transfer_out", "Sales", 1),
            ("voluntary", "Competitor", 1),
            ("voluntary", "Other industry", 1),
        ],
        key=str,
    )


def test_small_cells_are_suppressed_with_a_complement():
    ctx5 = memory_context(min_group_size=5)
    teams = {r["team"]: r for r in get_attrition(SYSTEM, ctx5, START, AS_OF, by="team").to_dicts()}
    # Leadership covers 1 person (< 5): hidden; as the only small cell, the next smallest
    # (Beta, 6 people) is hidden too so Leadership cannot be recovered from a total
    assert teams["Leadership"]["is_suppressed"] and teams["Leadership"]["attrition_rate"] is None
    assert teams["Beta"]["is_suppressed"] and teams["Beta"]["avg_headcount"] is None
    assert not teams["Alpha"]["is_suppressed"]
    # every exit cell covers one person: all hidden
    assert get_exits(SYSTEM, ctx5, START, AS_OF)["exits"].null_count() == 4


def test_manager_sees_only_their_subtree(ctx):
    m1 = Viewer(Role.MANAGER, "M1")
    row = get_attrition(m1, ctx, START, AS_OF).to_dicts()[0]
    # M1's reports (not M1): A1 365 + A2 60 + A3 365 + A4 365 + A5 184 (31 Jan + 153 back; in
    # Sales A5 reports to S1) + A6 200 = 1539 days; exits A2 (voluntary) and A6 (involuntary)
    assert row["n_people"] == 6
    assert row["avg_headcount"] == pytest.approx(1539 / 365)
    assert row["attrition_rate"] == pytest.approx(2 / (1539 / 365))
    # B1 leads Beta from 2025-07-01: B2..B5 for 184 days each, no exits
    b1 = get_attrition(Viewer(Role.MANAGER, "B1"), ctx, START, AS_OF).to_dicts()[0]
    assert b1["avg_headcount"] == pytest.approx(4 * 184 / 365) and b1["exits_voluntary"] == 0


def test_unknown_cut_is_refused(ctx):
    with pytest.raises(ValueError, match="unknown cut"):
        get_attrition(SYSTEM, ctx, START, AS_OF, by="gender")
