-- Grain: one row per rated conversation (CSAT given) of marts_kpi_tickets: its agent, creation
-- date, whether the rating was bad, and how many of the agent's rated conversations up to it (by
-- creation time, then ticket id) were rated good. Consecutive bad ratings share that count, in
-- the whole history and in any window of dates, so a window's runs of bad ratings are its bad
-- ones grouped by agent and count, without ordering the window again.
-- A table macro over the rows `src` (a table name), as in staging_ticket_facts.sql.
create or replace temp macro kpi_rated_tickets(src) as table
with
rated as (
    select employee_id, created_at, ticket_id, created_date, csat_good
    from query_table(src)
    where csat_good is not null
),

counted as (
    select
        employee_id,
        created_date,
        csat_good = false as is_bad,
        cast(
            sum(case when csat_good then 1 else 0 end) over (
                partition by employee_id order by created_at, ticket_id rows between unbounded preceding and current row
            ) as bigint
        ) as n_good_so_far
    from rated
)

select * from counted;

create or replace table marts_kpi_rated_tickets as from kpi_rated_tickets('marts_kpi_tickets') order by created_date, employee_id
