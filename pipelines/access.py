"""Who is asking: the Viewer, its role and scope, and the minimum group size."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    EXECUTIVE = "executive"  # aggregates only, no person-level rows
    DIRECTOR = "director"  # the whole organisation
    MANAGER = "manager"  # their reporting subtree
    PEOPLE_ADMIN = "people_admin"  # data page, uploads, settings
    SYSTEM = "system"  # the CLI and batch jobs: everything, never shown in the UI


@dataclass(frozen=True)
class Viewer:
    role: Role
    employee_id: str | None = None  # the person behind the viewer (required for managers)
    label: str = ""  # how the UI names the viewer; never an email in logs

    def __post_init__(self) -> None:
        if self.role is Role.MANAGER and not self.employee_id:
            raise ValueError("a manager viewer needs the manager's employee_id")

    @property
    def sees_people(self) -> bool:
        """Whether person-level rows may be returned at all."""
        return self.role is not Role.EXECUTIVE

    @classmethod
    def system(cls) -> Viewer:
        return cls(Role.SYSTEM, label="system")
