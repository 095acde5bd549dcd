"""Every public read function of pipelines.metrics, found by itself (a new one is covered without edits)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Callable
from typing import Any

import pipelines.metrics as metrics_pkg


def public_functions() -> list[Callable[..., Any]]:
    """Every get_* defined in a module of pipelines.metrics, modules in name order."""
    found = []
    for info in sorted(pkgutil.iter_modules(metrics_pkg.__path__), key=lambda i: i.name):
        module = importlib.import_module(f"{metrics_pkg.__name__}.{info.name}")
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            if name.startswith("get_") and fn.__module__ == module.__name__:
                found.append(fn)
    return found
