-- Grain: one row per person per calendar month with at least one day in support (the latest
-- spell when two touch the month). Attributes are observed at obs_date: the month's last day,
-- the spell's last day, or the latest data date, whichever comes first. Months are days / 30.4375.
-- A table macro over the months from `from_month` on (their trailing windows read the 12 months
-- before): a full build starts at the first month, a refresh that changed only conversations at
-- the first month whose conversations or observation date changed (refresh_marts_person_months.sql).
create or replace temp macro person_months(from_month) as table
with
dates as (
    select * from marts_data_dates
),

spells as (
    select * from marts_support_spells
),

states as (
    select * from staging_job_states where is_support
),

all_states as (
    select * from staging_job_states
),

moves as (
    select * from marts_role_moves
),

customer as (
    select * from marts_customer_person_months
),

months as (
    select cast(r.m as date) as month
    from dates, range(greatest(date_trunc('month', dates.data_start_date), cast(from_month as date) - interval 12 month),
                      dates.data_end_date + interval 1 day, interval 1 month) as r(m)
),

spell_months as (
    select
        sp.employee_id,
        sp.spell_id,
        sp.start_date as spell_start_date,
        sp.end_date as spell_end_date,
        sp.hire_cohort,
        m.month,
        least(cast(m.month + interval 1 month - interval 1 day as date),
              coalesce(sp.end_date, d.data_end_date), d.data_end_date) as obs_date
    from spells as sp
    cross join dates as d
    join months as m
        on sp.start_date <= cast(m.month + interval 1 month - interval 1 day as date)
    where sp.start_date <= cast(m.month + interval 1 month - interval 1 day as date)
      and (sp.end_date is null or sp.end_date >= m.month)
      and sp.start_date <= d.data_end_date
    qualify row_number() over (partition by sp.employee_id, m.month order by sp.start_date desc) = 1
),

-- spell ends in the month (any spell of the person), for the outcome columns
month_ends as (
    select
        employee_id,
        cast(date_trunc('month', end_date) as date) as month,
        arg_max(end_kind, end_date) as exit_type,
        arg_max(is_regretted, end_date) as exit_is_regretted
    from spells
    where end_date is not null
    group by employee_id, month
),

with_state as (
    select
        sm.*,
        st.title, st.track, st.level, st.team, st.tier, st.manager_id, st.location, st.department
    from spell_months as sm
    left join states as st
        on st.employee_id = sm.employee_id
        and st.valid_from <= sm.obs_date
        and (st.valid_to is null or st.valid_to >= sm.obs_date)
    qualify row_number() over (partition by sm.employee_id, sm.month order by st.valid_from desc) = 1
),

with_moves as (
    select
        ws.*,
        coalesce((select max(mv.effective_date) from moves as mv
                  where mv.spell_id = ws.spell_id and mv.effective_date <= ws.obs_date), ws.spell_start_date)
            as level_start_date,
        coalesce((select max(mv.effective_date) from moves as mv
                  where mv.spell_id = ws.spell_id and mv.effective_date <= ws.obs_date
                    and mv.move_kind = 'promotion'), ws.spell_start_date) as last_promotion_date
    from with_state as ws
),

with_growth as (
    select
        wm.*,
        (select count(*) from growth_activities as g
         where g.employee_id = wm.employee_id and g.start_date <= wm.obs_date
           and (g.end_date is null or g.end_date > cast(wm.obs_date - interval 6 month as date)))
            as growth_activities_6m,
        (select count(*) from growth_activities as g
         where g.employee_id = wm.employee_id and g.start_date <= wm.obs_date
           and (g.end_date is null or g.end_date > cast(wm.obs_date - interval 12 month as date)))
            as growth_activities_12m,
        (select max(case when g.end_date is null or g.end_date >= wm.obs_date then wm.obs_date else g.end_date end)
         from growth_activities as g
         where g.employee_id = wm.employee_id and g.start_date <= wm.obs_date) as last_growth_date
    from with_moves as wm
),

with_review as (
    select
        wg.*,
        r.rating,
        coalesce(r.is_on_pip, false) as is_on_pip
    from with_growth as wg
    -- the latest review on or before obs_date (an as-of join: one lookup per person-month)
    asof left join performance_reviews as r
        on r.employee_id = wg.employee_id and r.review_date <= wg.obs_date
),

with_pay as (
    select
        wr.*,
        c.annual_pay
    from with_review as wr
    asof left join compensation as c
        on c.employee_id = wr.employee_id and c.effective_date <= wr.obs_date
),

