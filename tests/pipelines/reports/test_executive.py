"""The executive report: actions written from the numbers, cost of attrition, and the one-page PDF."""

from __future__ import annotations

import re
from datetime import date

import polars as pl
import pytest

from pipelines.access import Role, Viewer
from pipelines.reports.executive import build_actions, get_executive_report
from pipelines.reports.pdf import figure_rows, render_executive_pdf
from tests.fixtures.canonical.org import AS_OF, memory_context

SUMMARY = {
    "headcount": 100,
    "attrition_rate": 0.40,
    "regretted_attrition_rate": 0.10,
    "exits_voluntary": 30,
    "exits_involuntary": 10,
    "stalled": 12,
    "promotions": 10,
    "management_promotion_share": 0.6,
}


def _teams(rates: dict[str, tuple[float, int, float]]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "team": list(rates),
            "attrition_rate": [r for r, _, _ in rates.values()],
            "exits_voluntary": [e for _, e, _ in rates.values()],
            "exits_involuntary": [0] * len(rates),
            "avg_headcount": [h for _, _, h in rates.values()],
            "n_people": [int(h) + 2 for _, _, h in rates.values()],
            "is_suppressed": [False] * len(rates),
        }
    )


def test_actions_rank_the_most_pressing_three():
    teams = _teams({"Alpha": (0.9, 9, 10.0), "Beta": (0.2, 2, 10.0)})
    actions = build_actions(SUMMARY, 0.31, 0.35, {"team": teams}, 5, 600_000, "USD")
    assert len(actions) == 3
    assert actions[0] == (
        "The team Alpha lost 9 people in 12 months, an attrition rate of 90%, 2.2 times the organisation's 40%: "
        "start the retention conversations there."
    )
    # scores: hotspot 0.9 / 0.4 / 1.25 = 1.8, first year 0.35 / 0.2 = 1.75, attrition 0.40 / 0.31 = 1.29,
    # stalled 12% / 10% = 1.2, management 60% / 50% = 1.2, regretted 25% / 50% = 0.5
    assert actions[1] == "35% of new hires leave within their first year: look at onboarding and mentoring."
    assert actions[2] == (
        "Attrition is 40%, above the 31% benchmark: 40 people left in 12 months, costing about USD 600,000 to replace."
    )


def test_small_or_quiet_groups_are_never_the_hotspot():
    # 2 exits in a team of 4 is a rate of 50%, but the group is under the minimum and the exits too few
    teams = _teams({"Tiny": (0.5, 2, 4.0)})
    actions = build_actions({**SUMMARY, "attrition_rate": 0.2}, 0.31, None, {"team": teams}, 5, None, "USD")
    assert not any("Tiny" in a for a in actions)
    assert actions[0].startswith("12 of 100 teammates are stalled")
    assert actions[1].startswith("60% of promotions went into management")
    quiet = build_actions(
        {"attrition_rate": 0.2, "exits_voluntary": 5, "exits_involuntary": 1}, 0.31, None, {}, 5, 90_000, "USD"
    )
    assert quiet == [
        "Attrition is 20%, below the 31% benchmark, yet 6 people left in 12 months, costing about "
        "USD 90,000 to replace."
    ]


@pytest.fixture(scope="module")
def report():  # noqa: ANN201
    return get_executive_report(Viewer(Role.DIRECTOR), memory_context(min_group_size=1), AS_OF)


def test_report_on_the_fixture(report):
    s = report["summary"]
    # 2025: A2 (1 Mar) and M2 (30 Jun) left voluntarily, A6 (31 Oct) involuntarily
    assert (s["exits_voluntary"], s["exits_involuntary"]) == (2, 1)
    assert report["attrition_cost"] == 3 * 15_000
    assert report["trailing"]["month"].max() == date(2025, 12, 1)
    assert 1 <= len(report["actions"]) <= 3


def test_pdf_is_one_page_with_the_figures(report):
    pdf = render_executive_pdf(report)
    assert pdf.startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page\b", pdf)) == 1
    labels = [label for label, _ in figure_rows(report)]
    assert labels[:3] == ["Headcount", "Attrition, 12 months", "Regretted attrition"]
    assert dict(figure_rows(report))["Cost of attrition"] == "USD 45,000"
