import gzip
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelines import lake as lk
from pipelines.config import DataPaths, load_settings
from pipelines.ingest import IngestError, ingest_paths, ingest_uploaded
from pipelines.warehouse import build_warehouse

ORG = Path(__file__).parent.parent / "fixtures" / "sources" / "org"
ROOT = Path(__file__).parents[2]
TICKETS = "Id,Assignee,Group,Via,Created at,Solved at,Satisfaction Score\n{rows}"


def test_fixture_org_reconciles_and_reingest_is_a_no_op(tmp_path):
    data = DataPaths(tmp_path)
    settings = load_settings(ORG / "tenure.toml")
    first = ingest_paths([ORG], settings, data)
    totals = first.to_dict()["totals"]
    assert (totals["rows_read"], totals["rows_loaded"], totals["rows_rejected"]) == (55, 42, 13)
    assert all(f.rows_read == f.rows_loaded + f.rows_rejected for f in first.files)
    assert not first.failed and len(first.files) == 13
    again = ingest_paths([ORG], settings, data)
    assert {f.status for f in again.files} == {"unchanged"}
    assert "nothing to do" in again.files[0].message
    assert lk.runs(data.lake).height == 13


def test_newer_export_supersedes_overlapping_keys(tmp_path):
    data = DataPaths(tmp_path / "d")
    old = tmp_path / "old" / "tickets.csv"
    new = tmp_path / "new" / "tickets.csv"
    old.parent.mkdir()
    new.parent.mkdir()
    old.write_text(
        TICKETS.format(
            rows="1,Ann,Tier 1,Email,2024-01-01 10:00,2024-01-01 11:00,Good\n2,Ann,Tier 1,Email,2024-01-02 10:00,,Offered\n"
        )
    )
    new.write_text(
        TICKETS.format(
            rows="2,Ann,Tier 2,Email,2024-01-02 10:00,2024-01-02 12:00,Bad\n3,Ann,Tier 1,Chat,2024-01-03 10:00,,\n"
        )
    )
    ingest_paths([old], load_settings(), data)
    report = ingest_paths([new], load_settings(), data)
    assert report.files[0].rows_superseded == 1
    live = lk.live_rows(data.lake, "tickets").sort("ticket_id")
    assert live.select("ticket_id", "tier", "csat_good").rows() == [
        ("1", "Tier 1", True),
        ("2", "Tier 2", False),
        ("3", "Tier 1", None),
    ]


def test_missing_column_suggests_closest_header_and_mapping_fixes_it(tmp_path):
    f = tmp_path / "export.csv"
    f.write_text("Id,Assignee,Via,Created,Group\n1,Ann,Email,2024-01-01 10:00,Tier 1\n")
    data = DataPaths(tmp_path / "d")
    with pytest.raises(IngestError) as err:
        ingest_paths([f], load_settings(), data)
    msg = str(err.value)
    assert "export.csv" in msg and "'Created at' is missing; the closest header is 'Created'" in msg
    assert "[mapping.zendesk.tickets]\ncreated_at = 'Created'" in msg
    assert not (data.lake / "_runs").exists()  # nothing changed
    cfg = tmp_path / "s.toml"
    cfg.write_text('[mapping.zendesk.tickets]\ncreated_at = "Created"\n')
    report = ingest_paths([f], load_settings(cfg), data)
    assert report.files[0].rows_loaded == 1


def test_one_bad_file_in_a_batch_changes_nothing(tmp_path):
    folder = tmp_path / "in"
    shutil.copytree(ORG / "bamboohr", folder)
    (folder / "empty.csv").write_text("")
    data = DataPaths(tmp_path / "d")
    with pytest.raises(IngestError, match="empty.csv: is empty"):
        ingest_paths([folder], load_settings(), data)
    assert lk.runs(data.lake).height == 0


def test_upload_uses_the_same_path(tmp_path):
    data = DataPaths(tmp_path)
    payload = (ORG / "canonical" / "qa_reviews.csv").read_bytes()
    report = ingest_uploaded([("qa_reviews.csv", payload)], load_settings(), data)
    assert (report.files[0].rows_loaded, report.files[0].rows_rejected) == (1, 1)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith("upload-")] == []


