"""AppTest fixtures: the sample warehouse built once, and a harness that runs one page as one role."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def sample_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A data directory with the bundled sample ingested and built (no model training: not needed here)."""
    data_dir = tmp_path_factory.mktemp("pages-data")
    for command in (["ingest", str(REPO / "data" / "sample")], ["build"]):
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "pipelines",
                "--data-dir",
                str(data_dir),
                "--config",
                str(REPO / "data" / "sample" / "tenure.toml"),
                *command,
            ],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert result.returncode == 0, result.stderr[-3000:]
    yield data_dir


@pytest.fixture(scope="session")
def app_env(sample_data_dir: Path) -> Path:
    """The sample data directory the pages read (set in the environment around each test)."""
    return sample_data_dir


def _clear_app_caches() -> None:
    from ui.state import get_paths, get_settings

    get_paths.clear()
    get_settings.clear()


@pytest.fixture(autouse=True)
def _page_env(request: pytest.FixtureRequest) -> Iterator[None]:
    """Point the app's data directory and settings at the sample for one test, then put them back.

    Only for tests that use this folder's fixtures: other page tests here set their own environment.
    """
    if (
        "app_env" not in request.fixturenames
        and "ctx" not in request.fixturenames
        and not getattr(request.module, "USES_SAMPLE", False)
    ):
        yield
        return
    data_dir = request.getfixturevalue("app_env")
    old = {k: os.environ.get(k) for k in ("TENURE_DATA_DIR", "TENURE_CONFIG")}
    os.environ["TENURE_DATA_DIR"] = str(data_dir)
    os.environ["TENURE_CONFIG"] = str(REPO / "data" / "sample" / "tenure.toml")
    _clear_app_caches()
    yield
    for key, value in old.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
    _clear_app_caches()


@pytest.fixture(scope="session")
def ctx(app_env: Path):  # noqa: ANN201 - Context
    """A read Context over the same warehouse, to compute the figures the page must show."""
    from pipelines.config import load_settings
    from pipelines.metrics import open_context

    with open_context(app_env / "warehouse.duckdb", load_settings(REPO / "data" / "sample" / "tenure.toml")) as c:
        yield c


def _page_script(page: str, role: str, employee_id: str | None) -> None:
    import importlib

    import streamlit as st

    from pipelines.access import Role, Viewer

    st.session_state["viewer"] = Viewer(Role(role), employee_id=employee_id, label=role)
    importlib.import_module(f"pages.{page}").main()


def run_page(  # noqa: ANN201 - AppTest
    page: str,
    role: str,
    employee_id: str | None = None,
    session: dict | None = None,
    query: dict | None = None,
    timeout: float = 30,
):
    """Run pages/<page>.py's main() as a viewer with `role` in AppTest and return the AppTest."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(
        _page_script, kwargs={"page": page, "role": role, "employee_id": employee_id}, default_timeout=timeout
    )
    for key, value in (session or {}).items():
        at.session_state[key] = value
    for key, value in (query or {}).items():
        at.query_params[key] = value
    return at.run()


MANAGER_ID = "1017"  # leads Support Engineering in the sample: 17 people, 2 stalled at its end
