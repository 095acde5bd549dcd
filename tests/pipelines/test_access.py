"""Roles from settings and the hierarchy, the [access] settings, and people lookups at sign-in."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from pipelines.access import Role, Viewer, mapped_role, viewer_for
from pipelines.config import AccessSettings, SettingsError, load_settings
from pipelines.metrics import connect_context
from pipelines.metrics.people_directory import (
    find_employee_id,
    get_managers,
    get_people,
    has_reports,
    is_sample_organisation,
)
from tests.fixtures.canonical.org import frames, memory_context

ACCESS = AccessSettings(
    roles={
        "executive": ("ceo@acme.example", "leadership"),
        "director": ("support-directors",),
        "people_admin": ("hr@acme.example", "people-ops"),
    }
)


def test_mapped_role_by_email_or_group_case_insensitive():
    assert mapped_role("CEO@Acme.example", [], ACCESS) is Role.EXECUTIVE
    assert mapped_role("someone@acme.example", ["Support-Directors"], ACCESS) is Role.DIRECTOR
    assert mapped_role("nobody@acme.example", ["engineering"], ACCESS) is None
    assert mapped_role(None, [], ACCESS) is None


def test_the_widest_mapped_role_wins():
    assert mapped_role("ceo@acme.example", ["people-ops"], ACCESS) is Role.PEOPLE_ADMIN
    assert mapped_role("x@acme.example", ["leadership", "support-directors"], ACCESS) is Role.DIRECTOR


def test_viewer_for_settings_role_then_hierarchy_then_no_access():
    director = viewer_for("d@acme.example", ["support-directors"], ACCESS, "1001", has_reports=True)
    assert director == Viewer(Role.DIRECTOR, "1001", "Director")
    manager = viewer_for("m@acme.example", [], ACCESS, "1266", has_reports=True, label="Team lead")
    assert manager == Viewer(Role.MANAGER, "1266", "Team lead")
    assert viewer_for("ic@acme.example", [], ACCESS, "1300", has_reports=False) is None
    assert viewer_for("stranger@else.example", [], ACCESS, None, has_reports=False) is None
    # a mapped role needs no match in the HR data (an executive outside the HR export)
    assert viewer_for("ceo@acme.example", [], ACCESS, None, has_reports=False).role is Role.EXECUTIVE


def test_viewer_flags():
    assert not Viewer(Role.EXECUTIVE).sees_people
    assert Viewer(Role.PEOPLE_ADMIN).is_admin and Viewer.system().is_admin
    assert not Viewer(Role.DIRECTOR).is_admin
    with pytest.raises(ValueError, match="employee_id"):
        Viewer(Role.MANAGER)


def test_access_settings_defaults_and_user_file(tmp_path: Path):
    default = load_settings()
    assert default.access.demo_mode == "auto" and not default.access.pseudonymise
    assert default.access.roles == {"executive": (), "director": (), "people_admin": ()}
    assert default.individual_scores is True
    user = tmp_path / "s.toml"
    user.write_text(
        '[access]\ndemo_mode = "off"\npseudonymise = true\n'
        '[access.roles]\ndirector = ["  Dana@Acme.example "]\n[models]\nindividual_scores = false\n'
    )
    loaded = load_settings(user)
    assert loaded.access.demo_mode == "off" and loaded.access.pseudonymise
    assert loaded.access.roles["director"] == ("dana@acme.example",)
    assert loaded.individual_scores is False


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[access]\ndemo_mode = "maybe"\n', "demo_mode"),
        ("[access.roles]\nboss = []\n", "not a role"),
        ('[access.roles]\ndirector = "x@y"\n', "list of emails"),
        ('[access]\npseudonymise = "yes"\n', "pseudonymise"),
    ],
)
def test_bad_access_settings_name_the_key(tmp_path: Path, text: str, message: str):
    user = tmp_path / "bad.toml"
    user.write_text(text)
    with pytest.raises(SettingsError, match=message):
        load_settings(user)


# -- people lookups on the canonical fixture (data end 2026-01-10) ----------------------------


@pytest.fixture(scope="module")
def ctx():
    tables = frames()
    emails = {"M1": "m1@acme.example", "B2": "b2@acme.example"}
    names = {"M1": "Mara One", "B1": "Bea One", "D1": "Dee One", "B2": "Bo Two"}
    tables["employees"] = tables["employees"].with_columns(
        pl.col("employee_id").replace_strict(emails, default=None).alias("work_email"),
        pl.col("employee_id").replace_strict(names, default=None).alias("full_name"),
    )
    return memory_context(1, tables=tables)


def test_find_employee_by_work_email(ctx):
    assert find_employee_id(ctx, " M1@ACME.example ") == "M1"
    assert find_employee_id(ctx, "nobody@acme.example") is None
    assert find_employee_id(ctx, "") is None


def test_anyone_with_reports_on_the_day_is_a_manager(ctx):
    assert has_reports(ctx, "M1")
    assert not has_reports(ctx, "A1")
    assert not has_reports(ctx, "B1", date(2025, 6, 30)) and has_reports(ctx, "B1", date(2025, 7, 1))
    assert has_reports(ctx, "M2", date(2025, 6, 30)) and not has_reports(ctx, "M2", date(2025, 7, 1))


def test_managers_on_a_day_in_scope(ctx):
    everyone = get_managers(Viewer.system(), ctx, date(2025, 12, 31))
    # S1 managed A5 only while A5 was in Sales (2025-02..07): not a manager on 2025-12-31
    assert everyone.select("employee_id", "n_direct_reports").rows() == [
        ("B1", 4),  # Bea One: B2..B5
        ("D1", 2),  # Dee One: M1, B1
        ("M1", 4),  # Mara One: A1 A3 A4 A5 (A2 and A6 gone, N1 not yet hired)
    ]
    assert everyone["display_name"].to_list() == ["Bea One", "Dee One", "Mara One"]
    assert get_managers(Viewer(Role.MANAGER, "D1"), ctx, date(2025, 12, 31))["employee_id"].to_list() == ["B1", "M1"]
    assert get_managers(Viewer(Role.MANAGER, "M1"), ctx, date(2025, 12, 31)).is_empty()
    assert get_managers(Viewer(Role.EXECUTIVE), ctx).is_empty()


def test_people_in_scope_with_names(ctx):
    team = get_people(Viewer(Role.MANAGER, "B1"), ctx, date(2025, 12, 31))
    assert team["employee_id"].to_list() == ["B2", "B3", "B4", "B5"]  # Bo Two first, then unnamed by id
    assert team["display_name"].to_list()[0] == "Bo Two"


def test_pseudonymised_names_are_stable_and_hide_the_name(ctx):
    settings = dataclasses.replace(
        ctx.settings, access=dataclasses.replace(ctx.settings.access, pseudonymise=True, pseudonym_secret="s3")
    )
    pctx = connect_context(ctx.con, settings)
    first = get_managers(Viewer.system(), pctx, date(2025, 12, 31))
    again = get_managers(Viewer.system(), pctx, date(2025, 12, 31))
    assert first["display_name"].to_list() == again["display_name"].to_list()
    assert not {"Bea One", "Dee One", "Mara One"} & set(first["display_name"].to_list())
    assert first["employee_id"].to_list() == ["B1", "D1", "M1"]


def test_sample_organisation_is_detected_from_ingest_runs(ctx, tmp_path: Path):
    sample = tmp_path / "sample"
    ctx.con.execute("create or replace table ingest_runs (file varchar)")
    assert not is_sample_organisation(ctx, sample)  # nothing ingested
    ctx.con.execute("insert into ingest_runs values ($f)", {"f": str(sample / "bamboohr" / "employees.csv")})
    assert is_sample_organisation(ctx, sample)
    ctx.con.execute("insert into ingest_runs values ($f)", {"f": str(tmp_path / "ours" / "employees.csv")})
    assert not is_sample_organisation(ctx, sample)
    ctx.con.execute("drop table ingest_runs")
