"""Fit, backtest and score the voluntary-exit hazard model; one ModelRun per training run.

The panel is one row per person per month employed in support (features.REQUIRED columns).
The target of a row is a voluntary exit in the following month. Involuntary exits and
transfers out of support end a person's time at risk without counting as a voluntary exit
(censoring); see docs/model.md.
"""

from __future__ import annotations

import copy
import hashlib
import logging
import uuid
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Any

import numpy as np
import polars as pl
import sklearn
from scipy.special import expit
from sklearn.inspection import permutation_importance
from sklearn.metrics import log_loss
from sklearn.pipeline import Pipeline
from threadpoolctl import threadpool_limits

from pipelines.models import backtest as bt
from pipelines.models.drivers import (
    conditional_contributions,
    logistic_contributions,
    logistic_reference,
    reference_row,
    top_drivers,
)
from pipelines.models.estimators import (
    TenureBandBaseline,
    Vocabulary,
    fit_vocabulary,
    make_boosting,
    make_estimator,
    make_logistic,
    monthly_hazard,
    spline_knots,
    to_matrix,
)
from pipelines.models.features import (
    CATEGORICAL,
    FEATURE_NAMES,
    ID,
    MONTH,
    OUTCOME,
    TARGET_EXIT,
    check_panel,
    observable,
)
from pipelines.models.hazard import (
    aging_index,
    expected_remaining_months,
    leave_within,
    project_hazards,
    survival_curve,
)
from pipelines.models.options import ModelOptions
from pipelines.models.recalibrate import Recalibrated, fit_map_scored, recalibrate_monthly

log = logging.getLogger(__name__)

NOT_ENOUGH_DATA = "not enough data"
BANDS = ("low", "elevated", "high")


@dataclass
class ModelRun:
    """One training run: the fitted model, its backtest, and what is needed to score and explain."""

    run_id: str
    trained_at: datetime
    as_of: date
    data_hash: str
    chosen: str
    selection_reason: str
    options: ModelOptions
    model: Any
    vocab: Vocabulary
    reference: np.ndarray
    z_reference: np.ndarray | None
    base_rate_12m: float
    origins: list[date]
    backtest: pl.DataFrame
    calibration: pl.DataFrame
    summary: pl.DataFrame
    importance: pl.DataFrame
    population: dict[str, Any]
    versions: dict[str, str]
    expected_months: dict[str, float] = field(default_factory=dict)
    projection: str = "all"  # the projection the chosen model scores with (ModelOptions.projection)
    backtest_projections: dict[str, list[str]] = field(default_factory=dict)  # per estimator, per origin
    card: str = ""
    timings: dict[str, float] = field(default_factory=dict)
    plan: dict[str, Any] = field(default_factory=dict)  # how the backtest was sized (plan_backtest)

    @property
    def thresholds(self) -> dict[str, float]:
        return self.options.band_thresholds(self.base_rate_12m)

    def headline(self, estimator: str | None = None) -> dict[str, float]:
        """Mean metrics across origins for one estimator (the chosen one by default)."""
        wanted = estimator or self.chosen
        rows = self.summary.filter(pl.col("estimator") == wanted)
        return {r["metric"]: r["mean"] for r in rows.iter_rows(named=True)}

    def record(self) -> dict[str, Any]:
        """The model_runs record: id, time, data hash, parameters, versions and metrics."""
        return {
            "run_id": self.run_id,
            "trained_at": self.trained_at,
            "as_of": self.as_of,
            "data_hash": self.data_hash,
            "chosen_estimator": self.chosen,
            "selection_reason": self.selection_reason,
            "parameters": {
                "options": self.options.to_dict(),
                "features": list(FEATURE_NAMES),
                "estimator": _params(self.model),
                "band_thresholds": self.thresholds,
                "base_rate_12m": self.base_rate_12m,
                "origins": [o.isoformat() for o in self.origins],
                "projection": self.projection,
                "backtest_projections": self.backtest_projections,
                "backtest_plan": self.plan,
            },
            "versions": self.versions,
            "metrics": {
                name: {m: v for m, v in self.headline(name).items()}
                for name in self.summary["estimator"].unique().sort().to_list()
            },
            "population": self.population,
        }


def _params(model: Any) -> dict[str, str]:
    if isinstance(model, Recalibrated):
        return _params(model.base) | {
            "recalibration_intercept": repr(model.intercept),
            "recalibration_slope": repr(model.slope),
        }
    return {k: repr(v) for k, v in model.get_params(deep=False).items() if k != "steps"} | {
        "type": type(model).__name__
    }


def versions() -> dict[str, str]:
    """Versions of the libraries a run depends on."""
    import sksurv

    return {
        "scikit-learn": sklearn.__version__,
        "numpy": np.__version__,
        "polars": pl.__version__,
        "scikit-survival": sksurv.__version__,
    }


def data_hash(frame: pl.DataFrame) -> str:
    """sha256 of the frame's Arrow IPC bytes (uncompressed), rows sorted by person and month."""
    digest = _Digest()
    frame.sort(ID, MONTH).write_ipc(digest, compression="uncompressed")  # type: ignore[arg-type]
    return digest.sha256.hexdigest()


class _Digest:
    """A write-only file that hashes what is written to it (the IPC bytes are never held whole)."""

    def __init__(self) -> None:
        self.sha256 = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> int:
        self.sha256.update(data)
        self.size += len(data)
        return len(data)

    def tell(self) -> int:
        return self.size

    def flush(self) -> None:
        return None


def _first_of_month(day: date) -> date:
    return date(day.year, day.month, 1)


