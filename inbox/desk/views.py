"""What the desk's pages show, read from the database for one account (no HTML here).

Every lookup takes the signed-in person's account: a document of another account is not found,
exactly like one that does not exist.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from infra.models import Certificate, Correction, Document, Evaluation, Override
from infra.review import as_scored, corrections, reviews, trail
from infra.storage import ObjectMissing
from infra.users import Person
from pipeline.corrections import CorrectionRefused, Fix, apply_corrections, read_value, shown
from pipeline.scoring.names import LIMIT_NAMES, LINE_NAMES
from pipeline.states import DocumentStatus

if TYPE_CHECKING:
    from infra.bootstrap import App

HELD = ("needs_review", "rejected")  # what the queue lists
PAGE_DPI = 110  # as the annotated image (pipeline/annotate.py)
QUEUE_LIMIT = 500
CHECK_FIELDS = {"requirement": None, "expected": None, "actual": None, "confidence": None, "line": None, "key": None,
                "waiver": None, "evidence": None}


def find(session: Session, person: Person, document_id: str) -> Document | None:
    document = session.get(Document, document_id) if len(document_id) <= 32 else None
    return document if document is not None and document.account_id == person.account_id else None


# -- the queue ----------------------------------------------------------------------------------


@dataclass
class QueueRow:
    document_id: str
    filename: str
    received: str
    tag: str | None
    insured: str | None
    decision: str
    reasons: list[dict[str, Any]]


def queue(session: Session, person: Person, decisions: tuple[str, ...] = HELD) -> list[QueueRow]:
    """Decided documents of the account whose decision in force is one of ``decisions``, oldest
    first, each with the checks that failed or are unknown (not waived): why it waits."""
    rows = session.execute(
        select(Document, Evaluation, Certificate.data)
        .join(Evaluation, (Evaluation.document_id == Document.id) & Evaluation.current)
        .join(Certificate, Certificate.document_id == Document.id, isouter=True)
        .where(Document.account_id == person.account_id, Document.status == DocumentStatus.DECIDED)
        .order_by(Document.created_at, Document.id).limit(QUEUE_LIMIT)).all()
    overrides = _active_overrides(session, [d.id for d, _, _ in rows])
    fixes = _corrections(session, [d.id for d, _, _ in rows])
    found = []
    for document, evaluation, data in rows:
        override = overrides.get(document.id)
        decision = override.decision if override else evaluation.decision
        if decision not in decisions:
            continue
        reasons = [c for c in evaluation.checks if c.get("outcome") != "pass" and not c.get("waiver")]
        data = apply_corrections(data or {}, fixes.get(document.id, []))
        found.append(QueueRow(document.id, document.filename, f"{document.created_at:%Y-%m-%d %H:%M}",
                              document.tag, ((data or {}).get("insured") or {}).get("name"), decision, reasons))
    return found


def _corrections(session: Session, document_ids: list[str]) -> dict[str, list[Fix]]:
    by_document: dict[str, list[Fix]] = {}
    if document_ids:
        for row in session.scalars(select(Correction).where(Correction.document_id.in_(document_ids))
                                   .order_by(Correction.id)):
            by_document.setdefault(row.document_id, []).append(Fix(row.pointer, row.new_value, row.by))
    return by_document


def _active_overrides(session: Session, document_ids: list[str]) -> dict[str, Override]:
    if not document_ids:
        return {}
    today, newest = date.today(), {}
    for row in session.scalars(select(Override).where(Override.document_id.in_(document_ids),
                                                      Override.undone_at.is_(None)).order_by(Override.id.desc())):
        if row.document_id not in newest and (row.until is None or today <= row.until):
            newest[row.document_id] = row
    return newest


# -- one document ---------------------------------------------------------------------------------


@dataclass
class Value:
    """One extracted value with its evidence: a box on the page to click, a row to correct."""

    pointer: str
    label: str
    value: Any
    text: str
    confidence: float | None
    page: int | None
    bbox: tuple[float, ...] | None
    corrected: bool
    state: str  # "failing" (a failed or unknown check uses it), "corrected", or "read"


@dataclass
class Page:
    document: Document
    status: dict[str, Any]
    values: list[Value] = field(default_factory=list)
    checks: list[dict[str, Any]] = field(default_factory=list)
    corrections: list[Any] = field(default_factory=list)
    reviews: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    trail: list[Any] = field(default_factory=list)
    pages: list[int] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)  # the certificate as scored (corrections laid over)

    def value(self, pointer: str | None) -> Value | None:
        """The value at ``pointer``: one with evidence, or one the reader left blank (nothing to box)."""
        if not pointer:
            return None
        found = next((v for v in self.values if v.pointer == pointer), None)
        if found is not None or not self.data:
            return found
        try:
            content = read_value(self.data, pointer)
        except CorrectionRefused:
            return None
        if isinstance(content, (dict, list)):
            return None
        return Value(pointer, label(self.data, pointer), content, shown(content), None, None, None, False, "read")


def document_page(session: Session, person: Person, document: Document) -> Page:
    from infra.admin import document_status

    status = document_status(session, document)
    checks = [{**CHECK_FIELDS, **c} for c in status.get("checks") or []]  # a check carries only what applies
    page = Page(document, status, checks=checks,
                corrections=corrections(session, document.id), reviews=reviews(session, person.account_id, document.id),
                trail=trail(session, document))
    has_certificate = session.scalars(select(Certificate.id).where(Certificate.document_id == document.id)).first()
    if has_certificate is None:
        return page
    data = as_scored(session, document)
    evidence = data.get("evidence") or {}
    failing = {_pointer_of(c.get("evidence"), evidence) for c in page.checks
               if c.get("outcome") != "pass" and not c.get("waiver")}
    page.data = data
    for check in page.checks:
        check["pointer"] = _pointer_of(check.get("evidence"), evidence) or _pointer_by_line(data, check)
    for pointer, where in sorted(evidence.items(), key=lambda kv: _reading_order(kv[1])):
        value = _value_at(data, pointer)
        corrected = bool(where.get("corrected"))
        page.values.append(Value(
            pointer, label(data, pointer), value, shown(value), where.get("confidence"), where.get("page"),
            tuple(where["bbox"]) if where.get("bbox") and len(where["bbox"]) == 4 else None, corrected,
            "failing" if pointer in failing else ("corrected" if corrected else "read")))
    page.pages = sorted({v.page for v in page.values if v.page and v.bbox}) or [1]
    return page


def _reading_order(where: dict[str, Any]) -> tuple:
    bbox = where.get("bbox") or (0, 0, 0, 0)
    return (where.get("page") or 1, round(bbox[1] / 6), bbox[0])


def _pointer_by_line(data: dict[str, Any], check: dict[str, Any]) -> str | None:
    """For a check with no box (the value was not read): the pointer of its line's limit or field, when
    the certificate has that line once."""
    line, key = check.get("line"), check.get("key")
    rows = [i for i, p in enumerate(data.get("policies") or []) if p.get("line") == line]
    if not line or not key or len(rows) != 1:
        return None
    policy = data["policies"][rows[0]]
    if key in (policy.get("limits") or {}):
        return f"/policies/{rows[0]}/limits/{key}"
    return f"/policies/{rows[0]}/{key}" if key in policy else None


def _pointer_of(check_evidence: dict[str, Any] | None, evidence: dict[str, Any]) -> str | None:
    """The value a check used: the pointer whose evidence is the check's (same page and box)."""
    if not check_evidence or not check_evidence.get("bbox"):
        return None
    for pointer, where in evidence.items():
        if where.get("bbox") == check_evidence.get("bbox") and where.get("page") == check_evidence.get("page"):
            return pointer
    return None


