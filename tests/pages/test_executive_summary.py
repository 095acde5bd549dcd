"""The executive summary page shows the figures of the read API, the three actions and the PDF button."""

from __future__ import annotations

import pytest

from pipelines.access import Role, Viewer
from pipelines.reports.executive import get_executive_report
from tests.pages.conftest import MANAGER_ID, run_page
from ui.widgets import compact_money

USES_SAMPLE = True  # the pages read the sample warehouse (see conftest._page_env)


def _metrics(at) -> dict[str, str]:  # noqa: ANN001
    return {m.label: m.value for m in at.metric}


@pytest.mark.parametrize("role", ["director", "executive", "people_admin"])
def test_figures_match_the_report(ctx, role: str):
    report = get_executive_report(Viewer(Role(role)), ctx)
    s = report["summary"]
    at = run_page("executive_summary", role)
    assert not at.exception
    shown = _metrics(at)
    assert shown["Headcount"] == f"{s['headcount']:,}"
    assert shown["Attrition (12 months)"] == f"{s['attrition_rate']:.1%}"
    regretted = s["regretted_attrition_rate"]  # hidden with the exit split for an executive when it must be
    assert shown["Regretted attrition"] == ("n/a" if regretted is None else f"{regretted:.1%}")
    assert shown["Median tenure"] == f"{s['median_tenure_months']:.1f} months"
    # an executive's exit split or stalled count may be hidden (another period would isolate a few people)
    split = "n/a" if s["exits_voluntary"] is None else f"{s['exits_voluntary']} / {s['exits_involuntary']}"
    assert shown["Exits: vol. / invol."] == split
    exits = round(s["attrition_rate"] * s["avg_headcount"])  # voluntary + involuntary, split shown or not
    assert (
        shown["Cost of attrition"]
        == compact_money(exits * 15000, "USD")
        == compact_money(report["attrition_cost"], "USD")
    )
    assert shown["Stalled teammates"] == ("n/a" if s["stalled"] is None else str(s["stalled"]))
    assert shown["CSAT (share good)"] == f"{s['csat']:.1%}"
    assert shown["Resolved by bots"] == f"{s['bot_share']:.1%}"
    # the sample: 293 people, 82 voluntary and 13 involuntary exits in the year to 31 Oct 2026
    assert shown["Headcount"] == "293" and shown["Cost of attrition"] == "USD 1.43M"  # 95 exits x 15,000
    actions = at.markdown[0].value
    assert actions.count("\n") == 2 and all(a in actions for a in report["actions"])
    labels = [b.label for b in at.get("download_button")]
    assert any(label.startswith("Download PDF") for label in labels)


def test_manager_sees_their_subtree(ctx):
    s = get_executive_report(Viewer(Role.MANAGER, MANAGER_ID), ctx)["summary"]
    at = run_page("executive_summary", "manager", MANAGER_ID)
    shown = _metrics(at)
    assert shown["Headcount"] == str(s["headcount"]) != "293"
    assert shown["Resolved by bots"] == "n/a"  # bot-only conversations belong to no team


def test_manager_filter_narrows_a_director_to_one_organisation(ctx):
    s = get_executive_report(Viewer(Role.MANAGER, MANAGER_ID), ctx)["summary"]
    at = run_page("executive_summary", "director", session={"filter_manager": ""})
    box = next(b for b in at.sidebar.selectbox if b.label == "Manager's organisation")
    option = next(o for o in box.options if o != "All" and o.endswith("(Support Engineering)"))
    box.set_value(option).run()
    assert _metrics(at)["Headcount"] == str(s["headcount"])
    assert "organisation" in at.caption[0].value
