-- Incremental refresh of staging_ticket_facts (run by run_models(incremental=True) after the
-- ticket_facts macro is defined): the rows of changed tickets are replaced, every other row is
-- exactly what a full build would write. A ticket changed when a new run exported it or one of its
-- QA reviews (_changed_tickets, filled while merging), when the employee its agent matches changed
-- (_old_identity: identity_map before), or when its category's complexity flag changed
-- (_old_categories: staging_ticket_categories before).
create or replace temp table _stf_keys as
with
changed_agents as (
    select distinct source_system, agent_id from (
        (select source_system, agent_id, employee_id from _old_identity
         except select source_system, agent_id, employee_id from identity_map)
        union all
        (select source_system, agent_id, employee_id from identity_map
         except select source_system, agent_id, employee_id from _old_identity)
    )
),

changed_categories as (
    select distinct category from (
        (select category, is_complex_category from _old_categories
         except select category, is_complex_category from staging_ticket_categories)
        union all
        (select category, is_complex_category from staging_ticket_categories
         except select category, is_complex_category from _old_categories)
    )
)

select distinct source_system, ticket_id from (
    select source_system, ticket_id from _changed_tickets
    union all
    select t.source_system, t.ticket_id from tickets as t
    semi join changed_agents as a on a.source_system = t.source_system and a.agent_id = t.agent_id
    union all
    select t.source_system, t.ticket_id from tickets as t
    semi join changed_categories as c on c.category = t.category
);

create or replace temp table _delta_tickets as
select t.* from tickets as t
semi join _stf_keys as k on k.source_system = t.source_system and k.ticket_id = t.ticket_id;

-- the months whose conversations changed (before and after), for the monthly conversation marts
create or replace temp table _stf_months as
select distinct f.month from staging_ticket_facts as f
semi join _stf_keys as k on k.source_system = f.source_system and k.ticket_id = f.ticket_id;

delete from staging_ticket_facts as f
using _stf_keys as k
where f.source_system = k.source_system and f.ticket_id = k.ticket_id;

insert into staging_ticket_facts by name from ticket_facts('_delta_tickets');

insert into _stf_months
select distinct cast(date_trunc('month', cast(timezone('UTC', created_at) as date)) as date) from _delta_tickets;

-- every conversation of those months, once, for the monthly marts' refreshes
create or replace temp table _delta_month_facts as
select f.* from staging_ticket_facts as f
semi join _stf_months as m on m.month is not distinct from f.month;
