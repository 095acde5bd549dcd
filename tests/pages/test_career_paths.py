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
    assert shown["Promotions"] == str(s["promotions"])
    assert shown["Into management"] == f"{s['management_promotion_share']:.1%}"
    assert shown["Lateral moves"] == str(s["lateral_moves"])
    assert f"of {s['promotions']} promotions went into management" in at.caption[1].value


def test_sample_figures_and_competency_sentence():
    at = run_page("career_paths", "director")
    shown = {m.label: m.value for m in at.metric}
    assert shown["Promotions"] == "28" and shown["Into management"] == "14.3%"
    sentence = next(m.value for m in at.markdown if "competency to work on first" in m.value)
    assert "->" in sentence and "rate at or above the next level's bar" in sentence
