"""The staging and mart SQL models on the hand-made canonical organisation (tests/fixtures/canonical/org.py).

Months are days / 30.4375 throughout; each expected value is worked out in the comments.
"""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from pipelines.sql import INCREMENTAL, MODEL_ORDER, model_macro_sql, model_sql
from tests.fixtures.canonical.org import frames, memory_context


@pytest.fixture(scope="module")
def ctx():
    return memory_context()


def rows(ctx, sql, params=None):
    return ctx.frame(sql, params).to_dicts()


def test_every_model_states_its_grain_and_ends_with_select_star():
    for name in MODEL_ORDER:
        text = model_sql(name)
        assert text.startswith("-- Grain: "), name
        assert f"create or replace table {name} as" in text, name
        last = text.rstrip().splitlines()[-1]
        if name in INCREMENTAL:  # a table macro, then the full build from it
            assert model_macro_sql(name).count("create or replace temp macro") == 1, name
            assert last.startswith(f"create or replace table {name} as from {INCREMENTAL[name]}("), name
        else:
            assert last.startswith("select * from "), name


def test_settings_tables_are_written(ctx):
    # the default ladder has 10 roles, one support department and 3 tiers
    assert ctx.one("select count(*) from settings_ladder") == (10,)
    assert ctx.one("select department from settings_support_departments") == ("Customer Support",)
    assert ctx.one("select tier_rank from settings_tiers where tier = 'Tier 3'") == (3,)


def test_spells_handle_rehires_transfers_and_late_hires(ctx):
    spells = {r["spell_id"]: r for r in rows(ctx, "select * from marts_support_spells")}
    # 15 support people (S1 never in support), A4 and A5 with two spells each: 17 spells
    assert len(spells) == 17
    # A4: left 2022-05-31, rehired 2023-09-01 -> a new spell that starts as a rehire
    assert spells["A4#1"]["end_kind"] == "voluntary" and spells["A4#1"]["end_date"] == date(2022, 5, 31)
    assert spells["A4#2"]["start_kind"] == "rehire" and spells["A4#2"]["end_date"] is None
    # A5: Sales from 2025-02-01 -> last support day 2025-01-31, back 2025-08-01
    assert spells["A5#1"]["end_kind"] == "transfer_out" and spells["A5#1"]["end_date"] == date(2025, 1, 31)
    assert spells["A5#1"]["exit_destination"] == "Sales"
    assert spells["A5#2"]["start_kind"] == "transfer_in" and spells["A5#2"]["start_date"] == date(2025, 8, 1)
    # the manager who leaves: regretted, on the last day of June
    assert (spells["M2#1"]["end_kind"], spells["M2#1"]["is_regretted"]) == ("voluntary", True)
    # exits on the first and the last day of a month keep that day as the last day in support
    assert spells["A2#1"]["end_date"] == date(2025, 3, 1)
    assert (spells["A6#1"]["end_date"], spells["A6#1"]["end_kind"]) == (date(2025, 10, 31), "involuntary")
    # hired after as_of: a spell exists (the data runs to 2026-01-10) but starts 2026-01-10
    assert spells["N1#1"]["start_date"] == date(2026, 1, 10)
    assert "S1#1" not in spells


def test_promotion_on_the_hire_date_is_the_starting_role(ctx):
    # A3 is hired as Specialist 1 and promoted the same day: the day's final state counts,
    # so the spell starts as Specialist 2 and there is no promotion row
    assert ctx.one("select start_title from marts_support_spells where employee_id = 'A3'") == (
        "Customer Support Specialist 2",
    )
    assert ctx.one("select count(*) from marts_role_moves where employee_id = 'A3'") == (0,)


