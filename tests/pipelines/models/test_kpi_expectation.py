"""KPI expectation models: hand-checked shrinkage, cross-fitting that never uses an agent's own tickets."""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl
import pytest

from pipelines.models.kpi_expectation import (
    OUTCOME_BY_NAME,
    add_ranks,
    agent_fold,
    agent_period_kpis,
    between_variance,
    cross_fit,
    prepare_tickets,
    shrink,
)


def test_shrink_matches_hand_computed_values():
    # tau2 = 0.04: B = 0.04 / (0.04 + 0.04) = 0.5 and 0.04 / (0.04 + 0.01) = 0.8
    # posterior = 0 + 0.5 * 0.4 = 0.2 and 0 + 0.8 * -0.2 = -0.16
    # posterior sd = sqrt(0.5 * 0.04) = 0.141421 and sqrt(0.8 * 0.01) = 0.089443
    post, sd = shrink(np.array([0.4, -0.2]), np.array([0.04, 0.01]), np.array([0.0, 0.0]), 0.04)
    assert post == pytest.approx([0.2, -0.16])
    assert sd == pytest.approx([0.141421, 0.089443], abs=1e-6)


def test_shrink_pulls_toward_the_team_mean_not_zero():
    # prior (team) 0.1, estimate 0.5, se2 = tau2 = 0.02: halfway, 0.1 + 0.5 * 0.4 = 0.3
    post, _ = shrink(np.array([0.5]), np.array([0.02]), np.array([0.1]), 0.02)
    assert post == pytest.approx([0.3])


def test_between_variance_is_method_of_moments():
    # var([0.1, 0.3, 0.5], ddof=1) = 0.04; minus mean se2 0.01 = 0.03
    assert between_variance(np.array([0.1, 0.3, 0.5]), np.array([0.01, 0.01, 0.01])) == pytest.approx(0.03)
    # noise larger than the spread: floored, never negative
    assert between_variance(np.array([0.1, 0.11]), np.array([1.0, 1.0])) == pytest.approx(1e-6)


def test_agent_fold_is_stable():
    assert agent_fold("1015") == agent_fold("1015")
    assert {agent_fold(str(i)) for i in range(200)} == {0, 1, 2, 3, 4}


def _tickets(slow_agent_seconds: float) -> pl.DataFrame:
    """Two quarters, 12 agents, 60 tickets each; easy tickets 300 s, hard 1200 s; agent 'slow' x given."""
    rng = np.random.default_rng(3)
    rows = []
    for a in [f"a{i}" for i in range(11)] + ["slow"]:
        for j in range(60):
            hard = j % 3 == 0
            base = 1200.0 if hard else 300.0
            secs = base * (slow_agent_seconds if a == "slow" else 1.0) * float(np.exp(rng.normal(0, 0.05)))
            q = date(2024, 1, 1) if j < 30 else date(2024, 4, 1)
            rows.append(
                {
                    "source_system": "canonical",
                    "ticket_id": f"{a}-{j}",
                    "employee_id": a,
                    "agent_team": "T",
                    "agent_tier": "Tier 1",
                    "month": q,
                    "quarter": q,
                    "tier": "Tier 1",
                    "channel": "chat",
                    "category": "Hard" if hard else "Easy",
                    "priority": "normal",
                    "customer_segment": "unknown",
                    "is_bot_involved": False,
                    "is_escalated": False,
                    "created_hour": 10,
                    "created_weekday": 2,
                    "handle_seconds": secs,
                }
            )
    return prepare_tickets(pl.DataFrame(rows))


