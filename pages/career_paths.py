"""Career paths: do people see a way up, and is management the only one?"""

from __future__ import annotations

import polars as pl
import streamlit as st

from pipelines.metrics.competency import get_competency_standing
from pipelines.metrics.progression import (
    get_progression_summary,
    get_promotions,
    get_role_flows,
    get_time_in_level,
    get_time_to_first_promotion,
)
from ui.charts import bars_chart, lines_chart, quantile_chart, sankey_chart
from ui.data import get, require_warehouse
from ui.filters import period_start, scoped_viewer, sidebar
from ui.state import get_settings
from ui.viewer import current_viewer
from ui.widgets import empty, metric, num_col, pct_col, table


def main() -> None:
    require_warehouse()
    viewer = current_viewer()
    settings = get_settings()
    filters = sidebar(viewer, show=("period", "manager"))
    scoped = scoped_viewer(viewer, filters)
    st.title("Career paths")
    st.caption(f"{filters.describe()}. Hover a figure for its definition.")

    summary = get(get_progression_summary, scoped, start=filters.start, end=filters.end)
    if summary.get("is_suppressed"):
        empty(
            f"Fewer than {settings.min_group_size} people in this scope: widen the period or clear the manager filter."
        )
        return
    scale = 12 / filters.months
    c = st.columns(5)
    with c[0]:
        metric("Promotions", "promotions", summary["promotions"])
    with c[1]:
        metric("Promotion rate", "promotion_rate", summary["promotion_rate"], "float")
    with c[2]:
        metric("Into management", "management_promotion_share", summary["management_promotion_share"], "pct")
    with c[3]:
        metric("Lateral moves", "lateral_moves", summary["lateral_moves"])
    with c[4]:
        rate = summary["internal_mobility_rate"]
        metric("Internal mobility", "internal_mobility_rate", None if rate is None else rate, "pct")
    mgmt = summary["management_promotion_share"]
    if mgmt is not None:
        verdict = (
            "People management is the main way up: the individual-contributor tracks need real next steps."
            if mgmt >= 0.5
            else "Most promotions stayed on individual-contributor tracks: management is not the only way up."
        )
        st.caption(f"{mgmt:.0%} of {summary['promotions']} promotions went into management. {verdict}")
    del scale

    st.subheader("Where people moved")
    # moves are rare: the flows cover at least three years so that groups reach the minimum size
    flow_start = min(filters.start, period_start(filters.end, 36))
    st.caption(f"Role moves, transfers out and exits from {flow_start:%b %Y} to {filters.end:%b %Y}.")
    flows = get(get_role_flows, scoped, start=flow_start, end=filters.end)
    visible = flows.filter(pl.col("n_people").is_not_null())
    if visible.is_empty():
        empty("No move between roles involves enough people to show in this period: widen the period.")
    else:
        st.plotly_chart(
            sankey_chart(flows, "Role moves, transfers out and exits (left: from, right: to)"), width="stretch"
        )
        hidden = flows.height - visible.height
        if hidden:
            st.caption(f"{hidden} smaller flow(s) under {settings.min_group_size} people are not drawn.")

    st.subheader("How fast do people move up?")
    left, right = st.columns(2)
    with left:
        by = st.segmented_control("Promotions by", ["level", "track"], default="level", key="career_by") or "level"
        promos = get(get_promotions, scoped, start=filters.start, end=filters.end, by=by)
        promos = promos.with_columns(
            (pl.lit("level ") + pl.col(by).cast(pl.String)).fill_null("(off the ladder)").alias(by)
            if by == "level"
            else pl.col(by).fill_null("(off the ladder)")
        )
        st.plotly_chart(
            bars_chart(promos, by, "promotions_per_person_year", f"Promotions per person-year, by {by} promoted from"),
            width="stretch",
        )
        table(
            promos.select(
                by, "n_people", "person_years", "promotions", "promotions_into_management", "promotions_per_person_year"
            ),
            f"promotions-by-{by}",
            column_config={
                "person_years": num_col("person-years"),
                "promotions_into_management": st.column_config.NumberColumn("into management"),
                "promotions_per_person_year": num_col("per person-year", "%.2f", "promotions_per_person_year"),
            },
        )
    with right:
        tfp = get(get_time_to_first_promotion, scoped, as_of=filters.end)
        if tfp["cumulative_incidence"].is_null().all():
            empty("Too few people for time to first promotion.")
        else:
            st.plotly_chart(
                lines_chart(
                    tfp,
                    "months",
                    "cumulative_incidence",
                    "Share promoted at least once, by months in support",
                    percent=True,
                ),
                width="stretch",
            )
            st.caption(
                "Leaving support counts as a competing event (Aalen-Johansen), so leavers do not inflate the share."
            )

    st.subheader("Time in level before a promotion")
    til = get(get_time_in_level, scoped, as_of=filters.end)
    expected = pl.DataFrame(
        {"title": [r.title for r in settings.ladder], "expected_months": [r.expected_months for r in settings.ladder]}
    )
    til = til.join(expected, on="title", how="left")
    if til.filter(pl.col("median_months").is_not_null()).is_empty():
        empty("No role has enough promotions out of it yet.")
    else:
        left, right = st.columns([3, 2])
        with left:
            st.plotly_chart(
                quantile_chart(til, "title", "Months in the role before promotion", "expected_months"), width="stretch"
            )
        with right:
            table(
                til.select("title", "promotions", "p25_months", "median_months", "p75_months", "expected_months"),
                "time-in-level",
                column_config={
                    "p25_months": num_col("p25"),
                    "median_months": num_col("median", help_key="time_in_level"),
                    "p75_months": num_col("p75"),
                    "expected_months": st.column_config.NumberColumn("ladder expects"),
                },
            )

    st.subheader("Competency standing against the next level")
    st.caption(
        "Latest rating per competency (1 to 5) for people in each role, against the bar: the median rating of the "
        "people now holding the next role on the same track. Roles or competencies with fewer than "
        f"{settings.min_group_size} people are left empty."
    )
    standing = get(get_competency_standing, scoped, as_of=filters.end).filter(
        pl.col("next_title").is_not_null() & pl.col("n_people").is_not_null()
    )
    if standing.is_empty():
        empty("No competency ratings for enough people: load competency_ratings from your HR export.")
    else:
        titles = standing["title"].unique(maintain_order=True).to_list()
        title = st.selectbox("Role", titles, key="career_role")
        part = standing.filter(pl.col("title") == title)
        gaps = part.filter(pl.col("share_at_bar").is_not_null()).sort("share_at_bar")
        if gaps.height:
            weakest = gaps.row(0, named=True)
            st.markdown(
                f"For **{title} -> {weakest['next_title']}**, the competency to work on first is "
                f"**{weakest['competency']}**: {weakest['share_at_bar']:.0%} of {weakest['n_people']} people rate "
                f"at or above the next level's bar of {weakest['next_level_bar']:.0f}."
            )
        table(
            part.select("competency", "n_people", "mean_rating", "next_level_bar", "share_at_bar"),
            "competency-standing",
            column_config={
                "mean_rating": num_col("mean rating"),
                "next_level_bar": num_col("next level's bar", "%.0f"),
                "share_at_bar": pct_col("at or above the bar"),
            },
        )
