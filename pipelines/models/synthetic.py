"""A synthetic person-month panel with a KNOWN voluntary-exit hazard, for tests and benchmarks.

One row per person per month employed. The true monthly log-odds of a voluntary exit rise
with months in level beyond 18 and with no growth activity in the last 12 months, and move
with load, rating, pay position, manager changes and teammates leaving. Demographic columns
are drawn independently of everything and have no effect.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl

from pipelines.models.backtest import add_months
from pipelines.models.features import AGING, ID, MONTH, NUMERIC

TITLES = {
    "frontline": ("Customer Support Specialist 1", "Customer Support Specialist 2", "Senior Support Specialist"),
    "technical": ("Customer Support Specialist 1", "Customer Support Engineer", "Senior Support Engineer"),
}
INVOLUNTARY_HAZARD = 0.004
TRANSFER_HAZARD = 0.003


def true_log_odds(
    months_in_level: np.ndarray,
    growth_12m: np.ndarray,
    workload_ratio: np.ndarray,
    rating: np.ndarray,
    pay_position: np.ndarray,
    manager_changes_12m: np.ndarray,
    teammates_left_6m: np.ndarray,
) -> np.ndarray:
    """The planted monthly log-odds of a voluntary exit."""
    return (
        -4.6
        + 0.09 * np.clip(months_in_level - 18, 0, 30)
        + 1.0 * (growth_12m == 0)
        + 1.0 * (workload_ratio - 1.0)
        - 0.35 * np.nan_to_num(rating - 3.0)
        - 0.8 * np.nan_to_num(pay_position - 0.5)
        + 0.3 * manager_changes_12m
        + 0.15 * teammates_left_6m
    )


def true_hazard_frame(frame: pl.DataFrame) -> np.ndarray:
    """The planted monthly hazard for each row of a panel-shaped frame."""
    col = {c: frame[c].cast(pl.Float64).to_numpy() for c in NUMERIC if c in frame.columns}
    z = true_log_odds(
        col["months_in_level"],
        col["growth_activities_12m"],
        col["workload_ratio"],
        col["rating"],
        col["pay_position_in_band"],
        col["manager_changes_12m"],
        col["teammates_left_6m"],
    )
    return 1.0 / (1.0 + np.exp(-z))


def oracle_risk(panel: pl.DataFrame, months: int = 12) -> pl.DataFrame:
    """The planted hazard projected like the models project theirs: P(voluntary exit within `months`).

    One row per person-month (employee_id, month, p_12m); the best score a model could reach
    with the same forward assumption (features held, time in level growing).
    """
    survival = np.ones(panel.height)
    for k in range(months):
        aged = panel.with_columns([pl.col(c) + k for c in AGING if c in panel.columns])
        survival *= 1.0 - true_hazard_frame(aged)
    return panel.select(ID, MONTH).with_columns(p_12m=pl.Series(1.0 - survival))


def synthetic_panel(
    n_people: int = 2000, n_months: int = 48, seed: int = 0, start: date = date(2021, 1, 1)
) -> pl.DataFrame:
    """A person-month panel from `start` over `n_months` months with about n_people ever employed."""
    rng = np.random.default_rng(seed)
    burn_in = 12
    total = burn_in + n_months
    n = n_people
    # Start with enough people that replacing leavers (~4% a month) lasts through the whole span.
    n0 = max(int(n / (1 + 0.045 * total)), 10)
    active = np.zeros(n, dtype=bool)
    active[:n0] = True
    hired = n0
    tenure = np.where(active, rng.integers(0, 48, n), 0).astype(float)
    mil = np.where(active, np.minimum(tenure, rng.integers(0, 30, n)), 0).astype(float)
    msp = np.where(active, np.minimum(tenure, mil + rng.integers(0, 6, n)), 0).astype(float)
    level = np.where(active, rng.choice(3, n, p=[0.5, 0.35, 0.15]), 0)
    track = np.where(rng.random(n) < 0.7, "frontline", "technical")
    tier_base = rng.choice(3, n, p=[0.5, 0.35, 0.15])
    propensity = np.where(rng.random(n) < 0.35, 0.01, rng.uniform(0.08, 0.25, n))
    load = np.exp(rng.normal(0, 0.2, n))
    rating_base = np.clip(rng.normal(3.3, 0.6, n), 1, 5)
    rating = np.full(n, np.nan)
    pay = rng.uniform(0, 1, n)
    pay_missing = rng.random(n) < 0.05
    growth = np.zeros((n, total))
    manager_changes = np.zeros((n, total))
    gender = rng.choice(["woman", "man", "nonbinary"], n, p=[0.5, 0.47, 0.03])
    location = rng.choice(["Dublin", "Lisbon", "Austin", "Manila"], n)
    age = rng.integers(20, 60, n)

    frames = []
    for t in range(total):
        growth[:, t] = active * (rng.random(n) < propensity)
        manager_changes[:, t] = active * (rng.random(n) < 0.03)
        g12 = growth[:, max(0, t - 11) : t + 1].sum(axis=1)
        g6 = growth[:, max(0, t - 5) : t + 1].sum(axis=1)
        m12 = manager_changes[:, max(0, t - 11) : t + 1].sum(axis=1)
        if t % 6 == 0:
            rating = np.where(tenure >= 6, np.clip(np.round(rating_base + rng.normal(0, 0.4, n), 1), 1, 5), np.nan)
        workload = np.round(load * np.exp(rng.normal(0, 0.1, n)), 2)
        left6 = rng.poisson(1.0, n).astype(float)
        pay_now = np.where(pay_missing, np.nan, np.clip(pay + tenure / 240, 0, 1))
        hazard = 1.0 / (1.0 + np.exp(-true_log_odds(mil, g12, workload, rating, pay_now, m12, left6)))
        u = rng.random(n)
        exit_type = np.where(
            u < hazard,
            "voluntary",
            np.where(
                u < hazard + INVOLUNTARY_HAZARD,
                "involuntary",
                np.where(u < hazard + INVOLUNTARY_HAZARD + TRANSFER_HAZARD, "transfer_out", None),
            ),
        )
        exit_type = np.where(active, exit_type, None)
        if t >= burn_in:
            idx = np.flatnonzero(active)
            titles = np.array([TITLES[tr][lv] for tr, lv in zip(track[idx], level[idx], strict=True)])
            tickets = rng.poisson(150 * workload[idx])
            frames.append(
                pl.DataFrame(
                    {
                        ID: [f"E{i:06d}" for i in idx],
                        MONTH: [add_months(start, t - burn_in)] * len(idx),
                        "tenure_months": tenure[idx],
                        "months_in_level": mil[idx],
                        "months_since_promotion": msp[idx],
                        "growth_activities_6m": g6[idx],
                        "growth_activities_12m": g12[idx],
                        "rating": rating[idx],
                        "pay_position_in_band": pay_now[idx],
                        "tickets_handled": tickets.astype(float),
                        "complex_ticket_share": np.clip(
                            rng.beta(2, 6, len(idx)) + 0.1 * np.minimum(tier_base[idx], 2), 0, 1
                        ),
                        "workload_ratio": workload[idx],
                        "manager_changes_12m": m12[idx],
                        "teammates_left_6m": left6[idx],
                        "level": titles,
                        "track": track[idx],
                        "tier": np.array(["Tier 1", "Tier 2", "Tier 3"])[
                            np.minimum(tier_base[idx] + (level[idx] == 2), 2)
                        ],
                        "exit_type_next_month": exit_type[idx].tolist(),
                        "gender": gender[idx],
                        "location": location[idx],
                        "age": age[idx],
                        "true_hazard": hazard[idx],
                    }
                )
            )
        leaving = active & (exit_type != None)  # noqa: E711 - numpy elementwise comparison
        active = active & ~leaving
        # Promotions: likelier after 12 months in level with growth activity.
        can = active & (level < 2)
        p_promo = np.where(mil >= 12, np.where(g12 > 0, 0.07, 0.01), 0.004)
        promoted = can & (rng.random(n) < p_promo)
        level = level + promoted
        tenure = tenure + active
        mil = np.where(promoted, 0, mil + active)
        msp = np.where(promoted, 0, msp + active)
        # Replace leavers with new hires while people remain to hire.
        n_new = min(int(leaving.sum()) + int(rng.poisson(1.0)), n - hired)
        if n_new > 0:
            new = np.arange(hired, hired + n_new)
            active[new] = True
            tenure[new] = mil[new] = msp[new] = 0
            level[new] = 0
            hired += n_new
    return pl.concat(frames).with_columns(pl.col(MONTH).cast(pl.Date))
