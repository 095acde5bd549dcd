"""Sign-in: Streamlit's OIDC (st.login) matched to the HR data, the demo role picker, and the audit trail.

The signed-in email is matched to employees.work_email; the role comes from settings
([access.roles], by email or identity-provider group) or, failing that, from the hierarchy
(anyone with reports on the viewing day manages their subtree). Nothing here logs a name or
an email.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import streamlit as st

from pipelines import audit
from pipelines.access import Viewer, viewer_for
from pipelines.metrics.people_directory import find_employee_id, has_reports, is_sample_organisation
from pipelines.pseudonym import pseudonymous_id, resolve_secret
from ui.data import warehouse_context
from ui.state import get_paths, get_settings, warehouse_version

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Identity:
    """Who signed in, as the identity provider says (kept in memory only, never logged)."""

    email: str
    groups: tuple[str, ...] = ()
    name: str = ""


def auth_configured() -> bool:
    """Whether .streamlit/secrets.toml has an [auth] section (a real identity provider is set up)."""
    try:
        return "auth" in st.secrets
    except (FileNotFoundError, KeyError, AttributeError):
        return False
    except Exception:  # noqa: BLE001 - a malformed secrets file means sign-in is not set up
        log.warning("secrets could not be read; sign-in disabled")
        return False


def signed_in_identity() -> Identity | None:
    """The signed-in identity from st.user, or None when nobody is signed in."""
    user: Any = st.user
    if not user.get("is_logged_in"):
        return None
    email = str(user.get("email") or "").strip().casefold()
    if not email:
        return None
    claim = get_settings().access.groups_claim
    raw = user.get(claim) or ()
    groups = (raw,) if isinstance(raw, str) else tuple(str(g) for g in raw)
    return Identity(email=email, groups=groups, name=str(user.get("name") or ""))


@st.cache_data(show_spinner=False, max_entries=64)
def _lookup(kind: str, version: tuple[str, int, int], value: str = "") -> Any:
    with warehouse_context(version) as ctx:
        if kind == "sample":
            return is_sample_organisation(ctx)
        if kind == "employee":
            return find_employee_id(ctx, value)
        if kind == "has_reports":
            return has_reports(ctx, value)
        raise ValueError(kind)


def demo_mode() -> bool:
    """Whether the demo role picker is on: settings "on", or "auto" and the warehouse holds only the sample."""
    mode = get_settings().access.demo_mode
    if mode != "auto":
        return mode == "on"
    version = warehouse_version()
    if version is None:  # a fresh install: the pages explain how to load the sample or your exports
        return True
    return bool(_lookup("sample", version))


def viewer_from_identity(identity: Identity) -> Viewer | None:
    """The Viewer for a signed-in identity, or None (no access)."""
    version = warehouse_version()
    employee_id = _lookup("employee", version, identity.email) if version else None
    reports = bool(employee_id and _lookup("has_reports", version, employee_id))
    return viewer_for(identity.email, identity.groups, get_settings().access, employee_id, reports, label=identity.name)


def actor_key(email: str) -> str:
    """A pseudonymous audit key for a signed-in email ("idp:" + HMAC): recomputable by an admin, not readable."""
    settings = get_settings()
    secret = resolve_secret(settings.access.pseudonym_secret, get_paths().root)
    return "idp:" + pseudonymous_id(email.strip().casefold(), secret)


def record(viewer: Viewer, action: str, subject_id: str | None = None, detail: str = "") -> None:
    """Write one audit row beside the warehouse; a failure is logged (without names), never shown."""
    try:
        actor = None if viewer.employee_id else st.session_state.get("_actor_key")
        audit.record(audit.audit_path(get_paths().root), viewer, action, subject_id, detail, actor_id=actor)
    except Exception as err:  # noqa: BLE001 - auditing must not take the page down
        log.warning("audit write failed: %s", type(err).__name__)


def record_once(viewer: Viewer, action: str, detail: str = "") -> None:
    """Audit an action once per session (sign-in, choosing a demo role)."""
    key = f"_audited_{action}_{viewer.role.value}_{viewer.employee_id}"
    if not st.session_state.get(key):
        st.session_state[key] = True
        record(viewer, action, detail=detail)


def login_page() -> None:
    """The sign-in screen when a provider is configured and nobody is signed in."""
    st.title("Tenure")
    st.write("Sign in with your company account to see your organisation's people analytics.")
    st.button("Sign in", type="primary", on_click=st.login, key="sign_in")


def no_access_page() -> None:
    """The polite page for a signed-in person with no role and no reports."""
    st.title("No access yet")
    st.write(
        "You are signed in, but Tenure has no role for your account: you are not listed as an "
        "executive, director or people admin, and nobody reports to you in the HR data."
    )
    st.write("If you think you should have access, ask your people-analytics admin to add you.")
    st.button("Sign out", on_click=st.logout, key="sign_out_no_access")


def setup_page() -> None:
    """Shown when neither sign-in nor demo mode is available."""
    st.title("Sign-in is not set up")
    st.write(
        "This Tenure installation has no identity provider configured and is not showing the "
        "sample organisation. An administrator can set up sign-in as described in docs/access.md."
    )


def record_person_view(viewer: Viewer, page: str) -> None:
    """Audit the person a page showed (the `person` query parameter), once per person and page per session."""
    person = st.query_params.get("person")
    if not person:
        return
    key = ("_audited_person", page, person)
    if st.session_state.get("_audited_person_last") == key:
        return
    st.session_state["_audited_person_last"] = key
    record(viewer, "view_person", subject_id=str(person), detail=f"page {page}")
