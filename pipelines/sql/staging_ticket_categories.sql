-- Grain: one row per ticket category handled by people: whether it is complex (its median handle
-- time is above the median of all human-handled conversations). Read by staging_ticket_facts; kept
-- as a table so that an incremental refresh can tell which categories changed their flag.
create or replace table staging_ticket_categories as
with
human_median as (
    select median(handle_seconds) as median_handle_seconds
    from tickets
    where not coalesce(is_bot_resolved, false) and handle_seconds is not null
),

categories as (
    select
        t.category,
        median(t.handle_seconds) > any_value(h.median_handle_seconds) as is_complex_category
    from tickets as t
    cross join human_median as h
    where not coalesce(t.is_bot_resolved, false) and t.handle_seconds is not null and t.category is not null
    group by t.category
)

select * from categories
