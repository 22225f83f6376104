"""The one base of every error a user can act on.

Each error of the engine carries its Russian message (``str(error)``) and the command
line's exit status, so the command line and the pages catch this one class instead of
listing the engine's errors by hand; anything else is a bug, logged and shown as such.
"""

from __future__ import annotations


class MonitoringError(Exception):
    """An error with a Russian message a person can act on."""

    # The command line's exit status: 1 bad data or a refused action, 2 bad usage.
    exit_code = 1


class ValueProblem(MonitoringError, ValueError):
    """A cell or a typed value that cannot be read as its type; the message is in Russian."""
