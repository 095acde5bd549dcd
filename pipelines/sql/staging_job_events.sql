-- Grain: one row per person per dated job event (hire | job | exit), with attributes filled
-- forward from the last full snapshot, the ladder role joined and support membership flagged.
create or replace table staging_job_events as
with
events as (
    select * from job_events
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
