-- Grain: one row per change of ladder role (title) inside a support spell: promotion (higher
-- ladder level), demotion, lateral (same level, other track or title) or other (off the ladder).
-- from_role_months is the time the person spent in the role they left.
create or replace table marts_role_moves as
with
states as (
    select * from staging_job_states where is_support
),

spells as (
    select * from marts_support_spells
),

in_spell as (
    select
        st.*,
        sp.spell_id
    from states as st
    join spells as sp
        on sp.employee_id = st.employee_id
        and st.valid_from >= sp.start_date
        and (sp.end_date is null or st.valid_from <= sp.end_date)
),

role_changes as (
    select
        *,
        lag(title) over w as from_title,
        lag(track) over w as from_track,
        lag(level) over w as from_level,
        lag(team) over w as from_team,
        lag(tier) over w as from_tier
    from in_spell
    window w as (partition by spell_id order by valid_from)
),

role_islands as (
    select
        *,
        sum(case when from_title is null or lower(trim(title)) <> lower(trim(from_title)) then 1 else 0 end)
            over (partition by spell_id order by valid_from rows between unbounded preceding and current row)
            as role_no
    from role_changes
),

role_starts as (
    select spell_id, role_no, min(valid_from) as role_start_date
    from role_islands
    group by spell_id, role_no
),

moves as (
    select
        r.employee_id,
        r.spell_id,
        r.valid_from as effective_date,
        r.from_title,
        r.title as to_title,
        r.from_track,
        r.track as to_track,
        r.from_level,
        r.level as to_level,
        r.from_team,
        r.team as to_team,
        r.from_tier,
        r.tier as to_tier,
        r.change_reason,
        case
            when r.from_level is null or r.level is null then 'other'
            when r.level > r.from_level then 'promotion'
            when r.level < r.from_level then 'demotion'
            else 'lateral'
        end as move_kind,
        prev.role_start_date as from_role_start_date,
        (r.valid_from - prev.role_start_date) / 30.4375 as from_role_months
    from role_islands as r
    join role_starts as prev on prev.spell_id = r.spell_id and prev.role_no = r.role_no - 1
    where r.from_title is not null and lower(trim(r.title)) <> lower(trim(r.from_title))
),

final as (
    select
        *,
        move_kind = 'promotion' and to_track = 'management' as is_management_promotion
    from moves
)

select * from final
