"""Certificate values by JSON pointer, and their names in a reviewer's words."""

from __future__ import annotations

from typing import Any

from pipeline.scoring.model import money
from pipeline.scoring.names import LIMIT_NAMES, LINE_NAMES

SKIPPED = {"evidence", "signals"}
_FIELDS = {
    "date": "the certificate's date", "certificate_number": "the certificate number",
    "revision_number": "the revision number", "description_of_operations": "the description of operations",
    "signed": "the signature", "policy_number": "policy number", "effective": "effective date",
    "expiration": "expiration date", "additional_insured": "ADDL INSD", "subrogation_waived": "SUBR WVD",
    "naic": "NAIC code", "name": "name", "address": "address", "statutory": "PER STATUTE box",
    "basis": "occurrence / claims-made box", "insurer_letter": "insurer letter",
}


def flatten(node: Any, prefix: str = "") -> dict[str, Any]:
    """Every leaf of a certificate by JSON pointer (the evidence and signals left out)."""
    if isinstance(node, dict):
        out: dict[str, Any] = {}
        for key, value in node.items():
            if not prefix and key in SKIPPED:
                continue
            out.update(flatten(value, f"{prefix}/{key}"))
        return out
    if isinstance(node, list):
        out = {}
        for index, value in enumerate(node):
            out.update(flatten(value, f"{prefix}/{index}"))
        return out
    return {prefix: node}


def describe(pointer: str, certificate: dict[str, Any]) -> str:
    """``/policies/0/limits/each_occurrence`` → 'General liability (policy GL123) each occurrence'."""
    parts = pointer.strip("/").split("/")
    if parts[0] == "policies" and len(parts) >= 3 and parts[1].isdigit():
        policies = certificate.get("policies") or []
        policy = policies[int(parts[1])] if int(parts[1]) < len(policies) else {}
        name = LINE_NAMES.get(policy.get("line") or "", "A policy")
        number = f" (policy {policy['policy_number']})" if policy.get("policy_number") else ""
        leaf = LIMIT_NAMES.get(parts[-1], parts[-1].replace("_", " ")) if parts[2] == "limits" else \
            _FIELDS.get(parts[-1], parts[-1].replace("_", " "))
        return f"{name}{number} {leaf}"
    if parts[0] == "insurers" and len(parts) == 3 and parts[1].isdigit():
        insurers = certificate.get("insurers") or []
        insurer = insurers[int(parts[1])] if int(parts[1]) < len(insurers) else {}
        return f"insurer {insurer.get('letter') or int(parts[1]) + 1}'s {_FIELDS.get(parts[2], parts[2])}"
    if len(parts) == 2 and parts[0] in {"producer", "insured", "certificate_holder"}:
        who = {"producer": "the producer's", "insured": "the insured's", "certificate_holder": "the holder's"}
        return f"{who[parts[0]]} {_FIELDS.get(parts[1], parts[1].replace('_', ' '))}"
    return _FIELDS.get(parts[-1], " ".join(parts).replace("_", " "))


def shown(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return money(value)
    return repr(str(value)[:60])
