"""The HTTP API under ``/api`` and the composition of the whole web application (:func:`create_app`)."""

from .app import create_app

__all__ = ["create_app"]
