"""Plotly chart builders shared by pages: figures in, figures out, one house look."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

PALETTE = ["#2f5d8a", "#e07b39", "#5a9e6f", "#b5495b", "#7d6bb0", "#8c8c8c"]


def _layout(fig: go.Figure, title: str, y_title: str = "", percent: bool = False) -> go.Figure:
    fig.update_layout(
        title=title,
        template="plotly_white",
        height=360,
        margin={"l": 40, "r": 20, "t": 50, "b": 40},
        legend={"orientation": "h", "y": -0.2},
        yaxis_title=y_title,
    )
    if percent:
        fig.update_yaxes(tickformat=".0%")
    return fig


def trailing_attrition_chart(monthly: pl.DataFrame, benchmark: float) -> go.Figure:
    """Trailing 12-month attrition by month against the benchmark line."""
    data = monthly.filter(pl.col("trailing_12m_attrition_rate").is_not_null()).sort("month")
    fig = go.Figure()
    fig.add_scatter(
        x=data["month"].to_list(),
        y=data["trailing_12m_attrition_rate"].to_list(),
        mode="lines+markers",
        name="Attrition, trailing 12 months",
        line={"color": PALETTE[0]},
    )
    fig.add_hline(
        y=benchmark,
        line_dash="dash",
        line_color=PALETTE[1],
        annotation_text=f"benchmark {benchmark:.0%}",
        annotation_position="top left",
    )
    return _layout(fig, "Attrition, trailing 12 months", percent=True)
