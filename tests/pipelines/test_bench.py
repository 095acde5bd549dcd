"""The benchmark plan and report, and the fast CSV path giving exactly what the exact reader gives."""

import csv
import io
import json
from datetime import timedelta
from pathlib import Path

import duckdb
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipelines import bench
from pipelines import lake as lk
from pipelines.sources import reading
from pipelines.sources.reading import FileProblem, read_text_table

# ---------------------------------------------------------------- fast CSV path == exact path


def _both(text: str):
    out = []
    for fast in (True, False):
        try:
            t = read_text_table("x.csv", text, fast=fast)
            out.append(("ok", t.headers, t.frame.to_dicts(), [(r.line, r.reason) for r in t.rejected]))
        except FileProblem as err:
            out.append(("problem", str(err)))
    return out


def _uses_fast(text: str) -> bool:
    first = text.split("\n", 1)[0].rstrip("\r")
    headers = reading._check_headers(next(csv.reader(io.StringIO(text, newline=""))))
    return reading._fast_text_table("x.csv", text, ",", headers, first) is not None


CELL = st.text(alphabet=["a", "b", " ", ",", '"', "\n", "é"], max_size=6)


@st.composite
def csv_texts(draw):
    width = draw(st.integers(2, 5))
    rows = draw(st.lists(st.lists(CELL, min_size=width, max_size=width), min_size=1, max_size=8))
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator=draw(st.sampled_from(["\n", "\r\n"])))
    writer.writerow([f"h{i}" for i in range(width)])
    for row in rows:
        damage = draw(st.sampled_from(["none", "none", "none", "short", "long", "blank"]))
        if damage == "short":
            row = row[:-1]
        elif damage == "long":
            row = [*row, "x"]
        if damage == "blank":
            buf.write("\n")
        writer.writerow(row)
    text = buf.getvalue()
    if draw(st.booleans()):
        text = text.rstrip("\r\n")
    return text


@settings(max_examples=300, deadline=None)
@given(csv_texts())
def test_fast_path_gives_exactly_what_the_exact_reader_gives(text):
    fast, exact = _both(text)
    assert fast == exact


def test_fast_path_is_taken_for_clean_files_with_quoted_newlines_and_delimiters():
    text = 'id,note,n\n1,"a, b",2\n2,"two\nlines",3\n3,,\n4,"say ""hi""",5\n'
    assert _uses_fast(text)
    t = read_text_table("x.csv", text)
    assert t.frame["_line"].to_list() == [2, 3, 5, 6]
    assert t.frame["note"].to_list() == ["a, b", "two\nlines", "", 'say "hi"']
    assert t.frame["n"].to_list() == ["2", "3", "", "5"]


@pytest.mark.parametrize(
    "text",
    [
        "a,b\n1,2\n3\n4,5\n",  # too few values
        "a,b\n1,2\n3,4,5\n",  # too many values
        "a,b\n1,2\n\n4,5\n",  # a blank line
        "a,b\r1,2\r",  # lone carriage returns
    ],
)
def test_files_the_fast_path_cannot_vouch_for_take_the_exact_reader(text):
    assert not _uses_fast(text)
    fast, exact = _both(text)
    assert fast == exact


def test_ragged_row_keeps_its_exact_line_number():
    t = read_text_table("x.csv", 'a,b\n1,"x\ny"\n2\n3,4\n')
    assert t.frame["_line"].to_list() == [2, 5]
    assert [(r.line, r.reason) for r in t.rejected] == [(4, "has 1 values but the header has 2")]


# ---------------------------------------------------------------- plan and report


def test_plan_scales_years_then_people_to_reach_the_ticket_count():
    assert bench.plan_org(300, 200_000) == (307, 7)  # 200k / (300 * 93) = 7.2 -> 7 years, then 307 people
    assert bench.plan_org(20_000, 20_000_000) == (20_000, 11)  # 10.75 -> 11 years; 19,550 people would do
    people, years = bench.plan_org(10, 10_000_000)
    assert years == bench.MAX_YEARS and people == round(10_000_000 / (12 * 93))


