"""Staging and mart SQL models: settings tables first, then staging_*.sql and marts_*.sql in a fixed order."""

from __future__ import annotations

import logging
from importlib import resources
from typing import Any

from pipelines.config import Settings

log = logging.getLogger(__name__)

# The fixed run order: each model reads only tables loaded before it (the canonical entities,
# identity_map, the settings_* tables and the models above it in this list).
MODEL_ORDER: tuple[str, ...] = (
    "staging_job_events",
    "staging_job_states",
    "staging_ticket_facts",
    "marts_data_dates",
    "marts_support_spells",
    "marts_role_moves",
    "marts_customer_person_months",
    "marts_customer_months",
    "marts_person_months",
    "marts_stalled",
    "marts_kpi_tickets",
    "marts_kpi_workload_days",
    "marts_ticket_tier_months",
    "marts_kpi_mix_days",
    "marts_kpi_workload_weeks",
    "marts_kpi_rated_tickets",
)

# Tenure bands used for attrition cuts: [min_months, max_months) of time in the support spell.
TENURE_BANDS: tuple[tuple[str, float, float | None], ...] = (
    ("0-6 months", 0.0, 6.0),
    ("6-12 months", 6.0, 12.0),
    ("1-2 years", 12.0, 24.0),
    ("2-4 years", 24.0, 48.0),
    ("4+ years", 48.0, None),
)

_SETTINGS_DDL = (
    """create or replace table settings_ladder (
        title varchar, title_key varchar, track varchar, level integer,
        expected_months integer, max_months integer)""",
    "create or replace table settings_support_departments (department varchar, department_key varchar)",
    "create or replace table settings_tiers (tier varchar, tier_key varchar, tier_rank integer)",
    "create or replace table settings_tenure_bands (tenure_band varchar, band_rank integer, min_months double, max_months double)",
    """create or replace table settings_thresholds (
        min_group_size integer, stalled_peer_quantile double, stalled_no_growth_months integer,
        stalled_min_promoted_peers integer)""",
)


def model_sql(name: str) -> str:
    """The text of one SQL model shipped in this package."""
    return resources.files(__package__).joinpath(f"{name}.sql").read_text(encoding="utf-8")


def write_settings_tables(con: Any, settings: Settings) -> None:
    """Write the settings-derived tables (ladder, support departments, tiers, thresholds) with bound parameters."""
    for ddl in _SETTINGS_DDL:
        con.execute(ddl)
    for role in settings.ladder:
        con.execute(
            "insert into settings_ladder values (?, ?, ?, ?, ?, ?)",
            [
                role.title,
                role.title.strip().casefold(),
                role.track,
                role.level,
                role.expected_months,
                role.max_months,
            ],
        )
    for dept in settings.support_departments:
        con.execute("insert into settings_support_departments values (?, ?)", [dept, dept.strip().casefold()])
    for rank, tier in enumerate(settings.tiers, start=1):
        con.execute("insert into settings_tiers values (?, ?, ?)", [tier, tier.strip().casefold(), rank])
    for rank, (band, low, high) in enumerate(TENURE_BANDS, start=1):
        con.execute("insert into settings_tenure_bands values (?, ?, ?, ?)", [band, rank, low, high])
    con.execute(
        "insert into settings_thresholds values (?, ?, ?, ?)",
        [
            settings.min_group_size,
            settings.stalled_peer_quantile,
            settings.stalled_no_growth_months,
            settings.stalled_min_promoted_peers,
        ],
    )


def run_models(con: Any, settings: Settings) -> None:
    """Write the settings tables, then run every staging and mart model in MODEL_ORDER on `con`."""
    write_settings_tables(con, settings)
    for name in MODEL_ORDER:
        log.info("sql model %s", name)
        con.execute(model_sql(name))
