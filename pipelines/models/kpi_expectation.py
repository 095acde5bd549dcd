"""KPI expectation models: what each human-handled ticket should cost, from features outside the agent's control.

Cross-fitting (why it is fair): agents are split into K folds by a stable hash of their id, and
time into calendar quarters. The expectation for a ticket of an agent in fold k, created in
quarter q, comes from a model fitted on the tickets of the *other* folds' agents created in the
trailing window of quarters ending with q. So an agent's own tickets never set their own
expectation, no model sees a ticket created after the quarter it scores, and the expectation
follows the mix of the quarter (a bot taking the easy tickets changes what "normal" means).
The quarter itself is in the window because the expectation must reflect that quarter's ticket
mix and tools; it is other agents' same-quarter tickets, never the agent's own.
"""

from __future__ import annotations

import logging
import zlib
from dataclasses import dataclass
from datetime import date

import numpy as np
import polars as pl
from scipy import sparse
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.preprocessing import OneHotEncoder

log = logging.getLogger(__name__)

# Ticket features the agent does not choose. Never the agent, their tenure, team or demographics.
FEATURES: tuple[str, ...] = (
    "source_system",
    "tier",
    "channel",
    "category",
    "priority",
    "customer_segment",
    "is_bot_involved",
    "is_escalated",
    "created_hour",
    "created_weekday",
    "month_of_year",
)


@dataclass(frozen=True)
class Outcome:
    """One KPI the models explain: its column, model kind and whether lower is better."""

    name: str
    column: str
    kind: str  # "log" (positive, skewed: modelled on the log scale) | "binary"
    lower_is_better: bool
    min_volume: int  # tickets (or ratings) below which no verdict is given for an agent-period
    label: str


OUTCOMES: tuple[Outcome, ...] = (
    Outcome("handle_time", "handle_seconds", "log", True, 20, "Handle time"),
    Outcome("resolution_time", "resolution_hours", "log", True, 20, "Time to resolution"),
    Outcome("reopen", "is_reopened", "binary", True, 30, "Reopen rate"),
    Outcome("csat", "csat_good", "binary", False, 10, "CSAT (share good)"),
)
OUTCOME_BY_NAME = {o.name: o for o in OUTCOMES}

N_FOLDS = 5
WINDOW_QUARTERS = 4
MIN_TRAIN_ROWS = 200
MIN_LEVEL_COUNT = 5  # feature values seen fewer times are pooled into one column
# rows one expectation model is fitted on at most (a sample stratified by quarter above that)
MAX_FIT_ROWS = 60_000
LOG_FLOOR = 1.0 / 60.0  # one minute, in hours: resolution times are floored before the log
Z95 = 1.959964


def agent_fold(employee_id: str, n_folds: int = N_FOLDS) -> int:
    """The cross-fitting fold of an agent: a stable hash of the id (the same on every run and machine)."""
    return zlib.crc32(employee_id.encode("utf-8")) % n_folds


RIDGE_ALPHA = 1.0  # log-scale outcomes: ridge_exact's penalty (scikit-learn's Ridge(alpha=1.0))


def _model(kind: str) -> Ridge | LogisticRegression:
    return Ridge(alpha=RIDGE_ALPHA) if kind == "log" else LogisticRegression(C=1.0, max_iter=500)


