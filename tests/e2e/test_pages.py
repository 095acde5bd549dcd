"""Every page renders in a real browser on the sample warehouse: no exception, its figures shown."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import screenshot, wait_for_app

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

# (url path, text the page must show once its data has loaded)
PAGES = [
    ("executive-summary", "Headcount"),
    ("data-loads", "rows read"),
]


@pytest.mark.parametrize(("path", "expected"), PAGES)
def test_page_renders_with_data(page, app_url: str, path: str, expected: str):
    page.goto(f"{app_url}/{path}")
    wait_for_app(page)
    shot = screenshot(page, path)
    assert shot.stat().st_size > 10_000
    assert page.locator('[data-testid="stException"]').count() == 0, page.inner_text("body")[:2000]
    body = page.inner_text('[data-testid="stMain"]')
    assert expected.lower() in body.lower(), body[:2000]
