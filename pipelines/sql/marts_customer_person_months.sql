-- Grain: one row per employee per calendar month (UTC) with at least one conversation handled:
-- tickets, complex share, CSAT good share of rated conversations, bot involvement, handle time, QA.
-- A table macro over staging_ticket_facts rows `src` (a table name), as in staging_ticket_facts.sql.
create or replace temp macro customer_person_months(src) as table
with
facts as (
    select * from query_table(src) where employee_id is not null
),

per_month as (
    select
        employee_id,
        month,
        count(*) as n_tickets,
        count(*) filter (where is_complex) as n_complex,
        count(csat_good) as n_rated,
        count(*) filter (where csat_good) as n_good,
        count(*) filter (where is_bot_involved) as n_bot_involved,
        count(*) filter (where is_escalated) as n_escalated,
        avg(handle_seconds) as mean_handle_seconds,
        cast(sum(n_qa) as bigint) as n_qa,
        avg(qa_score) as qa_mean_score
    from facts
    group by employee_id, month
),

final as (
    select
        *,
        n_complex / n_tickets as complex_ticket_share,
        case when n_rated > 0 then n_good / n_rated end as csat_good_share,
        n_bot_involved / n_tickets as bot_involved_share
    from per_month
)

select * from final;

create or replace table marts_customer_person_months as from customer_person_months('staging_ticket_facts')
