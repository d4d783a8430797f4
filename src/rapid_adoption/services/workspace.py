"""The workspace: one database, its settings, and the clock services read ``now`` from."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

import os

from sqlalchemy import select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from ..domain.errors import NotFound, RapidError
from ..settings import Settings
from ..store import migrate
from ..store.engine import make_engine
from ..store.tables import Organisation, Setting
from ..store.uow import UnitOfWork

HOME_ORG_KEY = "home_org"
DEFAULT_USER_KEY = "default_user"
DEFAULT_HOME_ORG = "DIANA"


def system_now() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(timezone.utc)


class Clock:
    """The process-wide default clock; tests freeze it by replacing :attr:`now`."""

    now: Callable[[], datetime] = staticmethod(system_now)


CLOCK = Clock()


class StoreUnavailable(RapidError):
    """The workspace database cannot be opened: a missing folder, a file that is not a database, a server down."""

    exit_code = 8
    http_status = 503


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
        """Apply the migrations up to the newest schema (the only way the schema is made).

        Raises:
            StoreUnavailable: the database cannot be opened or created.
        """
        self.check_reachable(create=True)
        migrate.upgrade(self.uow.engine)

    def sqlite_path(self) -> Path | None:
        """The SQLite file of this workspace, or None for another backend or an in-memory database."""
        url = make_url(self.settings.database_url)
        if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
            return None
        return Path(url.database)

    def check_reachable(self, create: bool) -> None:
        """Check that the database can be opened, before any SQL runs.

        Args:
            create: a missing SQLite file may be created (``rapid init``, ``rapid quickstart``);
                otherwise a missing file means the workspace is not initialised, and no empty
                file is left behind.

        Raises:
            NotInitialised: the SQLite file does not exist and ``create`` is False.
            StoreUnavailable: the folder does not exist or is not writable, the file is not a SQLite
                database, or the server cannot be reached.
        """
        path = self.sqlite_path()
        if path is not None:
            if not path.exists():
                if not create:
                    raise NotInitialised(f"there is no workspace at {self.location}: run 'rapid init' or 'rapid quickstart'")
                if not path.parent.is_dir():
                    raise StoreUnavailable(f"cannot create the workspace {path}: the folder {path.parent} does not exist")
                if not os.access(path.parent, os.W_OK):
                    raise StoreUnavailable(f"cannot create the workspace {path}: the folder {path.parent} is not writable")
                return  # connecting would create an empty file; the migrations create it
            elif path.is_dir():
                raise StoreUnavailable(f"the workspace path {path} is a folder, not a database file")
        try:
            with self.uow.engine.connect() as connection:
                connection.exec_driver_sql("SELECT 1 FROM sqlite_master LIMIT 1" if path else "SELECT 1")
        except DBAPIError as exc:
            reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
            raise StoreUnavailable(f"cannot open the workspace database {self.location}: {reason}") from None

    def require_schema(self) -> None:
        """Raise :class:`NotInitialised` unless the schema is at the newest revision.

        Raises:
            NotInitialised: no schema, or an older one.
            StoreUnavailable: the database cannot be opened (see :meth:`check_reachable`).
        """
        self.check_reachable(create=False)
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

    def default_username(self) -> str | None:
        """The user the CLI acts as when told nothing else (the first admin, made by ``rapid init``)."""
        with self.uow.read() as session:
            return session.scalar(select(Setting.value).where(Setting.key == DEFAULT_USER_KEY))

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
