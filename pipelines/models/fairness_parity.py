"""Group parity: favourable-outcome rates across groups, the four-fifths rule, an interval and a test.

Each unit (a person-month for promotions, a person for ratings and adjusted KPIs) has a group and
a favourable outcome (0/1). Per-group sums come from one polars group-by; each group is
compared with the group that has the highest rate (the reference, as in the four-fifths rule):
adverse-impact ratio = rate / reference rate, the rate difference with a 95% Wald interval, and
a two-proportion z-test (variance under no difference) whose p-values are Holm-adjusted across every group compared (of one
attribute, or of all the attributes checked together: compare_attributes). A group
is flagged only when it is large enough (min group size, in people, on both sides), its ratio is
below 0.8 AND the adjusted test is significant: the ratio alone flags small groups by chance.
"""

from __future__ import annotations

import numpy as np
import polars as pl
from scipy.stats import norm

FOUR_FIFTHS = 0.8
# a group is the reference only with at least this share of the people compared (eligible, known)
REFERENCE_MIN_SHARE = 0.1
ALPHA = 0.05
UNKNOWN_GROUPS = ("unknown", "not recorded")


def group_rates(units: pl.DataFrame) -> pl.DataFrame:
    """Observed and expected favourable outcomes, units and people per group; one row per group.

    `units`: one row per unit with columns group, favourable (0/1), employee_id and optionally
    expected (the unit's probability of a favourable outcome from legitimate factors only). The
    rate is then indirectly standardised: overall rate x observed / expected, i.e. the rate the
    group would have if it differed from everyone else only in what the factors do not explain.
    Without `expected`, every unit expects the overall rate and the rate is the plain share.
    """
    has_expected = "expected" in units.columns
    y = pl.col("favourable").cast(pl.Float64)
    y_pred = pl.col("expected").cast(pl.Float64) if has_expected else y
    overall = float(units["favourable"].cast(pl.Float64).mean() or 0.0) if units.height else 0.0
    # sums per group in one polars pass (fairlearn's MetricFrame did this row by row in Python:
    # seconds at a million units); the same sums, the groups in the same (sorted) order
    by_group = (
        units.group_by(pl.col("group").cast(pl.String).fill_null("unknown"))
        .agg(
            pl.len().alias("n_units"),
            y.sum().alias("observed"),
            y_pred.sum().alias("expected"),
            (y_pred * (1 - y_pred)).sum().alias("variance"),
            pl.col("employee_id").n_unique().alias("n_people"),
        )
        .sort("group")
    )
    people = by_group.select("group", "n_people")
    n_units = by_group["n_units"].to_numpy().astype(np.int64)
    observed = by_group["observed"].to_numpy().astype(float)
    raw = observed / np.maximum(n_units, 1)
    if has_expected:
        expected = by_group["expected"].to_numpy().astype(float)
        variance = by_group["variance"].to_numpy().astype(float)
    else:
        expected = n_units * overall
        variance = n_units * raw * (1 - raw)
    # the test's variance assumes no difference (every unit at its expected chance, or the overall rate):
    # a group's own rate of 0 or 1 would otherwise claim certainty and make any gap "significant"
    null_variance = variance if has_expected else n_units * overall * (1 - overall)
    rate = np.divide(overall * observed, expected, out=np.zeros_like(observed), where=expected > 0)
    se = np.divide(overall * np.sqrt(variance), expected, out=np.zeros_like(observed), where=expected > 0)
    test_se = np.divide(overall * np.sqrt(null_variance), expected, out=np.zeros_like(observed), where=expected > 0)
    rates = pl.DataFrame(
        {
            "group": by_group["group"],
            "n_units": n_units,
            "n_favourable": observed.astype(np.int64),
            "expected_favourable": expected,
            "raw_rate": raw,
            "rate": rate,
            "rate_se": se,
            "test_se": test_se,
        }
    )
    return rates.join(people, on="group", how="left").sort("group")


def holm(p_values: np.ndarray) -> np.ndarray:
    """Holm step-down adjusted p-values (family-wise error across the groups of one attribute)."""
    m = len(p_values)
    order = np.argsort(p_values)
    adjusted = np.empty(m)
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p_values[i]))
        adjusted[i] = running
    return adjusted


def compare_groups(rates: pl.DataFrame, min_group_size: int) -> pl.DataFrame:
    """Adverse-impact ratio, difference with interval, Holm-adjusted test and verdict; one row per group.

    Holm runs across the groups of this one attribute; compare_attributes runs it across several.
    """
    return compare_attributes({"": rates}, min_group_size)[""]


