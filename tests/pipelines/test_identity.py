import polars as pl

from pipelines.identity import match_agents


def test_email_then_mapping_bots_apart_unmatched_with_ticket_counts():
    agents = pl.DataFrame(
        {
            "source_system": ["zendesk"] * 4,
            "agent_id": ["1", "2", "3", "4"],
            "email": [" Ann@Acme.example", "bo@gmail.example", "bot@zendesk.example", "cy@else.example"],
            "is_bot": [False, False, True, False],
        }
    )
    employees = pl.DataFrame({"employee_id": ["E1", "E2"], "work_email": ["ann@acme.example", "bo@acme.example"]})
    tickets = pl.DataFrame({"source_system": ["zendesk"] * 5, "agent_id": ["1", "4", "4", "3", "9"]})
    identity, unmatched = match_agents(agents, employees, tickets, {"bo@gmail.example": "bo@acme.example"})
    assert identity.rows() == [("zendesk", "1", "E1", "email"), ("zendesk", "2", "E2", "mapping")]
    assert unmatched.rows() == [("zendesk", "4", 2), ("zendesk", "9", 1)]
