"""Notification emails rendered from Jinja2 templates (plain text and HTML). Pure: no I/O.

``render(kind, context)`` gives the subject and both bodies; ``asks`` turns failed checks into what
the sender should ask their insurance agent for. A value read with low confidence (outcome
``unknown``) is never called a fault: templates get ``faults`` (confident failures) and ``unclear``
(the values a person will confirm, named in words) apart. Sending is infra/mailer.py's job.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from functools import lru_cache

from jinja2 import ChoiceLoader, DictLoader, Environment, PackageLoader, StrictUndefined, select_autoescape
from jinja2.sandbox import SandboxedEnvironment

from pipeline.scoring.labels import split, value_name
from pipeline.scoring.model import Reason

LINES = {
    "general_liability": "general liability", "automobile_liability": "automobile liability",
    "umbrella_liability": "umbrella liability", "excess_liability": "excess liability",
    "workers_compensation": "workers' compensation and employers' liability",
}

SUBJECTS = {
    "decision_to_sender": "Certificate of insurance {decision_word}: {filename}",
    "review_to_holder": "Certificate {decision_word} for {insured}: {filename}",
    "no_attachment_to_sender": "We could not find a certificate in your email",
    "unreadable_to_sender": "We could not read {filename} as a certificate of insurance",
    "renewal_request": "Please send a renewed certificate of insurance for {insured}",
    "certificate_request": "{holder_name} asks for a certificate of insurance from {vendor_name}",
}

DECISION_WORDS = {"approved": "accepted", "rejected": "not accepted", "needs_review": "held for review"}


@dataclass(frozen=True)
class Notice:
    subject: str
    text: str
    html: str


_environment = Environment(loader=PackageLoader("pipeline", "notices"), undefined=StrictUndefined,
                           autoescape=select_autoescape(["html.j2"]), trim_blocks=True, lstrip_blocks=True)
_environment.filters["line"] = lambda value: LINES.get(value or "", (value or "").replace("_", " "))


def render(kind: str, context: dict[str, Any], overrides: dict[str, str] | None = None) -> Notice:
    """The notice of ``kind``. ``overrides``: an account's own templates by name
    (``<kind>.txt.j2``, ``<kind>.html.j2``, ``<kind>.subject``), used before the packaged ones and
    rendered in Jinja's sandbox; the HTML ones are escaped all the same."""
    faults, unclear = split(context.get("failed_checks") or [])
    values = {**context, "decision_word": DECISION_WORDS.get(context.get("decision", ""), ""),
              "faults": faults, "unclear": [value_name(c) for c in unclear]}
    environment = _account_environment(tuple(sorted((overrides or {}).items()))) if overrides else _environment
    subject_template = (overrides or {}).get(f"{kind}.subject")
    subject = (environment.from_string(subject_template).render(values) if subject_template
               else SUBJECTS[kind].format_map(_Blank(values)))
    return Notice(subject=" ".join(subject.split())[:200],
                  text=environment.get_template(f"{kind}.txt.j2").render(values),
                  html=environment.get_template(f"{kind}.html.j2").render(values))


@lru_cache(maxsize=64)
def _account_environment(overrides: tuple[tuple[str, str], ...]) -> Environment:
    environment = SandboxedEnvironment(
        loader=ChoiceLoader([DictLoader({k: v for k, v in overrides if k.endswith(".j2")}),
                             PackageLoader("pipeline", "notices")]),
        undefined=StrictUndefined, autoescape=select_autoescape(["html.j2"]), trim_blocks=True, lstrip_blocks=True)
    environment.filters.update(_environment.filters)
    return environment


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return ""


def asks(failed_checks: list[dict[str, Any]], holder: dict[str, Any] | None) -> list[str]:
    """What to ask the agent for, one sentence per distinct request, in the order of the checks."""
    holder_name = (holder or {}).get("name") or "the certificate holder"
    wanted: list[str] = []
    for check in failed_checks:
        sentence = _ask(check, holder_name)
        if sentence and sentence not in wanted:
            wanted.append(sentence)
    return wanted


def _ask(check: dict[str, Any], holder_name: str) -> str | None:
    code, line = check.get("code"), LINES.get(check.get("line") or "", "the policy")
    expected = check.get("expected")
    if check.get("waiver"):
        return None
    if code == Reason.TAMPER_SIGNAL:
        return "The certificate sent to us directly by your insurance agent or broker, exactly as they issued it."
    if check.get("outcome") != "fail":
        return None  # only a confidently read fault is the agent's to change; a person confirms the rest
    match code:
        case Reason.HOLDER_MISMATCH:
            return f"The certificate holder box to read exactly: {expected or holder_name}."
        case Reason.INSURED_MISMATCH:
            return f"The insured named exactly as in your contract: {expected}." if expected else \
                "The insured named exactly as in your contract."
        case Reason.NOT_SIGNED:
            return "A certificate signed by the authorized representative."
        case Reason.EDITION_NOT_ACCEPTED:
            return "The certificate on a current ACORD 25 form."
        case Reason.DESCRIPTION_MISSING_REFERENCE:
            return f"The description of operations to mention: {expected}." if expected else \
                "The description of operations to name the project or contract."
        case Reason.LINE_MISSING:
            return f"Proof of {line} coverage."
        case Reason.POLICY_EXPIRED | Reason.POLICY_EXPIRING | Reason.TERM_NOT_COVERED:
            return f"A certificate showing the renewed {line} policy with dates covering the contract term."
        case Reason.BASIS_MISMATCH:
            return f"{line.capitalize()} written on a {expected or 'required'} basis."
        case Reason.ADDITIONAL_INSURED_MISSING:
            return f"An additional insured endorsement naming {holder_name} on the {line} policy."
        case Reason.SUBROGATION_WAIVER_MISSING:
            return f"A waiver of subrogation in favour of {holder_name} on the {line} policy."
        case Reason.PRIMARY_NONCONTRIBUTORY_MISSING:
            return f"Primary and non-contributory wording for {holder_name} on the {line} policy " \
                   "(in the description of operations, with the endorsement)."
        case Reason.STATUTORY_MISSING:
            return "Workers' compensation at statutory limits (the PER STATUTE box checked)."
        case Reason.LIMIT_BELOW_MINIMUM:
            amount = f"${expected:,}" if isinstance(expected, int) else "the required amount"
            key = (check.get("key") or "limit").replace("_", " ")
            return f"{line.capitalize()} with a {key} limit of at least {amount}."
        case Reason.INSURER_NOT_ACCEPTED | Reason.INSURER_RATING_BELOW_MINIMUM:
            return f"The {line} policy placed with an insurer the holder accepts."
    return None
