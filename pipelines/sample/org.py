"""The fixed shape of Acme Cloud: teams, titles, pay bands, ticket categories and the planted parameters."""

from __future__ import annotations

import math
from dataclasses import dataclass

COMPANY = "Acme Cloud"
DOMAIN = "acmecloud.example"
SUPPORT = "Customer Support"


@dataclass(frozen=True)
class Team:
    name: str
    tier: int | None  # ticket tier the team works; None for leadership / operations / embedded
    region: str
    opens_at: float  # fraction of the period after which the team exists
    has_lead: bool = True


# Agent headcount targets grow linearly over the period: scale x (start + growth x fraction), split by tier.
TARGET_START, TARGET_GROWTH = 0.16, 0.19
TIER_SHARE = {1: 0.58, 2: 0.28, 3: 0.14}
# A Team Lead per team of at most about LEAD_SPAN agents: a tier opens its next team when its target passes
# a multiple of the span, so spans of control stay between 6 and 12 whatever the organisation's size.
LEAD_SPAN = 11
TIER_REGIONS = {1: ("EMEA", "Americas", "APAC"), 2: ("EMEA", "Americas"), 3: ("EMEA",)}
OTHER_TEAMS = (
    Team("Support Operations", None, "EMEA", 0.0, has_lead=False),
    Team("Product Support", None, "EMEA", 0.0, has_lead=False),
    Team("Support Leadership", None, "EMEA", 0.0, has_lead=False),
)


def agent_targets(scale: int, frac: float) -> dict[int, int]:
    """Agents wanted per tier at this fraction of the period."""
    total = scale * (TARGET_START + TARGET_GROWTH * frac)
    return {tier: max(1, round(total * share)) for tier, share in TIER_SHARE.items()}


def _team_name(tier: int, region: str, n: int) -> str:
    base = "Support Engineering" if tier == 3 else f"Support - Tier {tier} {region}"
    return base if n == 1 else f"{base} {n}"


def support_teams(scale: int) -> tuple[Team, ...]:
    """Every team the organisation of this size ever has: per tier one team per LEAD_SPAN agents of its
    target, the k-th opening when the target passes (k - 1) x LEAD_SPAN; regions in turn; then the
    teams without a lead (operations, embedded product support, leadership)."""
    teams: list[Team] = []
    for tier, share in TIER_SHARE.items():
        final = max(1, math.ceil(scale * (TARGET_START + TARGET_GROWTH) * share / LEAD_SPAN))
        regions = TIER_REGIONS[tier]
        for k in range(1, final + 1):
            opens = ((k - 1) * LEAD_SPAN / (scale * share) - TARGET_START) / TARGET_GROWTH
            region = regions[(k - 1) % len(regions)]
            n = sum(1 for j in range(k) if regions[j % len(regions)] == region)
            teams.append(Team(_team_name(tier, region, n), tier, region, round(max(0.0, opens), 4)))
    return (*teams, *OTHER_TEAMS)


def n_weak_managers(scale: int) -> int:
    """Weak team leads planted among the first leads: 2 per 300 people, so about the same share of agents."""
    return max(2, round(scale * N_WEAK_MANAGERS / 300))


LOCATIONS = {
    "EMEA": ("Dublin", "Dublin", "London", "Lisbon"),
    "Americas": ("Austin", "Toronto"),
    "APAC": ("Singapore",),
}

S1, S2, SSS = "Customer Support Specialist 1", "Customer Support Specialist 2", "Senior Support Specialist"
CSE, SSE, PSE = "Customer Support Engineer", "Senior Support Engineer", "Product Support Engineer"
OPS, TL, SM, DIR = "Support Operations Specialist", "Team Lead", "Support Manager", "Director of Support"
TICKET_TITLES = (S1, S2, SSS, CSE, SSE)
MANAGEMENT = (TL, SM, DIR)
TECHNICAL = (CSE, SSE, PSE)

# Mid-points of the pay bands in the period's first year; min/max are -15% / +15%, bands rise 3% a year.
BAND_MID = {
    S1: 48000,
    S2: 56000,
    SSS: 66000,
    CSE: 76000,
    SSE: 94000,
    PSE: 100000,
    OPS: 70000,
    TL: 80000,
    SM: 105000,
    DIR: 140000,
    "Sales Development Representative": 52000,
    "Account Executive": 78000,
    "Sales Manager": 110000,
    "VP Sales": 170000,
    "Associate Product Manager": 80000,
    "Product Manager": 110000,
    "VP Product": 175000,
    "Software Engineer": 95000,
    "Senior Software Engineer": 125000,
    "Engineering Manager": 145000,
    "VP Engineering": 185000,
}
BAND_WIDTH = 0.15
BAND_GROWTH = 0.03

OTHER_DEPARTMENTS = {
    "Sales": (
        ("Sales - EMEA", "Sales - Americas"),
        ("Sales Development Representative", "Account Executive"),
        "VP Sales",
    ),
    "Product": (("Product",), ("Associate Product Manager", "Product Manager"), "VP Product"),
    "Engineering": (
        ("Engineering - Platform", "Engineering - Integrations"),
        ("Software Engineer", "Senior Software Engineer"),
        "VP Engineering",
    ),
}

EASY = ("Password Reset", "Account Access", "Billing Question", "How-to", "Plan Change")
POLICY = ("Refund Policy", "Pricing")
COMPLEX = ("Integration Issue", "API Error", "Data Import", "Bug Report", "Performance", "SSO Configuration")
CATEGORIES = EASY + POLICY + COMPLEX
SEGMENTS = ("SMB", "Mid-Market", "Enterprise")

# The planted story (all written to truth/story.json).
PROMOTION_GAP_GROUP = "Female"
PROMOTION_GAP_ODDS_RATIO = 0.6
OVERLOAD_THRESHOLD = 17  # complex tickets in a month
OVERLOAD_MONTHS = 3  # of the last 4 months above the threshold
BOT_SHARE_START, BOT_SHARE_END = 0.10, 0.45
N_WEAK_MANAGERS = 2  # per 300 people (n_weak_managers)

HAZARD_BASE_IC = -4.85
HAZARD_BASE_MANAGEMENT = -5.5
HAZARD_OTHER_DEPARTMENT = 0.011
DRIVER_WEIGHTS = {
    "tenure_early": 0.35,  # months 6-23 of a spell
    "tenure_long": -0.3,  # 48+ months
    "since_promotion": 0.8,  # per expected span beyond the expected months in the role, capped at 2 spans
    "no_growth": 0.7,
    "overload": 0.9,
    "weak_manager": 1.0,
    "pay_below_band": 8.0,  # times the relative gap beyond 4% below the band midpoint, capped at 1.0
    "teammate_exit": 0.15,  # per teammate voluntary exit in the last 6 months, capped at 3
}


def bot_share(frac: float) -> float:
    """Share of all conversations resolved by the bot at this fraction of the period."""
    return BOT_SHARE_START + (BOT_SHARE_END - BOT_SHARE_START) * frac


def category_mix(tier: int, frac: float) -> tuple[float, float, float]:
    """(easy, policy, complex) shares of human tickets for a tier: bots take the easy ones over time."""
    if tier == 1:
        easy = 0.55 - 0.7 * (bot_share(frac) - BOT_SHARE_START)
        return easy, 0.15, 1.0 - easy - 0.15
    if tier == 2:
        return 0.1, 0.1, 0.8
    return 0.02, 0.03, 0.95