def test_role_moves_and_months_needed(ctx):
    moves = rows(
        ctx, "select employee_id, effective_date, move_kind, from_role_months from marts_role_moves order by 1, 2"
    )
    kinds = [(m["employee_id"], m["move_kind"]) for m in moves]
    # A1, B1 x2, B2, B3 promotions; B4 Senior Specialist -> Support Operations (both level 3): lateral
    assert kinds == [
        ("A1", "promotion"),
        ("B1", "promotion"),
        ("B1", "promotion"),
        ("B2", "promotion"),
        ("B3", "promotion"),
        ("B4", "lateral"),
    ]
    # A1: Specialist 1 from 2023-01-01 to 2023-12-31 = 365 days = 11.9918 months
    assert moves[0]["from_role_months"] == pytest.approx(365 / 30.4375)
    # B2: Specialist 2 from 2021-09-01 to 2025-02-28 = 122 + 366 + 365 + 365 + 59 = 1277 days
    assert moves[3]["from_role_months"] == pytest.approx(1277 / 30.4375)
    # B1 -> Team Lead is the only management promotion
    assert ctx.one("select list(employee_id) from marts_role_moves where is_management_promotion") == (["B1"],)


def test_panel_has_one_row_per_person_month(ctx):
    assert ctx.one("select count(*) - count(distinct (employee_id, month)) from marts_person_months") == (0,)
    # nobody in S1's months (never in support); N1 only in 2026-01 (hired 2026-01-10)
    assert ctx.one("select count(*) from marts_person_months where employee_id = 'S1'") == (0,)
    assert ctx.one("select list(month) from marts_person_months where employee_id = 'N1'") == ([date(2026, 1, 1)],)
    # A5 is in Sales from February to July 2025: no panel rows then
    months = ctx.one(
        "select list(month order by month) from marts_person_months where employee_id = 'A5' and year(month) = 2025"
    )[0]
    assert months == [date(2025, 1, 1)] + [date(2025, m, 1) for m in range(8, 13)]


def test_panel_values_for_a1_in_december_2025(ctx):
    (row,) = rows(ctx, "select * from marts_person_months where employee_id = 'A1' and month = '2025-12-01'")
    # obs_date 2025-12-31; spell from 2023-01-01: 365 + 366 + 365 = 1096 days -> 36.008 months
    assert row["obs_date"] == date(2025, 12, 31)
    assert row["tenure_months"] == pytest.approx(1096 / 30.4375)
    # Specialist 2 since 2024-01-01: 366 + 365 = 731 days; last promotion the same day
    assert row["months_in_level"] == pytest.approx(731 / 30.4375)
    assert row["months_since_promotion"] == pytest.approx(731 / 30.4375)
    assert row["tenure_band"] == "2-4 years"
    # mentoring ended 2024-12-31: outside both the 6- and 12-month windows ending 2025-12-31
    assert (row["growth_activities_6m"], row["growth_activities_12m"]) == (0, 0)
    # review 2025-12-15 rating 4.0; pay 56,000 in the 50,000-70,000 band -> 0.3
    assert row["rating"] == 4.0 and row["is_on_pip"] is False
    assert row["pay_position_in_band"] == pytest.approx(0.3)
    # no tickets in December; A6 (Alpha) left 2025-10-31, inside (2025-06-30, 2025-12-31]
    assert row["tickets_handled"] == 0 and row["complex_ticket_share"] is None
    assert row["teammates_left_6m"] == 1
    assert row["exit_type"] is None and row["exit_type_next_month"] is None


def test_panel_workload_complexity_and_people_without_tickets(ctx):
    feb = {r["employee_id"]: r for r in rows(ctx, "select * from marts_person_months where month = '2025-02-01'")}
    # A1: t1 (normal, Tier 1) + t2 (high priority -> complex) = 2 tickets, share 0.5
    assert feb["A1"]["tickets_handled"] == 2 and feb["A1"]["complex_ticket_share"] == 0.5
    # Alpha's median among members with tickets: A1 2, A3 1 -> 1.5; A1 2 / 1.5, A3 1 / 1.5
    assert feb["A1"]["workload_ratio"] == pytest.approx(2 / 1.5)
    assert feb["A3"]["workload_ratio"] == pytest.approx(1 / 1.5)
    # M1 handles no tickets: 0 tickets, no complex share; ratio 0 against the team median
    assert feb["M1"]["tickets_handled"] == 0 and feb["M1"]["complex_ticket_share"] is None
    assert feb["M1"]["workload_ratio"] == 0.0
    # Beta has nobody with tickets in February: no median, no ratio
    assert feb["B5"]["workload_ratio"] is None


