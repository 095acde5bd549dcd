from datetime import UTC, datetime

from tests.pipelines.sources.helpers import rows

UTC = UTC


def test_intercom_conversations_with_zone_in_header(org):
    files, con = org
    f = files["conversations.csv.gz"]
    assert (f.format, f.rows_read, f.rows_loaded, f.rows_rejected) == ("intercom.conversations_csv", 4, 3, 1)
    t = rows(
        con,
        """select ticket_id, agent_id, tier, channel, priority, created_at, first_reply_at, solved_at,
                     is_bot_involved, is_bot_resolved, is_escalated, csat_raw, csat_good
                     from tickets where source_system = 'intercom' order by ticket_id""",
    )
    assert t[0] == (
        "9001",
        "5012345",
        "Tier 1",
        "chat",
        "normal",
        datetime(2024, 11, 20, 9, tzinfo=UTC),
        datetime(2024, 11, 20, 9, 2, tzinfo=UTC),
        datetime(2024, 11, 20, 9, 30, tzinfo=UTC),
        True,
        False,
        False,
        "5",
        True,
    )
    assert (
        t[1][4] == "high" and t[1][5] == datetime(2025, 7, 1, 8, tzinfo=UTC) and t[1][10] is True and t[1][12] is False
    )
    assert t[2][1] is None and t[2][3] == "messaging" and t[2][8:10] == (True, True)


def test_intercom_admins_mark_fin_as_bot(org):
    _, con = org
    assert rows(con, "select agent_id from helpdesk_agents where source_system = 'intercom' and is_bot") == [
        ("5099999",)
    ]
