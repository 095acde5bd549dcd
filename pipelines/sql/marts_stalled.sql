-- Grain: one row per person per month of the panel (marts_person_months) on the ladder, with
-- whether they are stalled at obs_date and, if so, their reasons in plain words. Stalled =
-- months in level beyond min(peer p-quantile, ladder max_months) AND no growth activity in the
-- last N months AND not on a performance plan (thresholds from settings [stalled]).
-- A table macro over the panel's months from `from_month` on (each row reads its own month only):
-- a refresh that rebuilt the panel from a month rebuilds these rows from the same month.
create or replace temp macro stalled(from_month) as table
with
panel as (
    select * from marts_person_months where level is not null and month >= cast(from_month as date)
),

thresholds as (
    select * from settings_thresholds
),

ladder as (
    select * from settings_ladder
),

promotions as (
    select lower(trim(from_title)) as title_key, effective_date, from_role_months
    from marts_role_moves
    where move_kind = 'promotion'
),

title_dates as (
    select distinct lower(trim(title)) as title_key, obs_date from panel
),

-- months that promoted peers needed in this role, promotions up to the observation date;
-- quantile by linear interpolation between order statistics (numpy's default)
peers as (
    select
        td.title_key,
        td.obs_date,
        count(p.from_role_months) as n_promoted_peers,
        list_sort(list(p.from_role_months) filter (where p.from_role_months is not null)) as needed
    from title_dates as td
    left join promotions as p on p.title_key = td.title_key and p.effective_date <= td.obs_date
    group by td.title_key, td.obs_date
),

peer_quantile as (
    select
        peers.*,
        case when n_promoted_peers > 0 then
            needed[cast(floor((n_promoted_peers - 1) * t.stalled_peer_quantile) as integer) + 1]
            + ((n_promoted_peers - 1) * t.stalled_peer_quantile - floor((n_promoted_peers - 1) * t.stalled_peer_quantile))
              * (needed[least(cast(floor((n_promoted_peers - 1) * t.stalled_peer_quantile) as integer) + 2, n_promoted_peers)]
                 - needed[cast(floor((n_promoted_peers - 1) * t.stalled_peer_quantile) as integer) + 1])
        end as peer_months_needed
    from peers, thresholds as t
),

growth_recent as (
    select
        p.employee_id,
        p.month,
        count(g.employee_id) as n_recent_growth
    from panel as p
    cross join thresholds as t
    left join growth_activities as g
        on g.employee_id = p.employee_id and g.start_date <= p.obs_date
        and (g.end_date is null or g.end_date > cast(p.obs_date - to_months(t.stalled_no_growth_months) as date))
    group by p.employee_id, p.month
),

evaluated as (
    select
        p.employee_id,
        p.month,
        p.obs_date,
        p.title,
        p.track,
        p.level,
        p.team,
        p.manager_id,
        p.months_in_level,
        pq.n_promoted_peers,
        pq.peer_months_needed,
        l.expected_months,
        l.max_months,
        case when pq.n_promoted_peers >= t.stalled_min_promoted_peers then pq.peer_months_needed
             else l.expected_months end as peer_figure_months,
        case when pq.n_promoted_peers >= t.stalled_min_promoted_peers then 'peers' else 'ladder expected' end
            as peer_figure_source,
        gr.n_recent_growth,
        t.stalled_no_growth_months,
        p.is_on_pip
    from panel as p
    cross join thresholds as t
    join ladder as l on l.title_key = lower(trim(p.title))
    left join peer_quantile as pq on pq.title_key = lower(trim(p.title)) and pq.obs_date = p.obs_date
    left join growth_recent as gr on gr.employee_id = p.employee_id and gr.month = p.month
),

flagged as (
    select
        *,
        least(peer_figure_months, max_months) as threshold_months,
        months_in_level > least(peer_figure_months, max_months) as is_long_in_level,
        n_recent_growth = 0 as has_no_recent_growth
    from evaluated
),

final as (
    select
        *,
        is_long_in_level and has_no_recent_growth and not is_on_pip as is_stalled,
        case when is_long_in_level and has_no_recent_growth and not is_on_pip then [
            case
                when max_months is not null and max_months < peer_figure_months then
                    format('{} months as {}; the ladder maximum for this role is {} months',
                           cast(floor(months_in_level) as integer), title, max_months)
                when peer_figure_source = 'peers' then
                    format('{} months as {}; promoted peers needed {} months (p{} of {} promotions)',
                           cast(floor(months_in_level) as integer), title, cast(round(peer_figure_months) as integer),
                           cast(round((select stalled_peer_quantile from thresholds) * 100) as integer),
                           n_promoted_peers)
                else
                    format('{} months as {}; the ladder expects about {} months (too few promoted peers to compare)',
                           cast(floor(months_in_level) as integer), title, expected_months)
            end,
            format('No growth activity in the last {} months', stalled_no_growth_months)
        ] end as reasons
    from flagged
)

select * from final;

create or replace table marts_stalled as from stalled(date '0001-01-01')
