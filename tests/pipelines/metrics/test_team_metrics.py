"""Team structure reads on the hand-made fixture organisation (tickets listed in tests/fixtures/canonical/org.py)."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from pipelines.access import Role, Viewer
from pipelines.metrics.competency import get_competency_standing, next_roles
from pipelines.metrics.person import get_growth_history, get_person_roles
from pipelines.metrics.team import (
    BOT_TIER,
    get_channel_mix,
    get_data_dates,
    get_org_units,
    get_support_managers,
    get_tier_monthly,
)
from tests.fixtures.canonical.org import AS_OF, memory_context

DIRECTOR = Viewer(Role.DIRECTOR)
START = date(2025, 1, 1)


@pytest.fixture(scope="module")
def ctx():  # noqa: ANN201
    return memory_context(min_group_size=1)


def test_tier_monthly_counts_by_hand(ctx):
    out = get_tier_monthly(DIRECTOR, ctx, START, AS_OF)
    rows = {(r["month"], r["tier"]): r for r in out.iter_rows(named=True)}
    # t9 was created 2024-12-31 23:30 UTC: outside the window
    assert (date(2024, 12, 1), "Tier 1") not in rows
    feb = rows[(date(2025, 2, 1), "Tier 1")]
    assert (feb["n_conversations"], feb["n_people"], feb["n_escalated"]) == (3, 2, 0)
    assert feb["per_person"] == 1.5
    mar = rows[(date(2025, 3, 1), "Tier 2")]
    assert (mar["n_conversations"], mar["n_escalated"], mar["escalated_in_rate"]) == (2, 1, 0.5)
    # bot-resolved conversations are their own row, whatever tier the helpdesk gave them
    assert rows[(date(2025, 3, 1), BOT_TIER)]["n_conversations"] == 1
    assert rows[(date(2025, 4, 1), BOT_TIER)]["n_conversations"] == 1
    # t10 went to an agent matched to nobody: counted, but no person to divide by
    may = rows[(date(2025, 5, 1), "Tier 1")]
    assert (may["n_conversations"], may["n_people"], may["per_person"]) == (1, 0, None)
    assert int(out["n_conversations"].sum()) == 9


def test_channel_mix_bot_share(ctx):
    mix = get_channel_mix(DIRECTOR, ctx, START, AS_OF).filter(pl.col("month") == date(2025, 3, 1)).row(0, named=True)
    assert (mix["n_conversations"], mix["n_bot_only"], mix["n_human"]) == (3, 1, 2)
    assert mix["bot_share"] == pytest.approx(1 / 3)


def test_small_groups_hide_per_person_load():
    strict = memory_context(min_group_size=5)
    out = get_tier_monthly(DIRECTOR, strict, START, AS_OF)
    human = out.filter(pl.col("tier") != BOT_TIER)
    assert human["per_person"].is_null().all() and human["is_suppressed"].any()


def test_manager_scope_keeps_their_people_tickets(ctx):
    # M1 leads Alpha: A1 and A3 handled t1-t4 in the window
    out = get_tier_monthly(Viewer(Role.MANAGER, "M1"), ctx, START, AS_OF)
    assert int(out["n_conversations"].sum()) == 4
    assert BOT_TIER not in out["tier"].to_list()


def test_dates_units_and_managers(ctx):
    assert get_data_dates(DIRECTOR, ctx)["data_end_date"] == date(2026, 1, 10)
    units = get_org_units(DIRECTOR, ctx, AS_OF)
    assert units.columns == ["team", "tier"] and {"Alpha", "Beta"} <= set(units["team"].to_list())
    managers = get_support_managers(DIRECTOR, ctx, AS_OF)
    assert {"M1", "B1"} <= set(managers["manager_id"].to_list())
    assert get_support_managers(Viewer(Role.EXECUTIVE), ctx, AS_OF).is_empty()


def test_next_roles_follow_the_track(ctx):
    up = dict(next_roles(ctx).select("title", "next_title").iter_rows())
    assert up["Customer Support Specialist 1"] == "Customer Support Specialist 2"
    assert up["Team Lead"] == "Support Manager"
    assert up["Senior Support Specialist"] is None  # top of the frontline track


def test_competency_standing_empty_without_ratings(ctx):
    assert get_competency_standing(DIRECTOR, ctx, AS_OF).is_empty()


def test_person_reads_respect_scope(ctx):
    # A1 reports to M1 (Alpha); B2 to the Beta lead: M1 may not read B2's history
    m1 = Viewer(Role.MANAGER, "M1")
    assert get_person_roles(m1, ctx, "A1", AS_OF).height >= 2
    assert get_person_roles(m1, ctx, "B2", AS_OF).is_empty()
    assert get_person_roles(Viewer(Role.EXECUTIVE), ctx, "A1", AS_OF).is_empty()
    growth = get_growth_history(m1, ctx, ["A1", "B3"], AS_OF)
    assert set(growth["employee_id"].to_list()) <= {"A1"}
