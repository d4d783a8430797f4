"""The unit of work: one session, one transaction, rolled back unless committed."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from .engine import WRITE_OPTION
from .sharing import install_guard


class UnitOfWork:
    """Hands out sessions bound to one engine.

    Use ``with uow.transaction() as session:``: the work is committed when the block ends normally
    and rolled back when it raises, so nothing partial is ever written.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._factory = sessionmaker(engine.execution_options(**{WRITE_OPTION: True}), expire_on_commit=False)
        self._read_factory = sessionmaker(engine, expire_on_commit=False)
        install_guard(self._factory)
        install_guard(self._read_factory)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """Yield a session inside a transaction; commit on success, roll back on any exception."""
        session = self._factory()
        try:
            with session.begin():
                yield session
        finally:
            session.close()

    @contextmanager
    def read(self) -> Iterator[Session]:
        """Yield a session for reads; it is rolled back at the end, so nothing it did is kept."""
        session = self._read_factory()
        try:
            yield session
        finally:
            session.rollback()
            session.close()
