-- Incremental refresh of marts_stalled, run only when marts_person_months was refreshed from the
-- month person_months_from on: the rows of those months are recomputed (a row reads its own
-- person-month, the role moves and growth activities, which such a refresh leaves unchanged).
delete from marts_stalled where month >= getvariable('person_months_from');

insert into marts_stalled by name
select * from stalled(getvariable('person_months_from'));
