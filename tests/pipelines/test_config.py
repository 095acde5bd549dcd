from pathlib import Path

import pytest

from pipelines.config import SettingsError, data_paths, load_settings


def test_defaults_follow_the_documented_ladder_and_benchmarks():
    s = load_settings()
    assert s.benchmark_attrition_rate == 0.31
    assert s.replacement_cost == 15000
    assert s.min_group_size == 5
    assert s.tracks == ("frontline", "technical", "embedded", "operations", "management")
    assert s.role("customer support specialist 2").level == 2
    assert s.role("Team Lead").track == "management"
    assert s.role("Sales Executive") is None


def test_user_file_is_merged_over_defaults(tmp_path: Path):
    f = tmp_path / "mine.toml"
    f.write_text('[privacy]\nmin_group_size = 8\n[organisation]\ntiers = ["L1", "L2"]\n')
    s = load_settings(f)
    assert s.min_group_size == 8
    assert s.tiers == ("L1", "L2")
    assert s.support_departments == ("Customer Support",)  # untouched default


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[privacy]\nmin_group_size = 'five'\n", "`privacy.min_group_size` = 'five' should be int"),
        ("[stalled]\npeer_quantile = 1.5\n", "between 0 and 1"),
        ("[privacy\n", "not valid TOML"),
    ],
)
def test_bad_settings_say_which_key_and_how(tmp_path: Path, text: str, message: str):
    f = tmp_path / "bad.toml"
    f.write_text(text)
    with pytest.raises(SettingsError, match=message.replace("(", r"\(").replace("[", r"\[")):
        load_settings(f)


def test_data_dir_from_argument_then_environment(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("TENURE_DATA_DIR", str(tmp_path / "env"))
    assert data_paths().root == (tmp_path / "env").resolve()
    assert data_paths(tmp_path / "arg").warehouse == (tmp_path / "arg" / "warehouse.duckdb").resolve()
