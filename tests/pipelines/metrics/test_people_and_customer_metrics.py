"""Stalled teammates, the person-month panel and customer outcomes through the read API (as_of 2025-12-31)."""

from __future__ import annotations

from datetime import date

import pytest

from pipelines.access import Role, Viewer
from pipelines.metrics.customer import get_customer_monthly, get_customer_outcomes, get_customer_person_months
from pipelines.metrics.people import get_person_months, get_stalled, get_stalled_count
from tests.fixtures.canonical.org import memory_context

SYSTEM = Viewer.system()
EXEC = Viewer(Role.EXECUTIVE)
START, AS_OF = date(2025, 1, 1), date(2025, 12, 31)


@pytest.fixture(scope="module")
def ctx():
    return memory_context(min_group_size=1)


def test_stalled_with_reasons(ctx):
    stalled = get_stalled(SYSTEM, ctx, AS_OF)
    # A3 (46.98 months as Specialist 2) before A1 (24.02 months): longest first
    assert stalled["employee_id"].to_list() == ["A3", "A1"]
    assert stalled["reasons"][1].to_list() == [
        "24 months as Customer Support Specialist 2; the ladder expects about 18 months (too few promoted peers to compare)",
        "No growth activity in the last 9 months",
    ]
    assert get_stalled_count(SYSTEM, ctx, AS_OF)["stalled"] == 2


def test_stalled_only_counts_people_still_in_support(ctx):
    # March 2025: A2 (12.02 months as Specialist 1 > 12, no growth) is flagged in the mart row of
    # the month she left (2025-03-01), but she is not in support on 2025-03-31, so not listed
    flagged = ctx.one("select is_stalled from marts_stalled where employee_id = 'A2' and month = '2025-03-01'")
    assert flagged == (True,)
    assert "A2" not in get_stalled(SYSTEM, ctx, date(2025, 3, 31))["employee_id"].to_list()


def test_stalled_scope(ctx):
    # both stalled people report to M1; B1's team has B5 (on a plan) and nobody stalled
    assert get_stalled(Viewer(Role.MANAGER, "M1"), ctx, AS_OF)["employee_id"].to_list() == ["A3", "A1"]
    assert get_stalled(Viewer(Role.MANAGER, "B1"), ctx, AS_OF).height == 0
    everyone_b1 = get_stalled(Viewer(Role.MANAGER, "B1"), ctx, AS_OF, include_all=True)
    assert sorted(everyone_b1["employee_id"].to_list()) == ["B2", "B3", "B4", "B5"]
    assert get_stalled(EXEC, ctx, AS_OF).height == 0
    # the count is an aggregate: an executive may see it
    assert get_stalled_count(EXEC, ctx, AS_OF)["stalled"] == 2


def test_person_months_scope(ctx):
    december = get_person_months(Viewer(Role.MANAGER, "M1"), ctx, date(2025, 12, 1), AS_OF)
    # M1's reports in December 2025: A1, A3, A4 and A5 (back from Sales); not M1 themself
    assert december["employee_id"].to_list() == ["A1", "A3", "A4", "A5"]
    # the whole organisation in December: 11 people
    assert get_person_months(SYSTEM, ctx, date(2025, 12, 1), AS_OF).height == 11
    assert get_person_months(EXEC, ctx, START, AS_OF).height == 0


def test_customer_outcomes(ctx):
    result = get_customer_outcomes(SYSTEM, ctx, START, AS_OF)
    # 2025: t1..t8 and t10 = 9 conversations (t9 is 2024-12-31 UTC); t6, t7 bot-resolved -> 2/9
    assert result["conversations"] == 9
    assert result["bot_share"] == pytest.approx(2 / 9)
    # rated: t1 good, t2 bad, t4 good, t5 good, t6 good, t8 bad -> 4 / 6
    assert result["csat"] == pytest.approx(4 / 6)
    assert result["qa_mean_score"] == pytest.approx(85.0)


def test_customer_outcomes_for_a_manager(ctx):
    result = get_customer_outcomes(Viewer(Role.MANAGER, "M1"), ctx, START, AS_OF)
    # A1 and A3 only: t1 good, t2 bad, t3 unrated, t4 good -> 2 / 3; bot share has no team
    assert result["conversations"] == 4
    assert result["csat"] == pytest.approx(2 / 3)
    assert result["bot_share"] is None


def test_customer_monthly_and_person_months(ctx):
    months = {r["month"]: r for r in get_customer_monthly(SYSTEM, ctx, START, AS_OF).to_dicts()}
    assert months[date(2025, 4, 1)]["bot_share"] == pytest.approx(1 / 2)  # t7 bot, t8 human
    assert months[date(2025, 5, 1)]["csat"] is None  # t10 unrated: no ratings, no CSAT
    people = get_customer_person_months(SYSTEM, ctx, START, AS_OF)
    assert people.select("employee_id", "month", "n_tickets").rows() == [
        ("A1", date(2025, 2, 1), 2),
        ("A3", date(2025, 2, 1), 1),
        ("A3", date(2025, 3, 1), 1),
        ("B2", date(2025, 3, 1), 1),
        ("B3", date(2025, 4, 1), 1),
    ]
    assert get_customer_person_months(EXEC, ctx, START, AS_OF).height == 0
