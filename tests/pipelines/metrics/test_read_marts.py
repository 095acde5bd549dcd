"""The pre-aggregated read paths (monthly and daily ticket marts, segment totals) on the canonical
organisation: values worked out by hand from its 10 tickets, and equal to the direct queries
they replace (tests/fixtures/canonical/org.py) over windows that cut months at both ends."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from pipelines.access import Role, Viewer
from pipelines.metrics.fairness import (
    CSAT_ALL_CATEGORIES_SQL,
    CSAT_CATEGORIES_SQL,
    MIX_CELLS_SQL,
    MIX_DAYS_SQL,
    get_csat_context,
)
from pipelines.metrics.headcount import (
    _COUNTS,
    CUTS,
    PERSON_MONTH_TOTALS_SQL,
    person_month_days,
    person_totals,
    segment_query,
    window_totals,
)
from pipelines.metrics.scope import manager_param, month_split
from pipelines.metrics.team import get_tier_monthly
from tests.fixtures.canonical.org import memory_context

DIRECTOR = Viewer(Role.DIRECTOR)
# whole months only, both edges cut, one month cut at both ends, a window inside one month
WINDOWS = [
    (date(2025, 1, 1), date(2025, 12, 31)),
    (date(2025, 2, 11), date(2025, 4, 1)),
    (date(2024, 12, 31), date(2025, 3, 6)),
    (date(2025, 3, 6), date(2025, 3, 6)),
]


@pytest.fixture(scope="module")
def ctx():
    return memory_context()


def test_month_split_cuts_whole_months_and_edges():
    # 2025-02-11 .. 2025-04-01: March whole, February 11-28 and April 1 at the edges
    assert month_split(date(2025, 2, 11), date(2025, 4, 1)) == {
        "full_from": date(2025, 3, 1),
        "full_to": date(2025, 3, 1),
        "edge_a_from": date(2025, 2, 11),
        "edge_a_to": date(2025, 2, 28),
        "edge_b_from": date(2025, 4, 1),
        "edge_b_to": date(2025, 4, 1),
    }
    # whole months only: both edges empty (from after to)
    split = month_split(date(2025, 1, 1), date(2025, 12, 31))
    assert (split["full_from"], split["full_to"]) == (date(2025, 1, 1), date(2025, 12, 1))
    assert split["edge_a_from"] > split["edge_a_to"] and split["edge_b_from"] > split["edge_b_to"]
    # no whole month: the full range is empty and edge a is the window
    split = month_split(date(2025, 3, 6), date(2025, 3, 20))
    assert split["full_from"] > split["full_to"]
    assert (split["edge_a_from"], split["edge_a_to"]) == (date(2025, 3, 6), date(2025, 3, 20))


def test_tier_months_by_hand(ctx):
    # February 11-28: t2 (A1) and t3 (A3) in Tier 1; March: t4 (A3) and t5 (B2, escalated) in Tier 2 and
    # the bot-only t6; April 1: the bot-only t7
    out = get_tier_monthly(DIRECTOR, ctx, date(2025, 2, 11), date(2025, 4, 1))
    got = out.select("month", "tier", "n_conversations", "n_people", "n_escalated", "n_bot_resolved").rows()
    assert got == [
        (date(2025, 2, 1), "Tier 1", 2, 2, 0, 0),
        (date(2025, 3, 1), "Bot only", 1, 0, 0, 1),
        (date(2025, 3, 1), "Tier 2", 2, 2, 1, 0),
        (date(2025, 4, 1), "Bot only", 1, 0, 0, 1),
    ]


@pytest.mark.parametrize("window", WINDOWS)
def test_mix_days_mart_equals_the_ticket_cells(ctx, window):
    start, end = window
    keys = ["category", "tier", "channel"]
    daily = ctx.frame(MIX_DAYS_SQL, {"start": start, "end": end}).sort(keys)
    direct = ctx.frame(MIX_CELLS_SQL, {"start": start, "end": end, "manager_id": None}).sort(keys)
    assert_frame_equal(daily.drop("n_people"), direct.drop("n_people"))
    # the daily mart's people are a lower bound of the window's (what the suppression check needs)
    assert (daily["n_people"] <= direct["n_people"]).all()


def test_mix_days_people_bound_by_hand(ctx):
    # 2025-02-10 .. 2025-02-11: A1 handled t1 and t2 in one cell, on two days -> 1 a day, 1 in the window
    start, end = date(2025, 2, 10), date(2025, 2, 11)
    daily = ctx.frame(MIX_DAYS_SQL, {"start": start, "end": end})
    assert daily.select(pl.col("n_handle_time").sum(), pl.col("n_people").max()).row(0) == (0, 1)


@pytest.fixture(scope="module")
def fitted():
    """The canonical warehouse with made-up expected CSAT: on rated and unrated tickets, one missing."""
    fitted = memory_context()
    fitted.con.execute(
        """create table kpi_ticket_expectations as
        select source_system, ticket_id, employee_id, created_date,
            case when ticket_id <> 't4' then 0.1 * cast(substr(ticket_id, 2) as integer) end as expected_csat_good
        from marts_kpi_tickets"""
    )
    return fitted


@pytest.mark.parametrize("window", WINDOWS)
def test_csat_categories_for_everyone_equal_the_scoped_query(fitted, window):
    start, end = window
    params = {"start": start, "end": end, "high_qa": 80.0}
    scoped = fitted.frame(CSAT_CATEGORIES_SQL, {**params, "manager_id": None})
    assert_frame_equal(fitted.frame(CSAT_ALL_CATEGORIES_SQL, params), scoped)


def test_csat_expected_by_hand(fitted):
    # 2025-02-10 .. 2025-03-07, one category ('unknown': the fixture sets none). Rated: t1 (0.1), t2 (0.2),
    # t4 (no expectation), t5 (0.5); t3 is unrated (0.3, not counted) -> (0.1 + 0.2 + 0.5) / 3
    out = fitted.frame(CSAT_ALL_CATEGORIES_SQL, {"start": date(2025, 2, 10), "end": date(2025, 3, 7), "high_qa": 80.0})
    assert out["category"].to_list() == ["unknown"]
    assert out["expected_csat"][0] == pytest.approx(0.8 / 3)


def test_csat_context_by_hand(ctx):
    # 2025-02-10 .. 2025-03-07, handled conversations only (marts_kpi_tickets): t1 good, t2 bad (QA 90),
    # t3 unrated, t4 good, t5 good -> 5 conversations by A1, A3, B2; 4 rated, 3 good; one bad with QA >= 80
    out = get_csat_context(DIRECTOR, ctx, date(2025, 2, 10), date(2025, 3, 7))
    totals = out.select(pl.col("n_tickets").sum(), pl.col("n_rated").sum(), pl.col("n_bad_high_qa").sum()).row(0)
    assert totals == (5, 4, 1)


VIEWERS = [DIRECTOR, *(Viewer(Role.MANAGER, m) for m in ("M1", "M2", "B1", "D1"))]


@pytest.mark.parametrize("viewer", VIEWERS, ids=lambda v: v.employee_id or v.role.value)
@pytest.mark.parametrize("window", WINDOWS)
def test_segment_totals_equal_the_person_month_days(ctx, window, viewer):
    start, end = window
    days = person_month_days(viewer, ctx, start, end)
    params = {"start": start, "end": end, "manager_id": manager_param(viewer)}
    monthly = ctx.frame(segment_query(viewer, PERSON_MONTH_TOTALS_SQL), params).sort("month")
    expected = (
        days.group_by("month")
        .agg(
            pl.col("employee_id").n_unique().cast(pl.Int64).alias("n_people"),
            pl.col("n_days").sum().alias("person_days"),
            *[pl.col(c).sum() for c in _COUNTS],
        )
        .sort("month")
    )
    assert_frame_equal(monthly, expected)


@pytest.mark.parametrize("viewer", VIEWERS, ids=lambda v: v.employee_id or v.role.value)
@pytest.mark.parametrize("by", [None, *CUTS])
def test_window_totals_equal_the_person_month_days(ctx, by, viewer):
    # every window at once (one read), each against the person-months of that window alone
    tables = window_totals(viewer, ctx, WINDOWS, by)
    key = by or "group"
    for (start, end), got in tables.items():
        days = person_month_days(viewer, ctx, start, end).with_columns(pl.lit("all").alias("group"))
        expected = days.group_by(key).agg(
            pl.col("employee_id").n_unique().alias("n_people"),
            pl.col("n_days").sum().alias("person_days"),
            *[pl.col(c).sum() for c in _COUNTS],
        )
        if by is None and days.is_empty():
            expected = pl.DataFrame({"group": ["all"], "n_people": [0], "person_days": [0]} | {c: [0] for c in _COUNTS})
        cols = [key, "n_people", "person_days", *_COUNTS]
        assert_frame_equal(
            got.select(cols).sort(key, nulls_last=True),
            expected.select(cols).sort(key, nulls_last=True),
            check_dtypes=False,
        )
        n = (end - start).days + 1
        assert got["avg_headcount"].to_list() == pytest.approx((got["person_days"] / n).to_list())


def test_segment_totals_by_hand(ctx):
    # 2025-06-30 .. 2025-07-01: M2 leaves voluntarily (regretted) on 2025-06-30; B1 becomes Team Lead on
    # 2025-07-01 (a promotion, not a hire): one exit, no hire
    totals = person_totals(DIRECTOR, ctx, date(2025, 6, 30), date(2025, 7, 1)).row(0, named=True)
    assert (totals["hires"], totals["exits_voluntary"], totals["exits_regretted"]) == (0, 1, 1)
    # B1's subtree on those days: nobody on 2025-06-30 (Beta still reports to M2), B2..B5 on 2025-07-01
    b1 = person_totals(Viewer(Role.MANAGER, "B1"), ctx, date(2025, 6, 30), date(2025, 7, 1)).row(0, named=True)
    assert (b1["n_people"], b1["person_days"], b1["hires"], b1["exits_voluntary"]) == (4, 4, 0, 0)


def test_reuse_reads_a_query_once_per_block(ctx):
    sql = "select count(*) as n from marts_support_spells"
    with ctx.reuse():
        first = ctx.frame(sql)
        assert ctx.frame(sql) is first
    assert ctx.frame(sql) is not first  # nothing kept after the block