def _result() -> bench.BenchResult:
    r = bench.BenchResult(300, 200_000, 7, 300, 195_000, 12_000_000, started_at="2026-11-24T15:00:00+00:00")
    r.stages = [
        bench.Stage("floor", 2.0, 100, cpu_seconds=3.0),
        bench.Stage("pandas", 4.0, 900, cpu_seconds=4.0),
        bench.Stage("ingest", 3.0, 800, cpu_seconds=5.0),
        bench.Stage("build", 1.5, 400, cpu_seconds=2.0),
    ]
    r.pages = [
        bench.PageQuery("headcount.get_headcount", 120.0, 8.0, 12),
        bench.PageQuery("headcount.get_exits", 30.0, 4.0, 2),
        bench.PageQuery("headcount.get_headcount", 60.0, 5.0, 1, viewer="executive"),
        bench.PageQuery("headcount.get_exits", 20.0, 3.0, 2, viewer="executive"),
        bench.PageQuery("headcount.get_headcount", 900.0, 350.0, 1, viewer="manager", scope_people=41),
        bench.PageQuery("headcount.get_exits", 0.0, 0.0, 0, error="ValueError: x", viewer="manager", scope_people=41),
    ]
    r.commands = ["python -m pipelines.bench floor x"]
    return r


INFO = {"nproc": "2", "memory": "23.5 GiB", "cpu": "Xeon", "python": "3.11", "duckdb": "2.0", "polars": "2.1"}


def test_report_has_ratios_to_the_floor_and_to_pandas():
    text = bench.render(_result(), INFO)
    assert "| ingest | 3.0 | 5.0 | 800 | 1.50x | 0.75x | 1.67x |" in text
    assert "| build | 1.5 | 2.0 | 400 | 0.75x |  | 0.67x |" in text
    assert "| pandas | 4.0 | 4.0 | 900 | 2.00x |  | 1.33x |" in text
    # the executive's and manager's timings beside the director's; a manager error in the note, not as a time
    head = (
        "| function | director cold ms | director warm ms | executive cold ms | executive warm ms | manager cold ms |"
    )
    assert head in text
    assert "| headcount.get_headcount | 120 | 8 | 60 | 5 | 900 | 350 | 12 |  |" in text
    assert "| headcount.get_exits | 30 | 4 | 20 | 3 |  |  | 2 | manager: ValueError: x |" in text
    assert "director viewer slowest cold 120 ms, slowest warm 8 ms" in text
    assert "executive viewer slowest cold 60 ms, slowest warm 5 ms" in text
    assert "manager viewer (the manager with the most people below them, 41 on the latest data date)" in text
    assert "slowest cold 900 ms, slowest warm 350 ms" in text


def test_report_keeps_other_scales_and_replaces_the_same_scale(tmp_path, monkeypatch):
    monkeypatch.setattr(bench, "machine", lambda: INFO)
    path = tmp_path / "BENCHMARKS.md"
    small = _result()
    bench.write_report(small, path)
    big = _result()
    big.tickets_asked, big.tickets = 2_000_000, 1_990_000
    bench.write_report(big, path)
    small.stages[2].seconds = 2.5
    bench.write_report(small, path)
    text = path.read_text()
    assert text.startswith("# Benchmarks")
    assert text.count("<!-- bench:200000 -->") == 1 and text.count("<!-- bench:2000000 -->") == 1
    assert text.index("195,000 tickets") < text.index("1,990,000 tickets")
    assert "| ingest | 2.5 |" in text and "| ingest | 3.0 |" in text  # new small run, old big run


def test_floor_reads_every_ticket_file_into_duckdb(tmp_path):
    files = []
    for i in range(2):
        f = tmp_path / f"t{i}.csv"
        pl.DataFrame({"id": [1, 2, 3], "x": ["a", "b", "c"]}).write_csv(f)
        files.append(f)
    assert bench.floor(files, tmp_path / "floor.duckdb") == {"rows": 6}


