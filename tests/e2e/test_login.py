"""Sign in through a local OIDC provider (oidc-provider-mock) as a manager and walk every page.

The app runs with demo mode off and an [auth] section pointing at the mock provider. The
manager signs in with their work email, lands in their own view, and visits every page their
navigation offers; then another team's person id is put in the URL (?person=) and the sidebar
filters are tried. No name of a person outside the manager's reporting subtree may appear.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import REPO, _free_port, screenshot, wait_for_app

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

oidc_provider_mock = pytest.importorskip("oidc_provider_mock")

SAMPLE_CONFIG = REPO / "data" / "sample" / "tenure.toml"


def _directory(data_dir: Path) -> dict[str, object]:
    """The manager to sign in as (the largest subtree), their subtree and everyone else's names."""
    from pipelines.access import Role, Viewer
    from pipelines.config import load_settings
    from pipelines.metrics import open_context
    from pipelines.metrics.people import get_stalled
    from pipelines.metrics.people_directory import get_people

    with open_context(data_dir / "warehouse.duckdb", load_settings(SAMPLE_CONFIG)) as ctx:
        # a support team lead: the manager of the most people on the ladder at the data's end
        ladder = get_stalled(Viewer.system(), ctx, include_all=True)
        lead = {"employee_id": ladder["manager_id"].drop_nulls().mode().sort()[0]}
        mine = get_people(Viewer(Role.MANAGER, lead["employee_id"]), ctx)["employee_id"].to_list()
        everyone = ctx.frame(
            "select employee_id, full_name, lower(work_email) as email from employees where full_name is not null"
        )
    names = dict(zip(everyone["employee_id"].to_list(), everyone["full_name"].to_list(), strict=True))
    emails = dict(zip(everyone["employee_id"].to_list(), everyone["email"].to_list(), strict=True))
    outside = {e: n for e, n in names.items() if e not in set(mine) and e != lead["employee_id"]}
    assert len(mine) >= 5 and len(outside) > 300
    return {
        "inside": {e: names[e] for e in mine if e in names},
        "manager_id": lead["employee_id"],
        "manager_email": emails[lead["employee_id"]],
        "manager_name": names[lead["employee_id"]],
        "subtree": set(mine),
        "outside": outside,
    }


@pytest.fixture(scope="module")
def login_app(demo_data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, object]]:
    """The app behind sign-in (demo mode off), the mock provider, and who signs in."""
    from oidc_provider_mock import User, run_server_in_thread

    info = _directory(demo_data_dir)
    folder = tmp_path_factory.mktemp("login")
    settings = folder / "settings.toml"
    settings.write_text(SAMPLE_CONFIG.read_text(encoding="utf-8") + '\n[access]\ndemo_mode = "off"\n', encoding="utf-8")
    user = User(sub=str(info["manager_email"]), claims={"email": info["manager_email"], "name": "Signed-in manager"})
    with run_server_in_thread(user_claims=[user]) as server:
        provider = f"http://localhost:{server.server_port}"
        port = _free_port()
        secrets = folder / "secrets.toml"
        secrets.write_text(
            "[auth]\n"
            f'redirect_uri = "http://localhost:{port}/oauth2callback"\n'
            'cookie_secret = "e2e-only-not-a-secret-0123456789"\n'
            'client_id = "tenure-e2e"\n'
            'client_secret = "tenure-e2e-secret"\n'
            f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n'
            'client_kwargs = { scope = "openid email profile" }\n',
            encoding="utf-8",
        )
        env = {**os.environ, "TENURE_DATA_DIR": str(demo_data_dir), "TENURE_CONFIG": str(settings)}
        proc = subprocess.Popen(
            [sys.executable, "-m", "ui.serve", "--server.port", str(port),
             "--server.headless", "true", "--browser.gatherUsageStats", "false",
             "--server.fileWatcherType", "none", "--secrets.files", str(secrets)],
            cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        )  # fmt: skip
        url = f"http://localhost:{port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                time.sleep(0.3)
        else:
            proc.kill()
            raise AssertionError(f"streamlit did not start: {proc.stdout.read().decode()[-3000:]}")
        try:
            yield {**info, "url": url}
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


