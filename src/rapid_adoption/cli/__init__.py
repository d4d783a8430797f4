"""The ``rapid`` command line (Typer and Rich); one module per command group."""
