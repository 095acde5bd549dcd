"""The Data page: reconciliation, freshness, upload for people-admins only."""

from __future__ import annotations

from pipelines.access import Role, Viewer
from pipelines.metrics.operations import get_ingest_runs
from tests.pages.conftest import run_page

USES_SAMPLE = True  # the pages read the sample warehouse (see conftest._page_env)


def test_people_admin_sees_reconciliation_and_upload(ctx):
    runs = get_ingest_runs(Viewer(Role.PEOPLE_ADMIN), ctx)
    at = run_page("data_loads", "people_admin")
    assert not at.exception
    read, loaded = int(runs["rows_read"].sum()), int(runs["rows_loaded"].sum())
    assert any(f"{read:,} rows read = {loaded:,} loaded + 0 rejected" in c.value for c in at.caption)
    shown = {m.label: m.value for m in at.metric}
    assert shown["HR data up to"] == "31 Oct 2026" and shown["Conversations up to"] == "Oct 2026"
    assert any(s.value == "Load exports" for s in at.subheader)
    assert len(at.dataframe[0].value) == runs.height


def test_director_sees_loads_without_upload():
    at = run_page("data_loads", "director")
    assert not any(s.value == "Load exports" for s in at.subheader)
    assert any(s.value == "Reconciliation per file" for s in at.subheader)


def test_manager_is_told_the_page_is_not_theirs():
    at = run_page("data_loads", "manager", "1017")
    assert at.info[0].value == "Your role does not include the data loads."
