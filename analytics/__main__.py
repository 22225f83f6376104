"""``python -m analytics``: see :mod:`analytics.cli.main`.

The process's own endings are handled here, so that no traceback reaches the terminal:
a reader that stops early (``… | head``) and Ctrl-C.
"""

import os
import sys

from analytics.cli.main import main


def run() -> int:
    try:
        code = main()
        sys.stdout.flush()
        return code
    except BrokenPipeError:
        # The reader has gone: what is still buffered goes nowhere instead of raising
        # again when the interpreter flushes standard output at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except KeyboardInterrupt:
        print("\nПрервано.", file=sys.stderr)
        return 130


sys.exit(run())
