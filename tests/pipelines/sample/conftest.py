"""Shared fixtures: a small generated organisation and the bundled default one (data/sample)."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from pipelines.config import SAMPLE_DIR
from pipelines.sample import generate_sample

SMALL = {"seed": 11, "people": 40, "years": 2}


@pytest.fixture(scope="session")
def small_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("small")
    generate_sample(out, **SMALL)
    return out


@pytest.fixture(scope="session")
def sample_dir() -> Path:
    if not (SAMPLE_DIR / "truth" / "story.json").exists():
        pytest.fail("data/sample is missing: run `python -m pipelines sample`")
    return SAMPLE_DIR


def read(path: Path) -> pl.DataFrame:
    """Every column as a string, empty fields as nulls."""
    return pl.read_csv(path, infer_schema=False)


def support_spells(root: Path) -> pl.DataFrame:
    """Per person, the date ranges they were employed in Customer Support (start, end inclusive)."""
    jobs = read(root / "bamboohr/job_information.csv").select(
        "Employee #", "Effective Date", pl.col("Department"), pl.lit(None, pl.String).alias("Employment Status")
    )
    status = read(root / "bamboohr/employment_status.csv").select(
        "Employee #", "Effective Date", pl.lit(None, pl.String).alias("Department"), "Employment Status"
    )
    rows = pl.concat([status, jobs]).sort(["Employee #", "Effective Date"], maintain_order=True).iter_rows()
    spells: list[tuple[str, str, str | None]] = []
    state: dict[str, dict] = {}
    for emp, on, dept, st in rows:
        s = state.setdefault(emp, {"employed": False, "dept": None, "start": None})
        was = s["employed"] and s["dept"] == "Customer Support"
        if st == "Terminated":
            s["employed"] = False
        elif st is not None:
            s["employed"] = True
        if dept is not None:
            s["dept"] = dept
        now = s["employed"] and s["dept"] == "Customer Support"
        if now and not was:
            s["start"] = on
        if was and not now:
            end = on if st == "Terminated" else str(pl.Series([on]).str.to_date().dt.offset_by("-1d")[0])
            spells.append((emp, s["start"], end))
    for emp, s in state.items():
        if s["employed"] and s["dept"] == "Customer Support":
            spells.append((emp, s["start"], "2999-12-31"))
    return pl.DataFrame(spells, schema=["employee_number", "start", "end"], orient="row")
