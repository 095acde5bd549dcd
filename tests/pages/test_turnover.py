"""The turnover page: rates, the cut table, exits and retention, per role."""

from __future__ import annotations

import pytest

from pipelines.access import Role, Viewer
from pipelines.metrics.headcount import get_attrition
from tests.pages.conftest import MANAGER_ID, run_page

USES_SAMPLE = True  # the pages read the sample warehouse (see conftest._page_env)


@pytest.mark.parametrize(("role", "employee_id"), [("director", None), ("executive", None), ("manager", MANAGER_ID)])
def test_rates_match_the_read_api(ctx, role: str, employee_id: str | None):
    row = get_attrition(Viewer(Role(role), employee_id), ctx).row(0, named=True)
    at = run_page("turnover", role, employee_id)
    assert not at.exception
    shown = {m.label: m.value for m in at.metric}
    assert shown["Attrition, a year"] == f"{row['attrition_rate']:.1%}"
    summary = at.caption[1].value
    if row["exits_voluntary"] is None:  # executives and managers: the split hidden against another period
        assert role != "director"
        assert shown["Voluntary, a year"] == shown["Regretted, a year"] == "n/a"
        exits = round(row["attrition_rate"] * row["avg_headcount"])
        assert f"{exits} exits (by type and regretted: hidden, too few to show)" in summary
        return
    assert shown["Voluntary, a year"] == f"{row['voluntary_attrition_rate']:.1%}"
    assert shown["Regretted, a year"] == f"{row['regretted_attrition_rate']:.1%}"
    assert f"{row['exits_voluntary']} voluntary and {row['exits_involuntary']} involuntary exits" in summary


def test_cut_by_tier_table_and_period(ctx):
    at = run_page("turnover", "director")
    at.segmented_control(key="turnover_cut").set_value("Tier").run()
    table = at.dataframe[0].value
    assert list(table["tier"])[:3] == ["Tier 1", "Tier 2", "Tier 3"]
    expected = get_attrition(Viewer(Role.DIRECTOR), ctx, by="tier")
    assert list(table["exits_voluntary"])[:3] == expected["exits_voluntary"].to_list()[:3]
    # a 24-month period shows annualised rates over two years
    at.sidebar.selectbox(key="_w_filter_period").set_value("Last 24 months").run()
    assert at.session_state["filter_period"] == "Last 24 months"
    assert "Nov 2024" in at.caption[0].value


def test_executive_has_no_manager_cut():
    at = run_page("turnover", "executive")
    assert "Manager" not in at.segmented_control(key="turnover_cut").options
