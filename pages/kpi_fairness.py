"""KPI fairness: are people judged on the tickets they actually handled, and are outcomes fair across groups?"""

from __future__ import annotations

import plotly.express as px
import streamlit as st

from pipelines.access import Viewer
from pipelines.metrics.definitions import DEFINITIONS
from pipelines.metrics.fairness import (
    PARITY_ATTRIBUTES,
    PARITY_OUTCOMES,
    get_csat_context,
    get_group_parity,
    get_kpi_agent_periods,
    get_kpi_model_quality,
    get_kpi_periods,
    get_mix_shift,
    get_time_to_proficiency,
)
from pipelines.metrics.workload import OPEN_COMPLEX_NORM, SUSTAINED_WEEKS, get_workload, get_workload_summary
from pipelines.models.kpi_expectation import OUTCOME_BY_NAME
from ui.data import get, require_warehouse
from ui.viewer import current_viewer
from ui.widgets import metric, num_col, table

OUTCOME_LABELS = {
    "promotion": "Promotion (for equal time in role, rating and role)",
    "high_rating": "Performance rating 3.5 or higher",
    "adjusted_handle_time": "Handle time at or better than expected",
}
AGENT_COLUMNS = (
    "full_name",
    "n",
    "observed",
    "expected",
    "ratio",
    "adjusted_ratio",
    "ratio_low",
    "ratio_high",
    "verdict",
    "raw_rank",
    "adjusted_rank",
    "rank_change",
)


def _adjusted(viewer: Viewer) -> None:
    c = st.columns(2)
    metric_name = c[0].selectbox(
        "KPI", list(OUTCOME_BY_NAME), format_func=lambda m: OUTCOME_BY_NAME[m].label, key="kpi_metric"
    )
    periods = get(get_kpi_periods, viewer, period_kind="quarter")
    if not periods:
        st.info("No adjusted KPIs yet: run `python -m pipelines train`.")
        return
    period = c[1].selectbox("Quarter starting", periods[1:] or periods, key="kpi_period")
    rows = get(get_kpi_agent_periods, viewer, metric=metric_name, period_kind="quarter", period_start=period)
    st.caption(DEFINITIONS["kpi_adjusted_ratio"])
    if rows.is_empty():
        st.info("Person-level rows are not shown for this role, or nobody in scope handled tickets then.")
        return
    judged = rows.filter(rows["has_verdict"])
    movers = judged.sort("rank_change", descending=True, nulls_last=True)
    st.write(
        f"{judged.height} of {rows.height} agents handled enough tickets for a verdict. "
        f"Largest move up once the tickets are taken into account: {movers['rank_change'][0] if judged.height else 0} places."
    )
    unit = {"handle_time": "%.0f s", "resolution_time": "%.1f h"}.get(metric_name, "%.3f")
    table(
        rows.select([c for c in AGENT_COLUMNS if c in rows.columns]),
        f"kpi-{metric_name}-{period}",
        {
            "full_name": "teammate",
            "n": st.column_config.NumberColumn("tickets", format="%d"),
            "observed": num_col("observed", unit),
            "expected": num_col("expected for their tickets", unit),
            "ratio": num_col("observed / expected", "%.2f"),
            "adjusted_ratio": num_col("adjusted (shrunk)", "%.2f", "kpi_adjusted_ratio"),
            "ratio_low": num_col("95% low", "%.2f"),
            "ratio_high": num_col("95% high", "%.2f"),
            "raw_rank": st.column_config.NumberColumn("raw rank", format="%d"),
            "adjusted_rank": st.column_config.NumberColumn("adjusted rank", format="%d"),
            "rank_change": st.column_config.NumberColumn("places moved", format="%+d"),
        },
    )
    quality = get(get_kpi_model_quality, viewer)
    if not quality.is_empty():
        st.caption(
            "How much of the ticket-to-ticket variation the expectations explain (cross-fitted, vs the overall "
            "mean): " + "; ".join(f"{r['label']} {r['score']:.2f}" for r in quality.iter_rows(named=True))
        )


def _mix(viewer: Viewer) -> None:
    name = st.selectbox(
        "Team average",
        ["handle_time", "resolution_time", "csat"],
        format_func=lambda m: OUTCOME_BY_NAME[m].label,
        key="mix_metric",
    )
    shift = get(get_mix_shift, viewer, metric=name)
    if shift["is_suppressed"]:
        st.info("Too few people in scope to show the team trend.")
        return
    st.caption(DEFINITIONS["mix_shift"])
    a0, b1 = shift["period_a"][0], shift["period_b"][1]
    c = st.columns(3)
    with c[0]:
        metric(f"Change {a0:%b %Y} to {b1:%b %Y}", "mix_shift", round(shift["change"], 2), "float")
    with c[1]:
        metric("From the ticket mix", "mix_shift", round(shift["mix"], 2), "float")
    with c[2]:
        metric("From performance within categories", "mix_shift", round(shift["performance"], 2), "float")
    top = shift["cells"].head(12)
    st.plotly_chart(
        px.bar(top, x="change", y="category", color="tier", orientation="h", title="Largest contributions by cell"),
        width="stretch",
    )


