"""Workday custom reports (RaaS / Excel): report field labels, with the common defaults below.

Workday has no fixed export: extend or override these names in settings with
`[mapping.workday.employees]` (canonical field = your report's column label).
"""

from __future__ import annotations

from pipelines.sources.base import Spec
from pipelines.sources.people import convert_employee_list

ADAPTER = "workday"

EMPLOYEE_FIELDS = {
    "employee_id": ("Employee_ID", "Employee ID", "Worker ID", "Worker_ID"),
    "first_name": ("First_Name", "Legal First Name"),
    "last_name": ("Last_Name", "Legal Last Name"),
    "full_name": ("Full_Name", "Worker", "Preferred_Name"),
    "work_email": ("Email_-_Work", "Work Email", "Email_Work", "Primary Work Email"),
    "gender": ("Gender",),
    "location": ("Location", "Location - Current", "Work Location"),
    "department": ("Department", "Supervisory Organization", "Cost Center"),
    "title": ("Business_Title", "Job_Title", "Job Profile Name", "Position"),
    "manager_id": ("Manager_ID", "Manager Employee ID"),
    "manager_name": ("Manager", "Manager_Name"),
    "hire_date": ("Hire_Date", "Current_Hire Date", "Start_Date", "Most Recent Hire Date"),
    "original_hire_date": ("Original_Hire_Date", "Original_Hire Date", "Continuous_Service_Date"),
    "exit_date": ("Termination_Date", "Termination Date", "Termination_Last_Day_of_Work"),
    "exit_type": ("Primary_Termination_Category", "Primary_Termination_Category_Reference", "Termination Category"),
    "exit_involuntary": ("Termination_Involuntary", "Involuntary"),
    "exit_reason": ("Primary_Termination_Reason", "Primary_Termination_Reason_Reference", "Termination Reason"),
    "is_regretted": ("Regrettable_Termination", "Regrettable Termination", "Regrettable"),
    "team": ("Team_Name", "Team"),
}

SPECS = (
    Spec(
        ADAPTER,
        "employees",
        "employees",
        EMPLOYEE_FIELDS,
        ("employee_id", "hire_date"),
        convert_employee_list,
        describe="Workday worker report",
    ),
)
