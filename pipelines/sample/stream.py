"""The sample organisation at benchmark scale, streamed: tickets built and written one month at a time.

`generate_sample` builds every ticket of the whole history in one frame (about 25 GB at 20 million
tickets). This driver reuses the same simulation and the same ticket and vendor-format functions, but
builds one month of tickets at a time and writes it as its own export file, the way vendors export
incrementally: `zendesk/tickets-YYYY-MM.csv.gz` before the helpdesk migration,
`intercom/conversations-YYYY-MM.csv.gz` after. Peak memory follows the simulation (people x months)
and the largest month, never the whole ticket history.

The draws differ from `generate_sample` (each month has its own random stream), so the streamed
organisation is statistically the same but not byte-identical to the bundled sample, which
`generate_sample` alone produces. Ticket ids continue across months exactly as in one export.
truth/person_months.csv is not written (the benchmark does not read it); story.json and the
other truth files are.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

import numpy as np
import polars as pl

from pipelines.config import load_settings
from pipelines.sample import bamboohr, helpdesk
from pipelines.sample.careers import Simulation
from pipelines.sample.generate import (
    INTERCOM_FIRST_ID,
    SAMPLE_PEOPLE,
    SAMPLE_SEED,
    STEP_CAREERS,
    STEP_CUSTOMERS,
    STEP_HELPDESK,
    STEP_TICKETS,
    STEP_WORK,
    ZENDESK_FIRST_ID,
    _agents_truth,
    _hr_files,
    _rng,
    _story,
    backtest_leavers,
)
from pipelines.sample.io import write_bytes, write_csv, write_json
from pipelines.sample.names import FEMALE, LAST, MALE, NEUTRAL
from pipelines.sample.others import add_other_departments
from pipelines.sample.people import History
from pipelines.sample.period import Period, make_period
from pipelines.sample.readme import readme_text, settings_text
from pipelines.sample.tickets import build_tickets
from pipelines.sample.truth import stalled

log = logging.getLogger(__name__)
Progress = Callable[[str, float, float | None], None]


class _ScaledSimulation(Simulation):
    """The sample's simulation with room for tens of thousands of unique names.

    The name pools give about 14,000 distinct `First Last` names; past that the plain draw would
    never find a free one. After a few collisions the last name becomes double-barrelled
    (122 x 122 more combinations per first name).
    """

    def _draw_name(self, gender: str) -> tuple[str, str]:
        pool = {"Female": FEMALE, "Male": MALE, "Non-binary": NEUTRAL}.get(gender, FEMALE + MALE)
        tries = 0
        while True:
            first, last = pool[int(self.rng.integers(len(pool)))], LAST[int(self.rng.integers(len(LAST)))]
            if tries >= 8:
                last = f"{last}-{LAST[int(self.rng.integers(len(LAST)))]}"
            tries += 1
            if f"{first} {last}" not in self.names:
                self.names.add(f"{first} {last}")
                return first, last


def _simulate(seed: int, people: int, period: Period, progress: Progress | None) -> History:
    """`generate.simulate` with the scaled simulation (same steps, same random streams)."""
    sim = _ScaledSimulation(_rng(seed, STEP_CAREERS), period, people, work_rng=_rng(seed, STEP_WORK))
    add_other_departments(sim, round(people * 0.4))
    return sim.run(progress)


def _month_rng(seed: int, month: int) -> np.random.Generator:
    """An independent random stream per month of tickets."""
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, STEP_TICKETS, month])))


def _busy_zendesk_agents(agent_months: list[tuple], migration_index: int) -> pl.DataFrame:
    """The (agent, era_intercom) pairs `assign_accounts` reads: agents with tickets before the migration."""
    agents = sorted({r[0] for r in agent_months if r[1] < migration_index and r[6] > 0})
    return pl.DataFrame(
        {"agent": agents, "era_intercom": [False] * len(agents)}, schema={"agent": pl.Int64, "era_intercom": pl.Boolean}
    )


def stream_sample(
    out_dir: Path,
    *,
    seed: int = SAMPLE_SEED,
    people: int = SAMPLE_PEOPLE,
    years: int = 6,
    progress: Progress | None = None,
) -> dict[str, int | str]:
    """Generate the organisation into `out_dir` with one ticket export per month; returns the counts."""
    out_dir = Path(out_dir)
    period = make_period(years)
    settings = load_settings(None)
    h = _simulate(seed, people, period, progress)
    numbers = bamboohr.employee_numbers(h)
    skill = np.array([p.skill for p in h.persons] + [0.0])
    acc = helpdesk.assign_accounts(
        np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, STEP_HELPDESK]))),
        h,
        period,
        _busy_zendesk_agents(h.agent_months, period.migration_index),
    )
    customers = helpdesk.customers(np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, STEP_CUSTOMERS]))))
    by_month: dict[int, list[tuple]] = defaultdict(list)
    for row in h.agent_months:
        by_month[row[1]].append(row)
    counts = {"tickets_zendesk": 0, "tickets_intercom": 0, "tickets_bot_resolved": 0, "tickets_escalated": 0}
    bot_share: dict[str, float] = {}
    qa_parts: list[pl.DataFrame] = []
    for m in range(period.n_months):
        if progress is not None:
            progress("tickets by month", m, period.n_months)
        rows = by_month.pop(m, [])
        if not rows:
            continue
        t = build_tickets(_month_rng(seed, m), rows, skill, period)
        label = period.label(m)
        bot = t["bot"].to_numpy()
        bot_share[label] = round(float(bot.mean()), 4)
        counts["tickets_bot_resolved"] += int(bot.sum())
        counts["tickets_escalated"] += int((t["escalated"].to_numpy() & ~bot).sum())
        if m < period.migration_index:
            ids = ZENDESK_FIRST_ID + counts["tickets_zendesk"] + np.arange(t.height)
            frame = helpdesk.zendesk_tickets(t, h, acc, customers, period, int(ids[0]))
            write_csv(frame, out_dir / "zendesk" / f"tickets-{label}.csv.gz")
            qa_parts.append(helpdesk.qa_reviews(t, ids, "zendesk", numbers, period))
            counts["tickets_zendesk"] += t.height
        else:
            ids = INTERCOM_FIRST_ID + 3 * (counts["tickets_intercom"] + np.arange(t.height))
            frame = helpdesk.intercom_conversations(t, h, acc, customers, period, int(ids[0]))
            write_csv(frame, out_dir / "intercom" / f"conversations-{label}.csv.gz")
            qa_parts.append(helpdesk.qa_reviews(t, ids, "intercom", numbers, period))
            counts["tickets_intercom"] += t.height
        del t, frame
    h.agent_months.clear()
    qa = pl.concat(qa_parts) if qa_parts else pl.DataFrame()
    truth_stalled = stalled(h, settings, period.end)
    terminated = [s for s in h.statuses if s[2] == "Terminated" and h.persons[s[0]].ever_support]
    counts = {
        "people": len(h.persons),
        "support_people": sum(p.ever_support for p in h.persons),
        "job_events": len(h.jobs) + sum(1 for s in h.statuses if s[2] == "Terminated"),
        "exits_voluntary": sum(1 for s in terminated if s[3] == "Voluntary"),
        "exits_involuntary": sum(1 for s in terminated if s[3] == "Involuntary"),
        "transfers_out": sum(1 for j in h.jobs if j[8] == "Transfer"),
        "rehires": sum(1 for j in h.jobs if j[8] == "Rehire"),
        "promotions": sum(1 for j in h.jobs if j[8] == "Promotion" and h.persons[j[0]].ever_support),
        "stalled_at_end": len(truth_stalled),
        **counts,
        "qa_reviews": qa.height,
    }
    files: dict[str, pl.DataFrame | dict] = dict(_hr_files(h, numbers, period))
    files["zendesk/users.json"] = helpdesk.zendesk_users(h, acc, period)
    files["intercom/admins.json"] = helpdesk.intercom_admins(h, acc)
    files["canonical/qa_reviews.csv"] = qa
    files["truth/agents.csv"] = _agents_truth(h, numbers, acc)
    quirks = {numbers[i]: kind for i, kind in sorted(acc.quirks.items(), key=lambda kv: int(numbers[kv[0]]))}
    story = _story(
        seed, people, years, period, h, numbers, {"bot_share": bot_share, "quirks": quirks, "counts": counts}
    )
    story["backtest_leavers"] = backtest_leavers(h, period)
    files["truth/story.json"] = story
    for name, content in sorted(files.items()):
        if isinstance(content, pl.DataFrame):
            write_csv(content, out_dir / name)
        else:
            write_json(content, out_dir / name)
    write_bytes(settings_text(acc.personal).encode("utf-8"), out_dir / "tenure.toml")
    write_bytes(readme_text(story).encode("utf-8"), out_dir / "README.md")
    if progress is not None:
        progress("tickets by month", period.n_months, period.n_months)
    log.info("streamed sample organisation written to %s", out_dir)
    return {**counts, "seed": seed, "period": f"{period.start.isoformat()} .. {period.end.isoformat()}"}
