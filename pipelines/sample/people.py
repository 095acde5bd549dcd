"""A person in the simulation and the records the simulation writes about people."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from pipelines.sample.org import SUPPORT


@dataclass
class Person:
    """One person's current state; the simulation mutates it month by month."""

    idx: int
    first: str
    last: str
    gender: str
    region: str
    location: str
    remote: bool
    part_time: bool
    skill: float
    load: float
    original_hire: date
    hire: date
    title: str
    team: str
    department: str = SUPPORT
    tier: int | None = None
    manager: int | None = None
    title_since: date | None = None
    pay: float = 0.0
    exit: date | None = None
    employed: bool = True
    rating: float | None = None
    pip: bool = False
    stuck: bool = False
    ever_support: bool = True
    tdp_end: date | None = None
    rehire_month: int | None = None
    overload: list[bool] = field(default_factory=list)
    growth: list[list] = field(default_factory=list)  # [start, end | None, type, description]

    @property
    def name(self) -> str:
        return f"{self.first} {self.last}"

    @property
    def in_support(self) -> bool:
        return self.employed and self.department == SUPPORT


@dataclass
class History:
    """Everything the simulation recorded, as plain rows in the order they happened."""

    persons: list[Person] = field(default_factory=list)
    # (idx, date, location, department, division, title, manager idx, tier, reason)
    jobs: list[tuple] = field(default_factory=list)
    # (idx, date, status, termination type, termination reason, regrettable, comment)
    statuses: list[tuple] = field(default_factory=list)
    comp: list[tuple] = field(default_factory=list)  # (idx, date, annual pay, reason)
    reviews: list[tuple] = field(default_factory=list)  # (idx, cycle, date, rating, pip)
    competencies: list[tuple] = field(default_factory=list)  # (idx, cycle, date, competency, rating)
    # (idx, month index, in_support, hazard, drivers..., exited_voluntary)
    person_months: list[tuple] = field(default_factory=list)
    # (idx, month index, tier, region, first day, last day, n_human, n_complex, reviewer idx, spell start)
    agent_months: list[tuple] = field(default_factory=list)
    weak_managers: list[int] = field(default_factory=list)
    stuck: list[int] = field(default_factory=list)
    stuck_month: int = 0
    # (idx, month index, title, months in role, last rating | None, held back, on PIP, promoted this month)
    promotion_months: list[tuple] = field(default_factory=list)
