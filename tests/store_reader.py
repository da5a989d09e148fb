"""A stand-in for ``cxdash serve`` in another process (tests/test_store_sharing.py): the
dashboard's guarded engine on a store, reading as a signed-in viewer would, every 50 ms,
until ``STOP`` exists. One JSON line per read on stdout: the data version, the number of
feedback responses and the KPI response count, or the error's class and message.

Usage: python -m tests.store_reader URL STOP
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import sqlalchemy as sa

from dashboard import access, db, service
from queries import schema
from queries.filters import Filters


def main(url: str, stop: Path) -> None:
    engine = db.app_engine(url)
    access.set_viewer(access.SYSTEM)
    everything = Filters()
    count = sa.select(sa.func.count()).select_from(schema.feedback)
    while not stop.exists():
        try:
            version = db.data_version(engine)
            responses = int(db.fetch(count, engine).item())
            kpis = service.get_kpis(engine, everything)
            line = {"version": version, "responses": responses, "kpi": kpis["responses"]}
        except db.StoreError as exc:
            line = {"error": type(exc).__name__, "message": str(exc)}
        print(json.dumps(line), flush=True)
        time.sleep(0.05)


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]))
