-- Grain: one row per calendar month (UTC) x tier x handling employee (null for conversations no
-- matched employee handled): conversation counts and sums that the monthly tier and customer
-- reads add up instead of reading every conversation. tier = 'Bot only' for conversations a bot
-- resolved alone, else the conversation's tier ('No tier' when missing), as in metrics.team.
-- first_day and last_day: the row's first and last conversation day (a manager's scope, which
-- changes day by day, takes a row whole when both fall inside one interval of their subtree).
-- A table macro over the rows `src` (a table name), as in staging_ticket_facts.sql.
create or replace temp macro ticket_tier_months(src) as table
with
facts as (
    select
        month,
        created_date,
        case when is_bot_resolved then 'Bot only' else coalesce(tier, 'No tier') end as tier,
        employee_id,
        is_escalated,
        is_bot_resolved,
        is_complex,
        csat_good,
        qa_score
    from query_table(src)
    where month is not null
),

per_cell as (
    select
        month,
        tier,
        employee_id,
        count(*) as n_conversations,
        count(*) filter (where is_escalated) as n_escalated,
        count(*) filter (where is_bot_resolved) as n_bot_resolved,
        count(*) filter (where is_complex) as n_complex,
        count(csat_good) as n_rated,
        count(*) filter (where csat_good) as n_good,
        count(qa_score) as n_qa_tickets,
        sum(qa_score) as total_qa_score,
        min(created_date) as first_day,
        max(created_date) as last_day
    from facts
    group by month, tier, employee_id
)

select * from per_cell;

create or replace table marts_ticket_tier_months as from ticket_tier_months('staging_ticket_facts') order by month, tier, employee_id
