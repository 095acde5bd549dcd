"""Stalled teammates: a manager sees names, reasons and growth history; a director counts; an executive totals."""

from __future__ import annotations

from pipelines.access import Role, Viewer
from pipelines.metrics.people import get_stalled
from tests.pages.conftest import MANAGER_ID, run_page

USES_SAMPLE = True  # the pages read the sample warehouse (see conftest._page_env)


def test_manager_sees_each_stalled_teammate_with_reasons(ctx):
    stalled = get_stalled(Viewer(Role.MANAGER, MANAGER_ID), ctx)
    at = run_page("stalled_teammates", "manager", MANAGER_ID)
    assert not at.exception
    shown = {m.label: m.value for m in at.metric}
    assert shown["Stalled teammates"] == str(stalled.height) == "2"
    cards = [m.value for m in at.markdown if m.value.startswith("**")]
    assert len(cards) == stalled.height
    reasons = [m.value for m in at.markdown if m.value.startswith("- ")]
    assert all("No growth activity in the last 9 months" in r for r in reasons)
    assert sum("Growth history:" in c.value for c in at.caption) == stalled.height
    assert len(at.dataframe[0].value) == stalled.height


def test_director_counts_by_team_and_level():
    at = run_page("stalled_teammates", "director")
    shown = {m.label: m.value for m in at.metric}
    assert shown["Stalled teammates"] == "8" and shown["People evaluated"] == "112"
    table = at.dataframe[0].value
    assert table["stalled"].sum() == 8  # every team with stalled people is large enough to show
    assert not [m for m in at.markdown if m.value.startswith("**")]  # no names in the overview
    at.segmented_control(key="stalled_cut").set_value("Level").run()
    levels = at.dataframe[0].value
    assert set(levels["level"]) >= {"level 1", "level 2"}
    # groups under the minimum size are hidden
    small = levels[levels["n_people"] < 5]
    assert small["stalled"].isna().all()


def test_executive_sees_totals_only():
    at = run_page("stalled_teammates", "executive")
    assert {m.label: m.value for m in at.metric}["Stalled teammates"] == "8"
    assert len(at.dataframe) == 0