def test_an_agents_own_tickets_never_set_their_expectation():
    outcome = OUTCOME_BY_NAME["handle_time"]
    normal = cross_fit(_tickets(1.0), outcome, window=2)
    slow = cross_fit(_tickets(3.0), outcome, window=2)
    mine = pl.col("ticket_id").str.starts_with("slow")
    # the slow agent's expected times do not move when only their own tickets change
    assert slow.filter(mine)["expected"].to_numpy() == pytest.approx(normal.filter(mine)["expected"].to_numpy())
    # and they expect about 1200 s on hard tickets, 300 s on easy ones (within 5%)
    hard = slow.filter(mine & pl.col("ticket_id").str.extract(r"-(\d+)$").cast(pl.Int64).mod(3).eq(0))
    assert hard["expected"].mean() == pytest.approx(1200, rel=0.05)


def test_agent_periods_rank_the_slow_agent_last_and_give_a_verdict():
    outcome = OUTCOME_BY_NAME["handle_time"]
    tickets = _tickets(3.0)
    scored = tickets.join(cross_fit(tickets, outcome, window=2), on=["source_system", "ticket_id"])
    kpis = add_ranks(agent_period_kpis(scored, outcome, "quarter"), outcome)
    assert kpis.height == 24  # 12 agents x 2 quarters
    slow = kpis.filter(pl.col("employee_id") == "slow")
    assert slow["verdict"].to_list() == ["worse than expected", "worse than expected"]
    assert slow["adjusted_rank"].to_list() == [12, 12]
    assert slow["ratio"].to_list() == pytest.approx([3.0, 3.0], rel=0.1)
    # 30 tickets per quarter: every agent is above the minimum volume (20) and ranked
    assert kpis["n_ranked"].unique().to_list() == [12]


def test_exact_ridge_matches_scikit_learn_on_one_hot_rows():
    from scipy import sparse
    from sklearn.linear_model import Ridge

    from pipelines.models.kpi_expectation import ridge_exact

    # Six tickets, two one-hot features (channel: 2 columns, tier: 2 columns).
    x = sparse.csr_matrix(
        np.array([[1, 0, 1, 0], [1, 0, 0, 1], [0, 1, 1, 0], [0, 1, 0, 1], [1, 0, 1, 0], [0, 1, 0, 1]], dtype=float)
    )
    y = np.array([1.0, 2.0, 3.0, 5.0, 1.5, 4.5])
    coef, intercept = ridge_exact(x, y, 1.0)
    reference = Ridge(alpha=1.0, solver="cholesky").fit(x.toarray(), y)
    assert coef == pytest.approx(reference.coef_, abs=1e-9)
    assert intercept == pytest.approx(reference.intercept_, abs=1e-9)
    # By hand: groups A (1, 3) and B (4, 6); centred X'X = [[1, -1], [-1, 1]], X'(y - 3.5) = (-3, 3),
    # so (X'X + I) w = (-3, 3) gives w = (-1, 1), b = 3.5: A predicted 2.5, B 4.5 (means 2 and 5, shrunk).
    two = sparse.csr_matrix(np.array([[1, 0], [1, 0], [0, 1], [0, 1]], dtype=float))
    w, b = ridge_exact(two, np.array([1.0, 3.0, 4.0, 6.0]), 1.0)
    assert w == pytest.approx([-1.0, 1.0]) and b == pytest.approx(3.5)


def test_encoded_rows_give_the_one_hot_rows_of_the_encoder_and_the_same_cross_fit():
    from pipelines.models.kpi_expectation import EncodedRows, FeatureEncoder, cross_fit_quarter, usable_rows

    outcome = OUTCOME_BY_NAME["handle_time"]
    rows = usable_rows(_tickets(3.0), outcome)
    encoder = FeatureEncoder.from_frame(rows)
    held = EncodedRows(encoder.columns(rows), encoder.n_columns)
    positions = np.array([5, 0, 700, 5])
    assert (held[positions] != encoder.transform(rows)[positions]).nnz == 0
    assert held.shape == encoder.transform(rows).shape
    one_hot = cross_fit_quarter(rows, encoder.transform(rows), 1, outcome, max_rows=300)
    compact = cross_fit_quarter(rows, held, 1, outcome, max_rows=300)  # a fit on a sample of 300 rows
    assert compact.equals(one_hot)
