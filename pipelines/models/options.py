"""The attrition model's settings in one place, with the reason for each default.

The risk bands are relative to the base rate (the share of people who left voluntarily within
12 months in the backtest), so that "high" means the same thing in a calm year and a bad one.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from pipelines.models.estimators import ESTIMATORS


@dataclass(frozen=True)
class ModelOptions:
    # Backtest: origins every `origin_step` months, the latest 12 months before the data ends,
    # and at least `min_train_months` of history before the earliest. Twelve monthly origins
    # cover a year with every calendar month once (seasonality balanced) and give twice as many
    # comparisons as six quarterly ones for the same span of history.
    n_origins: int = 12
    origin_step: int = 1
    min_train_months: int = 12
    estimators: tuple[str, ...] = ESTIMATORS
    # Train on the last this-many months before each origin only (None: all history). Shorter
    # windows follow a changing attrition level; longer ones give more exits to learn from.
    training_window_months: int | None = None
    # Drop the months before the panel's first recorded exit (features.observable): exits
    # cannot be seen there, only the people who stayed long enough to appear in the export.
    trim_unobserved_months: bool = True
    # Pick the best mean PR AUC; within `tie_tolerance` of it the lower mean Brier score wins.
    tie_tolerance: float = 0.005
    # Inverse L2 strength of the logistic model. None: from the number of voluntary exits in the
    # training rows (n / 2000, between 0.01 and 0.5): a few hundred people with a hundred
    # leavers need a much stronger pull towards the base rate than a large organisation
    # (on the sample, C = 0.5 spread the risks far wider than what happened).
    logistic_c: float | None = None
    # With logistic_c None, C is chosen on time (attrition.choose_logistic_c): each value of the
    # grid is fitted on the training rows before their last `inner_validation_months` months and
    # scored by log-loss on those months. With fewer than `min_validation_exits` voluntary exits
    # on either side, the rule above (exits / 2000) is used instead.
    logistic_c_grid: tuple[float, ...] = (0.003, 0.01, 0.03, 0.1, 0.3, 1.0)
    inner_validation_months: int = 12
    min_validation_exits: int = 10
    # The tree model (estimators.make_boosting): up to `boosting_max_iter` trees, the number
    # chosen on the latest months like C (`boosting_default_iter` when that is not possible);
    # leaves large enough to expect `boosting_leaf_exits` voluntary exits each.
    boosting_max_iter: int = 300
    boosting_default_iter: int = 150
    boosting_leaf_exits: float = 5.0
    # Features that grow by one a month when risk is projected forward (features.AGING are
    # the candidates). "all": every time-since feature ages (assumes no promotion and no growth
    # activity ahead: pessimistic); "tenure": only time in support, which ages for certain;
    # "none": everything held. "auto": the one of `projection_candidates` that predicted the
    # held-out years best (the recalibration holdouts, recalibrate.py), per estimator and
    # cut-off; "all" when there are no holdouts. Whether time in level keeps growing depends
    # on how often people are promoted or start growth activities, which differs between
    # organisations, so the data decides.
    projection: str = "auto"
    projection_candidates: tuple[str, ...] = ("all", "tenure", "none")
    # Map every monthly hazard by logit(h') = a + b logit(h), fitted on the years just before
    # each cut-off (recalibrate.py): models trained before internal origins this many months
    # earlier predict the following 12 months. Fixes over-confidence and level drift; never
    # changes a rank.
    recalibrate: bool = True
    recalibration_months: tuple[int, ...] = (3, 6, 12, 18)
    # Survival curve and expected remaining tenure are computed over this many months.
    horizon_months: int = 36
    # Bands on 12-month leaving probability: elevated from 1.5x the base rate, high from 2.5x.
    elevated_ratio: float = 1.5
    high_ratio: float = 2.5
    # People with fewer months in support than this get "not enough data" instead of a score.
    min_history_months: int = 3
    # Off: no individual scores at all (the organisation chose aggregate views only).
    individual_scores: bool = True
    # Hazard rows per fit: above this, every voluntary exit is kept and the other rows are
    # sampled with inverse-rate weights (about 25,000 people-years; keeps each fit to seconds).
    max_training_rows: int = 300_000
    # A large panel (at least `large_panel_exits` voluntary exits in the 12 months watched after
    # the latest origin, so a few thousand leavers per origin) is backtested more cheaply
    # (attrition.plan_backtest): `large_n_origins` origins every `large_origin_step` months, at
    # most `large_max_training_rows` rows per fit (every exit plus a weighted sample of the
    # others), and each cut-off's hyperparameters chosen once for that cut-off, so a model
    # trained at one cut-off serves every origin that recalibrates on it. A thousand leavers per
    # origin give a ROC AUC to within about 0.01; the 750-person sample (about 150) stays below.
    # None: never.
    large_panel_exits: int | None = 1_000
    large_n_origins: int = 6
    large_origin_step: int = 3
    large_max_training_rows: int = 100_000
    # Hyperparameters of the recalibration fits (_fit_calibrated): False uses the scoring
    # cut-off's C and number of trees for the earlier fits too; True chooses them at each
    # earlier cut-off on its own rows (the model as it would have been trained then).
    hyperparameters_per_cutoff: bool = False
    max_drivers: int = 3
    importance_repeats: int = 3
    importance_max_rows: int = 15_000
    random_state: int = 0
    # Threads for OpenMP (the tree model) and BLAS (the linear model). Measured on these 2-core
    # machines: one thread fits HistGradientBoosting on 200,000 rows in 1.4 s, two threads in
    # 16.7 s (oversubscription); the logistic fit drops from 3.2 s to 0.9 s. None: library default.
    n_threads: int | None = 1

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def logistic_strength(self, n_events: int) -> float:
        """The logistic model's C for training rows with this many voluntary exits."""
        if self.logistic_c is not None:
            return self.logistic_c
        return min(0.5, max(0.01, n_events / 2000))

    def aging(self, projection: str | None = None) -> tuple[str, ...]:
        """The features aged by a projection (default: `projection`, with "auto" read as "all")."""
        from pipelines.models.features import AGING

        chosen = projection or self.projection
        if chosen in ("all", "auto"):
            return AGING
        if chosen == "tenure":
            return ("tenure_months",)
        if chosen == "none":
            return ()
        raise ValueError(f"projection must be auto, all, tenure or none, not {chosen!r}")

    def band_thresholds(self, base_rate: float) -> dict[str, float]:
        """The 12-month probabilities where elevated and high start, for this base rate."""
        return {
            "elevated": min(self.elevated_ratio * base_rate, 1.0),
            "high": min(self.high_ratio * base_rate, 1.0),
        }
