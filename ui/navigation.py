"""The page list for a Viewer's role: each reader sees the pages that answer their questions."""

from __future__ import annotations

import importlib
import importlib.util
from dataclasses import dataclass

import streamlit as st

from pipelines.access import Role, Viewer

# Streamlit treats a pages/ folder beside app.py as a legacy multipage app: a URL equal to a
# file's name would run that file alone, skipping app.py (sign-in, the Viewer), and any other
# URL pops a "page not found" dialog. So url paths never equal a file name, and app.py calls
# disable_legacy_pages_folder() before anything else.


@dataclass(frozen=True)
class PageSpec:
    module: str  # pages.<module> with a main()
    title: str
    icon: str
    url_path: str
    section: str


PAGES: tuple[PageSpec, ...] = (
    PageSpec("executive_summary", "Executive summary", ":material/summarize:", "executive-summary", "Organisation"),
    PageSpec("turnover", "Turnover", ":material/logout:", "turnover-and-retention", "Organisation"),
    PageSpec("career_paths", "Career paths", ":material/trending_up:", "career-paths", "Organisation"),
    PageSpec("team_structure", "Team structure", ":material/account_tree:", "team-structure", "Organisation"),
    PageSpec("kpi_fairness", "KPI fairness", ":material/balance:", "kpi-fairness", "Organisation"),
    PageSpec("stalled_teammates", "Stalled teammates", ":material/hourglass_bottom:", "stalled-teammates", "People"),
    PageSpec("attrition_risk", "Attrition risk", ":material/warning:", "attrition-risk", "People"),
    PageSpec("person", "Person", ":material/person:", "teammate", "People"),
    PageSpec("data_loads", "Data", ":material/database:", "data-loads", "Data"),
)

# Which pages each role gets, in the order shown; the first is the landing page.
ROLE_PAGES: dict[Role, tuple[str, ...]] = {
    Role.EXECUTIVE: ("executive_summary", "turnover", "career_paths", "kpi_fairness", "team_structure"),
    Role.DIRECTOR: (
        "executive_summary",
        "turnover",
        "career_paths",
        "team_structure",
        "kpi_fairness",
        "stalled_teammates",
        "attrition_risk",
        "person",
    ),
    Role.MANAGER: ("stalled_teammates", "attrition_risk", "person", "kpi_fairness", "team_structure"),
    Role.PEOPLE_ADMIN: tuple(p.module for p in PAGES),
    Role.SYSTEM: tuple(p.module for p in PAGES),
}


def disable_legacy_pages_folder() -> None:
    """Run every session through app.py's st.navigation, never through the legacy pages/ mode.

    Streamlit 1.67 decides once per server (PagesManager.uses_pages_directory) whether a pages/
    folder beside the main script means a legacy app; Tenure's pages/ holds modules with a
    main() for st.navigation, so the flag is turned off on the first run.
    """
    from streamlit.runtime.pages_manager import PagesManager

    PagesManager.uses_pages_directory = False


def available(module: str) -> bool:
    """Whether pages/<module>.py exists (two pages are written by other work streams)."""
    return importlib.util.find_spec(f"pages.{module}") is not None


def page_specs(viewer: Viewer) -> list[PageSpec]:
    """The pages this viewer may open, in order; pages whose module is missing are left out."""
    wanted = ROLE_PAGES.get(viewer.role, ())
    by_module = {p.module: p for p in PAGES}
    return [by_module[m] for m in wanted if m in by_module and available(m)]


def build_navigation(viewer: Viewer):  # noqa: ANN201 - streamlit's navigation object
    """st.navigation over the viewer's pages, grouped in sections, the first one the default."""
    sections: dict[str, list] = {}
    by_module = {}
    for i, spec in enumerate(page_specs(viewer)):
        main = importlib.import_module(f"pages.{spec.module}").main
        page = st.Page(main, title=spec.title, icon=spec.icon, url_path=spec.url_path, default=i == 0)
        sections.setdefault(spec.section, []).append(page)
        by_module[spec.module] = page
    st.session_state[_PAGES_KEY] = by_module
    return st.navigation(sections)


_PAGES_KEY = "_nav_pages"


def page_link(module: str, label: str, icon: str, query_params: dict[str, str]) -> None:
    """A link to another page of this viewer's navigation (same session), or nothing if they lack it."""
    page = st.session_state.get(_PAGES_KEY, {}).get(module)
    if page is not None:
        st.page_link(page, label=label, icon=icon, query_params=query_params)
    elif _PAGES_KEY not in st.session_state:  # a page run on its own (tests): a plain link
        spec = next(p for p in PAGES if p.module == module)
        query = "&".join(f"{k}={v}" for k, v in query_params.items())
        st.markdown(f"[{label}]({spec.url_path}?{query})")