# Robustness: random corruptions, SIGKILL, whole-file problems
SOURCES = {
    "tickets.csv": gzip.decompress((ORG / "zendesk" / "tickets.csv.gz").read_bytes()).decode(),
    "employees.csv": (ORG / "bamboohr" / "employees.csv").read_text(),
    "conversations.csv": gzip.decompress((ORG / "intercom" / "conversations.csv.gz").read_bytes()).decode(),
}


def _corrupt(text: str, draw) -> bytes:
    lines = text.splitlines()
    header = lines[0].split(",")
    kind = draw(st.sampled_from(["drop_col", "swap_cols", "garbage", "truncate", "encoding", "blank", "dup_row"]))
    if kind == "drop_col":
        i = draw(st.integers(0, len(header) - 1))
        lines = [",".join(c for j, c in enumerate(line.split(",")) if j != i) for line in lines]
    elif kind == "swap_cols":
        i, j = draw(st.integers(0, len(header) - 1)), draw(st.integers(0, len(header) - 1))
        header[i], header[j] = header[j], header[i]
        lines[0] = ",".join(header)
    elif kind == "garbage":
        r = draw(st.integers(1, len(lines) - 1))
        cells = lines[r].split(",")
        c = draw(st.integers(0, len(cells) - 1))
        cells[c] = draw(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12)).replace("\n", " ")
        lines[r] = ",".join(cells)
    elif kind == "truncate":
        cut = draw(st.integers(0, len(text)))
        return text[:cut].encode()
    elif kind == "encoding":
        return text.encode(draw(st.sampled_from(["utf-16", "utf-8-sig", "cp1252"])), errors="replace")
    elif kind == "blank":
        return b""
    elif kind == "dup_row":
        r = draw(st.integers(1, len(lines) - 1))
        lines.insert(r, lines[r])
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    root = tmp_path_factory.mktemp("wh")
    data = DataPaths(root)
    cfg = load_settings(ORG / "tenure.toml")
    ingest_paths([ORG], cfg, data)
    build_warehouse(cfg, data)
    return data, cfg


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_random_corruptions_never_crash_and_always_reconcile(base, tmp_path_factory, data):
    wh, cfg = base
    name = data.draw(st.sampled_from(sorted(SOURCES)))
    payload = _corrupt(SOURCES[name], data.draw)
    folder = tmp_path_factory.mktemp("c")
    target = folder / name
    target.write_bytes(payload)
    before = wh.warehouse.read_bytes()
    runs_before = lk.runs(wh.lake).height
    try:
        report = ingest_paths([target], cfg, wh)
    except IngestError as err:
        assert name in str(err)
        assert lk.runs(wh.lake).height == runs_before  # nothing changed
        assert wh.warehouse.read_bytes() == before
        return
    for f in report.files:
        assert f.rows_read == f.rows_loaded + f.rows_rejected


def _big_tickets(path: Path, n: int = 150_000) -> Path:
    """A canonical tickets file large enough that an ingest or build takes about a second."""
    pl.DataFrame(
        {
            "source_system": ["canonical"] * n,
            "ticket_id": [str(i) for i in range(n)],
            "created_at": ["2024-01-01 10:00:00"] * n,
            "channel": ["email"] * n,
        }
    ).write_csv(path)
    return path


def test_sigkill_during_ingest_leaves_lake_consistent_and_next_run_completes(tmp_path):
    data = DataPaths(tmp_path / "d")
    cfg = load_settings(ORG / "tenure.toml")
    ingest_paths([ORG], cfg, data)
    build_warehouse(cfg, data)
    before = data.warehouse.read_bytes()
    big = _big_tickets(tmp_path / "tickets.csv")
    cmd = [sys.executable, "-m", "pipelines", "--data-dir", str(data.root), "ingest", str(big)]
    for delay in (0.3, 0.6, 0.9, 1.2):
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        runs = lk.runs(data.lake)  # every committed run is whole: its rows add up
        assert (runs["rows_read"] == runs["rows_loaded"] + runs["rows_rejected"]).all()
        assert lk.all_rows(data.lake, "tickets").height in (7, 150_007)
        assert data.warehouse.read_bytes() == before
    report = ingest_paths([big], cfg, data)
    assert report.files[0].status in ("loaded", "unchanged")
    assert lk.all_rows(data.lake, "tickets").height == 150_007
    assert lk.runs(data.lake).height == 14


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "is empty"),
        (b"Id,Assignee,Via,Created at\n", "no data rows"),
        (b"Id,Assignee,Via,Created at,Via\n1,A,Email,2024-01-01,Email\n", "names the column 'Via' twice"),
        (b"Id,Assignee,Via,Created at\n1,A,Email,2024-01-01\n2,B,Em", "truncated"),
        (b"foo,bar\n1,2\n", "not a format Tenure recognises"),
    ],
)
def test_whole_file_problems_name_the_file_and_change_nothing(tmp_path, content, message):
    f = tmp_path / "export.csv"
    f.write_bytes(content)
    data = DataPaths(tmp_path / "d")
    with pytest.raises(IngestError, match=message) as err:
        ingest_paths([f], load_settings(), data)
    assert str(err.value).startswith(str(f))
    assert lk.runs(data.lake).height == 0


