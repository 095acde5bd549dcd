"""Attrition risk: who may be thinking of leaving and why, how far the model can be trusted, and its card."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl
import streamlit as st

from pipelines.access import Viewer
from pipelines.metrics import risk
from ui.charts import PALETTE, _layout
from ui.data import get, require_warehouse
from ui.filters import display_names
from ui.state import get_settings
from ui.viewer import current_viewer
from ui.widgets import empty, table

BAND_LABELS = {"high": "High", "elevated": "Elevated", "low": "Low", "not enough data": "Not enough data"}
ESTIMATOR_LABELS = {
    "baseline": "Base rate by tenure band",
    "logistic": "Regularised logistic",
    "boosting": "Gradient boosting",
    "oracle": "Oracle (the planted truth)",
}


def calibration_chart(bins: pl.DataFrame, estimators: list[str]) -> go.Figure:
    """Predicted vs observed 12-month leaving rate per risk bin, one line per estimator, with the diagonal."""
    fig = go.Figure()
    top = max([0.05, *bins["mean_predicted"].to_list(), *bins["observed_rate"].to_list()])
    fig.add_scatter(
        x=[0, top], y=[0, top], mode="lines", name="perfect calibration", line={"dash": "dash", "color": "#adb5bd"}
    )
    for k, name in enumerate(estimators):
        part = bins.filter(pl.col("estimator") == name).sort("bin")
        if part.height:
            fig.add_scatter(
                x=part["mean_predicted"].to_list(),
                y=part["observed_rate"].to_list(),
                mode="lines+markers",
                name=ESTIMATOR_LABELS.get(name, name),
                line={"color": PALETTE[k % len(PALETTE)]},
            )
    fig.update_xaxes(title="predicted probability of leaving within 12 months", tickformat=".0%")
    return _layout(fig, "Calibration: predicted vs what happened (all backtest origins)", "observed rate", True)


def track_chart(frame: pl.DataFrame, chosen: str) -> go.Figure:
    """Mean predicted vs observed 12-month voluntary leaving rate at each backtest origin."""
    part = frame.filter(pl.col("estimator") == chosen).sort("origin")
    fig = go.Figure()
    fig.add_scatter(
        x=part["origin"].to_list(), y=part["mean_predicted"].to_list(), mode="lines+markers", name="predicted"
    )
    fig.add_scatter(
        x=part["origin"].to_list(), y=part["observed_rate"].to_list(), mode="lines+markers", name="what happened"
    )
    return _layout(fig, "Predicted vs actual: share leaving within 12 months of each origin", "", True)


def _band_metrics(counts: pl.DataFrame) -> None:
    """One figure per band: 0 when nobody is in it, n/a when the count is hidden (small group)."""
    overall = {r["band"]: r["n_people"] for r in counts.iter_rows(named=True)}
    cols = st.columns(4)
    for col, band in zip(cols, risk.BANDS, strict=True):
        with col:
            value = overall.get(band, 0)
            label = "Not enough data" if band == "not enough data" else f"{BAND_LABELS[band]} risk"
            st.metric(label, "n/a" if value is None else f"{value:,}", border=True)


def _people(viewer: Viewer, scores: pl.DataFrame) -> None:
    names = display_names(viewer)
    show_p = st.toggle("Show probabilities", key="risk_show_probabilities", help="Bands first; numbers on demand.")
    frame = scores.with_columns(
        pl.col("employee_id").replace_strict(names, default=pl.col("employee_id")).alias("person"),
        pl.col("band").replace_strict(BAND_LABELS, default=pl.col("band")).alias("risk"),
        pl.col("drivers").list.join("; ").alias("why"),
    )
    columns = ["person", "team", "title", "risk", "why"]
    if show_p:
        columns += ["p_3m", "p_6m", "p_12m", "expected_remaining_months"]
    pct = {
        c: st.column_config.NumberColumn(c.replace("p_", "within ").replace("m", " months"), format="percent")
        for c in ("p_3m", "p_6m", "p_12m")
    }
    table(
        frame.select(columns),
        "attrition_risk",
        {
            **pct,
            "expected_remaining_months": st.column_config.NumberColumn(
                "expected months (of the next 36)", format="%.1f"
            ),
        },
    )


def _trust(viewer: Viewer, run: dict) -> None:
    st.subheader("Can the model be trusted?")
    chosen = run["chosen_estimator"]
    st.markdown(f"**Estimator in use:** {ESTIMATOR_LABELS.get(chosen, chosen)}. Why: {run['selection_reason']}.")
    summary = get(risk.get_backtest_summary, viewer)
    if summary.is_empty():
        empty("The data is too short for a backtest (it needs about two years).")
        return
    shown = summary.with_columns(pl.col("estimator").replace_strict(ESTIMATOR_LABELS, default=pl.col("estimator")))
    table(
        shown.select(
            "estimator",
            "n_origins",
            "roc_auc",
            "roc_auc_min",
            "roc_auc_max",
            "pr_auc",
            "brier",
            "ece_pooled",
            "c_index",
        ),
        "attrition_backtest",
        {
            "n_origins": st.column_config.NumberColumn("origins"),
            "roc_auc": st.column_config.NumberColumn("ROC AUC (mean)", format="%.3f"),
            "roc_auc_min": st.column_config.NumberColumn("ROC AUC min", format="%.3f"),
            "roc_auc_max": st.column_config.NumberColumn("ROC AUC max", format="%.3f"),
            "pr_auc": st.column_config.NumberColumn("PR AUC", format="%.3f"),
            "brier": st.column_config.NumberColumn("Brier", format="%.3f"),
            "ece_pooled": st.column_config.NumberColumn("calibration error (ECE)", format="%.3f"),
            "c_index": st.column_config.NumberColumn("concordance", format="%.3f"),
        },
    )
    st.caption(
        "Rolling-origin backtest: trained on the months before each origin, checked against the 12 months after. "
        "ROC AUC 0.5 is a coin toss; the base rate by tenure band is the bar a model must clear."
    )
    bins = get(risk.get_calibration, viewer)
    estimators = (
        [e for e in (chosen, "baseline", "oracle") if e in set(bins["estimator"].to_list())] if bins.height else []
    )
    if estimators:
        st.plotly_chart(calibration_chart(bins, list(dict.fromkeys(estimators))), key="risk_calibration")
    st.subheader("Predicted vs actual")
    backtest_record = get(risk.get_backtest_track_record, viewer)
    if not backtest_record.is_empty():
        st.plotly_chart(track_chart(backtest_record, chosen), key="risk_track")
    record = get(risk.get_track_record, viewer)
    settled = record.filter(~pl.col("is_suppressed"), pl.col("n_settled") > 0) if not record.is_empty() else record
    if settled.is_empty():
        st.caption(
            "No stored scoring is old enough to check yet (12 months must pass), or the bands are under the "
            "minimum group size; the backtest above is the track record so far."
        )
    else:
        table(
            settled.select(
                "as_of", "band", "n_scored", "mean_p_12m", "n_left_voluntarily", "n_settled", "observed_rate"
            ),
            "attrition_track_record",
            {
                "mean_p_12m": st.column_config.NumberColumn("predicted (mean)", format="percent"),
                "observed_rate": st.column_config.NumberColumn("left within 12 months", format="percent"),
            },
        )
        st.caption(
            "Each stored scoring beside what happened; 'left within 12 months' counts only people whose "
            "12 months are over."
        )


def main() -> None:
    require_warehouse()
    viewer = current_viewer()
    st.title("Attrition risk")
    st.info(risk.GUARDRAIL, icon=":material/handshake:")
    run = get(risk.get_latest_run, viewer)
    if run is None:
        empty("No model has been trained yet: run `python -m pipelines train` after a build.")
        return
    st.caption(
        f"Scores for {run['as_of']:%B %Y}, model run {run['run_id']} trained {run['trained_at']:%d %b %Y}. "
        "Bands compare each person's chance of resigning within 12 months with the organisation's base rate."
    )
    counts = get(risk.get_risk_band_counts, viewer)
    _band_metrics(counts)
    scores = get(risk.get_risk_scores, viewer) if viewer.sees_people else pl.DataFrame()
    if not get_settings().individual_scores:
        st.caption("Individual scores are turned off for this organisation: only band counts are shown.")
    elif not viewer.sees_people:
        st.caption("Executives see band counts only, never a person's score.")
    if not scores.is_empty():
        st.subheader("People, highest risk first")
        _people(viewer, scores)
    st.subheader("Risk bands by team")
    by_team = get(risk.get_risk_band_counts, viewer, by="team")
    shown = by_team.filter(~pl.col("is_suppressed")) if not by_team.is_empty() else by_team
    if by_team.is_empty():
        empty("No scores in your scope.")
    elif shown.is_empty():
        st.caption(
            "Every team's band counts include a group under the minimum size, so they are hidden: "
            "no individual can be singled out."
        )
    else:
        table(
            shown.with_columns(pl.col("band").replace_strict(BAND_LABELS, default=pl.col("band"))),
            "attrition_bands_by_team",
            {"group": "team", "share": st.column_config.NumberColumn("share of the team", format="percent")},
        )
    _trust(viewer, run)
    with st.expander("Model card", icon=":material/description:"):
        card = get(risk.get_model_card, viewer)
        st.markdown(card or "No model card for this run.")
