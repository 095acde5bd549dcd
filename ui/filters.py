"""Sidebar filters (period, team, tier, manager) that persist across pages in st.session_state.

Widget state is dropped when a page stops drawing the widget, so each filter's value lives
under its own session key and the widget is re-seeded from it on every page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl
import streamlit as st

from pipelines.access import Role, Viewer
from pipelines.metrics.people_directory import get_managers, get_people
from pipelines.metrics.scope import grid_window, last_complete_month_end
from pipelines.metrics.team import get_data_dates, get_org_units, get_support_managers
from ui.data import get

PERIODS: dict[str, int] = {"Last 12 months": 12, "Last 24 months": 24, "Last 36 months": 36, "Last 5 years": 60}
ALL = "All"
_KEYS = {"period": "filter_period", "team": "filter_team", "tier": "filter_tier", "manager": "filter_manager"}


@dataclass(frozen=True)
class Filters:
    """What the reader chose: the period and, optionally, a team, tier or manager."""

    start: date
    end: date
    months: int
    team: str | None = None
    tier: str | None = None
    manager_id: str | None = None
    manager_name: str | None = None

    def apply(self, frame: pl.DataFrame) -> pl.DataFrame:
        """Rows of `frame` for the chosen team and tier (when it has those columns)."""
        if self.team and "team" in frame.columns:
            frame = frame.filter(pl.col("team") == self.team)
        if self.tier and "tier" in frame.columns:
            frame = frame.filter(pl.col("tier") == self.tier)
        return frame

    def describe(self) -> str:
        """The chosen scope in words, for captions."""
        parts = [f"{self.start:%d %b %Y} to {self.end:%d %b %Y}"]
        if self.manager_name:
            parts.append(f"{self.manager_name}'s organisation")
        if self.team:
            parts.append(f"team {self.team}")
        if self.tier:
            parts.append(self.tier)
        return ", ".join(parts)


def period_start(end: date, months: int) -> date:
    """The first day of a window of `months` months ending at end, snapped down to the first of its month.

    These are the read API's grid windows (pipelines.metrics.scope.grid_window): executives and
    managers get figures over them only, so every role's page shows the same period.
    """
    return grid_window(end, months)[0]


def _persisted(name: str, options: list[str], label: str, help_text: str) -> str:
    key = _KEYS[name]
    stored = st.session_state.get(key, options[0])
    if stored not in options:
        stored = options[0]

    def _keep() -> None:
        st.session_state[key] = st.session_state[f"_w_{key}"]

    return st.selectbox(label, options, index=options.index(stored), key=f"_w_{key}", on_change=_keep, help=help_text)


def sidebar(viewer: Viewer, show: tuple[str, ...] = ("period", "team", "tier", "manager")) -> Filters:
    """Draw the chosen filters in the sidebar and return the reader's choices."""
    # whole calendar months to the last complete month: the read API's grid for executives and managers
    end = last_complete_month_end(get(get_data_dates, viewer)["data_end_date"])
    months, team, tier, manager_id, manager_name = 12, None, None, None, None
    with st.sidebar:
        if show:
            st.subheader("Filters")
        if "period" in show:
            months = PERIODS[
                _persisted("period", list(PERIODS), "Period", "The window every figure on the page covers.")
            ]
        units = get(get_org_units, viewer) if ("team" in show or "tier" in show) else pl.DataFrame()
        if "team" in show and units.height:
            teams = [ALL, *sorted(t for t in units["team"].drop_nulls().unique().to_list())]
            chosen = _persisted("team", teams, "Team", "Narrows the tables and charts that have a team column.")
            team = None if chosen == ALL else chosen
        if "tier" in show and units.height:
            tiers = [ALL, *sorted(t for t in units["tier"].drop_nulls().unique().to_list())]
            chosen = _persisted("tier", tiers, "Tier", "Narrows the tables and charts that have a tier column.")
            tier = None if chosen == ALL else chosen
        if "manager" in show and viewer.role in (Role.DIRECTOR, Role.PEOPLE_ADMIN):
            names = display_names(viewer)
            managers = get(get_support_managers, viewer)
            labels = {
                f"{names.get(r['manager_id'], r['manager_id'])} ({r['team']})": r["manager_id"]
                for r in managers.iter_rows(named=True)
            }
            chosen = _persisted(
                "manager",
                [ALL, *labels],
                "Manager's organisation",
                "Every figure limited to the people reporting (directly or not) to this manager.",
            )
            if chosen != ALL:
                manager_id, manager_name = labels[chosen], chosen.split(" (")[0]
    return Filters(period_start(end, months), end, months, team, tier, manager_id, manager_name)


def scoped_viewer(viewer: Viewer, filters: Filters) -> Viewer:
    """The viewer limited to the chosen manager's organisation (directors and people-admins only)."""
    if filters.manager_id and viewer.role in (Role.DIRECTOR, Role.PEOPLE_ADMIN):
        return Viewer(Role.MANAGER, employee_id=filters.manager_id, label=f"{viewer.label} via manager filter")
    return viewer


def display_names(viewer: Viewer) -> dict[str, str]:
    """employee_id -> display name (a pseudonym when the settings ask) for people the viewer may see."""
    if not viewer.sees_people:
        return {}
    names: dict[str, str] = {}
    for frame in (get(get_people, viewer), get(get_managers, viewer)):
        for row in frame.select("employee_id", "display_name").iter_rows():
            if row[1]:
                names.setdefault(row[0], row[1])
    return names


def name_column(frame: pl.DataFrame, viewer: Viewer, id_col: str, alias: str) -> pl.DataFrame:
    """frame with `id_col` replaced by display names (ids kept where no name is known)."""
    names = display_names(viewer)
    return frame.with_columns(pl.col(id_col).cast(pl.String).replace(names).fill_null("(none)").alias(alias))
