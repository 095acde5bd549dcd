-- Incremental refresh of marts_kpi_workload_days: for each person with a replaced or new KPI
-- ticket (_kt_old, _kt_new), the days from the first such ticket's creation to the last one's
-- solution are recomputed from every ticket of theirs created by the range's end and solved after
-- its start: exactly the tickets a full build counts on those days (conversations without a
-- creation time count on a day of their own, null).
create or replace temp table _wd_ranges as
with
touched as (
    select employee_id, created_date, created_at, resolution_hours from _kt_old
    union all
    select employee_id, created_date, created_at, resolution_hours from _kt_new
)

select
    employee_id,
    bool_or(created_date is null) as has_undated,
    min(created_date) as first_day,
    max(greatest(
        created_date,
        cast(created_at + to_microseconds(cast(coalesce(resolution_hours, 0) * 3600000000 as bigint)) as date)
    )) as last_day
from touched
group by employee_id;

create or replace temp table _delta_kpi_tickets as
select k.* from marts_kpi_tickets as k
join _wd_ranges as r on r.employee_id = k.employee_id
where (
    k.created_date <= r.last_day
    and greatest(
        k.created_date,
        cast(k.created_at + to_microseconds(cast(coalesce(k.resolution_hours, 0) * 3600000000 as bigint)) as date)
    ) >= r.first_day
) or (k.created_date is null and r.has_undated);

delete from marts_kpi_workload_days as w
using _wd_ranges as r
where w.employee_id = r.employee_id
  and (w.day between r.first_day and r.last_day or (w.day is null and r.has_undated));

insert into marts_kpi_workload_days by name
select w.* from kpi_workload_days('_delta_kpi_tickets') as w
join _wd_ranges as r
    on r.employee_id = w.employee_id
    and (w.day between r.first_day and r.last_day or (w.day is null and r.has_undated));
