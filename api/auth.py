"""`Authorization: Bearer <key>` -> project. Every object belongs to a project; a key of another
project sees 404 for it (ids reveal nothing)."""

from __future__ import annotations

import hmac

from fastapi import Request

from core.errors import AuthenticationError

DEFAULT_PROJECT = "default"


class ApiKeys:
    """The configured keys; with none, auth is open and everything is the default project."""

    def __init__(self, projects: dict[str, str]) -> None:
        self._projects = projects

    @property
    def open(self) -> bool:
        return not self._projects

    def project_for(self, authorization: str | None) -> str:
        if self.open:
            return DEFAULT_PROJECT
        scheme, _, key = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not key:
            raise AuthenticationError(
                "You didn't provide an API key. You need to provide your API key in an "
                "Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY)."
            )
        for known, project in self._projects.items():
            # Constant-time comparison: the key is a secret.
            if hmac.compare_digest(known.encode(), key.strip().encode()):
                return project
        raise AuthenticationError("Incorrect API key provided.", code="invalid_api_key")


async def project_of(request: Request) -> str:
    """FastAPI dependency: the caller's project."""
    keys: ApiKeys = request.app.state.api_keys
    return keys.project_for(request.headers.get("authorization"))