@pytest.mark.timeout(120)
def test_tiny_bench_runs_every_stage_and_every_read_function(tmp_path):
    report = tmp_path / "B.md"
    result = bench.run_bench(50, 8_000, tmp_path / "work", report=report)
    names = [s.name for s in result.stages]
    assert names == ["generate", "floor", "pandas", "ingest", "build", "train", "pages", "one more day"]
    day = result.stage("one more day")
    assert day is not None and "incremental refresh" in day.note and not day.note.startswith("0 tickets")
    assert all(s.ok for s in result.stages), [s.note for s in result.stages]
    assert result.tickets > 5_000
    floor_stage = result.stage("floor")
    assert floor_stage is not None and floor_stage.note == f"{result.tickets:,} rows"
    assert all(s.peak_mb > 50 and s.cpu_seconds > 0 for s in result.stages if s.note[:7] != "skipped")
    core = [p for p in result.pages if p.name.split(".")[0] in {"headcount", "tenure", "progression", "summary"}]
    assert len(core) >= 12 and not [p for p in core if p.error]
    assert all(p.cold_ms > 0 and p.warm_ms > 0 for p in core)
    assert not (tmp_path / "work" / "exports").exists()  # not kept
    assert "| ingest |" in report.read_text()
    assert json.loads(bench.to_json(result))["tickets"] == result.tickets


# ---------------------------------------------------------------- build straight from the lake Parquet


def _commit(lake, run_id, entity, frame, kind):
    from pipelines import lake as lk
    from pipelines.schema import ENTITIES

    schema = ENTITIES[entity].schema
    rows = frame.with_columns(pl.lit(kind).alias("_source_kind"), pl.int_range(2, frame.height + 2).alias("_line"))
    rows = rows.select(
        [pl.col(c).cast(t) if c in frame.columns else pl.lit(None, t).alias(c) for c, t in schema.items()]
        + [pl.col("_source_kind"), pl.col("_line").cast(pl.Int64)]
    )
    record = {
        "ingest_run": run_id,
        "file": f"f{run_id}",
        "sha256": run_id,
        "format": kind,
        "entity": entity,
        "source_kind": kind,
        "rows_read": rows.height,
        "rows_loaded": rows.height,
        "rows_rejected": 0,
        "rows_superseded": 0,
        "started_at": None,
        "finished_at": None,
        "status": "loaded",
        "message": "",
    }
    lk.commit_run(lake, record, rows, pl.DataFrame(schema=lk.REJECTED_ROWS_SCHEMA))


def current_frame(lake, entity: str) -> pl.DataFrame:
    """Reference for the SQL build, in Polars: latest run wins per key; job events renumbered per day."""
    from pipelines import lake as lk
    from pipelines.schema import ENTITIES
    from pipelines.warehouse import _KIND_ORDER

    rows = lk.live_rows(lake, entity)
    ent = ENTITIES[entity]
    if entity == "job_events" and rows.height:
        rows = (
            rows.with_columns(pl.col("event_kind").replace_strict(_KIND_ORDER, default=1).alias("_k"))
            .sort("employee_id", "effective_date", "_k", "_source_kind", "event_seq")
            .with_columns(
                pl.int_range(pl.len()).over("employee_id", "effective_date").cast(pl.Int64).alias("event_seq")
            )
        )
    # Across sources (e.g. a canonical file and a vendor export) the entity key stays unique: latest run wins.
    rows = rows.sort(lk.RUN_COL, descending=True).unique(subset=list(ent.key), keep="first", maintain_order=True)
    return rows.select(list(ent.schema)).cast(ent.schema).sort(list(ent.key))


