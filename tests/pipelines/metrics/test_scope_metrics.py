"""Scope and suppression over every public read function (found by inspection, so new ones are covered).

Data end 2026-01-10, so default windows are 2025-01-11..2026-01-10. M1's reports over that time:
A1..A6 (A5 while in support) and N1 (hired 2026-01-10).
"""

from __future__ import annotations

import inspect

import polars as pl
import pytest

from pipelines.access import Role, Viewer
from pipelines.metrics import customer, headcount, people, progression, summary, tenure
from tests.fixtures.canonical.org import memory_context

MODULES = (headcount, tenure, progression, people, customer, summary)
PUBLIC = [
    fn
    for module in MODULES
    for name, fn in inspect.getmembers(module, inspect.isfunction)
    if name.startswith("get_") and fn.__module__ == module.__name__
]
M1_REPORTS = {"A1", "A2", "A3", "A4", "A5", "A6", "N1"}


@pytest.fixture(scope="module")
def ctx():
    return memory_context(min_group_size=1)


@pytest.fixture(scope="module")
def ctx5():
    return memory_context(min_group_size=5)


def _ids(result) -> set[str]:
    if isinstance(result, pl.DataFrame) and "employee_id" in result.columns:
        return set(result["employee_id"].drop_nulls().to_list())
    return set()


def test_every_public_function_takes_the_viewer_first():
    assert len(PUBLIC) >= 15
    for fn in PUBLIC:
        params = list(inspect.signature(fn).parameters.values())
        assert params[0].name == "viewer" and params[0].annotation in (Viewer, "Viewer"), fn.__name__
        assert params[1].name == "ctx", fn.__name__


@pytest.mark.parametrize("fn", PUBLIC, ids=lambda f: f.__name__)
def test_executive_gets_no_person_level_rows(fn, ctx):
    result = fn(Viewer(Role.EXECUTIVE), ctx)
    assert _ids(result) == set()


@pytest.mark.parametrize("fn", PUBLIC, ids=lambda f: f.__name__)
def test_manager_gets_only_their_subtree(fn, ctx):
    result = fn(Viewer(Role.MANAGER, "M1"), ctx)
    assert _ids(result) <= M1_REPORTS
    other = fn(Viewer(Role.MANAGER, "B1"), ctx)
    assert _ids(other) <= {"B2", "B3", "B4", "B5"}


@pytest.mark.parametrize("fn", PUBLIC, ids=lambda f: f.__name__)
def test_no_visible_cell_covers_fewer_than_the_minimum(fn, ctx5):
    for viewer in (Viewer(Role.DIRECTOR), Viewer(Role.MANAGER, "M1")):
        result = fn(viewer, ctx5)
        if isinstance(result, pl.DataFrame) and "n_people" in result.columns:
            visible = result.filter(~pl.col("is_suppressed")) if "is_suppressed" in result.columns else result
            assert (visible["n_people"] >= 5).all(), fn.__name__
        if isinstance(result, dict) and result.get("n_people") is not None:
            assert result["n_people"] >= 5, fn.__name__


def test_person_level_rows_for_a_director_cover_everyone(ctx):
    # December 2025 .. 2026-01-10: the 11 people of December plus N1 in January
    rows = people.get_person_months(Viewer(Role.DIRECTOR), ctx)
    assert len(_ids(rows)) >= 12


def test_manager_subtree_is_resolved_as_of_the_date(ctx):
    from datetime import date

    # on 2025-06-30 Beta still reports to M2; from 2025-07-01 to B1
    june = headcount.get_headcount(Viewer(Role.MANAGER, "M2"), ctx, date(2025, 6, 30))
    assert june["headcount"][0] == 5  # B1..B5
    july = headcount.get_headcount(Viewer(Role.MANAGER, "B1"), ctx, date(2025, 7, 1))
    assert july["headcount"][0] == 4  # B2..B5
    # the day before, B1 has no reports: one row, 0 people, suppressed
    before = headcount.get_headcount(Viewer(Role.MANAGER, "B1"), ctx, date(2025, 6, 30)).to_dicts()
    assert before == [{"group": "all", "n_people": None, "headcount": None, "is_suppressed": True}]