def test_panel_outcomes_and_manager_changes(ctx):
    # A2 leaves 2025-03-01: the February row carries the next month's exit, March the exit itself
    a2 = {r["month"]: r for r in rows(ctx, "select * from marts_person_months where employee_id = 'A2'")}
    assert a2[date(2025, 2, 1)]["exit_type_next_month"] == "voluntary"
    assert a2[date(2025, 3, 1)]["exit_type"] == "voluntary"
    # A5's last support month is January 2025 (transfer out); the outcome shows in December 2024
    a5 = {r["month"]: r for r in rows(ctx, "select * from marts_person_months where employee_id = 'A5'")}
    assert a5[date(2024, 12, 1)]["exit_type_next_month"] == "transfer_out"
    # A5 changed manager M1 -> S1 (2025-02-01) and S1 -> M1 (2025-08-01): 2 in the last 12 months
    assert a5[date(2025, 12, 1)]["manager_changes_12m"] == 2
    # B2 moved from M2 to B1 on 2025-07-01
    assert ctx.one(
        "select manager_changes_12m from marts_person_months where employee_id = 'B2' and month = '2025-12-01'"
    ) == (1,)


def test_customer_marts(ctx):
    months = {r["month"]: r for r in rows(ctx, "select * from marts_customer_months")}
    # March 2025: t4, t5 (humans) and t6 (bot) -> 3 conversations, bot share 1/3, 3 rated all good
    march = months[date(2025, 3, 1)]
    assert (march["n_conversations"], march["n_bot_resolved"], march["n_rated"], march["n_good"]) == (3, 1, 3, 3)
    # t9 was created 2024-12-31 23:30 UTC: December 2024
    assert months[date(2024, 12, 1)]["n_conversations"] == 1
    # A1 February: QA scores 80 and 90 -> mean 85
    assert ctx.one(
        "select qa_mean_score, n_qa from marts_customer_person_months where employee_id = 'A1' and month = '2025-02-01'"
    ) == (85.0, 2)
    # the unmatched agent z999 has no employee: its ticket counts for the org, not for a person
    assert ctx.one("select count(*) from staging_ticket_facts where employee_id is null") == (3,)


def test_stalled_mart_with_ladder_figures(ctx):
    dec = {r["employee_id"]: r for r in rows(ctx, "select * from marts_stalled where month = '2025-12-01'")}
    # fewer than 5 promoted peers everywhere -> the ladder's expected months, capped by max_months:
    # Specialist 2: min(18, 27) = 18. A1 24.0 months, A3 46.98 months (since 2022-02-01: 1430 days)
    assert dec["A1"]["threshold_months"] == 18 and dec["A1"]["is_stalled"]
    assert dec["A3"]["months_in_level"] == pytest.approx(1430 / 30.4375) and dec["A3"]["is_stalled"]
    assert dec["A3"]["reasons"] == [
        "46 months as Customer Support Specialist 2; the ladder expects about 18 months (too few promoted peers to compare)",
        "No growth activity in the last 9 months",
    ]
    # B5: 59.9 months in level, no growth, but on a performance plan -> not stalled
    assert dec["B5"]["is_on_pip"] and not dec["B5"]["is_stalled"]
    # A4: 28 months as Specialist 1 (> 12) but onboarding since 2025-06-01 -> not stalled
    assert dec["A4"]["n_recent_growth"] == 1 and not dec["A4"]["is_stalled"]
    assert sorted(k for k, r in dec.items() if r["is_stalled"]) == ["A1", "A3"]


def test_stalled_uses_the_peer_quantile_when_enough_peers():
    ctx = memory_context(stalled_min_promoted_peers=1)
    (a1,) = rows(ctx, "select * from marts_stalled where employee_id = 'A1' and month = '2025-12-01'")
    (a3,) = rows(ctx, "select * from marts_stalled where employee_id = 'A3' and month = '2025-12-01'")
    # promotions out of Specialist 2 by 2025-12-31: B1 after 903 days (2023-01-10..2025-06-30) and B2
    # after 1277 days -> sorted [29.667, 41.955]; p75 = 29.667 + 0.75 * (41.955 - 29.667) = 38.883
    p75 = 903 / 30.4375 + 0.75 * (1277 - 903) / 30.4375
    assert a1["peer_months_needed"] == pytest.approx(p75)
    # the ladder max for Specialist 2 is 27 < 38.88, so the threshold is 27 months
    assert a1["threshold_months"] == 27
    assert not a1["is_stalled"]  # 24.0 months
    assert a3["is_stalled"]  # 46.98 months
    assert (
        a3["reasons"][0] == "46 months as Customer Support Specialist 2; the ladder maximum for this role is 27 months"
    )


