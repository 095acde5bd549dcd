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


PROMOTION_MONTH_COLUMNS = (
    "employee_number",
    "month",
    "title",
    "months_in_role",
    "last_rating",
    "held_back",
    "on_pip",
    "promoted",
)


def build_promotion_months(h: History, period: Period, numbers: list[str]) -> pl.DataFrame:
    """truth/promotion_months: one row per person in support per month in a role with a next step."""
    rows = h.promotion_months
    return pl.DataFrame(
        {
            "employee_number": [numbers[r[0]] for r in rows],
            "month": [period.label(r[1]) for r in rows],
            "title": [r[2] for r in rows],
            "months_in_role": [f"{r[3]:.2f}" for r in rows],
            "last_rating": [None if r[4] is None else f"{r[4]:.1f}" for r in rows],
            "held_back": [int(r[5]) for r in rows],
            "on_pip": [int(r[6]) for r in rows],
            "promoted": [r[7] for r in rows],
        },
        schema={
            c: pl.Int64 if c in ("held_back", "on_pip", "promoted") else pl.String for c in PROMOTION_MONTH_COLUMNS
        },
    ).sort(["employee_number", "month"])


def realised_promotion_gap(h: History, group: str) -> float:
    """The promotion odds ratio of `group` against everyone else as it came out of the draws (not as planted).

    A logistic regression on the truth's promotion months where a promotion was possible (6+ months in
    role, not held back, not on a PIP), on true skill, months in role / expected (capped at 2.5), the
    last rating (3.3 before the first) and the role; fitted by Newton steps so the generator needs numpy only.
    """
    from pipelines.sample.careers import EXPECTED

    rows = [r for r in h.promotion_months if r[3] >= 6 and not r[5] and not r[6] and h.persons[r[0]].gender]
    titles = sorted({r[2] for r in rows})
    x = np.array(
        [
            [
                1.0,
                min(r[3] / EXPECTED[r[2]], 2.5),
                h.persons[r[0]].skill,
                3.3 if r[4] is None else r[4],
                *[float(r[2] == t) for t in titles[1:]],
                float(h.persons[r[0]].gender == group),
            ]
            for r in rows
        ]
    )
    y = np.array([r[7] for r in rows], dtype=float)
    beta = np.zeros(x.shape[1])
    for _ in range(50):
        p = 1.0 / (1.0 + np.exp(-(x @ beta)))
        step = np.linalg.solve(x.T @ (x * (p * (1 - p))[:, None]), x.T @ (y - p))
        beta += step
        if np.abs(step).max() < 1e-10:
            break
    return float(np.exp(beta[-1]))


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
