"""Team structure: conversation volumes, bot share, tipping points, load per team."""

from __future__ import annotations

import pytest

from pipelines.access import Role, Viewer
from pipelines.metrics.team import get_channel_mix, get_tipping_points
from tests.pages.conftest import MANAGER_ID, run_page

USES_SAMPLE = True  # the pages read the sample warehouse (see conftest._page_env)


@pytest.mark.parametrize(("role", "employee_id"), [("director", None), ("executive", None), ("manager", MANAGER_ID)])
def test_volumes_and_tipping_points(ctx, role: str, employee_id: str | None):
    viewer = Viewer(Role(role), employee_id)
    mix = get_channel_mix(viewer, ctx)
    at = run_page("team_structure", role, employee_id)
    assert not at.exception
    shown = {m.label: m.value for m in at.metric}
    assert shown["Conversations"] == f"{int(mix['n_conversations'].sum()):,}"
    sentences = [m.value for m in at.markdown if m.value.startswith("- ")]
    assert sentences == [f"- {s}" for s in get_tipping_points(viewer, ctx)]
    if role == "manager":
        assert shown["Resolved by bots"] == "n/a"
    else:
        assert shown["Resolved by bots"] == f"{mix['n_bot_only'].sum() / mix['n_conversations'].sum():.1%}"


def test_sample_signals():
    at = run_page("team_structure", "director")
    text = " ".join(m.value for m in at.markdown)
    assert "Bots now resolve 45% of conversations (from 39%)" in text
    load = at.dataframe[0].value
    assert {"team", "people", "per_person"} <= set(load.columns) or "per_person" in load.columns