class FeatureEncoder:
    """One-hot encoding of FEATURES learnt from how often each value occurs (never from an outcome).

    One scikit-learn OneHotEncoder per feature, outputs side by side (what a single encoder over
    all the columns gives); values seen fewer than MIN_LEVEL_COUNT times are pooled. Because only
    the counts matter, the encoder can be learnt from a GROUP BY over the whole warehouse
    (`from_counts`) and then applied a quarter at a time, with the same columns as learning it
    from every row at once (`from_frame`).
    """

    def __init__(self, counts: dict[str, dict[str, int]]) -> None:
        self.encoders: list[OneHotEncoder] = []
        for feature in FEATURES:
            seen = counts.get(feature) or {"unknown": 1}
            # each value repeated min(count, MIN_LEVEL_COUNT) times: the same categories and the
            # same pooled (infrequent) ones as fitting on every row
            values = [v for v, n in sorted(seen.items()) for _ in range(min(n, MIN_LEVEL_COUNT))]
            encoder = OneHotEncoder(handle_unknown="infrequent_if_exist", min_frequency=MIN_LEVEL_COUNT)
            self.encoders.append(encoder.fit(np.array(values, dtype=object).reshape(-1, 1)))
        widths = [len(e.get_feature_names_out()) for e in self.encoders]
        self.offsets = np.concatenate([[0], np.cumsum(widths)[:-1]]).astype(int).tolist()
        self.n_columns = int(sum(widths))
        self._lookups: list[dict[str, int]] = [{} for _ in FEATURES]  # value -> column, filled as values are seen

    @staticmethod
    def values(frame: pl.DataFrame) -> pl.DataFrame:
        """FEATURES as the strings the encoder sees (nulls as "unknown"); one row per ticket."""
        return frame.select([pl.col(c).cast(pl.String).fill_null("unknown") for c in FEATURES])

    @classmethod
    def from_frame(cls, frame: pl.DataFrame) -> FeatureEncoder:
        """Learnt from every row of `frame`."""
        values = cls.values(frame)
        return cls({c: dict(values[c].value_counts().iter_rows()) for c in FEATURES})

    @classmethod
    def from_value_counts(cls, counts: dict[str, pl.DataFrame]) -> FeatureEncoder:
        """Learnt from per-feature counts: frames of (value in its warehouse type, n), e.g. from SQL GROUP BYs."""
        merged: dict[str, dict[str, int]] = {}
        for feature, frame in counts.items():
            keyed = frame.select(
                pl.col(frame.columns[0]).cast(pl.String).fill_null("unknown").alias("value"), pl.col("n")
            )
            merged[feature] = dict(keyed.group_by("value").agg(pl.col("n").sum()).iter_rows())
        return cls(merged)

    def columns(self, frame: pl.DataFrame) -> np.ndarray:
        """The one-hot column of each feature value: one row per row of `frame`, one column per feature.

        -1 marks an unknown value with nothing to pool into (no entry in the one-hot row). The
        smallest integer type that holds n_columns is used: this is what the trainer holds for a
        window of quarters, the one-hot matrix itself being built only for the rows a fit needs.
        """
        values = self.values(frame)
        dtype = np.int16 if self.n_columns < np.iinfo(np.int16).max else np.int32
        out = np.empty((frame.height, len(FEATURES)), dtype=dtype)
        for i, (feature, lookup) in enumerate(zip(FEATURES, self._lookups, strict=True)):
            # scikit-learn's transform, applied to each distinct value once (it is slow per row)
            distinct = values[feature].unique()
            missing = [v for v in distinct.to_list() if v not in lookup]
            if missing:
                lookup.update(zip(missing, self._columns_of(i, missing), strict=True))
            out[:, i] = values[feature].replace_strict(lookup, return_dtype=pl.Int64).to_numpy()
        return out

    def _columns_of(self, feature: int, values: list[str]) -> list[int]:
        """The one-hot column (offset included) each value lands in, or -1; through scikit-learn."""
        one_hot = sparse.csr_matrix(self.encoders[feature].transform(np.array(values, dtype=object).reshape(-1, 1)))
        column = np.full(len(values), -1, dtype=np.int64)
        hit = np.diff(one_hot.indptr) > 0
        column[hit] = one_hot.indices[one_hot.indptr[:-1][hit]] + self.offsets[feature]
        return column.tolist()

    def transform(self, frame: pl.DataFrame) -> sparse.csr_matrix:
        """The one-hot matrix; one row per row of `frame`."""
        return one_hot(self.columns(frame), self.n_columns)


def one_hot(columns: np.ndarray, n_columns: int) -> sparse.csr_matrix:
    """The one-hot CSR matrix of FeatureEncoder.columns output (-1: no entry).

    Built directly: one column per feature and row, already in increasing order (each feature's
    columns come after the previous feature's).
    """
    present = columns >= 0
    indices = columns[present].astype(np.int32)
    indptr = np.concatenate([[0], np.cumsum(present.sum(axis=1))]).astype(np.int32)
    return sparse.csr_matrix((np.ones(len(indices)), indices, indptr), shape=(columns.shape[0], n_columns))


