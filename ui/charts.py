"""Plotly chart builders shared by pages: frames in, figures out, one house look."""

from __future__ import annotations

import plotly.graph_objects as go
import plotly.io as pio
import polars as pl

PALETTE = ["#2f5d8a", "#e07b39", "#5a9e6f", "#b5495b", "#7d6bb0", "#8c8c8c", "#3f9fb5", "#c9a227"]
TEMPLATE = "tenure"


def _template() -> str:
    # registered on first use, not at import (nothing runs at import time)
    if TEMPLATE not in pio.templates:
        base = go.layout.Template(pio.templates["plotly_white"])
        base.layout.colorway = PALETTE
        base.layout.font = {"family": "Source Sans Pro, sans-serif", "size": 13, "color": "#212529"}
        base.layout.title = {"font": {"size": 16}, "x": 0, "xanchor": "left"}
        base.layout.hoverlabel = {"font_size": 12}
        pio.templates[TEMPLATE] = base
    return TEMPLATE


def _layout(fig: go.Figure, title: str, y_title: str = "", percent: bool = False, height: int = 360) -> go.Figure:
    fig.update_layout(
        title=title,
        template=_template(),
        height=height,
        margin={"l": 40, "r": 20, "t": 50, "b": 40},
        legend={"orientation": "h", "y": -0.18},
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
    fig.update_yaxes(rangemode="tozero")
    return _layout(fig, "Attrition, trailing 12 months", percent=True)


def lines_chart(
    frame: pl.DataFrame, x: str, y: str, title: str, group: str | None = None, percent: bool = False, y_title: str = ""
) -> go.Figure:
    """One line per group (or a single line) of y over x."""
    fig = go.Figure()
    groups = frame.partition_by(group, maintain_order=True, as_dict=True) if group else {("",): frame}
    for (name,), part in groups.items():
        part = part.sort(x)
        fig.add_scatter(x=part[x].to_list(), y=part[y].to_list(), mode="lines+markers", name=str(name or y))
    fig.update_layout(showlegend=group is not None)
    return _layout(fig, title, y_title, percent)


def bars_chart(
    frame: pl.DataFrame,
    label: str,
    value: str,
    title: str,
    percent: bool = False,
    reference: float | None = None,
    reference_label: str = "",
    horizontal: bool = True,
) -> go.Figure:
    """Bars of value per label (horizontal by default), with an optional reference line."""
    data = frame.filter(pl.col(value).is_not_null())
    labels = [str(v) for v in data[label].to_list()]
    values = data[value].to_list()
    text = [f"{v:.0%}" if percent else f"{v:,.1f}" if isinstance(v, float) else f"{v:,}" for v in values]
    fig = go.Figure()
    if horizontal:
        fig.add_bar(y=labels, x=values, orientation="h", text=text, textposition="auto", marker_color=PALETTE[0])
        fig.update_yaxes(autorange="reversed", type="category")
        if percent:
            fig.update_xaxes(tickformat=".0%")
        if reference is not None:
            fig.add_vline(
                x=reference,
                line_dash="dash",
                line_color=PALETTE[1],
                annotation_text=reference_label,
                annotation_position="bottom right",
            )
        height = max(260, 34 * len(labels) + 110)
        return _layout(fig, title, height=height)
    fig.add_bar(x=labels, y=values, text=text, textposition="auto", marker_color=PALETTE[0])
    fig.update_xaxes(type="category")
    if reference is not None:
        fig.add_hline(y=reference, line_dash="dash", line_color=PALETTE[1], annotation_text=reference_label)
    return _layout(fig, title, percent=percent)


def stacked_bars_chart(
    frame: pl.DataFrame, x: str, series: dict[str, str], title: str, percent: bool = False
) -> go.Figure:
    """Stacked bars: one trace per column in `series` (column -> legend name) over x."""
    fig = go.Figure()
    for col, name in series.items():
        fig.add_bar(x=[str(v) for v in frame[x].to_list()], y=frame[col].to_list(), name=name)
    fig.update_layout(barmode="stack")
    return _layout(fig, title, percent=percent)


def retention_chart(curves: pl.DataFrame, title: str, max_months: float = 72.0) -> go.Figure:
    """Kaplan-Meier curves (step lines) per group with their 95% confidence band."""
    fig = go.Figure()
    for i, ((group,), part) in enumerate(curves.partition_by("group", maintain_order=True, as_dict=True).items()):
        part = part.filter(pl.col("time_months") <= max_months).sort("time_months")
        colour = PALETTE[i % len(PALETTE)]
        name = f"{group} (n={part['n_people'][0]})" if part.height else str(group)
        t = part["time_months"].to_list()
        fig.add_scatter(
            x=t,
            y=part["ci_high"].to_list(),
            line={"width": 0, "shape": "hv"},
            showlegend=False,
            hoverinfo="skip",
            legendgroup=name,
        )
        fig.add_scatter(
            x=t,
            y=part["ci_low"].to_list(),
            line={"width": 0, "shape": "hv"},
            fill="tonexty",
            fillcolor=_rgba(colour, 0.15),
            showlegend=False,
            hoverinfo="skip",
            legendgroup=name,
        )
        fig.add_scatter(
            x=t, y=part["survival"].to_list(), line={"color": colour, "shape": "hv"}, name=name, legendgroup=name
        )
    fig.update_xaxes(title="months since joining support")
    fig.update_yaxes(range=[0, 1.02])
    return _layout(fig, title, "still in support", percent=True, height=400)


def _rgba(hex_colour: str, alpha: float) -> str:
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def sankey_chart(flows: pl.DataFrame, title: str) -> go.Figure:
    """Flows between roles (source -> target, n people) as a Sankey; suppressed rows are dropped."""
    data = flows.filter(pl.col("n_people").is_not_null() & (pl.col("n_people") > 0))
    # the same title on both sides would make a cycle: sources are "from", targets "to"
    sources = [f"{s} " for s in data["source"].to_list()]
    targets = data["target"].to_list()
    labels = list(dict.fromkeys([*sources, *targets]))
    index = {name: i for i, name in enumerate(labels)}
    fig = go.Figure(
        go.Sankey(
            node={
                "label": [name.strip() for name in labels],
                "pad": 14,
                "thickness": 14,
                "color": [PALETTE[0] if name.endswith(" ") else PALETTE[2] for name in labels],
            },
            textfont={"color": "#212529", "size": 13},
            link={
                "source": [index[s] for s in sources],
                "target": [index[t] for t in targets],
                "value": data["n_people"].to_list(),
                "color": "rgba(47,93,138,0.25)",
            },
        )
    )
    return _layout(fig, title, height=max(380, 26 * len(labels)))


def quantile_chart(frame: pl.DataFrame, label: str, title: str, reference: str | None = None) -> go.Figure:
    """Median with the p25-p75 range per label (horizontal), optionally a reference marker per row."""
    data = frame.filter(pl.col("median_months").is_not_null())
    labels = data[label].to_list()
    fig = go.Figure()
    fig.add_bar(
        y=labels,
        x=(data["p75_months"] - data["p25_months"]).to_list(),
        base=data["p25_months"].to_list(),
        orientation="h",
        name="middle half (p25 to p75)",
        marker_color=_rgba(PALETTE[0], 0.3),
    )
    fig.add_scatter(
        y=labels,
        x=data["median_months"].to_list(),
        mode="markers",
        name="median",
        marker={"color": PALETTE[0], "size": 10},
    )
    if reference and reference in data.columns:
        fig.add_scatter(
            y=labels,
            x=data[reference].to_list(),
            mode="markers",
            name="ladder's expected months",
            marker={"color": PALETTE[1], "symbol": "line-ns-open", "size": 16},
        )
    fig.update_yaxes(autorange="reversed", type="category")
    fig.update_xaxes(title="months", rangemode="tozero")
    fig = _layout(fig, title, height=max(300, 40 * len(labels) + 170))
    fig.update_layout(legend={"orientation": "h", "y": -0.32, "yanchor": "top", "x": 0}, margin={"b": 110})
    return fig
