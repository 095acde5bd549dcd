"""The model's inputs in one place: feature names, plain-words labels and units, forbidden columns.

The person-month panel (one row per person per month employed in support) is the only input.
Every other module reads the feature list from here, so reconciling names with the mart means
editing this file alone.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import polars as pl


@dataclass(frozen=True)
class Feature:
    name: str
    label: str
    unit: str
    kind: str = "numeric"  # numeric | categorical
    ages: bool = False  # grows by one each month when features are projected forward
    spline: bool = False  # the linear model may bend on this feature (time since something)


FEATURES: tuple[Feature, ...] = (
    Feature("tenure_months", "time in support", "months", ages=True, spline=True),
    Feature("months_in_level", "time at the current level", "months", ages=True, spline=True),
    Feature("months_since_promotion", "time since the last promotion", "months", ages=True, spline=True),
    # Derived when absent: months_in_level minus the ladder's expected_months for the title
    # (settings [[ladder]]); null (no effect) for roles off the ladder or without settings.
    # Linear: share_beyond_expected carries the bend; a second spline on the same quantity
    # doubled the parameters spent on one topic (and cost ROC AUC on the sample).
    Feature(
        "months_beyond_expected",
        "time at the level beyond the ladder's expected time",
        "months",
        ages=True,
    ),
    # Derived with months_beyond_expected: the same, in units of the expected time, capped at 2
    # (18 months over on a 12-month step weighs like 36 over on a 24-month step). Held, not aged,
    # in the projection.
    Feature(
        "share_beyond_expected",
        "time at the level beyond the ladder's expected time",
        "multiples of the expected time",
        spline=True,
    ),
    Feature("growth_activities_6m", "growth activities in the last 6 months", "activities"),
    Feature("growth_activities_12m", "growth activities in the last 12 months", "activities"),
    Feature("rating", "latest performance rating", "points on a 1-5 scale"),
    Feature("pay_position_in_band", "position in the pay band", "share of the band (0 = minimum, 1 = maximum)"),
    Feature("tickets_handled", "tickets handled in the month", "tickets"),
    Feature("complex_ticket_share", "share of complex tickets", "share of tickets"),
    Feature("workload_ratio", "load compared with the team's median", "times the team median"),
    Feature("manager_changes_12m", "manager changes in the last 12 months", "changes"),
    Feature("teammates_left_6m", "teammates who left in the last 6 months", "people"),
    # Optional (null when the panel lacks them): the drivers of leaving that need more than one
    # person-month to measure. See docs/model.md.
    Feature("months_without_growth", "time since the last growth activity", "months", ages=True, spline=True),
    Feature("pay_gap_to_midpoint", "pay below the band midpoint", "share of the midpoint", spline=True),
    Feature(
        "complex_tickets_3_of_4m",
        "complex tickets reached in at least 3 of the last 4 months",
        "complex tickets a month",
        spline=True,
    ),
    Feature("teammates_left_voluntarily_6m", "teammates who resigned in the last 6 months", "people"),
    Feature(
        "manager_exit_ratio_12m",
        "resignations under the same manager in the last 12 months, against the organisation's rate",
        "times the organisation's rate (shrunk towards 1 for small teams)",
    ),
    Feature("level", "level", "", kind="categorical"),
    Feature("track", "track", "", kind="categorical"),
    Feature("tier", "tier", "", kind="categorical"),
)

FEATURE_NAMES: tuple[str, ...] = tuple(f.name for f in FEATURES)
NUMERIC: tuple[str, ...] = tuple(f.name for f in FEATURES if f.kind == "numeric")
CATEGORICAL: tuple[str, ...] = tuple(f.name for f in FEATURES if f.kind == "categorical")
AGING: tuple[str, ...] = tuple(f.name for f in FEATURES if f.ages)
BY_NAME: dict[str, Feature] = {f.name: f for f in FEATURES}

ID = "employee_id"
MONTH = "month"
OUTCOME = "exit_type_next_month"
# "unknown": an exit the HR export gave no type; like involuntary and transfer_out it censors.
EXIT_TYPES: tuple[str, ...] = ("voluntary", "involuntary", "transfer_out", "unknown")
TARGET_EXIT = "voluntary"

# Attributes that may travel in the panel for fairness cuts but must never reach a model, nor
# anything that is a well-known proxy for them.
FORBIDDEN: frozenset[str] = frozenset(
    {
        "gender",
        "location",
        "age",
        "age_band",
        "birth_date",
        "date_of_birth",
        "ethnicity",
        "race",
        "is_remote",
        "nationality",
        "disability",
        "religion",
        "marital_status",
    }
)

DERIVED: tuple[str, ...] = ("months_beyond_expected", "share_beyond_expected")
# Features a panel may lack (older marts, other sources): added as null, so without effect.
OPTIONAL_FEATURES: tuple[str, ...] = (
    "months_without_growth",
    "pay_gap_to_midpoint",
    "complex_tickets_3_of_4m",
    "teammates_left_voluntarily_6m",
    "manager_exit_ratio_12m",
)
MODEL_COLUMNS: tuple[str, ...] = (ID, MONTH, *NUMERIC, *CATEGORICAL, OUTCOME)
REQUIRED: tuple[str, ...] = (
    ID,
    MONTH,
    *(n for n in FEATURE_NAMES if n not in DERIVED and n not in OPTIONAL_FEATURES),
    OUTCOME,
)
# Kept when present, never features: the job title names the level in sentences; exit_type
# (the exit in this very month) marks a spell's partial last month.
TITLE = "title"
EXIT_THIS_MONTH = "exit_type"
OPTIONAL: tuple[str, ...] = (TITLE, EXIT_THIS_MONTH)


def panel_columns(available: Sequence[str]) -> list[str]:
    """The columns of a person-month panel that check_panel reads, in the panel's order.

    What train reads of marts_person_months: the mart has other columns (for the pages), which
    the model never looks at.
    """
    wanted = {*MODEL_COLUMNS, *OPTIONAL, *DERIVED}
    return [c for c in available if c in wanted]


class PanelError(ValueError):
    """A panel the models cannot use; the message names the columns or values at fault."""


def with_derived(panel: pl.DataFrame, expected_months: Mapping[str, float] | None) -> pl.DataFrame:
    """The panel with months_beyond_expected: months in level minus the ladder's expected months.

    Kept as is when the panel brings it; otherwise looked up by title (or by level when there is
    no title column), case-insensitively; null when the role is not on the ladder.
    """
    if "months_beyond_expected" in panel.columns:
        return _with_share(panel)
    key = TITLE if TITLE in panel.columns else "level"
    lookup = {str(k).casefold(): float(v) for k, v in (expected_months or {}).items()}
    expected = (
        pl.col(key).cast(pl.String).str.to_lowercase().replace_strict(lookup, default=None, return_dtype=pl.Float64)
        if lookup and key in panel.columns
        else pl.lit(None, dtype=pl.Float64)
    )
    return _with_share(
        panel.with_columns((pl.col("months_in_level").cast(pl.Float64) - expected).alias("months_beyond_expected"))
    )


def _with_share(panel: pl.DataFrame) -> pl.DataFrame:
    """share_beyond_expected: months beyond the ladder's expected time, in units of that time (0 to 2)."""
    if "share_beyond_expected" in panel.columns:
        return panel
    beyond = pl.col("months_beyond_expected").cast(pl.Float64)
    expected = pl.col("months_in_level").cast(pl.Float64) - beyond
    share = pl.when(expected > 0).then((beyond.clip(lower_bound=0) / expected).clip(upper_bound=2.0))
    return panel.with_columns(share.alias("share_beyond_expected"))


