"""The monthly simulation of Acme Cloud's people: hires, careers, reviews, pay, workload and exits.

Grain of what it records: one row per person per month employed (truth), one row per dated HR
change (job, status, pay), one row per agent per month worked (ticket plan).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import numpy as np

from pipelines.sample import org
from pipelines.sample.hazard import (
    DRIVERS,
    ExitSituation,
    exit_drivers,
    exit_hazard,
    pick_weights,
    promotion_probability,
    sigmoid,
    with_promotion_gap,
)
from pipelines.sample.names import FEMALE, LAST, MALE, NEUTRAL
from pipelines.sample.org import CSE, DIR, OPS, PSE, S1, S2, SM, SSE, SSS, SUPPORT, TL
from pipelines.sample.people import History, Person
from pipelines.sample.period import Period, add_months, month_end

EXPECTED = {S1: 12, S2: 18, SSS: 24, CSE: 24, SSE: 36, PSE: 36, OPS: 30, TL: 24, SM: 36, DIR: 48}
LEVEL = {S1: 1, S2: 2, SSS: 3, CSE: 3, SSE: 4, PSE: 4, OPS: 3, TL: 4, SM: 5, DIR: 6}
NEXT_STEP = (S1, S2, SSS, CSE, TL, SM)  # roles someone is promoted out of in the simulation
GROWTH_TYPES = {
    "Mentoring": "Mentors a newer teammate",
    "Onboarding Buddy": "Onboarding buddy for a new hire",
    "Internal Tool": "Builds an internal macro / triage tool",
    "Help Content": "Writes help-centre articles",
    "Process Owner": "Owns the escalation process",
}
VOLUNTARY_REASONS = (
    "Better Opportunity",
    "Career Change",
    "Compensation",
    "Relocation",
    "Personal",
    "Return to School",
)


def months_between(a: date, b: date) -> float:
    """Months from `a` to `b` as days / 30.4375."""
    return (b - a).days / 30.4375


def band_mid(title: str, on: date, period: Period) -> float:
    """The band midpoint for a title on a date (bands rise 3% each January)."""
    years = max(0, on.year - period.start.year)
    return org.BAND_MID[title] * (1 + org.BAND_GROWTH) ** years


def has_growth(p: Person, on: date, months: int = 9) -> bool:
    """Whether the person had a growth activity at any time in the `months` before `on`."""
    since = add_months(on, -months)
    return any(g[0] <= on and (g[1] is None or g[1] >= since) for g in p.growth)


def round_pay(x: float) -> float:
    return float(round(x / 250.0) * 250)


class Simulation:
    """Runs the months in order; every random draw comes from one seeded generator."""

    def __init__(
        self, rng: np.random.Generator, period: Period, people: int, work_rng: np.random.Generator | None = None
    ) -> None:
        self.rng = rng
        self.work_rng = work_rng if work_rng is not None else rng
        self.period = period
        self.scale = people
        self.h = History()
        self.names: set[str] = set()
        self.vol_exits: list[tuple[int, str]] = []  # (month index, team)
        self.pip_exits: dict[int, list[int]] = {}
        self.rehires: dict[int, list[int]] = {}
        self.stuck_month = max(3, period.n_months - 20)

    # ---- people -------------------------------------------------------------------------
    def _draw_name(self, gender: str) -> tuple[str, str]:
        pool = {"Female": FEMALE, "Male": MALE, "Non-binary": NEUTRAL}.get(gender, FEMALE + MALE)
        while True:
            first, last = pool[int(self.rng.integers(len(pool)))], LAST[int(self.rng.integers(len(LAST)))]
            if f"{first} {last}" not in self.names:
                self.names.add(f"{first} {last}")
                return first, last

    def new_person(self, hire: date, title: str, team: str, department: str = SUPPORT) -> Person:
        r = self.rng
        gender = str(r.choice(["Female", "Male", "Non-binary", ""], p=[0.47, 0.45, 0.03, 0.05]))
        first, last = self._draw_name(gender)
        region = org.TEAM_BY_NAME[team].region if team in org.TEAM_BY_NAME else "EMEA"
        locs = org.LOCATIONS[region]
        p = Person(
            idx=len(self.h.persons),
            first=first,
            last=last,
            gender=gender,
            region=region,
            location=locs[int(r.integers(len(locs)))],
            remote=bool(r.random() < 0.25),
            part_time=bool(r.random() < 0.06),
            skill=float(r.normal()),
            load=float(r.lognormal(0.0, 0.2)),
            original_hire=hire,
            hire=hire,
            title=title,
            team=team,
            department=department,
            title_since=hire,
            ever_support=department == SUPPORT,
        )
        p.tier = org.TEAM_BY_NAME[team].tier if title in org.TICKET_TITLES else None
        self.h.persons.append(p)
        return p

    def record_job(self, p: Person, on: date, reason: str) -> None:
        self.h.jobs.append((p.idx, on, p.location, p.department, p.team, p.title, p.manager, p.tier, reason))

    def _hire(self, on: date, title: str, team: str, pay_pos: float | None = None) -> Person:
        p = self.new_person(on, title, team)
        pos = pay_pos if pay_pos is not None else float(self.rng.uniform(0.9, 1.1))
        p.pay = round_pay(band_mid(title, on, self.period) * pos)
        p.manager = self._manager_for(p)
        self.record_job(p, on, "New Hire")
        self.h.statuses.append((p.idx, on, "Part-Time" if p.part_time else "Full-Time", "", "", "", ""))
        self.h.comp.append((p.idx, on, p.pay, "New Hire"))
        return p

    def _pay_change(self, p: Person, on: date, reason: str) -> None:
        """Record a pay change; a second change on the same day replaces the first (one row per person per day)."""
        for k in range(len(self.h.comp) - 1, -1, -1):
            idx, when, _pay, _reason = self.h.comp[k]
            if idx == p.idx and when == on:
                self.h.comp[k] = (p.idx, on, p.pay, reason)
                return
            if when < on:
                break
        self.h.comp.append((p.idx, on, p.pay, reason))

    def active(self) -> list[Person]:
        return [p for p in self.h.persons if p.in_support]

    # ---- structure ----------------------------------------------------------------------
    def _open_teams(self, i: int) -> list[org.Team]:
        frac = i / max(1, self.period.n_months - 1)
        return [t for t in org.TEAMS if t.opens_at <= frac]

    def _targets(self, i: int) -> dict[int, int]:
        frac = i / max(1, self.period.n_months - 1)
        total = self.scale * (0.16 + 0.19 * frac)
        return {1: max(2, round(total * 0.58)), 2: max(1, round(total * 0.28)), 3: max(1, round(total * 0.14))}

    def _holders(self, title: str) -> list[Person]:
        return [p for p in self.active() if p.title == title]

    def _lead_of(self, team: str) -> Person | None:
        return next((p for p in self._holders(TL) if p.team == team), None)

    def _roster(self) -> tuple[int | None, list[int], dict[str, int]]:
        """(director, support managers, team lead per team) among people in support now, first by idx."""
        director, sms, leads = None, [], {}
        for p in self.active():
            if p.title == DIR and director is None:
                director = p.idx
            elif p.title == SM:
                sms.append(p.idx)
            elif p.title == TL:
                leads.setdefault(p.team, p.idx)
        return director, sms, leads

    def _manager_for(self, p: Person, roster: tuple[int | None, list[int], dict[str, int]] | None = None) -> int | None:
        """The person's manager: team lead, else the support manager covering the team, else the director."""
        if p.department != SUPPORT or p.title == DIR:
            return None
        director, sms, leads = roster if roster is not None else self._roster()
        if p.title == SM:
            return director
        lead = leads.get(p.team)
        if p.title != TL and lead is not None and lead != p.idx:
            return lead
        if not sms:
            return director
        tier = org.TEAM_BY_NAME[p.team].tier
        return sms[0] if tier == 1 or len(sms) == 1 else sms[1]

    def _team_for_tier(self, tier: int, i: int) -> str:
        teams = [t.name for t in self._open_teams(i) if t.tier == tier]
        sizes = {t: 0 for t in teams}
        for p in self.active():
            if p.team in sizes and p.title in org.TICKET_TITLES:
                sizes[p.team] += 1
        return min(teams, key=lambda t: (sizes[t], teams.index(t)))

    def _tier_counts(self) -> dict[int, int]:
        counts = {1: 0, 2: 0, 3: 0}
        for p in self.active():
            if p.tier is not None and p.title in org.TICKET_TITLES:
                counts[p.tier] += 1
        return counts

    # ---- the initial organisation ---------------------------------------------------------
    def initial_staff(self) -> None:
        """The support team on the first day: leaders, then agents with histories before the period."""
        start = self.period.start
        r = self.rng
        # leaders were hired into their roles (no promotion before the period, so none escapes the planted gap)
        self._pre_hire(DIR, "Support Leadership", 60)
        self._pre_hire(SM, "Support Leadership", 40)
        leads = [self._pre_hire(TL, t.name, 30) for t in self._open_teams(0) if t.has_lead]
        weak = sorted(int(x) for x in r.choice(len(leads), size=min(org.N_WEAK_MANAGERS, len(leads)), replace=False))
        self.h.weak_managers = [leads[k].idx for k in weak]
        for tier, n in self._targets(0).items():
            for _ in range(n):
                months = int(r.integers(1, 48))
                p = self._pre_hire({1: S1, 2: S2, 3: CSE}[tier], self._team_for_tier(tier, 0), months)
                self._pre_career(p, start)
        staff = [p for p in self.h.persons if p.ever_support]
        roster = self._roster()
        for p in staff:
            p.manager = self._manager_for(p, roster)
        for p in staff:
            self._pre_history(p, start)

    def _pre_hire(self, title: str, team: str, max_months: int) -> Person:
        """Someone hired into `title` up to `max_months` before the period (any promotion since: _pre_career)."""
        months = int(self.rng.integers(1, max_months + 1))
        hire = self.period.start - timedelta(days=int(months * 30.4 + self.rng.integers(0, 20)))
        return self.new_person(hire, title, team)

    def _pre_career(self, p: Person, start: date) -> None:
        """The months before the period: the same monthly promotion draw as in it (gap included), one step at most."""
        nxt = {S1: S2, S2: SSS, CSE: SSE}
        ms = add_months(p.hire.replace(day=1), 1)
        while ms < start and p.title in nxt:
            in_role = months_between(p.hire, ms)
            if in_role >= 6 and self.rng.random() < promotion_probability(
                in_role, EXPECTED[p.title], p.skill, None, p.gender
            ):
                p.title, p.title_since = nxt[p.title], ms
                break
            ms = add_months(ms, 1)

    def _pre_history(self, p: Person, start: date) -> None:
        entry = {S2: S1, SSS: S2, SSE: CSE, TL: SSS, SM: TL}.get(p.title, p.title)
        if p.title_since <= p.hire + timedelta(days=31):
            entry = p.title
        p.pay = round_pay(band_mid(p.title, start, self.period) * float(self.rng.uniform(0.88, 1.08)))
        title, p.title = p.title, entry
        tier = p.tier
        p.tier = org.TEAM_BY_NAME[p.team].tier if entry in org.TICKET_TITLES else None
        self.record_job(p, p.hire, "New Hire")
        self.h.statuses.append((p.idx, p.hire, "Part-Time" if p.part_time else "Full-Time", "", "", "", ""))
        entry_pay = round_pay(p.pay * (0.9 if entry != title else 1.0))
        self.h.comp.append((p.idx, p.hire, entry_pay, "New Hire"))
        p.title, p.tier = title, tier
        if entry != title:
            promoted = LEVEL[title] > LEVEL[entry]
            self.record_job(p, p.title_since, "Promotion" if promoted else "Lateral Move")
            self.h.comp.append((p.idx, p.title_since, p.pay, "Promotion" if promoted else "Merit Increase"))

    # ---- one month ------------------------------------------------------------------------
    def month(self, i: int) -> None:
        """Everything that happens in month `i`, in a fixed order."""
        ms = self.period.month_start(i)
        self._pay(i, ms)
        # at risk of a promotion this month: in support in a role with a higher one to move to (truth)
        at_risk = [
            (p, p.title, months_between(p.title_since, ms), p.rating, p.stuck, p.pip)
            for p in self.active()
            if p.title in NEXT_STEP
        ]
        changed: dict[int, str] = {}
        self._rehire(i, ms, changed)
        self._careers(i, ms, changed)
        self._vacancies(i, ms, changed)
        self._reorganise(i, ms, changed)
        self._hiring(i, ms)
        self._managers(ms, changed)
        if i == self.stuck_month:
            self._plant_stuck(ms)
        self._exits(i, ms)
        if ms.month in (6, 12):
            self._reviews(i, ms)
        self._work(i, ms)
        self._growth(i, ms)
        for p, title, in_role, rating, stuck, pip in at_risk:
            up = p.department == SUPPORT and LEVEL.get(p.title, 0) > LEVEL[title]
            self.h.promotion_months.append((p.idx, i, title, in_role, rating, stuck, pip, int(up)))

    def _pay(self, i: int, ms: date) -> None:
        market = i == round(self.period.n_months * 0.45)
        for p in self.active():
            if ms.month == 1 and p.rating is not None and p.hire < ms:
                rise = 0.05 if p.rating >= 4.0 else 0.035 if p.rating >= 3.0 else 0.0
                if rise:
                    p.pay = round_pay(p.pay * (1 + rise))
                    self._pay_change(p, ms, "Merit Increase")
            floor = band_mid(p.title, ms, self.period) * (1 - org.BAND_WIDTH)
            if market and p.pay < floor and p.hire < ms:
                p.pay = round_pay(floor)
                self._pay_change(p, ms, "Market Adjustment")

    def _move(self, p: Person, ms: date, title: str, team: str, reason: str, changed: dict[int, str]) -> None:
        raise_to = band_mid(title, ms, self.period) * float(self.rng.uniform(0.92, 1.02))
        if LEVEL.get(title, 0) > LEVEL.get(p.title, 0):
            p.pay = round_pay(max(p.pay * 1.08, raise_to))
            self._pay_change(p, ms, "Promotion")
        p.title, p.team, p.title_since = title, team, ms
        p.tier = org.TEAM_BY_NAME[team].tier if title in org.TICKET_TITLES else None
        changed[p.idx] = reason

    def _careers(self, i: int, ms: date, changed: dict[int, str]) -> None:
        r = self.rng
        for p in self.active():
            in_role = months_between(p.title_since, ms)
            u = r.random()
            promo = promotion_probability(in_role, EXPECTED[p.title], p.skill, p.rating, p.gender)
            eligible = not p.stuck and not p.pip and months_between(p.title_since, ms) >= 6
            if p.tdp_end is not None and p.tdp_end < ms:
                p.tdp_end = None
                if eligible and r.random() < 0.75:
                    reason = "Promotion" if p.title == S2 else "Lateral Move"
                    self._move(p, ms, CSE, self._team_for_tier(3, i), reason, changed)
                    continue
            if r.random() < (0.0035 if p.title not in (S1, TL, SM, DIR) else 0.001):
                self._transfer_out(p, ms, changed)
            elif not eligible:
                continue
            elif p.title in (S1, S2, CSE) and u < promo:
                title = {S1: S2, S2: SSS, CSE: SSE}[p.title]
                counts, targets = self._tier_counts(), self._targets(i)
                tier = 3 if p.title == CSE else 2 if title == SSS or counts[2] < targets[2] else 1
                team = p.team if org.TEAM_BY_NAME[p.team].tier == tier else self._team_for_tier(tier, i)
                self._move(p, ms, title, team, "Promotion", changed)
            elif p.title == SSS and u < 0.012:
                self._move(p, ms, OPS, "Support Operations", "Lateral Move", changed)
            elif p.title == SSE and u < 0.025:
                self._move(p, ms, PSE, "Product Support", "Lateral Move", changed)

    def _transfer_out(self, p: Person, ms: date, changed: dict[int, str]) -> None:
        dept = "Engineering" if p.title in org.TECHNICAL else str(self.rng.choice(["Sales", "Product"]))
        divisions, titles, head = org.OTHER_DEPARTMENTS[dept]
        p.department, p.team, p.title, p.tier = dept, divisions[0], titles[0], None
        p.title_since = ms
        heads = [q for q in self.h.persons if q.employed and q.title == head]
        p.manager = heads[0].idx if heads else None
        changed[p.idx] = "Transfer"
        self.record_job(p, ms, "Transfer")

    def _vacancies(self, i: int, ms: date, changed: dict[int, str]) -> None:
        if not self._holders(DIR):
            self._fill(ms, DIR, "Support Leadership", [SM], changed)
        want_sms = 1 if len(self.active()) < round(0.2 * self.scale) else 2
        while len(self._holders(SM)) < want_sms:
            self._fill(ms, SM, "Support Leadership", [TL], changed)
        for team in self._open_teams(i):
            if team.has_lead and self._lead_of(team.name) is None:
                self._fill(ms, TL, team.name, [SSS, CSE], changed)

    def _fill(self, ms: date, title: str, team: str, sources: list[str], changed: dict[int, str]) -> None:
        pool = [
            p
            for p in self.active()
            if p.title in sources and not p.pip and not p.stuck and months_between(p.title_since, ms) >= 9
        ]
        if pool:
            # a biased pick: the better candidate is likelier, a woman less likely than an equal man
            weights = pick_weights([p.skill + (p.rating or 3.0) for p in pool], [p.gender for p in pool])
            best = pool[int(self.rng.choice(len(pool), p=weights))]
            reason = "Promotion" if LEVEL[title] > LEVEL[best.title] else "Lateral Move"
            self._move(best, ms, title, team, reason, changed)
        else:
            self._hire(ms + timedelta(days=int(self.rng.integers(0, 10))), title, team)

    def _reorganise(self, i: int, ms: date, changed: dict[int, str]) -> None:
        """When a new team opens, move a few agents of the same tier into it."""
        for team in org.TEAMS:
            if team.tier is None or i == 0 or team not in self._open_teams(i) or team in self._open_teams(i - 1):
                continue
            movers = [p for p in self.active() if p.tier == team.tier and p.title in (S1, S2) and p.team != team.name]
            if not movers:
                continue
            # movers drawn at random: the new team inherits no one's seniority or skill
            picks = sorted(int(k) for k in self.rng.choice(len(movers), size=max(1, len(movers) // 5), replace=False))
            for p in (movers[k] for k in picks):
                p.team = team.name
                if p.region != team.region:  # only a move to another region changes where someone works
                    locs = org.LOCATIONS[team.region]
                    p.region, p.location = team.region, locs[int(self.rng.integers(len(locs)))]
                changed.setdefault(p.idx, "Reorganization")

    def _hiring(self, i: int, ms: date) -> None:
        counts, targets = self._tier_counts(), self._targets(i)
        for tier in (1, 2, 3):
            for _ in range(max(0, targets[tier] - counts[tier])):
                title = {1: S2 if self.rng.random() < 0.1 else S1, 2: S2, 3: CSE}[tier]
                day = ms + timedelta(days=int(self.rng.integers(0, 20)))
                pos = float(self.rng.uniform(0.8, 0.92)) if self.rng.random() < 0.2 else None
                self._hire(day, title, self._team_for_tier(tier, i), pos)

    def _managers(self, ms: date, changed: dict[int, str]) -> None:
        roster = self._roster()
        for p in self.active():
            m = self._manager_for(p, roster)
            if m != p.manager:
                p.manager = m
                changed.setdefault(p.idx, "Manager Change")
        for idx in sorted(changed):
            p = self.h.persons[idx]
            if p.in_support:
                self.record_job(p, ms, changed[idx])

    def _rehire(self, i: int, ms: date, changed: dict[int, str]) -> None:
        for idx in self.rehires.pop(i, []):
            p = self.h.persons[idx]
            day = ms + timedelta(days=int(self.rng.integers(0, 14)))
            p.employed, p.exit, p.hire, p.department = True, None, day, SUPPORT
            p.title = p.title if p.title in (S1, S2, SSS, CSE, SSE) else S2
            tier = {S1: 1, S2: 2, SSS: 2, CSE: 3, SSE: 3}[p.title]
            p.team, p.tier, p.title_since, p.pip, p.rating = self._team_for_tier(tier, i), tier, day, False, None
            p.overload = []
            p.pay = round_pay(max(p.pay * 1.05, band_mid(p.title, day, self.period) * 0.95))
            p.manager = self._manager_for(p)
            self.record_job(p, day, "Rehire")
            self.h.statuses.append((p.idx, day, "Part-Time" if p.part_time else "Full-Time", "", "", "", "Rehire"))
            self.h.comp.append((p.idx, day, p.pay, "Rehire"))

    def _plant_stuck(self, ms: date) -> None:
        """The planted stalled teammates: no promotion or growth from here on."""
        self.h.stuck_month = self.period.index_of(ms)
        pool = [
            p
            for p in self.active()
            if p.title in (S1, S2, CSE) and not p.pip and months_between(p.title_since, ms) >= 6
        ]
        n = min(len(pool), max(2, round(self.scale * 0.08)))
        for k in sorted(int(x) for x in self.rng.choice(len(pool), size=n, replace=False)):
            p = pool[k]
            p.stuck, p.tdp_end = True, None
            for g in p.growth:
                if g[1] is None or g[1] >= ms:
                    g[1] = ms - timedelta(days=1)
            self.h.stuck.append(p.idx)

    # ---- exits ----------------------------------------------------------------------------
    def situation(self, p: Person, i: int, ms: date, team_exits: dict[str, int]) -> ExitSituation:
        """What the voluntary-exit hazard sees for this person at the start of month `i`."""
        return ExitSituation(
            tenure_months=months_between(p.hire, ms),
            months_in_role=months_between(p.title_since, ms),
            expected_months=EXPECTED[p.title],
            had_growth_9m=has_growth(p, ms),
            overloaded_months_of_last_4=sum(p.overload[-4:]),
            weak_manager=p.manager in self.h.weak_managers,
            pay=p.pay,
            band_mid=band_mid(p.title, ms, self.period),
            teammate_exits_6m=team_exits.get(p.team, 0),
            management=p.title in org.MANAGEMENT,
        )

    def _exit_day(self, p: Person, ms: date) -> date:
        first = max(ms, p.hire)
        return first + timedelta(days=int(self.rng.integers(0, (month_end(ms) - first).days + 1)))

    def _exits(self, i: int, ms: date) -> None:
        r = self.rng
        forced = set(self.pip_exits.pop(i, []))
        team_exits: dict[str, int] = {}
        for m, team in self.vol_exits:
            if i - 6 <= m < i:
                team_exits[team] = team_exits.get(team, 0) + 1
        for p in [q for q in self.h.persons if q.employed]:
            if not p.ever_support:
                continue
            if not p.in_support:
                exit_ = r.random() < org.HAZARD_OTHER_DEPARTMENT
                self.h.person_months.append((p.idx, i, 0, org.HAZARD_OTHER_DEPARTMENT, *[0.0] * 7, int(exit_)))
                if exit_:
                    self._terminate(p, ms, "Voluntary", "Better Opportunity", False)
                continue
            situation = self.situation(p, i, ms, team_exits)
            d = exit_drivers(situation)
            hazard = exit_hazard(situation, d)
            voluntary = r.random() < hazard
            self.h.person_months.append((p.idx, i, 1, hazard, *(d[k] for k in DRIVERS), int(voluntary)))
            if voluntary:
                self._voluntary(p, i, ms, d)
            elif p.idx in forced:
                self._terminate(p, ms, "Involuntary", "Performance", False)
            elif r.random() < 0.0008:
                self._terminate(p, ms, "Involuntary", str(r.choice(["Misconduct", "Position Eliminated"])), False)

    def _voluntary(self, p: Person, i: int, ms: date, d: dict[str, float]) -> None:
        r = self.rng
        top = max(("since_promotion", "no_growth", "pay_below_band"), key=lambda k: d[k])
        if d[top] > 0.3 and r.random() < 0.6:
            reason = (
                "Compensation" if top == "pay_below_band" else str(r.choice(["Better Opportunity", "Career Change"]))
            )
        else:
            reason = str(r.choice(VOLUNTARY_REASONS))
        good = (p.rating if p.rating is not None else 3.0 + 0.5 * p.skill) >= 3.5
        self.vol_exits.append((i, p.team))
        self._terminate(p, ms, "Voluntary", reason, good)
        back = i + int(r.integers(5, 19))
        if good and r.random() < 0.2 and back < self.period.n_months:
            self.rehires.setdefault(back, []).append(p.idx)

    def _terminate(self, p: Person, ms: date, kind: str, reason: str, regrettable: bool) -> None:
        day = self._exit_day(p, ms)
        p.employed, p.exit, p.tdp_end = False, day, None
        for g in p.growth:
            if g[1] is None or g[1] > day:
                g[1] = day
        self.h.statuses.append((p.idx, day, "Terminated", kind, reason, "Yes" if regrettable else "No", ""))

    # ---- reviews, work, growth ------------------------------------------------------------
    def _reviews(self, i: int, ms: date) -> None:
        r = self.rng
        day = ms.replace(day=25 if ms.month == 6 else 15)
        cycle = f"{ms.year} {'H1' if ms.month == 6 else 'H2'}"
        for p in self.active():
            if months_between(p.hire, day) < 2 or (p.exit is not None and p.exit < day):
                continue
            # the rating follows true skill only: nothing about the person's group, team or manager
            rating = float(np.clip(round(3.3 + 0.55 * p.skill + 0.35 * r.normal(), 1), 1.0, 5.0))
            if p.pip and rating < 2.8 and i + 1 < self.period.n_months:
                self.pip_exits.setdefault(i + 1, []).append(p.idx)
            p.pip = rating < 2.4 or (p.pip and rating < 2.8)
            p.rating = rating
            self.h.reviews.append((p.idx, cycle, day, rating, p.pip))
            for comp in competencies(p.title):
                value = int(np.clip(round(rating + 0.6 * r.normal()), 1, 5))
                self.h.competencies.append((p.idx, cycle, day, comp, value))

    def _work(self, i: int, ms: date) -> None:
        """Plan each agent's tickets this month: a count, and how many of them are complex."""
        r = self.work_rng
        frac = i / max(1, self.period.n_months - 1)
        counts, targets = self._tier_counts(), self._targets(i)
        me = month_end(ms)
        for p in self.active():
            tier = p.tier if p.title in org.TICKET_TITLES else org.TEAM_BY_NAME[p.team].tier if p.title == TL else None
            if tier is None:
                continue
            first, last = max(ms, p.hire), min(me, p.exit or me)
            days = int(np.busday_count(first, last + timedelta(days=1)))
            rate = {1: 1.05, 2: 0.9, 3: 0.65}[tier] * (0.6 if p.part_time else 1.0)
            if p.title == TL:
                rate = 0.12
            pressure = min(1.6, max(0.8, targets[tier] / max(1, counts[tier])))
            n = int(r.poisson(days * rate * p.load * pressure)) if days else 0
            n_complex = int(r.binomial(n, org.category_mix(tier, frac)[2])) if n else 0
            if p.title != TL:
                p.overload.append(n_complex > org.OVERLOAD_THRESHOLD)
            if n:
                reviewer = p.manager if p.manager is not None else p.idx
                self.h.agent_months.append((p.idx, i, tier, p.region, first, last, n, n_complex, reviewer, p.hire))

    def _growth(self, i: int, ms: date) -> None:
        r = self.rng
        me = month_end(ms)
        for p in self.active():
            if p.stuck or (p.exit is not None and p.exit <= me):
                continue
            ongoing = any(g[1] is None or g[1] > me for g in p.growth)
            if p.title in (S2, SSS) and p.tdp_end is None and not ongoing and p.skill > -0.2:
                # being picked for the programme is the biased step (for a Specialist 2 it leads to a promotion)
                pick = with_promotion_gap(0.05, p.gender) if p.title == S2 else 0.05
                if r.random() < pick and (p.rating or 0) >= 3.2:
                    p.tdp_end = add_months(ms, 6) - timedelta(days=1)
                    p.growth.append([ms, p.tdp_end, "Technical Development Programme", "Technical track programme"])
                    continue
            lead = 1.0 if p.title in org.MANAGEMENT else 0.0
            if ongoing or r.random() >= sigmoid(-3.0 + 0.6 * p.skill + 0.3 * (LEVEL[p.title] - 1) + lead):
                continue
            kinds = list(GROWTH_TYPES) if LEVEL[p.title] >= 2 else ["Help Content", "Onboarding Buddy", "Internal Tool"]
            kind = kinds[int(r.integers(len(kinds)))]
            months = int(r.integers(6, 25)) if kind == "Process Owner" else int(r.integers(2, 10))
            start = ms + timedelta(days=int(r.integers(0, 20)))
            end = add_months(start, months) - timedelta(days=1)
            p.growth.append([start, None if end > self.period.end else end, kind, GROWTH_TYPES[kind]])

    # ---- the run --------------------------------------------------------------------------
    def run(self, progress: Callable[[str, float, float | None], None] | None = None) -> History:
        """Simulate every month of the period and return what happened."""
        self.initial_staff()
        n = self.period.n_months
        for i in range(n):
            self.month(i)
            if progress is not None:
                progress("careers", i + 1, n)
        return self.h


def competencies(title: str) -> tuple[str, ...]:
    """The competency set rated for a title: frontline, technical (frontline + depth) or management."""
    frontline = ("Empathy", "Internet Savvy", "Persuasive Communication", "Mastering Simplicity", "Growth Mindset")
    if title in org.MANAGEMENT:
        return (
            "Communication",
            "Setting Direction",
            "Motivating and Recognising",
            "Change Management",
            "Conflict Management and Development",
            "Hiring and Onboarding",
        )
    if title in org.TECHNICAL:
        return (*frontline, "Technical Depth")
    return frontline
