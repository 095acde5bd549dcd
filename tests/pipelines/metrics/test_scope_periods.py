"""Differencing across periods: no detail of fewer than the minimum people from two calls.

Every public get_* of every pipelines.metrics module (pkgutil, so a new one is covered without
touching this file) that takes a period (start / end) or a date (as_of, end) is called by the
executive and by managers over pairs of periods an attacker would choose: the end one day
later, one month later, the start one day earlier, nested 12- and 24-month windows, a window
ending at a month end against one ending at the latest data date, and as_of one day or one month
apart. For every detail count (an exit type, reason, destination or regretted flag, a
promotion, a role flow, a band, a stalled status: `fn.detail_columns` from scope.describes, else
the column names in DETAIL_NAMES), the same key's two values differ by 0 or by at least the
minimum, or one of them is hidden (null / suppressed). A call the API refuses
(PermissionError: scope.PeriodNotAllowed) returns nothing and so reveals nothing.

Fixture (tests/fixtures/canonical/org.py): data end 2026-01-10. Support exits: A4 voluntary
2022-05-31, A5 transfer out 2025-01-31, A2 voluntary 2025-03-01, M2 voluntary (regretted)
2025-06-30, A6 involuntary 2025-10-31. Before the period grid, get_attrition over
2025-01-11..2025-10-30 and ..2025-10-31 gave exits_involuntary 0 and 1 for the executive: A6's
exit type, read off by subtraction.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from typing import Any

import duckdb
import polars as pl
import pytest

from pipelines.access import Role, Viewer
from pipelines.metrics import headcount
from tests.fixtures.canonical.org import memory_context
from tests.pipelines.metrics.public_functions import cut_values, public_functions

END = date(2026, 1, 10)  # the fixture's latest data date
START = date(2025, 1, 11)  # the trailing year the app used to offer
MIN_SIZE = 3  # small enough for the fixture's cells to show, large enough that 1 and 2 must not
# detail counts by column name, for functions that do not declare theirs with scope.describes
DETAIL_NAMES = frozenset(
    {
        "exits_voluntary",
        "exits_involuntary",
        "exits_unknown",
        "exits_regretted",
        "regretted",
        "promotions",
        "promotions_into_management",
        "lateral_moves",
        "moves",
        "stalled",
        "n_left_voluntarily",
        "n_favourable",
    }
)
PERIOD_PARAMS = ("start", "end")
DATE_PARAMS = ("as_of",)
VIEWERS = {"executive": Viewer(Role.EXECUTIVE), "manager_M1": Viewer(Role.MANAGER, "M1")}
# a person-level lookup is asked about someone in M1's subtree (scope itself: test_scope_metrics)
PERSON_VALUES = {"employee_id": "A1", "person_id": "A1", "employee_ids": ("A1",), "person_ids": ("A1",)}


def _name(fn: Callable[..., Any]) -> str:
    return f"{fn.__module__.rsplit('.', 1)[-1]}.{fn.__name__}"


def _params(fn: Callable[..., Any]) -> set[str]:
    return set(inspect.signature(fn).parameters)


DATED = [fn for fn in public_functions() if _params(fn) & {*PERIOD_PARAMS, *DATE_PARAMS}]


def _month_back(day: date, months: int = 1) -> date:
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    for d in (day.day, 30, 29, 28):
        try:
            return date(year, month + 1, d)
        except ValueError:
            continue
    raise AssertionError(day)


def _period_pairs() -> list[tuple[dict[str, date], dict[str, date]]]:
    day = timedelta(days=1)
    return [
        ({"start": START, "end": END - day}, {"start": START, "end": END}),  # end + 1 day
        ({"start": START, "end": _month_back(END)}, {"start": START, "end": END}),  # end + 1 month
        ({"start": START, "end": date(2025, 10, 30)}, {"start": START, "end": date(2025, 10, 31)}),  # A6's exit
        ({"start": START - day, "end": END}, {"start": START, "end": END}),  # start - 1 day
        ({"start": START, "end": END}, {"start": _month_back(START, 12), "end": END}),  # nested 12 / 24 months
        ({"start": date(2025, 1, 1), "end": date(2025, 12, 31)}, {"start": date(2025, 1, 1), "end": END}),
        ({"start": date(2024, 1, 1), "end": date(2025, 12, 31)}, {"start": date(2025, 1, 1), "end": END}),
        ({"start": date(2021, 1, 1), "end": END}, {"start": date(2023, 1, 1), "end": END}),  # A4's 2022 exit
    ]


def _date_pairs(name: str) -> list[tuple[dict[str, date], dict[str, date]]]:
    day = timedelta(days=1)
    pairs = [(END - day, END), (_month_back(END), END), (date(2025, 12, 31), END), (date(2025, 11, 30), END)]
    return [({name: a}, {name: b}) for a, b in pairs]


def _cuts(fn: Callable[..., Any]) -> list[dict[str, Any]]:
    """{} and every value of a `by` parameter (from its Literal type or the module's CUTS)."""
    return [{}, *({"by": v} for v in cut_values(fn))]


def _pairs(fn: Callable[..., Any]) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    params = _params(fn)
    person = {k: v for k, v in PERSON_VALUES.items() if k in params}
    for by in _cuts(fn):
        cut = {**person, **by}
        if {"start", "end"} <= params:
            for a, b in _period_pairs():
                yield {**a, **cut}, {**b, **cut}
        elif "end" in params:  # a date under another name (get_tipping_points)
            for a, b in _date_pairs("end"):
                yield {**a, **cut}, {**b, **cut}
        if "as_of" in params:
            for a, b in _date_pairs("as_of"):
                yield {**a, **cut}, {**b, **cut}


def _call(fn: Callable[..., Any], viewer: Viewer, ctx: Any, kwargs: dict[str, Any]) -> Any:
    """fn(viewer, ctx, **kwargs), or None when the API refuses the period (nothing returned)."""
    try:
        return fn(viewer, ctx, **kwargs)
    except PermissionError:
        return None
    except duckdb.CatalogException as err:
        pytest.skip(f"{_name(fn)} reads a table the canonical fixture does not build: {str(err).splitlines()[0]}")


_KEY_TYPES = (pl.String, pl.Date, pl.Categorical, pl.Enum, pl.Boolean)


def detail_cells(fn: Callable[..., Any], result: Any) -> tuple[dict[tuple[Any, ...], dict[str, Any]], bool]:
    """{key: {detail column: value or None when hidden}} of one result, and whether keys include a date.

    A key is the row's labels (string, date and boolean columns but is_suppressed); a dict result
    is one row. A null value, or a row flagged is_suppressed, counts as hidden.
    """
    declared = getattr(fn, "detail_columns", None)
    if getattr(fn, "detail_split", False) and isinstance(result, pl.DataFrame) and not result.is_empty():
        # a split of one population of events (exits by type): what a reader can name is the sum
        parts = [pl.col(c) for c in declared if c in result.columns]
        total = pl.when(pl.any_horizontal(p.is_null() for p in parts)).then(None).otherwise(pl.sum_horizontal(parts))
        result, declared = result.with_columns(total.alias("split_total")), ("split_total",)
    if isinstance(result, dict):
        names = declared or tuple(DETAIL_NAMES & set(result))
        row = {c: result.get(c) for c in names if c in result}
        return ({(): row} if row else {}), False
    if not isinstance(result, pl.DataFrame) or result.is_empty():
        return {}, False
    names = tuple(c for c in (declared or sorted(DETAIL_NAMES)) if c in result.columns)
    if not names:
        return {}, False
    keys = [c for c, t in result.schema.items() if c != "is_suppressed" and isinstance(t, _KEY_TYPES)]
    dated = any(result.schema[c] == pl.Date for c in keys)
    cells: dict[tuple[Any, ...], dict[str, Any]] = {}
    for row in result.iter_rows(named=True):
        hidden = bool(row.get("is_suppressed"))
        cells[tuple(row[k] for k in keys)] = {c: None if hidden else row[c] for c in names}
    return cells, dated


def leaks(fn: Callable[..., Any], first: Any, second: Any, min_size: int) -> list[tuple[Any, ...]]:
    """(key, column, value, value) wherever two results show one detail count 1..min_size-1 apart."""
    a, dated = detail_cells(fn, first)
    b, _ = detail_cells(fn, second)
    keys = (a.keys() & b.keys()) if dated else (a.keys() | b.keys())  # a dated row outside a window is not 0
    found = []
    for key in keys:
        columns = set(a.get(key, {})) | set(b.get(key, {}))
        for col in columns:
            x = a[key][col] if key in a else 0  # a key missing from one table counts nobody there
            y = b[key][col] if key in b else 0
            if x is None or y is None:
                continue
            if 1 <= abs(x - y) < min_size:
                found.append((key, col, x, y))
    return found


@pytest.fixture(scope="module")
def ctx():
    return memory_context(min_group_size=MIN_SIZE)


def test_discovery_finds_the_dated_functions():
    names = {_name(fn) for fn in DATED}
    assert {
        "headcount.get_attrition",
        "headcount.get_exits",
        "progression.get_promotions",
        "progression.get_role_flows",
        "people.get_stalled_count",
        "summary.get_executive_summary",
    } <= names


@pytest.mark.parametrize("fn", DATED, ids=_name)
@pytest.mark.parametrize("who", list(VIEWERS))
def test_two_periods_never_difference_into_fewer_than_the_minimum(fn, who, ctx):
    viewer, min_size = VIEWERS[who], ctx.settings.min_group_size
    found = []
    for first_kwargs, second_kwargs in _pairs(fn):
        first, second = _call(fn, viewer, ctx, first_kwargs), _call(fn, viewer, ctx, second_kwargs)
        if first is None or second is None:
            continue
        found += [(first_kwargs, second_kwargs, *leak) for leak in leaks(fn, first, second, min_size)]
    assert not found, found[:5]


# -- the pieces, by hand ---------------------------------------------------------------------


def test_the_attack_the_grid_closes(ctx):
    # before the grid: exits_involuntary 0 then 1 over 2025-01-11..2025-10-30 / ..10-31 (A6)
    executive, director = VIEWERS["executive"], Viewer(Role.DIRECTOR)
    with pytest.raises(PermissionError):
        headcount.get_attrition(executive, ctx, START, date(2025, 10, 31))
    # what remains: whole calendar months to the last complete month (December 2025)
    latest = headcount.get_attrition(executive, ctx, START, END).row(0, named=True)
    year = headcount.get_attrition(director, ctx, date(2025, 1, 1), date(2025, 12, 31)).row(0, named=True)
    assert latest["avg_headcount"] == pytest.approx(year["avg_headcount"])
    assert latest["hires"] == year["hires"] == 1  # A6 (2025-04-15); N1 (2026-01-10) is after December
    # exits A2, M2 (voluntary) and A6 (involuntary) in the 12, 24 and 36 months; the 60 months add A4
    # (2022-05-31) alone: a ring of 1 exit, so no window shows the split (minimum 3), only the total
    assert latest["exits_voluntary"] is None and latest["exits_involuntary"] is None
    assert latest["attrition_rate"] * latest["avg_headcount"] == pytest.approx(3)


def test_exit_split_hidden_when_a_longer_window_adds_one_exit():
    # 60 months (2021-01-01..2025-12-31) hold A4's 2022 voluntary exit, 36 months
    # (2023-01-01..) do not: 4 exits against 3, so with a minimum of 2 the executive sees no split
    ctx = memory_context(min_group_size=2)
    executive = VIEWERS["executive"]
    long = headcount.get_attrition(executive, ctx, date(2021, 2, 1), END)
    short = headcount.get_attrition(executive, ctx, date(2023, 2, 1), END)
    for frame in (long, short):
        assert frame["exits_voluntary"][0] is None and frame["voluntary_attrition_rate"][0] is None
        assert frame["attrition_rate"][0] is not None  # the total stays: exits over >= 2 people
    director = headcount.get_attrition(Viewer(Role.DIRECTOR), ctx, date(2021, 2, 1), END)
    assert director["exits_voluntary"][0] == 3  # directors see every person: no grid, no hiding


def test_grid_snaps_and_refuses():
    ctx = memory_context(min_group_size=5)
    from pipelines.metrics.scope import as_of_for, grid_ends, period

    executive, director, manager = VIEWERS["executive"], Viewer(Role.DIRECTOR), VIEWERS["manager_M1"]
    december = date(2025, 12, 31)  # the data end mid-January 2026: the last complete month
    assert grid_ends(ctx) == [december]
    assert period(executive, ctx, None, None) == (date(2025, 1, 1), december)
    assert period(executive, ctx, date(2025, 1, 11), date(2026, 1, 5)) == (date(2025, 1, 1), december)
    assert period(executive, ctx, date(2024, 12, 31), END) == (date(2024, 1, 1), december)  # 24 months
    assert period(manager, ctx, date(2025, 3, 1), date(2025, 12, 15)) == (date(2025, 1, 1), december)
    assert period(executive, ctx, date(2000, 1, 1), END) == (date(2021, 1, 1), december)  # 60 months at most
    assert period(director, ctx, date(2025, 3, 1), date(2025, 6, 30)) == (date(2025, 3, 1), date(2025, 6, 30))
    with pytest.raises(PermissionError):
        period(executive, ctx, date(2025, 1, 1), date(2025, 11, 30))
    assert as_of_for(manager, ctx, None) == as_of_for(manager, ctx, date(2025, 12, 3)) == december
    assert as_of_for(director, ctx, None) == END
    with pytest.raises(PermissionError):
        as_of_for(executive, ctx, date(2025, 11, 30))


def test_exit_destinations_cannot_be_recovered_from_the_type_totals():
    # by="end_kind" publishes each type's total, so a destination cell hidden inside a type must
    # be hidden with another of the same type (or the whole type is hidden there too)
    ctx = memory_context(min_group_size=2)
    for viewer in (Viewer(Role.DIRECTOR), VIEWERS["executive"], VIEWERS["manager_M1"]):
        for start in (date(2021, 1, 1), date(2025, 1, 1)):
            kinds = headcount.get_exits(viewer, ctx, start, END, by="end_kind")
            totals = {r["end_kind"]: r["n_people"] for r in kinds.iter_rows(named=True) if not r["is_suppressed"]}
            for by in ("exit_destination", "exit_reason"):
                cells = headcount.get_exits(viewer, ctx, start, END, by=by)
                for kind, total in totals.items():
                    shown = cells.filter((pl.col("end_kind") == kind) & ~pl.col("is_suppressed"))["n_people"].sum()
                    residue = total - shown
                    assert residue == 0 or residue >= 2, (viewer.role, start, by, kind, residue)


def test_band_counts_of_an_older_run_are_refused_when_guarded():
    # two scoring runs a month apart would difference into one person's change of band
    from pipelines.metrics.risk import get_risk_band_counts

    ctx = memory_context(min_group_size=1)
    ctx.con.execute(
        """create table model_runs as select * from (values
           ('r1', timestamp '2025-12-01 00:00:00', date '2025-11-01'),
           ('r2', timestamp '2026-01-05 00:00:00', date '2025-12-01')) as t(run_id, trained_at, as_of)"""
    )
    for col, value in (
        ("chosen_estimator", "'logistic'"),
        ("selection_reason", "''"),
        ("base_rate_12m", "0.1"),
        ("window_start", "date '2021-01-01'"),
        ("window_end", "date '2025-12-31'"),
        ("n_people", "2"),
        ("n_person_months", "24"),
        ("parameters", "'{}'"),
        ("metrics", "'{}'"),
    ):
        ctx.con.execute(f"alter table model_runs add column {col} varchar default {value}")  # noqa: S608 - constants
    ctx.con.execute(
        """create table attrition_scores as select run_id, employee_id, band, 0.1 as p_3m, 0.2 as p_6m,
           0.3 as p_12m, 20.0 as expected_remaining_months, '' as drivers, '' as survival, as_of,
           timestamp '2026-01-05 00:00:00' as scored_at from (values
           ('r1', 'A1', 'low', date '2025-11-01'), ('r1', 'A3', 'low', date '2025-11-01'),
           ('r2', 'A1', 'high', date '2025-12-01'), ('r2', 'A3', 'low', date '2025-12-01'))
           as t(run_id, employee_id, band, as_of)"""
    )
    executive, director = VIEWERS["executive"], Viewer(Role.DIRECTOR)
    latest = get_risk_band_counts(executive, ctx).select("band", "n_people").to_dicts()
    assert latest == [{"band": "high", "n_people": 1}, {"band": "low", "n_people": 1}]
    assert get_risk_band_counts(executive, ctx, run_id="r2").height == 2  # the latest, named
    with pytest.raises(PermissionError):
        get_risk_band_counts(executive, ctx, run_id="r1")
    older = get_risk_band_counts(director, ctx, run_id="r1").select("band", "n_people").to_dicts()
    assert older == [{"band": "low", "n_people": 2}]  # a director may look back
