"""The audit log beside the warehouse (people-admins only) and stable pseudonyms."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import duckdb
import polars as pl
import pytest

from pipelines import audit
from pipelines.access import Role, Viewer
from pipelines.config import load_settings
from pipelines.metrics import open_context
from pipelines.metrics.people_directory import get_audit_log, warehouse_dir
from pipelines.pseudonym import pseudonym, pseudonymise, pseudonymous_id, resolve_secret

MANAGER = Viewer(Role.MANAGER, "1266", label="Manager")
ADMIN = Viewer(Role.PEOPLE_ADMIN, "1400", label="People admin")


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    con.execute("create table marts_data_dates as select date '2026-01-10' as data_end_date")
    con.close()
    return tmp_path


def test_record_and_read_newest_first(data_dir: Path):
    path = audit.audit_path(data_dir)
    audit.record(path, MANAGER, "sign_in", detail="oidc")
    audit.record(path, MANAGER, "view_person", subject_id="1301", detail="people")
    audit.record(path, ADMIN, "export", detail="attrition.xlsx")
    log = audit.read(path)
    assert log.height == 3
    assert log["action"].to_list() == ["export", "view_person", "sign_in"]
    assert log.row(1, named=True) | {"event_at": None} == {
        "event_at": None,
        "actor_id": "1266",
        "actor_role": "manager",
        "action": "view_person",
        "subject_id": "1301",
        "detail": "people",
    }
    assert audit.read(path, action="export")["detail"].to_list() == ["attrition.xlsx"]
    assert audit.read(path, limit=1).height == 1


def test_the_log_lives_beside_the_warehouse_not_in_it(data_dir: Path):
    audit.record(audit.audit_path(data_dir), MANAGER, "view_person", subject_id="1301")
    con = duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True)
    tables = {r[0] for r in con.execute("show tables").fetchall()}
    con.close()
    assert "audit_log" not in tables
    assert (data_dir / "audit.duckdb").exists()


def test_unknown_action_is_refused(data_dir: Path):
    with pytest.raises(ValueError, match="unknown audit action"):
        audit.record(audit.audit_path(data_dir), MANAGER, "peek")


def test_only_people_admins_read_the_log_through_the_metrics_api(data_dir: Path):
    audit.record(audit.audit_path(data_dir), MANAGER, "view_person", subject_id="1301")
    with open_context(data_dir / "warehouse.duckdb", load_settings()) as ctx:
        assert warehouse_dir(ctx) == data_dir.resolve()
        assert get_audit_log(ADMIN, ctx)["subject_id"].to_list() == ["1301"]
        assert get_audit_log(Viewer.system(), ctx).height == 1
        for viewer in (MANAGER, Viewer(Role.DIRECTOR), Viewer(Role.EXECUTIVE)):
            assert get_audit_log(viewer, ctx).is_empty()


def test_no_log_yet_is_an_empty_frame(data_dir: Path):
    with open_context(data_dir / "warehouse.duckdb", load_settings()) as ctx:
        assert get_audit_log(ADMIN, ctx).columns == list(audit.AUDIT_SCHEMA)
        assert get_audit_log(ADMIN, ctx).is_empty()


def test_pseudonyms_are_stable_distinct_and_depend_on_the_secret():
    a, b = pseudonym("1001", b"one"), pseudonym("1002", b"one")
    assert a == pseudonym("1001", b"one") and a != b
    assert pseudonym("1001", b"two") != a
    assert len(a.split()) == 3 and len(a.split()[2]) == 4
    ids = {pseudonymous_id(str(i), b"one") for i in range(1000, 1500)}
    assert len(ids) == 500 and all(len(x) == 16 for x in ids)


def test_pseudonymise_replaces_names_drops_emails_and_optionally_ids():
    frame = pl.DataFrame(
        {"employee_id": ["1001", None], "full_name": ["Yasmin Weber", "x"], "work_email": ["y@a.example", None]}
    )
    out = pseudonymise(frame, b"k")
    assert out.columns == ["employee_id", "full_name"]
    assert out["full_name"].to_list() == [pseudonym("1001", b"k"), None]
    exported = pseudonymise(frame, b"k", replace_ids=True)
    assert exported["employee_id"].to_list() == [pseudonymous_id("1001", b"k"), None]


def test_secret_from_setting_env_or_a_private_key_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("TENURE_PSEUDONYM_SECRET", raising=False)
    assert resolve_secret("configured", tmp_path) == b"configured"
    monkeypatch.setenv("TENURE_PSEUDONYM_SECRET", "from-env")
    assert resolve_secret("", tmp_path) == b"from-env"
    monkeypatch.delenv("TENURE_PSEUDONYM_SECRET")
    first = resolve_secret("", tmp_path)
    assert first == resolve_secret("", tmp_path) and len(first) == 64
    assert stat.S_IMODE(os.stat(tmp_path / "pseudonym.key").st_mode) == 0o600
    with pytest.raises(ValueError, match="secret"):
        resolve_secret("", None)
