"""Checks in words a person reads: what a failing check is wrong about (``fault``), and which value
a check looked at (``value_name``), for emails and the annotated page. Pure, no codes shown."""

from __future__ import annotations

from typing import Any

from pipeline.scoring.model import Reason, money
from pipeline.scoring.names import LIMIT_NAMES, LINE_NAMES


def _line(check: dict[str, Any]) -> str:
    line = check.get("line")
    return LINE_NAMES.get(line or "", (line or "the policy").replace("_", " ").capitalize())


def _limit(check: dict[str, Any]) -> str:
    key = check.get("key") or "limit"
    return LIMIT_NAMES.get(key, key.replace("_", " "))


def _part(check: dict[str, Any]) -> str:
    return "address" if check.get("key") == "address" else "name"


def fault(check: dict[str, Any]) -> str:
    """A short label for a failing check, in words (``General liability each occurrence below $2,000,000``)."""
    line = _line(check)
    expected = check.get("expected")
    match check.get("code"):
        case Reason.HOLDER_MISMATCH:
            return f"Certificate holder {_part(check)} is not as required"
        case Reason.INSURED_MISMATCH:
            return "Insured name is not as required"
        case Reason.NOT_SIGNED:
            return "Not signed"
        case Reason.EDITION_NOT_ACCEPTED:
            return "Form edition not accepted"
        case Reason.DESCRIPTION_MISSING_REFERENCE:
            return f"Description must mention {expected}" if expected else "Description lacks required wording"
        case Reason.LINE_MISSING:
            return f"{line} is missing"
        case Reason.POLICY_EXPIRED:
            return f"{line} has expired"
        case Reason.POLICY_EXPIRING:
            return f"{line} expires too soon"
        case Reason.TERM_NOT_COVERED:
            return f"{line} dates do not cover the contract"
        case Reason.BASIS_MISMATCH:
            return f"{line} is not on an occurrence basis"
        case Reason.ADDITIONAL_INSURED_MISSING:
            return f"{line}: no additional insured"
        case Reason.SUBROGATION_WAIVER_MISSING:
            return f"{line}: no waiver of subrogation"
        case Reason.PRIMARY_NONCONTRIBUTORY_MISSING:
            return "No primary and non-contributory wording"
        case Reason.STATUTORY_MISSING:
            return f"{line} is not marked per statute"
        case Reason.LIMIT_BELOW_MINIMUM:
            below = f" below {money(expected)}" if isinstance(expected, int) else " below the minimum"
            return f"{line} {_limit(check)}{below}"
        case Reason.INSURER_NOT_ACCEPTED:
            return f"{line}: insurer not accepted"
        case Reason.INSURER_RATING_BELOW_MINIMUM:
            return f"{line}: insurer rated too low"
        case Reason.NO_REQUIREMENT_SET:
            return "No requirements to check against"
    return str(check.get("code") or "check").replace("_", " ").capitalize()


def value_name(check: dict[str, Any]) -> str:
    """The value a check looked at, named without judging it (``the general liability general
    aggregate limit``): for values that could not be read clearly."""
    line = _line(check).lower()
    match check.get("code"):
        case Reason.HOLDER_MISMATCH:
            return f"the certificate holder {_part(check)}"
        case Reason.INSURED_MISMATCH:
            return "the insured's name"
        case Reason.NOT_SIGNED:
            return "the signature"
        case Reason.EDITION_NOT_ACCEPTED:
            return "the form edition"
        case Reason.DESCRIPTION_MISSING_REFERENCE | Reason.PRIMARY_NONCONTRIBUTORY_MISSING:
            return "the description of operations"
        case Reason.LINE_MISSING:
            return f"the {line} row"
        case Reason.POLICY_EXPIRED | Reason.POLICY_EXPIRING | Reason.TERM_NOT_COVERED:
            return f"the {line} policy dates"
        case Reason.BASIS_MISMATCH:
            return f"the {line} occurrence box"
        case Reason.ADDITIONAL_INSURED_MISSING:
            return f"the {line} additional insured column"
        case Reason.SUBROGATION_WAIVER_MISSING:
            return f"the {line} waiver of subrogation column"
        case Reason.STATUTORY_MISSING:
            return f"the {line} per statute box"
        case Reason.LIMIT_BELOW_MINIMUM:
            return f"the {line} {_limit(check)} limit"
        case Reason.INSURER_NOT_ACCEPTED | Reason.INSURER_RATING_BELOW_MINIMUM:
            return f"the {line} insurer"
        case Reason.NO_REQUIREMENT_SET:
            return "the requirements that apply"
    return str(check.get("code") or "a value").replace("_", " ")


def split(checks: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(faults, unclear): unwaived checks that failed on confidently read values, and those whose
    values could not be read clearly (whatever they seemed to show: a person confirms them)."""
    live = [c for c in checks if not c.get("waiver")]
    return [c for c in live if c.get("outcome") == "fail"], [c for c in live if c.get("outcome") == "unknown"]