def _csat(viewer: Viewer) -> None:
    frame = get(get_csat_context, viewer)
    st.caption(DEFINITIONS["csat_in_context"])
    if frame.is_empty():
        st.info("No rated conversations in scope.")
        return
    policy = frame.filter(frame["is_policy_like"].fill_null(False))["category"].to_list()
    if policy:
        st.write(
            "Categories whose bad ratings come with good internal QA (the answer, not the agent): " + ", ".join(policy)
        )
    st.dataframe(frame, hide_index=True, width="stretch")


def _parity(viewer: Viewer) -> None:
    c = st.columns(2)
    outcome = c[0].selectbox("Outcome", list(PARITY_OUTCOMES), format_func=OUTCOME_LABELS.get, key="parity_outcome")
    attribute = c[1].selectbox(
        "Across",
        list(PARITY_ATTRIBUTES),
        format_func=lambda a: a.replace("is_", "").capitalize(),
        key="parity_attribute",
    )
    frame = get(get_group_parity, viewer, outcome=outcome, attribute=attribute)
    st.caption(DEFINITIONS["adverse_impact_ratio"])
    if frame.is_empty():
        st.info("No one in scope (adjusted KPIs need `python -m pipelines train`).")
        return
    flagged = frame.filter(frame["is_flagged"])["group"].to_list()
    st.write(
        "Adverse impact found for: " + ", ".join(flagged)
        if flagged
        else "No group is below four-fifths of the reference with a gap unlikely to be chance."
    )
    unit = (
        "person-months at risk" if outcome == "promotion" else "people" if outcome == "high_rating" else "agent periods"
    )
    shown = frame.select(
        "group",
        "n_people",
        "n_units",
        "raw_rate",
        "rate",
        "impact_ratio",
        "difference",
        "diff_low",
        "diff_high",
        "p_value",
        "verdict",
    )
    table(
        shown,
        f"group-parity-{outcome}-{attribute}",
        {
            "group": "group",
            "n_units": num_col(unit, "%d"),
            "raw_rate": num_col("raw rate", "%.4f"),
            "rate": num_col("standardised rate", "%.4f", "adverse_impact_ratio"),
            "impact_ratio": num_col("ratio to reference", "%.2f", "adverse_impact_ratio"),
            "difference": num_col("difference", "%.4f"),
            "diff_low": num_col("95% low", "%.4f"),
            "diff_high": num_col("95% high", "%.4f"),
            "p_value": num_col("p (Holm)", "%.3f"),
            "verdict": st.column_config.TextColumn("verdict", width="large"),
        },
    )


def _workload(viewer: Viewer) -> None:
    summary = get(get_workload_summary, viewer)
    st.caption(DEFINITIONS["breathing_room"])
    c = st.columns(3)
    with c[0]:
        metric("Agents (12 months)", "breathing_room", summary["n_agents"])
    with c[1]:
        metric("Mean open complex tickets a day", "breathing_room", summary["mean_open_complex"], "float")
    with c[2]:
        metric(
            f"Sustained overload (> {OPEN_COMPLEX_NORM} open, {SUSTAINED_WEEKS}+ weeks)",
            "breathing_room",
            summary["sustained_overload_share"],
            "pct",
        )
    rows = get(get_workload, viewer)
    if not rows.is_empty():
        st.dataframe(rows, hide_index=True, width="stretch")


def _proficiency(viewer: Viewer) -> None:
    frame = get(get_time_to_proficiency, viewer)
    st.caption(DEFINITIONS["time_to_proficiency"])
    if frame.is_empty():
        st.info(
            "No time to proficiency yet: it needs the KPI models (`python -m pipelines train`) and hires whose first weeks the ticket data covers."
        )
        return
    shown = frame.filter(~frame["is_suppressed"])
    if shown.height:
        st.plotly_chart(
            px.line(
                shown.sort("hire_cohort"),
                x="hire_cohort",
                y="median_weeks_to_proficiency",
                color="start_tier",
                markers=True,
                title="Median weeks to proficiency by hire cohort",
            ),
            width="stretch",
        )
    st.dataframe(frame, hide_index=True, width="stretch")


def main() -> None:
    require_warehouse()
    viewer = current_viewer()
    st.title("KPI fairness")
    st.caption("Each person judged on the tickets they actually handled; outcomes checked across groups.")
    tabs = st.tabs(
        ["Raw vs adjusted", "Mix shift", "CSAT in context", "Workload", "Time to proficiency", "Group parity"]
    )
    with tabs[0]:
        _adjusted(viewer)
    with tabs[1]:
        _mix(viewer)
    with tabs[2]:
        _csat(viewer)
    with tabs[3]:
        _workload(viewer)
    with tabs[4]:
        _proficiency(viewer)
    with tabs[5]:
        _parity(viewer)
