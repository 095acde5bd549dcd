"""Who is looking: the signed-in person (st.login), or in demo mode the role a visitor picks."""

from __future__ import annotations

import streamlit as st

from pipelines.access import Role, Viewer
from pipelines.metrics.people_directory import get_managers
from ui import auth
from ui.data import get
from ui.state import warehouse_version

DEMO_ROLES = {
    "Director": Role.DIRECTOR,
    "Executive": Role.EXECUTIVE,
    "People admin": Role.PEOPLE_ADMIN,
}
MANAGER_PREFIX = "Manager: "


def _demo_options() -> dict[str, Viewer]:
    options = {label: Viewer(role, label=label) for label, role in DEMO_ROLES.items()}
    if warehouse_version() is None:
        return options
    managers = get(get_managers, Viewer.system())
    for row in managers.iter_rows(named=True):
        label = f"{MANAGER_PREFIX}{row['display_name'] or row['employee_id']}"
        if label in options:  # two managers with one name: tell them apart by id
            label = f"{label} ({row['employee_id']})"
        options[label] = Viewer(Role.MANAGER, row["employee_id"], label=label)
    return options


def _demo_viewer() -> Viewer:
    options = _demo_options()
    with st.sidebar:
        st.warning("**Demo mode**: sample organisation, no sign-in. Pick whose view to see.", icon=":material/science:")
        label = st.selectbox("View as", list(options), key="demo_role")
        if auth.auth_configured():
            st.button("Sign in with your company account", on_click=st.login, key="sign_in_demo")
    viewer = options[label]
    auth.record_once(viewer, "sign_in", detail="demo")
    return viewer


def resolve_viewer() -> Viewer | None:
    """The Viewer for this session, or None after drawing a sign-in, no-access or setup page.

    A signed-in identity wins; otherwise demo mode shows the role picker; otherwise the sign-in
    page (provider configured) or the setup page (nothing configured).
    """
    viewer: Viewer | None = None
    configured = auth.auth_configured()
    identity = auth.signed_in_identity() if configured else None
    if identity is not None:
        viewer = auth.viewer_from_identity(identity)
        if viewer is None:
            auth.no_access_page()
            st.session_state.pop("viewer", None)
            return None
        if viewer.employee_id is None and "_actor_key" not in st.session_state:
            st.session_state["_actor_key"] = auth.actor_key(identity.email)
        auth.record_once(viewer, "sign_in", detail="oidc")
        with st.sidebar:
            st.caption(f"Signed in: {viewer.label} ({viewer.role.value.replace('_', ' ')})")
            st.button("Sign out", on_click=st.logout, key="sign_out")
    elif auth.demo_mode():
        viewer = _demo_viewer()
    elif configured:
        auth.login_page()
    else:
        auth.setup_page()
    if viewer is None:
        st.session_state.pop("viewer", None)
        return None
    st.session_state["viewer"] = viewer
    return viewer


def current_viewer() -> Viewer:
    """The Viewer app.py resolved for this run (pages never build their own)."""
    return st.session_state["viewer"]