def test_unreadable_xlsx(tmp_path):
    f = tmp_path / "tickets.xlsx"
    f.write_bytes(b"PK\x03\x04garbage")
    with pytest.raises(IngestError, match="not a readable XLSX workbook"):
        ingest_paths([f], load_settings(), DataPaths(tmp_path / "d"))


# Variations real exports have: read correctly, not rejected
TICKET_ROWS = [
    ("canonical", "1", "2024-03-01 10:00:00", "1234,5", "Good"),
    ("canonical", "2", "2024-03-02 10:00:00", "12,5", "Bad"),
]


@pytest.mark.parametrize(
    ("sep", "encoding"), [(",", "utf-8"), (";", "utf-8-sig"), ("\t", "utf-16"), ("|", "cp1252"), (";", "latin-1")]
)
def test_delimiters_and_encodings_with_decimal_commas(tmp_path, sep, encoding):
    lines = [sep.join(["source_system", "ticket_id", "created_at", "handle_seconds", "csat_raw", "category"])]
    for r in TICKET_ROWS:
        cells = [*r, "Facturación"]
        lines.append(sep.join(f'"{c}"' if sep in c or "," in c else c for c in cells))
    (tmp_path / "tickets.csv").write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    data = DataPaths(tmp_path / "d")
    report = ingest_paths([tmp_path / "tickets.csv"], load_settings(), data)
    assert (report.files[0].rows_loaded, report.files[0].rows_rejected) == (2, 0)
    got = lk.live_rows(data.lake, "tickets").sort("ticket_id")
    assert got["handle_seconds"].to_list() == [1234.5, 12.5]
    assert got["csat_good"].to_list() == [True, False]
    assert got["category"].to_list() == ["Facturación"] * 2


@pytest.mark.parametrize(
    ("created", "tz", "expected_utc"),
    [
        ("2024-07-01 10:00:00", "UTC", "2024-07-01 10:00:00"),
        ("2024-07-01 10:00:00", "Europe/Dublin", "2024-07-01 09:00:00"),
        ("2024-07-01T10:00:00+02:00", "Europe/Dublin", "2024-07-01 08:00:00"),
        ("07/13/2024 10:00", "UTC", "2024-07-13 10:00:00"),
        ("13/07/2024 10:00", "UTC", "2024-07-13 10:00:00"),
        ("45474.5", "UTC", "2024-07-01 12:00:00"),
        ("1719828000", "UTC", "2024-07-01 10:00:00"),
    ],
)
def test_date_styles_and_time_zones(tmp_path, created, tz, expected_utc):
    (tmp_path / "tickets.csv").write_text(f'Id,Assignee,Via,Created at\n1,Ann,Email,"{created}"\n')
    cfg = tmp_path / "s.toml"
    cfg.write_text(f'[sources.zendesk]\ntimezone = "{tz}"\n')
    data = DataPaths(tmp_path / "d")
    ingest_paths([tmp_path / "tickets.csv"], load_settings(cfg), data)
    got = lk.live_rows(data.lake, "tickets")["created_at"].dt.strftime("%Y-%m-%d %H:%M:%S").to_list()
    assert got == [expected_utc]


