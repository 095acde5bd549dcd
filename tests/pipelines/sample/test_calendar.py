"""The fixed period, the helpdesk migration, and Europe/Dublin changeover hours kept out of the exports."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from pipelines.sample.period import make_period
from pipelines.sample.tickets import avoid_dst, dst_days

from .conftest import read


@pytest.mark.parametrize(
    ("years", "start", "migration"),
    [
        (6, date(2020, 11, 1), date(2024, 11, 1)),
        (4, date(2022, 11, 1), date(2024, 11, 1)),
        (2, date(2024, 11, 1), date(2025, 11, 1)),
        (3, date(2023, 11, 1), date(2025, 5, 1)),
    ],
)
def test_period_ends_2026_10_31_and_migrates_two_years_before(years: int, start: date, migration: date):
    p = make_period(years)
    assert (p.start, p.end, p.migration) == (start, date(2026, 10, 31), migration)
    assert p.label(p.n_months - 1) == "2026-10"


def test_dublin_changeover_days_and_the_shift_away_from_them():
    days = dst_days(range(2024, 2025))
    assert days.astype(str).tolist() == ["2024-03-31", "2024-10-27"]
    ts = np.array(["2024-03-31T01:30:00", "2024-10-27T02:10:00", "2024-10-28T01:30:00"], dtype="datetime64[s]")
    assert avoid_dst(ts, days).astype(str).tolist() == [
        "2024-03-31T04:30:00",
        "2024-10-27T05:10:00",
        "2024-10-28T01:30:00",
    ]


def test_no_export_time_falls_in_a_changeover_hour(sample_dir: Path):
    changeovers = set(dst_days(range(2020, 2027)).astype(str).tolist())
    z = read(sample_dir / "zendesk/tickets.csv.gz").select("Created at", "Solved at", "Updated at")
    i = read(sample_dir / "intercom/conversations.csv.gz").select(pl.col("^Conversation .* at .*$"))
    for frame in (z, i):
        for col in frame.columns:
            s = frame[col].drop_nulls()
            bad = s.filter(s.str.slice(0, 10).is_in(list(changeovers)) & (s.str.slice(11, 2) < "03"))
            assert bad.len() == 0, col


def test_generator_ladder_matches_the_default_settings():
    # the simulation's levels and expected months must be the documented default ladder
    from pipelines.config import load_settings
    from pipelines.sample.careers import EXPECTED, LEVEL

    ladder = load_settings(None).ladder
    assert LEVEL == {r.title: r.level for r in ladder}
    assert EXPECTED == {r.title: r.expected_months for r in ladder}
