"""Score an extracted certificate against a holder's requirement set (pure).

Input shapes: ../shared/contract/certificate.md and requirements.md. The output is the contract's
evaluation: a decision and one check per rule, each with a sentence a contractor understands, the
evidence (page, box) and the confidence of the values it used.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pipeline.scoring.checks import Scorer
from pipeline.scoring.model import (CONFIDENT, Check, Evaluation, Reason, Waiver, apply_waivers, decide, money,
                                    normalise)
from pipeline.states import Decision

__all__ = ["CONFIDENT", "Check", "Evaluation", "Reason", "Waiver", "decide", "evaluate", "listed_signals", "money",
           "no_requirements", "normalise", "signal_checks", "with_aliases"]


def with_aliases(requirements: dict[str, Any], aliases: list[str] | tuple[str, ...] | None) -> dict[str, Any]:
    """The requirement set with the holder's accepted alternative names added to ``holder.aliases``
    (the set's own first, no repeats); the set itself is left as it is."""
    holder = requirements.get("holder") or {}
    merged = list(dict.fromkeys([*(holder.get("aliases") or ()), *(aliases or ())]))
    if not merged or not holder.get("name"):
        return requirements
    return {**requirements, "holder": {**holder, "aliases": merged}}


def evaluate(certificate: dict[str, Any], requirements: dict[str, Any], as_of: date,
             waivers: tuple[Waiver, ...] | list[Waiver] = ()) -> Evaluation:
    """The checks of the requirement set, plus one ``tamper_signal`` check (outcome unknown) per tamper
    signal of the certificate: an approval becomes needs_review with the signal's sentence, until a
    reviewer waives it. Tamper and inconsistent signals are listed on the evaluation."""
    checks = Scorer(certificate, requirements, as_of).run() + signal_checks(certificate)
    checks = apply_waivers(checks, waivers, as_of)
    return Evaluation(decide(checks), tuple(checks), signals=listed_signals(certificate))


def signal_checks(certificate: dict[str, Any]) -> list[Check]:
    """One check, never passing, per ``tamper`` signal: a person must look before it is approved."""
    return [Check(Reason.TAMPER_SIGNAL.value, "unknown", s["message"], requirement="signals", key=s["code"],
                  evidence=s.get("evidence") or None)
            for s in certificate.get("signals") or [] if s.get("severity") == "tamper"]


def listed_signals(certificate: dict[str, Any]) -> tuple[dict[str, Any], ...]:
    return tuple(s for s in certificate.get("signals") or [] if s.get("severity") in {"tamper", "inconsistent"})


def no_requirements() -> Evaluation:
    check = Check(Reason.NO_REQUIREMENT_SET.value, "unknown",
                  "No requirement set is in force for this account or project, so a person must review it.")
    return Evaluation(Decision.NEEDS_REVIEW, (check,))
