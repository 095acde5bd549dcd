"""Per-person drivers of risk computed from the fitted model, and the plain sentences shown for them.

Contributions are on the log-odds of this month's hazard, one column per feature in
features.FEATURE_NAMES order; positive means the feature raises this person's risk compared
with the reference person (the training population's means, medians and most common categories).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import polars as pl

from pipelines.models.estimators import monthly_hazard
from pipelines.models.features import CATEGORICAL, FEATURE_NAMES

MIN_CONTRIBUTION = 0.05  # log-odds; smaller pushes are not worth a sentence
# Features that say the same thing to a reader are one topic: their contributions are added
# and the topic speaks through its first feature's sentence. Months in level and months since
# the last promotion move together for most people (a promotion resets both).
TOPICS: dict[str, tuple[str, ...]] = {
    "months_in_level": ("months_in_level", "months_since_promotion", "months_beyond_expected", "share_beyond_expected"),
    "growth_activities_12m": ("growth_activities_12m", "growth_activities_6m", "months_without_growth"),
    "pay_gap_to_midpoint": ("pay_gap_to_midpoint", "pay_position_in_band"),
    "teammates_left_voluntarily_6m": ("teammates_left_voluntarily_6m", "teammates_left_6m"),
}


def reference_row(X_train: np.ndarray) -> np.ndarray:
    """The population reference: median of numeric features, most common code of categorical ones."""
    ref = (
        np.nanmedian(np.where(np.isnan(X_train).all(axis=0), 0.0, X_train), axis=0)
        if len(X_train)
        else np.zeros(X_train.shape[1])
    )
    for name in CATEGORICAL:
        j = FEATURE_NAMES.index(name)
        codes = X_train[:, j][~np.isnan(X_train[:, j])].astype(int)
        ref[j] = float(np.bincount(codes).argmax()) if len(codes) else np.nan
    return ref


REFERENCE_BLOCK_ROWS = 50_000


def logistic_reference(pipeline, X_train: np.ndarray) -> np.ndarray:  # noqa: ANN001
    """Mean of each transformed column over the training rows: the point contributions are measured from.

    Transformed a block of rows at a time: the spline features of every training row at once
    would take about a gigabyte at 20M tickets, for one mean per column.
    """
    features = pipeline.named_steps["features"]
    total = None
    for start in range(0, len(X_train), REFERENCE_BLOCK_ROWS):
        block = np.asarray(features.transform(X_train[start : start + REFERENCE_BLOCK_ROWS])).sum(axis=0)
        total = block if total is None else total + block
    if total is None:  # no rows: the transform's own answer (NaN means)
        return features.transform(X_train).mean(axis=0)
    return total / len(X_train)


def logistic_contributions(pipeline, X: np.ndarray, z_reference: np.ndarray) -> np.ndarray:  # noqa: ANN001
    """Exact additive contributions coef * (z - reference mean), grouped back to the original features.

    Their sum plus the log-odds at the reference equals each row's log-odds exactly.
    """
    transformer = pipeline.named_steps["features"]
    coef = pipeline.named_steps["model"].coef_[0]
    z = transformer.transform(X)
    parts = (z - z_reference) * coef
    out = np.zeros((X.shape[0], len(FEATURE_NAMES)))
    for j, name in enumerate(FEATURE_NAMES):
        block = transformer.output_indices_[name]
        out[:, j] = parts[:, block].sum(axis=1)
    return out


def conditional_contributions(model, X: np.ndarray, reference: np.ndarray) -> np.ndarray:  # noqa: ANN001
    """Per feature: log-odds of the actual prediction minus log-odds with that feature set to the reference.

    A model-based, one-at-a-time attribution (not SHAP): it does not sum to the total and
    ignores interactions between features, but it is computed from the model itself.
    """
    n, p = X.shape
    if n == 0:
        return np.zeros((0, p))
    stacked = np.tile(X, (p, 1))
    for j in range(p):
        stacked[j * n : (j + 1) * n, j] = reference[j]
    actual = _logit(monthly_hazard(model, X))
    swapped = _logit(monthly_hazard(model, stacked)).reshape(p, n).T
    return actual[:, None] - swapped


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-9, 1 - 1e-9)
    return np.log(p / (1 - p))


def _plural(n: float, word: str) -> str:
    k = int(round(n))
    return f"{k} {word}" if k == 1 else f"{k} {word}s"


def _peer_figure(peer_months: Mapping[str, float] | None, row: Mapping[str, object]) -> float | None:
    """Months promoted peers needed at this person's level, looked up by title, then by level."""
    for key in (row.get("title"), row.get("level")):
        if peer_months and key is not None and str(key) in peer_months:
            return float(peer_months[str(key)])
    return None