def _training(
    data: pl.DataFrame, before: date, vocab: Vocabulary | None = None, window_months: int | None = None
) -> tuple[np.ndarray, np.ndarray, Vocabulary, np.ndarray]:
    """(X, y, vocabulary, month index of each row) for the hazard rows before `before`."""
    rows = data.filter(pl.col(MONTH) < before)
    if window_months:
        rows = rows.filter(pl.col(MONTH) >= bt.add_months(before, -window_months))
    vocab = vocab or fit_vocabulary(rows)
    y = (rows[OUTCOME] == TARGET_EXIT).fill_null(False).to_numpy().astype(int)
    months = rows.select(bt.month_index(pl.col(MONTH))).to_series().to_numpy()
    return to_matrix(rows, vocab), y, vocab, months


def choose_logistic_c(X: np.ndarray, y: np.ndarray, months: np.ndarray, options: ModelOptions) -> float:
    """The logistic model's C, chosen on time: fitted on all but the latest months, scored on them.

    Each C in options.logistic_c_grid is fitted on the rows before the last
    options.inner_validation_months months of the training rows and scored by the log-loss of
    the monthly hazard on those months (later months are never used to predict earlier ones).
    Falls back to options.logistic_strength when either part has too few exits to compare on;
    options.logistic_c, when set, is used as is.
    """
    n_events = int(np.sum(y == 1))
    if options.logistic_c is not None:
        return options.logistic_c
    if len(months) == 0:
        return options.logistic_strength(n_events)
    cut = months.max() - options.inner_validation_months + 1
    fit_rows, val_rows = months < cut, months >= cut
    if min(int(y[fit_rows].sum()), int(y[val_rows].sum())) < options.min_validation_exits:
        return options.logistic_strength(n_events)
    X_fit, y_fit, weight = subsample_stayers(
        X[fit_rows], y[fit_rows], options.max_training_rows, options.random_state
    )  # above the row cap: every exit and a weighted sample of the others, as in _fit
    val_rows = validation_rows(val_rows, options.max_training_rows, options.random_state)
    knots = spline_knots(X_fit)
    # The feature step does not depend on C: fitted and applied once, then one regression per C
    # (the same fits as the whole pipeline for each C).
    features = make_logistic(knots=knots).named_steps["features"].fit(X_fit)
    Z_fit, Z_val = features.transform(X_fit), features.transform(X[val_rows])
    losses = []
    for C in options.logistic_c_grid:
        model = make_logistic(C=C, knots=knots).named_steps["model"].fit(Z_fit, y_fit, sample_weight=weight)
        losses.append(log_loss(y[val_rows], monthly_hazard(model, Z_val), labels=[0, 1]))
    return float(options.logistic_c_grid[int(np.argmin(losses))])


def validation_rows(rows: np.ndarray, max_rows: int, random_state: int) -> np.ndarray:
    """The validation rows a hyperparameter is scored on: all of them up to max_rows, else a random max_rows.

    `rows` is a boolean mask; returns a mask. An unweighted random sample keeps the expected
    log-loss of every candidate, so the comparison stays fair; rows keep their order.
    """
    picked = np.flatnonzero(rows)
    if len(picked) <= max_rows:
        return rows
    rng = np.random.default_rng(random_state)
    keep = np.zeros(len(rows), dtype=bool)
    keep[rng.choice(picked, size=max_rows, replace=False)] = True
    return keep


def boosting_leaf_size(y: np.ndarray, options: ModelOptions) -> int:
    """Rows per leaf for the tree model: enough that a leaf expects options.boosting_leaf_exits exits.

    At a 2% monthly exit rate and 5 exits a leaf that is 250 person-months; a leaf's rate is
    then an estimate, not one or two people. Between 20 and 5,000 rows.
    """
    rate = float(np.mean(y == 1)) if len(y) else 0.0
    if rate <= 0:
        return 20
    return int(min(5000, max(20, np.ceil(options.boosting_leaf_exits / rate))))


def choose_boosting_iterations(
    X: np.ndarray, y: np.ndarray, months: np.ndarray, options: ModelOptions, keep: list[Any] | None = None
) -> int:
    """The number of trees, chosen on time like the logistic model's C (choose_logistic_c).

    One fit of options.boosting_max_iter trees on the rows before the last
    options.inner_validation_months months; the number of trees (at least 10) with the lowest
    log-loss on those months. options.boosting_default_iter when either side has too few exits.
    With `keep`, a fit on more than options.max_training_rows rows is appended to it as (month
    index of the first validation month, model): it is _fit's model on the rows before that
    month, with every number of trees up to options.boosting_max_iter (truncated_boosting).
    """
    if len(months) == 0:
        return options.boosting_default_iter
    cut = months.max() - options.inner_validation_months + 1
    fit_rows, val_rows = months < cut, months >= cut
    if min(int(y[fit_rows].sum()), int(y[val_rows].sum())) < options.min_validation_exits:
        return options.boosting_default_iter
    X_fit, y_fit, weight = subsample_stayers(X[fit_rows], y[fit_rows], options.max_training_rows, options.random_state)
    val_rows = validation_rows(val_rows, options.max_training_rows, options.random_state)
    model = make_boosting(
        random_state=options.random_state,
        max_iter=options.boosting_max_iter,
        min_samples_leaf=boosting_leaf_size(y_fit, options),
    ).fit(_fill_empty_columns(X_fit), y_fit, sample_weight=weight)
    if keep is not None and int(fit_rows.sum()) > options.max_training_rows:
        keep.append((int(cut), model))
    y_val = y[val_rows]
    losses = [binary_log_loss(y_val, raw) for raw in model.staged_decision_function(X[val_rows])]
    return int(max(10, np.argmin(losses) + 1))


