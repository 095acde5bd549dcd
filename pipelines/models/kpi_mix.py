"""Mix-shift decomposition: how much of a change in a team average comes from the ticket mix.

Symmetric (Kitagawa / two-player Shapley) split over cells (category x tier x channel):
with w the cell's share of the period's tickets and m the cell's mean,
    mean_b - mean_a = sum_c (w_b - w_a) * (m_a + m_b) / 2      (mix: which tickets humans got)
                    + sum_c (m_b - m_a) * (w_a + w_b) / 2      (performance within cells)
exactly. A cell seen in one period only has no mean in the other: its mean is taken as the same
in both (no within-cell change), so the whole of its contribution is mix, and the sum stays exact.
"""

from __future__ import annotations

import polars as pl

CELL: tuple[str, ...] = ("category", "tier", "channel")


def decompose_mix(cells_a: pl.DataFrame, cells_b: pl.DataFrame, keys: tuple[str, ...] = CELL) -> pl.DataFrame:
    """Per-cell mix and performance contributions between period a and period b; one row per cell.

    Inputs: one row per cell with the key columns, `n` (tickets, or ratings for CSAT) and `total`
    (sum of the metric over them). Columns out: keys, n_a, n_b, w_a, w_b, mean_a, mean_b, mix,
    performance, change (= mix + performance). Sum the last three for the team totals.
    """
    keys = list(keys)
    a = cells_a.select(*keys, pl.col("n").alias("n_a"), pl.col("total").alias("total_a"))
    b = cells_b.select(*keys, pl.col("n").alias("n_b"), pl.col("total").alias("total_b"))
    joined = a.join(b, on=keys, how="full", coalesce=True).with_columns(
        pl.col("n_a", "n_b", "total_a", "total_b").fill_null(0)
    )
    return (
        joined.with_columns(
            (pl.col("n_a") / pl.col("n_a").sum()).alias("w_a"),
            (pl.col("n_b") / pl.col("n_b").sum()).alias("w_b"),
            pl.when(pl.col("n_a") > 0).then(pl.col("total_a") / pl.col("n_a")).alias("_m_a"),
            pl.when(pl.col("n_b") > 0).then(pl.col("total_b") / pl.col("n_b")).alias("_m_b"),
        )
        .with_columns(
            pl.coalesce("_m_a", "_m_b").alias("mean_a"),
            pl.coalesce("_m_b", "_m_a").alias("mean_b"),
        )
        .with_columns(
            ((pl.col("w_b") - pl.col("w_a")) * (pl.col("mean_a") + pl.col("mean_b")) / 2).alias("mix"),
            ((pl.col("mean_b") - pl.col("mean_a")) * (pl.col("w_a") + pl.col("w_b")) / 2).alias("performance"),
        )
        .with_columns((pl.col("mix") + pl.col("performance")).alias("change"))
        .select(*keys, "n_a", "n_b", "w_a", "w_b", "mean_a", "mean_b", "mix", "performance", "change")
        .sort("change", descending=True)
    )


def mix_totals(cells_a: pl.DataFrame, cells_b: pl.DataFrame, parts: pl.DataFrame) -> dict[str, float]:
    """The team averages of both periods and the change split into mix and performance (exact sum)."""
    mean_a = float(cells_a["total"].sum() / cells_a["n"].sum())
    mean_b = float(cells_b["total"].sum() / cells_b["n"].sum())
    mix = float(parts["mix"].sum())
    return {
        "mean_a": mean_a,
        "mean_b": mean_b,
        "change": mean_b - mean_a,
        "mix": mix,
        "performance": (mean_b - mean_a) - mix,
        "mix_share": mix / (mean_b - mean_a) if mean_b != mean_a else None,
    }