def test_complex_categories_come_from_handle_times():
    tables = frames()
    extra = pl.DataFrame(
        {
            "source_system": ["zendesk"] * 5,
            "ticket_id": ["c1", "c2", "c3", "c4", "c5"],
            "agent_id": ["za1"] * 5,
            "category": ["API Error", "API Error", "How-to", "How-to", None],
            "handle_seconds": [1000.0, 1200.0, 200.0, 300.0, None],
            "is_escalated": [False, False, False, False, True],
        }
    ).with_columns(
        pl.lit("2025-06-10 10:00:00").str.to_datetime("%Y-%m-%d %H:%M:%S", time_zone="UTC").alias("created_at")
    )
    tables["tickets"] = pl.concat([tables["tickets"], extra], how="diagonal_relaxed")
    ctx = memory_context(tables=tables)
    flags = dict(
        ctx.frame("select ticket_id, is_complex from staging_ticket_facts where ticket_id like 'c%'").iter_rows()
    )
    # human handle times 200, 300, 1000, 1200 -> median 650; API Error median 1100 > 650: complex,
    # How-to 250: not; c5 has no category and was escalated: complex by the fallback
    assert flags == {"c1": True, "c2": True, "c3": False, "c4": False, "c5": True}
    # A1 in June 2025: 5 conversations, 3 complex
    assert ctx.one(
        "select tickets_handled, complex_tickets from marts_person_months where employee_id = 'A1' and month = '2025-06-01'"
    ) == (5, 3)


def test_hire_and_exit_on_the_same_day_is_a_one_day_spell_with_its_exit():
    # Z1 is hired and leaves on 2025-04-10 (a no-show recorded as a voluntary exit): one spell of
    # one day, 2025-04-10..2025-04-10, ended by a voluntary exit; nobody else changes.
    from tests.fixtures.canonical import org

    tables = org.frames()
    extra = [
        {**org._hire("Z1", "2025-04-10", org.CSS1, "Alpha", "Tier 1", "M1"), "event_seq": 0},
        {**org._exit("Z1", "2025-04-10", "voluntary", False, "Unknown"), "event_seq": 1},
    ]
    tables["job_events"] = pl.concat(
        [
            tables["job_events"],
            pl.DataFrame(extra).select(tables["job_events"].columns).cast(tables["job_events"].schema),
        ]
    )
    ctx = memory_context(tables=tables)
    spell = rows(ctx, "select * from marts_support_spells where employee_id = 'Z1'")
    assert len(spell) == 1
    assert (spell[0]["start_date"], spell[0]["end_date"]) == (date(2025, 4, 10), date(2025, 4, 10))
    assert spell[0]["start_kind"] == "hire" and spell[0]["end_kind"] == "voluntary"
    assert len(rows(ctx, "select * from marts_support_spells")) == 18  # the fixture's 17 + Z1's
    assert _overlapping_states(ctx) == 0  # the exit day and the not-employed state after it


_OVERLAPS = """
    select count(*) + (select count(*) - count(distinct (employee_id, valid_from)) from staging_job_states)
    from staging_job_states as a
    join staging_job_states as b
        on b.employee_id = a.employee_id and b.valid_from > a.valid_from
        and (a.valid_to is null or a.valid_to >= b.valid_from)
"""


def _overlapping_states(ctx) -> int:  # noqa: ANN001
    return ctx.one(_OVERLAPS)[0]


def test_job_states_never_overlap_so_each_day_has_one_state_at_most(ctx):
    # marts_kpi_tickets and marts_person_months join a day to "the state covering it" without a
    # tie-break: rehires (A4), transfers (A5), same-day promotions (A3) and exits must leave no overlap
    assert ctx.one("select count(*) from staging_job_states")[0] > 16
    assert _overlapping_states(ctx) == 0
    # and so each conversation keeps one row with its agent's team on the day
    assert ctx.one("select count(*) - count(distinct (source_system, ticket_id)) from marts_kpi_tickets") == (0,)