def binary_log_loss(y: np.ndarray, raw: np.ndarray) -> float:
    """sklearn.metrics.log_loss of 0/1 outcomes for probabilities expit(raw), without its per-call checks.

    The tree model's probability of the positive class is expit of its decision function;
    probabilities are clipped to [eps, 1 - eps] as log_loss does. Called once per number of
    trees (hundreds of times per tuning), where log_loss's input validation dominated.
    """
    p = np.clip(expit(raw), np.finfo(float).eps, 1 - np.finfo(float).eps)
    return float(-np.mean(np.where(y == 1, np.log(p), np.log(1 - p))))


def truncated_boosting(model: Any, n_iter: int) -> Any:
    """The first n_iter trees of a fitted tree model: the model a fit of n_iter trees on the same rows gives.

    Without early stopping every tree is fitted on the residuals of the trees before it, so
    stopping after n_iter trees changes nothing in them (the binning and the leaf size do not
    depend on the number of trees either).
    """
    out = copy.copy(model)
    out._predictors = model._predictors[:n_iter]  # n_iter_ is len(_predictors)
    out.max_iter = n_iter
    out.train_score_ = model.train_score_[: n_iter + 1]
    return out


def _fit(
    name: str,
    X: np.ndarray,
    y: np.ndarray,
    options: ModelOptions,
    C: float | None = None,
    n_iter: int | None = None,
) -> Any:
    """Fit one estimator on the hazard rows, capped at options.max_training_rows.

    Above the cap every voluntary exit is kept and the other rows are sampled, each weighted by
    the inverse of its sampling rate, so the fitted hazard stays on the population's scale.
    With a single outcome in the rows only a base rate makes sense. `C` is the logistic
    model's strength (default: options.logistic_strength), `n_iter` the tree model's number of
    trees (default: options.boosting_default_iter).
    """
    if len(np.unique(y)) < 2 and name != "baseline":
        log.warning("training rows hold a single outcome; %s replaced by the tenure-band base rate", name)
        name = "baseline"
    if name == "baseline" or len(y) <= options.max_training_rows:
        X_kept, y_kept, weight = X, y, None
    else:
        X_kept, y_kept, weight = subsample_stayers(X, y, options.max_training_rows, options.random_state)
    if name == "logistic":
        strength = C if C is not None else options.logistic_strength(int(np.sum(y == 1)))
        model = make_logistic(C=strength, knots=spline_knots(X_kept))
        return model.fit(X_kept, y_kept, model__sample_weight=weight)
    if name == "boosting":
        model = make_boosting(
            random_state=options.random_state,
            max_iter=n_iter or options.boosting_default_iter,
            min_samples_leaf=boosting_leaf_size(y_kept, options),
        )
        return model.fit(_fill_empty_columns(X_kept), y_kept, sample_weight=weight)
    return make_estimator(name).fit(X_kept, y_kept)


def _fill_empty_columns(X: np.ndarray) -> np.ndarray:
    """X with columns that hold no value at all set to 0.

    HistGradientBoosting's binning fails on such a column (for example months_beyond_expected
    without settings); a constant stands in, no tree splits on it, and NaN at predict time
    follows the same path.
    """
    empty = np.isnan(X).all(axis=0)
    if not empty.any():
        return X
    filled = X.copy()
    filled[:, empty] = 0.0
    return filled


