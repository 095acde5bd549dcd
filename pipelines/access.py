"""Who is asking: the Viewer, its role and scope, and how a signed-in identity becomes a Viewer.

Roles:
- executive: aggregates only, never a person-level row;
- director: the whole organisation;
- manager: their reporting subtree, resolved from the HR hierarchy as of each row's date;
- people_admin: everything a director sees, plus the data page, rejected rows and the audit log;
- anyone else: no Viewer at all (the app shows a "no access" page).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from pipelines.config import AccessSettings


class Role(StrEnum):
    EXECUTIVE = "executive"  # aggregates only, no person-level rows
    DIRECTOR = "director"  # the whole organisation
    MANAGER = "manager"  # their reporting subtree
    PEOPLE_ADMIN = "people_admin"  # data page, uploads, settings
    SYSTEM = "system"  # the CLI and batch jobs: everything, never shown in the UI


# When settings grant a person several roles, the widest wins.
ROLE_PRECEDENCE: tuple[Role, ...] = (Role.PEOPLE_ADMIN, Role.DIRECTOR, Role.EXECUTIVE)


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

    @property
    def is_admin(self) -> bool:
        """Whether the viewer may see data operations, raw rejected values and the audit log."""
        return self.role in (Role.PEOPLE_ADMIN, Role.SYSTEM)

    @classmethod
    def system(cls) -> Viewer:
        return cls(Role.SYSTEM, label="system")


def mapped_role(email: str | None, groups: Iterable[str], access: AccessSettings) -> Role | None:
    """The widest role the settings grant this email or any of these groups, or None."""
    keys = {g.strip().casefold() for g in groups if isinstance(g, str) and g.strip()}
    if email:
        keys.add(email.strip().casefold())
    for role in ROLE_PRECEDENCE:
        if keys & set(access.roles.get(role.value, ())):
            return role
    return None


def viewer_for(
    email: str | None,
    groups: Iterable[str],
    access: AccessSettings,
    employee_id: str | None,
    has_reports: bool,
    label: str = "",
) -> Viewer | None:
    """The Viewer for a signed-in identity: a settings role first, else manager when they have reports.

    employee_id is the person matched to the email in the HR data (None when unmatched);
    has_reports says whether anyone reports to them on the viewing day. None means no access.
    """
    role = mapped_role(email, groups, access)
    if role is not None:
        return Viewer(role, employee_id, label or role.value.replace("_", " ").capitalize())
    if employee_id and has_reports:
        return Viewer(Role.MANAGER, employee_id, label or "Manager")
    return None
