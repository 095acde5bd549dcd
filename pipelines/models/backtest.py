"""Rolling-origin backtest: train on months before T, score everyone employed at T, watch 12 months.

Grain of the outputs: one row per origin per estimator (metrics), one row per origin per
estimator per calibration bin (calibration).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import polars as pl
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score
from sksurv.metrics import concordance_index_censored

from pipelines.models.features import ID, MONTH, OUTCOME, TARGET_EXIT

WINDOW = 12  # months watched after each origin
BIN_COLUMNS = ["bin", "mean_predicted", "observed_rate", "weight", "noise_gap"]


def add_months(day: date, months: int) -> date:
    """The first of the month `months` after (or before, when negative) `day`'s month."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def month_index(months: pl.Expr) -> pl.Expr:
    """Months since year 0 for a date column, to do month arithmetic on integers."""
    return months.dt.year().cast(pl.Int32) * 12 + months.dt.month().cast(pl.Int32) - 1


def choose_origins(last_month: date, first_month: date, n_origins: int, step: int, min_train_months: int) -> list[date]:
    """Origins T, oldest first: the last leaves 12 observed months before `last_month`.

    A row's outcome is the month after it, so the last month's outcomes are unknown: with data
    through `last_month` the latest origin whose 12 following months are all observed is
    last_month - 12.
    """
    latest = add_months(last_month, -WINDOW)
    earliest = add_months(first_month, min_train_months)
    origins = [add_months(latest, -step * i) for i in range(n_origins)]
    return sorted(t for t in origins if t >= earliest)


@dataclass(frozen=True)
class Observed:
    """What happened to the people scored at one origin, aligned with the cohort's rows."""

    event: np.ndarray  # voluntary exit within the window
    time: np.ndarray  # months to the exit, the competing exit, or the end of the watch (1..12)
    known: np.ndarray  # whether the 12-month binary outcome is known (not cut short by a competing exit)
    weight: np.ndarray  # inverse probability of not being cut short (0 where unknown)


def observe(panel: pl.DataFrame, cohort_ids: pl.Series, origin: date) -> Observed:
    """Voluntary exits within 12 months of `origin` for the people in `cohort_ids`, in that order.

    Involuntary exits and transfers out end the watch (censoring). The binary 12-month outcome
    of people cut short that way is unknown; the people whose outcome is known are reweighted by
    the inverse of the Kaplan-Meier probability of not being cut short (IPCW), so that observed
    rates estimate the same net probability the model predicts.
    """
    end = add_months(origin, WINDOW - 1)
    rows = panel.filter(pl.col(MONTH).is_between(origin, end), pl.col(ID).is_in(cohort_ids.implode()))
    start = origin.year * 12 + origin.month - 1
    firsts = (
        rows.with_columns((month_index(pl.col(MONTH)) - start + 1).alias("t"))
        .sort(ID, "t")
        .group_by(ID)
        .agg(
            pl.col("t").filter(pl.col(OUTCOME).is_not_null()).first().alias("exit_t"),
            pl.col(OUTCOME).drop_nulls().first().alias("exit_type"),
            pl.col("t").max().alias("last_t"),
        )
    )
    aligned = pl.DataFrame({ID: cohort_ids}).join(firsts, on=ID, how="left", maintain_order="left")
    exit_t = aligned["exit_t"].to_numpy().astype(float)
    last_t = aligned["last_t"].fill_null(1).to_numpy().astype(float)
    exit_type = aligned["exit_type"].to_list()
    has_exit = ~np.isnan(exit_t)
    event = np.array([t == TARGET_EXIT for t in exit_type]) & has_exit
    time = np.where(has_exit, exit_t, last_t).astype(int)
    # Cut short: a competing exit, or rows that stop before the window ends without any exit.
    cut = (has_exit & ~event) | (~has_exit & (last_t < WINDOW))
    known = ~cut
    weight = np.zeros(len(time))
    censor_survival = _censoring_survival(time, cut)
    # An exit in month t needed the person not cut short before t; a full watch needs all 12.
    weight[event] = 1.0 / censor_survival[time[event] - 1]
    stayed = known & ~event
    weight[stayed] = 1.0 / censor_survival[WINDOW]
    return Observed(event=event, time=time, known=known, weight=weight)


def _censoring_survival(time: np.ndarray, cut: np.ndarray) -> np.ndarray:
    """G[t] = P(not cut short through month t), Kaplan-Meier, G[0] = 1; index 0..WINDOW."""
    g = np.ones(WINDOW + 1)
    for t in range(1, WINDOW + 1):
        at_risk = np.count_nonzero(time >= t)
        cuts = np.count_nonzero(cut & (time == t))
        g[t] = g[t - 1] * (1.0 - cuts / at_risk) if at_risk else g[t - 1]
    return np.maximum(g, 1e-6)


def calibration_bins(y: np.ndarray, p: np.ndarray, w: np.ndarray, n_bins: int = 10) -> pl.DataFrame:
    """Weighted reliability table: quantile bins of predicted risk, mean predicted vs observed rate.

    sklearn.calibration.calibration_curve has no sample weights, and the IPCW weights matter
    here, so the same quantile binning is done by hand.
    """
    keep = w > 0
    y, p, w = y[keep], p[keep], w[keep]
    if len(p) == 0:
        return pl.DataFrame(schema={"bin": pl.Int32, **dict.fromkeys(BIN_COLUMNS[1:], pl.Float64)})
    edges = np.unique(np.quantile(p, np.linspace(0, 1, n_bins + 1)))
    bins = np.clip(np.searchsorted(edges[1:-1], p, side="right"), 0, max(len(edges) - 2, 0))
    rows = []
    for b in np.unique(bins):
        sel = bins == b
        wb = w[sel].sum()
        # Expected |observed - predicted| in this bin if the predictions were exactly right:
        # the sampling noise floor of the gap (normal approximation of a weighted Bernoulli mean).
        noise = np.sqrt(2 / np.pi) * np.sqrt(np.sum(w[sel] ** 2 * p[sel] * (1 - p[sel]))) / wb
        rows.append(
            (
                int(b),
                float(np.average(p[sel], weights=w[sel])),
                float(np.average(y[sel], weights=w[sel])),
                float(wb),
                float(noise),
            )
        )
    return pl.DataFrame(rows, schema=BIN_COLUMNS, orient="row").with_columns(pl.col("bin").cast(pl.Int32))


