"""Executive summary: how is the support organisation doing, on one screen."""

from __future__ import annotations

from datetime import date

import streamlit as st

from pipelines.metrics.headcount import get_attrition_monthly
from pipelines.metrics.summary import get_executive_summary
from ui.charts import trailing_attrition_chart
from ui.data import get, require_warehouse
from ui.state import get_settings
from ui.viewer import current_viewer
from ui.widgets import metric


def main() -> None:
    require_warehouse()
    viewer = current_viewer()
    settings = get_settings()
    s = get(get_executive_summary, viewer)
    st.title("Executive summary")
    st.caption(f"The 12 months ending {s['as_of']}. Hover a figure for its definition.")

    c = st.columns(4)
    with c[0]:
        metric("Headcount", "headcount", s["headcount"])
    with c[1]:
        gap = None if s["attrition_rate"] is None else s["attrition_rate"] - settings.benchmark_attrition_rate
        metric(
            "Attrition (12 months)",
            "attrition_rate",
            s["attrition_rate"],
            "pct",
            delta=None if gap is None else f"{gap:+.1%} vs {settings.benchmark_attrition_rate:.0%} benchmark",
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
        metric(
            "Exits (voluntary / involuntary)",
            "exits_voluntary",
            f"{s['exits_voluntary']} / {s['exits_involuntary']}",
            "text",
        )
    with c[2]:
        metric("Moved to other teams", "transfers_out", s["transfers_out"])
    with c[3]:
        metric("Promotions", "promotions", s["promotions"])

    c = st.columns(4)
    with c[0]:
        metric("Management share of promotions", "management_promotion_share", s["management_promotion_share"], "pct")
    with c[1]:
        metric("Stalled teammates", "stalled", s["stalled"])
    with c[2]:
        metric("CSAT (share good)", "csat", s["csat"], "pct")
    with c[3]:
        metric("Resolved by bots", "bot_share", s["bot_share"], "pct")

    as_of = date.fromisoformat(s["as_of"])
    monthly = get(get_attrition_monthly, viewer, start=as_of.replace(year=as_of.year - 3, day=1), end=as_of)
    st.plotly_chart(trailing_attrition_chart(monthly, settings.benchmark_attrition_rate), width="stretch")
