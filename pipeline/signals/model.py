"""What a trust signal is: a code, a severity, a sentence a reviewer can act on, and its evidence."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    """``tamper``: the file shows signs of being altered or self-made, a person must look before it is
    approved; ``inconsistent``: the values contradict each other; ``notice``: worth a glance, no more."""

    TAMPER = "tamper"
    INCONSISTENT = "inconsistent"
    NOTICE = "notice"


class Code(StrEnum):
    """The fixed list of signal codes."""

    # edits after issue
    EDITED_AFTER_SAVE = "edited_after_save"
    ADDED_AFTER_SAVE = "added_after_save"
    ANNOTATION_ADDED = "annotation_added"
    EDITOR_PRODUCER = "editor_producer"
    MODIFIED_AFTER_ISSUE = "modified_after_issue"
    DRAWN_OVER = "drawn_over"
    HIDDEN_TEXT = "hidden_text"
    # self-issued / look-alike
    NO_FORM_FOOTER = "no_form_footer"
    FOOTER_MISMATCH = "footer_mismatch"
    PRODUCER_IS_INSURED = "producer_is_insured"
    # inconsistent content
    EXPIRATION_BEFORE_EFFECTIVE = "expiration_before_effective"
    IMPLAUSIBLE_TERM = "implausible_term"
    AGGREGATE_BELOW_OCCURRENCE = "aggregate_below_occurrence"
    NAIC_MALFORMED = "naic_malformed"
    DATED_AFTER_EXPIRATION = "dated_after_expiration"
    # the account's history
    NAIC_OTHER_INSURER = "naic_other_insurer"
    POLICY_OTHER_INSURED = "policy_other_insured"
    REVISION_NOT_RAISED = "revision_not_raised"
    # the check itself
    NOT_CHECKED = "structure_not_checked"


@dataclass(frozen=True)
class Signal:
    """One finding. ``evidence`` says where: ``page`` (1-based) and ``bbox`` (points, top-left origin,
    as the reading's words), ``object`` (the PDF object it came from, ``"12 0 R"``), ``pointer`` (the
    certificate value concerned, a JSON pointer) and ``detail`` (what was found, e.g. the old value)."""

    code: Code
    severity: Severity
    message: str
    evidence: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code.value, "severity": self.severity.value, "message": self.message,
                "evidence": {k: v for k, v in self.evidence.items() if v is not None}}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Signal:
        return cls(Code(data["code"]), Severity(data["severity"]), str(data["message"]), dict(data.get("evidence") or {}))


def bbox(x0: float, y0: float, x1: float, y1: float) -> list[float]:
    return [round(float(v), 1) for v in (x0, y0, x1, y1)]
