"""The attrition model against a planted truth: one table of baseline / logistic / boosting / oracle.

For the bundled sample organisation (data/sample/truth/person_months.csv holds every person-month's
true monthly hazard) or any warehouse built from a generator that writes the same file. The
oracle is `1 - (1 - h)^12` from the true hazard, scored on the same origins as the estimators.

Re-measure after regenerating the sample (a few minutes on 2 shared cores)::

    python -m pipelines.models.evaluate --data-dir DIR [--truth data/sample/truth/person_months.csv]

where DIR holds a warehouse built from the sample (`python -m pipelines --data-dir DIR
--config data/sample/tenure.toml all data/sample`); without --data-dir the sample is ingested
and built into a temporary directory first.
"""

from __future__ import annotations

import math
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Optional

import duckdb
import polars as pl
import typer

from pipelines.config import SAMPLE_DIR, Settings, data_paths, load_settings
from pipelines.models.attrition import ModelRun, fit_and_backtest
from pipelines.models.backtest import oracle_from_hazard
from pipelines.models.features import ID, MONTH
from pipelines.models.options import ModelOptions

TRUTH_FILE = SAMPLE_DIR / "truth" / "person_months.csv"
ROWS = (
    ("roc_auc", "ROC AUC"),
    ("pr_auc", "PR AUC"),
    ("brier", "Brier"),
    ("ece_pooled", "ECE pooled"),
    ("ece_pooled_noise", "ECE pooled noise floor"),
    ("c_index", "Concordance"),
    ("mean_predicted", "Mean predicted 12-month risk"),
    ("observed_rate", "Observed 12-month rate"),
)
COLUMNS = ("baseline", "logistic", "boosting", "oracle")


def truth_oracle(truth_csv: Path = TRUTH_FILE) -> pl.DataFrame:
    """(employee_id, month, p_12m) from the truth file's monthly hazard, one row per panel person-month.

    The truth's hazard for month m is the chance of leaving in month m, which is the outcome of
    the panel row of month m - 1 (exit_type_next_month), so it is moved back one month.
    """
    truth = pl.read_csv(truth_csv, schema_overrides={"employee_number": pl.String, "month": pl.String})
    rows = truth.filter(pl.col("in_support") == 1).select(
        pl.col("employee_number").alias(ID),
        pl.col("month").str.to_date("%Y-%m").dt.offset_by("-1mo").alias(MONTH),
        pl.col("hazard_voluntary").alias("true_hazard"),
    )
    return oracle_from_hazard(rows)


def sample_panel(data_dir: Path | None, settings: Settings) -> pl.DataFrame:
    """marts_person_months from the warehouse in data_dir; built from data/sample when data_dir is None."""
    if data_dir is None:
        from pipelines.ingest import ingest_paths
        from pipelines.warehouse import build_warehouse

        data_dir = Path(tempfile.mkdtemp(prefix="tenure_eval_"))
        paths = data_paths(data_dir)
        report = ingest_paths([SAMPLE_DIR], settings, paths)
        if report.failed:
            raise RuntimeError("the sample organisation did not ingest cleanly")
        build_warehouse(settings, paths)
    con = duckdb.connect(str(data_paths(data_dir).warehouse), read_only=True)
    try:
        return con.sql("select * from marts_person_months").pl()
    finally:
        con.close()


def evaluate(
    panel: pl.DataFrame, settings: Settings, truth_csv: Path = TRUTH_FILE, options: ModelOptions | None = None
) -> ModelRun:
    """fit_and_backtest on the panel with the truth's oracle scored on the same origins."""
    return fit_and_backtest(panel, settings, options=options, oracle=truth_oracle(truth_csv))


def comparison_table(run: ModelRun) -> str:
    """Markdown: metric rows x (baseline, logistic, boosting, oracle), mean across origins."""
    present = [c for c in COLUMNS if c in set(run.summary["estimator"].to_list())]
    head = "| | " + " | ".join(f"{c}{' (chosen)' if c == run.chosen else ''}" for c in present) + " |"
    lines = [head, "|---" * (len(present) + 1) + "|"]
    for key, label in ROWS:
        cells = []
        for name in present:
            value = run.summary.filter((pl.col("estimator") == name) & (pl.col("metric") == key))["mean"]
            number = float(value[0]) if value.len() else math.nan
            cells.append("n/a" if math.isnan(number) else f"{number:.3f}")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def acceptance(run: ModelRun) -> dict[str, float | bool]:
    """The issue's acceptance on the chosen estimator: AUC near the oracle, above the baseline, ECE <= 0.05."""
    chosen, base, oracle = run.headline(), run.headline("baseline"), run.headline("oracle")
    return {
        "roc_auc": chosen["roc_auc"],
        "oracle_roc_auc": oracle["roc_auc"],
        "baseline_roc_auc": base["roc_auc"],
        "ece_pooled": chosen["ece_pooled"],
        "within_0.03_of_oracle": chosen["roc_auc"] >= oracle["roc_auc"] - 0.03,
        "0.05_above_baseline": chosen["roc_auc"] >= base["roc_auc"] + 0.05,
        "ece_at_most_0.05": chosen["ece_pooled"] <= 0.05,
    }


def main(
    data_dir: Annotated[Optional[Path], typer.Option(help="Data directory with a sample warehouse.")] = None,
    truth: Annotated[Path, typer.Option(help="The truth file with hazard_voluntary.")] = TRUTH_FILE,
    config: Annotated[Path, typer.Option(help="Settings merged over the defaults.")] = SAMPLE_DIR / "tenure.toml",
    origin_step: Annotated[Optional[int], typer.Option(help="Months between origins (default: options).")] = None,
    n_origins: Annotated[Optional[int], typer.Option(help="Number of origins (default: options).")] = None,
) -> None:
    """Print the comparison table, the acceptance checks and the time taken by fit_and_backtest."""
    settings = load_settings(config)
    panel = sample_panel(data_dir, settings)
    options = ModelOptions()
    if origin_step is not None:
        options = replace(options, origin_step=origin_step)
    if n_origins is not None:
        options = replace(options, n_origins=n_origins)
    start = time.perf_counter()
    run = evaluate(panel, settings, truth, options)
    seconds = time.perf_counter() - start
    origins = ", ".join(o.strftime("%Y-%m") for o in run.origins)
    typer.echo(f"{len(run.origins)} origins: {origins}")
    typer.echo(comparison_table(run))
    typer.echo(f"chosen: {run.selection_reason}")
    for name, chosen in run.backtest_projections.items():
        counts = ", ".join(f"{p} {chosen.count(p)}" for p in sorted(set(chosen)))
        typer.echo(f"projection of {name} across origins: {counts}")
    typer.echo(f"final model projects with: {run.projection}")
    for key, value in acceptance(run).items():
        typer.echo(f"{key}: {value if isinstance(value, bool) else f'{value:.3f}'}")
    typer.echo(f"fit_and_backtest: {seconds:.1f} s")


if __name__ == "__main__":
    typer.run(main)
