"""Python's cycle collector held off while a file is read, checked and written.

Reading a country's file creates a few million objects that all stay alive until the
upload ends (its rows, their columns, the records): every full collection meanwhile walks
all of them and finds nothing to free, a sixth of an upload's time. Cycles made meanwhile
are collected as usual once the outermost paused block ends.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0
_was_enabled = False


@contextmanager
def paused() -> Iterator[None]:
    """No automatic collection inside the block (also a decorator). Blocks may nest and
    run in several threads at once: the collector is enabled again, if it was enabled
    before the first of them, when the last one ends."""
    global _depth, _was_enabled
    with _lock:
        if _depth == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _was_enabled:
                gc.enable()
