"""Who is looking: in demo mode the visitor picks a role; sign-in arrives with the access issue."""

from __future__ import annotations

import streamlit as st

from pipelines.access import Role, Viewer

DEMO_ROLES = {
    "Director": Role.DIRECTOR,
    "Executive": Role.EXECUTIVE,
    "People admin": Role.PEOPLE_ADMIN,
}


def resolve_viewer() -> Viewer:
    """The Viewer for this session, from the demo role picker in the sidebar."""
    with st.sidebar:
        st.caption("Demo mode: sample organisation")
        label = st.selectbox("View as", list(DEMO_ROLES), key="demo_role")
    viewer = Viewer(DEMO_ROLES[label], label=label)
    st.session_state["viewer"] = viewer
    return viewer


def current_viewer() -> Viewer:
    """The Viewer app.py resolved for this run (pages never build their own)."""
    return st.session_state["viewer"]
