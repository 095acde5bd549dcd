-- Grain: one row per manager x person below them x interval: the days on which the person's chain
-- of managers, as recorded on each day (every link an employed job state), reaches that manager.
-- The reporting closure, on date intervals: a person's state interval, cut to their manager's
-- interval below the next manager up, and so on; a person's intervals below one manager are merged
-- (overlapping or adjacent ones become one), so they are disjoint and never touch. Nobody is below
-- themselves (a reporting cycle stops where it comes back). span_to is 9999-12-31 for a chain
-- that still holds. A manager's scope on any day is a filter of this table (metrics.scope).
create or replace table marts_reporting_spans as
with recursive
edges as (
    select employee_id, manager_id, valid_from, coalesce(valid_to, date '9999-12-31') as valid_to
    from staging_job_states
    where is_employed and manager_id is not null and manager_id <> employee_id
),

chains as (
    select manager_id, employee_id, valid_from as span_from, valid_to as span_to
    from edges
    union
    select e.manager_id, c.employee_id, greatest(e.valid_from, c.span_from), least(e.valid_to, c.span_to)
    from chains as c
    join edges as e
        on e.employee_id = c.manager_id and e.valid_from <= c.span_to and e.valid_to >= c.span_from
    where e.manager_id <> c.employee_id
),

starts as (
    select
        *,
        coalesce(
            span_from > max(span_to) over (
                partition by manager_id, employee_id order by span_from, span_to
                rows between unbounded preceding and 1 preceding
            ) + 1,
            true
        ) as is_new
    from chains
),

islands as (
    select
        *,
        sum(cast(is_new as integer)) over (
            partition by manager_id, employee_id order by span_from, span_to
            rows between unbounded preceding and current row
        ) as island
    from starts
),

merged as (
    select manager_id, employee_id, min(span_from) as span_from, max(span_to) as span_to
    from islands
    group by manager_id, employee_id, island
)

select * from merged order by manager_id, employee_id, span_from
