"""What an evaluation is made of: reason codes, checks, waivers, the decision rule."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, replace
from datetime import date
from enum import StrEnum
from typing import Any

from pipeline.states import Decision

CONFIDENT = 0.9


class Reason(StrEnum):
    """The fixed list of check codes; a check's code names the rule, its outcome says how it went."""

    HOLDER_MISMATCH = "holder_mismatch"
    INSURED_MISMATCH = "insured_mismatch"
    NOT_SIGNED = "not_signed"
    EDITION_NOT_ACCEPTED = "edition_not_accepted"
    DESCRIPTION_MISSING_REFERENCE = "description_missing_reference"
    LINE_MISSING = "line_missing"
    POLICY_EXPIRED = "policy_expired"
    POLICY_EXPIRING = "policy_expiring"
    TERM_NOT_COVERED = "term_not_covered"
    BASIS_MISMATCH = "basis_mismatch"
    ADDITIONAL_INSURED_MISSING = "additional_insured_missing"
    SUBROGATION_WAIVER_MISSING = "subrogation_waiver_missing"
    PRIMARY_NONCONTRIBUTORY_MISSING = "primary_noncontributory_missing"
    STATUTORY_MISSING = "statutory_missing"
    LIMIT_BELOW_MINIMUM = "limit_below_minimum"
    INSURER_NOT_ACCEPTED = "insurer_not_accepted"
    INSURER_RATING_BELOW_MINIMUM = "insurer_rating_below_minimum"
    NO_REQUIREMENT_SET = "no_requirement_set"
    TAMPER_SIGNAL = "tamper_signal"  # the file shows signs of being altered or self-issued (pipeline.signals)


@dataclass(frozen=True)
class Waiver:
    """A reviewer's decision to accept one failed check (by code, and line/key when given) until a date."""

    code: str
    by: str
    reason: str
    line: str | None = None
    key: str | None = None
    until: date | None = None

    def covers(self, check: Check, as_of: date) -> bool:
        return (self.code == check.code and self.line in (None, check.line) and self.key in (None, check.key)
                and (self.until is None or as_of <= self.until))


@dataclass(frozen=True)
class Check:
    code: str
    outcome: str  # pass | fail | unknown
    message: str
    requirement: str | None = None  # where in the requirement set the rule comes from
    line: str | None = None
    key: str | None = None
    expected: Any = None
    actual: Any = None
    confidence: float | None = None
    evidence: dict[str, Any] | None = None
    waiver: dict[str, Any] | None = None
    # For an ``unknown`` outcome from a value read with low confidence: what the value seemed to
    # give (``pass`` or ``fail``). A person confirms it; it is never reported as a fault.
    read_as: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None or k in {"expected", "actual"}}


@dataclass(frozen=True)
class Evaluation:
    decision: Decision
    checks: tuple[Check, ...]
    future: dict[str, Any] | None = field(default=None)
    signals: tuple[dict[str, Any], ...] = ()  # the certificate's tamper and inconsistent signals

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"decision": self.decision.value, "checks": [c.to_dict() for c in self.checks],
                                "signals": list(self.signals)}
        if self.future is not None:
            data["future"] = self.future
        return data

    def failed(self) -> list[Check]:
        return [c for c in self.checks if c.outcome != "pass" and c.waiver is None]


def decide(checks: list[Check] | tuple[Check, ...]) -> Decision:
    """approved only if every check passed confidently (or was waived); rejected on a confident
    failure; needs_review otherwise (no checks at all included)."""
    outcomes = {c.outcome for c in checks if c.waiver is None}
    if "fail" in outcomes:
        return Decision.REJECTED
    if not checks or "unknown" in outcomes:
        return Decision.NEEDS_REVIEW
    return Decision.APPROVED


def apply_waivers(checks: list[Check], waivers: list[Waiver] | tuple[Waiver, ...], as_of: date) -> list[Check]:
    out = []
    for check in checks:
        waiver = next((w for w in waivers if check.outcome != "pass" and w.covers(check, as_of)), None)
        if waiver is not None:
            check = replace(check, waiver={"by": waiver.by, "reason": waiver.reason,
                                           "until": waiver.until.isoformat() if waiver.until else None})
        out.append(check)
    return out


def normalise(text: str | None) -> str:
    """Text compared ignoring case, punctuation and runs of white space."""
    return re.sub(r"\s+", " ", re.sub(r"[^\w\s]", " ", (text or "").lower())).strip()


def money(amount: int | None) -> str:
    return "not shown" if amount is None else f"${amount:,}"


def difference(actual: str | None, expected: str) -> str:
    """Where two texts part ways, for a message: ' (differs from "…Home" at "s")'."""
    a, e = normalise(actual), normalise(expected)
    i = 0
    while i < min(len(a), len(e)) and a[i] == e[i]:
        i += 1
    if i == len(e) and len(a) > len(e):
        return f' (extra text after "{expected[-20:]}")'
    shown_a = a[i:i + 12] or "nothing"
    shown_e = e[i:i + 12] or "nothing"
    return f' (after "{e[max(0, i - 20):i]}" it reads "{shown_a}" where "{shown_e}" is required)'