def _value_at(data: dict[str, Any], pointer: str) -> Any:
    try:
        return read_value(data, pointer)
    except CorrectionRefused:
        return None


def label(data: dict[str, Any], pointer: str) -> str:
    """A value's name as a person says it: "General liability: each occurrence", "Insured: name"."""
    parts = pointer.strip("/").split("/")
    if parts[0] == "policies" and len(parts) > 1 and parts[1].isdigit():
        policies = data.get("policies") or []
        line = policies[int(parts[1])].get("line") if int(parts[1]) < len(policies) else None
        rest = [LIMIT_NAMES.get(p, p.replace("_", " ")) for p in parts[2:] if p != "limits"]
        return f"{LINE_NAMES.get(line, 'Policy')} (row {int(parts[1]) + 1}): {' '.join(rest)}"
    if parts[0] == "insurers" and len(parts) > 2 and parts[1].isdigit():
        return f"Insurer {int(parts[1]) + 1}: {parts[2].replace('_', ' ')}"
    return ": ".join(p.replace("_", " ") for p in parts).capitalize()


# -- the page image -----------------------------------------------------------------------------


def page_png(app: App, document: Document, page: int) -> bytes:
    """The certificate page as the reader saw it (the frame of its evidence boxes), rendered once
    and kept beside the document."""
    from pipeline.annotate import render_page
    from pipeline.textlayer import PDFIUM

    cached = document.storage_key.rsplit("/", 1)[0] + f"/page-{page}-{PAGE_DPI}.png"
    try:
        return app.storage.get(cached)
    except ObjectMissing:
        pass
    with PDFIUM:
        image = render_page(app.storage.get(document.storage_key), page, dpi=PAGE_DPI)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    png = out.getvalue()
    app.storage.put(cached, png, "image/png")
    return png


def png_size(png: bytes) -> tuple[int, int]:
    from PIL import Image

    with Image.open(io.BytesIO(png)) as image:
        return image.size
