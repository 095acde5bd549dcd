-- Incremental refresh of marts_kpi_mix_days: the days with a replaced or new KPI conversation
-- (_kt_old, _kt_new) are recomputed from all of their conversations.
create or replace temp table _mix_days as
select created_date as day from _kt_old
union
select created_date as day from _kt_new;

create or replace temp table _delta_mix_tickets as
select k.* from marts_kpi_tickets as k
semi join _mix_days as d on d.day = k.created_date;

delete from marts_kpi_mix_days as m
using _mix_days as d
where m.day = d.day;

insert into marts_kpi_mix_days by name from kpi_mix_days('_delta_mix_tickets');