def subsample_stayers(
    X: np.ndarray, y: np.ndarray, max_rows: int, random_state: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """All rows with an event plus a random share of the others, and weights that undo the sampling."""
    events = np.flatnonzero(y == 1)
    others = np.flatnonzero(y != 1)
    room = max(max_rows - len(events), 1)
    if room >= len(others):
        return X, y, np.ones(len(y))
    rng = np.random.default_rng(random_state)
    picked = np.sort(np.concatenate([events, rng.choice(others, size=room, replace=False)]))
    weight = np.where(y[picked] == 1, 1.0, len(others) / room)
    return X[picked], y[picked], weight


def _vocab_key(vocab: Vocabulary) -> tuple[tuple[str, tuple[str, ...]], ...]:
    return tuple(sorted(vocab.items()))


class FitCache:
    """The fits of one training run, so that a model trained at a cut-off is trained once.

    Fits are deterministic (fixed seeds), so a fit is keyed by everything it depends on: the
    estimator, the cut-off (rows before it), the category vocabulary and the hyperparameters.
    Backtest origins recalibrate on models trained at earlier cut-offs; with quarterly origins
    those cut-offs are other origins, and with options.hyperparameters_per_cutoff the model is
    the same one. Only the latest training matrix is held (a few hundred MB at 20M tickets).
    """

    def __init__(self, data: pl.DataFrame, options: ModelOptions) -> None:
        self.data = data
        self.options = options
        self.hyper: dict[tuple[Any, ...], tuple[float | None, int | None]] = {}
        self.models: dict[tuple[Any, ...], Any] = {}
        self.holdouts: dict[tuple[Any, ...], Any] = {}
        self.both_outcomes: dict[date, bool] = {}
        self.boosting_paths: dict[tuple[Any, ...], Any] = {}  # (cut-off, vocabulary) -> fit of max trees
        self.cohorts: dict[tuple[Any, ...], np.ndarray] = {}  # (origin, vocabulary) -> the cohort's matrix
        self.hazards: dict[tuple[int, int, tuple[int, ...]], np.ndarray] = {}  # project_hazards, by object ids
        self._latest: tuple[tuple[Any, ...], tuple[np.ndarray, np.ndarray, Vocabulary, np.ndarray]] | None = None
        self.n_fits = 0
        self.n_reused = 0
        self.n_truncated = 0  # tree models taken from a longer fit on the same rows

    def training(self, before: date, vocab: Vocabulary) -> tuple[np.ndarray, np.ndarray, Vocabulary, np.ndarray]:
        """_training's (X, y, vocabulary, months) for the rows before `before`."""
        key = (before, _vocab_key(vocab))
        if self._latest is None or self._latest[0] != key:
            self._latest = (key, _training(self.data, before, vocab, self.options.training_window_months))
        return self._latest[1]

    def has_both_outcomes(self, before: date) -> bool:
        """Whether the training rows before `before` hold a voluntary exit and a row without one."""
        if before not in self.both_outcomes:
            window = self.options.training_window_months
            rows = pl.col(MONTH) < before
            if window:
                rows = rows & (pl.col(MONTH) >= bt.add_months(before, -window))
            exit_rows = rows & (pl.col(OUTCOME) == TARGET_EXIT).fill_null(False)
            n_rows, exits = self.data.select(rows.sum().alias("n"), exit_rows.sum().alias("exits")).row(0)  # counted
            self.both_outcomes[before] = 0 < exits < n_rows
        return self.both_outcomes[before]

    def hyperparameters(self, name: str, before: date, vocab: Vocabulary) -> tuple[float | None, int | None]:
        """(C, number of trees) chosen on the rows before `before` (None where the estimator has none)."""
        key = (name, before, _vocab_key(vocab))
        if key not in self.hyper:
            C = n_iter = None
            if name in ("logistic", "boosting"):
                X, y, _, months = self.training(before, vocab)
                if name == "logistic":
                    C = choose_logistic_c(X, y, months, self.options)
                else:
                    kept: list[Any] = []
                    n_iter = choose_boosting_iterations(X, y, months, self.options, kept)
                    for cut, model in kept:  # the model of the rows before `cut`, any number of trees
                        self.boosting_paths[(date(cut // 12, cut % 12 + 1, 1), key[2])] = model
            self.hyper[key] = (C, n_iter)
        return self.hyper[key]

    def fit(self, name: str, before: date, vocab: Vocabulary, hyper: tuple[float | None, int | None]) -> Any:
        """_fit on the rows before `before` with these (C, number of trees), once per run."""
        key = (name, before, _vocab_key(vocab), hyper)
        path = self.boosting_paths.get((before, key[2])) if name == "boosting" else None
        if key in self.models:
            self.n_reused += 1
        elif (
            path is not None
            and hyper[1] is not None
            and hyper[1] <= path.max_iter
            and not self.options.training_window_months
            and self.has_both_outcomes(before)
        ):
            self.models[key] = truncated_boosting(path, hyper[1])
            self.n_truncated += 1
        else:
            X, y, _, _ = self.training(before, vocab)
            self.models[key] = _fit(name, X, y, self.options, *hyper)
            self.n_fits += 1
        return self.models[key]

    def holdout(
        self, before: date, origin: date, vocab: Vocabulary, complete: bool
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, bt.Observed | None] | None:
        """A recalibration cohort: the people employed at `origin`, watched until `before`.

        (X of the cohort, person, step, outcome (watched_months), observed 12-month outcome when
        `complete`); None when nobody was employed at `origin`.
        """
        key = (before, origin, _vocab_key(vocab), complete)
        if key not in self.holdouts:
            # the months from the origin up to the cut-off: all that the cohort, its watched months
            # and its observed outcome read of the rows before the cut-off
            seen = self.data.filter(pl.col(MONTH) >= origin, pl.col(MONTH) < before)
            cohort = seen.filter(pl.col(MONTH) == origin)
            if cohort.height == 0:
                self.holdouts[key] = None
            else:
                person, step, outcome = watched_months(seen, cohort[ID], origin)
                observed = bt.observe(seen, cohort[ID], origin) if complete else None
                # the cohort's matrix does not depend on `before`: one array per origin, so that
                # its projected hazards are computed once per model (project)
                if (origin, key[2]) not in self.cohorts:
                    self.cohorts[(origin, key[2])] = to_matrix(cohort, vocab)
                self.holdouts[key] = (self.cohorts[(origin, key[2])], person, step, outcome, observed)
        return self.holdouts[key]

    def project(self, model: Any, X: np.ndarray, aging: np.ndarray) -> np.ndarray:
        """project_hazards over 12 months, once per (model, cohort matrix, aging) in the run.

        Keyed by object identity: the models and cohort matrices are held by this cache for the
        whole run, so an id is never reused for another object while the entry lives.
        """
        key = (id(model), id(X), tuple(int(i) for i in aging))
        if key not in self.hazards:
            self.hazards[key] = project_hazards(model, X, bt.WINDOW, aging)
        return self.hazards[key]


def _fit_calibrated(
    name: str, data: pl.DataFrame, before: date, vocab: Vocabulary, options: ModelOptions, cache: FitCache | None = None
) -> tuple[Any, Any, str]:
    """The estimator fitted on rows before `before`, recalibrated on held-out cohorts (recalibrate.py).

    Returns (model used for predictions, the fitted estimator without the map, the projection).
    Internal origins need options.min_train_months of history before them; without any, the map
    is the identity. With options.projection "auto", the projection is the candidate whose
    12-month risks, under their own 12-month map, best predicted who left within 12 months in
    the holdout cohorts whose 12 months are complete (the quantity a projection changes); the
    map itself is then fitted month by month on every holdout cohort (recent ones included).
    The models fitted before the internal origins use the hyperparameters chosen at `before`,
    or with options.hyperparameters_per_cutoff those chosen at their own cut-off. `cache` holds
    the run's fits (FitCache; a fresh one when not given).
    """
    cache = cache or FitCache(data, options)
    hyper = cache.hyperparameters(name, before, vocab)
    if options.hyperparameters_per_cutoff:  # chosen first: a choice can hold an earlier cut-off's tree model
        for back in options.recalibration_months:
            earlier = bt.add_months(before, -back)
            if earlier >= bt.add_months(data[MONTH].min(), options.min_train_months) and cache.has_both_outcomes(
                earlier
            ):
                cache.hyperparameters(name, earlier, vocab)
    base = cache.fit(name, before, vocab, hyper)
    fixed = "all" if options.projection == "auto" else options.projection
    if not options.recalibrate:
        return base, base, fixed
    first = data[MONTH].min()
    holdouts, complete = [], []
    for back in options.recalibration_months:
        origin = bt.add_months(before, -back)
        if origin < bt.add_months(first, options.min_train_months):
            continue
        if not cache.has_both_outcomes(origin):
            continue
        held = cache.holdout(before, origin, vocab, back >= bt.WINDOW)
        if held is None:
            continue
        X_cohort, person, step, outcome, observed = held
        own = cache.hyperparameters(name, origin, vocab) if options.hyperparameters_per_cutoff else hyper
        model = cache.fit(name, origin, vocab, own)
        holdouts.append((model, X_cohort, person, step, outcome))
        if observed is not None:
            complete.append((model, X_cohort, observed.event, observed.weight))
    projection = _choose_projection(complete, options, cache) if options.projection == "auto" else fixed
    aging = aging_index(options.aging(projection))
    model, _ = recalibrate_monthly(base, holdouts, lambda m, X_: cache.project(m, X_, aging))
    return model, base, projection


def _choose_projection(
    complete: list[tuple[Any, np.ndarray, np.ndarray, np.ndarray]], options: ModelOptions, cache: FitCache
) -> str:
    """The candidate projection with the lowest held-out 12-month log-loss under its own map; "all" without data."""
    if not complete:
        return "all"
    event = np.concatenate([e for _, _, e, _ in complete])
    weight = np.concatenate([w for _, _, _, w in complete])
    scored = []
    for projection in options.projection_candidates:
        aging = aging_index(options.aging(projection))
        hazards = np.vstack([cache.project(m, X_, aging) for m, X_, _, _ in complete])
        _, _, loss = fit_map_scored(hazards, event, weight)
        scored.append((np.inf if np.isnan(loss) else loss, projection))
    best_loss, best = min(scored, key=lambda item: item[0])
    return best if np.isfinite(best_loss) else "all"


def watched_months(
    rows: pl.DataFrame, cohort_ids: pl.Series, origin: date
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The observed person-months of a cohort in the 12 months from `origin`: (person, step, outcome).

    `person` is the position in `cohort_ids`, `step` the months after the origin (0 for the
    origin's own row, whose outcome is the next month), `outcome` a voluntary exit in the month
    after the row. Only rows present in `rows` count, so the end of the data and competing exits
    end a person's months (right-censoring).
    """
    index = pl.DataFrame({ID: cohort_ids}).with_row_index("person")
    start = origin.year * 12 + origin.month - 1
    watched = (
        rows.filter(pl.col(MONTH).is_between(origin, bt.add_months(origin, bt.WINDOW - 1)))
        .join(index, on=ID, how="inner")
        .select(
            pl.col("person").cast(pl.Int64),
            (bt.month_index(pl.col(MONTH)) - start).cast(pl.Int64).alias("step"),
            (pl.col(OUTCOME) == TARGET_EXIT).fill_null(False).alias("outcome"),
        )
    )
    return watched["person"].to_numpy(), watched["step"].to_numpy(), watched["outcome"].to_numpy()


def _risk_12m(model: Any, X: np.ndarray, options: ModelOptions, projection: str) -> np.ndarray:
    aging = aging_index(options.aging(projection))
    return leave_within(survival_curve(project_hazards(model, X, bt.WINDOW, aging)), bt.WINDOW)


def _backtest(
    data: pl.DataFrame,
    origins: list[date],
    options: ModelOptions,
    oracle: pl.DataFrame | None,
    cache: FitCache | None = None,
) -> tuple[
    pl.DataFrame,
    pl.DataFrame,
    pl.DataFrame,
    dict[str, Any],
    tuple[np.ndarray, np.ndarray] | None,
    dict[str, list[str]],
]:
    metric_rows, calibration_frames, last_models, last_test = [], [], {}, None
    pooled: dict[str, list[tuple[np.ndarray, np.ndarray, np.ndarray]]] = {}
    projections: dict[str, list[str]] = {}
    cache = cache or FitCache(data, options)
    for origin in origins:
        rows = data.select(MONTH, *CATEGORICAL).filter(pl.col(MONTH) < origin)  # the columns a vocabulary reads
        if options.training_window_months:
            rows = rows.filter(pl.col(MONTH) >= bt.add_months(origin, -options.training_window_months))
        vocab = fit_vocabulary(rows)  # as _training's
        cohort = data.filter(pl.col(MONTH) == origin)
        observed = bt.observe(data, cohort[ID], origin)
        X_cohort = to_matrix(cohort, vocab)
        risks: dict[str, np.ndarray] = {}
        for name in options.estimators:
            model, base, projection = _fit_calibrated(name, data, origin, vocab, options, cache)
            risks[name] = _risk_12m(model, X_cohort, options, projection)
            projections.setdefault(name, []).append(projection)
            last_models[name] = base
        if oracle is not None:
            truth = cohort.select(ID).join(
                oracle.filter(pl.col(MONTH) == origin).select(ID, "p_12m"), on=ID, how="left", maintain_order="left"
            )
            risks["oracle"] = truth["p_12m"].fill_null(float(np.nanmean(truth["p_12m"].to_numpy()))).to_numpy()
        for name, risk in risks.items():
            pooled.setdefault(name, []).append((observed.event.astype(int), risk, observed.weight))
            metrics, bins = bt.score_metrics(observed, risk)
            metric_rows.append({"estimator": name, "origin": origin, **metrics})
            if name in projections:
                log.info("origin %s: %s projects with %s", origin, name, projections[name][-1])
            calibration_frames.append(bins.with_columns(estimator=pl.lit(name), origin=pl.lit(origin)))
        if origin == origins[-1]:
            test = data.filter(pl.col(MONTH).is_between(origin, bt.add_months(origin, bt.WINDOW - 1)))
            last_test = (to_matrix(test, vocab), (test[OUTCOME] == TARGET_EXIT).fill_null(False).to_numpy().astype(int))
        log.info("backtest origin %s: %d scored", origin, cohort.height)
    backtest = pl.DataFrame(metric_rows) if metric_rows else _empty_backtest()
    pooled_bins, pooled_summary = bt.pooled_calibration(pooled)
    columns = ["estimator", "origin", *bt.BIN_COLUMNS]
    calibration = (
        pl.concat(
            [f.select(columns) for f in calibration_frames]
            + (
                [pooled_bins.with_columns(origin=pl.lit(None, dtype=pl.Date)).select(columns)]
                if pooled_bins.height
                else []
            ),
            how="vertical_relaxed",
        )
        if calibration_frames
        else pl.DataFrame(
            schema={
                "estimator": pl.String,
                "origin": pl.Date,
                "bin": pl.Int32,
                **dict.fromkeys(bt.BIN_COLUMNS[1:], pl.Float64),
            }
        )
    )
    return backtest, calibration, pooled_summary, last_models, last_test, projections


def plan_backtest(data: pl.DataFrame, as_of: date, options: ModelOptions) -> tuple[ModelOptions, dict[str, Any]]:
    """The options the backtest runs with, sized by the data, and a record of why.

    Counts the voluntary exits in the 12 months watched after the latest origin (as_of - 12
    months). With at least options.large_panel_exits of them the panel is large: the backtest
    uses options.large_n_origins origins every options.large_origin_step months, at most
    options.large_max_training_rows rows per fit, and hyperparameters chosen per cut-off
    (ModelOptions). Otherwise the options are returned unchanged.
    """
    latest = bt.add_months(as_of, -bt.WINDOW)
    watched = data.filter(pl.col(MONTH).is_between(latest, bt.add_months(latest, bt.WINDOW - 1)))
    exits = int((watched[OUTCOME] == TARGET_EXIT).fill_null(False).sum())
    large = options.large_panel_exits is not None and exits >= options.large_panel_exits
    if large:
        options = replace(
            options,
            n_origins=options.large_n_origins,
            origin_step=options.large_origin_step,
            max_training_rows=min(options.max_training_rows, options.large_max_training_rows),
            hyperparameters_per_cutoff=True,
        )
    plan = {
        "latest_window_exits": exits,
        "large_panel": large,
        "large_panel_exits": options.large_panel_exits,
        "origin_step": options.origin_step,
        "max_training_rows": options.max_training_rows,
        "hyperparameters_per_cutoff": options.hyperparameters_per_cutoff,
    }
    return options, plan


def rows_used(y: np.ndarray, max_rows: int) -> int:
    """How many of these training rows a capped fit uses (subsample_stayers: every exit, then sampled rows)."""
    if len(y) <= max_rows:
        return len(y)
    events = int(np.sum(y == 1))
    return min(len(y), events + max(max_rows - events, 1))


def _empty_backtest() -> pl.DataFrame:
    names = [
        "n_scored",
        "n_known",
        "n_events",
        "observed_rate",
        "mean_predicted",
        "roc_auc",
        "pr_auc",
        "brier",
        "ece",
        "ece_noise",
        "c_index",
    ]
    return pl.DataFrame(schema={"estimator": pl.String, "origin": pl.Date, **dict.fromkeys(names, pl.Float64)})


def choose_estimator(summary: pl.DataFrame, candidates: tuple[str, ...], tie_tolerance: float) -> tuple[str, str]:
    """The estimator with the best mean PR AUC across origins (ties within tolerance: lower Brier); and why."""
    wide = summary.filter(pl.col("estimator").is_in(candidates)).pivot("metric", index="estimator", values="mean")
    if wide.height == 0 or "pr_auc" not in wide.columns or wide["pr_auc"].fill_nan(None).is_null().all():
        fallback = "logistic" if "logistic" in candidates else candidates[0]
        why = (
            "no backtest origin fits in the data"
            if wide.height == 0
            else "no backtest origin had both leavers and stayers"
        )
        return fallback, f"{why}, so nothing could be compared; defaulted to {fallback} (regularised, explainable)"
    wide = wide.with_columns(pl.col("pr_auc").fill_nan(None))
    best = wide["pr_auc"].max()
    close = wide.filter(pl.col("pr_auc") >= best - tie_tolerance).sort("brier")
    chosen = close["estimator"][0]
    row = wide.filter(pl.col("estimator") == chosen).row(0, named=True)
    others = ", ".join(
        f"{r['estimator']} {r['pr_auc']:.3f}"
        for r in wide.sort("pr_auc", descending=True, nulls_last=True).iter_rows(named=True)
        if r["estimator"] != chosen and r["pr_auc"] is not None
    )
    why = f"{chosen}: mean PR AUC {row['pr_auc']:.3f} across origins (others: {others})"
    if close.height > 1:
        why += (
            f"; within {tie_tolerance} of the best PR AUC, so the lower mean Brier score ({row['brier']:.4f}) decided"
        )
    return chosen, why


def fit_and_backtest(
    panel: pl.DataFrame,
    settings: Any = None,
    as_of: date | None = None,
    options: ModelOptions | None = None,
    oracle: pl.DataFrame | None = None,
) -> ModelRun:
    """Backtest every estimator on rolling origins, pick one, refit it on all months before as_of.

    `panel`: one row per person per month (features.REQUIRED). `settings` (pipelines.config
    Settings) supplies the ladder's expected months per title (months_beyond_expected); the
    model's own knobs are in `options`.
    `oracle` (employee_id, month, p_12m), when given, is scored beside the estimators.
    """
    options = options or ModelOptions()
    expected = expected_months(settings)
    with threadpool_limits(limits=options.n_threads):
        return _fit_and_backtest(panel, as_of, options, oracle, expected)


def expected_months(settings: Any) -> dict[str, float]:
    """The ladder's expected months per title, from pipelines.config Settings (empty without)."""
    ladder = getattr(settings, "ladder", None) or ()
    return {role.title: float(role.expected_months) for role in ladder}


def _fit_and_backtest(
    panel: pl.DataFrame,
    as_of: date | None,
    options: ModelOptions,
    oracle: pl.DataFrame | None,
    expected: dict[str, float],
) -> ModelRun:
    clock = datetime.now(UTC)
    timings: dict[str, float] = {}
    data = check_panel(panel, expected)
    timings["check_s"] = (datetime.now(UTC) - clock).total_seconds()
    if data.height == 0:
        raise ValueError("the person-month panel is empty")
    as_of = _first_of_month(as_of) if as_of else data[MONTH].max()
    data = data.filter(pl.col(MONTH) <= as_of)
    if options.trim_unobserved_months:
        data = observable(data)
    options, plan = plan_backtest(data, as_of, options)
    origins = bt.choose_origins(
        as_of, data[MONTH].min(), options.n_origins, options.origin_step, options.min_train_months
    )
    if len(origins) < options.n_origins:
        log.warning("only %d backtest origins fit in the data (wanted %d)", len(origins), options.n_origins)
    log.info("backtest plan: %s", plan)
    cache = FitCache(data, options)
    start = datetime.now(UTC)
    backtest, calibration, pooled_summary, last_models, last_test, projections = _backtest(
        data, origins, options, oracle, cache
    )
    timings["backtest_s"] = (datetime.now(UTC) - start).total_seconds()
    summary = (
        pl.concat([bt.summarise(backtest), pooled_summary]).sort("estimator", "metric")
        if backtest.height
        else pooled_summary
    )
    chosen, reason = choose_estimator(summary, options.estimators, options.tie_tolerance)

    start = datetime.now(UTC)
    training = data.filter(pl.col(MONTH) < as_of)
    if options.training_window_months:
        training = training.filter(pl.col(MONTH) >= bt.add_months(as_of, -options.training_window_months))
    vocab = fit_vocabulary(training)  # as _training's; its matrix is the cache's (one copy of every row)
    X, y, _, _ = cache.training(as_of, vocab)
    model, base, projection = _fit_calibrated(chosen, data, as_of, vocab, options, cache)
    if isinstance(base, TenureBandBaseline) and chosen != "baseline":
        chosen, reason = "baseline", reason + "; the training rows hold a single outcome, so the base rate is used"
    z_reference = logistic_reference(base, X) if isinstance(base, Pipeline) else None
    timings["final_fit_s"] = (datetime.now(UTC) - start).total_seconds()
    plan |= {
        "n_origins": len(origins),
        "final_fit_rows": len(y),
        "final_fit_rows_used": rows_used(y, options.max_training_rows),
        "fits": cache.n_fits,
        "fits_reused": cache.n_reused,
        "fits_truncated": cache.n_truncated,
    }

    start = datetime.now(UTC)
    importance = _importance(last_models.get(chosen), last_test, options)
    timings["importance_s"] = (datetime.now(UTC) - start).total_seconds()
    observed_rates = backtest.filter(pl.col("estimator") == chosen)["observed_rate"].drop_nans().drop_nulls()
    base_rate = (
        float(observed_rates.mean()) if observed_rates.len() else float(1 - (1 - y.mean()) ** 12) if len(y) else 0.0
    )
    counts = training.group_by(OUTCOME).len()
    exits = {r[OUTCOME]: r["len"] for r in counts.iter_rows(named=True) if r[OUTCOME] is not None}
    population = {
        "window_start": training[MONTH].min() if training.height else None,
        "window_end": training[MONTH].max() if training.height else None,
        "n_people": training[ID].n_unique(),
        "n_person_months": training.height,
        "n_voluntary_exits": exits.get("voluntary", 0),
        "n_involuntary_exits": exits.get("involuntary", 0),
        "n_transfers_out": exits.get("transfer_out", 0),
        "scored_month": as_of,
        "n_employed_at_as_of": data.filter(pl.col(MONTH) == as_of).height,
    }
    run = ModelRun(
        run_id=uuid.uuid4().hex[:12],
        trained_at=clock,
        as_of=as_of,
        data_hash=data_hash(training),
        chosen=chosen,
        selection_reason=reason,
        options=options,
        model=model,
        vocab=vocab,
        reference=reference_row(X) if len(X) else np.zeros(len(FEATURE_NAMES)),
        z_reference=z_reference,
        base_rate_12m=base_rate,
        origins=origins,
        backtest=backtest,
        calibration=calibration,
        summary=summary,
        importance=importance,
        population=population,
        versions=versions(),
        expected_months=expected,
        projection=projection,
        backtest_projections=projections,
        timings=timings,
        plan=plan,
    )
    from pipelines.models.card import model_card

    run.card = model_card(run)
    timings["total_s"] = (datetime.now(UTC) - clock).total_seconds()
    return run


def _importance(model: Any, test: tuple[np.ndarray, np.ndarray] | None, options: ModelOptions) -> pl.DataFrame:
    """Permutation importance (drop in ROC AUC of the monthly hazard) on the months after the last origin."""
    schema = {"feature": pl.String, "importance_mean": pl.Float64, "importance_std": pl.Float64}
    if model is None or test is None or len(np.unique(test[1])) < 2:
        return pl.DataFrame(schema=schema)
    X, y = test
    fraction = min(1.0, options.importance_max_rows / len(y))
    result = permutation_importance(
        model,
        X,
        y,
        scoring="roc_auc",
        n_repeats=options.importance_repeats,
        random_state=options.random_state,
        max_samples=fraction,
    )
    return pl.DataFrame(
        {
            "feature": list(FEATURE_NAMES),
            "importance_mean": result.importances_mean,
            "importance_std": result.importances_std,
        },
        schema=schema,
    ).sort("importance_mean", descending=True)


def risk_band(p_12m: np.ndarray, base_rate: float, options: ModelOptions) -> np.ndarray:
    """low / elevated / high from the 12-month probability against the base rate (ModelOptions)."""
    if base_rate <= 0:  # nobody ever left: no one stands out
        return np.full(len(p_12m), "low")
    cut = options.band_thresholds(base_rate)
    return np.where(p_12m >= cut["high"], "high", np.where(p_12m >= cut["elevated"], "elevated", "low"))


SCORE_SCHEMA = {
    "run_id": pl.String,
    "as_of": pl.Date,
    "employee_id": pl.String,
    "p_3m": pl.Float64,
    "p_6m": pl.Float64,
    "p_12m": pl.Float64,
    "band": pl.String,
    "expected_remaining_months": pl.Float64,
    "drivers": pl.List(pl.String),
    "driver_features": pl.List(pl.String),
    "survival": pl.List(pl.Float64),
}


def score(
    run: ModelRun,
    panel: pl.DataFrame,
    as_of: date | None = None,
    peer_months: dict[str, float] | None = None,
) -> pl.DataFrame:
    """Leaving probabilities, band, expected remaining tenure and drivers: one row per person employed at as_of.

    `peer_months` maps a level to the months promoted peers needed there (for the sentences).
    People with fewer than options.min_history_months months in support get the band
    "not enough data" and no probabilities.
    """
    if not run.options.individual_scores:
        return pl.DataFrame(schema=SCORE_SCHEMA)
    with threadpool_limits(limits=run.options.n_threads):
        return _score(run, panel, as_of, peer_months)


def _score(
    run: ModelRun, panel: pl.DataFrame, as_of: date | None, peer_months: dict[str, float] | None
) -> pl.DataFrame:
    options = run.options
    data = check_panel(panel, run.expected_months)
    month = _first_of_month(as_of) if as_of else run.as_of
    cohort = data.filter(pl.col(MONTH) == month)
    enough = (cohort["tenure_months"].fill_null(-1) >= options.min_history_months).to_numpy()
    rows = cohort.filter(pl.Series(enough, dtype=pl.Boolean))
    if cohort.height == 0:
        return pl.DataFrame(schema=SCORE_SCHEMA)
    if rows.height == 0:  # everyone is new: no model call needed
        return _not_enough(run, cohort, month)
    X = to_matrix(rows, run.vocab)
    aging = aging_index(options.aging(run.projection))
    survival = survival_curve(project_hazards(run.model, X, options.horizon_months, aging))
    p12 = leave_within(survival, 12)
    base = run.model.base if isinstance(run.model, Recalibrated) else run.model
    if isinstance(base, Pipeline):  # the logistic model: exact contributions (scaled by the map's slope)
        slope = run.model.slope if isinstance(run.model, Recalibrated) else 1.0
        contributions = logistic_contributions(base, X, run.z_reference) * slope
    else:
        contributions = conditional_contributions(run.model, X, run.reference)
    names, sentences = top_drivers(contributions, rows, peer_months, options.max_drivers)
    scored = pl.DataFrame(
        {
            "employee_id": rows[ID],
            "p_3m": leave_within(survival, 3),
            "p_6m": leave_within(survival, 6),
            "p_12m": p12,
            "band": risk_band(p12, run.base_rate_12m, options),
            "expected_remaining_months": expected_remaining_months(survival),
            "drivers": sentences,
            "driver_features": names,
            "survival": survival.tolist(),
        },
        schema={k: v for k, v in SCORE_SCHEMA.items() if k not in ("run_id", "as_of")},
    )
    thin = _not_enough(run, cohort.filter(~pl.Series(enough, dtype=pl.Boolean)), month)
    out = scored.with_columns(run_id=pl.lit(run.run_id), as_of=pl.lit(month))
    return pl.concat([out.select(list(SCORE_SCHEMA)), thin], how="vertical_relaxed").sort("employee_id")


def _not_enough(run: ModelRun, people: pl.DataFrame, month: date) -> pl.DataFrame:
    """Rows for people too new to score: band "not enough data", no probabilities, no drivers."""
    fixed = {
        "run_id": pl.lit(run.run_id),
        "as_of": pl.lit(month),
        "band": pl.lit(NOT_ENOUGH_DATA),
        "drivers": pl.lit([], dtype=pl.List(pl.String)),
        "driver_features": pl.lit([], dtype=pl.List(pl.String)),
    }
    return people.select(
        [pl.col(ID) if c == ID else fixed.get(c, pl.lit(None)).cast(t).alias(c) for c, t in SCORE_SCHEMA.items()]
    )
