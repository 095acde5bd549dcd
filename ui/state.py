"""Settings, data paths and the warehouse connection for the running app (cached per warehouse file)."""

from __future__ import annotations

import os
from pathlib import Path

import streamlit as st

from pipelines.config import DataPaths, Settings, data_paths, load_settings


@st.cache_resource(show_spinner=False)
def get_settings() -> Settings:
    return load_settings()


@st.cache_resource(show_spinner=False)
def get_paths() -> DataPaths:
    return data_paths()


def warehouse_version() -> tuple[str, int, int] | None:
    """(path, inode, mtime_ns) of the live warehouse; a swap changes the inode."""
    path = get_paths().warehouse
    try:
        st_ = os.stat(path)
    except FileNotFoundError:
        return None
    return str(path), st_.st_ino, st_.st_mtime_ns


def warehouse_path() -> Path:
    return get_paths().warehouse
