"""Data loads: what came in, what was loaded, what was rejected and why."""

from __future__ import annotations

import polars as pl
import streamlit as st

from pipelines.metrics.operations import (
    get_ingest_runs,
    get_rejected_rows,
    get_rejection_reasons,
    get_unmatched_agents,
)
from ui.data import get, require_warehouse
from ui.viewer import current_viewer


def main() -> None:
    require_warehouse()
    viewer = current_viewer()
    st.title("Data loads")
    runs = get(get_ingest_runs, viewer)
    if runs.is_empty():
        st.info("Your role does not include the data loads.")
        return
    totals = runs.select(pl.col("rows_read", "rows_loaded", "rows_rejected").sum()).row(0)
    st.caption(
        f"{runs.height} files; {totals[0]:,} rows read = {totals[1]:,} loaded + {totals[2]:,} rejected. "
        "Nothing is dropped silently: every rejected row is kept with its reason."
    )
    st.subheader("Reconciliation per file")
    st.dataframe(
        runs.with_columns(pl.col("file").str.split("/").list.slice(-2).list.join("/")).select(
            "file", "format", "rows_read", "rows_loaded", "rows_rejected", "rows_superseded", "status", "finished_at"
        ),
        hide_index=True,
        column_config={
            "rows_read": st.column_config.NumberColumn("rows read", format="localized"),
            "rows_loaded": st.column_config.NumberColumn("loaded", format="localized"),
            "rows_rejected": st.column_config.NumberColumn("rejected", format="localized"),
            "rows_superseded": st.column_config.NumberColumn("superseded", format="localized"),
        },
    )
    reasons = get(get_rejection_reasons, viewer)
    st.subheader("Why rows were rejected")
    if reasons.is_empty():
        st.success("No row was rejected.")
    else:
        st.dataframe(reasons, hide_index=True)
        rows = get(get_rejected_rows, viewer)
        if not rows.is_empty():
            with st.expander("Rejected rows (file, line, column, value)"):
                st.dataframe(rows, hide_index=True)
    unmatched = get(get_unmatched_agents, viewer)
    st.subheader("Helpdesk agents not matched to an employee")
    if unmatched.is_empty():
        st.success("Every human helpdesk agent was matched to an employee (by work email or the identity mapping).")
    else:
        st.caption("Add them to `[identity.agents]` in the settings to count their tickets.")
        st.dataframe(unmatched, hide_index=True)
