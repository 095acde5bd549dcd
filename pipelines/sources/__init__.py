"""Vendor adapters: detect an export's format from its headers and convert it to a canonical entity.

`SPECS` is the registry (one module per vendor, aliases in one place per vendor); `detect`
chooses the spec for a table or raises FileProblem naming the closest header and the
`[mapping]` line that would fix a missing column.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import PurePosixPath

from pipelines.config import Settings
from pipelines.sources import bamboohr, canonical, freshdesk, hibob, intercom, personio, workday, zendesk
from pipelines.sources.base import Context, Conv, Converted, Fields, Spec, header_zone, norm_header
from pipelines.sources.reading import LINE, FileProblem, RawTable

SPECS: tuple[Spec, ...] = (
    *bamboohr.SPECS,
    *zendesk.SPECS,
    *intercom.SPECS,
    *freshdesk.SPECS,
    *personio.SPECS,
    *workday.SPECS,
    *hibob.SPECS,
    *canonical.SPECS,
)

__all__ = ["SPECS", "Context", "Converted", "Detected", "FileProblem", "convert", "detect"]


@dataclass(frozen=True)
class Detected:
    """The spec chosen for a table and which header feeds each field."""

    spec: Spec
    columns: dict[str, str]  # field -> header as in the file


def _match(spec: Spec, table: RawTable, settings: Settings) -> dict[str, str]:
    by_norm: dict[str, str] = {}
    for h in table.headers:
        by_norm.setdefault(norm_header(h), h)
    out = {}
    for name, aliases in spec.aliases(settings).items():
        hit = next((by_norm[a] for a in aliases if a in by_norm), None)
        if hit is not None:
            out[name] = hit
    return out


def _stem(name: str) -> str:
    base = PurePosixPath(name).name.lower()
    return base.split(".", 1)[0]


def _suggest(spec: Spec, missing: list[str], table: RawTable, used: set[str]) -> str:
    free = [h for h in table.headers if h not in used]
    lines = []
    for name in missing:
        wanted = spec.fields.get(name) or (name,)
        label = wanted[0] if wanted else name
        scores = {
            h: max(difflib.SequenceMatcher(None, norm_header(h), norm_header(w)).ratio() for w in (*wanted, name))
            for h in free
        }
        best = max(scores, key=scores.get) if scores else None
        if best is not None and scores[best] >= 0.5:
            lines.append(
                f"the column {label!r} is missing; the closest header is {best!r}. If that is it, add to your settings:\n"
                f"[mapping.{spec.adapter}.{spec.entity}]\n{name} = {best!r}"
            )
        else:
            lines.append(
                f"the column {label!r} is missing; name the header that holds it in your settings:\n"
                f'[mapping.{spec.adapter}.{spec.entity}]\n{name} = "<your header>"'
            )
    return "\n".join(lines)


def detect(table: RawTable, settings: Settings) -> Detected:
    """The spec whose identifying headers are all present (the most specific one wins)."""
    stem = _stem(table.name)
    named = next((s for s in SPECS if s.filename and s.filename == stem), None)
    full: list[tuple[int, int, Spec, dict[str, str]]] = []
    partial: list[tuple[float, Spec, dict[str, str]]] = []
    for spec in SPECS:
        cols = _match(spec, table, settings)
        sig_hits = sum(1 for f in spec.signature if f in cols)
        if sig_hits == len(spec.signature):
            full.append((len(spec.signature), len(cols), spec, cols))
        elif spec.signature:
            partial.append((sig_hits / len(spec.signature), spec, cols))
    vendor = [f for f in full if f[2].adapter != "canonical"]
    if named is not None:
        own = next((f for f in full if f[2] is named), None)
        if own is not None and not vendor:
            return _checked(own[2], own[3], table)
        if vendor or (own is None and full):
            other = max(vendor or full, key=lambda f: (f[0], f[1]))[2]
            if other.entity != named.entity:
                raise FileProblem(
                    f"is named for {named.entity} but its columns are those of {other.label} ({other.entity}); "
                    f"rename the file or check that you exported the right report"
                )
            return _checked(other, max(vendor or full, key=lambda f: (f[0], f[1]))[3], table)
        cols = _match(named, table, settings)
        missing = [f for f in named.signature if f not in cols]
        raise FileProblem(
            f"should hold canonical {named.entity} (docs/data-contract.md) but "
            + _suggest(named, missing, table, set(cols.values()))
        )
    if full:
        best = max(full, key=lambda f: (f[2].adapter != "canonical", f[0], f[1]))
        return _checked(best[2], best[3], table)
    near = [p for p in partial if p[0] >= 0.5]
    if near:
        score, spec, cols = max(near, key=lambda p: (p[0], len(p[1].signature)))
        missing = [f for f in spec.signature if f not in cols]
        raise FileProblem(f"looks like a {spec.label} but " + _suggest(spec, missing, table, set(cols.values())))
    shown = ", ".join(repr(h) for h in table.headers[:8])
    raise FileProblem(
        f"is not a format Tenure recognises (headers: {shown}{' ...' if len(table.headers) > 8 else ''}). "
        "Expected a Zendesk, Intercom, Freshdesk, BambooHR, Personio, Workday or HiBob export, or a canonical "
        "file named like its entity (tickets.csv, employees.csv; see docs/data-contract.md). "
        "For another export, name its columns in a [mapping.canonical.<entity>] section of your settings."
    )


def _checked(spec: Spec, cols: dict[str, str], table: RawTable) -> Detected:
    missing = [f for f in spec.required if f not in cols]
    if missing:
        raise FileProblem(f"looks like a {spec.label} but " + _suggest(spec, missing, table, set(cols.values())))
    return Detected(spec, cols)


def convert(table: RawTable, detected: Detected, ctx: Context) -> Converted:
    """Rename the detected headers to fields and run the spec's conversion."""
    frame = table.frame.select([*(table.frame[h].alias(f) for f, h in detected.columns.items()), table.frame[LINE]])
    zones = {f: z for f, h in detected.columns.items() if (z := header_zone(h))}
    fields = Fields(frame, dict(detected.columns), zones, table.extra, table.name)
    return detected.spec.convert(Conv(fields), ctx)
