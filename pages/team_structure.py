"""Team structure: how the work reaches people, how heavy it is, and when to add a team or tier."""

from __future__ import annotations

import polars as pl
import streamlit as st

from pipelines.access import Role
from pipelines.metrics.team import (
    BOT_TIER,
    get_channel_mix,
    get_span_of_control,
    get_team_load,
    get_tier_monthly,
    get_time_to_proficiency,
    get_tipping_points,
)
from ui.charts import bars_chart, lines_chart, stacked_bars_chart
from ui.data import get, require_warehouse
from ui.filters import scoped_viewer, sidebar
from ui.viewer import current_viewer
from ui.widgets import empty, metric, num_col, table


def main() -> None:
    require_warehouse()
    viewer = current_viewer()
    filters = sidebar(viewer, show=("period", "team", "tier", "manager"))
    scoped = scoped_viewer(viewer, filters)
    st.title("Team structure")
    st.caption(f"{filters.describe()}. Conversations by the month they were created (UTC).")

    tiers = get(get_tier_monthly, scoped, start=filters.start, end=filters.end)
    if tiers.is_empty():
        empty("No conversations in this period: load a helpdesk export (Zendesk, Intercom or Freshdesk).")
        return

    st.subheader("Growth tipping points")
    for sentence in get(get_tipping_points, scoped, end=filters.end):
        st.markdown(f"- {sentence}")

    mix = get(get_channel_mix, scoped, start=filters.start, end=filters.end)
    human = tiers.filter(~pl.col("tier").is_in([BOT_TIER, "No tier"]))
    total = int(mix["n_conversations"].sum())
    bot = int(mix["n_bot_only"].sum())
    escalated = int(human["n_escalated"].sum())
    n_human = int(human["n_conversations"].sum())
    c = st.columns(4)
    with c[0]:
        metric("Conversations", "conversations", total)
    with c[1]:
        metric(
            "Resolved by bots", "bot_share", bot / total if total and scoped.role is not Role.MANAGER else None, "pct"
        )
    with c[2]:
        st.metric(
            "Escalated to a higher tier",
            f"{escalated / n_human:.1%}" if n_human else "n/a",
            help="Human conversations that reached their tier by escalation from a lower one / all human conversations.",
            border=True,
        )
    with c[3]:
        latest = human.filter(pl.col("month") == human["month"].max()) if human.height else human
        people = latest["n_people"].sum() if latest.height else None
        metric("Agents, last month", "headcount", people)

    left, right = st.columns(2)
    with left:
        by_tier = tiers.with_columns(pl.col("month").dt.strftime("%Y-%m"))
        wide = by_tier.pivot(on="tier", index="month", values="n_conversations").fill_null(0).sort("month")
        names = [c for c in wide.columns if c != "month"]
        order = [BOT_TIER, *sorted(n for n in names if n != BOT_TIER)]
        st.plotly_chart(
            stacked_bars_chart(wide, "month", {n: n for n in order if n in names}, "Conversations per month by tier"),
            width="stretch",
        )
    with right:
        shares = (
            mix.select("month", "bot_share", "human_share", "complex_share_of_human")
            .unpivot(index="month", variable_name="series", value_name="share")
            .with_columns(
                pl.col("series").replace(
                    {
                        "bot_share": "resolved by bots",
                        "human_share": "reached a human",
                        "complex_share_of_human": "complex, of human conversations",
                    }
                )
            )
        )
        st.plotly_chart(
            lines_chart(shares, "month", "share", "Bot vs human share", group="series", percent=True), width="stretch"
        )

    st.subheader("Tiers side by side")
    st.caption(
        "Per tier over the period: conversations, the share that arrived by escalation from a lower tier, and "
        "conversations per person per month (months with fewer people than the minimum are left out)."
    )
    per_tier = (
        filters.apply(human)
        .group_by("tier")
        .agg(
            pl.col("n_conversations").sum(),
            (pl.col("n_escalated").sum() / pl.col("n_conversations").sum()).alias("escalated_in_rate"),
            pl.col("per_person").mean().alias("per_person"),
            pl.col("per_person").last().alias("per_person_last_month"),
        )
        .sort("tier")
    )
    table(
        per_tier,
        "tiers",
        column_config={
            "n_conversations": st.column_config.NumberColumn("conversations", format="localized"),
            "escalated_in_rate": st.column_config.NumberColumn("arrived by escalation", format="percent"),
            "per_person": num_col("per person a month"),
            "per_person_last_month": num_col("per person, last month"),
        },
    )

    st.subheader("Load per person by team")
    load = filters.apply(get(get_team_load, scoped, start=filters.start, end=filters.end))
    last = load.filter(pl.col("month") == load["month"].max()) if load.height else load
    if last.is_empty():
        empty("No team in this scope.")
    else:
        left, right = st.columns([2, 3])
        with left:
            st.plotly_chart(
                bars_chart(
                    last.sort("per_person", descending=True, nulls_last=True),
                    "team",
                    "per_person",
                    f"Conversations per person, {last['month'][0]:%b %Y}",
                ),
                width="stretch",
            )
        with right:
            table(
                load.select("month", "team", "n_people", "n_handlers", "n_conversations", "per_person"),
                "team-load",
                column_config={
                    "n_people": st.column_config.NumberColumn("people"),
                    "n_handlers": st.column_config.NumberColumn("handling conversations"),
                    "n_conversations": st.column_config.NumberColumn("conversations"),
                    "per_person": num_col("per person", help_key="workload_ratio"),
                },
                height=320,
            )

    left, right = st.columns(2)
    with left:
        st.subheader("Direct reports per manager")
        span = get(get_span_of_control, scoped, as_of=filters.end)
        if span.is_empty():
            empty("No manager in this scope.")
        else:
            table(
                span.rename({"reports": "direct reports", "n_managers": "managers", "n_people": "people"}),
                "span-of-control",
            )
    with right:
        st.subheader("Time to proficiency")
        ttp = get(get_time_to_proficiency, scoped, start=filters.start, end=filters.end)
        st.caption(
            "Months from joining support until a new hire first handles 80% of their team's median monthly load, "
            "by year they joined."
        )
        if ttp.is_empty():
            empty("Nobody joined support in this period.")
        else:
            table(
                ttp.select(
                    pl.col("start_year").cast(pl.String).alias("joined"), "n_people", "n_reached", "median_months"
                ),
                "time-to-proficiency",
                column_config={
                    "n_reached": st.column_config.NumberColumn("reached the norm"),
                    "median_months": num_col("median months"),
                },
            )