with_band as (
    select
        wp.*,
        case when b.band_max > b.band_min then (wp.annual_pay - b.band_min) / (b.band_max - b.band_min) end
            as pay_position_in_band,
        -- below the midpoint as a share of it (the export's midpoint, else halfway between min and max)
        (coalesce(b.band_mid, (b.band_max + b.band_min) / 2) - wp.annual_pay)
            / nullif(coalesce(b.band_mid, (b.band_max + b.band_min) / 2), 0) as pay_gap_to_midpoint
    from with_pay as wp
    asof left join (select *, lower(trim(title)) as title_key from pay_bands) as b
        on b.title_key = lower(trim(wp.title)) and b.effective_date <= wp.obs_date
),

manager_changes as (
    -- a day on which the person's manager changed while employed (not the first state)
    select employee_id, valid_from as change_date
    from (
        select *, lag(manager_id) over (partition by employee_id order by valid_from) as prev_manager_id,
               lag(is_employed) over (partition by employee_id order by valid_from) as prev_employed
        from all_states
        where event_kind <> 'after_exit'
    )
    where is_employed and prev_employed and manager_id is distinct from prev_manager_id
),

-- exits per team: a running count by end date, so a team's exits in a window are two lookups
team_exit_days as (
    select
        end_team as team,
        end_date,
        sum(count(*)) over (partition by end_team order by end_date) as n_left,
        sum(count(*) filter (where end_kind = 'voluntary')) over (partition by end_team order by end_date)
            as n_left_voluntarily
    from spells
    where end_date is not null and end_team is not null
    group by end_team, end_date
),

with_context as (
    select
        wb.*,
        (select count(*) from manager_changes as mc
         where mc.employee_id = wb.employee_id and mc.change_date <= wb.obs_date
           and mc.change_date > cast(wb.obs_date - interval 12 month as date)) as manager_changes_12m,
        -- the team's exits in the 6 months to obs_date (through it, after 6 months before), the person's own excluded
        coalesce(upto.n_left, 0) - coalesce(before.n_left, 0)
            - (select count(*) from spells as o
               where o.employee_id = wb.employee_id and o.end_team = wb.team and o.end_date <= wb.obs_date
                 and o.end_date > cast(wb.obs_date - interval 6 month as date)) as teammates_left_6m,
        coalesce(upto.n_left_voluntarily, 0) - coalesce(before.n_left_voluntarily, 0)
            - (select count(*) from spells as o
               where o.employee_id = wb.employee_id and o.end_team = wb.team and o.end_date <= wb.obs_date
                 and o.end_kind = 'voluntary'
                 and o.end_date > cast(wb.obs_date - interval 6 month as date)) as teammates_left_voluntarily_6m
    from with_band as wb
    asof left join team_exit_days as upto on upto.team = wb.team and upto.end_date <= wb.obs_date
    asof left join team_exit_days as before
        on before.team = wb.team and before.end_date <= cast(wb.obs_date - interval 6 month as date)
),

with_customer as (
    select
        wc.*,
        coalesce(c.n_tickets, 0) as tickets_handled,
        coalesce(c.n_complex, 0) as complex_tickets,
        c.complex_ticket_share,
        c.csat_good_share,
        c.qa_mean_score,
        c.bot_involved_share
    from with_context as wc
    left join customer as c on c.employee_id = wc.employee_id and c.month = wc.month
),

with_workload as (
    select
        *,
        tickets_handled / nullif(median(case when tickets_handled > 0 then tickets_handled end)
            over (partition by team, month), 0) as workload_ratio,
        -- sustained complex load: the complex tickets reached in at least 3 of the last 4 months
        -- (the third highest monthly count of the last 4; 0 with fewer than 3 months)
        case when count(*) over last_4 >= 3
            then list_sort(list(complex_tickets) over last_4, 'DESC')[3] else 0 end
            as complex_tickets_3_of_4m
    from with_customer
    window last_4 as (partition by employee_id order by month range between interval 3 month preceding and current row)
),

-- per manager and month: people reporting at the month's observation date, and voluntary exits in the month
manager_months as (
    select
        w.manager_id,
        w.month,
        count(*) as n_reports,
        count(*) filter (where e.exit_type = 'voluntary') as n_voluntary_exits
    from with_workload as w
    left join month_ends as e on e.employee_id = w.employee_id and e.month = w.month
    where w.manager_id is not null
    group by w.manager_id, w.month
),

manager_trailing as (
    select
        manager_id,
        month,
        sum(n_voluntary_exits) over trailing_12 as manager_voluntary_exits_12m,
        sum(n_reports) over trailing_12 / 12.0 as manager_reports_12m,
        sum(n_reports) over trailing_12 as manager_report_months_12m
    from manager_months
    window trailing_12 as (partition by manager_id order by month
                           range between interval 11 month preceding and current row)
),

-- the whole organisation per month (people in support, voluntary exits), trailing 12 months
org_trailing as (
    select
        month,
        sum(n_voluntary_exits) over trailing_12 as org_voluntary_exits_12m,
        sum(n_people) over trailing_12 as org_person_months_12m
    from (
        select
            w.month,
            count(*) as n_people,
            count(*) filter (where e.exit_type = 'voluntary') as n_voluntary_exits
        from with_workload as w
        left join month_ends as e on e.employee_id = w.employee_id and e.month = w.month
        group by w.month
    )
    window trailing_12 as (order by month range between interval 11 month preceding and current row)
),

final as (
    select
        w.employee_id,
        w.month,
        w.obs_date,
        w.spell_id,
        w.spell_start_date,
        w.hire_cohort,
        w.title,
        w.track,
        w.level,
        w.team,
        w.tier,
        w.manager_id,
        w.location,
        (w.obs_date - w.spell_start_date + 1) / 30.4375 as tenure_months,
        tb.tenure_band,
        w.level_start_date,
        (w.obs_date - w.level_start_date + 1) / 30.4375 as months_in_level,
        (w.obs_date - w.last_promotion_date + 1) / 30.4375 as months_since_promotion,
        w.growth_activities_6m,
        w.growth_activities_12m,
        w.rating,
        w.is_on_pip,
        w.annual_pay,
        w.pay_position_in_band,
        w.tickets_handled,
        w.complex_tickets,
        w.complex_ticket_share,
        w.workload_ratio,
        w.csat_good_share,
        w.qa_mean_score,
        w.bot_involved_share,
        w.manager_changes_12m,
        w.teammates_left_6m,
        w.teammates_left_voluntarily_6m,
        w.complex_tickets_3_of_4m,
        w.pay_gap_to_midpoint,
        case when w.last_growth_date is null then (w.obs_date - w.spell_start_date + 1) / 30.4375
             else (w.obs_date - greatest(w.last_growth_date, w.spell_start_date)) / 30.4375 end
            as months_without_growth,
        cast(coalesce(mt.manager_voluntary_exits_12m, 0) as bigint) as manager_voluntary_exits_12m,
        coalesce(mt.manager_voluntary_exits_12m, 0) / greatest(mt.manager_reports_12m, 1.0)
            as manager_exit_rate_12m,
        -- the manager's resignation rate over the last 12 months relative to the organisation's,
        -- shrunk towards 1 (empirical Bayes with a prior worth 120 report-months: a year of a
        -- ten-person team). (exits + 120 r) / ((report-months + 120) r) with r the organisation's
        -- resignations per person-month over the same months; 1 when nobody resigned anywhere.
        case when w.manager_id is null then null
             when coalesce(ot.org_voluntary_exits_12m, 0) = 0 then 1.0
             else (coalesce(mt.manager_voluntary_exits_12m, 0)
                       + 120.0 * ot.org_voluntary_exits_12m / ot.org_person_months_12m)
                  / ((coalesce(mt.manager_report_months_12m, 0) + 120.0)
                       * ot.org_voluntary_exits_12m / ot.org_person_months_12m) end
            as manager_exit_ratio_12m,
        e.exit_type,
        e.exit_is_regretted,
        lead(e.exit_type) over (partition by w.employee_id order by w.month) as exit_type_next_month_raw,
        lead(w.month) over (partition by w.employee_id order by w.month) as next_month
    from with_workload as w
    left join month_ends as e on e.employee_id = w.employee_id and e.month = w.month
    left join manager_trailing as mt on mt.manager_id = w.manager_id and mt.month = w.month
    left join org_trailing as ot on ot.month = w.month
    left join settings_tenure_bands as tb
        on (w.obs_date - w.spell_start_date + 1) / 30.4375 >= tb.min_months
        and (tb.max_months is null or (w.obs_date - w.spell_start_date + 1) / 30.4375 < tb.max_months)
),

outcome as (
    select
        * exclude (exit_type_next_month_raw, next_month),
        case when next_month = cast(month + interval 1 month as date) then exit_type_next_month_raw end
            as exit_type_next_month
    from final
)

select * from outcome where month >= cast(from_month as date);

create or replace table marts_person_months as from person_months(date '0001-01-01')
