"""Byte-stable writers: CSV with `\\n` endings, gzip with mtime 0, JSON with a fixed key order."""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path
from typing import Any

import polars as pl

GZIP_LEVEL = 6


def csv_bytes(df: pl.DataFrame) -> bytes:
    """RFC-4180 CSV (quote when needed, empty strings as empty fields), header row, `\\n` line endings, UTF-8."""
    buf = io.BytesIO()
    df = df.with_columns(pl.col(pl.String).replace("", None))
    df.write_csv(buf, line_terminator="\n", quote_style="necessary")
    return buf.getvalue()


def write_csv(df: pl.DataFrame, path: Path) -> int:
    """Write a CSV, gzip-compressed (mtime 0, fixed level) when the name ends in .gz; returns bytes written."""
    data = csv_bytes(df)
    if path.suffix == ".gz":
        data = gzip.compress(data, compresslevel=GZIP_LEVEL, mtime=0)
    return write_bytes(data, path)


def write_json(obj: Any, path: Path) -> int:
    """Pretty JSON in the order the object was built, with a trailing newline."""
    return write_bytes((json.dumps(obj, indent=2, ensure_ascii=False) + "\n").encode("utf-8"), path)


def write_bytes(data: bytes, path: Path) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return len(data)
