-- Incremental refresh of marts_kpi_workload_weeks: per person, the weeks holding the days the
-- workload refresh recomputed (_wd_ranges) are summed again from all of their days.
create or replace temp table _wd_weeks as
select
    employee_id,
    has_undated,
    cast(date_trunc('week', first_day) as date) as first_week,
    cast(date_trunc('week', last_day) as date) as last_week
from _wd_ranges;

create or replace temp table _delta_workload_days as
select w.* from marts_kpi_workload_days as w
join _wd_weeks as r
    on r.employee_id = w.employee_id
    and (w.week between r.first_week and r.last_week or (w.week is null and r.has_undated));

delete from marts_kpi_workload_weeks as w
using _wd_weeks as r
where w.employee_id = r.employee_id
  and (w.week between r.first_week and r.last_week or (w.week is null and r.has_undated));

insert into marts_kpi_workload_weeks by name from kpi_workload_weeks('_delta_workload_days');
