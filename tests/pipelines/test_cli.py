"""The command line: whole-file problems print the fix verbatim, bad options say how to write them."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from pipelines.__main__ import app


def test_missing_column_error_prints_the_mapping_section_to_paste(tmp_path: Path):
    export = tmp_path / "people.csv"
    export.write_text(
        "Employee #,First Name,Last Nme,Work Email,Hire Date,Department,Job Title\n"
        "1,Ada,Byron,ada@example.com,2024-01-01,Customer Support,Team Lead\n"
    )
    result = CliRunner().invoke(app, ["--data-dir", str(tmp_path / "data"), "ingest", str(export)])
    assert result.exit_code == 1
    # rich markup must not swallow the [mapping...] table header the user has to paste
    assert "[mapping.bamboohr.employees]" in result.output
    assert "last_name = 'Last Nme'" in result.output
    assert not (tmp_path / "data" / "warehouse.duckdb").exists()


def test_sample_command_writes_a_small_organisation(tmp_path: Path):
    result = CliRunner().invoke(app, ["sample", "--people", "30", "--years", "1", "--out", str(tmp_path / "org")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "org" / "bamboohr" / "employees.csv").exists()
    assert (tmp_path / "org" / "zendesk" / "tickets.csv.gz").exists() or (
        tmp_path / "org" / "intercom" / "conversations.csv.gz"
    ).exists()


def test_bad_settings_file_exits_2_with_the_key(tmp_path: Path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[privacy]\nmin_group_size = 0\n")
    result = CliRunner().invoke(app, ["--config", str(bad), "--data-dir", str(tmp_path), "build"])
    assert result.exit_code == 2
    assert "privacy.min_group_size" in result.output