def compare_attributes(rates: dict[str, pl.DataFrame], min_group_size: int) -> dict[str, pl.DataFrame]:
    """compare_groups for several attributes at once, Holm-adjusting across every group tested in any of them.

    `rates`: group_rates per attribute. The family is every (attribute, group) compared with its
    reference, so checking five attributes does not give five chances to flag a group by chance.
    Returns the compared frame per attribute, one row per group, with p_raw (unadjusted) and
    p_value (Holm-adjusted across the family) and n_tests (the family's size).
    """
    compared = {name: _compare(frame, min_group_size) for name, frame in rates.items()}
    raw = np.concatenate([c["p_raw"].fill_null(np.nan).to_numpy() for c in compared.values()]) if compared else []
    tested = ~np.isnan(raw)
    adjusted = np.full(len(raw), np.nan)
    if tested.any():
        adjusted[tested] = holm(raw[tested])
    out, at = {}, 0
    for name, frame in compared.items():
        out[name] = _judge(frame, adjusted[at : at + frame.height], int(tested.sum()), min_group_size)
        at += frame.height
    return out


def _compare(rates: pl.DataFrame, min_group_size: int) -> pl.DataFrame:
    """Reference, ratio, difference with its interval and the unadjusted two-sided p; one row per group."""
    # a missing value is not a group: shown, never the reference, never judged
    known = ~rates["group"].is_in(list(UNKNOWN_GROUPS)).to_numpy()
    eligible = (rates["n_people"].to_numpy() >= min_group_size) & known
    rate = rates["rate"].to_numpy()
    if not eligible.any():
        return rates.with_columns(
            pl.lit(None, dtype=pl.Float64).alias(c)
            for c in ("impact_ratio", "difference", "diff_low", "diff_high", "p_raw")
        ).with_columns(
            pl.lit(False).alias("is_reference"), pl.Series("_known", known), pl.Series("_eligible", eligible)
        )
    people = rates["n_people"].to_numpy()
    # the benchmark: the highest rate among groups big enough to be one (a lucky handful is not)
    benchmark = eligible & (people >= REFERENCE_MIN_SHARE * people[eligible].sum())
    ref = int(np.argmax(np.where(benchmark, rate, -np.inf)))
    diff = rate - rate[ref]
    se_all, test_all = rates["rate_se"].to_numpy(), rates["test_se"].to_numpy()
    se = np.sqrt(se_all**2 + se_all[ref] ** 2)
    test_se = np.sqrt(test_all**2 + test_all[ref] ** 2)
    z = np.divide(diff, test_se, out=np.zeros_like(diff), where=test_se > 0)
    others = eligible & (np.arange(len(rate)) != ref)
    p = np.where(others, 2 * norm.sf(np.abs(z)), np.nan)
    ratio = np.divide(rate, rate[ref], out=np.full_like(rate, np.nan), where=rate[ref] > 0)
    return rates.with_columns(
        pl.Series("impact_ratio", np.where(eligible, ratio, np.nan)).fill_nan(None),
        pl.Series("difference", np.where(eligible, diff, np.nan)).fill_nan(None),
        pl.Series("diff_low", np.where(eligible, diff - 1.959964 * se, np.nan)).fill_nan(None),
        pl.Series("diff_high", np.where(eligible, diff + 1.959964 * se, np.nan)).fill_nan(None),
        pl.Series("p_raw", p).fill_nan(None),
        pl.Series("is_reference", np.arange(len(rate)) == ref),
        pl.Series("_known", known),
        pl.Series("_eligible", eligible),
    )


def _judge(compared: pl.DataFrame, p_adj: np.ndarray, n_tests: int, min_group_size: int) -> pl.DataFrame:
    """Flag and verdict from the adjusted p-values: below four-fifths AND unlikely to be chance."""
    ratio = compared["impact_ratio"].fill_null(np.nan).to_numpy()
    known, eligible = compared["_known"].to_numpy(), compared["_eligible"].to_numpy()
    reference = compared["is_reference"].to_numpy()
    tested = ~np.isnan(p_adj)
    flagged = tested & (ratio < FOUR_FIFTHS) & (p_adj < ALPHA)
    verdicts = []
    for i in range(compared.height):
        if not known[i]:
            verdicts.append("not recorded: not compared")
        elif not eligible[i]:
            verdicts.append(f"too few people to compare (fewer than {min_group_size})")
        elif reference[i]:
            verdicts.append("reference: the highest rate among the larger groups")
        elif flagged[i]:
            verdicts.append("adverse impact: below four-fifths of the reference and unlikely to be chance")
        elif ratio[i] < FOUR_FIFTHS:
            verdicts.append("below four-fifths, but the gap could be chance: watch it")
        else:
            verdicts.append("no adverse impact")
    return compared.drop("_known", "_eligible").with_columns(
        pl.Series("p_value", p_adj).fill_nan(None),
        pl.lit(n_tests).alias("n_tests"),
        pl.Series("is_flagged", flagged),
        pl.Series("verdict", verdicts),
    )
