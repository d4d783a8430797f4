"""Assertions on CliRunner results, shared by the CLI test files."""

from __future__ import annotations

import json
import re

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def out(result) -> str:
    """Stdout without colour codes."""
    return ANSI.sub("", result.stdout)


def err(result) -> str:
    """Stderr without colour codes, stripped."""
    return ANSI.sub("", result.stderr).strip()


def ok(result) -> str:
    """Assert success and return stdout."""
    assert result.exit_code == 0, (result.exit_code, result.stdout, result.stderr, result.exception)
    return out(result)


def ok_json(result):
    """Assert success and parse stdout as JSON (nothing else may be on stdout)."""
    return json.loads(ok(result))


def fails(result, code: int, message: str) -> None:
    """Assert a handled failure: the exit code, ``error: MESSAGE`` on stderr, nothing on stdout."""
    assert result.exit_code == code, (result.exit_code, result.stdout, result.stderr, result.exception)
    assert isinstance(result.exception, SystemExit), result.exception
    assert err(result) == f"error: {message}"
    assert result.stdout == ""
