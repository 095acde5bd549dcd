"""A link to any page opens that page through app.py: no legacy pages/ mode, no "page not found"."""

from __future__ import annotations

import pytest

from pipelines.access import Role
from tests.e2e.conftest import wait_for_app
from ui.navigation import PAGES, ROLE_PAGES

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def test_every_url_path_differs_from_its_file_name():
    # a URL equal to pages/<file>.py's name would run the file alone in Streamlit's legacy mode
    assert all(spec.url_path != spec.module for spec in PAGES)


@pytest.mark.parametrize("module", ROLE_PAGES[Role.DIRECTOR])
def test_a_deep_link_opens_its_page_for_the_default_role(page, app_url: str, module: str):
    spec = next(p for p in PAGES if p.module == module)
    # a role's first page is its default, served at the root (Streamlit shows it as "/")
    path = "" if module == ROLE_PAGES[Role.DIRECTOR][0] else spec.url_path
    page.goto(f"{app_url}/{path}")
    wait_for_app(page)
    body = page.inner_text("body")
    assert "Page not found" not in body
    assert page.locator('[data-testid="stMain"] h1').first.inner_text().strip() != ""
    assert page.locator('[data-testid="stException"]').count() == 0
