"""Suggest a column mapping from a file's header.

Known column names of common CRM and survey exports (Salesforce, HubSpot,
Qualtrics, SurveyMonkey, Typeform, Google Forms) come first, then words that give a
column away ("recommend" is NPS, "effort" is CES), then close spellings (difflib).
The result is TOML the person edits and passes back with ``--mapping``.
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from dashboard.ingest.validate import required_columns
from queries import schema

# canonical column -> known source names (compared lower-case, letters and digits only)
_CUSTOMER_ID = [
    "customerid", "contactid", "recordid", "accountid", "clientid", "customernumber",
    "externalreference", "userid", "id",
]  # fmt: skip
KNOWN: dict[str, dict[str, list[str]]] = {
    "customers": {
        "customer_id": _CUSTOMER_ID,
        "segment": ["segment", "customersegment", "tier", "type", "accounttype", "customertype"],
        "region": [
            "region", "stateregion", "state", "province", "mailingstateprovince",
            "billingstateprovince", "customerstate", "city", "area",
        ],
        "channel": [
            "channel", "leadsource", "originalsource", "acquisitionchannel", "source",
            "utmsource", "latestsource",
        ],
        "age_band": ["ageband", "agegroup", "agerange", "age"],
        "gender": ["gender", "sex"],
        "income_band": ["incomeband", "incomerange", "income", "annualincome"],
        "signup_at": [
            "signupat", "signupdate", "createdate", "createddate", "createdat",
            "registrationdate", "becameacustomerdate", "customersince",
        ],
        "name": ["name", "fullname", "contactname", "accountname", "customername"],
        "email": ["email", "emailaddress", "mail"],
        "phone": ["phone", "phonenumber", "mobile", "mobilephone", "telephone"],
    },
    "events": {
        "event_id": [
            "eventid", "opportunityid", "dealid", "orderid", "transactionid", "invoiceid",
        ],
        "customer_id": _CUSTOMER_ID,
        "stage": ["stage", "stagename", "dealstage", "eventtype", "event", "lifecyclestage"],
        "occurred_at": [
            "occurredat", "eventtime", "eventdate", "timestamp", "closedate", "date",
            "createdate", "createddate", "orderdate",
        ],
        "amount": ["amount", "value", "revenue", "total", "ordertotal", "paymentvalue", "price"],
        "channel": ["channel", "source", "leadsource", "saleschannel"],
    },
    "feedback": {
        "response_id": [
            "responseid", "respondentid", "submissionid", "networkid", "token", "reviewid",
            "surveyresponseid", "id",
        ],
        "responded_at": [
            "respondedat", "recordeddate", "enddate", "submittedat", "submitdateutc",
            "submitdate", "timestamp", "datecreated", "completedat", "reviewcreationdate",
            "startdate", "date",
        ],
        "touchpoint": ["touchpoint", "journeystep", "surveyname", "surveytitle"],
        "customer_id": _CUSTOMER_ID,
        "nps": ["nps", "npsscore", "likelihoodtorecommend", "qnps", "recommendscore"],
        "csat": ["csat", "satisfaction", "overallsatisfaction", "reviewscore", "rating"],
        "ces": ["ces", "customereffortscore", "effortscore", "ease"],
        "comment": [
            "comment", "comments", "feedback", "verbatim", "reviewcommentmessage", "message",
            "openended", "text",
        ],
        "channel": ["channel", "distributionchannel", "collector", "collectorid", "surveychannel"],
        "language": ["language", "userlanguage", "lang", "locale"],
    },
    "stages": {
        "stage": ["stage", "stagename", "step", "name"],
        "position": ["position", "order", "sequence", "rank", "stepnumber"],
        "label": ["label", "displayname", "title"],
    },
    "touchpoints": {
        "touchpoint": ["touchpoint", "name"],
        "journey_phase": ["journeyphase", "phase", "journeystage"],
        "target_csat": ["targetcsat", "csattarget"],
        "target_nps": ["targetnps", "npstarget"],
    },
}  # fmt: skip
# Words inside long survey questions that give the canonical column away.
KEYWORDS = {
    "feedback": {
        "nps": ("recommend",),
        "csat": ("satisf",),
        "ces": ("effort", "easy"),
        "comment": ("comment", "tellus", "why", "anythingelse"),
    }
}
FUZZY_CUTOFF = 0.8


def normalise(name: str) -> str:
    return re.sub(r"[^0-9a-z]", "", name.casefold())


@dataclass
class Suggestion:
    """canonical column -> (source column, why)."""

    table: str
    columns: dict[str, tuple[str, str]] = field(default_factory=dict)
    unmapped: list[str] = field(default_factory=list)

    def missing_required(self) -> list[str]:
        return [c for c in required_columns(self.table) if c not in self.columns]


def suggest_mapping(header: list[str], table: str) -> Suggestion:
    """Match each canonical column of ``table`` with at most one source column."""
    known = KNOWN[table]
    canonical = [str(c.name) for c in schema.TABLES[table].c]
    by_norm = {normalise(h): h for h in header}
    used: set[str] = set()
    out = Suggestion(table=table)

    def take(target: str, source: str, why: str) -> None:
        out.columns[target] = (source, why)
        used.add(source)

    # 1. exact canonical names, 2. known export names (in order of preference).
    for target in canonical:
        if normalise(target) in by_norm:
            take(target, by_norm[normalise(target)], "canonical name")
    for target in canonical:
        if target in out.columns:
            continue
        for alias in known.get(target, []):
            source = by_norm.get(alias)
            if source and source not in used:
                take(target, source, "known export name")
                break
    # 3. telling words in long questions.
    for target, words in KEYWORDS.get(table, {}).items():
        if target in out.columns:
            continue
        for h in header:
            if h not in used and any(w in normalise(h) for w in words):
                take(target, h, "question wording")
                break
    # 4. close spellings of the canonical and known names.
    for target in canonical:
        if target in out.columns:
            continue
        names = {normalise(target), *known.get(target, [])}
        best, best_ratio = None, 0.0
        for h in header:
            if h in used:
                continue
            for name in names:
                ratio = difflib.SequenceMatcher(None, normalise(h), name).ratio()
                if ratio > best_ratio:
                    best, best_ratio = h, ratio
        if best is not None and best_ratio >= FUZZY_CUTOFF:
            take(target, best, f"similar name ({best_ratio:.2f})")
    out.unmapped = [h for h in header if h not in used]
    return out


def _toml_string(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def to_toml(suggestion: Suggestion, *, file: str | None = None) -> str:
    """The suggestion as a mapping file to edit (comments say what to check)."""
    table = suggestion.table
    lines = [
        f"# Suggested mapping for {table}" + (f" from {file}" if file else ""),
        "# Check every line, then: cxdash import "
        + f"{table} {file or 'FILE'} --mapping THIS_FILE.toml",
        f"table = {_toml_string(table)}",
        "# dayfirst = true        # dates written dd/mm/yyyy (false: mm/dd/yyyy)",
        '# date_format = "%d.%m.%Y %H:%M"',
        "",
        "[columns]",
    ]
    for column in (str(c.name) for c in schema.TABLES[table].c):
        if column in suggestion.columns:
            source, why = suggestion.columns[column]
            lines.append(f"{column} = {_toml_string(source)}  # {why}")
    missing = suggestion.missing_required()
    lines += ["", "[constants]  # the same value on every row"]
    for column in missing:
        lines.append(
            f'# {column} = "..."  # REQUIRED and no column found: map a column above or set it'
        )
    if table == "feedback" and "touchpoint" not in missing:
        lines.append('# touchpoint = "Website"')
    if suggestion.unmapped:
        lines += ["", "# Columns not used: " + ", ".join(suggestion.unmapped)]
    return "\n".join(lines) + "\n"


def suggest_for_file(
    path: str | Path, table: str, *, encoding: str | None = None, sheet: str | None = None
) -> str:
    """Suggested mapping TOML for a file's header (``cxdash import ... --suggest``)."""
    from dashboard.ingest.read import open_source

    source = open_source(path, encoding=encoding, sheet=sheet)
    try:
        return to_toml(suggest_mapping(source.columns, table), file=Path(path).name)
    finally:
        source.close()
