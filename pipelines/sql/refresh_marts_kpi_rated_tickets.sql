-- Incremental refresh of marts_kpi_rated_tickets: every rated conversation of a person with a
-- replaced or new KPI conversation (_kt_old, _kt_new) is counted again (the running count of good
-- ratings runs over the person's whole history).
create or replace temp table _rated_people as
select employee_id from _kt_old
union
select employee_id from _kt_new;

create or replace temp table _delta_rated_tickets as
select k.* from marts_kpi_tickets as k
semi join _rated_people as p on p.employee_id = k.employee_id;

delete from marts_kpi_rated_tickets as r
using _rated_people as p
where r.employee_id = p.employee_id;

insert into marts_kpi_rated_tickets by name from kpi_rated_tickets('_delta_rated_tickets');
