"""HiBob people search (`POST /v1/people/search`, humanReadable) or its flattened snake_case copies -> employees."""

from __future__ import annotations

from pipelines.sources.base import Spec
from pipelines.sources.people import convert_employee_list

ADAPTER = "hibob"

EMPLOYEE_FIELDS = {
    "employee_id": ("root.id", "id", "employee_id_in_company", "work.employeeIdInCompany"),
    "first_name": ("root.firstName", "firstName", "first_name"),
    "last_name": ("root.surname", "surname"),
    "full_name": ("root.displayName", "displayName", "display_name", "root.fullName"),
    "work_email": ("root.email", "email"),
    "location": ("work.site", "site"),
    "department": ("work.department", "department"),
    "title": ("work.title", "title"),
    "manager_id": ("work.reportsTo.id", "work.manager", "reports_to_id_in_company", "manager"),
    "hire_date": ("work.startDate", "start_date"),
    "exit_date": ("internal.terminationDate", "employee.lastDayOfWork", "termination_date"),
    "exit_type": ("internal.terminationType", "termination_type"),
    "exit_reason": ("internal.terminationReason", "termination_reason"),
}

SPECS = (
    Spec(
        ADAPTER,
        "employees",
        "employees",
        EMPLOYEE_FIELDS,
        ("employee_id", "last_name", "hire_date"),
        convert_employee_list,
        describe="HiBob people export",
    ),
)
