"""Tenure: the Viewer, then navigation built from the Viewer's role."""

from __future__ import annotations

import streamlit as st

from ui.navigation import build_navigation
from ui.viewer import resolve_viewer

st.set_page_config(page_title="Tenure", page_icon=":material/groups:", layout="wide")

viewer = resolve_viewer()
build_navigation(viewer).run()
