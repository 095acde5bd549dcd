"""A manager's scope on date intervals (marts_reporting_spans read by scope.SUBTREE_CTES) against the
definition read day by day.

The definition: on a day, a person is in the viewer's subtree when the chain of managers recorded
on that day (each link an employed job state) reaches the viewer; the viewer is never in their own
subtree. The oracles below walk that chain in Python one day at a time, so they share nothing
with the interval SQL they check: random hierarchies (managers changing, gaps, people leaving,
cycles) for the subtree itself, and the canonical organisation for the person-days every
headcount, attrition and promotion figure of a manager is built from.
"""

from __future__ import annotations

import os
from collections import defaultdict
from datetime import date, timedelta
from itertools import pairwise

import duckdb
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from pipelines.access import Role, Viewer
from pipelines.metrics.headcount import person_month_days
from pipelines.metrics.scope import with_subtree
from pipelines.sql import model_sql
from tests.fixtures.canonical.org import TL, _job, frames, memory_context

SUBTREE_SQL = with_subtree(
    "with\nprobe_days as (select cast($first as date) as day union all select cast($last as date)),\n",
    "select employee_id, span_from, span_to from subtree order by employee_id, span_from",
)
DAY0 = date(2025, 1, 1)


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def _state_on(states: list[dict], person: str, day: date) -> dict | None:
    for s in states:
        if s["employee_id"] == person and s["valid_from"] <= day and (s["valid_to"] is None or day <= s["valid_to"]):
            return s
    return None


def _in_subtree(states: list[dict], viewer: str, person: str, day: date) -> bool:
    """Follow person's chain of employed states on `day` up to the viewer (a repeat ends the walk)."""
    if person == viewer:
        return False
    seen, current = set(), person
    while current not in seen:
        seen.add(current)
        state = _state_on(states, current, day)
        if state is None or not state["is_employed"] or state["manager_id"] is None:
            return False
        if state["manager_id"] == viewer:
            return True
        current = state["manager_id"]
    return False


# -- random hierarchies ---------------------------------------------------------------------

PEOPLE = [f"p{i}" for i in range(6)]


@st.composite
def hierarchies(draw: st.DrawFn) -> list[dict]:
    """Non-overlapping job states per person over 40 days: managers change, gaps, some not employed."""
    states = []
    for person in PEOPLE:
        day = draw(st.integers(0, 10))
        for _ in range(draw(st.integers(0, 4))):
            length = draw(st.integers(1, 15))
            states.append(
                {
                    "employee_id": person,
                    "manager_id": draw(st.sampled_from([None, *(p for p in PEOPLE if p != person)])),
                    "valid_from": DAY0 + timedelta(days=day),
                    "valid_to": None
                    if draw(st.booleans()) and day + length > 30
                    else DAY0 + timedelta(days=day + length - 1),
                    "is_employed": draw(st.booleans()) or draw(st.booleans()),
                }
            )
            if states[-1]["valid_to"] is None:
                break
            day += length + draw(st.integers(0, 3))  # back to back, or after a gap
    return states