def observable(data: pl.DataFrame) -> pl.DataFrame:
    """The rows from the month of the panel's first recorded exit on: one row per person-month.

    HR exports usually list only the people employed on or after some date; the months before
    the first recorded exit of any kind hold survivors only (nobody could be seen leaving), and
    training on them would teach the model that early tenure is safe.
    """
    exits = data.filter(pl.col(OUTCOME).is_not_null())
    if exits.height == 0:
        return data
    return data.filter(pl.col(MONTH) >= exits[MONTH].min())


def check_panel(panel: pl.DataFrame, expected_months: Mapping[str, float] | None = None) -> pl.DataFrame:
    """The panel with the model's columns cast to their types, one row per person at risk per month.

    When the panel has `exit_type` (the exit within the row's own month, as the person-month
    mart writes it), those partial last months are dropped: their exit is already the previous
    row's exit_type_next_month, and the person is no longer at risk. Raises PanelError for
    missing columns, unknown exit types or duplicate person-months.
    """
    missing = [c for c in REQUIRED if c not in panel.columns]
    if missing:
        raise PanelError(f"the person-month panel lacks {', '.join(missing)}")
    panel = with_derived(panel, expected_months)
    absent = [n for n in OPTIONAL_FEATURES if n not in panel.columns]
    if absent:
        panel = panel.with_columns(pl.lit(None, dtype=pl.Float64).alias(n) for n in absent)
    leaked = FORBIDDEN.intersection(FEATURE_NAMES)
    if leaked:  # a guard against editing FEATURES carelessly
        raise PanelError(f"demographic attributes listed as features: {sorted(leaked)}")
    out = panel.select(
        pl.col(ID).cast(pl.String),
        pl.col(MONTH).cast(pl.Date),
        *[pl.col(c).cast(pl.Float64) for c in NUMERIC],
        *[pl.col(c).cast(pl.String) for c in CATEGORICAL],
        pl.col(OUTCOME).cast(pl.String).str.strip_chars().str.to_lowercase(),
        *[pl.col(c).cast(pl.String) for c in OPTIONAL if c in panel.columns],
    )
    if EXIT_THIS_MONTH in out.columns:
        out = out.filter(pl.col(EXIT_THIS_MONTH).is_null())
    bad = out.filter(pl.col(OUTCOME).is_not_null() & ~pl.col(OUTCOME).is_in(EXIT_TYPES))
    if bad.height:
        values = sorted(set(bad[OUTCOME].to_list()))
        raise PanelError(f"{OUTCOME} has values outside {EXIT_TYPES}: {values}")
    if out.select(pl.struct(ID, MONTH).is_duplicated().any()).item():
        raise PanelError("the panel has more than one row for the same person and month")
    return out.sort(ID, MONTH)
