"""No employee name or email in logs, error messages or exception traces.

A full CLI run on the sample organisation (sample ingest + build + train, then summary) with
logging at DEBUG, then every page the app offers each role (AppTest, logging at DEBUG, with
the exceptions a page raised), are captured and searched for every name and work email in
data/sample/bamboohr/employees.csv. Names shown on a page are display, not logs: they are not
searched; exception messages drawn on a page are.
"""

from __future__ import annotations

import csv
import importlib
import importlib.util
import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
EMPLOYEES = REPO / "data" / "sample" / "bamboohr" / "employees.csv"
CLI = (
    "import logging, sys; "
    "logging.basicConfig(level=logging.DEBUG, format='%(levelname)s %(name)s: %(message)s', stream=sys.stderr); "
    "from pipelines.__main__ import app; app()"
)


def _needles() -> set[str]:
    """Every full name (first or preferred name with last name) and work email, lower-cased."""
    found: set[str] = set()
    with EMPLOYEES.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            last = row["Last Name"].strip()
            for first in (row["First Name"], row["Preferred Name"]):
                if first.strip():
                    found.add(f"{first.strip()} {last}".casefold())
            if row["Work Email"].strip():
                found.add(row["Work Email"].strip().casefold())
    return found


NEEDLES = _needles()


def _leaks(text: str) -> list[str]:
    low = re.sub(r"\s+", " ", text.casefold())
    return sorted(n for n in NEEDLES if n in low)


def _cli(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", CLI, "--data-dir", str(data_dir), "--config",
         str(REPO / "data" / "sample" / "tenure.toml"), "--verbose", *args],
        cwd=REPO, capture_output=True, text=True, timeout=600,
    )  # fmt: skip


@pytest.fixture(scope="module")
def cli_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    data_dir = tmp_path_factory.mktemp("names-in-logs")
    out = []
    for args in (["all", str(REPO / "data" / "sample")], ["summary"]):
        result = _cli(data_dir, *args)
        assert result.returncode == 0, result.stderr[-3000:]
        out.append(result.stdout + result.stderr)
    return data_dir, "\n".join(out)


def test_the_sample_has_names_and_emails_to_look_for():
    assert len(NEEDLES) > 400
    assert "sophie ionescu" in NEEDLES and "sophie.ionescu@acmecloud.example" in NEEDLES
    planted = "row 3: Sophie\n  Ionescu <Sophie.Ionescu@acmecloud.example>"
    assert _leaks(planted) == ["sophie ionescu", "sophie.ionescu@acmecloud.example"]


def test_a_full_cli_run_at_debug_logs_no_names_or_emails(cli_run):
    _, output = cli_run
    assert "DEBUG" in output or "INFO" in output  # logging really was on
    assert _leaks(output) == []


def test_a_failing_run_names_no_one(cli_run, tmp_path: Path):
    # a broken HR export: the error message and any trace must not quote names or emails
    bad = tmp_path / "bamboohr"
    bad.mkdir()
    rows = EMPLOYEES.read_text(encoding="utf-8").splitlines()
    broken = [rows[0], *[r.replace(",20", ",not-a-date-20", 1) for r in rows[1:40]]]
    (bad / "employees.csv").write_text("\n".join(broken) + "\n", encoding="utf-8")
    result = _cli(tmp_path / "data", "ingest", str(tmp_path))
    assert "reject" in (result.stdout + result.stderr).casefold()
    assert _leaks(result.stdout + result.stderr) == []


def _pages_for(role: str) -> list[str]:
    from pipelines.access import Role

    try:
        navigation = importlib.import_module("ui.navigation")
        modules = list(navigation.ROLE_PAGES[Role(role)])
    except (AttributeError, KeyError):
        modules = [p.stem for p in (REPO / "pages").glob("*.py") if p.stem != "__init__"]
    return [m for m in modules if importlib.util.find_spec(f"pages.{m}") is not None]


def _page_script(page: str, role: str, employee_id: str | None) -> None:
    import importlib

    import streamlit as st

    from pipelines.access import Role, Viewer

    st.session_state["viewer"] = Viewer(Role(role), employee_id=employee_id, label=role)
    importlib.import_module(f"pages.{page}").main()


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))
        if record.exc_info:
            self.lines.append(logging.Formatter().formatException(record.exc_info))


def test_every_page_for_every_role_logs_no_names_or_emails(cli_run):
    from streamlit.testing.v1 import AppTest

    from pipelines.access import Viewer
    from pipelines.config import load_settings
    from pipelines.metrics import open_context
    from pipelines.metrics.people_directory import get_managers

    data_dir, _ = cli_run
    config = REPO / "data" / "sample" / "tenure.toml"
    with open_context(data_dir / "warehouse.duckdb", load_settings(config)) as ctx:
        managers = get_managers(Viewer.system(), ctx).sort("n_direct_reports", descending=True)
    viewers = [("executive", None), ("director", None), ("people_admin", None)]
    viewers += [("manager", managers["employee_id"][0])]  # the largest subtree

    capture = _Capture()
    loggers = [logging.getLogger(), logging.getLogger("streamlit"), logging.getLogger("pipelines")]
    old_levels = [lg.level for lg in loggers]
    old_env = {k: os.environ.get(k) for k in ("TENURE_DATA_DIR", "TENURE_CONFIG")}
    os.environ.update(TENURE_DATA_DIR=str(data_dir), TENURE_CONFIG=str(config))
    from ui.state import get_paths, get_settings

    get_paths.clear()
    get_settings.clear()
    for lg in loggers:
        lg.addHandler(capture)
        lg.setLevel(logging.DEBUG)
    shown_errors: list[str] = []
    runs = 0
    try:
        # the app itself (demo picker, sign-in resolution) as each demo role
        at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60).run()
        for option in at.sidebar.selectbox(key="demo_role").options[:5]:
            at.sidebar.selectbox(key="demo_role").select(option).run()
            shown_errors += [str(e.value) + str(e.stack_trace) for e in at.exception]
            runs += 1
        for role, employee_id in viewers:
            for page in _pages_for(role):
                page_at = AppTest.from_function(
                    _page_script, kwargs={"page": page, "role": role, "employee_id": employee_id}, default_timeout=60
                ).run()
                shown_errors += [str(e.value) + str(e.stack_trace) for e in page_at.exception]
                runs += 1
    finally:
        for lg, level in zip(loggers, old_levels, strict=True):
            lg.removeHandler(capture)
            lg.setLevel(level)
        for key, value in old_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        get_paths.clear()
        get_settings.clear()
    assert runs >= 10 and capture.lines  # pages ran, and logging was captured
    assert _leaks("\n".join(capture.lines)) == []
    assert _leaks("\n".join(shown_errors)) == []
