"""Navigation by role: each reader gets their pages, the first one their landing page."""

from __future__ import annotations

import pytest

from pipelines.access import Role, Viewer
from ui.navigation import page_specs


def _titles(role: Role, employee_id: str | None = None) -> list[str]:
    return [p.title for p in page_specs(Viewer(role, employee_id))]


def test_executive_gets_aggregate_pages_only():
    titles = _titles(Role.EXECUTIVE)
    assert titles[0] == "Executive summary"
    assert {"Turnover", "Career paths", "Team structure"} <= set(titles)
    assert not {"Stalled teammates", "Person", "Data", "Attrition risk"} & set(titles)


def test_manager_lands_on_stalled_teammates():
    titles = _titles(Role.MANAGER, "1017")
    assert titles[0] == "Stalled teammates"
    assert "Person" in titles and "Executive summary" not in titles and "Data" not in titles


@pytest.mark.parametrize(("role", "has_data"), [(Role.DIRECTOR, False), (Role.PEOPLE_ADMIN, True)])
def test_data_page_for_people_admins_only(role: Role, has_data: bool):
    titles = _titles(role)
    assert ("Data" in titles) is has_data
    assert {"Executive summary", "Turnover", "Career paths", "Stalled teammates", "Person"} <= set(titles)
