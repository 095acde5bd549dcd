"""The Attrition risk page on the sample warehouse with a trained model, driven by AppTest."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from pipelines.access import Role, Viewer
from pipelines.metrics import risk
from tests.pages.conftest import MANAGER_ID, REPO, run_page

USES_SAMPLE = True  # the page reads the sample warehouse (see conftest._page_env)


@pytest.fixture(scope="module")
def app_env(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample ingested, built and trained (the conftest's sample is not trained)."""
    data_dir = tmp_path_factory.mktemp("risk-page-data")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pipelines",
            "--data-dir",
            str(data_dir),
            "--config",
            str(REPO / "data" / "sample" / "tenure.toml"),
            "all",
            str(REPO / "data" / "sample"),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return data_dir


@pytest.fixture(scope="module")
def ctx(app_env: Path):  # noqa: ANN201 - Context
    from pipelines.config import load_settings
    from pipelines.metrics import open_context

    with open_context(app_env / "warehouse.duckdb", load_settings(REPO / "data" / "sample" / "tenure.toml")) as c:
        yield c


def _people_table(at):  # noqa: ANN001, ANN202
    return next((d.value for d in at.dataframe if "why" in d.value.columns), None)


def _metric(at, label: str) -> str:  # noqa: ANN001
    return next(m.value for m in at.metric if m.label == label)


def test_director_sees_bands_people_with_reasons_backtest_and_card(ctx):
    at = run_page("attrition_risk", "director")
    assert not at.exception, at.exception
    assert at.title[0].value == "Attrition risk"
    assert "never use them for sanctions" in at.info[0].value
    counts = risk.get_risk_band_counts(Viewer(Role.DIRECTOR), ctx)
    expected = dict(zip(counts["band"], counts["n_people"], strict=True))
    shown = {band: "n/a" if n is None else f"{n:,}" for band, n in expected.items()}  # None: a small cell, hidden
    assert _metric(at, "High risk") == shown.get("high", "0")
    assert _metric(at, "Low risk") == shown["low"]
    people = _people_table(at)
    scores = risk.get_risk_scores(Viewer(Role.DIRECTOR), ctx)
    assert len(people) == scores.height > 100
    assert list(people.columns) == ["person", "team", "title", "risk", "why"]  # no probability until asked
    assert set(people["risk"]) <= {"High", "Elevated", "Low", "Not enough data"}
    assert people["why"].str.len().max() > 20  # drivers in sentences
    backtest = next(d.value for d in at.dataframe if "roc_auc" in d.value.columns)
    assert "Base rate by tenure band" in set(backtest["estimator"])
    markdown = " ".join(m.value for m in at.markdown)
    assert "Model card: voluntary-exit risk" in markdown
    assert len(at.get("plotly_chart")) >= 2  # calibration and predicted vs actual


def test_probabilities_only_on_demand(ctx):
    at = run_page("attrition_risk", "director")
    at.toggle(key="risk_show_probabilities").set_value(True).run()
    assert not at.exception, at.exception
    people = _people_table(at)
    assert {"p_3m", "p_6m", "p_12m", "expected_remaining_months"} <= set(people.columns)
    assert ((people["p_3m"] <= people["p_12m"]) | people["p_12m"].isna()).all()


def test_manager_sees_only_their_subtree(ctx):
    at = run_page("attrition_risk", "manager", employee_id=MANAGER_ID)
    assert not at.exception, at.exception
    scores = risk.get_risk_scores(Viewer(Role.MANAGER, MANAGER_ID), ctx)
    people = _people_table(at)
    assert 0 < len(people) == scores.height < 30


def test_executive_sees_counts_never_a_person(ctx):
    at = run_page("attrition_risk", "executive")
    assert not at.exception, at.exception
    assert _people_table(at) is None
    assert "Executives see band counts only" in " ".join(c.value for c in at.caption)
    assert int(_metric(at, "Low risk").replace(",", "")) > 0


def test_scores_switched_off_in_the_settings(ctx, tmp_path, monkeypatch):
    from ui.data import _call
    from ui.state import get_settings

    toml = tmp_path / "tenure.toml"
    toml.write_text((REPO / "data" / "sample" / "tenure.toml").read_text() + "\n[models]\nindividual_scores = false\n")
    monkeypatch.setenv("TENURE_CONFIG", str(toml))
    get_settings.clear()
    _call.clear()  # cached read results are keyed on the warehouse, not on the settings
    try:
        at = run_page("attrition_risk", "director")
    finally:
        _call.clear()
    assert not at.exception, at.exception
    assert _people_table(at) is None
    assert "turned off" in " ".join(c.value for c in at.caption)
    counts = risk.get_risk_band_counts(Viewer(Role.DIRECTOR), ctx)  # band counts remain
    assert _metric(at, "Low risk") == f"{counts.filter(pl.col('band') == 'low')['n_people'].item():,}"


def test_sample_panel_sustained_complex_load_matches_its_definition(ctx):
    # the third highest monthly complex-ticket count over the person's last 4 months (0 with fewer than 3)
    rows = ctx.frame(
        "select employee_id, month, complex_tickets, complex_tickets_3_of_4m from marts_person_months "
        "order by employee_id, month"
    )
    checked = 0
    for (_,), part in rows.group_by(["employee_id"], maintain_order=True):
        months = part.to_dicts()
        for i, row in enumerate(months):
            window = [
                r["complex_tickets"]
                for r in months[max(0, i - 3) : i + 1]
                if (row["month"].year - r["month"].year) * 12 + row["month"].month - r["month"].month <= 3
            ]
            expected = sorted(window, reverse=True)[2] if len(window) >= 3 else 0
            assert row["complex_tickets_3_of_4m"] == expected, row
            checked += expected > 17
    assert checked > 300  # months of sustained heavy complex load exist in the sample
