-- Grain: one row: the first and the latest date with data (job events or conversations).
-- data_end_date is the default as_of of every metric.
create or replace table marts_data_dates as
with
event_dates as (
    select min(effective_date) as first_date, max(effective_date) as last_date from job_events
),

ticket_dates as (
    select min(created_date) as first_date, max(created_date) as last_date from staging_ticket_facts
),

final as (
    select
        least(e.first_date, coalesce(t.first_date, e.first_date)) as data_start_date,
        greatest(e.last_date, coalesce(t.last_date, e.last_date)) as data_end_date
    from event_dates as e, ticket_dates as t
)

select * from final