def test_csat_scales_and_intercom_zone_in_header(tmp_path):
    (tmp_path / "c.csv").write_text(
        "Conversation ID,Conversation started at (America/New_York),Conversation rating\n"
        "1,2024-01-15 09:00:00,5\n2,2024-01-15 09:00:00,2\n3,2024-01-15 09:00:00,\n"
    )
    data = DataPaths(tmp_path / "d")
    ingest_paths([tmp_path / "c.csv"], load_settings(), data)
    got = lk.live_rows(data.lake, "tickets").sort("ticket_id")
    assert got["csat_good"].to_list() == [True, False, None]
    assert got["created_at"].dt.strftime("%H:%M").to_list() == ["14:00"] * 3


def test_row_problems_are_quarantined_with_reasons(tmp_path):
    rows = ["source_system,ticket_id,created_at,solved_at,handle_seconds"]
    rows += [f"canonical,{i},2024-01-{i + 1:02d} 10:00,2024-01-{i + 1:02d} 11:00,60" for i in range(25)]
    rows += [
        "canonical,90,2024-01-05 10:00,2024-01-05 11:00,-5",
        "canonical,91,2031-01-05 10:00,,",
        "canonical,92,yesterday,,",
        "canonical,3,2024-01-04 10:00,2024-01-04 12:00,60",
    ]
    (tmp_path / "tickets.csv").write_text("\n".join(rows) + "\n")
    data = DataPaths(tmp_path / "d")
    f = ingest_paths([tmp_path / "tickets.csv"], load_settings(), data).files[0]
    assert (f.rows_read, f.rows_loaded, f.rows_rejected) == (29, 24, 5)
    rejected = lk.rejected_rows(data.lake).sort("line")
    assert rejected.select("line", "column", "reason").rows() == [
        (5, "source_system, ticket_id", "the same id appears on lines 5, 30 with different values"),
        (27, "handle_seconds", "a negative amount or duration"),
        (28, "created_at", "the date is in the future (after 2026-01-23)"),
        (
            29,
            "created_at",
            "cannot be read as a date and time (e.g. 2024-03-01 09:30) (also created_at: a required value is missing)",
        ),
        (30, "source_system, ticket_id", "the same id appears on lines 5, 30 with different values"),
    ]


SAMPLE = ROOT / "data" / "sample"


@pytest.mark.skipif(not (SAMPLE / "zendesk").exists(), reason="the sample organisation is not generated")
def test_sample_organisation_ingests_without_rejections_and_matches_true_identities(tmp_path):
    data = DataPaths(tmp_path)
    cfg = load_settings(SAMPLE / "tenure.toml")
    report = ingest_paths([SAMPLE], cfg, data)
    assert len(report.files) == 13 and not any("truth" in f.file for f in report.files)
    assert all(f.rows_read == f.rows_loaded + f.rows_rejected for f in report.files)
    assert report.to_dict()["totals"]["rows_rejected"] == 0
    build_warehouse(cfg, data)
    con = duckdb.connect(str(data.warehouse), read_only=True)
    identity = con.sql("select source_system, agent_id, employee_id from identity_map").pl()
    assert con.execute("select count(*) from unmatched_agents").fetchone() == (0,)
    assert con.execute("select count(*) from identity_map where match_method = 'mapping'").fetchone() == (1,)
    con.close()
    truth = pl.read_csv(SAMPLE / "truth" / "agents.csv", infer_schema=False)
    expected = pl.concat(
        [
            truth.select(
                pl.lit("zendesk").alias("source_system"), pl.col("zendesk_user_id").alias("agent_id"), "employee_number"
            ),
            truth.select(
                pl.lit("intercom").alias("source_system"),
                pl.col("intercom_admin_id").alias("agent_id"),
                "employee_number",
            ),
        ]
    ).filter(pl.col("agent_id").is_not_null() & (pl.col("agent_id") != ""))
    joined = expected.join(identity, on=["source_system", "agent_id"], how="left")
    assert joined.height == identity.height
    assert (joined["employee_id"] == joined["employee_number"]).all()


