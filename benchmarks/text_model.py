"""Kept for old links: the comments benchmark is ``cxdash bench comments``
(``dashboard/bench/comments.py``)."""

import sys

from dashboard.bench.comments import main

if __name__ == "__main__":
    sys.exit(main())
