"""Helpers of the badge tests (service, API, pages, CLI): the quickstart's deployment secret, the demonstration badge,
and the EU-DEFIS board that issued it.

The quickstart awards one badge (its demonstration case, owned by the European Commission's DG DEFIS) and makes the
issuer key encrypted under the deployment secret. On SQLite the secret is the key file next to the workspace file,
so a test's copy of the quickstart workspace needs a copy of that file too (:func:`with_secret`); on PostgreSQL the
key file is in the current folder and every copy shares it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from rapid_adoption.services.auth import actor_for_username, create_user
from rapid_adoption.services.issuers import SECRET_FILE_NAME

DEMO_CASE = "QS-EDF-101167796"
DEMO_CASE_ID = 23
"""The quickstart's demonstration case (E-CUAS on EDF-2023-DA-AIRDEF-CUAS), owned by EU-DEFIS."""
DEMO_COMPANY = "PIC-998627417"
"""LEONARDO - SOCIETA PER  AZIONI, E-CUAS's coordinator."""
BADGE_CASE = "QS-EDF-101121113"
"""An EDF case waiting at its badge gate with no trial (its tevv gate was inferred from the project's end)."""
ISSUER_NAME = "European Commission, Directorate-General for Defence Industry and Space"


def with_secret(ws, backend: str, templates, tmp_path: Path):
    """``ws`` (a copy of the quickstart workspace) with the deployment secret its issuer key is encrypted under."""
    if backend == "sqlite":
        source = Path(templates("sqlite", "quickstart")).with_name(SECRET_FILE_NAME)
        shutil.copy(source, tmp_path / SECRET_FILE_NAME)
    return ws


def defis_board(ws, username: str = "defis.board"):
    """A board member of EU-DEFIS (made by the real service, as 'rapid users add NAME --org EU-DEFIS --role board')."""
    create_user(ws, None, username, "EU-DEFIS", ["board"])
    return actor_for_username(ws, username)


def secret_file_of(ws) -> Path:
    """Where the workspace's deployment secret lives (the key file of :mod:`rapid_adoption.services.issuers`)."""
    from rapid_adoption.services.issuers import badge_settings

    return badge_settings(ws, {}).secret_file
