"""Who the demo's customers are: dimensions, latent satisfaction, names and contacts."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from data import vocab
from data.sampling import labels, pick, pick_by, with_missing
from data.story_why import why_story

SEGMENTS = ("Consumer", "SMB", "Enterprise", "VIP")
SEGMENT_SHARE = (0.78, 0.13, 0.03, 0.06)
ACQUISITION = ("Website", "Facebook", "Zalo", "TikTok", "Email", "Referral", "Store", "Cold call")
# Acquisition channel mix per segment (rows follow SEGMENTS): businesses come through
# cold calls and referrals, young consumers through TikTok and Facebook.
ACQUISITION_BY_SEGMENT = np.array(
    [
        [0.23, 0.21, 0.14, 0.14, 0.05, 0.08, 0.13, 0.02],
        [0.22, 0.12, 0.14, 0.03, 0.12, 0.12, 0.10, 0.15],
        [0.20, 0.05, 0.08, 0.00, 0.15, 0.17, 0.05, 0.30],
        [0.18, 0.10, 0.15, 0.05, 0.10, 0.17, 0.23, 0.02],
    ]
)
AGE_BANDS = ("18-24", "25-34", "35-44", "45-54", "55+")
AGE_BY_ACQUISITION = np.array(
    [
        [0.18, 0.36, 0.24, 0.14, 0.08],
        [0.22, 0.38, 0.22, 0.12, 0.06],
        [0.10, 0.30, 0.28, 0.20, 0.12],
        [0.45, 0.38, 0.11, 0.04, 0.02],
        [0.08, 0.30, 0.30, 0.20, 0.12],
        [0.15, 0.35, 0.27, 0.15, 0.08],
        [0.10, 0.25, 0.27, 0.22, 0.16],
        [0.04, 0.22, 0.34, 0.25, 0.15],
    ]
)
GENDERS = ("Female", "Male", "Other")
GENDER_SHARE = (0.56, 0.43, 0.01)
INCOME_BANDS = ("Under 10M", "10-20M", "20-40M", "40M+")  # VND per month
INCOME_BY_SEGMENT = np.array(
    [
        [0.35, 0.37, 0.20, 0.08],
        [0.12, 0.30, 0.35, 0.23],
        [0.05, 0.20, 0.35, 0.40],
        [0.03, 0.12, 0.35, 0.50],
    ]
)
# Share of customers whose CRM record lacks the value (shown as '(unknown)').
MISSING_SHARE = {
    "channel": 0.007,
    "region": 0.015,
    "age_band": 0.02,
    "gender": 0.02,
    "income_band": 0.07,
}

# Channels where events happen; the first visit comes through the acquisition channel.
EVENT_CHANNELS = (
    "Website",
    "Mobile app",
    "Store",
    "Facebook",
    "Zalo",
    "TikTok",
    "Email",
    "Call center",
)
FIRST_VISIT_CHANNEL = np.array([0, 3, 4, 5, 6, 0, 2, 7])  # per ACQUISITION
# Where a customer usually shops, by acquisition channel (columns: EVENT_CHANNELS).
HOME_CHANNEL = np.array(
    [
        [0.55, 0.25, 0.10, 0.02, 0.04, 0.00, 0.0, 0.04],
        [0.25, 0.30, 0.05, 0.30, 0.08, 0.00, 0.0, 0.02],
        [0.15, 0.30, 0.10, 0.03, 0.40, 0.00, 0.0, 0.02],
        [0.10, 0.40, 0.03, 0.02, 0.02, 0.43, 0.0, 0.00],
        [0.50, 0.35, 0.08, 0.00, 0.03, 0.00, 0.0, 0.04],
        [0.35, 0.35, 0.20, 0.02, 0.06, 0.00, 0.0, 0.02],
        [0.08, 0.15, 0.70, 0.00, 0.05, 0.00, 0.0, 0.02],
        [0.35, 0.10, 0.10, 0.00, 0.10, 0.00, 0.0, 0.35],
    ]
)
AWAY_CHANNEL = np.array([0.40, 0.35, 0.25, 0, 0, 0, 0, 0])  # when not shopping at home
HOME_SHARE = 0.75

SEGMENT_SATISFACTION = np.array([0.0, -0.05, -0.1, 0.25])
TOUCHPOINT_COUNT = 7  # data.feedback.TOUCHPOINTS (a test checks; feedback imports people)


@dataclass
class People:
    """A chunk of customers: codes (indices into the constants above) that the funnel and
    the surveys draw from, and their ``customers`` rows."""

    n: int
    ids: pl.Series
    segment: np.ndarray
    acquisition: np.ndarray
    home: np.ndarray
    satisfaction: np.ndarray
    english: np.ndarray
    frame: pl.DataFrame  # their customers rows, without signup_at (see History)
    # (n, touchpoints): each customer's own experience of each touchpoint, shared by all
    # their responses there (data.story_why: what makes one touchpoint drive NPS).
    experience: np.ndarray


def draw_people(rng: np.random.Generator, first: int, n: int) -> People:
    segment = pick(rng, n, SEGMENT_SHARE)
    acquisition = pick_by(rng, segment, ACQUISITION_BY_SEGMENT)
    region = pick(rng, n, list(vocab.REGIONS.values()))
    age = pick_by(rng, acquisition, AGE_BY_ACQUISITION)
    gender = pick(rng, n, GENDER_SHARE)
    income = pick_by(rng, segment, INCOME_BY_SEGMENT)
    ids = pl.Series(np.arange(first + 1, first + n + 1)).cast(pl.String).str.zfill(7)
    ids = ("C" + ids).alias("customer_id")
    region_names = list(vocab.REGIONS)
    big_city = np.isin(region, [region_names.index(c) for c in vocab.BIG_CITIES])
    english = rng.random(n) < 0.05 + 0.07 * big_city + 0.2 * (segment == 2)
    frame = pl.DataFrame(
        {
            "customer_id": ids,
            "segment": labels(SEGMENTS, segment),
            "region": labels(region_names, with_missing(rng, region, MISSING_SHARE["region"])),
            "channel": labels(
                ACQUISITION, with_missing(rng, acquisition, MISSING_SHARE["channel"])
            ),
            "age_band": labels(AGE_BANDS, with_missing(rng, age, MISSING_SHARE["age_band"])),
            "gender": labels(GENDERS, with_missing(rng, gender, MISSING_SHARE["gender"])),
            "income_band": labels(
                INCOME_BANDS, with_missing(rng, income, MISSING_SHARE["income_band"])
            ),
        }
    )
    frame = frame.with_columns(_contacts(rng, gender))
    experience = rng.normal(0.0, why_story().customer_touchpoint_sd, (n, TOUCHPOINT_COUNT))
    return People(
        n=n,
        ids=ids,
        segment=segment,
        acquisition=acquisition,
        home=pick_by(rng, acquisition, HOME_CHANNEL),
        satisfaction=SEGMENT_SATISFACTION[segment] + rng.standard_normal(n),
        english=english,
        frame=frame,
        experience=experience,
    )


def _contacts(rng: np.random.Generator, gender: np.ndarray) -> list[pl.Series]:
    """Name, e-mail and phone: Vietnamese names in family-middle-given order."""
    n = len(gender)
    family_names = list(vocab.FAMILY_NAMES)
    family = pick(rng, n, list(vocab.FAMILY_NAMES.values()))
    # 'Other' gender: names drawn from either list.
    female = np.where(gender == 2, rng.random(n) < 0.5, gender == 0)
    parts = {"family": labels(family_names, family)}
    ascii_parts = {"family": labels([vocab.ascii_fold(f) for f in family_names], family)}
    for part, lists in (("middle", vocab.MIDDLE_NAMES), ("given", vocab.GIVEN_NAMES)):
        female_pick = rng.integers(0, len(lists["Female"]), n)
        male_pick = rng.integers(0, len(lists["Male"]), n)
        names = [*lists["Female"], *lists["Male"]]
        codes = np.where(female, female_pick, len(lists["Female"]) + male_pick)
        parts[part] = labels(names, codes)
        ascii_parts[part] = labels([vocab.ascii_fold(x) for x in names], codes)
    frame = pl.DataFrame(
        {
            **parts,
            "given_ascii": ascii_parts["given"],
            "family_ascii": ascii_parts["family"],
            "number": pl.Series(rng.integers(1, 2000, n)).cast(pl.String),
            "with_number": rng.random(n) < 0.8,
            "domain": labels(
                list(vocab.EMAIL_DOMAINS), pick(rng, n, [*vocab.EMAIL_DOMAINS.values()])
            ),
            "has_email": rng.random(n) >= 0.1,
            "prefix": labels(vocab.PHONE_PREFIXES, rng.integers(0, len(vocab.PHONE_PREFIXES), n)),
            "line": pl.Series(rng.integers(0, 10_000_000, n)).cast(pl.String).str.zfill(7),
            "has_phone": rng.random(n) >= 0.05,
        }
    )
    out = frame.select(
        pl.concat_str("family", "middle", "given", separator=" ").alias("name"),
        pl.when("has_email")
        .then(
            pl.concat_str(
                "given_ascii",
                pl.lit("."),
                "family_ascii",
                pl.when("with_number").then("number").otherwise(pl.lit("")),
                pl.lit("@"),
                "domain",
            )
        )
        .alias("email"),
        pl.when("has_phone").then(pl.concat_str("prefix", "line")).alias("phone"),
    )
    return [out["name"], out["email"], out["phone"]]