def expected_calibration_error(bins: pl.DataFrame) -> float:
    """ECE: the weight-averaged gap between mean predicted risk and observed rate over the bins."""
    if bins.height == 0:
        return float("nan")
    gap = (bins["mean_predicted"] - bins["observed_rate"]).abs()
    return float((gap * bins["weight"]).sum() / bins["weight"].sum())


def ece_noise_floor(bins: pl.DataFrame) -> float:
    """The ECE a perfectly calibrated model would still show on these bins, from sampling noise alone."""
    if bins.height == 0:
        return float("nan")
    return float((bins["noise_gap"] * bins["weight"]).sum() / bins["weight"].sum())


def score_metrics(observed: Observed, risk_12m: np.ndarray) -> tuple[dict[str, float], pl.DataFrame]:
    """ROC AUC, PR AUC, Brier, ECE (IPCW-weighted) and the censored concordance index of 12-month risk."""
    y = observed.event.astype(int)
    w = observed.weight
    keep = w > 0
    nan = float("nan")
    both_classes = len(np.unique(y[keep])) == 2
    bins = calibration_bins(y, risk_12m, w)
    metrics = {
        "n_scored": float(len(y)),
        "n_known": float(keep.sum()),
        "n_events": float(y.sum()),
        "observed_rate": float(np.average(y[keep], weights=w[keep])) if keep.any() else nan,
        "mean_predicted": float(np.average(risk_12m[keep], weights=w[keep])) if keep.any() else nan,
        "roc_auc": float(roc_auc_score(y[keep], risk_12m[keep], sample_weight=w[keep])) if both_classes else nan,
        "pr_auc": float(average_precision_score(y[keep], risk_12m[keep], sample_weight=w[keep]))
        if both_classes
        else nan,
        "brier": float(brier_score_loss(y[keep], risk_12m[keep], sample_weight=w[keep])) if keep.any() else nan,
        "ece": expected_calibration_error(bins),
        "ece_noise": ece_noise_floor(bins),
        "c_index": nan,
    }
    if observed.event.any():
        # Higher risk should mean an earlier exit: concordance of risk with observed time, censored.
        metrics["c_index"] = float(concordance_index_censored(observed.event, observed.time.astype(float), risk_12m)[0])
    return metrics, bins


def summarise(backtest: pl.DataFrame) -> pl.DataFrame:
    """Mean, min and max of every metric across origins, one row per estimator per metric."""
    metrics = ["roc_auc", "pr_auc", "brier", "ece", "ece_noise", "c_index", "observed_rate", "mean_predicted"]
    return (
        backtest.unpivot(index=["estimator", "origin"], on=metrics, variable_name="metric")
        .group_by("estimator", "metric")
        .agg(
            pl.col("value").mean().alias("mean"),
            pl.col("value").min().alias("min"),
            pl.col("value").max().alias("max"),
            pl.col("value").count().alias("n_origins"),
        )
        .sort("estimator", "metric")
    )


def pooled_calibration(
    pooled: dict[str, list[tuple[np.ndarray, np.ndarray, np.ndarray]]],
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Calibration over every origin's scored people at once: bins by estimator, and ECE rows for the summary.

    One origin of a small organisation has too few people for a stable ECE (ten bins of a few
    dozen people are mostly noise); pooling the origins gives the headline calibration figure.
    """
    bins_out, summary_rows = [], []
    for name, parts in pooled.items():
        y = np.concatenate([p[0] for p in parts])
        risk = np.concatenate([p[1] for p in parts])
        w = np.concatenate([p[2] for p in parts])
        bins = calibration_bins(y, risk, w)
        bins_out.append(bins.with_columns(estimator=pl.lit(name)))
        for metric, value in (
            ("ece_pooled", expected_calibration_error(bins)),
            ("ece_pooled_noise", ece_noise_floor(bins)),
        ):
            summary_rows.append(
                {
                    "estimator": name,
                    "metric": metric,
                    "mean": value,
                    "min": value,
                    "max": value,
                    "n_origins": len(parts),
                }
            )
    schema = {
        "estimator": pl.String,
        "metric": pl.String,
        "mean": pl.Float64,
        "min": pl.Float64,
        "max": pl.Float64,
        "n_origins": pl.UInt32,
    }
    return (pl.concat(bins_out) if bins_out else pl.DataFrame()), pl.DataFrame(summary_rows, schema=schema)


def oracle_from_hazard(panel: pl.DataFrame, column: str = "true_hazard", months: int = WINDOW) -> pl.DataFrame:
    """An oracle from a planted monthly hazard column: P(exit within `months`) = 1 - (1 - h)^months.

    One row per person-month (employee_id, month, p_12m), for fit_and_backtest(oracle=...). It
    holds the planted hazard at its value on the scoring month, so it uses nothing from the
    future; a generator that knows how its features evolve can do better (synthetic.oracle_risk).
    """
    return panel.select(
        pl.col(ID).cast(pl.String),
        pl.col(MONTH).cast(pl.Date),
        (1 - (1 - pl.col(column).cast(pl.Float64)) ** months).alias("p_12m"),
    )
