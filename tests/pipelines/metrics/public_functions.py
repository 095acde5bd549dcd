"""Every public read function of pipelines.metrics, found by itself (a new one is covered without edits)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import typing
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


def cut_values(fn: Callable[..., Any]) -> list[Any]:
    """Every non-default value of fn's `by` parameter (from its Literal type or the module's CUTS); [] without one."""
    param = inspect.signature(fn).parameters.get("by")
    if param is None:
        return []
    hint = typing.get_type_hints(fn).get("by")
    values: list[Any] = []
    for arg in (hint,) if typing.get_origin(hint) is typing.Literal else typing.get_args(hint):
        if typing.get_origin(arg) is typing.Literal:
            values.extend(typing.get_args(arg))
    if not values:
        values = list(getattr(inspect.getmodule(fn), "CUTS", ()))
    return [v for v in values if v != param.default]
