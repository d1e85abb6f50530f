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

__all__ = ["CONFIDENT", "Check", "Evaluation", "Reason", "Waiver", "decide", "evaluate", "money",
           "no_requirements", "normalise"]


def evaluate(certificate: dict[str, Any], requirements: dict[str, Any], as_of: date,
             waivers: tuple[Waiver, ...] | list[Waiver] = ()) -> Evaluation:
    checks = apply_waivers(Scorer(certificate, requirements, as_of).run(), waivers, as_of)
    return Evaluation(decide(checks), tuple(checks))


def no_requirements() -> Evaluation:
    check = Check(Reason.NO_REQUIREMENT_SET.value, "unknown",
                  "No requirement set is in force for this account or project, so a person must review it.")
    return Evaluation(Decision.NEEDS_REVIEW, (check,))
