"""Request dependencies: the workspace, and the actor behind a bearer token."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from ..domain.sharing import Actor
from ..services.auth import AuthenticationFailed, actor_for_token
from ..services.workspace import Workspace

bearer = HTTPBearer(auto_error=False, description="An API token from `rapid tokens create --name NAME` (shown once).")


def get_workspace(request: Request) -> Workspace:
    """The workspace the application serves (set by :func:`rapid_adoption.api.create_app`)."""
    return request.app.state.workspace


def get_actor(request: Request,
              credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> Actor:
    """The actor of the request's ``Authorization: Bearer TOKEN``; each use of a token is audited.

    Raises:
        AuthenticationFailed: no bearer token, or one that is unknown, expired or revoked (401).
    """
    if credentials is None or credentials.scheme.lower() != "bearer" or not credentials.credentials.strip():
        raise AuthenticationFailed("send an API token: 'Authorization: Bearer TOKEN' (rapid tokens create --name NAME)")
    return actor_for_token(get_workspace(request), credentials.credentials)


WorkspaceDep = Annotated[Workspace, Depends(get_workspace)]
ActorDep = Annotated[Actor, Depends(get_actor)]

__all__ = ["ActorDep", "WorkspaceDep", "get_actor", "get_workspace"]
