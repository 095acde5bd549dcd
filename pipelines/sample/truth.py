"""Ground truth for tests: person-month hazards, agents' true skill, the stalled set, the planted story."""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl

from pipelines.config import Settings
from pipelines.sample.careers import has_growth, months_between
from pipelines.sample.hazard import DRIVERS
from pipelines.sample.people import History
from pipelines.sample.period import Period

PERSON_MONTH_COLUMNS = (
    "employee_number",
    "month",
    "in_support",
    "hazard_voluntary",
    *(f"driver_{d}" for d in DRIVERS),
    "exited_voluntary",
)


def build_person_months(h: History, period: Period, numbers: list[str]) -> pl.DataFrame:
    """truth/person_months: one row per person ever in support per month employed."""
    rows = h.person_months
    cols: dict[str, list] = {
        "employee_number": [numbers[r[0]] for r in rows],
        "month": [period.label(r[1]) for r in rows],
        "in_support": [r[2] for r in rows],
        "hazard_voluntary": [f"{r[3]:.6f}" for r in rows],
    }
    for k, d in enumerate(DRIVERS):
        cols[f"driver_{d}"] = [f"{r[4 + k]:.4f}" for r in rows]
    cols["exited_voluntary"] = [r[11] for r in rows]
    return pl.DataFrame(cols).sort(["employee_number", "month"])


def title_spells(h: History) -> dict[int, list[tuple[str, date]]]:
    """Per person, the ladder titles held in order with the date each spell started."""
    spells: dict[int, list[tuple[str, date]]] = {}
    for idx, on, _loc, dept, _div, title, _mgr, _tier, reason in sorted(h.jobs, key=lambda j: (j[0], j[1])):
        mine = spells.setdefault(idx, [])
        key = title if dept == "Customer Support" else f"{dept}:{title}"
        if not mine or mine[-1][0] != key or reason == "Rehire":
            mine.append((key, on))
    return spells


def stalled(h: History, settings: Settings, as_of: date) -> list[tuple[int, str]]:
    """The truly stalled people at `as_of` by the [stalled] definition; (person idx, reason)."""
    spells = title_spells(h)
    needed: dict[str, list[float]] = {}
    for mine in spells.values():
        for (title, start), (nxt, moved) in zip(mine, mine[1:], strict=False):
            a, b = settings.role(title) if ":" not in title else None, settings.role(nxt) if ":" not in nxt else None
            if a is not None and b is not None and b.level > a.level:
                needed.setdefault(a.title, []).append(months_between(start, moved))
    pip = {r[0]: r[4] for r in sorted(h.reviews, key=lambda r: (r[0], r[2]))}
    out = []
    for p in h.persons:
        role = settings.role(p.title)
        if (
            not p.in_support
            or role is None
            or pip.get(p.idx, False)
            or has_growth(p, as_of, settings.stalled_no_growth_months)
        ):
            continue
        peers = needed.get(role.title, [])
        if len(peers) >= settings.stalled_min_promoted_peers:
            figure = float(np.quantile(peers, settings.stalled_peer_quantile))
        else:
            figure = float(role.expected_months)
        limit = min(figure, role.max_months) if role.max_months is not None else figure
        in_level = months_between(spells[p.idx][-1][1], as_of)
        if in_level > limit:
            out.append((p.idx, f"{in_level:.1f} months as {role.title} (limit {limit:.1f}); no growth in 9 months"))
    return out
