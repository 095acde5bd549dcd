from datetime import UTC, datetime

from tests.pipelines.sources.helpers import ingest_one


def test_freshdesk_recomputes_empty_durations_from_timestamps(tmp_path):
    f, rows = ingest_one(tmp_path, "freshdesk_tickets.csv", '[sources.freshdesk]\ntimezone = "UTC"\n')
    assert (f.format, f.rows_read, f.rows_loaded, f.rows_rejected) == ("freshdesk.tickets", 2, 2, 0)
    t = rows.sort("ticket_id").to_dicts()
    assert t[0]["first_reply_at"] == datetime(2024, 2, 1, 9, 30, tzinfo=UTC)  # from Initial response time
    assert t[0]["solved_at"] == datetime(2024, 2, 1, 11, tzinfo=UTC)
    assert (t[0]["channel"], t[0]["priority"], t[0]["handle_seconds"], t[0]["csat_good"]) == (
        "email",
        "normal",
        1200.0,
        True,
    )
    # no Initial response / Resolved / Closed timestamps: the HH:MM:SS durations fill in
    assert t[1]["first_reply_at"] is None and t[1]["solved_at"] == datetime(2024, 2, 3, 15, tzinfo=UTC)
    assert (t[1]["tier"], t[1]["is_escalated"], t[1]["csat_good"], t[1]["handle_seconds"]) == (
        "Tier 2",
        True,
        False,
        3900.0,
    )
    assert t[1]["agent_id"] == "Bo Agent"
