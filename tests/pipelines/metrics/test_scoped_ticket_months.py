"""A manager's monthly conversation counts from the monthly mart (scope.with_ticket_months) equal the
same counts read conversation by conversation (scope.with_scoped_tickets).

The canonical organisation is given a conversation every other day for its four matched agents
through 2025, bot-only conversations, QA reviews, and mid-month moves across subtrees with
conversations on both sides, so the mart rows a manager takes whole, the rows outside their
subtree and the person-months read day by day are all exercised.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from pipelines.access import Role, Viewer
from pipelines.metrics.customer import TICKET_MONTHS_SQL, get_customer_outcomes
from pipelines.metrics.scope import month_split, with_scoped_tickets
from pipelines.metrics.team import TIER_MONTHS_SQL
from pipelines.schema import ENTITIES
from tests.fixtures.canonical.org import CSS2, _job, frames, memory_context

# conversation by conversation: the reference the mart path must equal
TIER_DIRECT_SQL = with_scoped_tickets(
    "select * from staging_ticket_facts where created_date between $start and $end",
    """
select
    month,
    case when is_bot_resolved then 'Bot only' else coalesce(tier, 'No tier') end as tier,
    count(*) as n_conversations,
    count(distinct employee_id) as n_people,
    count(*) filter (where is_escalated) as n_escalated,
    count(*) filter (where is_bot_resolved) as n_bot_resolved,
    count(*) filter (where is_complex) as n_complex
from scoped
group by all
order by month, tier
""",
)
CUSTOMER_DIRECT_SQL = with_scoped_tickets(
    "select * from staging_ticket_facts where created_date between $start and $end",
    """
select
    month,
    count(*) as n_conversations,
    count(distinct employee_id) as n_people,
    count(*) filter (where is_bot_resolved) as n_bot_resolved,
    count(csat_good) as n_rated,
    count(*) filter (where csat_good) as n_good,
    count(qa_score) as n_qa_tickets,
    avg(qa_score) as qa_mean_score,
    count(*) filter (where is_escalated) as n_escalated