def test_folder_walk_takes_table_files_only(tmp_path):
    from pipelines.ingest import collect_files

    for name in ("a.csv", "b.csv.gz", "c.xlsx", "README.md", "notes.pdf", "tenure.toml", ".hidden.csv", "truth/t.csv"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    assert [p.name for p in collect_files([tmp_path])] == ["a.csv", "b.csv.gz", "c.xlsx"]


def _load_one_at_a_time(monkeypatch):
    """Every delimited text file planned from its header and read in the load pass, as large exports are."""
    import pipelines.ingest as ingest_module

    monkeypatch.setattr(ingest_module, "READ_WHOLE_BYTES", 0)
    monkeypatch.setattr(ingest_module, "KEEP_BYTES", 0)


def _lake_contents(lake):
    runs = lk.runs(lake).select("file", "entity", "rows_read", "rows_loaded", "rows_rejected", "rows_superseded")
    entities = sorted(runs["entity"].unique().to_list())
    rows = {e: lk.live_rows(lake, e).drop(lk.RUN_COL).sort(pl.all()).rows() for e in entities}
    return runs.sort("file").rows(), rows


def test_large_files_loaded_one_at_a_time_give_the_same_lake(tmp_path, monkeypatch):
    settings = load_settings(ORG / "tenure.toml")
    whole = DataPaths(tmp_path / "whole")
    ingest_paths([ORG], settings, whole)
    _load_one_at_a_time(monkeypatch)
    streamed = DataPaths(tmp_path / "streamed")
    report = ingest_paths([ORG], settings, streamed)
    assert _lake_contents(streamed.lake) == _lake_contents(whole.lake)
    # the same run order: people first, so every name resolves as it did
    assert lk.runs(streamed.lake)["file"].to_list() == lk.runs(whole.lake)["file"].to_list()
    assert (report.to_dict()["totals"]["rows_read"], report.to_dict()["totals"]["rows_loaded"]) == (55, 42)
    assert not list((streamed.lake / lk.STAGING).glob("*"))


def test_a_bad_file_found_in_the_load_pass_changes_nothing(tmp_path, monkeypatch):
    _load_one_at_a_time(monkeypatch)
    folder = tmp_path / "in"
    folder.mkdir()
    rows = "".join(f"{i},Ann,Tier 1,Email,2024-01-0{1 + i % 9} 10:00,,\n" for i in range(1, 40))
    (folder / "a_tickets.csv").write_text(TICKETS.format(rows=rows))
    # header and first lines fine (the plan pass accepts it), the end truncated: found only when read whole
    (folder / "b_tickets.csv.gz").write_bytes(gzip.compress(TICKETS.format(rows=rows).encode())[:-9])
    data = DataPaths(tmp_path / "d")
    with pytest.raises(IngestError, match="b_tickets.csv.gz: is a damaged or truncated gzip file"):
        ingest_paths([folder], load_settings(), data)
    assert lk.runs(data.lake).height == 0
    assert not list((data.lake / lk.STAGING).glob("*"))
    assert not list(data.lake.glob("tickets/*"))
    report = ingest_paths([folder / "a_tickets.csv"], load_settings(), data)  # the good file alone still loads
    assert report.files[0].rows_loaded == 39


def test_supersede_counts_see_earlier_files_of_the_same_call(tmp_path, monkeypatch):
    _load_one_at_a_time(monkeypatch)
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "tickets_1.csv").write_text(
        TICKETS.format(rows="1,Ann,Tier 1,Email,2024-01-01 10:00,,\n2,Ann,Tier 1,Email,2024-01-02 10:00,,\n")
    )
    (folder / "tickets_2.csv").write_text(
        TICKETS.format(rows="2,Ann,Tier 2,Email,2024-01-02 10:00,,\n3,Ann,Tier 1,Chat,2024-01-03 10:00,,\n")
    )
    (folder / "tickets_3.csv").write_text(TICKETS.format(rows="30,Ann,Tier 1,Email,2024-02-01 10:00,,\n"))
    data = DataPaths(tmp_path / "d")
    report = ingest_paths([folder], load_settings(), data)
    assert [(Path(f.file).name, f.rows_superseded) for f in report.files] == [
        ("tickets_1.csv", 0),
        ("tickets_2.csv", 1),
        ("tickets_3.csv", 0),
    ]
    live = lk.live_rows(data.lake, "tickets").sort("ticket_id")
    assert live.select("ticket_id", "tier").rows() == [
        ("1", "Tier 1"),
        ("2", "Tier 2"),
        ("3", "Tier 1"),
        ("30", "Tier 1"),
    ]
