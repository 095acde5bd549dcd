"""Tenure: sign-in (or the demo role picker), the Viewer, then navigation built from the Viewer's role."""

from __future__ import annotations

import streamlit as st

from ui.auth import record_person_view
from ui.navigation import build_navigation, disable_legacy_pages_folder
from ui.viewer import resolve_viewer

disable_legacy_pages_folder()
st.set_page_config(page_title="Tenure", page_icon=":material/groups:", layout="wide")

viewer = resolve_viewer()
if viewer is None:
    st.stop()  # a sign-in, no-access or setup page has been drawn instead
page = build_navigation(viewer)
page.run()
record_person_view(viewer, getattr(page, "title", ""))
