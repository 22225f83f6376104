"""Another process holding a database file open, as a running dashboard would."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def hold(path: Path, seconds: float) -> subprocess.Popen:
    """Start a process that opens the database, says so and holds it for ``seconds``;
    returns once the database is held."""
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb, time; c = duckdb.connect({str(path)!r}); "
            f"print('ready', flush=True); time.sleep({seconds}); c.close()",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout.readline().strip() == "ready"
    return holder


@contextmanager
def held(path: Path) -> Iterator[subprocess.Popen]:
    """The database held by another process for the duration of the block."""
    holder = hold(path, 60)
    try:
        yield holder
    finally:
        holder.kill()
        holder.wait()
