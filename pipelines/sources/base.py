"""What every adapter shares: header normalisation, the Spec of one export file, conversion helpers.

A Spec names the fields of one export file (each with its header aliases, in one place per
vendor), the fields that identify the format, and a convert function: text fields -> canonical
frame for one entity. Conversion problems become row rejections with the header as the person
sees it, the value and a reason in plain words.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

import polars as pl

from pipelines.config import Settings
from pipelines.schema import ENTITIES
from pipelines.sources import values as v
from pipelines.sources.reading import LINE

PROBLEM_SCHEMA = {LINE: pl.Int64(), "column": pl.String(), "value": pl.String(), "reason": pl.String()}
SOURCE_KIND = "_source_kind"


@cache
def _zones() -> frozenset[str]:
    return frozenset(z.casefold() for z in available_timezones())


def header_zone(header: str) -> str | None:
    """The IANA time zone named in a header's parentheses, e.g. `Created at (Europe/Dublin)`."""
    m = re.search(r"\(([A-Za-z_]+(?:/[A-Za-z_\-+0-9]+)*)\)\s*$", header)
    if m and (m.group(1).casefold() in _zones() or m.group(1).upper() == "UTC"):
        name = m.group(1)
        try:
            ZoneInfo(name)
        except (KeyError, ValueError):
            return None
        return name
    return None


def norm_header(header: str) -> str:
    """Compare headers ignoring case, spacing, punctuation and a time zone suffix."""
    h = header.strip().lstrip("\ufeff")
    if header_zone(h):
        h = re.sub(r"\([^)]*\)\s*$", "", h)
    h = re.sub(r"([a-z])([A-Z])", r"\1 \2", h)
    h = h.replace("#", " number ")
    return re.sub(r"[^0-9a-z]+", " ", h.casefold()).strip()


@dataclass
class Context:
    """What a conversion may look up: settings, people and helpdesk users known so far."""

    settings: Settings
    employee_by_name: dict[str, str] = field(default_factory=dict)  # casefolded display name -> id
    employee_ids: set[str] = field(default_factory=set)
    agent_by_name: dict[tuple[str, str], str] = field(default_factory=dict)  # (source, casefold name) -> id
    agent_ids: dict[str, set[str]] = field(default_factory=dict)  # source -> helpdesk user ids

    def source_option(self, adapter: str, key: str, default: Any) -> Any:
        return (self.settings.sources.get(adapter) or {}).get(key, default)


@dataclass
class Fields:
    """One file's cells renamed to the spec's field names (text), plus `_line`."""

    frame: pl.DataFrame
    headers: dict[str, str]  # field -> header as in the file
    zones: dict[str, str]  # field -> time zone named in its header
    table_extra: dict[str, Any] = field(default_factory=dict)
    file_name: str = ""

    def has(self, name: str) -> bool:
        return name in self.headers


@dataclass
class Converted:
    """A canonical frame (with `_line`) and the problems found while converting."""

    frame: pl.DataFrame
    problems: pl.DataFrame
    notes: list[str] = field(default_factory=list)


ConvertFn = Callable[["Conv", Context], pl.DataFrame]


@dataclass(frozen=True)
class Spec:
    """One export file format of one vendor, producing one canonical entity."""

    adapter: str
    kind: str
    entity: str
    fields: dict[str, tuple[str, ...]]
    signature: tuple[str, ...]
    convert: ConvertFn
    required: tuple[str, ...] = ()
    filename: str | None = None  # canonical layout: the file stem that names the entity
    describe: str = ""

    @property
    def source_kind(self) -> str:
        return f"{self.adapter}.{self.kind}"

    @property
    def label(self) -> str:
        return self.describe or f"{self.adapter} {self.entity}"

    def aliases(self, settings: Settings) -> dict[str, tuple[str, ...]]:
        """Field -> normalised aliases, settings `[mapping.<adapter>.<entity>]` first."""
        extra = ((settings.mapping.get(self.adapter) or {}).get(self.entity)) or {}
        out: dict[str, tuple[str, ...]] = {}
        for name, names in self.fields.items():
            mapped = extra.get(name, ())
            mapped = (mapped,) if isinstance(mapped, str) else tuple(mapped)
            own = (name,) if self.adapter == "canonical" else ()
            out[name] = tuple(dict.fromkeys(norm_header(a) for a in (*mapped, *names, *own)))
        for name, mapped in extra.items():
            if name not in out:
                mapped = (mapped,) if isinstance(mapped, str) else tuple(mapped)
                out[name] = tuple(norm_header(a) for a in mapped)
        return out


