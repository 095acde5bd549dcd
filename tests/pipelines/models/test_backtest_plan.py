"""How the backtest is sized by the data (plan_backtest), capped fits (rows_used) and the run's fit cache."""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl
import pytest

from pipelines.models import ModelOptions
from pipelines.models.attrition import FitCache, _fit_calibrated, plan_backtest, rows_used, subsample_stayers
from pipelines.models.backtest import add_months, choose_origins
from pipelines.models.estimators import fit_vocabulary
from pipelines.models.features import check_panel, observable


def _exits_panel() -> pl.DataFrame:
    """Two years of months, one row a month, with the exits placed by hand around the latest origin.

    Data through 2024-12, so the latest origin is 2023-12 and its watched months are 2023-12 to
    2024-11: three voluntary exits inside (2023-12, 2024-06, 2024-11), one just before
    (2023-11), one in the last month (2024-12, outside) and an involuntary exit inside.
    """
    months = [add_months(date(2023, 1, 1), i) for i in range(24)]
    outcome: dict[date, str] = {
        date(2023, 11, 1): "voluntary",
        date(2023, 12, 1): "voluntary",
        date(2024, 3, 1): "involuntary",
        date(2024, 6, 1): "voluntary",
        date(2024, 11, 1): "voluntary",
        date(2024, 12, 1): "voluntary",
    }
    return pl.DataFrame(
        {"month": months, "exit_type_next_month": [outcome.get(m) for m in months]},
        schema={"month": pl.Date, "exit_type_next_month": pl.String},
    )


def test_a_panel_with_enough_exits_per_origin_gets_the_large_plan():
    options, plan = plan_backtest(_exits_panel(), date(2024, 12, 1), ModelOptions(large_panel_exits=3))
    assert plan["latest_window_exits"] == 3
    assert plan["large_panel"] is True
    assert (options.n_origins, options.origin_step) == (6, 3)
    assert options.max_training_rows == 100_000
    assert options.hyperparameters_per_cutoff is True
    assert plan["max_training_rows"] == 100_000 and plan["origin_step"] == 3


def test_a_panel_below_the_threshold_keeps_the_options_as_they_are():
    given = ModelOptions(large_panel_exits=4)
    options, plan = plan_backtest(_exits_panel(), date(2024, 12, 1), given)
    assert plan["latest_window_exits"] == 3 and plan["large_panel"] is False
    assert options is given
    assert (options.n_origins, options.origin_step, options.max_training_rows) == (12, 1, 300_000)
    never = ModelOptions(large_panel_exits=None)
    assert plan_backtest(_exits_panel(), date(2024, 12, 1), never)[0] is never


def test_the_large_plan_never_raises_a_lower_row_cap():
    options, _ = plan_backtest(
        _exits_panel(), date(2024, 12, 1), ModelOptions(large_panel_exits=1, max_training_rows=50_000)
    )
    assert options.max_training_rows == 50_000


def test_large_plan_origins_are_quarterly_over_the_latest_fifteen_months():
    options, _ = plan_backtest(_exits_panel(), date(2024, 12, 1), ModelOptions(large_panel_exits=1))
    origins = choose_origins(
        date(2026, 11, 1), date(2015, 9, 1), options.n_origins, options.origin_step, options.min_train_months
    )
    assert origins == [
        date(2024, 8, 1),
        date(2024, 11, 1),
        date(2025, 2, 1),
        date(2025, 5, 1),
        date(2025, 8, 1),
        date(2025, 11, 1),
    ]


def test_rows_used_by_a_capped_fit():
    y = np.array([1, 1, 1, 0, 0, 0, 0, 0, 0, 0])
    assert rows_used(y, 20) == 10  # under the cap: every row
    assert rows_used(y, 5) == 5  # 3 exits and 2 of the 7 others
    y_many = np.array([1] * 6 + [0] * 4)
    assert rows_used(y_many, 5) == 7  # more exits than the cap: every exit and one other row
    X = np.arange(10, dtype=float).reshape(-1, 1)
    assert len(subsample_stayers(X, y, 5, 0)[1]) == rows_used(y, 5)
    assert len(subsample_stayers(X, y_many, 5, 0)[1]) == rows_used(y_many, 5)


def test_the_sampling_weights_keep_the_observed_rate():
    # 4 exits in 40 rows, capped at 12: 4 exits (weight 1) and 8 of the 36 others (weight 36 / 8 = 4.5).
    y = np.array([1] * 4 + [0] * 36)
    X = np.arange(40, dtype=float).reshape(-1, 1)
    _, y_kept, weight = subsample_stayers(X, y, 12, 0)
    assert len(y_kept) == 12 and y_kept.sum() == 4
    assert sorted(set(weight[y_kept == 0])) == [4.5]
    assert np.average(y_kept, weights=weight) == pytest.approx(0.1)  # 4 / (4 + 8 * 4.5), as in all 40 rows