def test_sql_build_gives_the_same_tables_as_the_polars_rules_with_superseded_records(tmp_path):
    from datetime import date

    import duckdb

    from pipelines.schema import ENTITIES
    from pipelines.warehouse import UNSORTED, lake_files, load_entity_sql

    lake = tmp_path / "lake"
    t1 = pl.DataFrame({"source_system": ["zendesk"] * 3, "ticket_id": ["1", "2", "3"], "status": ["open"] * 3})
    t2 = pl.DataFrame({"source_system": ["zendesk"] * 2, "ticket_id": ["2", "4"], "status": ["solved", "open"]})
    _commit(lake, "00000001", "tickets", t1, "zendesk.tickets_csv")
    _commit(lake, "00000002", "tickets", t2, "zendesk.tickets_csv")
    day = date(2024, 1, 1)
    j1 = pl.DataFrame(
        {
            "employee_id": ["e1", "e1", "e2"],
            "effective_date": [day] * 3,
            "event_seq": [0, 1, 0],
            "event_kind": ["exit", "hire", "hire"],
        }
    )
    j2 = pl.DataFrame({"employee_id": ["e1"], "effective_date": [day], "event_seq": [0], "event_kind": ["job"]})
    _commit(lake, "00000003", "job_events", j1, "bamboohr.job_information")
    _commit(lake, "00000004", "job_events", j2, "bamboohr.employment_status")
    con = duckdb.connect()
    for entity in ("tickets", "job_events", "employees"):
        expected = current_frame(lake, entity)
        assert load_entity_sql(con, entity, lake_files(lake, entity)) == expected.height
        got = con.sql(f'select * from "{entity}"').pl().cast(expected.schema)  # noqa: S608 - fixed names
        if entity in UNSORTED:  # stored in lake order: the same rows, not sorted by key
            got = got.sort(ENTITIES[entity].key)
        assert got.equals(expected), entity
    tickets = con.sql("select ticket_id, status from tickets order by 1").fetchall()
    assert tickets == [("1", "open"), ("2", "solved"), ("3", "open"), ("4", "open")]
    kinds = con.sql("select event_seq, event_kind from job_events where employee_id = 'e1' order by 1").fetchall()
    assert kinds == [(0, "hire"), (1, "job"), (2, "exit")]


def test_refresh_adds_new_runs_like_a_full_build_and_swaps_atomically(tmp_path):
    from pipelines.config import DataPaths, load_settings
    from pipelines.ingest import ingest_paths
    from pipelines.warehouse import build_warehouse, refresh_warehouse

    org = Path(__file__).parent.parent / "fixtures" / "sources" / "org"
    data = DataPaths(tmp_path / "d")
    settings = load_settings(org / "tenure.toml")
    ingest_paths([org], settings, data)
    build_warehouse(settings, data)
    inode = data.warehouse.stat().st_ino
    con = duckdb.connect(str(data.warehouse), read_only=True)
    (first_id, agent) = con.execute(
        "select ticket_id, agent_id from tickets where ticket_id = (select min(ticket_id) from tickets)"
    ).fetchall()[0]
    before = con.execute("select count(*) from tickets").fetchall()[0][0]
    con.close()
    assert refresh_warehouse(settings, data).tables == {}  # nothing new: nothing done
    day = pl.DataFrame(  # a reopened ticket, and a new one of the same agent without a creation time
        {
            "source_system": ["zendesk", "zendesk"],
            "ticket_id": [first_id, "999999"],
            "status": ["reopened", "open"],
            "agent_id": [agent, agent],
        }
    )
    runs = lk.runs(data.lake)["ingest_run"].to_list()
    _commit(data.lake, f"{int(max(runs)) + 1:08d}", "tickets", day, "zendesk.tickets_csv")
    report = refresh_warehouse(settings, data)
    assert report.tables["tickets"] == before + 1
    assert data.warehouse.stat().st_ino != inode  # a new file swapped in
    assert not data.warehouse.with_name("warehouse.duckdb.tmp").exists()
    refreshed = _tables(data.warehouse)
    build_warehouse(settings, data)
    assert refreshed == _tables(data.warehouse)
    con = duckdb.connect(str(data.warehouse), read_only=True)
    assert con.execute("select status from tickets where ticket_id = ?", [first_id]).fetchall() == [("reopened",)]
    con.close()
    # one more undated ticket of that agent: the undated rows now exist and must be replaced, not added to
    more = pl.DataFrame(
        {"source_system": ["zendesk"], "ticket_id": ["999998"], "status": ["open"], "agent_id": [agent]}
    )
    runs = lk.runs(data.lake)["ingest_run"].to_list()
    _commit(data.lake, f"{int(max(runs)) + 1:08d}", "tickets", more, "zendesk.tickets_csv")
    refresh_warehouse(settings, data)
    _assert_same_as_a_full_build(settings, data)


