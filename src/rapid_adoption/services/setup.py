"""Creating a workspace: schema, reference data and the organisation it acts for."""

from __future__ import annotations

from sqlalchemy import select

from ..domain.errors import ValidationError
from ..store.tables import Setting, User
from .auth import create_user
from .imports import ImportReport, apply_batch, read_source
from .workspace import DEFAULT_HOME_ORG, DEFAULT_USER_KEY, HOME_ORG_KEY, Workspace


DEFAULT_ADMIN = "admin"
DEFAULT_ADMIN_ROLES = ["admin", "analyst", "board"]


def init_workspace(workspace: Workspace, org: str | None = None, admin: str | None = None,
                   admin_password: str | None = None) -> ImportReport:
    """Migrate the schema to head, load the reference data, and set the home organisation.

    Safe to run again: an initialised workspace is upgraded and its reference data refreshed; the
    home organisation changes only when ``org`` is given.

    Args:
        workspace: the workspace to set up.
        org: the organisation the workspace acts for: a NATO member's ISO 3166-1 alpha-3 code
            (``DEU``) or a NATO body (``DIANA``, ``NIF``, ``NCIA``, ``NSPA``, ``ACT``, ``CMRE``).
            Default: the current one, or ``DIANA`` for a new workspace.
        admin: the first admin's user name, made when the workspace has no user yet (default
            ``admin``, with the roles admin, analyst and board). The CLI acts as this user unless
            told otherwise (``--as``, ``RAPID_TOKEN``).
        admin_password: the first admin's password for the web login (12 or more characters);
            None sets none.

    Raises:
        ValidationError: ``org`` is not a known organisation, or a bad user name or password.
    """
    batch, report = read_source("taxonomies")
    known = {o.ref for o in batch.organisations}
    if org is not None and org.strip().upper() not in known:
        bodies = ", ".join(o.ref for o in batch.organisations if o.kind != "nation")
        raise ValidationError(
            f"unknown organisation {org.strip().upper()!r}: use a NATO member's ISO 3166-1 alpha-3 code such as DEU, "
            f"or one of {bodies}",
            field="--org",
        )
    workspace.upgrade()
    with workspace.uow.transaction() as session:
        current = session.scalar(select(Setting).where(Setting.key == HOME_ORG_KEY))
        wanted = (org or (current.value if current else DEFAULT_HOME_ORG)).strip().upper()
        has_users = session.scalar(select(User.id).limit(1)) is not None
        if current is not None and has_users and wanted != current.value:
            raise ValidationError(f"this workspace acts for {current.value} and has users; its organisation cannot change",
                                  field="--org")
        apply_batch(session, batch, report, home_org=wanted, now=workspace.now(), public=True)
        if current is None:
            session.add(Setting(key=HOME_ORG_KEY, value=wanted))
        else:
            current.value = wanted
        if not has_users:
            create_user(workspace, None, admin or DEFAULT_ADMIN, wanted, DEFAULT_ADMIN_ROLES,
                        password=admin_password, session=session)
            session.add(Setting(key=DEFAULT_USER_KEY, value=admin or DEFAULT_ADMIN))
    return report