class EncodedRows:
    """Rows held as FeatureEncoder.columns output; indexing by positions gives their one-hot CSR rows.

    Stands in for the one-hot matrix of a window of quarters (cross_fit_quarter takes the rows it
    fits on and predicts for): a few bytes per row instead of a CSR row's 11 values and indices.
    """

    def __init__(self, columns: np.ndarray, n_columns: int) -> None:
        self.columns = columns
        self.shape = (columns.shape[0], n_columns)

    def __getitem__(self, positions: np.ndarray) -> sparse.csr_matrix:
        return one_hot(self.columns[positions], self.shape[1])


def encode_features(frame: pl.DataFrame) -> sparse.csr_matrix:
    """One-hot matrix of FEATURES for every row (all treated as categories); one row per ticket.

    Encoding once for all rows learns only which categories exist, never an outcome, so it is
    shared by every cross-fitted model; rare levels (< 5 tickets) are pooled.
    """
    return FeatureEncoder.from_frame(frame).transform(frame)


def prepare_tickets(tickets: pl.DataFrame, first_quarter: date | None = None) -> pl.DataFrame:
    """Add the fold, the quarter index and month-of-year to marts_kpi_tickets rows; one row per ticket.

    first_quarter: the quarter numbered 0 (the earliest in `tickets` unless given: pass the
    warehouse's earliest when preparing one quarter at a time).
    """
    first = first_quarter or tickets["quarter"].min()
    ids = tickets["employee_id"].drop_nulls().unique()
    folds = {e: agent_fold(e) for e in ids.to_list()}
    return tickets.with_columns(
        pl.col("employee_id").replace_strict(folds, default=None, return_dtype=pl.Int64).alias("fold"),
        ((pl.col("quarter").dt.year() - first.year) * 4 + (pl.col("quarter").dt.month() - first.month) // 3).alias(
            "quarter_index"
        ),
        pl.col("month").dt.month().alias("month_of_year"),
    )


def _target(frame: pl.DataFrame, outcome: Outcome) -> pl.DataFrame:
    """Rows with a usable outcome, and the modelled target y (log scale or 0/1)."""
    col = pl.col(outcome.column)
    if outcome.kind == "log":
        floor = 1.0 if outcome.column == "handle_seconds" else LOG_FLOOR
        rows = frame.filter(col.is_not_null() & (col > 0))
        return rows.with_columns(col.clip(lower_bound=floor).log().alias("y"))
    return frame.filter(col.is_not_null()).with_columns(col.cast(pl.Float64).alias("y"))


def usable_rows(frame: pl.DataFrame, outcome: Outcome) -> pl.DataFrame:
    """Rows with a usable outcome and the modelled target y (log scale or 0/1); public for the streamed trainer."""
    return _target(frame, outcome)


def fit_sample(quarters: np.ndarray, seed: int, max_rows: int = MAX_FIT_ROWS) -> np.ndarray:
    """Positions of the rows a model is fitted on: all of them up to max_rows, else a sample stratified by quarter.

    quarters: the quarter index of each candidate row. Each quarter gives the same share of its
    rows (max_rows / rows), drawn with a fixed seed, so every row keeps the same chance of being
    picked and no weights are needed: the fit estimates the same expectation as on every row,
    with more noise (at 20M tickets a window holds about 1.5M rows; 60k rows for about a hundred
    one-hot coefficients leave errors far below the between-agent differences the page reports). Positions stay in order.
    """
    every = np.arange(len(quarters))
    if len(quarters) <= max_rows:
        return every
    rng = np.random.default_rng(seed)
    share = max_rows / len(quarters)
    picked = [
        rng.choice(every[quarters == q], size=round(int(np.sum(quarters == q)) * share), replace=False)
        for q in np.unique(quarters)
    ]
    return np.sort(np.concatenate(picked))


