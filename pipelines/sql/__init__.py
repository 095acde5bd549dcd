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
    "marts_reporting_spans",
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


# Models a refresh updates in place instead of rebuilding (pipelines/sql/refresh_<model>.sql): each
# file defines a temp table macro over a source table name (or a first month) and ends with
# `create or replace table <model> as from <macro>(<every row>)`.
INCREMENTAL: dict[str, str] = {
    "staging_ticket_facts": "ticket_facts",
    "marts_kpi_tickets": "kpi_tickets",
    "marts_kpi_workload_days": "kpi_workload_days",
    "marts_customer_person_months": "customer_person_months",
    "marts_customer_months": "customer_months",
    "marts_ticket_tier_months": "ticket_tier_months",
    "marts_kpi_mix_days": "kpi_mix_days",
    "marts_kpi_workload_weeks": "kpi_workload_weeks",
    "marts_kpi_rated_tickets": "kpi_rated_tickets",
    "marts_person_months": "person_months",  # only when nothing but conversations changed
    "marts_stalled": "stalled",  # only when marts_person_months was refreshed incrementally
}
# The entities whose change leaves the people marts as they were, except through conversations.
CONVERSATION_ENTITIES = frozenset({"tickets", "qa_reviews", "helpdesk_agents"})
# Models that read only the people exports (employees, job events) and the settings: a refresh that
# brought neither leaves them as they are.
PEOPLE_MODELS = frozenset(
    {"staging_job_events", "staging_job_states", "marts_reporting_spans", "marts_support_spells", "marts_role_moves"}
)
# Derived tables marts_person_months reads besides the conversations; a refresh compares them.
_PEOPLE_INPUTS = ("staging_job_states", "marts_support_spells", "marts_role_moves")


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
    (refresh_<model>.sql), the people models are skipped when no people export came, and every
    other model is rebuilt. Falls back to a full run when the warehouse predates those models or
    a setting changed.
    """
    # The marts' as-of joins (the latest review, pay, band or team exit count on a date) must run as
    # as-of joins: with the default threshold DuckDB turns them into nested loops whenever it
    # underestimates the left side, which at 20M tickets took minutes instead of seconds.
    con.execute("set asof_loop_join_threshold = 0")
    if incremental:
        incremental = _snapshot_for_refresh(con)
    write_settings_tables(con, settings)
    if incremental:
        incremental = not any(_differs(con, f"_old_{t}", t) for t in _SETTINGS_TABLES)
    people_unchanged = incremental and _touched(con) <= CONVERSATION_ENTITIES
    panel_delta = False
    have = {r[0] for r in con.execute("select table_name from duckdb_tables()").fetchall()}
    for name in MODEL_ORDER:
        if people_unchanged and name in PEOPLE_MODELS and name in have:  # (a release may add a model)
            log.info("sql model %s (unchanged)", name)
            continue
        delta = incremental and name in INCREMENTAL
        if delta:
            con.execute(model_macro_sql(name))
            delta = not _columns_changed(con, name)  # a warehouse from an older release: rebuild it
        if delta and name == "marts_person_months":
            delta = panel_delta = _only_conversations_changed(con)
        if delta and name == "marts_stalled":
            delta = panel_delta
        log.info("sql model %s%s", name, " (incremental)" if delta else "")
        if delta:
            con.execute(model_sql(f"refresh_{name}"))
        else:
            con.execute(model_sql(name))


_SETTINGS_TABLES = (
    "settings_ladder",
    "settings_support_departments",
    "settings_tiers",
    "settings_tenure_bands",
    "settings_thresholds",
)


def _differs(con: Any, old: str, new: str) -> bool:
    """Whether two tables (fixed names from this module) hold different rows."""
    sql = f"select count(*) from ((from {old} except all from {new}) union all (from {new} except all from {old}))"  # noqa: S608 - names from this module
    (n,) = con.execute(sql).fetchone()
    return n > 0


def _columns_changed(con: Any, name: str) -> bool:
    """Whether an incremental model's table has other columns than its macro (defined on con) now gives."""
    full = model_sql(name).rpartition(";")[2].strip()
    query = full.removeprefix(f"create or replace table {name} as ")
    # binds the model file's own statement, runs nothing
    new = [row[0] for row in con.execute(f"describe {query}").fetchall()]  # noqa: S608 - a packaged model
    old = [
        row[0]
        for row in con.execute(
            "select column_name from duckdb_columns() where table_name = ? and schema_name = 'main' order by column_index",
            [name],
        ).fetchall()
    ]
    return new != old


def _snapshot_for_refresh(con: Any) -> bool:
    """Keep the inputs the incremental models compare against; False when the warehouse lacks them."""
    have = {r[0] for r in con.execute("select table_name from duckdb_tables()").fetchall()}
    needed = {"_old_identity", "_changed_tickets", "_touched_entities", "staging_ticket_categories"}
    needed |= {*_SETTINGS_TABLES, *_PEOPLE_INPUTS, "marts_data_dates", "marts_customer_person_months"}
    if not needed | set(INCREMENTAL) <= have:
        return False
    for table in (*_SETTINGS_TABLES, *_PEOPLE_INPUTS, "marts_data_dates", "marts_customer_person_months"):
        con.execute(f"create or replace temp table _old_{table} as from {table}")  # noqa: S608 - names from this module
    con.execute("create or replace temp table _old_categories as from staging_ticket_categories")
    con.execute(
        "create or replace temp table _old_states as "
        "select employee_id, valid_from, valid_to, team, tier from staging_job_states where is_employed"
    )
    return True


def _touched(con: Any) -> set[str]:
    """The entities the refresh's new runs brought."""
    return {r[0] for r in con.execute("select entity from _touched_entities").fetchall()}


def _only_conversations_changed(con: Any) -> bool:
    """Whether the refresh touched conversation entities only and the people marts' other inputs stayed."""
    if not _touched(con) <= CONVERSATION_ENTITIES or any(_differs(con, f"_old_{t}", t) for t in _PEOPLE_INPUTS):
        return False
    (same_start, not_earlier) = con.execute(
        "select o.data_start_date = n.data_start_date, n.data_end_date >= o.data_end_date "
        "from _old_marts_data_dates as o, marts_data_dates as n"
    ).fetchone()
    return bool(same_start and not_earlier)