def _text(page) -> str:  # noqa: ANN001
    return page.locator("body").inner_text()


def _outsiders_named(text: str, outside: dict[str, str]) -> list[str]:
    flat = re.sub(r"\s+", " ", text)
    return sorted({name for name in outside.values() if name and name in flat})


def _sign_in(page, app: dict[str, object]) -> None:  # noqa: ANN001
    page.goto(str(app["url"]))
    page.get_by_role("button", name="Sign in").click()
    # the mock provider's consent form: one button per predefined user
    page.locator(f'button[name="sub"][value="{app["manager_email"]}"]').click()
    wait_for_app(page)


def test_no_sign_in_no_data(page, login_app):
    page.goto(str(login_app["url"]))
    page.get_by_role("button", name="Sign in").wait_for(timeout=60_000)
    text = _text(page)
    assert "Sign in with your company account" in text
    assert "Demo mode" not in text
    assert _outsiders_named(text, login_app["outside"]) == []


def test_manager_signs_in_and_sees_only_their_subtree_on_every_page(page, login_app):
    from ui.navigation import PAGES

    outside = login_app["outside"]
    _sign_in(page, login_app)
    sidebar = page.locator('[data-testid="stSidebar"]').inner_text()
    assert "Signed in" in sidebar and "manager" in sidebar.casefold()
    assert "Demo mode" not in _text(page)
    # a link's text is its icon's ligature name, then the title
    links = page.locator('[data-testid="stSidebarNav"] a').all_inner_texts()
    titles = [t.strip().splitlines()[-1].strip() for t in links if t.strip()]
    assert titles, "the manager's navigation is empty"
    assert "Data" not in titles  # people-admin page
    visited, inside_seen = [], set()
    for title in titles:
        page.locator('[data-testid="stSidebarNav"] a').filter(has_text=title).first.click()
        page.wait_for_timeout(300)
        page.wait_for_selector('[data-testid="stStatusWidget"]', state="detached", timeout=60_000)
        text = _text(page)
        assert "Traceback" not in text, title
        assert _outsiders_named(text, outside) == [], title
        inside_seen |= set(_outsiders_named(text, login_app["inside"]))
        screenshot(page, f"login-manager-{re.sub(r'[^a-z]+', '-', title.casefold())}")
        visited.append(title)
    assert len(visited) == len(titles)
    assert inside_seen, "no teammate of the manager was named on any page: the check would prove nothing"
    known = {p.title: p for p in PAGES}
    assert set(visited) <= set(known)


def test_another_teams_person_id_in_the_url_or_widgets_shows_nobody_outside(page, login_app):
    outside = login_app["outside"]
    _sign_in(page, login_app)
    for other in list(outside)[:5]:
        page.goto(f"{login_app['url']}/teammate?person={other}")
        wait_for_app(page)
        text = _text(page)
        assert _outsiders_named(text, outside) == [], other
        assert outside[other] not in text
    page.goto(f"{login_app['url']}/teammate?person={next(iter(login_app['inside']))}")
    wait_for_app(page)
    assert next(iter(login_app["inside"].values())) in _text(page)  # the same URL works inside the scope
    # widget values: every option of every sidebar and page select box stays inside the subtree
    page.goto(f"{login_app['url']}/teammate")
    wait_for_app(page)
    boxes = page.locator('[data-testid="stSelectbox"]')
    for i in range(boxes.count()):
        boxes.nth(i).click()
        options = page.locator('[role="option"]').all_inner_texts()
        page.keyboard.press("Escape")
        assert _outsiders_named(" | ".join(options), outside) == [], options
