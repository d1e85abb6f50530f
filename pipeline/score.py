"""Score an extracted certificate against a holder's requirement set (pure).

Input shapes: ../shared/contract/certificate.md and requirements.md. The output is the contract's
evaluation: a decision and one check per requirement, each with a sentence a contractor understands.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from typing import Any

from pipeline.states import Decision

CONFIDENT = 0.9

LINE_NAMES = {
    "general_liability": "General liability",
    "automobile_liability": "Automobile liability",
    "umbrella_liability": "Umbrella liability",
    "excess_liability": "Excess liability",
    "workers_compensation": "Workers compensation",
    "other": "Other coverage",
}


LIMIT_NAMES = {
    "each_occurrence": "each occurrence",
    "damage_to_rented_premises": "damage to rented premises",
    "medical_expense": "medical expense",
    "personal_advertising_injury": "personal and advertising injury",
    "general_aggregate": "general aggregate",
    "products_completed_operations_aggregate": "products-completed operations aggregate",
    "combined_single_limit": "combined single limit",
    "bodily_injury_per_person": "bodily injury per person",
    "bodily_injury_per_accident": "bodily injury per accident",
    "property_damage": "property damage",
    "aggregate": "aggregate",
    "retention": "retention",
    "el_each_accident": "employers' liability each accident",
    "el_disease_each_employee": "employers' liability disease each employee",
    "el_disease_policy_limit": "employers' liability disease policy limit",
    "limit": "limit",
}


@dataclass(frozen=True)
class Check:
    code: str
    outcome: str  # pass | fail | unknown
    message: str
    line: str | None = None
    key: str | None = None
    expected: Any = None
    actual: Any = None
    confidence: float | None = None
    evidence: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None or k in {"expected", "actual"}}


@dataclass(frozen=True)
class Evaluation:
    decision: Decision
    checks: tuple[Check, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"decision": self.decision.value, "checks": [c.to_dict() for c in self.checks]}


def normalise(text: str | None) -> str:
    """Text compared ignoring case, punctuation and runs of white space."""
    return re.sub(r"\s+", " ", re.sub(r"[^\w\s]", " ", (text or "").lower())).strip()


def money(amount: int | None) -> str:
    return "not shown" if amount is None else f"${amount:,}"


class _Scorer:
    def __init__(self, certificate: dict[str, Any], requirements: dict[str, Any], as_of: date):
        self.cert = certificate
        self.req = requirements
        self.as_of = as_of
        self.evidence: dict[str, Any] = certificate.get("evidence") or {}
        self.holder_label = (requirements.get("holder") or {}).get("name") or requirements.get("name") or "The holder"
        self.checks: list[Check] = []

    def confidence(self, pointer: str) -> float:
        item = self.evidence.get(pointer)
        return float(item.get("confidence", 1.0)) if item else 1.0

    def add(self, code: str, ok: bool, message: str, *, pointer: str | None = None, **fields: Any) -> None:
        conf = self.confidence(pointer) if pointer else None
        outcome = "pass" if ok else "fail"
        if conf is not None and conf < CONFIDENT:
            outcome = "unknown"
            message += f" (read with low confidence {conf:.2f}: a person should confirm)"
        evidence = self.evidence.get(pointer) if pointer else None
        self.checks.append(Check(code, outcome, message, confidence=conf, evidence=evidence, **fields))

    def policies(self, line: str) -> list[tuple[int, dict[str, Any]]]:
        lines = {line, "excess_liability"} if line == "umbrella_liability" else {line}
        return [(i, p) for i, p in enumerate(self.cert.get("policies") or []) if p.get("line") in lines]

    def run(self) -> Evaluation:
        self.check_holder()
        self.check_insured()
        self.check_signature()
        self.check_edition()
        self.check_description()
        for line, rule in (self.req.get("lines") or {}).items():
            self.check_line(line, rule or {})
        return Evaluation(decide(self.checks), tuple(self.checks))

    def check_holder(self) -> None:
        want = self.req.get("holder")
        if not want:
            return
        got = self.cert.get("certificate_holder") or {}
        for part in ("name", "address"):
            if not want.get(part):
                continue
            ok = normalise(got.get(part)) == normalise(want[part])
            message = (f"The certificate holder {part} is {got.get(part)!r}; "
                       f"it must read {want[part]!r}.") if not ok else f"The certificate holder {part} matches."
            self.add("holder_mismatch", ok, message, key=part, expected=want[part], actual=got.get(part),
                     pointer=f"/certificate_holder/{part}")

    def check_insured(self) -> None:
        want = self.req.get("insured_name")
        if not want:
            return
        got = (self.cert.get("insured") or {}).get("name")
        ok = normalise(want) in normalise(got)
        message = (f"The insured is {got!r}; the certificate must name {want!r}." if not ok
                   else "The insured name matches.")
        self.add("insured_mismatch", ok, message, expected=want, actual=got, pointer="/insured/name")

    def check_signature(self) -> None:
        if not self.req.get("signature_required"):
            return
        signed = self.cert.get("signed")
        self.add("not_signed", signed is True,
                 "The certificate is signed by an authorized representative." if signed
                 else "The certificate is not signed by an authorized representative.",
                 expected=True, actual=signed, pointer="/signed")

    def check_edition(self) -> None:
        allowed = self.req.get("editions")
        if not allowed:
            return
        edition = (self.cert.get("form") or {}).get("edition")
        self.add("edition_not_accepted", edition in allowed,
                 f"The form edition is {edition or 'unknown'}; accepted editions are {', '.join(allowed)}.",
                 expected=allowed, actual=edition, pointer="/form/edition")

    def check_description(self) -> None:
        text = normalise(self.cert.get("description_of_operations"))
        for phrase in self.req.get("description_must_mention") or []:
            ok = normalise(phrase) in text
            self.add("description_missing_reference", ok,
                     f"The description of operations mentions {phrase!r}." if ok
                     else f"The description of operations must mention {phrase!r}.",
                     expected=phrase, pointer="/description_of_operations")

    def check_line(self, line: str, rule: dict[str, Any]) -> None:
        name = LINE_NAMES.get(line, line)
        found = self.policies(line)
        if not found:
            if rule.get("required"):
                self.add("line_missing", False, f"{name} is not on the certificate; {self.holder_label} requires it.",
                         line=line)
            return
        index, policy = max(found, key=lambda item: _limit_total(item[1]))
        base = f"/policies/{index}"
        self.check_dates(line, name, policy, base)
        if rule.get("basis") == "occurrence":
            basis = policy.get("basis")
            self.add("basis_mismatch", basis == "occurrence",
                     f"{name} is written on an occurrence basis." if basis == "occurrence"
                     else f"{name} is {(basis or 'not marked').replace('_', '-')}; {self.holder_label} requires occurrence.",
                     line=line, key="basis", expected="occurrence", actual=basis, pointer=f"{base}/basis")
        for key, label in (("additional_insured", "additional insured"), ("subrogation_waived", "waiver of subrogation")):
            if rule.get(key):
                value = policy.get(key)
                self.add("endorsement_missing", value is True,
                         f"{name} shows {label}." if value else
                         f"{name} does not show {label} (the column must show Y); {self.holder_label} requires it.",
                         line=line, key=key, expected=True, actual=value, pointer=f"{base}/{key}")
        if rule.get("primary_noncontributory"):
            text = normalise(self.cert.get("description_of_operations"))
            ok = "primary" in text and "non contributory" in text.replace("noncontributory", "non contributory")
            self.add("endorsement_missing", ok,
                     f"The description of operations states {name.lower()} is primary and non-contributory."
                     if ok else "The ACORD 25 has no box for primary and non-contributory, so the description "
                     f"of operations must say so; it does not, and {self.holder_label} requires it.",
                     line=line, key="primary_noncontributory", expected=True, pointer="/description_of_operations")
        if rule.get("statutory"):
            value = policy.get("statutory")
            self.add("statutory_missing", value is True,
                     f"{name} is marked PER STATUTE." if value else f"{name} is not marked PER STATUTE.",
                     line=line, key="statutory", expected=True, actual=value, pointer=f"{base}/statutory")
        limits = policy.get("limits") or {}
        for key, minimum in (rule.get("limits") or {}).items():
            actual = limits.get(key)
            label = f"{name} {LIMIT_NAMES.get(key, key.replace('_', ' '))}"
            ok = actual is not None and actual >= minimum
            self.add("limit_below_minimum", ok,
                     f"{label} is {money(actual)}; {self.holder_label} requires {money(minimum)}." if not ok
                     else f"{label} is {money(actual)} (at least {money(minimum)}).",
                     line=line, key=key, expected=minimum, actual=actual, pointer=f"{base}/limits/{key}")
        naics = self.req.get("insurers_naic")
        if naics:
            letter = policy.get("insurer_letter")
            insurer = next((i for i in self.cert.get("insurers") or [] if i.get("letter") == letter), {})
            self.add("insurer_not_accepted", insurer.get("naic") in naics,
                     f"{name} is written by NAIC {insurer.get('naic') or 'unknown'}; accepted: {', '.join(naics)}.",
                     line=line, key="naic", expected=naics, actual=insurer.get("naic"))

    def check_dates(self, line: str, name: str, policy: dict[str, Any], base: str) -> None:
        expiration = _date(policy.get("expiration"))
        effective = _date(policy.get("effective"))
        pointer = f"{base}/expiration"
        if expiration is None:
            self.add("policy_expired", False, f"{name} shows no expiration date.", line=line, key="expiration",
                     pointer=pointer)
            return
        if expiration <= self.as_of:
            self.add("policy_expired", False, f"{name} expired on {expiration.isoformat()}.", line=line,
                     key="expiration", actual=expiration.isoformat(), pointer=pointer)
            return
        ahead = self.req.get("valid_days_ahead")
        if ahead:
            needed = self.as_of + timedelta(days=int(ahead))
            self.add("policy_expiring", expiration > needed,
                     f"{name} expires on {expiration.isoformat()}; {self.holder_label} needs it valid "
                     f"at least {ahead} days ahead (past {needed.isoformat()}).",
                     line=line, key="expiration", expected=needed.isoformat(), actual=expiration.isoformat(),
                     pointer=pointer)
        term = self.req.get("term") or {}
        start, end = _date(term.get("start")), _date(term.get("end"))
        if start or end:
            ok = (effective is not None and (start is None or effective <= start)) and (end is None or expiration >= end)
            self.add("term_not_covered", ok,
                     f"{name} runs {policy.get('effective') or '?'} to {expiration.isoformat()}; the contract term is "
                     f"{term.get('start') or '…'} to {term.get('end') or '…'}.",
                     line=line, key="term", expected=term, actual=[policy.get("effective"), policy.get("expiration")],
                     pointer=pointer)
        else:
            self.add("policy_expired", True, f"{name} is in force until {expiration.isoformat()}.", line=line,
                     key="expiration", actual=expiration.isoformat(), pointer=pointer)


def _limit_total(policy: dict[str, Any]) -> int:
    return sum(v for v in (policy.get("limits") or {}).values() if isinstance(v, int))


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def decide(checks: list[Check] | tuple[Check, ...]) -> Decision:
    """approved only if every check passed confidently; rejected on a confident failure; else review."""
    outcomes = {c.outcome for c in checks}
    if "fail" in outcomes:
        return Decision.REJECTED
    if not checks or "unknown" in outcomes:
        return Decision.NEEDS_REVIEW
    return Decision.APPROVED


def evaluate(certificate: dict[str, Any], requirements: dict[str, Any], as_of: date) -> Evaluation:
    return _Scorer(certificate, requirements, as_of).run()


def no_requirements() -> Evaluation:
    check = Check("no_requirement_set", "unknown",
                  "No requirement set is in force for this account or project, so a person must review it.")
    return Evaluation(Decision.NEEDS_REVIEW, (check,))
