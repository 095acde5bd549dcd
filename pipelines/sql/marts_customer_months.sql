-- Grain: one row per calendar month (UTC) over every conversation: volume, the share resolved
-- without a human (bot share), the share reaching a human, CSAT good share, escalations.
-- A table macro over staging_ticket_facts rows `src` (a table name), as in staging_ticket_facts.sql.
create or replace temp macro customer_months(src) as table
with
facts as (
    select * from query_table(src)
),

per_month as (
    select
        month,
        count(*) as n_conversations,
        count(*) filter (where is_bot_resolved) as n_bot_resolved,
        count(*) filter (where not is_bot_resolved) as n_human,
        count(csat_good) as n_rated,
        count(*) filter (where csat_good) as n_good,
        count(*) filter (where is_escalated) as n_escalated
    from facts
    group by month
),

final as (
    select
        *,
        n_bot_resolved / n_conversations as bot_share,
        case when n_rated > 0 then n_good / n_rated end as csat_good_share
    from per_month
)

select * from final;

create or replace table marts_customer_months as from customer_months('staging_ticket_facts')
