-- Incremental refresh of marts_kpi_tickets: the rows of tickets whose facts changed
-- (_stf_keys) and of every ticket of a person whose employed states changed (_old_states: the
-- states before) are recomputed. _kt_old and _kt_new keep the replaced and the new rows for the
-- workload refresh.
create or replace temp table _kt_keys as
with
changed_people as (
    select distinct employee_id from (
        (select employee_id, valid_from, valid_to, team, tier from _old_states
         except select employee_id, valid_from, valid_to, team, tier from staging_job_states where is_employed)
        union all
        (select employee_id, valid_from, valid_to, team, tier from staging_job_states where is_employed
         except select employee_id, valid_from, valid_to, team, tier from _old_states)
    )
)

select source_system, ticket_id from _stf_keys
union
select f.source_system, f.ticket_id from staging_ticket_facts as f
semi join changed_people as p on p.employee_id = f.employee_id;

create or replace temp table _kt_old as
select k.* from marts_kpi_tickets as k
semi join _kt_keys as d on d.source_system = k.source_system and d.ticket_id = k.ticket_id;

create or replace temp table _delta_facts as
select f.* from staging_ticket_facts as f
semi join _kt_keys as d on d.source_system = f.source_system and d.ticket_id = f.ticket_id;

create or replace temp table _kt_new as from kpi_tickets('_delta_facts');

delete from marts_kpi_tickets as k
using _kt_keys as d
where k.source_system = d.source_system and k.ticket_id = d.ticket_id;

insert into marts_kpi_tickets by name from _kt_new;
