-- Grain: one row per person per dated job event (hire | job | exit), with attributes filled
-- forward from the last full snapshot, the ladder role joined and support membership flagged.
create or replace table staging_job_events as
with
recorded as (
    select * from job_events
),

-- HR systems that export a flat employee list (Personio, Workday, HiBob) have no job history:
-- for a person without any job event, the employee record stands in for a hire on hire_date
-- (in their current or last role) and, when they left, an exit on exit_date. Such an export
-- shows only the latest spell, so earlier spells of rehires are unknown.
flat_people as (
    select *
    from employees
    where employee_id not in (select employee_id from recorded)
      and coalesce(hire_date, original_hire_date) is not null
),

derived as (
    select
        employee_id,
        coalesce(hire_date, original_hire_date) as effective_date,
        0 as event_seq,
        'hire' as event_kind,
        title, department, team, tier, manager_id, location,
        'Hire (from the employee record)' as change_reason,
        cast(null as varchar) as exit_type,
        cast(null as varchar) as exit_reason,
        cast(null as boolean) as is_regretted,
        cast(null as varchar) as exit_destination
    from flat_people
    union all
    select
        employee_id,
        exit_date as effective_date,
        case when exit_date = coalesce(hire_date, original_hire_date) then 1 else 0 end as event_seq,
        'exit' as event_kind,
        null, null, null, null, null, null,
        'Exit (from the employee record)' as change_reason,
        exit_type, exit_reason, is_regretted,
        cast(null as varchar) as exit_destination
    from flat_people
    where exit_date is not null
),

events as (
    select * from recorded
    union all by name
    select * from derived
),

ladder as (
    select * from settings_ladder
),

support_departments as (
    select * from settings_support_departments
),

-- A hire or exit row with neither title nor department carries no job snapshot of its own:
-- it takes every job attribute from the person's previous snapshot.
flagged as (
    select
        *,
        (title is not null or department is not null) as is_snapshot
    from events
),

filled as (
    select
        employee_id,
        effective_date,
        event_seq,
        lower(trim(event_kind)) as event_kind,
        change_reason,
        lower(trim(exit_type)) as exit_type,
        exit_reason,
        is_regretted,
        exit_destination,
        case when is_snapshot then title else last_value(case when is_snapshot then title end ignore nulls)
            over (partition by employee_id order by effective_date, event_seq
                  rows between unbounded preceding and current row) end as title,
        case when is_snapshot then department else last_value(case when is_snapshot then department end ignore nulls)
            over (partition by employee_id order by effective_date, event_seq
                  rows between unbounded preceding and current row) end as department,
        case when is_snapshot then team else last_value(case when is_snapshot then team end ignore nulls)
            over (partition by employee_id order by effective_date, event_seq
                  rows between unbounded preceding and current row) end as team,
        case when is_snapshot then tier else last_value(case when is_snapshot then tier end ignore nulls)
            over (partition by employee_id order by effective_date, event_seq
                  rows between unbounded preceding and current row) end as tier,
        case when is_snapshot then manager_id else last_value(case when is_snapshot then manager_id end ignore nulls)
            over (partition by employee_id order by effective_date, event_seq
                  rows between unbounded preceding and current row) end as manager_id,
        coalesce(location, last_value(location ignore nulls)
            over (partition by employee_id order by effective_date, event_seq
                  rows between unbounded preceding and current row)) as location
    from flagged
),

with_ladder as (
    select
        filled.*,
        ladder.track,
        ladder.level,
        ladder.expected_months,
        ladder.max_months,
        filled.event_kind <> 'exit' as is_employed_after,
        filled.event_kind <> 'exit'
            and lower(trim(filled.department)) in (select department_key from support_departments)
            as is_support_after
    from filled
    left join ladder on lower(trim(filled.title)) = ladder.title_key
)

select * from with_ladder
