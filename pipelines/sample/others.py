"""Sales, Product and Engineering: simple histories, so transfers out of support have somewhere to go."""

from __future__ import annotations

from datetime import date, timedelta

from pipelines.sample import org
from pipelines.sample.careers import Simulation, band_mid, round_pay
from pipelines.sample.people import Person
from pipelines.sample.period import add_months


def add_other_departments(sim: Simulation, n_people: int) -> None:
    """Create the heads and `n_people` others in Sales/Product/Engineering with hires, a promotion, exits."""
    r, period = sim.rng, sim.period
    heads = {}
    for dept, (divisions, _titles, head) in org.OTHER_DEPARTMENTS.items():
        hire = period.start - timedelta(days=int(r.integers(400, 2000)))
        p = sim.new_person(hire, head, divisions[0], department=dept)
        p.pay = round_pay(band_mid(head, period.start, period))
        _record(sim, p, hire)
        heads[dept] = p.idx
    depts = list(org.OTHER_DEPARTMENTS)
    span = (period.end - period.start).days
    for k in range(n_people):
        dept = depts[k % len(depts)]
        divisions, titles, _head = org.OTHER_DEPARTMENTS[dept]
        hire = period.start + timedelta(days=int(r.integers(-1500, span - 90)))
        p = sim.new_person(hire, titles[0], divisions[int(r.integers(len(divisions)))], department=dept)
        p.manager = heads[dept]
        p.pay = round_pay(band_mid(titles[0], max(hire, period.start), period) * float(r.uniform(0.88, 1.05)))
        _record(sim, p, hire)
        months = int(r.geometric(0.011))
        promo = add_months(hire, int(r.integers(14, 40)))
        if promo < min(period.end, hire + timedelta(days=int(months * 30.4))):
            p.title, p.title_since = titles[1], promo
            p.pay = round_pay(p.pay * 1.12)
            sim.record_job(p, promo, "Promotion")
            sim.h.comp.append((p.idx, promo, p.pay, "Promotion"))
        exit_day = hire + timedelta(days=int(months * 30.4))
        if exit_day < period.end:
            kind = "Voluntary" if r.random() < 0.8 else "Involuntary"
            reason = str(
                r.choice(["Better Opportunity", "Relocation", "Personal"] if kind == "Voluntary" else ["Performance"])
            )
            p.employed, p.exit = False, exit_day
            sim.h.statuses.append((p.idx, exit_day, "Terminated", kind, reason, "No", ""))


def _record(sim: Simulation, p: Person, hire: date) -> None:
    sim.record_job(p, hire, "New Hire")
    sim.h.statuses.append((p.idx, hire, "Full-Time", "", "", "", ""))
    sim.h.comp.append((p.idx, hire, p.pay, "New Hire"))
