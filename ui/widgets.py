"""Shared widgets: numbers with their definitions one hover away, tables with a CSV download."""

from __future__ import annotations

from typing import Any

import polars as pl
import streamlit as st

from pipelines.metrics.definitions import DEFINITIONS


def fmt(value: Any, kind: str = "int") -> str:
    """A figure as a reader wants it: percentages, months, money; 'n/a' when unknown or suppressed."""
    if value is None:
        return "n/a"
    if kind == "pct":
        return f"{value:.1%}"
    if kind == "months":
        return f"{value:.1f} months"
    if kind == "money":
        return f"{value:,.0f}"
    if kind == "float":
        return f"{value:.2f}"
    return f"{value:,.0f}" if isinstance(value, int | float) else str(value)


def compact_money(amount: float, currency: str) -> str:
    """Money short enough for a metric card: USD 950,000 below a million, USD 1.43M from there."""
    if abs(amount) >= 1_000_000:
        return f"{currency} {amount / 1_000_000:.2f}M"
    return f"{currency} {amount:,.0f}"


def metric(label: str, key: str, value: Any, kind: str = "int", delta: str | None = None, **kwargs: Any) -> None:
    """st.metric with the metric's written definition as its help text."""
    st.metric(label, fmt(value, kind), delta=delta, help=DEFINITIONS.get(key), border=True, **kwargs)


# Labels for columns many tables share, so every table reads the same way.
COMMON_LABELS = {"n_people": "people", "n_rows": "rows", "n_tickets": "conversations", "is_suppressed": None}


def _defaults(frame: pl.DataFrame) -> dict[str, Any]:
    config: dict[str, Any] = {}
    for name, dtype in frame.schema.items():
        if name in COMMON_LABELS:
            config[name] = COMMON_LABELS[name]
        elif dtype == pl.Date:
            config[name] = st.column_config.DateColumn(
                name.replace("_", " "), format="MMM YYYY" if name == "month" else "D MMM YYYY"
            )
    return config


def table(
    frame: pl.DataFrame, name: str, column_config: dict[str, Any] | None = None, height: int | str = "auto"
) -> None:
    """A table with a CSV download of exactly what is shown; suppressed cells read 'None' and are explained."""
    config = {**_defaults(frame), **(column_config or {})}
    st.dataframe(frame, hide_index=True, column_config=config, height=height)
    hidden = ("is_suppressed" in frame.columns and frame["is_suppressed"].any()) or (
        "n_people" in frame.columns and frame["n_people"].is_null().any()
    )
    if hidden:
        st.caption("'None': a group under the minimum size, hidden so that no individual can be singled out.")
    st.download_button(
        "Download CSV",
        frame.write_csv().encode("utf-8"),
        file_name=f"{name}.csv",
        mime="text/csv",
        key=f"csv-{name}",
        icon=":material/download:",
    )


def empty(message: str) -> None:
    """An empty state that says what to load or change."""
    st.info(message, icon=":material/info:")


def pct_col(label: str, help_key: str | None = None) -> Any:
    """A percentage column with the metric definition as help."""
    return st.column_config.NumberColumn(label, format="percent", help=DEFINITIONS.get(help_key or ""))


def num_col(label: str, fmt_: str = "%.1f", help_key: str | None = None) -> Any:
    """A number column with a printf format and the metric definition as help."""
    return st.column_config.NumberColumn(label, format=fmt_, help=DEFINITIONS.get(help_key or ""))
