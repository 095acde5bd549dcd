-- Incremental refresh of marts_person_months, when run_models found that only conversations
-- changed (no people table, setting, spell, role move or job state differs): the months from the
-- first month whose conversation figures changed (marts_customer_person_months against
-- _old_marts_customer_person_months) or whose observation date moves (the month of the previous data
-- end date) are recomputed; earlier months read nothing that changed.
set variable person_months_from = (
with
changed_months as (
    select month from (
        (from _old_marts_customer_person_months except from marts_customer_person_months)
        union all
        (from marts_customer_person_months except from _old_marts_customer_person_months)
    )
)

select least(
    (select cast(date_trunc('month', data_end_date) as date) from _old_marts_data_dates),
    coalesce((select min(month) from changed_months), date '9999-12-01')
));

delete from marts_person_months where month >= getvariable('person_months_from');

insert into marts_person_months by name
select * from person_months(getvariable('person_months_from'));
