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


def test_key_index_reads_only_partitions_whose_key_ranges_overlap(tmp_path):
    lake = tmp_path / "lake"
    base = {"source_system": "zendesk", "_source_kind": "zendesk.tickets_csv", "_line": 2}

    def tickets(ids):
        return pl.DataFrame([{**base, "ticket_id": i} for i in ids])

    for run, ids in (("00000001", ["100", "101", "102"]), ("00000002", ["200", "201"]), ("00000003", ["300"])):
        record = {lk.RUN_COL: run, "entity": "tickets", "status": "loaded", "file": run, "rows_read": len(ids)}
        lk.commit_run(lake, record, tickets(ids), pl.DataFrame(schema=lk.REJECTED_ROWS_SCHEMA))
    index = lk.KeyIndex(lake)
    new = tickets(["101", "102", "150"]).select("source_system", "ticket_id")
    parts = index.candidates("tickets", new)
    assert [p.parent.name for p in parts] == ["ingest_run=00000001"]  # "200".."201" and "300" cannot match
    assert lk.count_superseded(lake, "tickets", tickets(["101", "102", "150"]), index) == 2
    assert lk.count_superseded(lake, "tickets", tickets(["101", "102", "150"])) == 2  # without an index: all read
    # a staged partition of the same call is seen by the next file
    staged = tmp_path / "staged.parquet"
    tickets(["150"]).write_parquet(staged)
    index.add("tickets", staged, tickets(["150"]))
    assert lk.count_superseded(lake, "tickets", tickets(["150", "999"]), index) == 1
    # null keys match null keys, and never a partition without nulls
    nulls = pl.DataFrame(
        {"source_system": [None], "ticket_id": ["101"]}, schema={"source_system": pl.String, "ticket_id": pl.String}
    )
    assert index.candidates("tickets", nulls) == []
