"""The executive summary on the canonical organisation, through the read API and the CLI."""

from __future__ import annotations

import json
from datetime import date

import pytest
from typer.testing import CliRunner

from pipelines.access import Role, Viewer
from pipelines.config import load_settings
from pipelines.metrics import open_context
from pipelines.metrics.definitions import DEFINITIONS
from pipelines.metrics.summary import SUMMARY_KEYS, get_executive_summary
from tests.fixtures.canonical.org import build_warehouse, memory_context

AVG = 4275 / 365  # average headcount 2025, see test_attrition_metrics.py

EXPECTED = {
    "as_of": "2025-12-31",
    "headcount": 11,
    "avg_headcount": AVG,
    "hires": 1,  # A6
    "exits_voluntary": 2,  # M2, A2
    "exits_involuntary": 1,  # A6
    "transfers_out": 1,  # A5
    "attrition_rate": 3 / AVG,
    "voluntary_attrition_rate": 2 / AVG,
    "regretted_attrition_rate": 1 / AVG,  # M2
    "support_turnover_rate": 4 / AVG,
    "median_tenure_months": None,  # survival stays at 0.5958 (test_tenure_metrics.py)
    "promotions": 3,  # B2, B1, B3
    "promotion_rate": 3 / AVG,
    "management_promotion_share": 1 / 3,  # B1 -> Team Lead
    "internal_mobility_rate": 1 / AVG,
    "stalled": 2,  # A1, A3
    "csat": 4 / 6,
    "bot_share": 2 / 9,
}


def test_summary_keys_are_exactly_the_issue_keys_and_defined():
    assert SUMMARY_KEYS == tuple(EXPECTED)
    assert set(SUMMARY_KEYS) <= set(DEFINITIONS)


def test_executive_summary_by_hand():
    ctx = memory_context(min_group_size=1)
    result = get_executive_summary(Viewer(Role.EXECUTIVE), ctx, as_of=date(2025, 12, 31))
    assert list(result) == list(EXPECTED)
    for key, value in EXPECTED.items():
        assert result[key] == (pytest.approx(value) if isinstance(value, float) else value), key


def test_executive_summary_suppresses_csat_from_few_agents():
    # only 4 people (A1, A3, B2, B3) handled conversations: under 5, CSAT is hidden; the
    # organisation-wide figures (14 people in the window) and the bot share stay
    ctx = memory_context(min_group_size=5)
    result = get_executive_summary(Viewer(Role.EXECUTIVE), ctx, as_of=date(2025, 12, 31))
    assert result["csat"] is None
    assert result["bot_share"] == pytest.approx(2 / 9)
    assert result["headcount"] == 11 and result["stalled"] == 2


def test_summary_defaults_to_the_latest_data_date():
    ctx = memory_context(min_group_size=5)
    # the latest event is N1's hire on 2026-01-10; the headcount then includes N1: 12
    result = get_executive_summary(Viewer.system(), ctx)
    assert result["as_of"] == "2026-01-10" and result["headcount"] == 12


def test_cli_summary_json_reads_a_warehouse_file(tmp_path):
    from pipelines.__main__ import app

    settings = load_settings()
    build_warehouse(tmp_path / "warehouse.duckdb", settings)
    with open_context(tmp_path / "warehouse.duckdb", settings) as ctx:
        assert ctx.data_end_date() == date(2026, 1, 10)
    result = CliRunner().invoke(app, ["--data-dir", str(tmp_path), "summary", "--json", "--as-of", "2025-12-31"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout)
    assert figures["headcount"] == 11 and figures["stalled"] == 2
    assert figures["attrition_rate"] == pytest.approx(3 / AVG)
