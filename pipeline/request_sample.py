"""A sample certificate of what a holder requires (pure): the ACORD 25 layout filled with the
holder block exactly as required, each required line at its minimum limits, the endorsements
(additional insured, waiver of subrogation, primary and non-contributory wording), the project
in the description of operations; drawn by our own generator and stamped SAMPLE
(``samples.request.draw_sample``, above this package), so it needs nothing outside this repository.

    pdf = draw_sample(sample_certificate(requirements, vendor="Blue Heron Roofing LLC", tag="depot-7",
                                         today=date.today()))

Read back with ``coi extract`` it gives the holder and the limits the set requires, so an agent
who copies it gets a certificate that passes. ``requirement_lines`` says the same in words for
the request email.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from pipeline.scoring.model import money
from pipeline.scoring.names import LIMIT_NAMES, LINE_NAMES

PLACEHOLDER_AGENT = "Your insurance agent"
_LETTERS = "ABCDEF"


def _holder(requirements: dict[str, Any], holder_name: str | None) -> dict[str, Any]:
    want = requirements.get("holder") or {}
    return {"name": want.get("name") or holder_name or "", "address": want.get("address")}


def _description(requirements: dict[str, Any], tag: str | None, holder: str) -> str:
    parts = []
    mentions = list(requirements.get("description_must_mention") or [])
    if tag and not any(tag.lower() in m.lower() for m in mentions):
        mentions.insert(0, f"Project {tag}")
    if mentions:
        parts.append("Re: " + "; ".join(mentions) + ".")
    lines = requirements.get("lines") or {}
    additional = [LINE_NAMES.get(n, n).lower() for n, r in lines.items() if (r or {}).get("additional_insured")]
    if additional:
        parts.append(f"{holder} is additional insured on {', '.join(additional)} where required by written contract.")
    waived = [LINE_NAMES.get(n, n).lower() for n, r in lines.items() if (r or {}).get("subrogation_waived")]
    if waived:
        parts.append(f"Waiver of subrogation applies in favor of {holder} on {', '.join(waived)}.")
    if any((r or {}).get("primary_noncontributory") for r in lines.values()):
        parts.append(f"Coverage is primary and non-contributory with respect to {holder}.")
    return " ".join(parts)


def sample_certificate(requirements: dict[str, Any], *, vendor: str | None, tag: str | None, today: date,
                       holder_name: str | None = None) -> dict[str, Any]:
    """The certificate (contract shape) a vendor must send to meet ``requirements``."""
    holder = _holder(requirements, holder_name)
    lines = {name: rule or {} for name, rule in (requirements.get("lines") or {}).items()}
    naics = list(requirements.get("insurers_naic") or [])
    ahead = int(requirements.get("valid_days_ahead") or 0)
    term = requirements.get("term") or {}
    effective = min(today, date.fromisoformat(term["start"])) if term.get("start") else today
    expiration = max(today + timedelta(days=max(365, ahead + 1)),
                     date.fromisoformat(term["end"]) if term.get("end") else today)
    policies, insurers = [], []
    for i, (line, rule) in enumerate((n, r) for n, r in lines.items() if r.get("required") or r.get("limits")):
        letter = _LETTERS[min(i, len(_LETTERS) - 1)]
        if not any(x["letter"] == letter for x in insurers):
            insurers.append({"letter": letter, "name": "Insurer (as placed by your agent)",
                             "naic": naics[0] if naics else None})
        policies.append({
            "line": line, "description": None, "insurer_letter": letter, "policy_number": "POLICY NUMBER",
            "effective": effective.isoformat(), "expiration": expiration.isoformat(),
            "additional_insured": True if rule.get("additional_insured") else None,
            "subrogation_waived": True if rule.get("subrogation_waived") else None,
            "basis": "occurrence" if rule.get("basis") == "occurrence" or line == "general_liability" else None,
            "statutory": True if rule.get("statutory") or line == "workers_compensation" else None,
            "limits": dict(rule.get("limits") or {}),
        })
    return {
        "form": {"type": "ACORD 25", "edition": (requirements.get("editions") or ["2016/03"])[0]},
        "date": today.isoformat(), "certificate_number": "SAMPLE", "revision_number": None,
        "producer": {"name": PLACEHOLDER_AGENT, "address": None, "contact_name": None, "phone": None,
                     "fax": None, "email": None},
        "insured": {"name": requirements.get("insured_name") or vendor or "Your company's legal name",
                    "address": None},
        "insurers": insurers,
        "policies": policies,
        "description_of_operations": _description(requirements, tag, holder["name"] or "The certificate holder"),
        "certificate_holder": holder,
        "signed": True,
    }


def requirement_lines(requirements: dict[str, Any], holder_name: str | None = None,
                      tag: str | None = None) -> list[str]:
    """What the holder requires, one sentence per item, in words (for the request email)."""
    holder = _holder(requirements, holder_name)
    out = []
    if holder["name"]:
        block = holder["name"] + (f", {holder['address']}" if holder.get("address") else "")
        out.append(f"The certificate holder box must read exactly: {block}.")
    if requirements.get("insured_name"):
        out.append(f"The insured must be named exactly: {requirements['insured_name']}.")
    for line, rule in (requirements.get("lines") or {}).items():
        rule = rule or {}
        name = LINE_NAMES.get(line, line.replace("_", " ").capitalize())
        needs = [f"{LIMIT_NAMES.get(k, k.replace('_', ' '))} at least {money(v)}" for k, v in
                 (rule.get("limits") or {}).items()]
        if rule.get("basis") == "occurrence":
            needs.append("written on an occurrence basis")
        if rule.get("additional_insured"):
            needs.append(f"{holder['name'] or 'the holder'} as additional insured (ADDL INSD: Y)")
        if rule.get("subrogation_waived"):
            needs.append("a waiver of subrogation (SUBR WVD: Y)")
        if rule.get("primary_noncontributory"):
            needs.append("primary and non-contributory wording in the description of operations")
        if rule.get("statutory"):
            needs.append("statutory limits (PER STATUTE checked)")
        if rule.get("umbrella_follows_form"):
            needs.append("an umbrella or excess policy may make up the limits (follow form)")
        if rule.get("required") or needs:
            lead = f"{name}{' (required)' if rule.get('required') else ''}"
            out.append(f"{lead}: {'; '.join(needs)}." if needs else f"{lead}.")
    if requirements.get("valid_days_ahead"):
        out.append(f"Every required policy in force for at least {requirements['valid_days_ahead']} more days.")
    term = requirements.get("term") or {}
    if term.get("start") or term.get("end"):
        out.append(f"Policy dates covering the contract term, {term.get('start') or '…'} to {term.get('end') or '…'}.")
    mentions = list(requirements.get("description_must_mention") or [])
    if tag:
        mentions.insert(0, f"the project {tag}")
    if mentions:
        out.append(f"The description of operations must mention: {', '.join(mentions)}.")
    if requirements.get("signature_required"):
        out.append("Signed by an authorized representative.")
    if requirements.get("editions"):
        out.append(f"On an ACORD 25 form of edition {', '.join(requirements['editions'])}.")
    return out
