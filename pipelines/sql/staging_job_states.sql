-- Grain: one row per person per interval of unchanged job state (the state at the end of each
-- day with events, valid until the day before the next such day). Changes on one day collapse
-- into the day's final state, so a promotion on the hire date is the role the person starts in.
create or replace table staging_job_states as
with
events as (
    select * from staging_job_events
),

-- The last event of each person-day decides the state; an exit that day is remembered apart.
day_last as (
    select *
    from events
    qualify row_number() over (partition by employee_id, effective_date order by event_seq desc) = 1
),

day_exit as (
    select
        employee_id,
        effective_date,
        arg_max(exit_type, event_seq) as exit_type,
        arg_max(exit_reason, event_seq) as exit_reason,
        arg_max(is_regretted, event_seq) as is_regretted,
        arg_max(exit_destination, event_seq) as exit_destination
    from events
    where event_kind = 'exit'
    group by employee_id, effective_date
),

day_hire as (
    -- a hire and an exit can fall on one day (a one-day spell): remember the hire's department
    select employee_id, effective_date, bool_or(is_support_after) as hire_is_support
    from events
    where event_kind = 'hire'
    group by employee_id, effective_date
),

states as (
    select
        d.employee_id,
        d.effective_date as valid_from,
        cast(lead(d.effective_date) over (partition by d.employee_id order by d.effective_date)
             - interval 1 day as date) as valid_to,
        d.event_kind,
        h.employee_id is not null as has_hire,
        coalesce(h.hire_is_support, false) as hire_is_support,
        d.change_reason,
        d.title,
        d.department,
        d.team,
        d.tier,
        d.manager_id,
        d.location,
        d.track,
        d.level,
        d.expected_months,
        d.max_months,
        d.is_employed_after as is_employed,
        d.is_support_after as is_support,
        x.exit_type,
        x.exit_reason,
        x.is_regretted,
        x.exit_destination
    from day_last as d
    left join day_exit as x using (employee_id, effective_date)
    left join day_hire as h using (employee_id, effective_date)
),

-- An exit is the last day worked: that day is still employed (and in support if they were),
-- so the exit state covers only the exit day itself and "not employed" starts the next day.
with_prev as (
    select
        *,
        -- before an exit: the previous state, or the hire on the same day for a one-day spell
        coalesce(lag(is_support) over (partition by employee_id order by valid_from), false)
            or (has_hire and hire_is_support) as was_support,
        coalesce(lag(is_employed) over (partition by employee_id order by valid_from), false)
            or has_hire as was_employed
    from states
),

expanded as (
    -- ordinary states, exit states become the exit day (in the previous role) ...
    select
        employee_id,
        valid_from,
        case when event_kind = 'exit' then valid_from else valid_to end as valid_to,
        event_kind,
        has_hire,
        change_reason,
        title, department, team, tier, manager_id, location, track, level, expected_months, max_months,
        case when event_kind = 'exit' then was_employed else is_employed end as is_employed,
        case when event_kind = 'exit' then was_support else is_support end as is_support,
        exit_type, exit_reason, is_regretted, exit_destination,
        event_kind = 'exit' and was_employed as is_exit_day
    from with_prev
    union all
    -- ... followed by a not-employed state from the next day on
    select
        employee_id,
        cast(valid_from + interval 1 day as date) as valid_from,
        valid_to,
        'after_exit' as event_kind,
        false as has_hire,
        null as change_reason,
        title, department, team, tier, manager_id, location, track, level, expected_months, max_months,
        false as is_employed,
        false as is_support,
        null as exit_type, null as exit_reason, null as is_regretted, null as exit_destination,
        false as is_exit_day
    from with_prev
    where event_kind = 'exit' and (valid_to is null or valid_to > valid_from)
)

select * from expanded