@pytest.fixture(scope="module")
def small_data(panel: pl.DataFrame) -> pl.DataFrame:
    return observable(check_panel(panel))


def test_the_fit_cache_fits_a_model_once(small_data):
    cache = FitCache(small_data, ModelOptions())
    before = date(2023, 6, 1)
    vocab = fit_vocabulary(small_data.filter(pl.col("month") < before))
    first = cache.fit("logistic", before, vocab, (0.1, None))
    assert cache.fit("logistic", before, vocab, (0.1, None)) is first
    assert cache.fit("logistic", before, vocab, (0.3, None)) is not first  # another C: another fit
    assert (cache.n_fits, cache.n_reused) == (2, 1)


def test_per_cutoff_hyperparameters_reuse_the_model_trained_at_the_earlier_cutoff(small_data):
    options = ModelOptions(estimators=("logistic",), hyperparameters_per_cutoff=True)
    cache = FitCache(small_data, options)
    earlier, later = date(2023, 3, 1), date(2023, 6, 1)  # `later` recalibrates on `earlier` (3 months back)
    vocab = fit_vocabulary(small_data.filter(pl.col("month") < later))
    _, base_earlier, _ = _fit_calibrated("logistic", small_data, earlier, vocab, options, cache)
    fits = cache.n_fits
    _fit_calibrated("logistic", small_data, later, vocab, options, cache)
    hyper = cache.hyperparameters("logistic", earlier, vocab)
    assert cache.models[("logistic", earlier, tuple(sorted(vocab.items())), hyper)] is base_earlier
    # The panel starts 2021-01 and internal origins need 12 months before them (from 2022-01).
    # `earlier` fitted 2023-03, 2022-12, 2022-09 and 2022-03; `later` needs 2023-06, 2023-03,
    # 2022-12 and 2022-06, of which only 2023-06 and 2022-06 are new.
    assert fits == 4
    assert cache.n_fits - fits == 2


def test_the_cache_gives_the_same_model_as_fitting_afresh(small_data):
    before = date(2023, 6, 1)
    vocab = fit_vocabulary(small_data.filter(pl.col("month") < before))
    options = ModelOptions()
    cached, _, _ = _fit_calibrated("logistic", small_data, before, vocab, options, FitCache(small_data, options))
    fresh, _, _ = _fit_calibrated("logistic", small_data, before, vocab, options)
    assert (cached.intercept, cached.slope) == (fresh.intercept, fresh.slope)


def test_a_truncated_tree_model_is_the_model_fitted_with_fewer_trees(small_data):
    from pipelines.models.attrition import _fit, _training, choose_boosting_iterations, truncated_boosting
    from pipelines.models.estimators import monthly_hazard

    options = ModelOptions(max_training_rows=4_000, boosting_max_iter=60)
    later, before = date(2024, 1, 1), date(2023, 1, 1)  # the choice at `later` fits the rows before `before`
    vocab = fit_vocabulary(small_data.filter(pl.col("month") < later))
    X, y, _, months = _training(small_data, later, vocab)
    kept: list = []
    choose_boosting_iterations(X, y, months, options, kept)
    ((cut, path),) = kept
    assert date(cut // 12, cut % 12 + 1, 1) == before
    X_before, y_before, _, _ = _training(small_data, before, vocab)
    fresh = _fit("boosting", X_before, y_before, options, n_iter=25)
    short = truncated_boosting(path, 25)
    assert short.n_iter_ == 25 and len(short._predictors) == 25
    assert np.array_equal(monthly_hazard(short, X), monthly_hazard(fresh, X))


def test_binary_log_loss_is_scikit_learns_log_loss_of_the_tree_models_probabilities():
    from sklearn.metrics import log_loss

    from pipelines.models.attrition import binary_log_loss

    rng = np.random.default_rng(3)
    raw = np.concatenate([rng.normal(-3, 2, 500), [-50.0, 50.0, 0.0]])  # includes probabilities that clip
    y = np.concatenate([(rng.random(500) < 0.1).astype(int), [1, 0, 1]])
    proba = 1 / (1 + np.exp(-raw))
    assert binary_log_loss(y, raw) == pytest.approx(log_loss(y, proba, labels=[0, 1]), rel=1e-12)
