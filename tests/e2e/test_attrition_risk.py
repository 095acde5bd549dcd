"""The Attrition risk page in a real browser: bands first, probabilities on demand, the card one click away."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import screenshot, wait_for_app

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def _open_as_director(page, app_url: str) -> None:  # noqa: ANN001
    page.goto(app_url)
    wait_for_app(page)
    box = page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').filter(has_text="View as")
    if "Director" not in box.inner_text():
        box.click()
        page.locator('[role="option"]').filter(has_text="Director").first.click()
        wait_for_app(page)
    page.locator('[data-testid="stSidebarNav"] a').filter(has_text="Attrition risk").first.click()
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=\"stMain\"] h1')].some(h => h.innerText.trim() === 'Attrition risk')",
        timeout=60_000,
    )
    wait_for_app(page)


def test_director_reads_bands_then_asks_for_probabilities_and_the_card(page, app_url: str):
    _open_as_director(page, app_url)
    main = page.locator('[data-testid="stMain"]')
    body = main.inner_text().lower()
    assert "never use them for sanctions" in body
    assert "people, highest risk first" in body
    assert "can the model be trusted?" in body and "predicted vs actual" in body
    people = page.locator('[data-testid="stDataFrame"] [role="grid"]').first
    assert people.get_attribute("aria-colcount") == "5"  # person, team, title, risk, why: no probability yet
    assert int(people.get_attribute("aria-rowcount")) > 100
    assert page.locator('[data-testid="stException"]').count() == 0
    assert main.locator(".js-plotly-plot").count() >= 2  # calibration, predicted vs actual

    page.locator('[data-testid="stCheckbox"]').filter(has_text="Show probabilities").locator("label").first.click()
    wait_for_app(page)
    # the people table is the first grid: 5 columns, then 9 with the probabilities and expected months
    page.wait_for_function(
        '() => document.querySelector(\'[data-testid="stDataFrame"] [role="grid"]\')'
        ".getAttribute('aria-colcount') === '9'",
        timeout=30_000,
    )

    page.locator('[data-testid="stExpander"]').filter(has_text="Model card").locator("summary").click()
    page.wait_for_function(
        "() => document.querySelector('[data-testid=\"stMain\"]').innerText.includes('Model card: voluntary-exit risk')",
        timeout=30_000,
    )
    assert screenshot(page, "director--attrition-risk--probabilities").stat().st_size > 10_000
