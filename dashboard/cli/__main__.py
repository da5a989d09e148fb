"""``python -m dashboard.cli``: the same as the ``cxdash`` command."""

import sys

from dashboard.cli import main

sys.exit(main())
