-- Grain: one row per support spell: a continuous stretch of days a person works in a support
-- department. A rehire starts a new spell; a transfer out of support ends one; a transfer back
-- starts another. end_date is the last day in support (null while the spell is open).
create or replace table marts_support_spells as
with
states as (
    select * from staging_job_states
),

islands as (
    select
        *,
        sum(case when is_support is distinct from prev_support then 1 else 0 end)
            over (partition by employee_id order by valid_from, event_kind = 'after_exit'
                  rows between unbounded preceding and current row) as island
    from (
        select
            *,
            lag(is_support) over (partition by employee_id order by valid_from, event_kind = 'after_exit') as prev_support,
            bool_or(is_employed) over (partition by employee_id order by valid_from, event_kind = 'after_exit'
                                       rows between unbounded preceding and 1 preceding) as was_ever_employed
        from states
    )
),

support_islands as (
    select
        employee_id,
        island,
        min(valid_from) as start_date,
        case when bool_or(valid_to is null) then null else max(valid_to) end as end_date,
        arg_min(has_hire, valid_from) as starts_with_hire,
        arg_min(coalesce(was_ever_employed, false), valid_from) as was_employed_before,
        arg_min(title, valid_from) as start_title,
        arg_min(track, valid_from) as start_track,
        arg_min(level, valid_from) as start_level,
        arg_min(team, valid_from) as start_team,
        arg_min(tier, valid_from) as start_tier,
        arg_min(manager_id, valid_from) as start_manager_id,
        arg_min(location, valid_from) as start_location,
        arg_max(title, valid_from) as end_title,
        arg_max(track, valid_from) as end_track,
        arg_max(level, valid_from) as end_level,
        arg_max(team, valid_from) as end_team,
        arg_max(tier, valid_from) as end_tier,
        arg_max(manager_id, valid_from) as end_manager_id,
        arg_max(location, valid_from) as end_location,
        arg_max(is_exit_day, valid_from) as ends_with_exit,
        arg_max(exit_type, valid_from) as exit_type,
        arg_max(exit_reason, valid_from) as exit_reason,
        arg_max(is_regretted, valid_from) as exit_is_regretted,
        arg_max(exit_destination, valid_from) as exit_destination
    from islands
    where is_support
    group by employee_id, island
),

next_state as (
    -- the first state after a support island: another department means a transfer out
    select employee_id, island, arg_min(department, valid_from) as next_department,
           arg_min(is_employed, valid_from) as next_employed
    from islands
    group by employee_id, island
),

spells as (
    select
        s.employee_id,
        row_number() over (partition by s.employee_id order by s.start_date) as spell_no,
        s.start_date,
        s.end_date,
        case
            when s.starts_with_hire and s.was_employed_before then 'rehire'
            when s.starts_with_hire then 'hire'
            else 'transfer_in'
        end as start_kind,
        case
            when s.end_date is null then null
            when s.ends_with_exit then coalesce(s.exit_type, 'unknown')
            else 'transfer_out'
        end as end_kind,
        case when s.end_date is not null and s.ends_with_exit then coalesce(s.exit_is_regretted, false) end
            as is_regretted,
        case
            when s.end_date is null then null
            when s.ends_with_exit then s.exit_destination
            else n.next_department
        end as exit_destination,
        case when s.ends_with_exit then s.exit_reason end as exit_reason,
        s.start_title, s.start_track, s.start_level, s.start_team, s.start_tier, s.start_manager_id, s.start_location,
        s.end_title, s.end_track, s.end_level, s.end_team, s.end_tier, s.end_manager_id, s.end_location
    from support_islands as s
    left join next_state as n on n.employee_id = s.employee_id and n.island = s.island + 1
),

final as (
    select
        employee_id || '#' || spell_no as spell_id,
        *,
        year(start_date) as hire_cohort
    from spells
)

select * from final