def sentence(name: str, row: Mapping[str, object], peer_months: Mapping[str, float] | None = None) -> str | None:
    """One plain sentence describing this feature's value for one person, from the numbers."""
    value = row.get(name)
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "No performance rating yet" if name == "rating" else None
    level = row.get("title") or row.get("level")  # the job title reads better than a level number
    if name == "months_in_level":
        text = f"{int(value)} months at {level}" if level else f"{int(value)} months at the current level"
        peers = _peer_figure(peer_months, row)
        if peers is not None:
            return f"{text}; promoted peers needed {peers:.0f}"
        beyond = row.get("months_beyond_expected")
        if isinstance(beyond, float) and not np.isnan(beyond) and beyond > 0:
            return f"{text}; the career ladder expects {value - beyond:.0f}"
        return text
    if name in ("growth_activities_12m", "growth_activities_6m"):
        window = 12 if name.endswith("12m") else 6
        if value == 0:
            return f"No growth activity in the last {window} months"
        return f"{_plural(value, 'growth activity')} in the last {window} months".replace("activitys", "activities")
    if name == "workload_ratio":
        return f"Handles {value:.1f}x the team's median load"
    if name == "months_since_promotion":
        tenure = row.get("tenure_months")
        if tenure is not None and value >= tenure:
            return f"No promotion in {int(tenure)} months in support"
        return f"{int(value)} months since the last promotion"
    if name in ("months_beyond_expected", "share_beyond_expected"):
        return sentence("months_in_level", row, peer_months)
    if name == "tenure_months":
        return f"{int(value)} months in support"
    if name == "complex_ticket_share":
        return f"{value:.0%} of tickets handled are complex"
    if name == "tickets_handled":
        return f"Handled {int(value)} tickets last month"
    if name == "manager_changes_12m":
        return f"{_plural(value, 'manager change')} in the last 12 months"
    if name == "teammates_left_6m":
        return f"{_plural(value, 'teammate')} left the team in the last 6 months"
    if name == "rating":
        return f"Latest performance rating {value:.1f} of 5"
    if name == "months_without_growth":
        if value <= 0:
            return None  # a growth activity is under way: never a reason for concern
        return f"No growth activity for {int(value)} months"
    if name == "pay_gap_to_midpoint":
        if value <= 0:
            return "Pay is at or above the pay band's midpoint"
        return f"Pay is {value:.0%} below the pay band's midpoint"
    if name == "complex_tickets_3_of_4m":
        return f"Handled at least {int(value)} complex tickets in 3 of the last 4 months"
    if name == "teammates_left_voluntarily_6m":
        return f"{_plural(value, 'teammate')} resigned in the last 6 months"
    if name == "manager_exit_ratio_12m":
        if value <= 1:
            return None  # at or below the organisation's rate: never a reason for concern
        return f"People reporting to the same manager resigned at {value:.1f}x the organisation's rate in the last 12 months"
    if name == "pay_position_in_band":
        if value < 0:
            return "Pay is below the pay band's minimum"
        if value > 1:
            return "Pay is above the pay band's maximum"
        return f"Pay is {value:.0%} of the way up the pay band"
    if name == "level":
        return f"Works at {level}"
    if name == "track":
        return f"On the {value} track"
    if name == "tier":
        return f"Works in {value}"
    return None


def topic_contributions(contributions: np.ndarray) -> tuple[list[str], np.ndarray]:
    """Contributions summed within each topic (TOPICS); other features stand alone. Names and matrix."""
    members = {m for group in TOPICS.values() for m in group}
    names = [n for n in FEATURE_NAMES if n not in members or n in TOPICS]
    out = np.zeros((contributions.shape[0], len(names)))
    for k, name in enumerate(names):
        for member in TOPICS.get(name, (name,)):
            out[:, k] += contributions[:, FEATURE_NAMES.index(member)]
    return names, out


def _topic_sentence(name: str, row: Mapping[str, object], peer_months: Mapping[str, float] | None) -> str | None:
    if name == "growth_activities_12m":
        months = row.get("months_without_growth")
        if isinstance(months, float) and not np.isnan(months) and months >= 12:
            return sentence("months_without_growth", row, peer_months)
    if name == "pay_gap_to_midpoint" and row.get("pay_gap_to_midpoint") is None:
        return sentence("pay_position_in_band", row, peer_months)
    if name == "teammates_left_voluntarily_6m" and row.get("teammates_left_voluntarily_6m") is None:
        return sentence("teammates_left_6m", row, peer_months)
    if name == "growth_activities_12m" and row.get("growth_activities_12m") not in (None, 0, 0.0):
        if row.get("growth_activities_6m") in (0, 0.0):
            return "No growth activity in the last 6 months"
    return sentence(name, row, peer_months)


def top_drivers(
    contributions: np.ndarray,
    rows: pl.DataFrame,
    peer_months: Mapping[str, float] | None = None,
    n_top: int = 3,
) -> tuple[list[list[str]], list[list[str]]]:
    """The names and sentences of each person's strongest risk-raising topics, strongest first."""
    names, grouped = topic_contributions(contributions)
    order = np.argsort(-grouped, axis=1)
    names_out, sentences_out = [], []
    for i, row in enumerate(rows.iter_rows(named=True)):
        picked, texts = [], []
        for k in order[i]:
            if grouped[i, k] < MIN_CONTRIBUTION or len(picked) == n_top:
                break
            text = _topic_sentence(names[k], row, peer_months)
            if text:
                picked.append(names[k])
                texts.append(text)
        names_out.append(picked)
        sentences_out.append(texts)
    return names_out, sentences_out
