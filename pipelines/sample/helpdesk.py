"""Helpdesk accounts and the vendor-shaped ticket frames: Zendesk admin CSV export, Intercom report export."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import polars as pl

from pipelines.sample import org
from pipelines.sample.names import FEMALE, LAST, MALE, companies
from pipelines.sample.people import History, Person
from pipelines.sample.period import Period
from pipelines.sample.tickets import avoid_dst, dst_days

ZENDESK_COLUMNS = (
    "Summation column,Id,Requester,Requester id,Requester external id,Requester email,Requester domain,Submitter,"
    "Assignee,Group,Subject,Tags,Status,Priority,Via,Ticket type,Created at,Updated at,Assigned at,Organization,"
    "Due date,Initially assigned at,Solved at,Resolution time,Satisfaction Score,Group stations,Assignee stations,"
    "Reopens,Replies,First reply time in minutes,First reply time in minutes within business hours,"
    "First resolution time in minutes,First resolution time in minutes within business hours,"
    "Full resolution time in minutes,Full resolution time in minutes within business hours,"
    "Agent wait time in minutes,Agent wait time in minutes within business hours,Requester wait time in minutes,"
    "Requester wait time in minutes within business hours,On hold time in minutes,"
    "On hold time in minutes within business hours,Ticket Category [list],Customer Segment [list],"
    "Total time spent (sec)"
).split(",")
TZ = "Europe/Dublin"
INTERCOM_COLUMNS = (
    f"Conversation ID,Conversation started at ({TZ}),Conversation created at ({TZ}),"
    f"Conversation updated at ({TZ}),Started by,Conversation source,Channel,Current conversation state,"
    "Teammate currently assigned,Teammate currently assigned ID,Team currently assigned,Team currently assigned ID,"
    "Conversation tag,Topics,Conversation rating,Conversation rating remark,Last teammate rated,Resolved by,"
    "First response time (seconds),Fin AI Agent involved,Fin AI Agent deflected,Fin AI Agent resolution state,"
    f"Ticket category,Ticket last resolved ({TZ}),Ticket time to resolve (seconds),Handling time (seconds),"
    "Company name,Priority"
).split(",")
ZENDESK_GROUPS = {1: "Tier 1 - General", 2: "Tier 2 - Technical", 3: "Tier 3 - Advanced"}
INTERCOM_TEAM_IDS = {1: "7100001", 2: "7100002", 3: "7100003"}
ANSWER_BOT_ID = 3600001
FIN_ID = "5000001"
SUBJECTS = ("Question about {}", "Help needed: {}", "{} - please advise")


def _letters(s: str) -> str:
    return re.sub(r"[^a-z]", "", s.lower())


def work_email(p: Person) -> str:
    """first.last@acmecloud.example, lower-case, letters only."""
    return f"{_letters(p.first)}.{_letters(p.last)}@{org.DOMAIN}"


def _scaled(x: np.ndarray, factor: float) -> np.ndarray:
    """Whole minutes: x times factor, rounded (business-hours figures, waits)."""
    return np.round(x * factor).astype("int64")


@dataclass
class Accounts:
    """Helpdesk user ids and exported emails for the people who worked in support in each era."""

    zendesk: dict[int, int] = field(default_factory=dict)
    intercom: dict[int, str] = field(default_factory=dict)
    zendesk_email: dict[int, str] = field(default_factory=dict)
    personal: dict[str, str] = field(default_factory=dict)  # helpdesk email -> work email
    quirks: dict[int, str] = field(default_factory=dict)  # idx -> what is odd about the email


def assign_accounts(rng: np.random.Generator, h: History, period: Period, tickets: pl.DataFrame) -> Accounts:
    """Give everyone in support during an era an account there; plant the three email quirks in Zendesk."""
    acc = Accounts()
    zen = sorted({r[0] for r in h.person_months if r[2] == 1 and r[1] < period.migration_index})
    inter = sorted({r[0] for r in h.person_months if r[2] == 1 and r[1] >= period.migration_index})
    for k, idx in enumerate(zen):
        acc.zendesk[idx] = ANSWER_BOT_ID + 1 + k
        acc.zendesk_email[idx] = work_email(h.persons[idx])
    for k, idx in enumerate(inter):
        acc.intercom[idx] = str(5012301 + 7 * k)
    busy = tickets.filter(~pl.col("era_intercom") & (pl.col("agent") >= 0))["agent"].unique().sort().to_list()
    picks = [busy[int(j)] for j in rng.choice(len(busy), size=min(3, len(busy)), replace=False)]
    for n, idx in enumerate(picks):
        email = acc.zendesk_email[idx]
        p = h.persons[idx]
        if n == 0:
            acc.zendesk_email[idx] = email[0].upper() + email[1:].replace(org.DOMAIN, "AcmeCloud.example")
            acc.quirks[idx] = "case"
        elif n == 1:
            acc.zendesk_email[idx] = f" {email} "
            acc.quirks[idx] = "whitespace"
        else:
            personal = f"{re.sub(r'[^a-z]', '', p.first.lower())}{re.sub(r'[^a-z]', '', p.last.lower())}{int(rng.integers(10, 99))}@mailbox.example"
            acc.zendesk_email[idx] = personal
            acc.personal[personal] = email
            acc.quirks[idx] = "personal"
    return acc


def _fmt(ts: np.ndarray) -> pl.Series:
    return pl.Series(ts.astype("datetime64[ms]")).dt.strftime("%Y-%m-%d %H:%M:%S")


def _times(t: pl.DataFrame, period: Period, export_at: np.datetime64) -> dict[str, np.ndarray]:
    """Derived local times: first reply, assignment, solved, updated; and whether the ticket is closed."""
    changeovers = dst_days(range(period.start.year - 1, period.end.year + 2))
    created = t["created"].to_numpy().astype("datetime64[s]")
    solved = avoid_dst(created + (t["full_res"].to_numpy() * 60).astype("timedelta64[s]"), changeovers)
    assigned = avoid_dst(
        created + np.minimum(t["frt"].to_numpy(), 5).astype("timedelta64[m]").astype("timedelta64[s]"), changeovers
    )
    closed = solved + np.timedelta64(4, "D") < export_at
    updated = avoid_dst(
        np.where(closed, solved + np.timedelta64(4, "D"), solved + np.timedelta64(600, "s")), changeovers
    )
    return {"created": created, "solved": solved, "assigned": assigned, "updated": updated, "closed": closed}


def customers(rng: np.random.Generator) -> dict[str, np.ndarray]:
    """4,000 requesters at customer companies: names, emails, ids, company, segment."""
    comps = companies()
    comp = rng.integers(0, len(comps), 4000)
    seg = rng.choice(len(org.SEGMENTS), len(comps), p=[0.6, 0.3, 0.1])
    firsts = np.array(FEMALE + MALE)[rng.integers(0, len(FEMALE) + len(MALE), 4000)]
    lasts = np.array(LAST)[rng.integers(0, len(LAST), 4000)]
    names = np.char.add(np.char.add(firsts, " "), lasts)
    domains = np.array([d for _n, d in comps])[comp]
    local = np.char.add(np.char.lower(firsts.astype(str)), np.arange(4000).astype(str))
    return {
        "name": names,
        "id": (361000000000 + 17 * np.arange(4000)).astype(str),
        "email": np.char.add(np.char.add(local, "@"), domains),
        "domain": domains,
        "company": np.array([n for n, _d in comps])[comp],
        "segment": np.array(org.SEGMENTS)[seg[comp]],
    }


def _pick(values: list[str] | np.ndarray, idx: np.ndarray) -> pl.Series:
    """values[idx] as a String series (a gather, no per-row Python strings)."""
    return pl.Series(values, dtype=pl.String).gather(idx)


def _num(x: np.ndarray) -> pl.Series:
    """Integers written as digits."""
    return pl.Series(x).cast(pl.String)


def _blank(s: pl.Series, mask: np.ndarray) -> pl.Series:
    """The series with an empty string where `mask` is true."""
    return s.zip_with(pl.Series(~mask), pl.repeat("", len(s), eager=True))


def _const(value: str, k: int) -> pl.Series:
    return pl.repeat(value, k, eager=True)


def _agent_index(agent: np.ndarray, n_people: int) -> np.ndarray:
    """Agent idx for a lookup list with a trailing empty entry for bot tickets (agent -1)."""
    return np.where(agent < 0, n_people, agent)


def zendesk_tickets(
    t: pl.DataFrame, h: History, acc: Accounts, customers: dict[str, np.ndarray], period: Period, first_id: int
) -> pl.DataFrame:
    """The Zendesk Support CSV export: one row per ticket, columns and values as Zendesk writes them."""
    k = t.height
    export_at = np.datetime64(period.migration, "s") + np.timedelta64(14, "D")
    tm = _times(t, period, export_at)
    bot, agent, cust = t["bot"].to_numpy(), t["agent"].to_numpy(), t["customer"].to_numpy()
    category, seq = t["category"].to_numpy(), t["seq"].to_numpy()
    esc, handoff = t["escalated"].to_numpy(), t["handoff"].to_numpy()
    slugs = [c.lower().replace(" ", "_").replace("-", "_") for c in org.CATEGORIES]
    segment = _pick(customers["segment"], cust)
    segment_slug = segment.str.to_lowercase().str.replace_all("-", "_")
    bot_tag = np.where(bot, 2, np.where(handoff, 1, 0))
    tags = (
        _pick(slugs, category)
        + _pick(["", " escalated"], esc.astype("int64"))
        + _pick(["", " answerbot_handoff", " answerbot_resolved"], bot_tag)
        + _const(" ", k)
        + segment_slug
    )
    channel = t["channel"].to_numpy()
    via = np.where(bot, 5, np.where(handoff, 4, channel))
    vias = ["Email", "Chat", "Phone call (incoming)", "Web Form", "Web Widget", "Answer Bot for Web Widget"]
    prio = np.where(seq % 23 == 5, 4, t["priority"].to_numpy())
    cx = t["is_complex"].to_numpy()
    ttype = np.where(cx, np.where(seq % 10 == 3, 2, 1), 0)
    rated, good, offered = t["rated"].to_numpy(), t["good"].to_numpy(), t["offered"].to_numpy()
    csat = np.where(rated, np.where(good, 0, 1), np.where(offered & ~bot, 2, 3))
    frt, first_res, full_res = (t[c].to_numpy() for c in ("frt", "first_res", "full_res"))
    live = (channel == 1) | (channel == 2)
    hold = np.where((t["tier"].to_numpy() == 3) & cx, _scaled(full_res, 0.1), 0)
    subjects = [s.format(c) for c in org.CATEGORIES for s in SUBJECTS]
    names = [p.name for p in h.persons] + [""]
    stations = t["stations"].to_numpy()
    requester = _pick(customers["name"], cust)
    assigned = _blank(_fmt(tm["assigned"]), bot)
    cols = {
        "Summation column": _const("1", k),
        "Id": _num(first_id + np.arange(k)),
        "Requester": requester,
        "Requester id": _pick(customers["id"], cust),
        "Requester external id": _const("", k),
        "Requester email": _pick(customers["email"], cust),
        "Requester domain": _pick(customers["domain"], cust),
        "Submitter": requester,
        "Assignee": _pick(names, _agent_index(agent, len(h.persons))),
        "Group": _pick(["", *ZENDESK_GROUPS.values()], t["tier"].to_numpy()),
        "Subject": _pick(subjects, category * len(SUBJECTS) + t["subject"].to_numpy()),
        "Tags": tags,
        "Status": _pick(["solved", "closed"], tm["closed"].astype("int64")),
        "Priority": _pick(["low", "normal", "high", "urgent", ""], prio),
        "Via": _pick(vias, via),
        "Ticket type": _pick(["question", "incident", "problem"], ttype),
        "Created at": _fmt(tm["created"]),
        "Updated at": _fmt(tm["updated"]),
        "Assigned at": assigned,
        "Organization": _pick(customers["company"], cust),
        "Due date": _const("", k),
        "Initially assigned at": assigned,
        "Solved at": _fmt(tm["solved"]),
        "Resolution time": _num(np.round(full_res / 60).astype("int64")),
        "Satisfaction Score": _pick(["Good", "Bad", "Offered", "Not Offered"], csat),
        "Group stations": _num(stations),
        "Assignee stations": _num(np.where(bot, 0, stations)),
        "Reopens": _num(t["reopens"].to_numpy()),
        "Replies": _num(t["replies"].to_numpy()),
        "First reply time in minutes": _num(frt),
        "First reply time in minutes within business hours": _num(np.where(live, frt, _scaled(frt, 0.6))),
        "First resolution time in minutes": _num(first_res),
        "First resolution time in minutes within business hours": _num(_scaled(first_res, 0.45)),
        "Full resolution time in minutes": _num(full_res),
        "Full resolution time in minutes within business hours": _num(_scaled(full_res, 0.45)),
        "Agent wait time in minutes": _num(_scaled(full_res, 0.15)),
        "Agent wait time in minutes within business hours": _num(_scaled(full_res, 0.07)),
        "Requester wait time in minutes": _num(_scaled(full_res, 0.7)),
        "Requester wait time in minutes within business hours": _num(_scaled(full_res, 0.32)),
        "On hold time in minutes": _num(hold),
        "On hold time in minutes within business hours": _num(_scaled(hold, 0.45)),
        "Ticket Category [list]": _pick(list(org.CATEGORIES), category),
        "Customer Segment [list]": segment,
        "Total time spent (sec)": _blank(_num(t["handle"].to_numpy()), bot),
    }
    return pl.DataFrame(cols).select(ZENDESK_COLUMNS)


def intercom_conversations(
    t: pl.DataFrame, h: History, acc: Accounts, customers: dict[str, np.ndarray], period: Period, first_id: int
) -> pl.DataFrame:
    """The Intercom Conversations report export: one row per conversation, Europe/Dublin times."""
    k = t.height
    export_at = np.datetime64(period.end, "s") + np.timedelta64(1, "D")
    tm = _times(t, period, export_at)
    bot, agent, cust = t["bot"].to_numpy(), t["agent"].to_numpy(), t["customer"].to_numpy()
    who = _agent_index(agent, len(h.persons))
    name = _pick([p.name for p in h.persons] + [""], who)
    admin_id = _pick([acc.intercom.get(i, "") for i in range(len(h.persons))] + [""], who)
    tier = np.where(bot, 0, t["tier"].to_numpy())
    handoff = t["handoff"].to_numpy()
    chan = np.where(bot | handoff, 1, t["channel"].to_numpy())
    rated = t["rated"].to_numpy()
    stars = t["stars"].to_numpy()
    remark = rated & t["is_policy"].to_numpy() & (stars <= 2)
    fin_state = np.where(handoff, 3, np.where(bot, np.where(t["good"].to_numpy(), 1, 2), 0))
    created = _fmt(tm["created"])
    cols = {
        "Conversation ID": _num(first_id + 3 * np.arange(k)),
        f"Conversation started at ({TZ})": created,
        f"Conversation created at ({TZ})": created,
        f"Conversation updated at ({TZ})": _fmt(tm["updated"]),
        "Started by": _const("User", k),
        "Conversation source": _pick(["Email", "Messenger", "Phone call", "WhatsApp"], chan),
        "Channel": _pick(["Email", "Chat", "Phone", "WhatsApp"], chan),
        "Current conversation state": _const("closed", k),
        "Teammate currently assigned": name,
        "Teammate currently assigned ID": admin_id,
        "Team currently assigned": _pick(["", "Tier 1", "Tier 2", "Tier 3"], tier),
        "Team currently assigned ID": _pick(["", *INTERCOM_TEAM_IDS.values()], tier),
        "Conversation tag": _pick(["", "Escalated"], t["escalated"].to_numpy().astype("int64")),
        "Topics": _pick(list(org.CATEGORIES), t["category"].to_numpy()),
        "Conversation rating": _blank(_num(stars), ~rated),
        "Conversation rating remark": _pick(["", "Not happy with the policy"], remark.astype("int64")),
        "Last teammate rated": _blank(name, ~(rated & ~bot)),
        "Resolved by": _blank(name, bot).zip_with(pl.Series(~bot), _const("Fin AI Agent", k)),
        "First response time (seconds)": _num(t["frt"].to_numpy() * 60),
        "Fin AI Agent involved": _pick(["false", "true"], (bot | handoff).astype("int64")),
        "Fin AI Agent deflected": _pick(["false", "true"], bot.astype("int64")),
        "Fin AI Agent resolution state": _pick(
            ["", "Confirmed resolution", "Assumed resolution", "Routed to team"], fin_state
        ),
        "Ticket category": _pick(["Customer", ""], bot.astype("int64")),
        f"Ticket last resolved ({TZ})": _fmt(tm["solved"]),
        "Ticket time to resolve (seconds)": _num(t["full_res"].to_numpy() * 60),
        "Handling time (seconds)": _blank(_num(t["handle"].to_numpy()), bot),
        "Company name": _pick(customers["company"], cust),
        "Priority": _pick(["Not priority", "Priority"], (t["priority"].to_numpy() >= 2).astype("int64")),
    }
    return pl.DataFrame(cols).select(INTERCOM_COLUMNS)


def qa_reviews(
    t: pl.DataFrame, ticket_ids: np.ndarray, source: str, numbers: list[str], period: Period
) -> pl.DataFrame:
    """canonical/qa_reviews rows for the sampled human tickets: reviewed some days after solving, UTC."""
    pick = t["qa"].to_numpy()
    created = t["created"].to_numpy().astype("datetime64[s]")[pick]
    solved_day = (created + (t["full_res"].to_numpy()[pick] * 60).astype("timedelta64[s]")).astype("datetime64[D]")
    local = (solved_day + t["qa_days"].to_numpy()[pick]).astype("datetime64[s]") + np.timedelta64(10 * 3600, "s")
    utc = (
        pl.Series(local.astype("datetime64[ms]"))
        .dt.replace_time_zone(TZ)
        .dt.convert_time_zone("UTC")
        .dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    )
    reviewers = np.array(numbers)[t["reviewer"].to_numpy()[pick]]
    return pl.DataFrame(
        {
            "source_system": [source] * int(pick.sum()),
            "ticket_id": ticket_ids[pick].astype(str),
            "reviewed_at": utc,
            "score": t["qa_score"].to_numpy()[pick].astype(str),
            "reviewer_id": reviewers,
        }
    )


def zendesk_users(h: History, acc: Accounts, period: Period) -> dict:
    """zendesk/users.json in the API's shape: the Answer Bot, then people in id order."""
    last_month = period.migration_index - 1
    active = {r[0] for r in h.person_months if r[1] == last_month and r[2] == 1 and not r[11]}
    active &= {p.idx for p in h.persons if p.exit is None or p.exit >= period.migration or p.hire >= period.migration}
    users = [_zuser(ANSWER_BOT_ID, "Answer Bot", "answerbot@zendesk.example", "agent", True, period.start)]
    for idx, uid in sorted(acc.zendesk.items(), key=lambda kv: kv[1]):
        p = h.persons[idx]
        role = "admin" if any(j[0] == idx and j[5] in org.MANAGEMENT for j in h.jobs) else "agent"
        since = max(p.original_hire, period.start - timedelta(days=365 * 3))
        users.append(_zuser(uid, p.name, acc.zendesk_email[idx], role, idx in active, since))
    return {"users": users, "next_page": None, "count": len(users)}


def _zuser(uid: int, name: str, email: str, role: str, active: bool, since: date) -> dict:
    return {
        "id": uid,
        "name": name,
        "email": email,
        "role": role,
        "active": active,
        "created_at": f"{since.isoformat()}T09:00:00Z",
    }


def intercom_admins(h: History, acc: Accounts) -> dict:
    """intercom/admins.json in the GET /admins shape: Fin AI Agent (type bot) first, then teammates."""
    admins = [
        {
            "type": "bot",
            "id": FIN_ID,
            "name": "Fin AI Agent",
            "email": "fin@intercom.example",
            "away_mode_enabled": False,
            "has_inbox_seat": False,
            "team_ids": [],
        }
    ]
    for idx, aid in sorted(acc.intercom.items(), key=lambda kv: int(kv[1])):
        p = h.persons[idx]
        tier = p.tier if p.in_support else None
        admins.append(
            {
                "type": "admin",
                "id": aid,
                "name": p.name,
                "email": work_email(p),
                "away_mode_enabled": False,
                "has_inbox_seat": p.in_support,
                "team_ids": [INTERCOM_TEAM_IDS[tier]] if tier else [],
            }
        )
    return {"type": "admin.list", "admins": admins}
