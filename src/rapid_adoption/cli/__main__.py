"""``python -m rapid_adoption.cli`` runs the ``rapid`` command."""

from .app import main

main()
