"""Shared widgets: numbers with their definitions one hover away."""

from __future__ import annotations

from typing import Any

import streamlit as st

from pipelines.metrics.definitions import DEFINITIONS


def fmt(value: Any, kind: str = "int") -> str:
    """A figure as a reader wants it: percentages, months, money; a dash when unknown or suppressed."""
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


def metric(label: str, key: str, value: Any, kind: str = "int", delta: str | None = None, **kwargs: Any) -> None:
    """st.metric with the metric's written definition as its help text."""
    st.metric(label, fmt(value, kind), delta=delta, help=DEFINITIONS.get(key), border=True, **kwargs)
