"""The TOML settings: documented defaults in default_settings.toml, a user file merged over them."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DEFAULT_SETTINGS_PATH = Path(__file__).with_name("default_settings.toml")
CONFIG_ENV = "TENURE_CONFIG"
DATA_DIR_ENV = "TENURE_DATA_DIR"
REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA_DIR = REPO_ROOT / "data" / "local"
SAMPLE_DIR = REPO_ROOT / "data" / "sample"


class SettingsError(ValueError):
    """A settings file that cannot be used; the message says which key and how to fix it."""


@dataclass(frozen=True)
class LadderRole:
    title: str
    track: str
    level: int
    expected_months: int
    max_months: int | None = None


ACCESS_ROLES: tuple[str, ...] = ("executive", "director", "people_admin")
DEMO_MODES: tuple[str, ...] = ("auto", "on", "off")


@dataclass(frozen=True)
class AccessSettings:
    """The [access] table: demo mode, pseudonyms, and roles by email or identity-provider group."""

    demo_mode: str = "auto"
    pseudonymise: bool = False
    pseudonym_secret: str = ""
    groups_claim: str = "groups"
    # role -> lower-cased emails and group names granted it
    roles: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Settings:
    support_departments: tuple[str, ...]
    tiers: tuple[str, ...]
    benchmark_attrition_rate: float
    replacement_cost: float
    currency: str
    min_group_size: int
    stalled_peer_quantile: float
    stalled_no_growth_months: int
    stalled_min_promoted_peers: int
    ladder: tuple[LadderRole, ...]
    identity_agents: dict[str, str] = field(default_factory=dict)
    mapping: dict[str, Any] = field(default_factory=dict)
    sources: dict[str, Any] = field(default_factory=dict)
    source: str = str(DEFAULT_SETTINGS_PATH)
    access: AccessSettings = field(default_factory=AccessSettings)
    individual_scores: bool = True

    def role(self, title: str) -> LadderRole | None:
        """The ladder role with this title (case-insensitive), or None when off the ladder."""
        wanted = title.strip().casefold()
        return next((r for r in self.ladder if r.title.casefold() == wanted), None)

    @property
    def tracks(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(r.track for r in self.ladder))


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def _get(raw: dict[str, Any], dotted: str, kind: type | tuple[type, ...], where: str) -> Any:
    node: Any = raw
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            raise SettingsError(f"{where}: missing setting `{dotted}`; see {DEFAULT_SETTINGS_PATH.name}")
        node = node[part]
    if not isinstance(node, kind) or isinstance(node, bool) and kind is not bool:
        raise SettingsError(f"{where}: `{dotted}` = {node!r} should be {_kind_name(kind)}")
    return node


def _kind_name(kind: type | tuple[type, ...]) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join(k.__name__ for k in kinds)


def _ladder(raw: list[Any], where: str) -> tuple[LadderRole, ...]:
    roles = []
    for i, item in enumerate(raw, start=1):
        if not isinstance(item, dict):
            raise SettingsError(f"{where}: ladder entry {i} should be a [[ladder]] table")
        try:
            roles.append(
                LadderRole(
                    title=str(item["title"]),
                    track=str(item["track"]),
                    level=int(item["level"]),
                    expected_months=int(item["expected_months"]),
                    max_months=int(item["max_months"]) if "max_months" in item else None,
                )
            )
        except KeyError as missing:
            raise SettingsError(f"{where}: ladder entry {i} lacks {missing}") from None
    titles = [r.title.casefold() for r in roles]
    if len(set(titles)) != len(titles):
        raise SettingsError(f"{where}: the ladder names a title twice")
    return tuple(roles)


def _access(raw: dict[str, Any], where: str) -> AccessSettings:
    table = raw.get("access", {})
    if not isinstance(table, dict):
        raise SettingsError(f"{where}: `access` should be a table")
    demo = table.get("demo_mode", "auto")
    if demo not in DEMO_MODES:
        raise SettingsError(f"{where}: `access.demo_mode` = {demo!r} should be one of {', '.join(DEMO_MODES)}")
    pseudonymise = table.get("pseudonymise", False)
    if not isinstance(pseudonymise, bool):
        raise SettingsError(f"{where}: `access.pseudonymise` should be true or false")
    roles: dict[str, tuple[str, ...]] = {}
    for role, members in table.get("roles", {}).items():
        if role not in ACCESS_ROLES:
            raise SettingsError(f"{where}: `access.roles.{role}` is not a role; use {', '.join(ACCESS_ROLES)}")
        if not isinstance(members, list) or not all(isinstance(m, str) for m in members):
            raise SettingsError(f"{where}: `access.roles.{role}` should be a list of emails or group names")
        roles[role] = tuple(m.strip().casefold() for m in members if m.strip())
    return AccessSettings(
        demo_mode=demo,
        pseudonymise=pseudonymise,
        pseudonym_secret=str(table.get("pseudonym_secret", "")),
        groups_claim=str(table.get("groups_claim", "groups")),
        roles=roles,
    )


def parse_settings(raw: dict[str, Any], where: str = "settings") -> Settings:
    """Check a merged settings mapping and turn it into Settings."""
    quantile = float(_get(raw, "stalled.peer_quantile", (int, float), where))
    if not 0 < quantile < 1:
        raise SettingsError(f"{where}: `stalled.peer_quantile` = {quantile} should be between 0 and 1")
    min_group = _get(raw, "privacy.min_group_size", int, where)
    if min_group < 1:
        raise SettingsError(f"{where}: `privacy.min_group_size` should be at least 1")
    return Settings(
        support_departments=tuple(_get(raw, "organisation.support_departments", list, where)),
        tiers=tuple(_get(raw, "organisation.tiers", list, where)),
        benchmark_attrition_rate=float(_get(raw, "benchmarks.attrition_rate", (int, float), where)),
        replacement_cost=float(_get(raw, "benchmarks.replacement_cost", (int, float), where)),
        currency=str(_get(raw, "benchmarks.currency", str, where)),
        min_group_size=min_group,
        stalled_peer_quantile=quantile,
        stalled_no_growth_months=_get(raw, "stalled.no_growth_months", int, where),
        stalled_min_promoted_peers=_get(raw, "stalled.min_promoted_peers", int, where),
        ladder=_ladder(_get(raw, "ladder", list, where), where),
        identity_agents={
            str(k).strip().casefold(): str(v).strip().casefold()
            for k, v in raw.get("identity", {}).get("agents", {}).items()
        },
        mapping=raw.get("mapping", {}),
        sources=raw.get("sources", {}),
        source=where,
        access=_access(raw, where),
        individual_scores=bool(raw.get("models", {}).get("individual_scores", True)),
    )


def load_settings(path: str | os.PathLike[str] | None = None) -> Settings:
    """The defaults, with the file at `path` (or $TENURE_CONFIG) merged over them."""
    raw = tomllib.loads(DEFAULT_SETTINGS_PATH.read_text(encoding="utf-8"))
    chosen = path or os.environ.get(CONFIG_ENV)
    if not chosen:
        return parse_settings(raw, str(DEFAULT_SETTINGS_PATH))
    user_path = Path(chosen)
    if not user_path.is_file():
        raise SettingsError(f"settings file {user_path} does not exist")
    try:
        user = tomllib.loads(user_path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as err:
        raise SettingsError(f"{user_path}: not valid TOML ({err})") from None
    return parse_settings(_merge(raw, user), str(user_path))


@dataclass(frozen=True)
class DataPaths:
    """Where the lake and the warehouse live under one data directory."""

    root: Path

    @property
    def lake(self) -> Path:
        return self.root / "lake"

    @property
    def warehouse(self) -> Path:
        return self.root / "warehouse.duckdb"

    @property
    def models(self) -> Path:
        return self.root / "models"


def data_paths(data_dir: str | os.PathLike[str] | None = None) -> DataPaths:
    """The data directory: the argument, else $TENURE_DATA_DIR, else data/local in the repo."""
    chosen = data_dir or os.environ.get(DATA_DIR_ENV) or DEFAULT_DATA_DIR
    return DataPaths(Path(chosen).expanduser().resolve())
