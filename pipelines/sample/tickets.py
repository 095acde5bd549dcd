"""Vectorised conversations: one row per ticket, built per agent-month batch with numpy (no object per ticket).

Times are naive Europe/Dublin wall-clock seconds (datetime64[s]); the DST changeover hours are avoided
so every local time exists exactly once.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl

from pipelines.sample import org
from pipelines.sample.period import Period

CHANNELS = ("email", "chat", "phone", "web")
PRIORITIES = ("low", "normal", "high", "urgent")
SHIFT_HOURS = {"EMEA": (8.0, 17.5), "Americas": (13.5, 22.5), "APAC": (3.0, 10.5)}
REGIONS = tuple(SHIFT_HOURS)


def dst_days(years: range) -> np.ndarray:
    """The last Sundays of March and October (Europe/Dublin changeover days) in these years."""
    days = []
    for y in years:
        for m in (3, 10):
            last = np.datetime64(date(y, m, 31))
            days.append(last - ((last.astype("datetime64[D]").view("int64") - 3) % 7))
    return np.array(days, dtype="datetime64[D]")


def avoid_dst(ts: np.ndarray, changeovers: np.ndarray) -> np.ndarray:
    """Move times between 00:00 and 03:00 on a changeover day to 3 hours later (they may not exist)."""
    day = ts.astype("datetime64[D]")
    hour = (ts - day.astype("datetime64[s]")).astype("int64") // 3600
    bad = np.isin(day, changeovers) & (hour < 3)
    return np.where(bad, ts + np.timedelta64(3, "h"), ts)


def _choice(rng: np.random.Generator, probs: np.ndarray) -> np.ndarray:
    """One categorical draw per row of a (n, k) probability matrix."""
    cum = np.cumsum(probs, axis=1)
    u = rng.random(len(probs))[:, None] * cum[:, -1:]
    return (u >= cum).sum(axis=1)


def human_tickets(rng: np.random.Generator, am: pl.DataFrame, skill: np.ndarray, period: Period) -> pl.DataFrame:
    """Human-handled tickets from agent-month plans (columns of History.agent_months)."""
    n = am["n"].to_numpy()
    rep = np.repeat(np.arange(len(n)), n)
    pos = np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n)
    first = am["first"].to_numpy().astype("datetime64[D]")
    last = am["last"].to_numpy().astype("datetime64[D]")
    nbd = np.busday_count(first, last + 1)
    start = np.busday_offset(first, 0, roll="forward")
    day = np.busday_offset(start[rep], (rng.random(len(rep)) * nbd[rep]).astype("int64"))
    region = am["region"].to_numpy()[rep]
    lo = np.select([region == r for r in REGIONS], [SHIFT_HOURS[r][0] for r in REGIONS])
    hi = np.select([region == r for r in REGIONS], [SHIFT_HOURS[r][1] for r in REGIONS])
    secs = ((lo + rng.random(len(rep)) * (hi - lo)) * 3600).astype("int64")
    created = day.astype("datetime64[s]") + secs.astype("timedelta64[s]")
    tier = am["tier"].to_numpy()[rep]
    month = am["month"].to_numpy()[rep]
    frac = month / max(1, period.n_months - 1)
    is_complex = pos < am["n_complex"].to_numpy()[rep]
    share = org.BOT_SHARE_START + (org.BOT_SHARE_END - org.BOT_SHARE_START) * frac
    easy1 = 0.55 - 0.7 * (share - org.BOT_SHARE_START)
    easy = np.select([tier == 1, tier == 2], [easy1, 0.1], 0.02)
    policy = np.select([tier == 1, tier == 2], [0.15, 0.1], 0.03)
    is_policy = ~is_complex & (rng.random(len(rep)) < policy / (easy + policy))
    n_easy, n_pol, n_cx = len(org.EASY), len(org.POLICY), len(org.COMPLEX)
    category = np.where(
        is_complex,
        n_easy + n_pol + rng.integers(0, n_cx, len(rep)),
        np.where(is_policy, n_easy + rng.integers(0, n_pol, len(rep)), rng.integers(0, n_easy, len(rep))),
    )
    agent = am["idx"].to_numpy()[rep]
    tenure = (day - am["hire"].to_numpy().astype("datetime64[D]")[rep]).astype("int64") / 30.4375
    return pl.DataFrame(
        {
            "agent": agent,
            "reviewer": am["reviewer"].to_numpy()[rep],
            "tier": tier,
            "month": month,
            "created": created.astype("datetime64[ms]"),
            "category": category,
            "is_complex": is_complex,
            "is_policy": is_policy,
            "skill": skill[agent],
            "tenure": tenure,
            "bot": np.zeros(len(rep), dtype=bool),
            "seq": pos,
        }
    )


def bot_tickets(rng: np.random.Generator, humans_per_month: np.ndarray, period: Period) -> pl.DataFrame:
    """Conversations the bot resolved: share s(t) of all conversations, easy categories only, any day."""
    months = np.arange(period.n_months)
    share = org.BOT_SHARE_START + (org.BOT_SHARE_END - org.BOT_SHARE_START) * months / max(1, period.n_months - 1)
    n = np.round(humans_per_month * share / (1 - share)).astype("int64")
    rep = np.repeat(months, n)
    starts = np.array([period.month_start(int(i)) for i in months], dtype="datetime64[D]")
    lengths = np.array([(period.month_end(int(i)) - period.month_start(int(i))).days + 1 for i in months])
    day = starts[rep] + (rng.random(len(rep)) * lengths[rep]).astype("int64")
    secs = ((7.0 + rng.random(len(rep)) * 16.0) * 3600).astype("int64")
    k = len(rep)
    return pl.DataFrame(
        {
            "agent": np.full(k, -1),
            "reviewer": np.full(k, -1),
            "tier": np.ones(k, dtype="int64"),
            "month": rep,
            "created": (day.astype("datetime64[s]") + secs.astype("timedelta64[s]")).astype("datetime64[ms]"),
            "category": rng.integers(0, len(org.EASY), k),
            "is_complex": np.zeros(k, dtype=bool),
            "is_policy": np.zeros(k, dtype=bool),
            "skill": np.zeros(k),
            "tenure": np.zeros(k),
            "bot": np.ones(k, dtype=bool),
            "seq": np.arange(k),
        }
    )


def outcomes(rng: np.random.Generator, t: pl.DataFrame, period: Period) -> pl.DataFrame:
    """Channel, priority, escalation, handle time, reply/resolution times, reopens, CSAT and QA per ticket."""
    k = t.height
    bot = t["bot"].to_numpy()
    cx = t["is_complex"].to_numpy()
    pol = t["is_policy"].to_numpy()
    tier = t["tier"].to_numpy()
    skill = t["skill"].to_numpy()
    frac = t["month"].to_numpy() / max(1, period.n_months - 1)
    share = org.BOT_SHARE_START + (org.BOT_SHARE_END - org.BOT_SHARE_START) * frac
    handoff = ~bot & (tier == 1) & (rng.random(k) < 0.6 * share)
    channel = np.where(bot | handoff, 3, _choice(rng, np.tile([0.4, 0.35, 0.1, 0.15], (k, 1))))
    prio_cx = np.tile([0.1, 0.6, 0.25, 0.05], (k, 1))
    prio_easy = np.tile([0.25, 0.7, 0.05, 0.0], (k, 1))
    priority = _choice(rng, np.where(cx[:, None], prio_cx, prio_easy))
    escalated = ~bot & (tier >= 2) & (rng.random(k) < np.where(tier == 2, 0.6, 0.7))
    stations = np.where(escalated, np.where((tier == 3) & (rng.random(k) < 0.4), 3, 2), 1)
    base = np.where(cx, np.log(1500.0), np.where(pol, np.log(600.0), np.log(420.0)))
    log_ht = (
        base
        + 0.15 * (tier - 1)
        + np.select([channel == 2, channel == 1], [0.1, -0.1], 0.0)
        + 0.15 * (priority >= 2)
        - 0.18 * skill
        + 0.35 * np.exp(-t["tenure"].to_numpy() / 3.0)
        + 0.45 * rng.normal(size=k)
    )
    handle = np.where(bot, -1, np.round(np.exp(log_ht))).astype("int64")
    live = (channel == 1) | (channel == 2)
    frt = np.where(live, rng.lognormal(1.0, 0.7, k), rng.lognormal(np.log(90.0), 0.9, k)) * np.where(
        priority >= 2, 0.5, 1.0
    )
    frt = np.where(bot, rng.integers(0, 2, k), np.maximum(1, np.round(frt))).astype("int64")
    resolve_mu = np.where(cx, np.log(900.0), np.where(pol, np.log(240.0), np.log(60.0)))
    first_res = frt + np.round(np.where(bot, rng.integers(1, 15, k), rng.lognormal(resolve_mu, 0.8))).astype("int64")
    reopens = np.where(bot, 0, np.minimum(3, rng.poisson(0.06 * np.exp(0.6 * cx - 0.35 * skill)))).astype("int64")
    full_res = first_res + (reopens * rng.lognormal(np.log(600.0), 0.6, k)).astype("int64")
    replies = np.where(bot, 0, 1 + rng.poisson(0.8 + 1.2 * cx + reopens)).astype("int64")
    p_good = 1 / (1 + np.exp(-(2.0 + 0.6 * skill - 0.7 * cx - 2.2 * pol - 0.6 * (reopens > 0))))
    rated_u, offered_u = rng.random(k), rng.random(k)
    good = rng.random(k) < np.where(bot, 0.85, p_good)
    stars = np.clip(
        np.round(3.9 + 0.6 * skill - 0.5 * cx - 1.8 * pol - 0.4 * (reopens > 0) + 0.9 * rng.normal(size=k)), 1, 5
    )
    stars = np.where(bot, np.where(good, 5, 2), stars).astype("int64")
    qa = ~bot & (rng.random(k) < 0.03)
    qa_score = np.clip(np.round(72 + 9 * skill - 4 * cx + 12 * pol + 8 * rng.normal(size=k)), 0, 100).astype("int64")
    return t.with_columns(
        pl.Series("channel", channel),
        pl.Series("priority", priority),
        pl.Series("handoff", handoff),
        pl.Series("escalated", escalated),
        pl.Series("stations", stations),
        pl.Series("handle", handle),
        pl.Series("frt", frt),
        pl.Series("first_res", first_res),
        pl.Series("full_res", full_res),
        pl.Series("reopens", reopens),
        pl.Series("replies", replies),
        pl.Series("rated", rated_u < np.where(bot, 0.12, 0.22)),
        pl.Series("offered", offered_u < 0.125),
        pl.Series("good", good),
        pl.Series("stars", stars),
        pl.Series("qa", qa),
        pl.Series("qa_score", qa_score),
        pl.Series("qa_days", rng.integers(1, 11, k)),
        pl.Series("customer", rng.integers(0, 4000, k)),
        pl.Series("subject", rng.integers(0, 3, k)),
    )


def build_tickets(
    rng: np.random.Generator, agent_months: list[tuple], skill: np.ndarray, period: Period
) -> pl.DataFrame:
    """All conversations of the period, sorted by creation time, with their outcomes; one row per ticket."""
    am = pl.DataFrame(
        agent_months,
        schema=["idx", "month", "tier", "region", "first", "last", "n", "n_complex", "reviewer", "hire"],
        orient="row",
    )
    humans = human_tickets(rng, am, skill, period)
    per_month = np.bincount(humans["month"].to_numpy(), minlength=period.n_months)
    tickets = pl.concat([humans, bot_tickets(rng, per_month, period)])
    tickets = outcomes(rng, tickets, period)
    changeovers = dst_days(range(period.start.year - 1, period.end.year + 2))
    created = avoid_dst(tickets["created"].to_numpy().astype("datetime64[s]"), changeovers)
    tickets = tickets.with_columns(pl.Series("created", created.astype("datetime64[ms]")))
    order = np.lexsort((tickets["seq"].to_numpy(), tickets["agent"].to_numpy(), created))
    return tickets[order].with_columns(
        pl.Series("era_intercom", tickets[order]["month"].to_numpy() >= period.migration_index)
    )
