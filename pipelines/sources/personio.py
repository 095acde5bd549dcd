"""Personio employee exports (UI / CSV labels, or the API v1 JSON `attributes.<key>.value`) -> employees."""

from __future__ import annotations

from pipelines.sources.base import Spec
from pipelines.sources.people import convert_employee_list

ADAPTER = "personio"


def _attr(key: str, label: str, *more: str) -> tuple[str, ...]:
    return (label, f"attributes.{key}.value", *more)


EMPLOYEE_FIELDS = {
    "employee_id": _attr("id", "ID"),
    "first_name": _attr("first_name", "First name"),
    "last_name": _attr("last_name", "Last name"),
    "preferred_name": _attr("preferred_name", "Preferred name"),
    "work_email": _attr("email", "Email"),
    "gender": _attr("gender", "Gender"),
    "status": _attr("status", "Status"),
    "title": _attr("position", "Position"),
    "manager_id": ("attributes.supervisor.value.attributes.id.value", "Supervisor ID"),
    "manager_name": _attr("supervisor", "Supervisor"),
    "hire_date": _attr("hire_date", "Hire date"),
    "exit_date": _attr("termination_date", "Termination date", "Last day of work"),
    "location": ("Office", "attributes.office.value.attributes.name", "attributes.office.value"),
    "department": ("Department", "attributes.department.value.attributes.name", "attributes.department.value"),
    "team": ("Team", "attributes.team.value.attributes.name"),
    "exit_type": _attr("termination_type", "Termination type"),
    "exit_reason": _attr("termination_reason", "Termination reason"),
}

SPECS = (
    Spec(
        ADAPTER,
        "employees",
        "employees",
        EMPLOYEE_FIELDS,
        ("employee_id", "first_name", "last_name", "hire_date", "title"),
        convert_employee_list,
        required=("employee_id", "hire_date"),
        describe="Personio employee export",
    ),
)
