"""Person: a manager opens a teammate's timeline; a teammate outside their scope cannot be opened."""

from __future__ import annotations

from pipelines.access import Role, Viewer
from pipelines.metrics.person import get_person_roles
from tests.pages.conftest import MANAGER_ID, run_page

USES_SAMPLE = True  # the pages read the sample warehouse (see conftest._page_env)


def test_manager_opens_a_stalled_teammate(ctx):
    at = run_page("person", "manager", MANAGER_ID, query={"person": "1169"})
    assert not at.exception
    assert at.selectbox(key="person_pick").value == "1169"
    shown = {m.label: m.value for m in at.metric}
    assert shown["Time in this role"].endswith("months")
    roles = at.dataframe[0].value
    expected = get_person_roles(Viewer(Role.MANAGER, MANAGER_ID), ctx, "1169")
    assert len(roles) == expected.height > 0
    assert "you" in set(roles["manager"])  # the manager's own name is replaced by "you"


def test_person_outside_scope_is_not_offered(ctx):
    # 1169 works for another manager (1017): 1223's picker falls back to 1223's own people
    at = run_page("person", "manager", "1223", query={"person": "1169"})
    assert at.selectbox(key="person_pick").value != "1169"
    assert get_person_roles(Viewer(Role.MANAGER, "1223"), ctx, "1169").is_empty()


def test_executive_gets_no_person_rows():
    at = run_page("person", "executive")
    assert not at.exception
    assert len(at.dataframe) == 0 and "for their manager" in at.info[0].value
