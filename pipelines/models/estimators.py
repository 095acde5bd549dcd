"""The estimators compared for the monthly voluntary-exit hazard, and the panel-to-matrix encoding.

All three take the same float matrix (columns in features.FEATURE_NAMES order, categories as
integer codes, missing as NaN) and predict P(voluntary exit next month) per person-month.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import polars as pl
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, SplineTransformer, StandardScaler
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from pipelines.models.features import BY_NAME, CATEGORICAL, FEATURE_NAMES

ESTIMATORS: tuple[str, ...] = ("baseline", "logistic", "boosting")
TENURE_COLUMN = FEATURE_NAMES.index("tenure_months")

Vocabulary = dict[str, tuple[str, ...]]


def fit_vocabulary(frame: pl.DataFrame) -> Vocabulary:
    """The sorted categories of each categorical feature seen in the training rows."""
    return {c: tuple(sorted(v for v in frame[c].unique().to_list() if v is not None)) for c in CATEGORICAL}


def to_matrix(frame: pl.DataFrame, vocab: Mapping[str, tuple[str, ...]]) -> np.ndarray:
    """The features of each row as floats: categories as codes from `vocab`, unknown or missing as NaN."""
    out = np.empty((frame.height, len(FEATURE_NAMES)), dtype=np.float64)
    for i, name in enumerate(FEATURE_NAMES):  # a column at a time: no second copy of the whole matrix
        if name in CATEGORICAL:
            codes = {value: float(code) for code, value in enumerate(vocab[name])}
            column = pl.col(name).replace_strict(codes, default=None, return_dtype=pl.Float64)
        else:
            column = pl.col(name).cast(pl.Float64)
        out[:, i] = frame.select(column).to_series().to_numpy()
    return out


class TenureBandBaseline(ClassifierMixin, BaseEstimator):
    """Class frequencies per tenure band: the base rate a model has to beat; one row per sample.

    Uses only the column `tenure_column` of X, cut at `band_edges`; each band's class shares
    are shrunk towards the overall shares with `prior_strength` pseudo-rows so that thin bands
    do not produce 0 or 1.
    """

    def __init__(
        self,
        tenure_column: int = 0,
        band_edges: tuple[float, ...] = (3, 6, 12, 24, 36, 60),
        prior_strength: float = 10.0,
    ):
        self.tenure_column = tenure_column
        self.band_edges = band_edges
        self.prior_strength = prior_strength

    def _bands(self, X: np.ndarray) -> np.ndarray:
        return np.digitize(X[:, self.tenure_column], np.asarray(self.band_edges, dtype=float))

    def fit(self, X, y):  # noqa: ANN001, ANN201 - scikit-learn signature
        X, y = validate_data(self, X, y, ensure_all_finite="allow-nan")
        check_classification_targets(y)
        if not 0 <= self.tenure_column < X.shape[1]:
            raise ValueError(
                f"tenure_column={self.tenure_column} needs at least {self.tenure_column + 1} feature(s); "
                f"X has n_features = {X.shape[1]}"
            )
        if self.prior_strength < 0:
            raise ValueError("prior_strength must be non-negative")
        self.classes_, codes = np.unique(y, return_inverse=True)
        n_classes, n_bands = len(self.classes_), len(self.band_edges) + 1
        overall = np.bincount(codes, minlength=n_classes) / len(codes)
        counts = np.zeros((n_bands, n_classes))
        np.add.at(counts, (self._bands(X), codes), 1.0)
        smoothed = counts + self.prior_strength * overall
        totals = smoothed.sum(axis=1, keepdims=True)
        self.band_proba_ = np.where(totals > 0, smoothed / np.where(totals > 0, totals, 1.0), overall)
        self.band_counts_ = counts.sum(axis=1)
        return self

    def predict_proba(self, X) -> np.ndarray:  # noqa: ANN001
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, ensure_all_finite="allow-nan")
        return self.band_proba_[self._bands(X)]

    def predict(self, X) -> np.ndarray:  # noqa: ANN001
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]

    def __sklearn_tags__(self):  # noqa: ANN204
        tags = super().__sklearn_tags__()
        # A base rate by tenure band is meant to be weak: skip the "scores well on blobs" checks.
        tags.classifier_tags.poor_score = True
        tags.input_tags.allow_nan = True  # only the tenure column is read; other columns may be missing
        return tags


def make_baseline() -> TenureBandBaseline:
    """The tenure-band base rate on the model matrix."""
    return TenureBandBaseline(tenure_column=TENURE_COLUMN)


SPLINED: tuple[str, ...] = tuple(name for name in FEATURE_NAMES if BY_NAME[name].spline)


def spline_knots(X: np.ndarray, n_knots: int = 5) -> dict[str, np.ndarray]:
    """Knots per spline feature at the quantiles of its values in X (duplicates merged).

    Quantile knots put the flexibility where the people are: time-since features are skewed
    (most people have a few months, a few have many years), and knots spread evenly over the
    range spent most of the basis on the sparse tail (on the sample: ROC AUC 0.52 against 0.56
    for the same features with quantile knots). A feature with fewer than 3 distinct knots enters
    linearly. Returns {feature: knots as an (n, 1) array}.
    """
    out = {}
    for name in SPLINED:
        column = X[:, FEATURE_NAMES.index(name)]
        values = column[~np.isnan(column)]
        if values.size == 0:
            continue
        knots = np.unique(np.quantile(values, np.linspace(0.0, 1.0, n_knots)))
        if knots.size >= 3:
            out[name] = knots.reshape(-1, 1)
    return out


def make_logistic(C: float = 0.5, knots: Mapping[str, np.ndarray] | None = None) -> Pipeline:
    """L2-regularised logistic regression; one transformer per feature so contributions group back exactly.

    Features in `knots` get a quadratic spline on those knots (`spline_knots`), held constant
    beyond the outer knots so that projecting a time-since feature past what training saw never
    extrapolates a curve; the others enter linearly.
    """
    knots = knots or {}
    parts = []
    for i, name in enumerate(FEATURE_NAMES):
        feature = BY_NAME[name]
        if feature.kind == "categorical":
            step = make_pipeline(
                SimpleImputer(strategy="constant", fill_value=-1.0, keep_empty_features=True),
                OneHotEncoder(handle_unknown="ignore", sparse_output=False),
            )
        elif name in knots:
            step = make_pipeline(
                SimpleImputer(strategy="median", keep_empty_features=True),
                SplineTransformer(knots=np.asarray(knots[name]), degree=2, extrapolation="constant"),
                StandardScaler(),
            )
        else:
            step = make_pipeline(
                SimpleImputer(strategy="median", add_indicator=True, keep_empty_features=True), StandardScaler()
            )
        parts.append((name, step, [i]))
    return Pipeline(
        [
            ("features", ColumnTransformer(parts, remainder="drop", verbose_feature_names_out=True)),
            ("model", LogisticRegression(C=C, max_iter=2000)),
        ]
    )


def make_boosting(
    random_state: int = 0, max_iter: int = 150, min_samples_leaf: int = 200
) -> HistGradientBoostingClassifier:
    """Gradient-boosted trees of depth 2 (pairs of features at most); missing values and categories native.

    Shallow trees, large leaves and a slow learning rate: a hundred leavers support a few broad
    patterns, not fine interactions (on the sample, 15-leaf trees with 100-row leaves and
    early stopping on a random split reached ROC AUC 0.51 where these reach 0.56, and on the
    synthetic panel they matched the oracle). The model sets `max_iter` from a time-respecting
    validation and `min_samples_leaf` from the exit rate (attrition._fit).
    """
    mask = np.array([name in CATEGORICAL for name in FEATURE_NAMES])
    return HistGradientBoostingClassifier(
        learning_rate=0.05,
        max_iter=max_iter,
        max_depth=2,
        min_samples_leaf=min_samples_leaf,
        l2_regularization=1.0,
        categorical_features=mask,
        early_stopping=False,
        random_state=random_state,
    )


def make_estimator(name: str):  # noqa: ANN201 - one of three estimator types
    """A fresh, unfitted estimator by name (see ESTIMATORS)."""
    factories = {"baseline": make_baseline, "logistic": make_logistic, "boosting": make_boosting}
    if name not in factories:
        raise ValueError(f"unknown estimator {name!r}; choose from {ESTIMATORS}")
    return factories[name]()


def monthly_hazard(model, X: np.ndarray) -> np.ndarray:  # noqa: ANN001
    """P(voluntary exit next month) for each row of X; 0 when training saw no exit at all."""
    classes = list(model.classes_)
    if 1 not in classes and True not in classes:
        return np.zeros(X.shape[0])
    column = classes.index(1) if 1 in classes else classes.index(True)
    return model.predict_proba(X)[:, column]
