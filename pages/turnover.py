"""Turnover: who leaves, from where, to where, and how long people stay."""

from __future__ import annotations

import polars as pl
import streamlit as st

from pipelines.access import Role
from pipelines.metrics.headcount import get_attrition, get_attrition_monthly, get_exits
from pipelines.metrics.tenure import get_retention_curves
from ui.charts import bars_chart, retention_chart, stacked_bars_chart, trailing_attrition_chart
from ui.data import get, require_warehouse
from ui.filters import name_column, scoped_viewer, sidebar
from ui.state import get_settings
from ui.viewer import current_viewer
from ui.widgets import empty, metric, num_col, pct_col, table

CUTS = {
    "Team": "team",
    "Tier": "tier",
    "Track": "track",
    "Level": "level",
    "Manager": "manager_id",
    "Tenure band": "tenure_band",
    "Location": "location",
    "Hire cohort": "hire_cohort",
}
RETENTION_CUTS = {"Hire cohort": "hire_cohort", "Tier": "tier", "Track": "track"}
END_KINDS = {
    "voluntary": "Left (voluntary)",
    "involuntary": "Left (involuntary)",
    "transfer_out": "Moved to another team",
}


def main() -> None:
    require_warehouse()
    viewer = current_viewer()
    settings = get_settings()
    filters = sidebar(viewer)
    scoped = scoped_viewer(viewer, filters)
    st.title("Turnover")
    st.caption(f"{filters.describe()}. Rates divide by the average headcount of the period. Hover for definitions.")

    overall = get(get_attrition, scoped, start=filters.start, end=filters.end)
    row = overall.row(0, named=True) if overall.height else {}
    if not row or row.get("is_suppressed"):
        empty(
            f"Fewer than {settings.min_group_size} people in this scope: figures are hidden to protect individuals. "
            "Widen the period or clear the manager filter."
        )
        return
    scale = 12 / filters.months

    def yearly(value: float | None) -> float | None:  # None: hidden (small group, or differencing periods)
        return None if value is None else value * scale

    c = st.columns(5)
    with c[0]:
        metric("Attrition, a year", "annualised_attrition_rate", yearly(row["attrition_rate"]), "pct")
    with c[1]:
        metric("Voluntary, a year", "voluntary_attrition_rate", yearly(row["voluntary_attrition_rate"]), "pct")
    with c[2]:
        metric("Regretted, a year", "regretted_attrition_rate", yearly(row["regretted_attrition_rate"]), "pct")
    with c[3]:
        metric("Incl. internal moves", "support_turnover_rate", row["support_turnover_rate"] * scale, "pct")
    with c[4]:
        metric("Average headcount", "avg_headcount", row["avg_headcount"])
    if row["exits_voluntary"] is None:  # the split by type is hidden: another period would isolate a few exits
        exits = round(row["attrition_rate"] * row["avg_headcount"])
        split = f"{exits} exits (by type and regretted: hidden, too few to show)"
    else:
        split = (
            f"{row['exits_voluntary']} voluntary and {row['exits_involuntary']} involuntary exits, "
            f"{row['exits_regretted']} of them regretted"
        )
    st.caption(
        f"{split}; {row['transfers_out']} moved to another team of the company "
        f"(internal mobility, not a loss); {row['hires']} hires. Benchmark: {settings.benchmark_attrition_rate:.0%} a year."
    )

    monthly = get(get_attrition_monthly, scoped, start=filters.start, end=filters.end)
    left, right = st.columns(2)
    with left:
        st.plotly_chart(trailing_attrition_chart(monthly, settings.benchmark_attrition_rate), width="stretch")
    with right:
        kinds = monthly.filter(~pl.col("is_suppressed")).with_columns(pl.col("month").dt.strftime("%Y-%m"))
        # executives and managers get exits per month without the type (a month's few leavers)
        by_type = kinds.height > 0 and kinds["exits_voluntary"].null_count() < kinds.height
        series = (
            {"exits_voluntary": "voluntary", "exits_involuntary": "involuntary"}
            if by_type
            else {"exits": "left the company"}
        )
        st.plotly_chart(
            stacked_bars_chart(
                kinds,
                "month",
                {**series, "transfers_out": "moved to other teams"},
                "Exits per month by type" if by_type else "Exits per month",
            ),
            width="stretch",
        )

    st.subheader("Where is attrition highest?")
    cuts = dict(CUTS)
    if viewer.role is Role.EXECUTIVE:  # aggregates by manager would name managers: not an executive's view
        cuts.pop("Manager")
    label = st.segmented_control("Cut by", list(cuts), default="Team", key="turnover_cut") or "Team"
    by = cuts[label]
    frame = get(get_attrition, scoped, start=filters.start, end=filters.end, by=by)
    if by == "manager_id":
        frame = name_column(frame, scoped, by, by)
    frame = filters.apply(frame).with_columns(pl.col(by).cast(pl.String))
    shown = frame.select(
        pl.col(by).fill_null("(not recorded)").alias(label.lower()),
        "n_people",
        "avg_headcount",
        "exits_voluntary",
        "exits_involuntary",
        "exits_regretted",
        "transfers_out",
        (pl.col("attrition_rate") * scale).alias("attrition_rate"),
        (pl.col("regretted_attrition_rate") * scale).alias("regretted_attrition_rate"),
        "is_suppressed",
    )
    left, right = st.columns([2, 3])
    with left:
        st.plotly_chart(
            bars_chart(
                shown,
                label.lower(),
                "attrition_rate",
                f"Attrition a year by {label.lower()}",
                percent=True,
                reference=settings.benchmark_attrition_rate,
                reference_label="benchmark",
            ),
            width="stretch",
        )
    with right:
        table(
            shown,
            f"attrition-by-{by}",
            column_config={
                "n_people": st.column_config.NumberColumn("people"),
                "avg_headcount": num_col("avg headcount", help_key="avg_headcount"),
                "exits_voluntary": st.column_config.NumberColumn("voluntary"),
                "exits_involuntary": st.column_config.NumberColumn("involuntary"),
                "exits_regretted": st.column_config.NumberColumn("regretted"),
                "transfers_out": st.column_config.NumberColumn("moved out"),
                "attrition_rate": pct_col("attrition a year", "annualised_attrition_rate"),
                "regretted_attrition_rate": pct_col("regretted a year", "regretted_attrition_rate"),
            },
        )

    st.subheader("Why people left, and where they went")
    left, right = st.columns(2)
    for column, (by_exit, title) in zip(
        (left, right), (("exit_reason", "Reason given"), ("exit_destination", "Destination")), strict=True
    ):
        with column:
            exits = get(get_exits, scoped, start=filters.start, end=filters.end, by=by_exit).with_columns(
                pl.col("end_kind").replace(END_KINDS)
            )
            exits = exits.select(
                pl.col("end_kind").alias("how"),
                pl.col(by_exit).fill_null("(not recorded)").alias(title.lower()),
                "exits",
                "regretted",
            )
            st.markdown(f"**{title}**")
            if exits.is_empty():
                st.caption("Nobody left in this period.")
            else:
                table(exits, f"exits-by-{by_exit}")

    st.subheader("How long do people stay?")
    st.caption(
        "Share of people still in support after each month since they joined (Kaplan-Meier, shaded: 95% interval; "
        "any way out of support ends the stay, people still here are counted until today)."
    )
    rlabel = st.segmented_control("Curves by", list(RETENTION_CUTS), default="Tier", key="retention_cut") or "Tier"
    curves = get(get_retention_curves, scoped, as_of=filters.end, by=RETENTION_CUTS[rlabel])
    if rlabel == "Hire cohort" and curves.height:
        recent = sorted(curves["group"].unique().to_list())[-6:]
        curves = curves.filter(pl.col("group").is_in(recent))
    if curves.is_empty():
        empty("No group is large enough for a retention curve in this scope.")
    else:
        st.plotly_chart(retention_chart(curves, f"Retention by {rlabel.lower()}"), width="stretch")
