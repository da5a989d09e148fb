"""Test stores for the dashboard tests (AppTest and the browser).

``build_store(url)`` fills a fresh store with the seeded small demo data when the
generator is available (``data.generator.generate``), otherwise with a tiny,
deterministic hand-made store that has every shape the pages need: a funnel,
purchases, touchpoints with targets, two years of scored feedback with comments,
anonymous responses and low-n groups.
"""

from __future__ import annotations

import datetime as dt
import random

import polars as pl
import sqlalchemy as sa

from dashboard import db
from queries import schema

SEGMENTS = ("Consumer", "SMB", "Enterprise", "VIP")
REGIONS = ("Hà Nội", "TP.HCM", "Đà Nẵng")
CHANNELS = ("Website", "Zalo", "Store")
TOUCHPOINTS = ("Website", "Store", "Delivery", "Support")
STAGES = ("visit", "signup", "cart", "purchase", "repeat_purchase")
START = dt.datetime(2024, 1, 1)
DAYS = 730


def build_store(url: str, *, prefer_generator: bool = True) -> str:
    """Create the schema and the data on ``url``; return which data ("generator"/"tiny")."""
    engine = db.create_engine(url, external_access=True)
    try:
        db.create_schema(engine)
        if prefer_generator:
            try:
                from data.generator import generate
            except ImportError:
                generate = None
            if generate is not None:
                generate(engine, scale="small", seed=7)
                return "generator"
        _tiny(engine)
        return "tiny"
    finally:
        engine.dispose()


def _tiny(engine: sa.Engine) -> None:
    rng = random.Random(7)
    customers, events, feedback = [], [], []
    for i in range(400):
        cid = f"C{i:04d}"
        segment = SEGMENTS[0] if i % 10 < 6 else SEGMENTS[1 + i % 3]
        signup = START + dt.timedelta(days=rng.randrange(DAYS - 40), hours=rng.randrange(24))
        customers.append(
            {
                "customer_id": cid,
                "segment": segment,
                "region": REGIONS[i % 3],
                "channel": CHANNELS[rng.randrange(3)],
                "age_band": ("18-24", "25-34", "35-44")[i % 3],
                "gender": ("F", "M")[i % 2],
                "income_band": ("low", "mid", "high")[i % 3],
                "signup_at": signup,
            }  # fmt: skip
        )
        t = signup
        for position, stage in enumerate(STAGES):
            keep = {"visit": 1.0, "signup": 0.7, "cart": 0.6, "purchase": 0.7,
                    "repeat_purchase": 0.45}[stage]  # fmt: skip
            if SEGMENTS.index(segment) >= 2:
                keep = min(1.0, keep + 0.1)
            if rng.random() > keep:
                break
            t = t + dt.timedelta(hours=rng.randrange(1, 24 * (3 + position)))
            amount = round(rng.uniform(150_000, 5_000_000), -3) if "purchase" in stage else None
            events.append({"event_id": f"E{i}-{position}", "customer_id": cid, "stage": stage,
                           "occurred_at": t, "amount": amount, "channel": "Website"})  # fmt: skip
    for r in range(2400):
        anonymous = r % 15 == 0
        customer = customers[rng.randrange(len(customers))]
        touchpoint = TOUCHPOINTS[r % 4]
        when = START + dt.timedelta(days=rng.randrange(DAYS), minutes=rng.randrange(1440))
        base = {"Website": 8.2, "Store": 8.6, "Delivery": 7.0, "Support": 7.6}[touchpoint]
        if touchpoint == "Delivery" and customer["segment"] == "SMB":
            base -= 1.5
        nps = None if r % 11 == 0 else max(0, min(10, round(rng.gauss(base, 1.8))))
        csat = max(1, min(5, round(rng.gauss(base / 2.2, 0.9))))
        ces = max(1, min(7, round(rng.gauss(base / 1.6, 1.0))))
        tone = (
            "tuyệt vời, rất hài lòng"
            if (nps or 7) >= 9
            else ("bình thường" if (nps or 7) >= 7 else "slow and disappointing")
        )
        feedback.append(
            {"response_id": f"R{r:05d}", "responded_at": when, "touchpoint": touchpoint,
             "customer_id": None if anonymous else customer["customer_id"], "nps": nps,
             "csat": csat, "ces": ces, "comment": f"{touchpoint}: {tone}" if r % 3 else None,
             "channel": ("email", "app")[r % 2], "language": "vi" if r % 2 else "en"}
        )  # fmt: skip
    stages = [{"stage": s, "position": p + 1, "label": s.replace("_", " ").capitalize()}
              for p, s in enumerate(STAGES)]  # fmt: skip
    targets = [{"touchpoint": t, "journey_phase": "service", "target_csat": 80.0,
                "target_nps": 30.0} for t in TOUCHPOINTS]  # fmt: skip
    with db.begin(engine) as conn:
        for table, rows in (
            (schema.customers, customers), (schema.events, events),
            (schema.feedback, feedback), (schema.stages, stages),
            (schema.touchpoints, targets),
        ):  # fmt: skip
            db.append_frame(conn, table, pl.DataFrame(rows, infer_schema_length=None))
