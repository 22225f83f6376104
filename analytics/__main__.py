"""``python -m analytics``: see :mod:`analytics.cli.main`."""

import sys

from analytics.cli.main import main

sys.exit(main())
