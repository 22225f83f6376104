"""Running ``python -m analytics`` in the test's own process, as a person would type it."""

from __future__ import annotations

import io

import pytest

from analytics.cli.main import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Exit code, standard output and standard error of one command."""
    out = io.StringIO()
    capsys.readouterr()
    try:
        code = main(list(argv), out=out)
    except SystemExit as exit_:
        code = exit_.code
    captured = capsys.readouterr()
    return code, out.getvalue() + captured.out, captured.err
