"""``python -m analytics``: see :mod:`analytics.cli`."""

import sys

from .cli import main

sys.exit(main())
