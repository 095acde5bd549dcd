-- Grain: one row per UTC day x ticket cell (category x tier x channel) over the conversations of
-- marts_kpi_tickets: the counts and totals of each KPI (handle time, hours to resolution, CSAT
-- good) that the mix-shift read adds up over a window, and the people who handled the cell that
-- day (a lower bound of the window's people in the cell).
-- A table macro over the rows `src` (a table name), as in staging_ticket_facts.sql.
create or replace temp macro kpi_mix_days(src) as table
with
facts as (
    select created_date, category, tier, channel, employee_id, handle_seconds, resolution_hours, csat_good
    from query_table(src)
    where created_date is not null
),

per_cell as (
    select
        created_date as day,
        category,
        tier,
        channel,
        count(handle_seconds) as n_handle_time,
        sum(handle_seconds) as total_handle_time,
        count(resolution_hours) as n_resolution_time,
        sum(resolution_hours) as total_resolution_time,
        count(csat_good) as n_csat,
        sum(cast(csat_good as integer)) as total_csat,
        count(distinct employee_id) as n_people
    from facts
    group by created_date, category, tier, channel
)

select * from per_cell;

create or replace table marts_kpi_mix_days as from kpi_mix_days('marts_kpi_tickets') order by day, category, tier, channel
