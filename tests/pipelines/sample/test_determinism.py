"""The same arguments give the same bytes; the bundled data/sample is exactly what the defaults generate."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.sample import generate_sample

from .conftest import SMALL


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_same_seed_gives_identical_bytes(small_dir: Path, tmp_path: Path):
    again = tmp_path / "again"
    generate_sample(again, **SMALL)
    first, second = _files(small_dir), _files(again)
    assert len(first) == 20
    assert first.keys() == second.keys()
    assert [name for name in first if first[name] != second[name]] == []


def test_another_seed_gives_another_organisation(small_dir: Path, tmp_path: Path):
    other = tmp_path / "other"
    generate_sample(other, **{**SMALL, "seed": SMALL["seed"] + 1})
    first, second = _files(small_dir), _files(other)
    differing = [name for name in first if first[name] != second.get(name)]
    assert "bamboohr/employees.csv" in differing
    assert "zendesk/tickets.csv.gz" in differing
    assert "bamboohr/pay_bands.csv" not in differing  # bands are fixed, not drawn


@pytest.mark.slow
def test_defaults_reproduce_the_bundled_sample(sample_dir: Path, tmp_path: Path):
    summary = generate_sample(tmp_path / "sample")
    bundled, fresh = _files(sample_dir), _files(tmp_path / "sample")
    assert bundled.keys() == fresh.keys()
    assert [name for name in bundled if bundled[name] != fresh[name]] == []
    assert summary["seed"] == 2
    assert summary["period"] == "2020-11-01 .. 2026-10-31"
