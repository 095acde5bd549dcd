-- Grain: one row per conversation / ticket, with the handling employee (via identity_map), the
-- UTC date and month it was created, the complexity flag and its mean QA score (with the ticket
-- times and segment, so that the marts below never join the 20M-row tickets table again). Complex: the
-- conversation's category takes longer to handle than the typical human conversation (category
-- median handle time above the median of all human-handled conversations); for conversations
-- without a category or without handle times: escalated, high/urgent priority, or above the first tier.
-- The rows are a table macro over the ticket rows `src` (a table name): a full build reads every
-- ticket, an incremental refresh only the changed ones (refresh_staging_ticket_facts.sql).
create or replace temp macro ticket_facts(src) as table
with
identities as (
    select distinct source_system, agent_id, employee_id from identity_map
),

tiers as (
    select * from settings_tiers
),

categories as (
    select * from staging_ticket_categories
),

qa as (
    select source_system, ticket_id, avg(score) as qa_score, count(*) as n_qa
    from qa_reviews
    group by source_system, ticket_id
),

facts as (
    select
        t.source_system,
        t.ticket_id,
        i.employee_id,
        t.agent_id,
        t.created_at,
        t.solved_at,
        t.customer_segment,
        cast(timezone('UTC', t.created_at) as date) as created_date,
        cast(date_trunc('month', cast(timezone('UTC', t.created_at) as date)) as date) as month,
        t.tier,
        t.channel,
        t.category,
        t.priority,
        t.handle_seconds,
        t.reopens,
        coalesce(t.is_bot_involved, false) as is_bot_involved,
        coalesce(t.is_bot_resolved, false) as is_bot_resolved,
        coalesce(t.is_escalated, false) as is_escalated,
        t.csat_good,
        coalesce(
            c.is_complex_category,
            coalesce(t.is_escalated, false)
                or coalesce(lower(t.priority) in ('high', 'urgent'), false)
                or coalesce(tr.tier_rank > 1, false)
        ) as is_complex,
        qa.qa_score,
        coalesce(qa.n_qa, 0) as n_qa
    from query_table(src) as t
    left join identities as i on i.source_system = t.source_system and i.agent_id = t.agent_id
    left join tiers as tr on tr.tier_key = lower(trim(t.tier))
    left join categories as c on c.category = t.category
    left join qa on qa.source_system = t.source_system and qa.ticket_id = t.ticket_id
)

select * from facts;

create or replace table staging_ticket_facts as from ticket_facts('tickets')