from scoped
group by month
order by month
""",
)
PEOPLE_DIRECT_SQL = with_scoped_tickets(
    "select * from staging_ticket_facts where created_date between $start and $end",
    "select count(distinct employee_id) as n_people from scoped",
)
# mid-month moves (the day after each, the person has a new manager):
# A1 from M1 to B1 on 2025-05-10; B3 from B1 to M1 on 2025-09-15 and back on 2025-10-20
MOVES = [
    _job("A1", "2025-05-10", CSS2, "Beta", "Tier 1", "B1", "Manager Change"),
    _job("B3", "2025-09-15", CSS2, "Alpha", "Tier 1", "M1", "Transfer"),
    _job("B3", "2025-10-20", CSS2, "Beta", "Tier 1", "B1", "Transfer"),
]
AGENTS = [("zendesk", "za1"), ("zendesk", "za3"), ("intercom", "ib2"), ("intercom", "ib3")]


def _tables() -> dict[str, pl.DataFrame]:
    tables = frames()
    events = tables["job_events"]
    moves = pl.DataFrame([{**m, "event_seq": 0} for m in MOVES], schema=events.schema)
    tables["job_events"] = pl.concat([events, moves])
    tickets, reviews = [], []
    day = datetime(2025, 1, 1, 9, tzinfo=UTC)
    for i in range(183):  # every other day through 2025
        for j, (system, agent) in enumerate(AGENTS):
            ticket_id = f"g{i}-{j}"
            tickets.append(
                {
                    "source_system": system,
                    "ticket_id": ticket_id,
                    "agent_id": agent,
                    "created_at": day + timedelta(days=2 * i, hours=j),
                    "tier": ("Tier 1", "Tier 2", None)[(i + j) % 3],
                    "priority": ("normal", "high")[i % 2],
                    "is_escalated": (i + j) % 5 == 0,
                    "is_bot_involved": False,
                    "is_bot_resolved": False,
                    "csat_good": (None, True, False)[(i * j) % 3],
                }
            )
            if (i + j) % 4 == 0:
                reviews.append(
                    {
                        "source_system": system,
                        "ticket_id": ticket_id,
                        "reviewed_at": day + timedelta(days=2 * i + 1),
                        "score": 60.0 + (i + j) % 40,
                    }
                )
        tickets.append(  # a bot-only conversation: nobody's team
            {
                "source_system": "intercom",
                "ticket_id": f"b{i}",
                "created_at": day + timedelta(days=2 * i),
                "tier": "Tier 1",
                "is_bot_involved": True,
                "is_bot_resolved": True,
            }
        )
    schema = ENTITIES["tickets"].schema
    tables["tickets"] = pl.concat(
        [tables["tickets"], pl.DataFrame([{c: t.get(c) for c in schema} for t in tickets], schema=schema)]
    )
    qa = ENTITIES["qa_reviews"].schema
    tables["qa_reviews"] = pl.concat(
        [tables["qa_reviews"], pl.DataFrame([{c: r.get(c) for c in qa} for r in reviews], schema=qa)]
    )
    return tables


@pytest.fixture(scope="module")
def ctx():
    return memory_context(tables=_tables())


WINDOWS = [
    (date(2025, 1, 1), date(2025, 12, 31)),  # whole months only
    (date(2025, 5, 5), date(2025, 10, 25)),  # edges cut inside the months of the moves
    (date(2025, 9, 16), date(2025, 9, 30)),  # no whole month
]


@pytest.mark.parametrize("manager", [None, "M1", "B1", "M2", "D1", "A1"])
@pytest.mark.parametrize("window", WINDOWS)
def test_ticket_months_equal_the_conversations_read_one_by_one(ctx, manager, window):
    # None: everyone (the mart's whole months and the edges); else that manager's variant
    start, end = window
    params = month_split(start, end) | ({"start": start, "end": end, "manager_id": manager} if manager else {})
    direct = {"start": start, "end": end, "manager_id": manager}
    variant = manager is not None
    assert_frame_equal(
        ctx.frame(TIER_MONTHS_SQL[variant], params), ctx.frame(TIER_DIRECT_SQL, direct), check_dtypes=False
    )
    got = ctx.frame(TICKET_MONTHS_SQL[variant], params)  # per month, then the window (month null)
    expected = ctx.frame(CUSTOMER_DIRECT_SQL, direct)
    assert_frame_equal(got.filter(pl.col("month").is_not_null()), expected, check_dtypes=False)
    handlers = ctx.frame(PEOPLE_DIRECT_SQL, direct)["n_people"][0]
    assert got.filter(pl.col("month").is_null())["n_people"].to_list() == [handlers]


def test_the_fixture_moves_people_mid_month_with_conversations_on_both_sides(ctx):
    # what makes the day-by-day part run: mart rows of M1's subtree that straddle an interval's edge
    facts = ctx.frame(
        "select employee_id, created_date from staging_ticket_facts where employee_id in ('A1', 'B3')"
    ).with_columns(pl.col("created_date").dt.truncate("1mo").alias("month"))
    may_a1 = facts.filter((pl.col("employee_id") == "A1") & (pl.col("month") == date(2025, 5, 1)))["created_date"]
    assert may_a1.min() < date(2025, 5, 10) <= may_a1.max()
    sept_b3 = facts.filter((pl.col("employee_id") == "B3") & (pl.col("month") == date(2025, 9, 1)))["created_date"]
    assert sept_b3.min() < date(2025, 9, 15) <= sept_b3.max()


def test_manager_outcomes_count_the_subtree_conversations_by_hand(ctx):
    # B1 over the grid's 12 months (2025-01-01 .. 2025-12-31). The generated conversations fall on
    # the odd days of the year (1 January is day 1), one per agent. B2: from 2025-07-01 (day 182),
    # days 183 .. 365: 92. B3: the same 92 minus 2025-09-15 .. 2025-10-19 (days 258 .. 292, under
    # M1): 259 .. 291, 17 -> 75. A1: from 2025-05-10 (day 130), days 131 .. 365: 118. Bot-only
    # conversations belong to nobody's team. 92 + 75 + 118 = 285.
    out = get_customer_outcomes(Viewer(Role.MANAGER, "B1"), ctx)
    assert out["conversations"] == 285
