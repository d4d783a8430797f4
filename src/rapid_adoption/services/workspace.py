"""The workspace: one database, its settings, and the clock services read ``now`` from."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from sqlalchemy import select
from sqlalchemy.engine import make_url

from ..domain.errors import NotFound, RapidError
from ..settings import Settings
from ..store import migrate
from ..store.engine import make_engine
from ..store.tables import Organisation, Setting
from ..store.uow import UnitOfWork

HOME_ORG_KEY = "home_org"
DEFAULT_HOME_ORG = "DIANA"


def system_now() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(timezone.utc)


class Clock:
    """The process-wide default clock; tests freeze it by replacing :attr:`now`."""

    now: Callable[[], datetime] = staticmethod(system_now)


CLOCK = Clock()


class NotInitialised(RapidError):
    """The workspace database has no schema yet, or an older one: run ``rapid init`` or ``rapid db upgrade``."""

    exit_code = 7
    http_status = 503


@dataclass
class Workspace:
    """An open workspace.

    Attributes:
        settings: the deployment settings.
        uow: the unit of work over the workspace's engine.
        now: a callable returning the current timezone-aware UTC time (tests freeze it).
    """

    settings: Settings
    uow: UnitOfWork
    now: Callable[[], datetime] = field(default=system_now)

    @classmethod
    def open(cls, settings: Settings | None = None, now: Callable[[], datetime] | None = None) -> "Workspace":
        """Connect to the workspace database named by ``settings`` (default: from the environment).

        Args:
            settings: the settings; default read from the environment.
            now: the clock; default :data:`CLOCK` (the system clock in UTC).

        Nothing is created until :meth:`upgrade` or ``init_workspace`` runs.
        """
        settings = settings or Settings.from_env()
        return cls(settings, UnitOfWork(make_engine(settings.database_url)), now or CLOCK.now)

    @property
    def location(self) -> str:
        """The database's location for display, with any password hidden."""
        url = make_url(self.settings.database_url)
        if url.get_backend_name() == "sqlite":
            return str(Path(url.database or ":memory:").resolve()) if url.database not in (None, "", ":memory:") else ":memory:"
        return url.render_as_string(hide_password=True)

    def upgrade(self) -> None:
        """Apply the migrations up to the newest schema (the only way the schema is made)."""
        migrate.upgrade(self.uow.engine)

    def require_schema(self) -> None:
        """Raise :class:`NotInitialised` unless the schema is at the newest revision."""
        if not migrate.is_initialised(self.uow.engine):
            raise NotInitialised(
                f"the workspace at {self.location} is not initialised or needs an upgrade: run 'rapid init' "
                "(or 'rapid db upgrade')"
            )

    def home_org_ref(self) -> str:
        """The ref of the organisation this workspace acts for (set by ``rapid init --org``)."""
        with self.uow.read() as session:
            value = session.scalar(select(Setting.value).where(Setting.key == HOME_ORG_KEY))
        return value or DEFAULT_HOME_ORG

    def close(self) -> None:
        """Release the database connections."""
        self.uow.engine.dispose()


def org_id(session, ref: str) -> int:
    """The id of the organisation with ``ref``.

    Raises:
        NotFound: no such organisation.
    """
    found = session.scalar(select(Organisation.id).where(Organisation.ref == ref))
    if found is None:
        raise NotFound(f"no organisation {ref!r} in this workspace")
    return found
