"""Competency standing: where people stand on the competencies the next level of their track needs.

No required-level matrix is configured, so the bar for a competency is the median latest rating
of the people holding the next level's role (same track) on the as_of date: "what the people one
step up show". A competency only rated at one of the two levels has no bar.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from pipelines.access import Viewer
from pipelines.metrics.context import Context
from pipelines.metrics.people import PANEL_SQL
from pipelines.metrics.scope import as_of_days, as_of_for, changed_rows, manager_param, require_people, suppress, window

LATEST_RATINGS_SQL = """
with ranked as (
    select employee_id, cycle, review_date, competency, rating,
           dense_rank() over (partition by employee_id order by review_date desc, cycle desc) as recency
    from competency_ratings
    where review_date <= $as_of
)
select employee_id, cycle, review_date, competency, rating from ranked where recency = 1
"""


def next_roles(ctx: Context) -> pl.DataFrame:
    """Each ladder title with the title one level up on the same track (null at the top); one row per title."""
    ladder = pl.DataFrame(
        [{"title": r.title, "track": r.track, "level": r.level} for r in ctx.settings.ladder],
        schema={"title": pl.String, "track": pl.String, "level": pl.Int64},
    )
    up = ladder.select(pl.col("title").alias("next_title"), "track", pl.col("level").alias("next_level"))
    nearest = (
        ladder.join(up, on="track")
        .filter(pl.col("next_level") > pl.col("level"))
        .sort("next_level")
        .group_by("title", maintain_order=True)
        .agg(pl.col("next_title").first())
    )
    return ladder.join(nearest, on="title", how="left")


def _standing(viewer: Viewer, ctx: Context, as_of: date | None) -> pl.DataFrame:
    end = window(ctx, None, as_of)[1]
    panel = ctx.frame(PANEL_SQL, {"start": end, "end": end, "manager_id": None})
    everyone = panel.select("employee_id", "title")
    manager = manager_param(viewer)
    if manager is not None:  # else the viewer's panel is everyone's
        panel = ctx.frame(PANEL_SQL, {"start": end, "end": end, "manager_id": manager})
    scoped = panel.select("employee_id", "title", "team")
    ratings = ctx.frame(LATEST_RATINGS_SQL, {"as_of": end})
    # the bar: median latest rating of everyone (whole organisation) now holding the next role
    bars = (
        everyone.join(ratings, on="employee_id")
        .group_by(pl.col("title").alias("next_title"), "competency")
        .agg(pl.col("rating").median().alias("next_level_bar"), pl.col("employee_id").n_unique().alias("n_bar"))
        .filter(pl.col("n_bar") >= ctx.settings.min_group_size)
    )
    return (
        scoped.join(ratings, on="employee_id")
        .join(next_roles(ctx).select("title", "next_title"), on="title", how="left")
        .join(bars, on=["next_title", "competency"], how="left")
        .with_columns((pl.col("rating") - pl.col("next_level_bar")).alias("gap"))
    )


def get_competency_standing(viewer: Viewer, ctx: Context, as_of: date | None = None) -> pl.DataFrame:
    """Latest ratings by role and competency against the next level's bar; one row per title x competency.

    share_at_bar = people rated at or above the bar / people rated. Suppressed under the minimum.
    For a guarded viewer (scope.period_guarded) a row is also hidden when it changed since the
    other allowed end (scope.grid_ends) among nearly the same people: that is a few new ratings.
    """
    day = as_of_for(viewer, ctx, as_of)
    tables = {d: _standing_table(viewer, ctx, d) for d in as_of_days(viewer, ctx, day)}
    out = tables[day]
    keys = ["title", "next_title", "competency"]
    others = [t for d, t in tables.items() if d != day]
    values = ("mean_rating", "next_level_bar", "share_at_bar")
    flagged = changed_rows(out, others, keys, values, ctx.settings.min_group_size)
    return suppress(out, ctx.settings.min_group_size, keep=tuple(keys), forced=flagged)


def _standing_table(viewer: Viewer, ctx: Context, day: date) -> pl.DataFrame:
    frame = _standing(viewer, ctx, day)
    return (
        frame.group_by("title", "next_title", "competency")
        .agg(
            pl.col("employee_id").n_unique().alias("n_people"),
            pl.col("rating").mean().alias("mean_rating"),
            pl.col("next_level_bar").first(),
            pl.when(pl.col("next_level_bar").is_not_null())
            .then(pl.col("rating") >= pl.col("next_level_bar"))
            .mean()
            .alias("share_at_bar"),
        )
        .sort("title", "competency")
    )


def get_person_competencies(viewer: Viewer, ctx: Context, as_of: date | None = None) -> pl.DataFrame:
    """Each person's latest rating per competency with the next level's bar and the gap (person-level)."""
    frame = (
        _standing(viewer, ctx, as_of)
        .select("employee_id", "team", "title", "next_title", "cycle", "competency", "rating", "next_level_bar", "gap")
        .sort("employee_id", "competency")
    )
    return frame if require_people(viewer) else frame.clear()
