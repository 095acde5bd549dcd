"""Cached access to pipelines.metrics for pages: one connection per warehouse file, results per version."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import duckdb
import streamlit as st

from pipelines.access import Viewer
from pipelines.metrics import Context, connect_context
from ui.state import get_settings, warehouse_version


class NoWarehouse(RuntimeError):
    """The data directory has no warehouse yet."""


def _close(con: duckdb.DuckDBPyConnection) -> None:
    con.close()


@st.cache_resource(show_spinner=False, max_entries=2, on_release=_close)
def _connection(path: str, inode: int) -> duckdb.DuckDBPyConnection:
    # Keyed on the inode: an atomic swap gives the live name a new inode, so the next call
    # opens the new file instead of reading the old, unlinked one forever.
    return duckdb.connect(path, read_only=True)


@contextmanager
def warehouse_context(version: tuple[str, int, int]) -> Iterator[Context]:
    """A metrics Context on its own cursor of the cached connection to this warehouse version."""
    cursor = _connection(version[0], version[1]).cursor()  # one cursor per call: sessions run in threads
    try:
        yield connect_context(cursor, get_settings())
    finally:
        cursor.close()


@st.cache_data(show_spinner=False, max_entries=512)
def _call(module: str, name: str, version: tuple[str, int, int], viewer: Viewer, kwargs: tuple) -> Any:
    fn = getattr(importlib.import_module(module), name)
    with warehouse_context(version) as ctx:
        return fn(viewer, ctx, **dict(kwargs))


def get(fn: Callable[..., Any], viewer: Viewer, **kwargs: Any) -> Any:
    """Call a pipelines.metrics read function for `viewer`, cached until the warehouse changes."""
    version = warehouse_version()
    if version is None:
        raise NoWarehouse
    return _call(fn.__module__, fn.__name__, version, viewer, tuple(sorted(kwargs.items())))


def require_warehouse() -> None:
    """Stop the page with instructions when no warehouse has been built yet."""
    if warehouse_version() is None:
        st.info(
            "No data yet. Build the warehouse from the bundled sample with `python -m pipelines demo`, "
            "or load your own exports with `python -m pipelines all PATH`."
        )
        st.stop()