class Conv:
    """Conversion helpers over one file's Fields; unreadable cells are collected as problems."""

    def __init__(self, fields: Fields) -> None:
        self.fields = fields
        self.frame = fields.frame
        self.problems: list[pl.DataFrame] = []
        self.notes: list[str] = []

    @property
    def height(self) -> int:
        return self.frame.height

    @property
    def lines(self) -> pl.Series:
        return self.frame[LINE]

    def has(self, name: str) -> bool:
        return self.fields.has(name)

    def header(self, name: str) -> str:
        return self.fields.headers.get(name, name)

    def raw(self, name: str) -> pl.Series:
        """Cleaned text of a field (null when empty or absent)."""
        if name not in self.frame.columns:
            return pl.Series(name, [None] * self.height, dtype=pl.String)
        return v.clean(self.frame[name])

    def _checked(self, name: str, parsed: pl.Series, expected: str) -> pl.Series:
        raw = self.raw(name)
        bad = raw.is_not_null() & parsed.is_null()
        self.reject(bad, name, f"cannot be read as {expected}")
        return parsed.alias(name)

    def date(self, name: str) -> pl.Series:
        return self._checked(name, v.parse_date(self.raw(name)), "a date (e.g. 2024-03-01)")

    def datetime(self, name: str, timezone: str | None = None) -> pl.Series:
        tz = self.fields.zones.get(name) or timezone or "UTC"
        return self._checked(name, v.parse_datetime(self.raw(name), tz), "a date and time (e.g. 2024-03-01 09:30)")

    def number(self, name: str) -> pl.Series:
        return self._checked(name, v.parse_number(self.raw(name)), "a number")

    def integer(self, name: str) -> pl.Series:
        return self._checked(name, v.parse_int(self.raw(name)), "a whole number")

    def boolean(self, name: str) -> pl.Series:
        return self._checked(name, v.parse_bool(self.raw(name)), "yes / no")

    def seconds(self, name: str) -> pl.Series:
        return self._checked(name, v.parse_hms_seconds(self.raw(name)), "a duration (HH:MM:SS or seconds)")

    def reject(self, mask: pl.Series, name: str, reason: str, value: pl.Series | None = None) -> None:
        """Record a problem for each row where mask is true."""
        mask = mask.fill_null(False)
        if not mask.any():
            return
        shown = (value if value is not None else self.raw(name)).cast(pl.String)
        self.problems.append(
            pl.DataFrame(
                {
                    LINE: self.lines.filter(mask),
                    "column": pl.Series([self.header(name)] * int(mask.sum()), dtype=pl.String),
                    "value": shown.filter(mask),
                    "reason": pl.Series([reason] * int(mask.sum()), dtype=pl.String),
                },
                schema=PROBLEM_SCHEMA,
            )
        )

    def lookup(self, name: str, mapping: dict[str, str], reason: str) -> pl.Series:
        """Names -> ids through a case-insensitive mapping; unknown non-empty names are rejected."""
        raw = self.raw(name)
        keys = raw.str.strip_chars().str.to_lowercase()
        out = (
            keys.replace_strict(mapping, default=None, return_dtype=pl.String)
            if mapping
            else keys.set(keys.is_not_null(), None)
        )
        self.reject(raw.is_not_null() & out.is_null(), name, reason)
        return out.alias(name)

    def result(self, entity: str, columns: dict[str, Any]) -> Converted:
        """The canonical frame: every entity column (missing as null), cast, plus `_line`."""
        ent = ENTITIES[entity]
        data: dict[str, pl.Series] = {}
        for col in ent.columns:
            value = columns.get(col.name)
            if value is None:
                s = pl.Series(col.name, [None] * self.height, dtype=col.dtype)
            elif isinstance(value, pl.Series):
                s = value.alias(col.name).cast(col.dtype, strict=False)
            else:
                s = pl.Series(col.name, [value] * self.height).cast(col.dtype, strict=False)
            data[col.name] = s
        frame = pl.DataFrame(data).with_columns(self.lines.alias(LINE))
        problems = pl.concat(self.problems) if self.problems else pl.DataFrame(schema=PROBLEM_SCHEMA)
        return Converted(frame, problems, self.notes)


def typed_columns(conv: Conv, entity: str, timezone: str = "UTC") -> dict[str, pl.Series]:
    """Each entity column read from the field of the same name with the parser its type implies."""
    out: dict[str, pl.Series] = {}
    for col in ENTITIES[entity].columns:
        if not conv.has(col.name):
            continue
        if col.dtype == pl.Date:
            out[col.name] = conv.date(col.name)
        elif isinstance(col.dtype, pl.Datetime):
            out[col.name] = conv.datetime(col.name, timezone)
        elif col.dtype == pl.Float64:
            out[col.name] = conv.number(col.name)
        elif col.dtype == pl.Int64:
            out[col.name] = conv.integer(col.name)
        elif col.dtype == pl.Boolean:
            out[col.name] = conv.boolean(col.name)
        else:
            out[col.name] = conv.raw(col.name)
    return out
