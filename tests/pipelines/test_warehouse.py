import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from pipelines.config import DataPaths, load_settings
from pipelines.ingest import ingest_paths
from pipelines.warehouse import build_warehouse

ORG = Path(__file__).parent.parent / "fixtures" / "sources" / "org"
ROOT = Path(__file__).parents[2]


@pytest.fixture()
def built(tmp_path):
    data = DataPaths(tmp_path)
    settings = load_settings(ORG / "tenure.toml")
    ingest_paths([ORG], settings, data)
    report = build_warehouse(settings, data)
    return data, settings, report


def test_build_loads_every_table_and_identity(built):
    data, _, report = built
    assert report.tables["tickets"] == 7 and report.tables["identity_map"] == 4
    assert not data.warehouse.with_name("warehouse.duckdb.tmp").exists()
    con = duckdb.connect(str(data.warehouse), read_only=True)
    assert con.execute("select match_method, count(*) from identity_map group by 1 order by 1").fetchall() == [
        ("email", 3),
        ("mapping", 1),
    ]
    assert con.execute("select sum(rows_read), sum(rows_loaded) + sum(rows_rejected) from ingest_runs").fetchone() == (
        55,
        55,
    )
    con.close()


def test_failed_build_leaves_previous_warehouse_byte_identical(built, monkeypatch):
    data, settings, _ = built
    before = data.warehouse.read_bytes()

    def boom(con, settings):
        raise RuntimeError("model failed")

    monkeypatch.setattr("pipelines.sql.run_models", boom)
    with pytest.raises(RuntimeError):
        build_warehouse(settings, data)
    assert data.warehouse.read_bytes() == before
    assert not data.warehouse.with_name("warehouse.duckdb.tmp").exists()


def _cli(data, *args):
    return [
        sys.executable,
        "-m",
        "pipelines",
        "--data-dir",
        str(data.root),
        "--config",
        str(ORG / "tenure.toml"),
        *args,
    ]


def test_sigkill_during_build_keeps_previous_warehouse_and_next_run_completes(built, tmp_path):
    data, settings, _ = built
    n = 150_000
    big = tmp_path / "tickets.csv"
    big.write_text(
        "source_system,ticket_id,created_at\n" + "".join(f"canonical,{i},2024-01-01 10:00:00\n" for i in range(n))
    )
    ingest_paths([big], settings, data)
    build_warehouse(settings, data)
    for delay in (0.3, 0.6, 0.9, 1.2):
        proc = subprocess.Popen(_cli(data, "build"), cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        con = duckdb.connect(str(data.warehouse), read_only=True)
        assert con.execute("select count(*) from tickets").fetchone() == (n + 7,)
        con.close()
    assert build_warehouse(settings, data).tables["tickets"] == n + 7
    assert not data.warehouse.with_name("warehouse.duckdb.tmp").exists()


READER = """
import sys, time, duckdb
path, seconds = sys.argv[1], float(sys.argv[2])
fails = reads = 0
seen = set()
end = time.time() + seconds
while time.time() < end:
    try:
        con = duckdb.connect(path, read_only=True)
        seen.add(con.execute("select count(*) from qa_reviews").fetchone()[0])
        con.close()
        reads += 1
    except Exception:
        fails += 1
print(reads, fails, sorted(seen))
"""


def test_concurrent_reader_never_fails_and_sees_new_data(built, tmp_path):
    data, settings, _ = built
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(data.warehouse), "6"], stdout=subprocess.PIPE, text=True
    )
    time.sleep(1.0)
    extra = tmp_path / "more" / "qa_reviews.csv"
    extra.parent.mkdir()
    extra.write_text(
        "source_system,ticket_id,reviewed_at,score,reviewer_id\nzendesk,106,2023-03-03T10:00:00Z,70,1002\n"
    )
    ingest_paths([extra], settings, data)
    for _ in range(3):
        build_warehouse(settings, data)
    out, _ = reader.communicate(timeout=30)
    reads, fails, seen = out.split(" ", 2)
    assert int(fails) == 0 and int(reads) > 10
    assert seen.strip() == "[1, 2]"
    assert os.path.exists(data.warehouse)


def test_build_connections_cap_duckdb_memory_and_refuse_odd_sizes(tmp_path, monkeypatch):
    from pipelines import warehouse as wh

    def limit(con):
        return con.execute("SELECT current_setting('memory_limit')").fetchone()[0]

    monkeypatch.delenv("TENURE_DUCKDB_MEMORY_LIMIT", raising=False)
    con = wh._connect_for_writing(tmp_path / "a.duckdb")
    assert limit(con).replace(" ", "") == "2.7GiB"  # unset: 3 GB on a machine with at least 6 GB
    con.close()
    monkeypatch.setattr(wh.os, "sysconf", lambda name: {"SC_PAGE_SIZE": 4096, "SC_PHYS_PAGES": 10**6}[name])
    assert wh.default_memory_limit() == "2.0GB"  # a 4.1 GB machine: half of it
    monkeypatch.undo()
    monkeypatch.setenv("TENURE_DUCKDB_MEMORY_LIMIT", "3GB")
    con = wh._connect_for_writing(tmp_path / "a2.duckdb")
    assert limit(con).replace(" ", "") == "2.7GiB"  # 3GB (10^9 bytes) as DuckDB prints it
    con.close()
    monkeypatch.setenv("TENURE_DUCKDB_MEMORY_LIMIT", "512MiB")
    con = wh._connect_for_writing(tmp_path / "b.duckdb")
    assert limit(con).replace(" ", "") == "512.0MiB"
    con.close()
    monkeypatch.setenv("TENURE_DUCKDB_MEMORY_LIMIT", "1GB'; DROP TABLE x; --")
    with pytest.raises(ValueError, match="must look like 3GB"):
        wh._connect_for_writing(tmp_path / "c.duckdb")