@settings(
    max_examples=int(os.environ.get("SUBTREE_EXAMPLES", "300")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(states=hierarchies(), viewer=st.sampled_from(PEOPLE), first=st.integers(0, 45), length=st.integers(0, 45))
def test_subtree_intervals_equal_the_chain_walked_day_by_day(states, viewer, first, length):
    first_day = DAY0 + timedelta(days=first)
    last_day = first_day + timedelta(days=length)
    con = duckdb.connect()
    frame = pl.DataFrame(
        states,
        schema={
            "employee_id": pl.String,
            "manager_id": pl.String,
            "valid_from": pl.Date,
            "valid_to": pl.Date,
            "is_employed": pl.Boolean,
        },
    )
    con.register("frame", frame.to_arrow())
    con.execute("create table staging_job_states as select * from frame")
    con.execute(model_sql("marts_reporting_spans"))
    spans = con.sql(SUBTREE_SQL, params={"first": first_day, "last": last_day, "manager_id": viewer}).pl()
    got = {(e, d) for e, lo, hi in spans.rows() for d in _days(lo, hi)}
    expected = {(p, d) for p in PEOPLE for d in _days(first_day, last_day) if _in_subtree(states, viewer, p, d)}
    assert got == expected
    # one row per interval: inside the probe range, and per person neither overlapping nor touching
    # (a consumer's join on `day between span_from and span_to` then matches a row at most once)
    for person, rows in spans.group_by("employee_id"):
        bounds = sorted(zip(rows["span_from"], rows["span_to"], strict=True))
        assert all(first_day <= lo <= hi <= last_day for lo, hi in bounds), person
        assert all(nxt[0] > prev[1] + timedelta(days=1) for prev, nxt in pairwise(bounds)), person
    # nobody is in a subtree when no manager is given
    assert con.sql(SUBTREE_SQL, params={"first": first_day, "last": last_day, "manager_id": None}).pl().is_empty()


def test_a_cycle_through_the_viewer_leaves_the_viewer_out():
    # p0 manages p1, and p1 is recorded as p0's manager: p1 is below p0, p0 is not below themselves
    con = duckdb.connect()
    con.execute(
        """create table staging_job_states as select * from (values
            ('p0', 'p1', date '2025-01-01', null, true), ('p1', 'p0', date '2025-01-01', null, true)
        ) as t(employee_id, manager_id, valid_from, valid_to, is_employed)"""
    )
    con.execute(model_sql("marts_reporting_spans"))
    params = {"first": date(2025, 1, 1), "last": date(2025, 1, 31), "manager_id": "p0"}
    assert con.sql(SUBTREE_SQL, params=params).fetchall() == [("p1", date(2025, 1, 1), date(2025, 1, 31))]


# -- the canonical organisation: a manager's person-days ---------------------------------------

KEYS = ("team", "tier", "track", "level", "title", "manager_id", "location", "hire_cohort", "tenure_band")


def _person_month_days_by_day(ctx, viewer: str | None, first: date, last: date) -> pl.DataFrame:  # noqa: ANN001
    """headcount.person_month_days by its definition: every day of every support spell, one at a time."""
    states = ctx.frame("select * from staging_job_states").to_dicts()
    spells = ctx.frame("select * from marts_support_spells").to_dicts()
    bands = ctx.frame("select * from settings_tenure_bands").to_dicts()
    cells: dict[tuple, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for day in _days(first, last):
        for spell in spells:
            if not (spell["start_date"] <= day and (spell["end_date"] is None or day <= spell["end_date"])):
                continue
            person = spell["employee_id"]
            state = _state_on(states, person, day)
            if state is None or not state["is_support"]:
                continue
            if viewer is not None and not _in_subtree(states, viewer, person, day):
                continue
            tenure = ((day - spell["start_date"]).days + 1) / 30.4375
            band = next(
                b["tenure_band"]
                for b in bands
                if tenure >= b["min_months"] and (b["max_months"] is None or tenure < b["max_months"])
            )
            key = (person, day.replace(day=1), *(state[k] for k in KEYS[:-2]), spell["hire_cohort"], band)
            cell = cells[key]
            cell["n_days"] += 1
            starts, ends = day == spell["start_date"], day == spell["end_date"]
            cell["hires"] += starts and spell["start_kind"] in ("hire", "rehire")
            cell["rehires"] += starts and spell["start_kind"] == "rehire"
            cell["transfers_in"] += starts and spell["start_kind"] == "transfer_in"
            for kind, column in (
                ("voluntary", "exits_voluntary"),
                ("involuntary", "exits_involuntary"),
                ("transfer_out", "transfers_out"),
                ("unknown", "exits_unknown"),
            ):
                cell[column] += ends and spell["end_kind"] == kind
            cell["exits_regretted"] += (
                ends and spell["end_kind"] in ("voluntary", "involuntary") and bool(spell["is_regretted"])
            )
    rows = [dict(zip(("employee_id", "month", *KEYS), key, strict=True)) | dict(cell) for key, cell in cells.items()]
    return pl.DataFrame(rows) if rows else pl.DataFrame()


@pytest.fixture(scope="module")
def canonical():
    return memory_context()


@pytest.fixture(scope="module")
def moved():
    """The canonical organisation, with Alpha's team lead M1 moved under Sales' S1 mid-month (2025-08-15)
    and back under D1 on 2025-10-01, while Alpha keeps reporting to M1: D1's scope loses Alpha for
    those weeks although no one in Alpha changed."""
    tables = frames()
    events = tables["job_events"]
    moves = pl.DataFrame(
        [
            {**_job("M1", "2025-08-15", TL, "Alpha", None, "S1", "Manager Change"), "event_seq": 0},
            {**_job("M1", "2025-10-01", TL, "Alpha", None, "D1", "Manager Change"), "event_seq": 0},
        ],
        schema=events.schema,
    )
    tables["job_events"] = pl.concat([events, moves])
    return memory_context(tables=tables)


@pytest.fixture(params=["canonical", "moved"])
def ctx(request):
    return request.getfixturevalue(request.param)


@pytest.mark.parametrize("manager", ["M1", "M2", "B1", "D1", "S1", "A1"])
@pytest.mark.parametrize(
    "window",
    [
        (date(2025, 1, 1), date(2025, 12, 31)),  # Beta moves from M2 to B1; A5 leaves and comes back
        (date(2025, 6, 15), date(2025, 7, 15)),  # the change of Beta's manager, cut mid-month
        (date(2025, 8, 1), date(2025, 10, 31)),  # M1's weeks under S1 (the moved organisation)
        (date(2021, 1, 1), date(2026, 1, 10)),  # everything: rehires, promotions, tenure bands
    ],
)
def test_person_month_days_of_a_manager_equal_the_definition_day_by_day(ctx, manager, window):
    got = person_month_days(Viewer(Role.MANAGER, manager), ctx, *window)
    expected = _person_month_days_by_day(ctx, manager, *window)
    if expected.is_empty():
        assert got.is_empty()
        return
    order = ["employee_id", "month", *KEYS]
    assert_frame_equal(
        got.select(expected.columns).sort(order, nulls_last=True),
        expected.sort(order, nulls_last=True),
        check_dtypes=False,
    )


def test_person_month_days_of_everyone_equal_the_definition_day_by_day(ctx):
    window = (date(2024, 11, 20), date(2025, 8, 10))
    got = person_month_days(Viewer(Role.DIRECTOR), ctx, *window)
    expected = _person_month_days_by_day(ctx, None, *window)
    order = ["employee_id", "month", *KEYS]
    assert_frame_equal(
        got.select(expected.columns).sort(order, nulls_last=True),
        expected.sort(order, nulls_last=True),
        check_dtypes=False,
    )