def cross_fit_quarter(
    window_rows: pl.DataFrame,
    x: sparse.csr_matrix | EncodedRows,
    quarter: int,
    outcome: Outcome,
    n_folds: int = N_FOLDS,
    max_rows: int = MAX_FIT_ROWS,
    row_order: np.ndarray | None = None,
) -> pl.DataFrame:
    """Cross-fitted expectations for the tickets of one quarter; one row per ticket of that quarter.

    window_rows: usable rows (with y, fold and quarter_index) of the trailing window of quarters
    ending with `quarter` (nothing later), and x their encoded features (same order, or row i of
    window_rows is row row_order[i] of x: only the rows a fit or a prediction needs are then
    taken from x; an EncodedRows builds just those one-hot rows). Columns as cross_fit's, plus _order when window_rows has it.
    """
    y = window_rows["y"].to_numpy()
    quarters = window_rows["quarter_index"].to_numpy()
    fold = window_rows["fold"].to_numpy()
    in_quarter = quarters == quarter
    y_hat = np.full(int(in_quarter.sum()), np.nan)
    smear = np.ones(len(y_hat))
    fold_q = fold[in_quarter]

    def take(positions: np.ndarray) -> sparse.csr_matrix:
        return x[positions] if row_order is None else x[row_order[positions]]

    x_target = take(np.flatnonzero(in_quarter))
    for k in range(n_folds):
        target = fold_q == k
        if target.any():
            train = np.flatnonzero(fold != k)
            train = train[fit_sample(quarters[train], quarter * 100 + k, max_rows)]
            y_hat[target], smear[target] = _fit_predict(take(train), y[train], x_target[target], outcome.kind)
    kept = [c for c in ("source_system", "ticket_id", "_order", "y") if c in window_rows.columns]
    scored = window_rows.filter(in_quarter).select(kept)
    scored = scored.with_columns(pl.Series("y_hat", y_hat))
    if outcome.kind == "log":
        # smearing (Duan): E[exp(y)] = exp(y_hat) * mean(exp(residual)), the mean taken over the
        # training rows of the same fit, so that the agent's own tickets play no part in it either
        return scored.with_columns((pl.col("y_hat").exp() * pl.Series(smear)).alias("expected"))
    return scored.with_columns(pl.col("y_hat").alias("expected"))


def cross_fit(
    tickets: pl.DataFrame, outcome: Outcome, n_folds: int = N_FOLDS, window: int = WINDOW_QUARTERS
) -> pl.DataFrame:
    """Cross-fitted expectation per ticket for one outcome; one row per ticket with a usable outcome.

    Columns: source_system, ticket_id, y (observed, modelled scale), y_hat (expected, same scale)
    and expected (on the outcome's own scale: seconds, hours or a probability). In memory; the
    trainer streams the same computation a quarter at a time (cross_fit_quarter).
    """
    rows = _target(tickets, outcome)
    if rows.is_empty():
        return pl.DataFrame(
            schema={"source_system": pl.String, "ticket_id": pl.String, "y": pl.Float64, "y_hat": pl.Float64}
        )
    x = encode_features(rows)
    quarter = rows["quarter_index"].to_numpy()
    parts = []
    for q in np.unique(quarter):
        keep = np.flatnonzero((quarter > q - window) & (quarter <= q))
        parts.append(cross_fit_quarter(rows[keep], x[keep], int(q), outcome, n_folds))
    return pl.concat(parts)


def _fit_predict(
    x_train: sparse.csr_matrix, y: np.ndarray, x_target: sparse.csr_matrix, kind: str
) -> tuple[np.ndarray, float]:
    """Predictions for the target rows from a fit on the training rows, and the smearing factor.

    The smearing factor (mean of exp(training residual)) is 1 for binary outcomes; with too
    little to fit on, the prediction is the training mean.
    """
    if len(y) < MIN_TRAIN_ROWS or (kind == "binary" and len(np.unique(y)) < 2):
        mean = float(y.mean()) if len(y) else 0.0
        smear = float(np.mean(np.exp(y - mean))) if kind == "log" and len(y) else 1.0
        return np.full(x_target.shape[0], mean), smear
    if kind == "log":
        coef, intercept = ridge_exact(x_train, y, RIDGE_ALPHA)
        fitted = x_train @ coef + intercept
        return x_target @ coef + intercept, float(np.mean(np.exp(y - fitted)))
    model = _model(kind).fit(x_train, y)
    return model.predict_proba(x_target)[:, 1], 1.0


