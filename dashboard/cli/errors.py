"""The error the CLI shows as one line (exit code 2); imported by command modules."""

from __future__ import annotations


class CliError(Exception):
    """A message for the person at the terminal; exit code 2."""
