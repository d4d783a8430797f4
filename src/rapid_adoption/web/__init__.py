"""Server-rendered pages (Jinja2 + htmx): the pipeline board, needs, solutions, cases and sharing in a browser."""

from .app import install

__all__ = ["install"]
