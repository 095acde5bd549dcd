"""Data: load exports, see what came in, what was loaded, what was rejected and why, and how fresh it is."""

from __future__ import annotations

from datetime import UTC, datetime

import polars as pl
import streamlit as st

from pipelines.access import Role
from pipelines.metrics.customer import get_customer_monthly
from pipelines.metrics.operations import (
    get_ingest_runs,
    get_rejected_rows,
    get_rejection_reasons,
    get_unmatched_agents,
)
from pipelines.metrics.team import get_data_dates
from ui.data import get
from ui.state import get_paths, get_settings, warehouse_version
from ui.viewer import current_viewer
from ui.widgets import table

UPLOAD_TYPES = ["csv", "xlsx", "json", "parquet", "gz"]


def _upload() -> None:
    """People-admins: exports through the same ingest path as the CLI, then a rebuild and atomic swap."""
    st.subheader("Load exports")
    st.caption(
        "HR exports (BambooHR, Personio, Workday, HiBob) and helpdesk exports (Zendesk, Intercom, Freshdesk), or "
        "the canonical layout; CSV, XLSX, JSON or Parquet. The format is detected; the same file twice changes nothing."
    )
    files = st.file_uploader("Export files", type=UPLOAD_TYPES, accept_multiple_files=True, key="upload_files")
    if not files or not st.button("Load and rebuild", type="primary", icon=":material/upload:"):
        return
    from pipelines.ingest import ingest_uploaded
    from pipelines.warehouse import build_warehouse

    with st.status("Loading exports", expanded=True) as status:
        report = ingest_uploaded([(f.name, f.getvalue()) for f in files], get_settings(), get_paths())
        result = report.to_dict()
        st.dataframe(
            pl.DataFrame(result["files"]).select(
                "file", "entity", "rows_read", "rows_loaded", "rows_rejected", "status", "message"
            ),
            hide_index=True,
        )
        if report.failed:
            status.update(label="Some files could not be loaded: nothing changed for them", state="error")
            return
        st.write("Rebuilding the warehouse (readers keep the old one until the swap)...")
        build = build_warehouse(get_settings(), get_paths())
        status.update(label=f"Loaded and rebuilt: {build.describe()}", state="complete")
    st.info("The attrition-risk model is retrained by `python -m pipelines train` (minutes, so not from the browser).")


def _freshness(viewer, runs: pl.DataFrame) -> None:  # noqa: ANN001 - Viewer
    st.subheader("Data freshness")
    dates = get(get_data_dates, viewer)
    monthly = get(get_customer_monthly, viewer)
    last_load = runs["finished_at"].drop_nulls().max() if runs.height else None
    c = st.columns(3)
    c[0].metric(
        "HR data up to",
        f"{dates['data_end_date']:%d %b %Y}",
        border=True,
        help="The latest date in the HR events: the default end of every period.",
    )
    c[1].metric(
        "Conversations up to",
        f"{monthly['month'].max():%b %Y}" if monthly.height else "none loaded",
        border=True,
        help="The latest month with helpdesk conversations.",
    )
    if last_load is not None:
        age = datetime.now(UTC) - (last_load if last_load.tzinfo else last_load.replace(tzinfo=UTC))
        c[2].metric(
            "Last load",
            f"{last_load:%d %b %Y}",
            border=True,
            help=f"The last ingest run finished {age.days} day(s) ago, at {last_load:%H:%M} UTC.",
        )
    version = warehouse_version()
    if version:
        st.caption(f"Warehouse built {datetime.fromtimestamp(version[2] / 1e9, UTC):%d %b %Y %H:%M} UTC.")


def main() -> None:
    viewer = current_viewer()
    st.title("Data")
    if viewer.role is Role.PEOPLE_ADMIN:
        _upload()
    if warehouse_version() is None:
        st.info(
            "No data yet. Upload exports above (people-admins), build the bundled sample with "
            "`python -m pipelines demo`, or load your own with `python -m pipelines all PATH`."
        )
        return
    runs = get(get_ingest_runs, viewer)
    if runs.is_empty():
        st.info("Your role does not include the data loads.")
        return
    _freshness(viewer, runs)
    totals = runs.select(pl.col("rows_read", "rows_loaded", "rows_rejected").sum()).row(0)
    st.subheader("Reconciliation per file")
    st.caption(
        f"{runs.height} files; {totals[0]:,} rows read = {totals[1]:,} loaded + {totals[2]:,} rejected. "
        "Nothing is dropped silently: every rejected row is kept with its reason."
    )
    table(
        runs.with_columns(pl.col("file").str.split("/").list.slice(-2).list.join("/")).select(
            "file",
            "entity",
            "rows_read",
            "rows_loaded",
            "rows_rejected",
            "rows_superseded",
            "status",
            "finished_at",
        ),
        "ingest-runs",
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
        table(reasons, "rejection-reasons")
        rows = get(get_rejected_rows, viewer)
        if not rows.is_empty():
            st.markdown("**Rejected rows** (file, line, column, value): people-admins only, as they quote raw values.")
            table(rows, "rejected-rows", height=300)
    unmatched = get(get_unmatched_agents, viewer)
    st.subheader("Helpdesk agents not matched to an employee")
    if unmatched.is_empty():
        st.success("Every human helpdesk agent was matched to an employee (by work email or the identity mapping).")
    else:
        st.caption("Add them to `[identity.agents]` in the settings to count their tickets.")
        table(unmatched, "unmatched-agents")
