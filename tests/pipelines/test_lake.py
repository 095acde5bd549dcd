from datetime import UTC, datetime

import polars as pl

from pipelines import lake as lk


def test_uncommitted_partitions_are_invisible_and_recovered(tmp_path):
    part = tmp_path / "tickets" / "ingest_run=00000009" / "part.parquet"
    part.parent.mkdir(parents=True)
    pl.DataFrame({"ticket_id": ["1"]}).write_parquet(part)
    assert lk.all_rows(tmp_path, "tickets").height == 0
    assert lk.recover(tmp_path) == 1 and not part.exists()


def test_commit_then_latest_run_wins(tmp_path):
    def commit(run_id, value):
        rows = pl.DataFrame(
            {
                "title": ["T"],
                "effective_date": [datetime(2024, 1, 1).date()],
                "band_min": [value],
                "band_mid": [None],
                "band_max": [value + 1],
                "currency": ["USD"],
                "_source_kind": ["x"],
                "_line": [2],
            },
            schema_overrides={"band_mid": pl.Float64},
        )
        record = {
            "ingest_run": run_id,
            "file": "f",
            "sha256": run_id,
            "format": "x",
            "entity": "pay_bands",
            "source_kind": "x",
            "rows_read": 1,
            "rows_loaded": 1,
            "rows_rejected": 0,
            "rows_superseded": 0,
            "started_at": datetime.now(UTC),
            "finished_at": datetime.now(UTC),
            "status": "loaded",
            "message": "",
        }
        superseded = lk.count_superseded(tmp_path, "pay_bands", rows)
        lk.commit_run(tmp_path, record, rows, pl.DataFrame(schema=lk.REJECTED_ROWS_SCHEMA))
        return superseded

    assert commit(lk.next_run_id(tmp_path), 1.0) == 0
    assert commit(lk.next_run_id(tmp_path), 5.0) == 1
    assert lk.live_rows(tmp_path, "pay_bands")["band_min"].to_list() == [5.0]
    assert lk.runs(tmp_path)["ingest_run"].to_list() == ["00000001", "00000002"]
