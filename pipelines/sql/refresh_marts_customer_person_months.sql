-- Incremental refresh of marts_customer_person_months: the months with changed conversations (_stf_months,
-- before and after the change; conversations without a creation time are a month of their own) are recomputed from all of their conversations
-- (_delta_month_facts, from refresh_staging_ticket_facts.sql).
delete from marts_customer_person_months as t
using _stf_months as m
where t.month is not distinct from m.month;

insert into marts_customer_person_months by name from customer_person_months('_delta_month_facts');
