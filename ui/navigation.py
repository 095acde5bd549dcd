"""The page list for a Viewer's role."""

from __future__ import annotations

import streamlit as st

from pages import data_loads, executive_summary
from pipelines.access import Viewer

# url paths use hyphens: the file names (underscores) are what Streamlit's legacy pages/ folder
# mode would serve directly, bypassing app.py; distinct paths always route through app.py.


def build_navigation(viewer: Viewer):  # noqa: ANN201 - streamlit's Page type
    pages = [
        st.Page(
            executive_summary.main,
            title="Executive summary",
            icon=":material/summarize:",
            url_path="executive-summary",
            default=True,
        ),
        st.Page(data_loads.main, title="Data loads", icon=":material/database:", url_path="data-loads"),
    ]
    return st.navigation(pages)
