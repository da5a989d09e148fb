"""The dashboard's server process: Streamlit, warmed while it starts (``cxdash serve``).

    python -m dashboard.ui.serve run dashboard/app.py [streamlit options]

Same arguments as ``python -m streamlit``; the only difference is :func:`warm.warm` on a
thread of the same process, so the first page finds Plotly imported, the engine open,
the store's buffers warm and (sign-in off) its results cached. ``CXDASH_WARM=0`` skips
it.
"""

from __future__ import annotations

import os
import sys
import threading


def main() -> None:
    if os.environ.get("CXDASH_WARM", "1") != "0":
        from dashboard.ui.warm import warm

        threading.Thread(target=warm, name="cxdash-warm", daemon=True).start()
    from streamlit.web import cli

    sys.argv = ["streamlit", *sys.argv[1:]]
    sys.exit(cli.main())


if __name__ == "__main__":
    main()
