"""The career paths page: promotion figures, time in level and competency standing."""

from __future__ import annotations

import pytest

from pipelines.access import Role, Viewer
from pipelines.metrics.progression import get_progression_summary
from tests.pages.conftest import MANAGER_ID, run_page

USES_SAMPLE = True  # the pages read the sample warehouse (see conftest._page_env)


@pytest.mark.parametrize(("role", "employee_id"), [("director", None), ("executive", None), ("manager", MANAGER_ID)])
def test_promotion_figures(ctx, role: str, employee_id: str | None):
    s = get_progression_summary(Viewer(Role(role), employee_id), ctx)
    at = run_page("career_paths", role, employee_id)
    assert not at.exception
    shown = {m.label: m.value for m in at.metric}
    # an executive's or manager's figure may be hidden (another period would isolate a few people)
    assert shown["Promotions"] == ("n/a" if s["promotions"] is None else str(s["promotions"]))
    share = s["management_promotion_share"]
    assert shown["Into management"] == ("n/a" if share is None else f"{share:.1%}")
    assert shown["Lateral moves"] == ("n/a" if s["lateral_moves"] is None else str(s["lateral_moves"]))
    if share is not None:
        assert f"of {s['promotions']} promotions went into management" in at.caption[1].value


def test_sample_figures_and_competency_sentence():
    at = run_page("career_paths", "director")
    shown = {m.label: m.value for m in at.metric}
    assert shown["Promotions"] == "25" and shown["Into management"] == "4.0%"
    # the first role (Customer Support Engineer) has no bar: fewer than 5 Senior Support Engineers
    at.selectbox(key="career_role").set_value("Customer Support Specialist 2").run()
    sentence = next(m.value for m in at.markdown if "competency to work on first" in m.value)
    assert "Customer Support Specialist 2 -> Senior Support Specialist" in sentence and "Growth Mindset" in sentence
    assert "->" in sentence and "rate at or above the next level's bar" in sentence
