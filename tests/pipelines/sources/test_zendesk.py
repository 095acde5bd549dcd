from datetime import UTC, datetime

from tests.pipelines.sources.helpers import rows

UTC = UTC


def test_zendesk_csv_tickets(org):
    files, con = org
    f = files["tickets.csv.gz"]
    assert (f.format, f.rows_read, f.rows_loaded, f.rows_rejected) == ("zendesk.tickets_csv", 6, 4, 2)
    t = rows(
        con,
        """select ticket_id, agent_id, tier, channel, priority, created_at, first_reply_at, handle_seconds,
                     is_bot_involved, is_bot_resolved, is_escalated, csat_raw, csat_good
                     from tickets where source_system = 'zendesk' order by ticket_id""",
    )
    assert t[0] == (
        "101",
        "3600001",
        "Tier 1",
        "email",
        "normal",
        datetime(2023, 1, 9, 9, tzinfo=UTC),
        datetime(2023, 1, 9, 9, 15, tzinfo=UTC),
        600.0,
        False,
        False,
        False,
        "Good",
        True,
    )
    # Europe/Dublin summer time: 09:00 local is 08:00 UTC; "1,200" seconds has a thousands separator
    assert (
        t[1][5] == datetime(2023, 7, 3, 8, tzinfo=UTC) and t[1][7] == 1200.0 and t[1][10] is True and t[1][12] is False
    )
    assert t[2][1] is None and t[2][8:10] == (True, True)  # Answer Bot resolved
    assert t[3][0] == "106" and t[3][8:10] == (True, False)  # handed off by the bot
    reasons = rows(con, "select line, reason from rejected_rows where file like '%tickets.csv.gz' order by line")
    assert reasons[0] == (
        5,
        "the ticket is solved before it was created (also Solved at: the first reply is after the ticket was solved)",
    )
    assert reasons[1][0] == 6 and reasons[1][1].startswith("assignee not found in the Zendesk users export")


def test_zendesk_users_and_bots(org):
    _, con = org
    got = rows(con, "select agent_id, email, is_bot from helpdesk_agents where source_system = 'zendesk' order by 1")
    assert got[0] == ("3600001", "aoife.walsh@acmecloud.example", False)
    assert got[2] == ("3600003", "answerbot@zendesk.example", True)


def test_zendesk_incremental_json_with_metric_sets(tmp_path):
    from tests.pipelines.sources.helpers import ingest_one

    f, rows = ingest_one(tmp_path, "zendesk_incremental.json")
    assert (f.format, f.rows_loaded, f.rows_rejected) == ("zendesk.tickets_json", 2, 0)
    t = rows.sort("ticket_id").to_dicts()
    assert t[0]["first_reply_at"] == datetime(2024, 5, 1, 8, 45, tzinfo=UTC)
    assert (t[0]["replies"], t[0]["reopens"], t[0]["is_escalated"], t[0]["csat_good"], t[0]["priority"]) == (
        3,
        1,
        True,
        True,
        "high",
    )
    assert t[0]["solved_at"] == datetime(2024, 5, 1, 10, tzinfo=UTC)
    assert (t[1]["agent_id"], t[1]["is_bot_resolved"], t[1]["csat_good"]) == (None, True, None)
