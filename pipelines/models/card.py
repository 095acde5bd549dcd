"""The model card: Markdown generated from a training run, one document per run."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import polars as pl

from pipelines.models.features import BY_NAME

if TYPE_CHECKING:
    from pipelines.models.attrition import ModelRun

METRICS = (
    ("roc_auc", "ROC AUC", "higher is better"),
    ("pr_auc", "PR AUC", "higher is better"),
    ("brier", "Brier score", "lower is better"),
    ("ece", "Expected calibration error, per origin", "lower is better"),
    ("ece_noise", "ECE a perfect model would show, per origin (noise floor)", ""),
    ("ece_pooled", "Expected calibration error, origins pooled", "lower is better"),
    ("ece_pooled_noise", "Noise floor of the pooled ECE", ""),
    ("c_index", "Concordance (tenure)", "higher is better"),
    ("observed_rate", "Observed 12-month voluntary exit rate", ""),
    ("mean_predicted", "Mean predicted 12-month risk", ""),
)


def _fmt(value: float | None) -> str:
    return "n/a" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:.3f}"


def _metric_table(run: ModelRun) -> list[str]:
    names = [e for e in ("baseline", "logistic", "boosting", "oracle") if e in set(run.summary["estimator"].to_list())]
    head = "| Metric | " + " | ".join(f"{n}{' (chosen)' if n == run.chosen else ''}" for n in names) + " |"
    lines = [head, "|---" * (len(names) + 1) + "|"]
    for key, label, note in METRICS:
        cells = []
        for name in names:
            row = run.summary.filter((pl.col("estimator") == name) & (pl.col("metric") == key))
            if row.height == 0:
                cells.append("n/a")
                continue
            r = row.row(0, named=True)
            cells.append(f"{_fmt(r['mean'])} ({_fmt(r['min'])} to {_fmt(r['max'])})")
        lines.append(f"| {label}{f' ({note})' if note else ''} | " + " | ".join(cells) + " |")
    return lines


def _projection(run: ModelRun) -> str:
    aging = run.options.aging(run.projection)
    if not aging:
        return "nothing"
    return ", ".join(sorted({BY_NAME[n].label for n in aging}))


def _recalibration(run: ModelRun) -> str:
    model = run.model
    if not run.options.recalibrate or not hasattr(model, "slope"):
        return "The monthly hazards are used as fitted (no recalibration)."
    return (
        "Every monthly hazard is recalibrated on the years just before the scoring month "
        f"(log-odds mapped as {model.intercept:+.2f} + {model.slope:.2f} x log-odds; a slope under 1 "
        "pulls over-confident risks towards the base rate). The map never changes anyone's rank."
    )


def _sizing(run: ModelRun) -> list[str]:
    """How the backtest was sized (attrition.plan_backtest): origins, row cap, and why."""
    plan = run.plan
    if not plan:
        return []
    step = plan["origin_step"]
    cap = plan["max_training_rows"]
    lines = [
        f"{plan['n_origins']} origins, every {step} month{'s' if step != 1 else ''}. Each fit uses at most "
        f"{cap:,} person-months: every voluntary exit and a random sample of the other rows, each weighted "
        f"by the inverse of its sampling rate (the final model: {plan['final_fit_rows_used']:,} of "
        f"{plan['final_fit_rows']:,} person-months). {plan['fits']:,} models fitted, "
        f"{plan.get('fits_truncated', 0):,} tree models taken from a longer fit on the same rows, "
        f"{plan['fits_reused']:,} reused where an origin needed a model already trained at the same cut-off."
    ]
    if plan["large_panel"]:
        lines.append(
            f"Large panel: {plan['latest_window_exits']:,} voluntary exits in the 12 months after the latest "
            f"origin (at least {plan['large_panel_exits']:,}), so fewer origins, a lower row cap and "
            "hyperparameters chosen once per cut-off."
        )
    return ["", *lines]


def model_card(run: ModelRun) -> str:
    """Markdown describing the run: data window, population, metrics beside the baseline, limits, use."""
    pop = run.population
    cut = run.thresholds
    lines = [
        f"# Model card: voluntary-exit risk, run {run.run_id}",
        "",
        f"Trained {run.trained_at:%Y-%m-%d %H:%M} UTC on person-months from {pop['window_start']} to "
        f"{pop['window_end']}; scores are for people employed in {run.as_of:%B %Y}. Data hash (sha256 of the "
        f"training frame): `{run.data_hash[:16]}...`.",
        "",
        "## Intended use",
        "A prompt for a conversation between a manager and a teammate about growth, workload and what "
        "would make them stay. Not for sanctions, performance ratings, pay, promotion or hiring decisions, "
        "and never shown to anyone outside the person's line of management.",
        "",
        "## What it predicts",
        "Each month, the probability that a person leaves the company voluntarily the following month "
        "(a discrete-time hazard). Involuntary exits and transfers out of support end the time at risk "
        "without counting as a voluntary exit (censoring). Leaving within 3, 6 and 12 months and the "
        f"expected remaining tenure over {run.options.horizon_months} months come from projecting the monthly "
        f"hazard forward with {_projection(run)} growing a month at a time and everything else held as it is "
        "today.",
        _recalibration(run),
        "Months before the first exit the exports record are left out: nobody could be seen leaving then.",
        "",
        "## Population",
        f"{pop['n_people']:,} people, {pop['n_person_months']:,} person-months; {pop['n_voluntary_exits']:,} "
        f"voluntary exits, {pop['n_involuntary_exits']:,} involuntary exits and {pop['n_transfers_out']:,} "
        f"transfers out. {pop['n_employed_at_as_of']:,} people employed in the scoring month.",
        "No demographic attribute (gender, age, ethnicity, location, remote work) is an input.",
        "",
        "## Backtest",
        f"Rolling origins ({len(run.origins)}: {', '.join(o.strftime('%Y-%m') for o in run.origins) or 'none'}): "
        "train on the months before each origin, score everyone employed at it, watch the next 12 months. "
        "Mean across origins, with the lowest and highest in brackets. Rates and probabilities are "
        "weighted by the inverse probability of not being cut short by a competing exit (IPCW).",
        *_sizing(run),
        "",
        *_metric_table(run),
        "",
        f"Chosen: **{run.chosen}**. Why: {run.selection_reason}.",
        "",
        "## Risk bands",
        f"Base rate (observed 12-month voluntary exit rate in the backtest): {run.base_rate_12m:.1%}. "
        f"Low below {cut['elevated']:.1%} ({run.options.elevated_ratio}x base), elevated from {cut['elevated']:.1%}, "
        f"high from {cut['high']:.1%} ({run.options.high_ratio}x base). People with fewer than "
        f'{run.options.min_history_months} months in support show "not enough data".',
        "",
    ]
    if run.importance.height:
        lines += ["## What matters most (permutation importance on the last origin, drop in ROC AUC)", ""]
        lines += [f"- {r['feature']}: {r['importance_mean']:.3f}" for r in run.importance.head(6).iter_rows(named=True)]
        lines.append("")
    lines += [
        "## Limits",
        "- A score is a probability for people like this person, not a verdict on them; most people in "
        "the high band stay, and some in the low band leave.",
        "- The model sees only what the HR and helpdesk exports record: not pay offers elsewhere, family "
        "moves, or how someone feels about their manager.",
        "- Drivers are associations learned from past leavers, not causes; they point at a topic for a "
        "conversation, not at a fix.",
        "- Small organisations give wide ranges across origins: read the min to max spread above.",
        "- Projections hold workload, growth activity and ratings at today's values.",
    ]
    return "\n".join(lines) + "\n"
