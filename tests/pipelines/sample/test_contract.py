"""Every file has the contract's header, byte for byte, and values follow the contract's conventions."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import polars as pl
import pytest

from .conftest import read

HEADERS = {
    "bamboohr/employees.csv": "Employee #,First Name,Last Name,Preferred Name,Work Email,Gender,Location,Remote,Department,Division,Job Title,Reporting to,Hire Date,Original Hire Date,Termination Date,Employment Status,Status",
    "bamboohr/job_information.csv": "Employee #,Effective Date,Location,Department,Division,Job Title,Reports To,Support Tier,Change Reason",
    "bamboohr/employment_status.csv": "Employee #,Effective Date,Employment Status,Termination Type,Termination Reason,Regrettable,Comment",
    "bamboohr/compensation.csv": "Employee #,Effective Date,Pay Rate,Pay Type,Pay Period,Change Reason",
    "bamboohr/pay_bands.csv": "Job Title,Effective Date,Minimum,Midpoint,Maximum,Currency",
    "bamboohr/growth_activities.csv": "Employee #,Start Date,End Date,Activity Type,Description",
    "bamboohr/performance_reviews.csv": "Employee #,Review Cycle,Review Date,Overall Rating,Performance Improvement Plan",
    "bamboohr/competency_ratings.csv": "Employee #,Review Cycle,Review Date,Competency,Rating",
    "zendesk/tickets.csv.gz": "Summation column,Id,Requester,Requester id,Requester external id,Requester email,Requester domain,Submitter,Assignee,Group,Subject,Tags,Status,Priority,Via,Ticket type,Created at,Updated at,Assigned at,Organization,Due date,Initially assigned at,Solved at,Resolution time,Satisfaction Score,Group stations,Assignee stations,Reopens,Replies,First reply time in minutes,First reply time in minutes within business hours,First resolution time in minutes,First resolution time in minutes within business hours,Full resolution time in minutes,Full resolution time in minutes within business hours,Agent wait time in minutes,Agent wait time in minutes within business hours,Requester wait time in minutes,Requester wait time in minutes within business hours,On hold time in minutes,On hold time in minutes within business hours,Ticket Category [list],Customer Segment [list],Total time spent (sec)",
    "intercom/conversations.csv.gz": "Conversation ID,Conversation started at (Europe/Dublin),Conversation created at (Europe/Dublin),Conversation updated at (Europe/Dublin),Started by,Conversation source,Channel,Current conversation state,Teammate currently assigned,Teammate currently assigned ID,Team currently assigned,Team currently assigned ID,Conversation tag,Topics,Conversation rating,Conversation rating remark,Last teammate rated,Resolved by,First response time (seconds),Fin AI Agent involved,Fin AI Agent deflected,Fin AI Agent resolution state,Ticket category,Ticket last resolved (Europe/Dublin),Ticket time to resolve (seconds),Handling time (seconds),Company name,Priority",
    "canonical/qa_reviews.csv": "source_system,ticket_id,reviewed_at,score,reviewer_id",
    "truth/person_months.csv": "employee_number,month,in_support,hazard_voluntary,driver_tenure,driver_since_promotion,driver_no_growth,driver_overload,driver_weak_manager,driver_pay_below_band,driver_teammate_exit,exited_voluntary",
    "truth/agents.csv": "employee_number,true_skill,zendesk_user_id,intercom_admin_id",
    "truth/stalled.csv": "employee_number,as_of,reason",
}
DATE = r"^\d{4}-\d{2}-\d{2}$"
TIME = r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$"


def _raw(path: Path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if path.suffix == ".gz" else data


@pytest.fixture(params=["small", "sample"])
def root(request: pytest.FixtureRequest) -> Path:
    return request.getfixturevalue("small_dir" if request.param == "small" else "sample_dir")


def test_headers_are_the_contract_byte_for_byte(root: Path):
    for name, header in HEADERS.items():
        raw = _raw(root / name)
        assert raw.split(b"\n", 1)[0].decode("utf-8") == header, name
        assert b"\r" not in raw and raw.endswith(b"\n"), name


def test_helpdesk_files_are_gzip_with_mtime_zero(root: Path):
    for name in ("zendesk/tickets.csv.gz", "intercom/conversations.csv.gz"):
        head = (root / name).read_bytes()[:10]
        assert head[:2] == b"\x1f\x8b" and head[4:8] == b"\x00\x00\x00\x00", name


def test_bamboohr_values_follow_the_conventions(root: Path):
    emp = read(root / "bamboohr/employees.csv")
    assert emp["Employee #"].str.contains(r"^\d+$").all()
    assert emp["Employee #"].n_unique() == emp.height
    for col in ("Hire Date", "Original Hire Date", "Termination Date"):
        assert emp[col].drop_nulls().str.contains(DATE).all(), col
    assert set(emp["Employment Status"]) <= {"Full-Time", "Part-Time", "Terminated"}
    assert set(emp["Status"]) == {"Active", "Inactive"}
    assert set(emp["Remote"]) <= {"Yes", "No"}
    assert set(emp["Gender"].drop_nulls()) <= {"Female", "Male", "Non-binary"}
    assert set(emp["Department"]) == {"Customer Support", "Sales", "Product", "Engineering"}
    names = (emp["First Name"] + " " + emp["Last Name"]).to_list()
    assert len(set(names)) == len(names)
    assert set(emp["Reporting to"].drop_nulls()) <= set(names)
    terminated = emp.filter(pl.col("Employment Status") == "Terminated")
    assert terminated["Termination Date"].null_count() == 0
    assert (
        emp.filter(pl.col("Status") == "Active")["Termination Date"].null_count()
        == emp.filter(pl.col("Status") == "Active").height
    )
    jobs = read(root / "bamboohr/job_information.csv")
    assert set(jobs["Change Reason"]) <= {
        "New Hire",
        "Rehire",
        "Promotion",
        "Lateral Move",
        "Transfer",
        "Manager Change",
        "Reorganization",
    }
    assert set(jobs["Support Tier"].drop_nulls()) <= {"Tier 1", "Tier 2", "Tier 3"}
    assert set(jobs["Reports To"].drop_nulls()) <= set(names)
    status = read(root / "bamboohr/employment_status.csv")
    ended = status.filter(pl.col("Employment Status") == "Terminated")
    assert set(ended["Termination Type"]) <= {"Voluntary", "Involuntary"}
    assert set(ended["Regrettable"]) <= {"Yes", "No"}
    assert (
        status.filter(pl.col("Employment Status") != "Terminated")["Termination Type"].null_count()
        == status.height - ended.height
    )
    comp = read(root / "bamboohr/compensation.csv")
    assert comp["Pay Rate"].str.contains(r"^\d{1,3}(,\d{3})*\.\d{2} USD$").all()
    assert set(comp["Pay Type"]) == {"Salary"} and set(comp["Pay Period"]) == {"Year"}
    assert set(comp["Change Reason"]) <= {"New Hire", "Promotion", "Merit Increase", "Market Adjustment", "Rehire"}
    bands = read(root / "bamboohr/pay_bands.csv")
    assert bands["Minimum"].str.contains(r"^\d+$").all()
    reviews = read(root / "bamboohr/performance_reviews.csv")
    assert reviews["Review Cycle"].str.contains(r"^\d{4} H[12]$").all()
    assert reviews["Overall Rating"].str.contains(r"^[1-5]\.\d$").all()
    assert set(reviews["Performance Improvement Plan"]) <= {"Yes", "No"}
    ratings = read(root / "bamboohr/competency_ratings.csv")
    assert set(ratings["Rating"]) <= {"1", "2", "3", "4", "5"}
    growth = read(root / "bamboohr/growth_activities.csv")
    assert set(growth["Activity Type"]) <= {
        "Mentoring",
        "Onboarding Buddy",
        "Internal Tool",
        "Help Content",
        "Process Owner",
        "Technical Development Programme",
    }


def test_zendesk_values_follow_the_conventions(root: Path):
    t = read(root / "zendesk/tickets.csv.gz")
    assert set(t["Satisfaction Score"]) <= {"Not Offered", "Offered", "Good", "Bad"}
    assert (t["Satisfaction Score"] == "Not Offered").mean() > 0.6
    assert set(t["Status"]) <= {"closed", "solved"}
    assert set(t["Priority"].drop_nulls()) <= {"low", "normal", "high", "urgent"}
    assert set(t["Via"]) <= {
        "Web Form",
        "Email",
        "Chat",
        "Phone call (incoming)",
        "Web Widget",
        "Answer Bot for Web Widget",
    }
    assert set(t["Group"]) <= {"Tier 1 - General", "Tier 2 - Technical", "Tier 3 - Advanced"}
    for col in ("Created at", "Updated at", "Solved at"):
        assert t[col].str.contains(TIME).all(), col
    bot = t["Via"] == "Answer Bot for Web Widget"
    assert t.filter(bot)["Assignee"].null_count() == bot.sum()
    assert t.filter(bot)["Total time spent (sec)"].null_count() == bot.sum()
    assert t.filter(~bot)["Total time spent (sec)"].str.contains(r"^\d+$").all()
    escalated = t.filter(pl.col("Tags").str.contains("escalated"))
    assert escalated.height > 0 and (escalated["Group stations"].cast(pl.Int64) >= 2).all()
    assert set(t["Summation column"]) == {"1"}
    users = json.loads((root / "zendesk/users.json").read_text())
    assert users["count"] == len(users["users"]) and users["next_page"] is None
    assert {"Answer Bot"} <= {u["name"] for u in users["users"]}
    assert set(t["Assignee"].drop_nulls()) <= {u["name"] for u in users["users"]}


def test_intercom_values_follow_the_conventions(root: Path):
    c = read(root / "intercom/conversations.csv.gz")
    assert set(c["Conversation rating"].drop_nulls()) <= {"1", "2", "3", "4", "5"}
    assert c["Conversation rating"].null_count() / c.height > 0.7
    assert set(c["Fin AI Agent involved"]) <= {"true", "false"}
    assert set(c["Fin AI Agent deflected"]) <= {"true", "false"}
    assert set(c["Channel"]) <= {"Chat", "Email", "Phone", "WhatsApp"}
    assert set(c["Team currently assigned"].drop_nulls()) <= {"Tier 1", "Tier 2", "Tier 3"}
    assert set(c["Priority"]) <= {"Priority", "Not priority"}
    assert c["Conversation created at (Europe/Dublin)"].str.contains(TIME).all()
    fin = c["Resolved by"] == "Fin AI Agent"
    assert c.filter(fin)["Teammate currently assigned"].null_count() == fin.sum()
    assert (c.filter(fin)["Fin AI Agent deflected"] == "true").all()
    admins = json.loads((root / "intercom/admins.json").read_text())
    assert admins["type"] == "admin.list"
    bots = [a for a in admins["admins"] if a["type"] == "bot"]
    assert [b["name"] for b in bots] == ["Fin AI Agent"]
    ids = {a["id"] for a in admins["admins"] if a["type"] == "admin"}
    assert set(c["Teammate currently assigned ID"].drop_nulls()) <= ids


def test_qa_reviews_and_settings(root: Path):
    qa = read(root / "canonical/qa_reviews.csv")
    assert set(qa["source_system"]) == {"zendesk", "intercom"}
    assert qa["reviewed_at"].str.contains(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$").all()
    assert qa["score"].cast(pl.Int64).is_between(0, 100).all()
    toml = (root / "tenure.toml").read_text()
    assert 'timezone = "Europe/Dublin"' in toml and "[identity.agents]" in toml
    assert re.search(r'^"[^"]+@mailbox\.example" = "[a-z.]+@acmecloud\.example"$', toml, re.M)


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("bamboohr/employees.csv", ["Employee #"]),
        ("bamboohr/compensation.csv", ["Employee #", "Effective Date"]),
        ("bamboohr/pay_bands.csv", ["Job Title", "Effective Date"]),
        ("bamboohr/growth_activities.csv", ["Employee #", "Start Date", "Activity Type"]),
        ("bamboohr/performance_reviews.csv", ["Employee #", "Review Cycle"]),
        ("bamboohr/competency_ratings.csv", ["Employee #", "Review Cycle", "Competency"]),
        ("zendesk/tickets.csv.gz", ["Id"]),
        ("intercom/conversations.csv.gz", ["Conversation ID"]),
        ("canonical/qa_reviews.csv", ["source_system", "ticket_id", "reviewed_at"]),
        ("truth/person_months.csv", ["employee_number", "month"]),
    ],
)
def test_canonical_keys_are_unique(root: Path, name: str, key: list[str]):
    frame = read(root / name)
    assert frame.height > 0
    assert not frame.select(key).is_duplicated().any(), name
