"""The app's front door in AppTest: demo picker, OIDC identity -> Viewer, no-access and sign-in pages, audit rows.

The warehouse is the canonical fixture organisation (tests/fixtures/canonical/org.py) with work
emails and names added, and an ingest_runs table that says where its files came from.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import duckdb
import polars as pl
import pytest

from pipelines import audit
from pipelines.access import Role, Viewer
from pipelines.config import SAMPLE_DIR, load_settings
from pipelines.pseudonym import pseudonymous_id
from tests.fixtures.canonical.org import frames, load_into

REPO = Path(__file__).resolve().parents[2]
APP = str(REPO / "app.py")
AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "test-only",
    "client_id": "tenure",
    "client_secret": "test-only",
    "server_metadata_url": "http://localhost:9/.well-known/openid-configuration",
}
NAMES = {"D1": "Dee One", "M1": "Mara One", "B1": "Bea One", "A1": "Ann One", "S1": "Sal One"}


def _warehouse(folder: Path, source_dir: Path) -> Path:
    from pipelines.sql import run_models

    tables = frames()
    tables["employees"] = tables["employees"].with_columns(
        pl.col("employee_id").replace_strict(NAMES, default=None).alias("full_name"),
        (pl.col("employee_id").str.to_lowercase() + pl.lit("@acme.example")).alias("work_email"),
    )
    folder.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(folder / "warehouse.duckdb"))
    load_into(con, tables)
    run_models(con, load_settings())
    con.execute("create table ingest_runs as select $f as file", {"f": str(source_dir / "bamboohr" / "employees.csv")})
    con.execute("checkpoint")
    con.close()
    return folder


@pytest.fixture
def app_env(tmp_path: Path) -> Iterator[dict[str, Path]]:
    from ui.state import get_paths, get_settings

    dirs = {"sample": _warehouse(tmp_path / "sample", SAMPLE_DIR), "ours": _warehouse(tmp_path / "ours", tmp_path)}
    config = tmp_path / "settings.toml"
    config.write_text(
        '[access.roles]\ndirector = ["support-directors"]\nexecutive = ["s1@acme.example", "exec-board"]\n'
    )
    old = {k: os.environ.get(k) for k in ("TENURE_DATA_DIR", "TENURE_CONFIG")}
    os.environ["TENURE_CONFIG"] = str(config)
    yield dirs
    for key, value in old.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
    get_paths.clear()
    get_settings.clear()


def _app(data_dir: Path, user: dict | None = None, auth: bool = False):  # noqa: ANN202 - AppTest
    from streamlit.testing.v1 import AppTest

    from ui.state import get_paths, get_settings

    os.environ["TENURE_DATA_DIR"] = str(data_dir)
    get_paths.clear()
    get_settings.clear()
    at = AppTest.from_file(APP, default_timeout=60)
    if auth:
        at.secrets["auth"] = AUTH
    if user is not None:
        at.user = user
    return at.run()


def test_demo_mode_on_the_sample_lists_roles_and_managers_visibly_labelled(app_env):
    at = _app(app_env["sample"])
    box = at.sidebar.selectbox(key="demo_role")
    # managers with reports on the data's last day (2026-01-10): B1, D1, M1, by name
    assert box.options == [
        "Director",
        "Executive",
        "People admin",
        "Manager: Bea One",
        "Manager: Dee One",
        "Manager: Mara One",
    ]
    assert "Demo mode" in at.sidebar.warning[0].value
    assert at.session_state["viewer"] == Viewer(Role.DIRECTOR, label="Director")
    box.select("Manager: Mara One").run()
    assert at.session_state["viewer"] == Viewer(Role.MANAGER, "M1", label="Manager: Mara One")
    rows = audit.read(audit.audit_path(app_env["sample"]), action="sign_in")
    assert rows.select("actor_id", "actor_role", "detail").rows() == [
        ("M1", "manager", "demo"),
        (None, "director", "demo"),
    ]


def test_no_demo_mode_for_an_organisations_own_data(app_env):
    at = _app(app_env["ours"])
    assert [t.value for t in at.title] == ["Sign-in is not set up"]
    assert len(at.sidebar.selectbox) == 0
    at = _app(app_env["ours"], user={"is_logged_in": False}, auth=True)
    assert [t.value for t in at.title] == ["Tenure"]
    assert [b.label for b in at.button] == ["Sign in"]


def test_signed_in_manager_is_matched_by_work_email(app_env):
    at = _app(app_env["ours"], user={"is_logged_in": True, "email": "M1@Acme.example", "name": "Mara"}, auth=True)
    assert at.session_state["viewer"] == Viewer(Role.MANAGER, "M1", label="Mara")
    assert "Signed in: Mara (manager)" in at.sidebar.caption[0].value


def test_roles_from_settings_by_group_or_email(app_env):
    user = {"is_logged_in": True, "email": "a1@acme.example", "groups": ["Support-Directors"]}
    assert _app(app_env["ours"], user=user, auth=True).session_state["viewer"].role is Role.DIRECTOR
    user = {"is_logged_in": True, "email": "s1@acme.example"}
    assert _app(app_env["ours"], user=user, auth=True).session_state["viewer"].role is Role.EXECUTIVE
    # an executive outside the HR export is audited under a pseudonymous key, never the email
    user = {"is_logged_in": True, "email": "Chair@Board.example", "groups": "exec-board"}
    os.environ["TENURE_PSEUDONYM_SECRET"] = "test-secret"
    try:
        at = _app(app_env["ours"], user=user, auth=True)
    finally:
        os.environ.pop("TENURE_PSEUDONYM_SECRET")
    assert at.session_state["viewer"] == Viewer(Role.EXECUTIVE, None, "Executive")
    rows = audit.read(audit.audit_path(app_env["ours"]), action="sign_in")
    assert rows["actor_id"][0] == "idp:" + pseudonymous_id("chair@board.example", b"test-secret")
    assert not any("board.example" in str(v) for v in rows.row(0))


def test_no_role_and_no_reports_gets_the_polite_no_access_page(app_env):
    for email in ("a1@acme.example", "stranger@elsewhere.example"):
        at = _app(app_env["ours"], user={"is_logged_in": True, "email": email}, auth=True)
        assert [t.value for t in at.title] == ["No access yet"]
        assert "viewer" not in at.session_state
        assert len(at.sidebar.selectbox) == 0


def test_a_signed_in_identity_wins_over_demo_mode(app_env):
    at = _app(app_env["sample"], user={"is_logged_in": True, "email": "b1@acme.example"}, auth=True)
    assert at.session_state["viewer"].employee_id == "B1"
    assert len(at.sidebar.warning) == 0  # no demo label for a real sign-in
