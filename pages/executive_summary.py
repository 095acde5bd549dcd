"""Executive summary: how is the support organisation doing, on one screen, printable."""

from __future__ import annotations

from datetime import date

import streamlit as st

from pipelines.reports.executive import get_executive_report
from pipelines.reports.pdf import render_executive_pdf
from ui.charts import bars_chart, trailing_attrition_chart
from ui.data import get, require_warehouse
from ui.filters import scoped_viewer, sidebar
from ui.state import warehouse_version
from ui.viewer import current_viewer
from ui.widgets import compact_money, metric


@st.cache_data(show_spinner=False, max_entries=16)
def _pdf(version: tuple, as_of: str, scope: str, _report: dict) -> bytes:
    # keyed on the warehouse version, period and scope (the report dict itself is not hashed)
    return render_executive_pdf(_report, organisation="Support organisation" if not scope else scope)


def main() -> None:
    require_warehouse()
    viewer = current_viewer()
    filters = sidebar(viewer, show=("manager",))
    scoped = scoped_viewer(viewer, filters)
    r = get(get_executive_report, scoped)
    s = r["summary"]
    benchmark = r["benchmark"]
    st.title("Executive summary")
    scope = f"{filters.manager_name}'s organisation" if filters.manager_name else ""
    st.caption(
        f"The 12 months ending {s['as_of']}{' for ' + scope if scope else ''}. Hover a figure for its definition."
    )

    pdf = _pdf(warehouse_version(), s["as_of"], scope, r)
    st.download_button(
        "Download PDF (one page, printable)",
        pdf,
        file_name=f"tenure-executive-summary-{date.fromisoformat(s['as_of']):%Y-%m-%d}.pdf",
        mime="application/pdf",
        icon=":material/picture_as_pdf:",
        type="primary",
    )

    st.subheader("Three things to act on")
    if r["actions"]:
        st.markdown("\n".join(f"{i}. {text}" for i, text in enumerate(r["actions"], start=1)))
    else:
        st.success("Nothing stands out: every figure is within its usual range.")

    c = st.columns(4)
    with c[0]:
        metric("Headcount", "headcount", s["headcount"])
    with c[1]:
        gap = None if s["attrition_rate"] is None else s["attrition_rate"] - benchmark
        metric(
            "Attrition (12 months)",
            "attrition_rate",
            s["attrition_rate"],
            "pct",
            delta=None if gap is None else f"{gap:+.1%} vs {benchmark:.0%} benchmark",
            delta_color="inverse",
        )
    with c[2]:
        metric("Regretted attrition", "regretted_attrition_rate", s["regretted_attrition_rate"], "pct")
    with c[3]:
        metric("Median tenure", "median_tenure_months", s["median_tenure_months"], "months")

    c = st.columns(4)
    with c[0]:
        metric("Hires", "hires", s["hires"])
    with c[1]:
        exits = "n/a" if s["exits_voluntary"] is None else f"{s['exits_voluntary']} / {s['exits_involuntary']}"
        metric("Exits: vol. / invol.", "exits_voluntary", exits, "text")
    with c[2]:
        cost = r["attrition_cost"]
        exact = "" if cost is None else f"{r['currency']} {cost:,.0f}: "
        st.metric(
            "Cost of attrition",
            "n/a" if cost is None else compact_money(cost, r["currency"]),
            help=f"{exact}(Voluntary + involuntary exits) x {r['currency']} {r['replacement_cost']:,.0f}, the replacement "
            "cost per person in the settings (recruiting, onboarding, lost productivity).",
            border=True,
        )
    with c[3]:
        metric("First-year attrition", "first_year_attrition", r["first_year_attrition"], "pct")

    c = st.columns(4)
    with c[0]:
        metric("Promotions", "promotions", s["promotions"])
    with c[1]:
        metric("Into management", "management_promotion_share", s["management_promotion_share"], "pct")
    with c[2]:
        metric("Moved to other teams", "transfers_out", s["transfers_out"])
    with c[3]:
        metric("Stalled teammates", "stalled", s["stalled"])

    st.subheader("Customer outcomes")
    c = st.columns(4)
    with c[0]:
        metric("CSAT (share good)", "csat", s["csat"], "pct")
    with c[1]:
        metric("Resolved by bots", "bot_share", s["bot_share"], "pct")

    left, right = st.columns([3, 2])
    with left:
        trailing = r["trailing"]
        if trailing.is_empty():
            st.info("Attrition over time needs 12 months of HR history.")
        else:
            st.plotly_chart(trailing_attrition_chart(trailing, benchmark), width="stretch")
    with right:
        teams = r["by_team"]
        if not teams.is_empty():
            st.plotly_chart(
                bars_chart(
                    teams.sort("attrition_rate", descending=True),
                    "team",
                    "attrition_rate",
                    "Attrition by team, 12 months",
                    percent=True,
                    reference=benchmark,
                    reference_label="benchmark",
                ),
                width="stretch",
            )
