"""Attrition-risk and tenure models: fit and backtest on the person-month panel, score, explain, store."""

from pipelines.models.attrition import ModelRun, fit_and_backtest, risk_band, score
from pipelines.models.options import ModelOptions
from pipelines.models.tables import write_model_tables
from pipelines.models.track_record import track_record, track_record_by_band

__all__ = [
    "ModelOptions",
    "ModelRun",
    "fit_and_backtest",
    "risk_band",
    "score",
    "track_record",
    "track_record_by_band",
    "write_model_tables",
]
