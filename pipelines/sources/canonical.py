"""The canonical layout: one file per entity named like the entity (tickets.csv, employees.parquet).

Columns are the canonical names of pipelines/schema.py; no configuration is needed. Columns an
entity does not list are ignored; optional columns may be left out.
"""

from __future__ import annotations

from pipelines.schema import ENTITIES
from pipelines.sources import values as v
from pipelines.sources.base import Context, Conv, Converted, Spec, typed_columns

ADAPTER = "canonical"


def _converter(entity: str):  # noqa: ANN202 - returns a ConvertFn
    def convert(conv: Conv, ctx: Context) -> Converted:
        cols = typed_columns(conv, entity)
        if entity == "tickets":
            if "tier" not in cols and conv.has("group_name"):
                cols["tier"] = v.to_tier(conv.raw("group_name"), ctx.settings.tiers)
            if "csat_good" not in cols and conv.has("csat_raw"):
                cols["csat_good"] = v.csat_good(conv.raw("csat_raw"))
        if entity in ("employees", "helpdesk_agents"):
            key = "work_email" if entity == "employees" else "email"
            if key in cols:
                cols[key] = v.lower_email(cols[key])
        return conv.result(entity, cols)

    return convert


SPECS = tuple(
    Spec(
        ADAPTER,
        name,
        name,
        {c.name: () for c in ent.columns},
        ent.required,
        _converter(name),
        filename=name,
        describe=f"canonical {name}",
    )
    for name, ent in ENTITIES.items()
)
