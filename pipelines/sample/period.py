"""The simulated calendar: months of the period, the helpdesk migration month, date helpers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

PERIOD_END = date(2026, 10, 31)


def add_months(d: date, n: int) -> date:
    """The first day of the month `n` months after the month of `d`."""
    k = d.year * 12 + d.month - 1 + n
    return date(k // 12, k % 12 + 1, 1)


def month_end(d: date) -> date:
    """The last day of the month of `d`."""
    return add_months(d, 1) - timedelta(days=1)


@dataclass(frozen=True)
class Period:
    """The months simulated: `n_months` months ending with the month of PERIOD_END."""

    n_months: int
    migration_index: int  # first month on Intercom

    @property
    def start(self) -> date:
        return add_months(PERIOD_END, 1 - self.n_months)

    @property
    def end(self) -> date:
        return PERIOD_END

    @property
    def migration(self) -> date:
        return self.month_start(self.migration_index)

    def month_start(self, i: int) -> date:
        return add_months(self.start, i)

    def month_end(self, i: int) -> date:
        return month_end(self.month_start(i))

    def label(self, i: int) -> str:
        d = self.month_start(i)
        return f"{d.year:04d}-{d.month:02d}"

    def index_of(self, d: date) -> int:
        s = self.start
        return (d.year - s.year) * 12 + d.month - s.month


def make_period(years: int) -> Period:
    """The period of `years` years ending 2026-10-31; Intercom from 2 years before the end (half way if short)."""
    n = 12 * years
    migration = n - 24 if years >= 4 else n // 2
    return Period(n_months=n, migration_index=migration)
