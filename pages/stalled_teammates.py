"""Stalled teammates: who has been in the same role too long with no growth, and why."""

from __future__ import annotations

import polars as pl
import streamlit as st

from pipelines.access import Role
from pipelines.metrics.people import get_stalled, get_stalled_count
from pipelines.metrics.person import get_growth_history
from ui.charts import bars_chart
from ui.data import get, require_warehouse
from ui.filters import display_names, name_column, scoped_viewer, sidebar
from ui.navigation import page_link
from ui.state import get_settings
from ui.viewer import current_viewer
from ui.widgets import empty, metric, num_col, table


def _counts(stalled: pl.DataFrame, everyone: pl.DataFrame, key: str, min_size: int) -> pl.DataFrame:
    """Stalled / people per group, hidden when the group is smaller than the minimum."""
    out = (
        everyone.group_by(key)
        .agg(pl.len().alias("n_people"), pl.col("is_stalled").sum().alias("stalled"))
        .with_columns((pl.col("stalled") / pl.col("n_people")).alias("stalled_share"))
        .with_columns(pl.col(key).cast(pl.String).fill_null("(none)"))
        .sort("stalled_share", descending=True)
    )
    small = pl.col("n_people") < min_size
    return out.with_columns(
        pl.when(small).then(None).otherwise(pl.col(c)).alias(c) for c in ("stalled", "stalled_share")
    ).with_columns(small.alias("is_suppressed"))


def main() -> None:
    require_warehouse()
    viewer = current_viewer()
    settings = get_settings()
    filters = sidebar(viewer, show=("team", "manager"))
    scoped = scoped_viewer(viewer, filters)
    st.title("Stalled teammates")
    st.caption(
        f"As of {filters.end:%d %b %Y}. Stalled: longer in their role than promoted peers needed (p75, capped by "
        f"the ladder), no growth activity in the last {settings.stalled_no_growth_months} months, and not on a "
        "performance plan. They need a conversation about their next step, not a warning."
    )
    count = get(get_stalled_count, scoped, as_of=filters.end)
    if count["is_suppressed"]:
        empty(f"Fewer than {settings.min_group_size} people in this scope: the count is hidden.")
        return
    c = st.columns(3)
    with c[0]:
        metric("Stalled teammates", "stalled", count["stalled"])
    with c[1]:
        metric("People evaluated", "headcount", count["n_people"])
    with c[2]:
        share = count["stalled"] / count["n_people"] if count["n_people"] else None
        metric("Share stalled", "stalled", share, "pct")

    if not viewer.sees_people:
        st.info("Executives see the totals only; directors and managers see the breakdown.")
        return
    everyone = filters.apply(get(get_stalled, scoped, as_of=filters.end, include_all=True))
    stalled = everyone.filter(pl.col("is_stalled"))

    if viewer.role is Role.MANAGER or filters.manager_id:
        _who_and_why(scoped, stalled, filters.end)
        return

    st.subheader("Where stalled people are")
    cuts = {"Team": "team", "Level": "level", "Role": "title", "Manager": "manager_id"}
    label = st.segmented_control("Count by", list(cuts), default="Team", key="stalled_cut") or "Team"
    key = cuts[label]
    counts = _counts(stalled, everyone, key, settings.min_group_size)
    if key == "manager_id":
        counts = name_column(counts, scoped, "manager_id", "manager_id")
    if key == "level":
        counts = counts.with_columns((pl.lit("level ") + pl.col("level")).alias("level"))
    left, right = st.columns([2, 3])
    with left:
        st.plotly_chart(
            bars_chart(counts, key, "stalled_share", f"Share stalled by {label.lower()}", percent=True), width="stretch"
        )
    with right:
        table(
            counts.select(pl.col(key).alias(label.lower()), "n_people", "stalled", "stalled_share", "is_suppressed"),
            f"stalled-by-{key}",
            column_config={"stalled_share": st.column_config.NumberColumn("share stalled", format="percent")},
        )
    st.caption("Pick a manager in the sidebar to see their stalled teammates with the reasons and growth history.")


def _who_and_why(viewer, stalled: pl.DataFrame, as_of) -> None:  # noqa: ANN001 - Viewer, date
    """A manager's stalled teammates: each with the reasons and their growth history."""
    st.subheader("Who, and why")
    if stalled.is_empty():
        st.success("Nobody in this team is stalled right now.")
        return
    names = display_names(viewer)
    ids = stalled["employee_id"].to_list()
    growth = get(get_growth_history, viewer, employee_ids=tuple(ids), as_of=as_of)
    for row in stalled.iter_rows(named=True):
        person = names.get(row["employee_id"], f"Teammate {row['employee_id']}")
        with st.container(border=True):
            st.markdown(f"**{person}**: {row['title']}, {row['team']}")
            st.markdown("\n".join(f"- {reason}" for reason in row["reasons"]))
            history = growth.filter(pl.col("employee_id") == row["employee_id"])
            if history.is_empty():
                st.caption("Growth history: no mentoring, tools, content or area of responsibility recorded, ever.")
            else:
                items = [
                    f"{r['activity_type'].replace('_', ' ')} ({r['start_date']:%b %Y} to "
                    f"{'now' if r['end_date'] is None else format(r['end_date'], '%b %Y')})"
                    for r in history.iter_rows(named=True)
                ]
                st.caption("Growth history: " + "; ".join(items))
            page_link("person", "Open their timeline", ":material/timeline:", {"person": row["employee_id"]})
    table(
        name_column(stalled, viewer, "employee_id", "teammate").select(
            "teammate",
            "title",
            "team",
            "months_in_level",
            "threshold_months",
            "n_recent_growth",
            pl.col("reasons").list.join("; "),
        ),
        "stalled-teammates",
        column_config={
            "months_in_level": num_col("months in role", "%d", "months_in_level"),
            "threshold_months": num_col("peers needed", "%.0f"),
            "n_recent_growth": st.column_config.NumberColumn("recent growth activities"),
        },
    )