def ridge_exact(x: sparse.csr_matrix, y: np.ndarray, alpha: float = RIDGE_ALPHA) -> tuple[np.ndarray, float]:
    """Ridge regression with an unpenalised intercept, solved exactly; (coefficients, intercept).

    The same fit as scikit-learn's Ridge(alpha) (which solves it iteratively on sparse input):
    minimise |y - Xw - b|^2 + alpha |w|^2. With one-hot features X has a hundred-odd columns,
    so the centred normal equations (X'X - n m m' + alpha I) w = X'(y - mean y) are a small
    dense system, built from one sparse product; b = mean y - m'w, m the column means.
    """
    n = x.shape[0]
    mean_x = np.asarray(x.mean(axis=0)).ravel()
    mean_y = float(y.mean())
    gram = (x.T @ x).toarray() - n * np.outer(mean_x, mean_x)
    rhs = np.asarray(x.T @ (y - mean_y)).ravel()
    coef = np.linalg.solve(gram + alpha * np.eye(x.shape[1]), rhs)
    return coef, mean_y - float(mean_x @ coef)


def shrink(estimate: np.ndarray, se2: np.ndarray, prior_mean: np.ndarray, tau2: float) -> tuple[np.ndarray, np.ndarray]:
    """Empirical-Bayes (normal-normal) shrinkage of noisy estimates toward a prior mean; one value per unit.

    posterior mean = prior + B * (estimate - prior), B = tau2 / (tau2 + se2);
    posterior sd = sqrt(B * se2). tau2 is the between-unit variance of the true values.
    """
    weight = np.where(tau2 + se2 > 0, tau2 / np.maximum(tau2 + se2, 1e-300), 0.0)
    return prior_mean + weight * (estimate - prior_mean), np.sqrt(weight * se2)


def between_variance(estimate: np.ndarray, se2: np.ndarray) -> float:
    """Method-of-moments between-unit variance: var(estimates) - mean(se2), floored at a small positive value."""
    if len(estimate) < 2:
        return 0.0
    return float(max(np.var(estimate, ddof=1) - np.mean(se2), 1e-6))


def agent_period_kpis(scored: pl.DataFrame, outcome: Outcome, period: str) -> pl.DataFrame:
    """Observed vs expected per agent per period, shrunk toward the team; one row per agent per period.

    `scored` holds one row per ticket: employee_id, agent_team, agent_tier, the period column
    (`month` or `quarter`), y, y_hat, expected and the outcome column (observed, own scale).
    """
    per = (
        scored.with_columns((pl.col("y") - pl.col("y_hat")).alias("resid"))
        .group_by("employee_id", period)
        .agg(
            pl.len().alias("n"),
            pl.col("agent_team").drop_nulls().mode().sort().first().alias("team"),
            pl.col("agent_tier").drop_nulls().mode().sort().first().alias("tier"),
            pl.col(outcome.column).cast(pl.Float64).mean().alias("observed"),
            pl.col("expected").mean().alias("expected"),
            pl.col("resid").mean().alias("effect"),
            pl.col("resid").var().alias("resid_var"),
            (pl.col("y_hat") * (1 - pl.col("y_hat"))).mean().alias("bernoulli_var"),
        )
        .rename({period: "period_start"})
    )
    if per.is_empty():
        return per
    frames = []
    for part in per.partition_by("period_start"):
        frames.append(_shrink_period(part, outcome))
    return pl.concat(frames).sort("period_start", "employee_id")