def test_refresh_brings_a_warehouse_of_an_older_release_up_to_date(tmp_path, caplog):
    """An incremental mart with fewer columns and a people model that did not exist yet: a refresh
    that brings conversations only rebuilds them whole, and the warehouse equals a full build."""
    import logging

    from pipelines.config import DataPaths, load_settings
    from pipelines.ingest import ingest_paths
    from pipelines.warehouse import build_warehouse, refresh_warehouse

    org = Path(__file__).parent.parent / "fixtures" / "sources" / "org"
    data = DataPaths(tmp_path / "d")
    settings = load_settings(org / "tenure.toml")
    ingest_paths([org], settings, data)
    build_warehouse(settings, data)
    con = duckdb.connect(str(data.warehouse))
    (agent,) = con.execute("select min(agent_id) from tickets").fetchall()[0]
    con.execute("alter table marts_ticket_tier_months drop column first_day")
    con.execute("drop table marts_reporting_spans")
    con.close()
    day = pl.DataFrame({"source_system": ["zendesk"], "ticket_id": ["999999"], "status": ["open"], "agent_id": [agent]})
    runs = lk.runs(data.lake)["ingest_run"].to_list()
    _commit(data.lake, f"{int(max(runs)) + 1:08d}", "tickets", day, "zendesk.tickets_csv")
    with caplog.at_level(logging.INFO, logger="pipelines.sql"):
        refresh_warehouse(settings, data)
    assert "sql model marts_ticket_tier_months\n" in caplog.text  # whole, not incremental
    assert "sql model marts_reporting_spans\n" in caplog.text  # built, though no people export came
    assert "sql model marts_kpi_tickets (incremental)" in caplog.text
    _assert_same_as_a_full_build(settings, data)


