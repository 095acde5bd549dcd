"""Person: one teammate's timeline for their manager: roles, growth, competencies, KPIs, risk drivers."""

from __future__ import annotations

import importlib.util

import polars as pl
import streamlit as st

from pipelines.metrics.competency import get_person_competencies
from pipelines.metrics.people import get_stalled
from pipelines.metrics.person import get_growth_history, get_person_kpis, get_person_month, get_person_roles
from ui.charts import lines_chart
from ui.data import get, require_warehouse
from ui.filters import display_names, name_column, sidebar
from ui.viewer import current_viewer
from ui.widgets import empty, metric, num_col, table


def _risk(viewer, employee_id: str) -> dict | None:  # noqa: ANN001 - Viewer
    """The person's latest risk score and drivers, when the risk module and a trained model exist."""
    if importlib.util.find_spec("pipelines.metrics.risk") is None:
        return None
    from pipelines.metrics import risk

    try:
        scores = get(risk.get_risk_scores, viewer)
    except Exception:  # noqa: BLE001 - no model trained yet: the timeline stands without it
        return None
    rows = scores.filter(pl.col("employee_id") == employee_id) if "employee_id" in scores.columns else scores.clear()
    return rows.row(0, named=True) if rows.height else None


def main() -> None:
    require_warehouse()
    viewer = current_viewer()
    filters = sidebar(viewer, show=())
    st.title("Person")
    if not viewer.sees_people:
        empty("This page shows one person's history: it is for their manager, directors and people-admins.")
        return
    names = display_names(viewer)
    # everyone in support on the ladder in the viewer's scope at the period's end
    people = get(get_stalled, viewer, as_of=filters.end, include_all=True)
    if people.is_empty():
        empty("Nobody in support in your scope today.")
        return
    options = sorted(people["employee_id"].to_list(), key=lambda e: names.get(e, e))
    wanted = st.query_params.get("person")
    index = options.index(wanted) if wanted in options else 0
    employee_id = st.selectbox(
        "Teammate", options, index=index, format_func=lambda e: f"{names.get(e, e)}", key="person_pick"
    )
    st.query_params["person"] = employee_id
    now = get(get_person_month, viewer, employee_id=employee_id, as_of=filters.end)
    if now is None:
        empty("This person is not in your scope, or has no months in support.")
        return
    st.caption(f"{names.get(employee_id, employee_id)}: {now['title']}, {now['team']}. As of {filters.end:%d %b %Y}.")
    c = st.columns(4)
    with c[0]:
        metric("Time in support", "tenure_months", now["tenure_months"], "months")
    with c[1]:
        metric("Time in this role", "months_in_level", now["months_in_level"], "months")
    with c[2]:
        metric("Growth activities, 12 months", "growth_activities_12m", now["growth_activities_12m"])
    with c[3]:
        metric("Latest review rating (of 5)", "rating", now["rating"], "float")

    st.subheader("Roles")
    roles = get(get_person_roles, viewer, employee_id=employee_id, as_of=filters.end)
    if viewer.employee_id:
        known = {viewer.employee_id: "you", **names}
        roles = roles.with_columns(
            pl.col("manager_id").replace_strict(known, default="another manager").alias("manager")
        )
    else:
        roles = name_column(roles, viewer, "manager_id", "manager")
    table(
        roles.select("valid_from", "valid_to", "title", "team", "tier", "manager", "change_reason"),
        f"roles-{employee_id}",
    )

    left, right = st.columns(2)
    with left:
        st.subheader("Growth activities")
        growth = get(get_growth_history, viewer, employee_ids=(employee_id,), as_of=filters.end)
        if growth.is_empty():
            st.caption("No mentoring, tools, content or area of responsibility recorded.")
        else:
            table(growth.drop("employee_id"), f"growth-{employee_id}")
    with right:
        st.subheader("Competencies against the next level")
        comp = get(get_person_competencies, viewer, as_of=filters.end).filter(pl.col("employee_id") == employee_id)
        if comp.is_empty():
            st.caption("No competency rating recorded.")
        else:
            nxt = comp["next_title"][0]
            st.caption(
                f"Latest cycle {comp['cycle'][0]}; bar = median rating of the people now in {nxt}."
                if nxt
                else f"Latest cycle {comp['cycle'][0]}; {now['title']} is the top of its track, so there is no "
                "next-level bar: a lateral move or the management track is the next step."
            )
            table(
                comp.select("competency", "rating", "next_level_bar", "gap"),
                f"competencies-{employee_id}",
                column_config={"next_level_bar": num_col("next level's bar", "%.0f"), "gap": num_col("gap", "%+.0f")},
            )

    st.subheader("Conversations, last 12 months")
    kpis = get(get_person_kpis, viewer, employee_id=employee_id, as_of=filters.end)
    if kpis.is_empty():
        st.caption("No helpdesk conversations matched to this person.")
    else:
        shares = (
            kpis.select("month", "complex_ticket_share", "csat_good_share")
            .unpivot(index="month", variable_name="series", value_name="share")
            .with_columns(
                pl.col("series").replace({"complex_ticket_share": "complex share", "csat_good_share": "CSAT good"})
            )
        )
        left, right = st.columns(2)
        with left:
            st.plotly_chart(lines_chart(kpis, "month", "n_tickets", "Conversations per month"), width="stretch")
        with right:
            st.plotly_chart(
                lines_chart(shares, "month", "share", "Complex share and CSAT", group="series", percent=True),
                width="stretch",
            )
        st.caption("Raw figures: the KPI fairness page shows them adjusted for the tickets this person handled.")

    risk = _risk(viewer, employee_id)
    if risk is not None:
        st.subheader("What the attrition-risk model sees")
        drivers = list(risk.get("drivers") or [])
        if drivers:
            st.markdown(f"Risk band: **{risk.get('band')}**. Drivers, in the model's words:")
            st.markdown("\n".join(f"- {d}" for d in drivers))
        else:
            st.markdown(f"Risk band: **{risk.get('band')}**. Nothing in particular pushes this estimate up.")
        st.caption("A prompt for a conversation about growth and workload, never a sanction.")
