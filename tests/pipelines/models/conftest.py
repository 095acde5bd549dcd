"""Shared fixtures: one synthetic panel with a known hazard and one training run on it."""

from __future__ import annotations

import polars as pl
import pytest

from pipelines.config import load_settings
from pipelines.models import ModelOptions, ModelRun, fit_and_backtest
from pipelines.models.synthetic import oracle_risk, synthetic_panel


@pytest.fixture(scope="session")
def panel() -> pl.DataFrame:
    # 1,488 people ever employed, about 570 at a time, 48 months: 27,457 person-months, 721 voluntary exits.
    return synthetic_panel(n_people=2000, n_months=48, seed=11)


@pytest.fixture(scope="session")
def oracle(panel: pl.DataFrame) -> pl.DataFrame:
    return oracle_risk(panel)


@pytest.fixture(scope="session")
def run(panel: pl.DataFrame, oracle: pl.DataFrame) -> ModelRun:
    # The default settings' ladder names the synthetic titles: months_beyond_expected is derived.
    # Six quarterly origins instead of the default twelve monthly ones keep the suite quick.
    return fit_and_backtest(panel, load_settings(), options=ModelOptions(n_origins=6, origin_step=3), oracle=oracle)
