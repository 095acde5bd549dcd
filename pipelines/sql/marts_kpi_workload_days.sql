-- Grain: one row per employee per day on which they had at least one conversation open or new:
-- conversations created that day, complex conversations open at some point of the day (created
-- on or before it, solved on or after it; unsolved ones count until their creation day only),
-- and rated conversations that day with a bad rating. Breathing room: the practice holds 10 to
-- 15 complex issues at once as the sustainable norm.
-- A table macro over marts_kpi_tickets rows `src` (a table name), as in staging_ticket_facts.sql.
create or replace temp macro kpi_workload_days(src) as table
with
tickets_in as (
    select
        employee_id,
        created_date,
        is_complex,
        csat_good,
        cast(created_at + to_microseconds(cast(coalesce(resolution_hours, 0) * 3600000000 as bigint)) as date)
            as solved_date
    from query_table(src)
),

open_complex as (
    select t.employee_id, cast(d.day as date) as day, count(*) as n_open_complex
    from tickets_in as t,
        lateral (select unnest(generate_series(t.created_date, t.solved_date, interval 1 day)) as day) as d
    where t.is_complex
    group by t.employee_id, d.day
),

created as (
    select
        employee_id,
        created_date as day,
        count(*) as n_new,
        count(*) filter (where is_complex) as n_new_complex,
        count(csat_good) as n_rated,
        count(*) filter (where csat_good = false) as n_bad_ratings
    from tickets_in
    group by employee_id, created_date
),

days as (
    select
        coalesce(c.employee_id, o.employee_id) as employee_id,
        coalesce(c.day, o.day) as day,
        coalesce(c.n_new, 0) as n_new,
        coalesce(c.n_new_complex, 0) as n_new_complex,
        coalesce(o.n_open_complex, 0) as n_open_complex,
        coalesce(c.n_rated, 0) as n_rated,
        coalesce(c.n_bad_ratings, 0) as n_bad_ratings
    from created as c
    full join open_complex as o on o.employee_id = c.employee_id and o.day = c.day
),

with_week as (
    select *, cast(date_trunc('week', day) as date) as week from days
)

select * from with_week;

create or replace table marts_kpi_workload_days as from kpi_workload_days('marts_kpi_tickets')
