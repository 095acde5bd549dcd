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
    "staging_ticket_categories",
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


# Ticket-grain models a refresh updates row by row instead of rebuilding (pipelines/sql/
# refresh_ticket_marts.sql): each file defines a temp table macro over a source table name and ends
# with `create or replace table <model> as from <macro>('<full source>')`.
INCREMENTAL: dict[str, str] = {
    "staging_ticket_facts": "ticket_facts",
    "marts_kpi_tickets": "kpi_tickets",
    "marts_kpi_workload_days": "kpi_workload_days",
}


def model_macro_sql(name: str) -> str:
    """The macro definition of an incremental model (its file without the final full-build statement)."""
    macro, _, full = model_sql(name).rpartition(";")
    if not full.strip().startswith(f"create or replace table {name} as from {INCREMENTAL[name]}("):
        raise ValueError(f"{name}.sql must end with the full build from its macro {INCREMENTAL[name]}")
    return macro


def run_models(con: Any, settings: Settings, incremental: bool = False) -> None:
    """Write the settings tables, then run every staging and mart model in MODEL_ORDER on `con`.

    incremental: a refresh of an existing warehouse whose caller filled the temp tables
    _changed_tickets (keys of tickets exported or QA-reviewed by the new runs) and _old_identity
    (identity_map before); the INCREMENTAL models then replace only the rows that changed
    (refresh_<model>.sql) and every other model is rebuilt. Falls back to a full run when the
    warehouse predates those models or the tier settings changed.
    """
    # The marts' as-of joins (the latest review, pay, band or team exit count on a date) must run as
    # as-of joins: with the default threshold DuckDB turns them into nested loops whenever it
    # underestimates the left side, which at 20M tickets took minutes instead of seconds.
    con.execute("set asof_loop_join_threshold = 0")
    if incremental:
        incremental = _snapshot_for_refresh(con)
    write_settings_tables(con, settings)
    if incremental:
        (changed,) = con.execute(
            "select count(*) from ((from _old_tiers except from settings_tiers) union all "
            "(from settings_tiers except from _old_tiers))"
        ).fetchone()
        incremental = changed == 0
    for name in MODEL_ORDER:
        log.info("sql model %s%s", name, " (incremental)" if incremental and name in INCREMENTAL else "")
        if incremental and name in INCREMENTAL:
            con.execute(model_macro_sql(name))
            con.execute(model_sql(f"refresh_{name}"))
        else:
            con.execute(model_sql(name))


def _snapshot_for_refresh(con: Any) -> bool:
    """Keep the inputs the incremental models compare against; False when the warehouse lacks them."""
    have = {r[0] for r in con.execute("select table_name from duckdb_tables()").fetchall()}
    needed = {"_old_identity", "_changed_tickets", "staging_ticket_categories", "staging_job_states", "settings_tiers"}
    if not needed | set(INCREMENTAL) <= have:
        return False
    con.execute("create or replace temp table _old_tiers as from settings_tiers")
    con.execute("create or replace temp table _old_categories as from staging_ticket_categories")
    con.execute(
        "create or replace temp table _old_states as "
        "select employee_id, valid_from, valid_to, team, tier from staging_job_states where is_employed"
    )
    return True
