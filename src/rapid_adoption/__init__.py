"""Rapid Adoption: an alliance's adoption pipeline for defence technology.

Public names are re-exported here: the error tree and the version.
"""

from .domain.errors import Conflict, GateNotSatisfied, NotFound, PermissionDenied, RapidError, ValidationError

__version__ = "0.1.0"

__all__ = [
    "__version__",
    "RapidError",
    "NotFound",
    "PermissionDenied",
    "ValidationError",
    "Conflict",
    "GateNotSatisfied",
]
