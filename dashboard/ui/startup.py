"""What every session needs imported before its first chart: done once per server, before
any page draws.

Plotly reads numpy, pandas and PIL through ``sys.modules`` when they are already being
imported (``get_module(..., should_load=False)``), so a session that draws while another
session's first run is still importing pandas gets a half-initialised module
(``AttributeError: partially initialized module 'pandas' has no attribute 'Series'``).
:func:`warm_up` imports them completely, under a lock, before the entry script goes on.
"""

from __future__ import annotations

import importlib
import threading

# What plotly (figures, validators, JSON) may take from sys.modules, in import order.
MODULES = ("numpy", "pandas", "PIL.Image", "orjson", "plotly.graph_objects", "plotly.io",
           "plotly.express")  # fmt: skip
OPTIONAL = {"PIL.Image", "orjson"}

_lock = threading.Lock()
_done = False


def warm_up() -> None:
    """Import :data:`MODULES` completely, once; concurrent callers wait until it is done."""
    global _done
    if _done:
        return
    with _lock:
        if _done:
            return
        for name in MODULES:
            try:
                importlib.import_module(name)
            except ImportError:
                if name not in OPTIONAL:
                    raise
        _done = True
