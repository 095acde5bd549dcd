"""The feature list, the forbidden attributes and the panel check."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from pipelines.models.estimators import fit_vocabulary, to_matrix
from pipelines.models.features import (
    CATEGORICAL,
    FEATURE_NAMES,
    FEATURES,
    FORBIDDEN,
    MODEL_COLUMNS,
    REQUIRED,
    PanelError,
    check_panel,
)


def test_no_demographic_attribute_is_a_feature():
    assert FORBIDDEN.isdisjoint(FEATURE_NAMES)
    words = {word for name in FEATURE_NAMES for word in name.split("_")}
    assert words.isdisjoint({"gender", "age", "ethnicity", "location", "remote", "race", "birth", "nationality"})


def test_every_feature_has_a_label_and_a_known_kind():
    assert len(FEATURES) == 22
    for feature in FEATURES:
        assert feature.label
        assert feature.kind in {"numeric", "categorical"}
        assert feature.kind == "categorical" or feature.unit
    assert CATEGORICAL == ("level", "track", "tier")


def _row(**over) -> dict:
    row = dict.fromkeys(REQUIRED, 1.0)
    row |= {"employee_id": "E1", "month": date(2024, 1, 1), "level": "L1", "track": "frontline", "tier": "Tier 1"}
    row["exit_type_next_month"] = None
    return row | over


def test_check_panel_keeps_only_model_columns_and_drops_demographics():
    panel = pl.DataFrame([_row(gender="woman", location="Dublin", age=30)])
    checked = check_panel(panel)
    assert checked.columns == list(MODEL_COLUMNS)
    assert checked["month"].dtype == pl.Date


def test_check_panel_names_missing_columns():
    panel = pl.DataFrame([_row()]).drop("workload_ratio", "rating")
    with pytest.raises(PanelError, match="rating, workload_ratio"):
        check_panel(panel)


def test_check_panel_refuses_unknown_exit_types_and_duplicates():
    with pytest.raises(PanelError, match="resigned"):
        check_panel(pl.DataFrame([_row(exit_type_next_month="resigned")]))
    with pytest.raises(PanelError, match="more than one row"):
        check_panel(pl.DataFrame([_row(), _row()]))
    # Case and spaces are forgiven.
    assert check_panel(pl.DataFrame([_row(exit_type_next_month=" Voluntary")]))["exit_type_next_month"].to_list() == [
        "voluntary"
    ]


def test_matrix_codes_categories_and_leaves_unknown_ones_missing():
    train = check_panel(pl.DataFrame([_row(level="L2"), _row(employee_id="E2", level="L1")]))
    vocab = fit_vocabulary(train)
    assert vocab["level"] == ("L1", "L2")
    new = check_panel(pl.DataFrame([_row(level="L2"), _row(employee_id="E2", level="L9")]))
    X = to_matrix(new, vocab)
    assert X.shape == (2, len(FEATURE_NAMES))
    j = FEATURE_NAMES.index("level")
    assert X[0, j] == 1.0
    assert X[1, j] != X[1, j]  # NaN: a level the model never saw


def test_mart_style_exit_months_are_dropped_and_unknown_exits_censor():
    # The person-month mart writes a row for the month someone leaves (exit_type set), and the
    # month before carries exit_type_next_month. Only the months at risk stay.
    panel = pl.DataFrame(
        [
            _row(month=date(2024, 1, 1), exit_type_next_month=None, exit_type=None, title="Team Lead"),
            _row(month=date(2024, 2, 1), exit_type_next_month="voluntary", exit_type=None, title="Team Lead"),
            _row(month=date(2024, 3, 1), exit_type_next_month=None, exit_type="voluntary", title="Team Lead"),
            _row(employee_id="E2", exit_type_next_month="unknown", exit_type=None, title=None),
        ]
    )
    checked = check_panel(panel)
    assert checked.select("employee_id", "month", "exit_type_next_month").rows() == [
        ("E1", date(2024, 1, 1), None),
        ("E1", date(2024, 2, 1), "voluntary"),
        ("E2", date(2024, 1, 1), "unknown"),
    ]
    assert checked["title"].to_list() == ["Team Lead", "Team Lead", None]


def test_months_beyond_expected_from_the_ladder():
    ladder = {"Customer Support Specialist 2": 18, "Team Lead": 24}
    panel = pl.DataFrame(
        [
            _row(title="Customer Support Specialist 2", months_in_level=22.0),
            _row(employee_id="E2", title="customer support specialist 2", months_in_level=10.0),
            _row(employee_id="E3", title="Chief Happiness Officer", months_in_level=30.0),
        ]
    )
    checked = check_panel(panel, ladder)
    assert checked["months_beyond_expected"].to_list() == [4.0, -8.0, None]  # off the ladder: unknown
    assert check_panel(panel)["months_beyond_expected"].null_count() == 3  # no settings: no effect
    # A mart that computes it itself wins.
    given = panel.with_columns(months_beyond_expected=pl.lit(1.5))
    assert check_panel(given, ladder)["months_beyond_expected"].to_list() == [1.5, 1.5, 1.5]
