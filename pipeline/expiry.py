"""When a certificate stops being good, and which warning is due today. Pure: no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any


@dataclass(frozen=True)
class Expiry:
    expires_on: date
    policies: tuple[dict[str, Any], ...]  # line, policy_number, expiration of those ending that day


def _day(value: Any) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


def relevant_policies(certificate: dict[str, Any], checks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The dated policies whose expiration the evaluation checked; with no requirement set, every
    dated policy on the certificate."""
    checked = {c.get("line") for c in checks if c.get("key") == "expiration" and c.get("line")}
    policies = [p for p in certificate.get("policies") or [] if _day(p.get("expiration"))]
    return [p for p in policies if p.get("line") in checked] if checked else policies


def relevant_expiry(certificate: dict[str, Any], checks: list[dict[str, Any]]) -> Expiry | None:
    """The earliest expiration among the policies the requirement set looked at.

    A policy counts when the evaluation checked its line's expiration (so a listed policy the
    holder does not require cannot make the certificate lapse); with no requirement set, every
    policy on the certificate counts."""
    policies = relevant_policies(certificate, checks)
    if not policies:
        return None
    earliest = min(_day(p["expiration"]) for p in policies)
    ending = tuple({"line": p.get("line") or "other", "policy_number": p.get("policy_number"),
                    "expiration": earliest.isoformat()} for p in policies if _day(p["expiration"]) == earliest)
    return Expiry(earliest, ending)


def due_mark(expires_on: date, today: date, thresholds: list[int]) -> int | None:
    """The warning due today: 0 once expired (a policy ending today no longer covers today, as the
    scoring rule has it), else the smallest threshold the days left have crossed, else None."""
    days_left = (expires_on - today).days
    if days_left <= 0:
        return 0
    crossed = [t for t in thresholds if t > 0 and days_left <= t]
    return min(crossed) if crossed else None