def test_incremental_refresh_of_a_month_and_an_hr_change_equals_a_full_build(tmp_path, caplog):
    """The ticket-grain models replace only changed rows; the result must equal a full build, row for row."""
    import logging
    import shutil

    from pipelines.config import DataPaths, load_settings
    from pipelines.ingest import ingest_paths
    from pipelines.sample.stream import stream_sample
    from pipelines.sql import INCREMENTAL, PEOPLE_MODELS
    from pipelines.warehouse import build_warehouse, refresh_warehouse

    org = tmp_path / "org"
    stream_sample(org, people=60, years=2, seed=5)
    last = sorted(org.glob("*/*-20??-??.csv.gz"), key=lambda p: p.name.split("-", 1)[1])[-1]
    held = tmp_path / "held" / last.parent.name
    held.mkdir(parents=True)
    shutil.move(last, held / last.name)
    settings = load_settings(org / "tenure.toml")
    data = DataPaths(tmp_path / "d")
    ingest_paths([org], settings, data)
    build_warehouse(settings, data)
    con = duckdb.connect(str(data.warehouse), read_only=True)
    (person, team, mid_day) = con.execute(
        "select employee_id, any_value(agent_team), quantile_disc(created_date, 0.5) from marts_kpi_tickets "
        "group by employee_id order by count(*) desc, employee_id limit 1"
    ).fetchall()[0]
    (other_team,) = con.execute(
        "select min(team) from staging_job_states where team is not null and team <> ?", [team]
    ).fetchall()[0]
    # a back-dated team change for the busiest agent: their latest job event again, in another team
    move = (
        con.sql(
            "select * from job_events where employee_id = $p and event_kind = 'job' order by effective_date desc limit 1",
            params={"p": person},
        )
        .pl()
        .with_columns(
            pl.lit(mid_day).alias("effective_date"), pl.lit(other_team).alias("team"), pl.lit(9).alias("event_seq")
        )
    )
    # and an old conversation exported again with another handle time and bot involvement (its month changes)
    again = (
        con.sql(
            "select * from tickets where ticket_id = (select min(f.ticket_id) from staging_ticket_facts as f "
            "semi join marts_person_months as p on p.employee_id = f.employee_id and p.month = f.month "
            "where f.handle_seconds is not null and f.month = (select min(month) + interval 3 month from staging_ticket_facts))"
        )
        .pl()
        .with_columns(pl.col("handle_seconds") + 5000, ~pl.col("is_bot_involved").fill_null(False))
    )
    con.close()
    ingest_paths([held / last.name], settings, data)  # the next month's conversations alone: every model incremental
    runs = lk.runs(data.lake)["ingest_run"].to_list()
    _commit(data.lake, f"{int(max(runs)) + 1:08d}", "tickets", again, "zendesk.tickets_csv")
    with caplog.at_level(logging.INFO, logger="pipelines.sql"):
        refresh_warehouse(settings, data)
    assert all(f"sql model {name} (incremental)" in caplog.text for name in INCREMENTAL)
    assert all(f"sql model {name} (unchanged)" in caplog.text for name in PEOPLE_MODELS)
    _assert_same_as_a_full_build(settings, data)
    runs = lk.runs(data.lake)["ingest_run"].to_list()
    _commit(data.lake, f"{int(max(runs)) + 1:08d}", "job_events", move, "bamboohr.job_information")
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="pipelines.sql"):
        refresh_warehouse(settings, data)  # a people export changed: the person-month panel is rebuilt whole
    assert "sql model marts_kpi_tickets (incremental)" in caplog.text
    assert "sql model marts_person_months\n" in caplog.text
    assert "sql model staging_job_states\n" in caplog.text
    assert "sql model marts_stalled\n" in caplog.text
    full = _assert_same_as_a_full_build(settings, data)
    assert any(r["agent_team"] == other_team for r in full["marts_kpi_tickets"] if r["employee_id"] == person)


def test_one_more_day_brings_new_conversations_a_given_number_of_days_later(tmp_path):
    from pipelines.sample.stream import stream_sample

    stream_sample(tmp_path / "org", people=60, years=2, seed=3)
    latest = pl.read_csv(bench.ticket_files(tmp_path / "org")[-1], infer_schema=False)
    day = pl.read_csv(bench.one_more_day(tmp_path / "org", tmp_path, days=3), infer_schema=False)
    ids, times = latest.columns[0], latest.columns[2]
    assert day.height and day[ids].cast(pl.Int64).min() > latest[ids].cast(pl.Int64).max()  # all new
    last = pl.Series([latest[times].str.slice(0, 10).max()]).str.to_date()[0]
    assert set(day[times].str.slice(0, 10).str.to_date().to_list()) == {last + timedelta(days=3)}


def _assert_same_as_a_full_build(settings, data):
    from pipelines.warehouse import build_warehouse

    refreshed = _tables(data.warehouse)
    build_warehouse(settings, data)
    full = _tables(data.warehouse)
    for name in full:
        assert refreshed[name] == full[name], name
    return full


