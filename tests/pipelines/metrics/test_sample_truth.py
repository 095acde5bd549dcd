"""The marts against the planted truth of the bundled sample organisation (data/sample/truth).

Ingests data/sample into a temporary data directory with the real pipeline (about 10 s), then
compares the stalled teammates with truth/stalled.csv and the exits with the truth's exit months.
"""

from __future__ import annotations

import polars as pl
import pytest

from pipelines.access import Viewer
from pipelines.config import SAMPLE_DIR, data_paths, load_settings

TRUTH = SAMPLE_DIR / "truth"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not (TRUTH / "stalled.csv").exists(), reason="the sample organisation is not generated"),
]


@pytest.fixture(scope="module")
def sample_ctx(tmp_path_factory):
    from pipelines.ingest import ingest_paths
    from pipelines.metrics import open_context
    from pipelines.warehouse import build_warehouse

    settings = load_settings(SAMPLE_DIR / "tenure.toml")
    paths = data_paths(tmp_path_factory.mktemp("sample_data"))
    report = ingest_paths([SAMPLE_DIR], settings, paths)
    assert not report.failed
    build_warehouse(settings, paths)
    with open_context(paths.warehouse, settings) as ctx:
        yield ctx


def test_stalled_matches_the_planted_truth(sample_ctx):
    from pipelines.metrics.people import get_stalled

    truth = pl.read_csv(TRUTH / "stalled.csv", schema_overrides={"employee_number": pl.String})
    found = set(get_stalled(Viewer.system(), sample_ctx)["employee_id"].to_list())
    planted = set(truth["employee_number"].to_list())
    hits = len(found & planted)
    precision = hits / len(found) if found else 0.0
    recall = hits / len(planted) if planted else 1.0
    assert precision >= 0.8 and recall >= 0.8, (precision, recall, sorted(found ^ planted))


def test_voluntary_exits_match_the_truth_months(sample_ctx):
    truth = pl.read_csv(TRUTH / "person_months.csv", schema_overrides={"employee_number": pl.String})
    planted = set(
        truth.filter((pl.col("exited_voluntary") == 1) & (pl.col("in_support") == 1))
        .select("employee_number", "month")
        .iter_rows()
    )
    found = set(
        sample_ctx.frame(
            "select employee_id, strftime(end_date, '%Y-%m') as month from marts_support_spells"
            " where end_kind = 'voluntary'"
        ).iter_rows()
    )
    assert found == planted


def test_spell_and_move_counts_match_the_story(sample_ctx):
    import json

    counts = json.loads((TRUTH / "story.json").read_text(encoding="utf-8"))["counts"]
    ends = dict(sample_ctx.frame("select end_kind, count(*) from marts_support_spells group by 1").iter_rows())
    assert ends["involuntary"] == counts["exits_involuntary"]
    assert ends["transfer_out"] == counts["transfers_out"]
    starts = dict(sample_ctx.frame("select start_kind, count(*) from marts_support_spells group by 1").iter_rows())
    assert starts["rehire"] == counts["rehires"]
    people = sample_ctx.one("select count(distinct employee_id) from marts_support_spells")[0]
    assert people == counts["support_people"]
    promotions = sample_ctx.one("select count(*) from marts_role_moves where move_kind = 'promotion'")[0]
    assert promotions == counts["promotions"]
