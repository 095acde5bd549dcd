-- Grain: one row per employee per calendar week (weeks start on Monday) of marts_kpi_workload_days:
-- the week's days with conversations open or new, the sum and the peak of complex conversations
-- open on those days, and the week's new complex, rated and badly rated conversations. The
-- workload read adds whole weeks up from here and reads only the partial weeks at a window's
-- edges from the days.
-- A table macro over the rows `src` (a table name), as in staging_ticket_facts.sql.
create or replace temp macro kpi_workload_weeks(src) as table
with
days as (
    select employee_id, week, n_open_complex, n_new_complex, n_rated, n_bad_ratings
    from query_table(src)
),

per_week as (
    select
        employee_id,
        week,
        count(*) as n_days,
        cast(sum(n_open_complex) as bigint) as total_open_complex,
        max(n_open_complex) as peak_open_complex,
        cast(sum(n_new_complex) as bigint) as n_new_complex,
        cast(sum(n_rated) as bigint) as n_rated,
        cast(sum(n_bad_ratings) as bigint) as n_bad_ratings
    from days
    group by employee_id, week
)

select * from per_week;

create or replace table marts_kpi_workload_weeks as from kpi_workload_weeks('marts_kpi_workload_days') order by week, employee_id
