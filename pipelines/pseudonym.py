"""Stable pseudonyms for people: an HMAC of the employee id with a secret, shown instead of names.

The same id and secret always give the same pseudonym, so a person can be followed across pages
and exports without their name; without the secret, a pseudonym cannot be traced back.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

import polars as pl

SECRET_ENV = "TENURE_PSEUDONYM_SECRET"
KEY_FILE = "pseudonym.key"

_ADJECTIVES = (
    "Amber", "Azure", "Brisk", "Calm", "Cedar", "Coral", "Dusky", "Ember", "Fern", "Frost",
    "Golden", "Hazel", "Indigo", "Ivory", "Jade", "Lunar", "Maple", "Misty", "Nimble", "Olive",
    "Pearl", "Quiet", "Rapid", "Russet", "Sage", "Silver", "Solar", "Steady", "Teal", "Umber",
    "Velvet", "Willow",
)  # fmt: skip
_ANIMALS = (
    "Badger", "Bison", "Crane", "Dolphin", "Falcon", "Fox", "Gecko", "Heron", "Ibis", "Jaguar",
    "Kestrel", "Koala", "Lynx", "Marten", "Moose", "Narwhal", "Ocelot", "Orca", "Otter", "Owl",
    "Panda", "Puffin", "Quail", "Raven", "Robin", "Seal", "Stoat", "Swift", "Tapir", "Walrus",
    "Wren", "Yak",
)  # fmt: skip


def pseudonym(employee_id: str, secret: bytes) -> str:
    """A readable stable pseudonym for one person, e.g. "Teal Otter 3F9A"."""
    digest = hmac.new(secret, str(employee_id).encode("utf-8"), hashlib.sha256).digest()
    return f"{_ADJECTIVES[digest[0] % 32]} {_ANIMALS[digest[1] % 32]} {digest[2:4].hex().upper()}"


def pseudonymous_id(employee_id: str, secret: bytes) -> str:
    """A stable opaque id for exports (16 hex characters), unlinkable to the HR id without the secret."""
    return hmac.new(secret, b"id:" + str(employee_id).encode("utf-8"), hashlib.sha256).hexdigest()[:16]


def pseudonymise(
    frame: pl.DataFrame,
    secret: bytes,
    id_col: str = "employee_id",
    name_cols: tuple[str, ...] = ("full_name", "display_name", "name"),
    replace_ids: bool = False,
    drop_cols: tuple[str, ...] = ("work_email", "email"),
) -> pl.DataFrame:
    """The frame with names replaced by pseudonyms, emails dropped and, optionally, ids replaced; grain unchanged."""
    if id_col not in frame.columns:
        return frame.drop([c for c in drop_cols if c in frame.columns])
    ids = frame[id_col].cast(pl.String).to_list()
    names = pl.Series([None if e is None else pseudonym(e, secret) for e in ids], dtype=pl.String)
    out = frame.with_columns([names.alias(c) for c in name_cols if c in frame.columns])
    if replace_ids:
        opaque = [None if e is None else pseudonymous_id(e, secret) for e in ids]
        out = out.with_columns(pl.Series(id_col, opaque, dtype=pl.String))
    return out.drop([c for c in drop_cols if c in out.columns])


def resolve_secret(configured: str, data_dir: Path | None) -> bytes:
    """The pseudonym secret: the setting, else $TENURE_PSEUDONYM_SECRET, else a key file kept in data_dir.

    The key file is created (random, owner-only) on first use so pseudonyms stay stable across runs.
    """
    if configured:
        return configured.encode("utf-8")
    if os.environ.get(SECRET_ENV):
        return os.environ[SECRET_ENV].encode("utf-8")
    if data_dir is None:
        raise ValueError(f"pseudonyms need a secret: set access.pseudonym_secret or ${SECRET_ENV}")
    path = Path(data_dir) / KEY_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(secrets.token_hex(32))
    return path.read_text(encoding="utf-8").strip().encode("utf-8")