def _tables(path):
    from pipelines.sql import MODEL_ORDER

    names = ["tickets", "qa_reviews", "employees", "job_events", "identity_map", "unmatched_agents", *MODEL_ORDER]
    con = duckdb.connect(str(path), read_only=True)
    try:
        frames = {n: con.sql(f'select * from "{n}"').pl() for n in names}  # noqa: S608 - fixed names
        # doubles to 12 significant digits: a sum of doubles depends on the order rows are added in
        return {n: [_rounded(r) for r in f.sort(f.columns, nulls_last=True).to_dicts()] for n, f in frames.items()}
    finally:
        con.close()


def _rounded(row):
    return {k: float(f"{v:.12g}") if isinstance(v, float) else v for k, v in row.items()}


def test_damaged_gzip_is_still_a_file_problem_with_the_fast_inflater():
    import gzip

    from pipelines.sources.reading import read_tables

    data = bytearray(gzip.compress(b"a,b\n1,2\n" * 1000))
    data[30:40] = b"xxxxxxxxxx"
    with pytest.raises(FileProblem, match="damaged or truncated gzip"):
        read_tables("x.csv.gz", bytes(data))
    (table,) = read_tables("x.csv.gz", gzip.compress(b"a,b\n1,2\n") + gzip.compress(b"3,4\n"))  # two members
    assert table.frame["b"].to_list() == ["2", "4"]


# ---------------------------------------------------------------- streamed generation and reruns


def test_streamed_sample_writes_one_export_per_month_with_ids_continuing(tmp_path):
    import gzip as gz

    from pipelines.sample.stream import stream_sample

    counts = stream_sample(tmp_path / "a", people=60, years=2, seed=3)
    zen = sorted((tmp_path / "a" / "zendesk").glob("tickets-*.csv.gz"))
    inter = sorted((tmp_path / "a" / "intercom").glob("conversations-*.csv.gz"))
    assert zen and inter
    assert len(zen) + len(inter) == 24  # one file per month of the two years
    frames = [pl.read_csv(gz.decompress(f.read_bytes()), infer_schema=False) for f in zen]
    ids = pl.concat([f.select(pl.col("Id").cast(pl.Int64)) for f in frames])["Id"]
    assert ids.to_list() == list(range(10001, 10001 + counts["tickets_zendesk"]))  # continue across months
    conv = pl.concat(
        [pl.read_csv(gz.decompress(f.read_bytes()), infer_schema=False).select("Conversation ID") for f in inter]
    )["Conversation ID"].cast(pl.Int64)
    assert conv.len() == counts["tickets_intercom"] and (conv.diff().drop_nulls() == 3).all()
    story = json.loads((tmp_path / "a" / "truth" / "story.json").read_text())
    assert story["counts"]["tickets_zendesk"] == counts["tickets_zendesk"]
    # each month's rows were created in that month, in time order
    first = frames[0]["Created at"]
    assert first.str.slice(0, 7).unique().to_list() == [zen[0].name[8:15]]
    assert first.to_list() == sorted(first.to_list())
    # the same seed gives the same bytes
    stream_sample(tmp_path / "b", people=60, years=2, seed=3)
    assert (tmp_path / "b" / "zendesk" / zen[-1].name).read_bytes() == zen[-1].read_bytes()


def test_reuse_keeps_the_organisation_and_takes_skipped_stages_from_the_earlier_run(tmp_path):
    work = tmp_path / "work"
    first = bench.run_bench(50, 8_000, work, keep=True, report=None)
    assert (work / "result.json").exists() and (work / "exports" / "truth" / "story.json").exists()
    skip = ["floor", "pandas", "train", "pages", "one more day"]
    again = bench.run_bench(50, 8_000, work, keep=True, report=None, reuse=True, skip=skip)
    assert [s.name for s in again.stages] == [s.name for s in first.stages]
    for name in ["generate", *skip]:  # taken from the first run, not run again
        assert again.stage(name) == first.stage(name)
    assert again.stage("ingest") != first.stage("ingest")  # ingest and build ran again
    assert all(s.ok for s in again.stages) and again.tickets == first.tickets
    assert again.pages == first.pages
