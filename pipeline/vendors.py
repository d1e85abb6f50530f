"""Vendors, pure: which vendor record a certificate's insured is, where a vendor stands, and which
of our own emails an inbound message answers. No I/O.

Names are compared after folding case, punctuation and the legal form ("Inc.", "LLC", "Co"...),
with rapidfuzz's token-sort ratio (word order does not matter: "Roofing Blue Heron"). A name
matches at ``NAME_MATCH`` or more; two vendors matching alike (within ``AMBIGUOUS``) match neither,
and the certificate waits for a person to link it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from rapidfuzz import fuzz

from pipeline.scoring.model import normalise

NAME_MATCH = 90.0
AMBIGUOUS = 3.0
AGREE = 60.0  # a certificate that came by a vendor's thread: how like the vendor's names its insured must be
LEGAL_FORMS = frozenset({
    "inc", "incorporated", "llc", "l l c", "llp", "lp", "ltd", "limited", "co", "company", "corp", "corporation",
    "plc", "pllc", "pc", "the", "dba",
})
# Message-IDs of our own emails (workers/notify.py): a reply names them.
NOTIFICATION_ID = re.compile(r"<notification-(\d+)\.([0-9a-f]{1,32})@([^>\s]+)>", re.I)
MESSAGE_ID = re.compile(r"<[^<>\s]{1,500}>")


@dataclass(frozen=True)
class Candidate:
    """A vendor as matching needs it."""

    id: int
    name: str
    aliases: tuple[str, ...] = ()
    contacts: tuple[str, ...] = ()


@dataclass(frozen=True)
class Match:
    vendor_id: int
    by: str  # name | alias | sender
    score: float


def fold(name: str | None) -> str:
    """A name for comparison: lower case, no punctuation, no legal form."""
    words = normalise((name or "").replace("&", " and ").replace(".", "")).split()  # "L.L.C." is "LLC"
    return " ".join(w for w in words if w not in LEGAL_FORMS)


def match_vendor(insured: str | None, sender: str | None, vendors: Iterable[Candidate]) -> Match | None:
    """The vendor a certificate of ``insured`` (mailed by ``sender``) belongs to, or None.

    The name decides when exactly one vendor's name or alias matches; when none does (or several
    do alike), a sender listed among exactly one vendor's confirmed contacts decides."""
    vendors = list(vendors)
    wanted = fold(insured)
    scored: list[Match] = []
    if wanted:
        for vendor in vendors:
            best = max(((fuzz.token_sort_ratio(wanted, fold(name)), by) for name, by in
                        [(vendor.name, "name"), *((a, "alias") for a in vendor.aliases)] if fold(name)),
                       default=(0.0, "name"))
            if best[0] >= NAME_MATCH:
                scored.append(Match(vendor.id, best[1], round(best[0], 1)))
    scored.sort(key=lambda m: -m.score)
    if scored and (len(scored) == 1 or scored[0].score - scored[1].score > AMBIGUOUS):
        return scored[0]
    sender = (sender or "").strip().lower()
    if sender:
        mine = [v for v in vendors if sender in {c.lower() for c in v.contacts}]
        if scored:  # several names alike: the sender picks among them
            mine = [v for v in mine if v.id in {m.vendor_id for m in scored}]
        if len(mine) == 1:
            return Match(mine[0].id, "sender", 100.0)
    return None


def names_agree(insured: str | None, vendor: Candidate) -> bool:
    """Whether a certificate that came by a vendor's thread (a reply, a request) may be taken as
    the vendor's: its insured is unread, or not unlike the vendor's name or an alias (``AGREE``).
    A reply carrying another company's certificate (a subcontractor's, forwarded) waits for a person."""
    wanted = fold(insured)
    if not wanted:
        return True
    return max((fuzz.token_sort_ratio(wanted, fold(n)) for n in (vendor.name, *vendor.aliases) if fold(n)),
               default=0.0) >= AGREE


def answered(refs: Iterable[str], domain: str) -> list[tuple[int, str]]:
    """(notification id, event id) of our own emails among ``refs`` (In-Reply-To, then References),
    those of ``domain`` only. The caller checks both against its rows: the event id (a random hex)
    is what makes a Message-ID unguessable, so a forged reference links nothing."""
    out: list[tuple[int, str]] = []
    for ref in refs:
        found = NOTIFICATION_ID.fullmatch(ref.strip())
        if found and found.group(3).lower() == domain.lower():
            pair = (int(found.group(1)), found.group(2).lower())
            if pair not in out:
                out.append(pair)
    return out


def message_ids(*headers: str | None) -> list[str]:
    """The Message-IDs named in In-Reply-To and References headers, in order, once each (at most 50)."""
    seen: list[str] = []
    for header in headers:
        for ref in MESSAGE_ID.findall(header or ""):
            if ref not in seen:
                seen.append(ref)
    return seen[:50]


@dataclass(frozen=True)
class Filed:
    """One of a vendor's certificates as the standing needs it."""

    document_id: str
    tag: str | None
    decision: str | None  # the standing decision; None while it is being read
    expires_on: date | None
    received: str  # ISO time, for ordering


@dataclass(frozen=True)
class Standing:
    status: str  # compliant | missing
    reason: str  # in words
    document_id: str | None  # the compliant certificate, else the newest one


def standing(filed: Iterable[Filed], today: date, tag: str | None = None) -> Standing:
    """Where a vendor stands (for a project ``tag``, or any): ``compliant`` when an approved
    certificate in force is on file, else ``missing`` with why."""
    mine = sorted((f for f in filed if tag is None or f.tag == tag), key=lambda f: f.received, reverse=True)
    for f in mine:
        if f.decision == "approved" and (f.expires_on is None or f.expires_on > today):
            return Standing("compliant", "An approved certificate in force is on file.", f.document_id)
    if not mine:
        return Standing("missing", "No certificate has been received.", None)
    newest = mine[0]
    if newest.decision == "approved":
        reason = f"The newest approved certificate expired on {newest.expires_on.isoformat()}."
    elif newest.decision == "rejected":
        reason = "The newest certificate was not accepted."
    elif newest.decision == "needs_review":
        reason = "The newest certificate is waiting for a person's review."
    else:
        reason = "The newest certificate is still being read."
    return Standing("missing", reason, newest.document_id)
