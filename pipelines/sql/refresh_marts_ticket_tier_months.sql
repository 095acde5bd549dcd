-- Incremental refresh of marts_ticket_tier_months: the months with changed conversations
-- (_stf_months, before and after the change) are recomputed from all of their conversations
-- (_delta_month_facts, from refresh_staging_ticket_facts.sql).
delete from marts_ticket_tier_months as t
using _stf_months as m
where t.month is not distinct from m.month;

insert into marts_ticket_tier_months by name from ticket_tier_months('_delta_month_facts');
