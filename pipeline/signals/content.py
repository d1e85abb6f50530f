"""Values of one certificate that contradict each other (pure: the certificate dict only)."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from pipeline.scoring.model import CONFIDENT, money
from pipeline.scoring.names import LIMIT_NAMES, LINE_NAMES
from pipeline.signals.model import Code, Severity, Signal

SHORTEST_TERM_DAYS = 1  # a policy that ends the day it starts is no policy
LONGEST_TERM_DAYS = 5 * 366 + 31  # project (wrap-up) policies run for years; past five is not a policy term
NAIC = re.compile(r"\d{5}")

# (line, the limit that caps the year, the limit per event it must not be below)
AGGREGATES = (
    ("general_liability", "general_aggregate", "each_occurrence"),
    ("umbrella_liability", "aggregate", "each_occurrence"),
    ("excess_liability", "aggregate", "each_occurrence"),
    ("workers_compensation", "el_disease_policy_limit", "el_disease_each_employee"),
)


def content_signals(certificate: dict[str, Any]) -> list[Signal]:
    evidence = certificate.get("evidence") or {}
    signals: list[Signal] = []
    issued = _date(certificate.get("date"))
    for index, policy in enumerate(certificate.get("policies") or []):
        base = f"/policies/{index}"
        name = LINE_NAMES.get(policy.get("line") or "", "A policy")
        number = f" (policy {policy['policy_number']})" if policy.get("policy_number") else ""
        effective, expiration = _date(policy.get("effective")), _date(policy.get("expiration"))
        sure = _sure(evidence, f"{base}/effective", f"{base}/expiration")
        if effective and expiration and sure:
            days = (expiration - effective).days
            if days < 0:
                signals.append(_signal(Code.EXPIRATION_BEFORE_EFFECTIVE, evidence, f"{base}/expiration",
                               f"{name}{number} expires on {expiration} before it takes effect on {effective}; "
                               "ask the agent for a corrected certificate."))
            elif days < SHORTEST_TERM_DAYS or days > LONGEST_TERM_DAYS:
                signals.append(_signal(Code.IMPLAUSIBLE_TERM, evidence, f"{base}/expiration",
                               f"{name}{number} runs {days} days, from {effective} to {expiration}, which is not a "
                               "policy term; check the dates with the agent."))
        if issued and expiration and 0 <= (expiration - (effective or expiration)).days and expiration < issued \
                and _sure(evidence, "/date", f"{base}/expiration"):
            signals.append(_signal(Code.DATED_AFTER_EXPIRATION, evidence, f"{base}/expiration",
                           f"The certificate is dated {issued}, after {name.lower()}{number} expired on "
                           f"{expiration}; an agent does not certify a policy that has already ended."))
        signals += _aggregates(policy, base, name, number, evidence)
    for index, insurer in enumerate(certificate.get("insurers") or []):
        naic = insurer.get("naic")
        pointer = f"/insurers/{index}/naic"
        if naic and not NAIC.fullmatch(str(naic).strip()) and _sure(evidence, pointer):
            who = insurer.get("name") or f"insurer {insurer.get('letter') or index + 1}"
            signals.append(_signal(Code.NAIC_MALFORMED, evidence, pointer,
                           f"The NAIC code of {who} reads {naic!r}; NAIC codes are five digits. Check the insurer "
                           "with the agent or on the NAIC's company search."))
    return signals


def _aggregates(policy: dict[str, Any], base: str, name: str, number: str,
                evidence: dict[str, Any]) -> list[Signal]:
    limits = policy.get("limits") or {}
    out = []
    for line, total, each in AGGREGATES:
        if policy.get("line") != line:
            continue
        high, low = limits.get(total), limits.get(each)
        if isinstance(high, int) and isinstance(low, int) and 0 < high < low \
                and _sure(evidence, f"{base}/limits/{total}", f"{base}/limits/{each}"):
            out.append(_signal(Code.AGGREGATE_BELOW_OCCURRENCE, evidence, f"{base}/limits/{total}",
                       f"{name}{number} shows a {LIMIT_NAMES[total]} of {money(high)}, below its "
                       f"{LIMIT_NAMES[each]} of {money(low)}; an aggregate is never smaller. Check the limits "
                       "with the agent."))
    return out


def _sure(evidence: dict[str, Any], *pointers: str) -> bool:
    """Each value read with confidence (or with no evidence to say otherwise): a misread digit of a
    scan is not a contradiction of the certificate's."""
    return all(float((evidence.get(p) or {}).get("confidence", 1.0)) >= CONFIDENT for p in pointers)


def _signal(code: Code, evidence: dict[str, Any], pointer: str, message: str) -> Signal:
    where = evidence.get(pointer) or {}
    return Signal(code, Severity.INCONSISTENT, message,
                  {"pointer": pointer, "page": where.get("page"), "bbox": where.get("bbox")})


def _date(value: Any) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None
