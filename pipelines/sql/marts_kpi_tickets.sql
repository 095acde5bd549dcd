-- Grain: one row per conversation handled by a matched employee (not resolved by a bot alone),
-- with the ticket features outside the agent's control (tier, channel, category, priority,
-- segment, bot hand-off, escalation, UTC hour and weekday, helpdesk), the outcomes the KPI
-- expectation models explain (handle time, hours to resolution, reopened, CSAT good) and the
-- agent's team and tier on the day. Reopened is null where the helpdesk does not export reopens.
-- A table macro over staging_ticket_facts rows `src` (a table name), as in staging_ticket_facts.sql.
create or replace temp macro kpi_tickets(src) as table
with
facts as (
    select * from query_table(src)
    where employee_id is not null and not is_bot_resolved
),

states as (
    select employee_id, valid_from, valid_to, team, tier
    from staging_job_states
    where is_employed
),

joined as (
    select
        f.source_system,
        f.ticket_id,
        f.employee_id,
        f.created_at,
        f.created_date,
        f.month,
        cast(date_trunc('quarter', f.created_date) as date) as quarter,
        cast(extract('hour' from timezone('UTC', f.created_at)) as integer) as created_hour,
        cast(isodow(f.created_date) as integer) as created_weekday,
        coalesce(f.tier, 'unknown') as tier,
        coalesce(f.channel, 'unknown') as channel,
        coalesce(f.category, 'unknown') as category,
        coalesce(lower(f.priority), 'unknown') as priority,
        coalesce(f.customer_segment, 'unknown') as customer_segment,
        f.is_bot_involved,
        f.is_escalated,
        f.is_complex,
        f.handle_seconds,
        case
            when f.solved_at is not null and f.solved_at >= f.created_at
                then epoch(f.solved_at - f.created_at) / 3600.0
        end as resolution_hours,
        case when f.reopens is not null then f.reopens > 0 end as is_reopened,
        f.csat_good,
        f.qa_score
    from facts as f
),

-- The agent's team and tier on the day: the employed state covering it. staging_job_states holds one
-- state per person and interval, the intervals never overlap, so at most one state matches a day.
with_team as (
    select
        j.*,
        s.team as agent_team,
        s.tier as agent_tier
    from joined as j
    left join states as s
        on s.employee_id = j.employee_id
        and s.valid_from <= j.created_date
        and (s.valid_to is null or s.valid_to >= j.created_date)
)

select * from with_team;

create or replace table marts_kpi_tickets as from kpi_tickets('staging_ticket_facts')