def _shrink_period(part: pl.DataFrame, outcome: Outcome) -> pl.DataFrame:
    """Shrink one period's agent effects toward their team's volume-weighted mean effect."""
    n = part["n"].to_numpy().astype(float)
    effect = part["effect"].to_numpy()
    if outcome.kind == "log":
        # pooled within-agent residual variance: individual variances are too noisy for small n
        pooled = float(np.nansum(part["resid_var"].fill_null(0).to_numpy() * np.maximum(n - 1, 0)))
        sigma2 = pooled / max(float(np.sum(np.maximum(n - 1, 0))), 1.0)
        se2 = np.full_like(n, sigma2) / n
    else:
        se2 = part["bernoulli_var"].to_numpy() / n
    eligible = n >= outcome.min_volume
    tau2 = between_variance(effect[eligible], se2[eligible]) if eligible.sum() >= 2 else 0.0
    team_mean = (
        part.with_columns((pl.col("effect") * pl.col("n")).alias("_w"))
        .with_columns((pl.col("_w").sum().over("team") / pl.col("n").sum().over("team")).alias("_team"))["_team"]
        .to_numpy()
    )
    post, post_sd = shrink(effect, se2, team_mean, tau2)
    low, high = post - Z95 * post_sd, post + Z95 * post_sd
    frame = part.select("employee_id", "period_start", "team", "tier", "n", "observed", "expected").with_columns(
        pl.Series("effect", effect),
        pl.Series("shrunk_effect", post),
        pl.Series("effect_low", low),
        pl.Series("effect_high", high),
        pl.Series("has_verdict", eligible),
    )
    return _on_own_scale(frame, outcome)


def _on_own_scale(frame: pl.DataFrame, outcome: Outcome) -> pl.DataFrame:
    """Ratio, difference and adjusted ratio with its interval on the outcome's own scale, plus the verdict."""
    if outcome.kind == "log":
        # the effect is a mean log residual: exp() is the observed / expected ratio (geometric)
        adj = [pl.col(c).exp() for c in ("shrunk_effect", "effect_low", "effect_high")]
    else:
        # the effect is observed rate - expected rate: the ratio is (expected + effect) / expected
        adj = [
            ((pl.col("expected") + pl.col(c)) / pl.col("expected")).clip(lower_bound=0)
            for c in ("shrunk_effect", "effect_low", "effect_high")
        ]
    better, worse = ("better", "worse")
    good_side = pl.col("effect_high") < 0 if outcome.lower_is_better else pl.col("effect_low") > 0
    bad_side = pl.col("effect_low") > 0 if outcome.lower_is_better else pl.col("effect_high") < 0
    sign = -1.0 if outcome.lower_is_better else 1.0
    return frame.with_columns(
        (pl.col("observed") / pl.col("expected")).alias("ratio"),
        (pl.col("observed") - pl.col("expected")).alias("difference"),
        adj[0].alias("adjusted_ratio"),
        adj[1].alias("ratio_low"),
        adj[2].alias("ratio_high"),
        (sign * pl.col("shrunk_effect")).alias("performance"),
        pl.when(~pl.col("has_verdict"))
        .then(pl.lit("too few to judge"))
        .when(good_side)
        .then(pl.lit(f"{better} than expected"))
        .when(bad_side)
        .then(pl.lit(f"{worse} than expected"))
        .otherwise(pl.lit("as expected"))
        .alias("verdict"),
    )


def add_ranks(kpis: pl.DataFrame, outcome: Outcome) -> pl.DataFrame:
    """Raw rank (by the observed KPI) beside the adjusted rank (by shrunk performance), 1 = best.

    Ranked within each period among agents with a verdict; rank_change = raw - adjusted
    (positive: the agent moves up once the tickets they handled are taken into account).
    """
    judged = pl.col("has_verdict")
    raw_key = pl.col("observed") if outcome.lower_is_better else -pl.col("observed")
    return kpis.with_columns(
        pl.when(judged).then(raw_key).rank("min").over("period_start", judged).cast(pl.Int64).alias("raw_rank"),
        pl.when(judged)
        .then(-pl.col("performance"))
        .rank("min")
        .over("period_start", judged)
        .cast(pl.Int64)
        .alias("adjusted_rank"),
    ).with_columns(
        pl.when(judged).then(pl.col("raw_rank") - pl.col("adjusted_rank")).alias("rank_change"),
        pl.when(judged).then(pl.len().over("period_start", judged)).cast(pl.Int64).alias("n_ranked"),
    )
